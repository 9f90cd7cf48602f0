"""Admin API settings (pydantic-settings, `OURO_` prefix), on top of the common service settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator

from ouro_runtime.settings import ServiceSettings
from ouro_schemas import names

Seconds = Annotated[float, Field(gt=0, le=3600)]


class AdminSettings(ServiceSettings):
    http_port: Annotated[int, Field(ge=0, le=65535)] = names.PORT_ADMIN
    # Tokens: from the environment, else read from (or generated into) data/secrets/ at first start.
    admin_token: SecretStr | None = None  # OURO_ADMIN_TOKEN: the operator role
    viewer_token: SecretStr | None = None  # OURO_VIEWER_TOKEN: read-only
    # Failed token attempts per client IP: more than `auth_max_failures` in `auth_window_s` -> 429.
    auth_max_failures: Annotated[int, Field(ge=1, le=10_000)] = 10
    auth_window_s: Seconds = 60.0
    confirm_ttl_s: Seconds = 60.0  # life of a rollback confirmation token
    # Rollback: how long to wait for the director to report `paused`, and for the engine to settle
    # after engine_pause (it has no acknowledgement of its own).
    rollback_pause_timeout_s: Seconds = 5.0
    rollback_engine_settle_s: Annotated[float, Field(ge=0, le=60)] = 0.5
    feed_block_ms: Annotated[int, Field(ge=10, le=30_000)] = 1_000
    proposal_scan_limit: Annotated[int, Field(ge=100, le=1_000_000)] = 20_000

    @field_validator("admin_token", "viewer_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_token", "viewer_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("a token must be at least 16 characters")
        return value
