"""Settings common to every service, read from the environment (pydantic-settings).

A service subclasses `ServiceSettings` for its own values. A bad value stops start-up with one line
naming the variable and the reason (see `load_settings`).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound="ServiceSettings")
DEV_HMAC_KEY = "development-only-hmac-key-change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OURO_", extra="ignore", frozen=True)

    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "OURO_REDIS_URL"),
        pattern=r"^(redis|rediss|unix)://",
    )
    http_host: str = "127.0.0.1"
    http_port: Annotated[int, Field(ge=0, le=65535)] = 0
    instance: str = Field(default_factory=lambda: f"{socket.gethostname()}")
    data_dir: Path = Path("data")
    log_level: Annotated[str, Field(pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")] = "INFO"
    # Bus tuning (every consumer in the service).
    claim_idle_ms: Annotated[int, Field(ge=100, le=3_600_000)] = 30_000
    max_deliveries: Annotated[int, Field(ge=1, le=100)] = 5
    stream_maxlen: Annotated[int, Field(ge=100, le=100_000_000)] = 100_000
    drain_timeout_s: Annotated[float, Field(gt=0, le=600)] = 10.0
    # HMAC key shared by the publisher (signs proposals and patches) and the engine (verifies them).
    env: Literal["development", "production"] = "development"
    hmac_key: SecretStr = SecretStr(DEV_HMAC_KEY)

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> ServiceSettings:
        if self.env == "production" and self.hmac_key.get_secret_value() == DEV_HMAC_KEY:
            raise ValueError("OURO_HMAC_KEY must be set to a real secret when OURO_ENV=production")
        if len(self.hmac_key.get_secret_value()) < 16:
            raise ValueError("OURO_HMAC_KEY must be at least 16 characters")
        return self

    @property
    def hmac_key_bytes(self) -> bytes:
        return self.hmac_key.get_secret_value().encode()


def load_settings(kind: type[S]) -> S:
    """Build settings from the environment or exit(2) with 'setting VAR: reason' lines."""
    try:
        return kind()
    except ValidationError as exc:
        prefix = kind.model_config.get("env_prefix", "")
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"]) or "(settings)"
            name = field.upper()
            # Aliased fields (REDIS_URL) are reported by the name they were read from.
            var = name if name == "REDIS_URL" else f"{prefix}{name}".upper()
            print(f"bad setting {var}: {err['msg']} (got {err.get('input')!r})", file=sys.stderr)
        raise SystemExit(2) from None
