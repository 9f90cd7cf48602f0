"""EngineSettings: the engine's own environment variables (prefix OURO_), on top of ServiceSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from ouro_runtime.settings import ServiceSettings
from ouro_schemas import names


class EngineSettings(ServiceSettings):
    # /healthz and /metrics (OURO_HTTP_PORT); 0 picks a free port.
    http_port: Annotated[int, Field(ge=0, le=65535)] = names.PORT_ENGINE_METRICS
    # The plain-TCP line server for players (OURO_TELNET_HOST/PORT); 0 picks a free port.
    telnet_host: str = "0.0.0.0"
    telnet_port: Annotated[int, Field(ge=0, le=65535)] = names.PORT_TELNET
    # Where data/base/<field>.json lives; empty = <data_dir>/base.
    base_dir: Path | None = None
    # The periodic tick (AI scheduling, combat rounds, regen, respawn, timers, flush) in Hz.
    tick_hz: Annotated[float, Field(gt=0, le=100)] = 10.0
    # World events leave (with everything dirty, in a flush between ticks) once the oldest waiting one that
    # is not routine (game.ROUTINE_EVENTS) is this old: the director hears of a district entered in ~this
    # long, not up to a tick later; 0: at ticks only.
    event_flush_ms: Annotated[float, Field(ge=0, le=10_000)] = 20.0
    combat_round_s: Annotated[float, Field(gt=0, le=60)] = 2.0  # one combat round per fight
    ai_min_s: Annotated[float, Field(gt=0, le=3600)] = 1.0  # each NPC acts every ai_min_s..ai_max_s
    ai_max_s: Annotated[float, Field(gt=0, le=3600)] = 3.0
    seed: int = 1  # the World's numpy RNG seed (fights, wandering, loot)
    edge_distance: Annotated[int, Field(ge=0, le=50)] = 2  # "near the edge" = within N moves of a growth point
    dead_end_window_s: Annotated[float, Field(gt=0)] = 600.0  # dead-end hits are counted over this window
    # Chunks (docs/engine.md "Chunks"): the 3×3 around each online player stay in memory (radius 1);
    # others unload when nobody wanted them for chunk_idle_s. chunk_unload=false keeps everything.
    chunk_radius: Annotated[int, Field(ge=1, le=4)] = 1
    chunk_idle_s: Annotated[float, Field(ge=0)] = 30.0
    chunk_unload: bool = True
    chunk_every_ticks: Annotated[int, Field(ge=1)] = 5  # how often the shell loads/unloads (in ticks)
    crowded_players: Annotated[int, Field(ge=2, le=10_000)] = 10  # players in a district = crowded
    quest_idle_s: Annotated[float, Field(gt=0)] = 300.0  # no quest action for N s = idle (unless the QM says)
    economy_every_ticks: Annotated[int, Field(ge=1)] = 600  # economy stats event period
    summary_every_ticks: Annotated[int, Field(ge=1)] = 50  # ouro:world:summary refresh period
    player_regen_per_s: Annotated[float, Field(ge=0)] = 1.0  # health regained per second out of combat
    max_line: Annotated[int, Field(ge=16, le=8192)] = 512  # longest accepted command line (bytes)
    argon2_time_cost: Annotated[int, Field(ge=1, le=10)] = 2
    argon2_memory_kib: Annotated[int, Field(ge=1024, le=1_048_576)] = 19_456

    def resolved_base_dir(self) -> Path:
        return self.base_dir if self.base_dir is not None else self.data_dir / "base"
