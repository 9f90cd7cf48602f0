"""GatewaySettings: the player gateways' own environment variables (prefix OURO_).

The telnet host/port and line limit are the engine's (`OURO_TELNET_HOST/PORT`, `OURO_MAX_LINE`); the
values here are the gateway's alone. Rate limits are per connection (token bucket) and per IP.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ouro_schemas import names


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OURO_", extra="ignore", frozen=True)

    telnet_host: str = "0.0.0.0"
    telnet_port: Annotated[int, Field(ge=0, le=65535)] = names.PORT_TELNET
    play_host: str = "0.0.0.0"
    play_port: Annotated[int, Field(ge=0, le=65535)] = names.PORT_PLAY  # /play, /ws; 0 = a free port
    max_line: Annotated[int, Field(ge=16, le=8192)] = 512  # longest command line (bytes), both transports
    max_frame: Annotated[int, Field(ge=256, le=1_048_576)] = 8192  # longest WebSocket frame answered normally
    hard_max_frame: Annotated[int, Field(ge=1024, le=16_777_216)] = 2_097_152  # beyond: close 1009
    commands_per_s: Annotated[float, Field(gt=0, le=1000)] = 10.0  # per connection, sustained
    commands_burst: Annotated[int, Field(ge=1, le=10_000)] = 30  # ... and burst (a speedwalk)
    conns_per_ip_per_s: Annotated[float, Field(gt=0, le=100_000)] = 5.0  # new connections per IP
    conns_per_ip_burst: Annotated[int, Field(ge=1, le=100_000)] = 20
    errors_per_min: Annotated[int, Field(ge=1, le=10_000)] = 30  # protocol errors before close 1008
    idle_timeout_s: Annotated[float, Field(gt=0)] = 1800.0  # no input for this long: warned ...
    idle_grace_s: Annotated[float, Field(ge=0)] = 60.0  # ... then closed this much later
    resume_ttl_s: Annotated[int, Field(ge=10)] = 3600  # WebSocket resume tokens live this long
    out_buffer: Annotated[int, Field(ge=65_536)] = 4_194_304  # unsent bytes before a slow client is cut
    mccp2: bool = True  # offer MCCP2 compression on telnet
