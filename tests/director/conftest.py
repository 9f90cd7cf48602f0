"""Director fixtures: settings on a temp data dir, a fake clock, an in-process Director on real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_director.app import Director
from ouro_director.settings import DirectorSettings
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.messages import DirectorMode, DirectorState, EventKind, GenJob, LogEntry, QmTurn, WorldEvent


class FakeClock:
    """The director's clock seam: time moves only when a test says so."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> DirectorSettings:
    return DirectorSettings(redis_url=redis_url, data_dir=tmp_path / "data", hot_reload=False, instance="director-t",
                            http_port=0)


def running_state() -> DirectorState:
    return DirectorState(mode=DirectorMode.RUNNING)


@pytest.fixture
async def make_director(redis_url: str, clock: FakeClock) -> AsyncIterator[Any]:
    made: list[Service] = []

    def make(settings: DirectorSettings, state: DirectorState | None = None) -> Director:
        svc = Service(names.SERVICE_DIRECTOR, settings, redis=Redis.from_url(redis_url, socket_timeout=15))
        made.append(svc)
        director = Director(svc, settings, state or running_state(), clock=clock)
        director.wire()
        return director

    yield make
    for svc in made:
        await svc.redis.aclose()


_n = [0]


def ev(kind: EventKind, **kw: Any) -> WorldEvent:
    _n[0] += 1
    kw.setdefault("id", f"ev-{_n[0]}")
    kw.setdefault("at", 0.0)
    return WorldEvent(kind=kind, **kw)


async def read_stream(redis: Redis, stream: str, kind: type[Any]) -> list[Any]:
    rows = await redis.xrange(stream)
    return [msgspec.json.decode(fields[b"d"], type=kind) for _, fields in rows]


async def jobs(redis: Redis) -> list[GenJob]:
    return await read_stream(redis, names.GEN_JOBS, GenJob)


async def turns(redis: Redis) -> list[QmTurn]:
    return await read_stream(redis, names.QM_TURNS, QmTurn)


async def logs(redis: Redis) -> list[LogEntry]:
    return await read_stream(redis, names.LOG_DIRECTOR, LogEntry)
