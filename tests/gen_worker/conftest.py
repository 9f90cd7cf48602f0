"""A gen-worker service running in this process against the test Redis, and stream readers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_genworker.service import GenWorkerSettings, setup
from ouro_runtime.service import Service, make_redis
from ouro_schemas import names
from ouro_schemas.messages import ControlCommand, ControlMessage, LogEntry
from ouro_schemas.proposal import Proposal
from tests.utils import wait_for

StartWorker = Callable[..., Awaitable[Service]]


@pytest.fixture
async def start_worker(redis_url: str, tmp_path: Path) -> AsyncIterator[StartWorker]:
    """Start in-process gen-workers (serve(): consumers, control watcher); all stopped at teardown."""
    running: list[tuple[Service, asyncio.Task[None]]] = []

    async def start(instance: str = "gw-test") -> Service:
        settings = GenWorkerSettings(data_dir=tmp_path / "data", instance=instance, http_port=0,
                                     claim_idle_ms=1000)
        svc = Service(names.SERVICE_GEN_WORKER, settings, redis=make_redis(redis_url))
        task = asyncio.create_task(svc.serve(setup))
        running.append((svc, task))
        await wait_for(lambda: _ready(svc, task), timeout=15, what="gen-worker ready")
        return svc

    yield start
    for svc, task in running:
        svc.request_stop()
        await asyncio.wait_for(task, 15)


async def _ready(svc: Service, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()  # surface a start-up crash
    return svc.ready and all(c.ready.is_set() for c in svc.consumers)


async def drafts(redis: Redis) -> list[Proposal]:
    rows: Any = await redis.xrange(names.GEN_DRAFTS)
    return [msgspec.json.decode(fields[b"d"], type=Proposal) for _, fields in rows]


async def logs(redis: Redis, stream: str = names.LOG_WORKERS) -> list[LogEntry]:
    rows: Any = await redis.xrange(stream)
    return [msgspec.json.decode(fields[b"d"], type=LogEntry) for _, fields in rows]


async def send_control(redis: Redis, command: ControlCommand, n: int) -> None:
    msg = ControlMessage(id=f"ctl-{command.value}-{n}", command=command, at=0.0, issued_by="test")
    await redis.xadd(names.CONTROL, {b"d": msgspec.json.encode(msg)})
