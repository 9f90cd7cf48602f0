"""The llm-worker's settings (env `OURO_LLM_*`): which providers, how patient, how much at once.

The default is the offline provider alone, so the world runs with no model at all. A remote provider
is a named profile (`profiles.PROFILES`) plus a model, and optionally a base URL and an API key.
The key is a SecretStr: it is never logged and never part of a trace.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, model_validator

from ouro_llmworker.profiles import PROFILES
from ouro_runtime.settings import ServiceSettings

Seconds = Annotated[float, Field(gt=0, le=600)]


class LLMSettings(ServiceSettings):
    # Provider chain: primary -> secondary -> offline. "offline" / "none" mean no remote provider.
    llm_primary: str = "offline"
    llm_primary_base_url: str | None = None  # default: the profile's URL
    llm_primary_model: str = ""
    llm_primary_api_key: SecretStr | None = None
    llm_secondary: str = "none"
    llm_secondary_base_url: str | None = None
    llm_secondary_model: str = ""
    llm_secondary_api_key: SecretStr | None = None
    # One HTTP call; the whole ask (retries included) is bounded by attempts × timeout + backoff.
    llm_timeout_s: Seconds = 20.0
    llm_retries: Annotated[int, Field(ge=0, le=5)] = 2  # extra attempts on 429/5xx/timeouts
    llm_backoff_base_s: Annotated[float, Field(ge=0, le=30)] = 0.5
    llm_backoff_max_s: Annotated[float, Field(ge=0, le=120)] = 8.0
    # Circuit breaker per provider: open after N consecutive failures, half-open after the cool-down.
    llm_breaker_failures: Annotated[int, Field(ge=1, le=100)] = 5
    llm_breaker_cooldown_s: Seconds = 30.0
    # Caps: calls in flight, and calls per minute (all, and per Questmaker). Over a cap -> offline.
    llm_max_concurrency: Annotated[int, Field(ge=1, le=256)] = 4
    llm_calls_per_minute: Annotated[int, Field(ge=1, le=100_000)] = 120
    llm_qm_calls_per_minute: Annotated[int, Field(ge=1, le=10_000)] = 6
    # Output bounds.
    llm_max_tokens_enrich: Annotated[int, Field(ge=32, le=8192)] = 600
    llm_max_tokens_qm: Annotated[int, Field(ge=32, le=8192)] = 800
    llm_temperature: Annotated[float, Field(ge=0, le=2)] = 0.7
    llm_max_entities: Annotated[int, Field(ge=1, le=50)] = 6  # remote calls per draft; the rest offline
    llm_max_actions: Annotated[int, Field(ge=1, le=5)] = 3  # tool calls per Questmaker turn

    @model_validator(mode="after")
    def _known_profiles(self) -> LLMSettings:
        for field in ("llm_primary", "llm_secondary"):
            value = getattr(self, field)
            if value not in PROFILES and value not in ("offline", "none"):
                known = ", ".join(sorted(PROFILES))
                raise ValueError(f"{field}: unknown profile {value!r} (known: {known}, offline, none)")
            if value in PROFILES and not getattr(self, f"{field}_model"):
                raise ValueError(f"{field}_model must name the model for profile {value!r}")
        return self
