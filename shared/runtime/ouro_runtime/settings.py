"""Settings common to every service, read from the environment (pydantic-settings).

A service subclasses `ServiceSettings` for its own values. A bad value stops start-up with one line
naming the variable and the reason (see `load_settings`).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound="ServiceSettings")


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


def load_settings(kind: type[S]) -> S:
    """Build settings from the environment or exit(2) with 'setting VAR: reason' lines."""
    try:
        return kind()
    except ValidationError as exc:
        prefix = kind.model_config.get("env_prefix", "")
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"])
            var = "REDIS_URL" if field == "redis_url" else f"{prefix}{field}".upper()
            print(f"bad setting {var}: {err['msg']} (got {err.get('input')!r})", file=sys.stderr)
        raise SystemExit(2) from None
