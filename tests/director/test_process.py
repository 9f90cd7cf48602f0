"""The real process: `python -m ouro_director` comes back paused after a restart, and decides nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_runtime.bus import Bus
from ouro_schemas import names
from ouro_schemas.messages import (
    ControlCommand,
    ControlMessage,
    DirectorMode,
    DirectorState,
    EventKind,
    LogEntry,
    LogKind,
)
from tests.director.conftest import ev, jobs, logs
from tests.utils import wait_for

pytestmark = pytest.mark.slow


@contextmanager
def director_process(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    log_path = Path(env["OURO_DATA_DIR"]).parent / "director.out"
    with log_path.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ouro_director"], env=env, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def mode(redis: Redis) -> DirectorMode | None:
    raw = await redis.get(names.DIRECTOR_STATE)
    return msgspec.json.decode(raw, type=DirectorState).mode if raw else None


async def send_until(redis: Redis, command: ControlCommand, want: DirectorMode) -> None:
    """Control is a broadcast read from '$': re-send until the process has seen it (it may still be starting)."""
    bus = Bus(redis)

    async def seen() -> bool:
        if await mode(redis) is want:
            return True
        await bus.publish(names.CONTROL, ControlMessage(id=f"c-{time.monotonic_ns()}", command=command, at=time.time(),
                                                        issued_by="test"))
        return False

    await wait_for(seen, timeout=30, interval=0.5, what=f"director {want.value}")


async def test_pause_survives_a_real_restart(redis: Redis, service_env: dict[str, str]) -> None:
    env = {**service_env, "OURO_HOT_RELOAD": "false", "OURO_QM_CHECK_INTERVAL_S": "0.2"}
    await redis.sadd(names.WORLD_ROOM_INDEX, "docks-1")  # a room for the merchant to stand in
    await redis.set(names.WORLD_ROOM + "docks-1", json.dumps({"id": "docks-1", "district_id": "docks", "x": 1, "y": 1}))
    with director_process(env) as proc:
        await send_until(redis, ControlCommand.GO, DirectorMode.RUNNING)
        await send_until(redis, ControlCommand.PAUSE, DirectorMode.PAUSED)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert await mode(redis) is DirectorMode.PAUSED

    with director_process(env):
        async def restarted() -> bool:
            return any("director started paused (restored)" in e.message for e in await logs(redis))

        await wait_for(restarted, timeout=30, what="the restart log line")
        await Bus(redis).publish(names.WORLD_EVENTS, ev(EventKind.ECONOMY_STATS, id="after-restart",
                                                        district_id="docks", data={"inflation": 0.5}))

        async def declined() -> bool:
            return any(e.kind is LogKind.NO_ACTION and e.event_id == "after-restart" and e.data["reason"] == "paused"
                       for e in await logs(redis))

        await wait_for(declined, timeout=30, what="the paused no-action line")
        assert await jobs(redis) == [] and await mode(redis) is DirectorMode.PAUSED
        # Resumed, the same kind of event now becomes a job: it was the pause, not a broken director.
        await send_until(redis, ControlCommand.RESUME, DirectorMode.RUNNING)
        await Bus(redis).publish(names.WORLD_EVENTS, ev(EventKind.ECONOMY_STATS, id="after-resume",
                                                        district_id="docks", data={"inflation": 0.5}))

        async def one_job() -> bool:
            return any(j.trigger == "after-resume" for j in await jobs(redis))

        await wait_for(one_job, timeout=30, what="a job after resume")
        # Emergency STOP: from the moment the state says stopped, nothing leaves.
        await send_until(redis, ControlCommand.STOP, DirectorMode.STOPPED)
        before = len(await jobs(redis))
        await Bus(redis).publish(names.WORLD_EVENTS, ev(EventKind.ECONOMY_STATS, id="after-stop",
                                                        district_id="docks", data={"inflation": 0.9}))

        async def refused() -> bool:
            return any(e.event_id == "after-stop" and e.data.get("reason") == "stopped" for e in await logs(redis))

        await wait_for(refused, timeout=30, what="the stopped no-action line")
        assert len(await jobs(redis)) == before


async def test_a_sigkilled_director_comes_back_with_its_expansion_in_flight(redis: Redis,
                                                                            service_env: dict[str, str]) -> None:
    env = {**service_env, "OURO_HOT_RELOAD": "false", "OURO_QM_CHECK_INTERVAL_S": "0.2"}
    bus = Bus(redis)

    def edge(i: int, room: str) -> object:
        return ev(EventKind.PLAYER_NEAR_EDGE, id=f"edge-{i}", player_id="p1", room_id=room, data={"direction": "n"})

    with director_process(env) as proc:
        await send_until(redis, ControlCommand.GO, DirectorMode.RUNNING)
        await bus.publish(names.WORLD_EVENTS, edge(1, "r1"))

        async def one_block() -> bool:
            return len(await jobs(redis)) == 1

        await wait_for(one_block, timeout=30, what="the first block job")
        [first] = await jobs(redis)
        proc.send_signal(signal.SIGKILL)  # no goodbye: what it remembers is what it had written
        proc.wait(timeout=10)
    with director_process(env) as proc:
        async def restarted() -> bool:
            return any("director started running" in e.message and f"expansion {first.id} in flight" in e.message
                       for e in await logs(redis))

        await wait_for(restarted, timeout=30, what="the restart line naming the expansion in flight")
        await bus.publish(names.WORLD_EVENTS, edge(2, "r2"))

        async def declined() -> bool:
            return any(e.event_id == "edge-2" and e.data.get("reason") == "expansion_in_flight"
                       for e in await logs(redis))

        await wait_for(declined, timeout=30, what="the second block declined: one expansion is in flight")
        assert [j.id for j in await jobs(redis)] == [first.id]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    # The gate rejects the block while the director is down: the restarted one reads that line too.
    rejected = LogEntry(at=time.time(), service="publisher", instance="publisher", kind=LogKind.VERDICT,
                        message=f"proposal p-{first.id} rejected: integrity", proposal_id=f"p-{first.id}",
                        job_id=first.id, data={"type": "BLOCK", "state": "rejected"})
    await redis.xadd(names.LOG_PROPOSALS, {"d": msgspec.json.encode(rejected)})
    with director_process(env):
        async def freed() -> bool:
            return any(f"expansion p-{first.id} rejected; slot freed" in e.message for e in await logs(redis))

        await wait_for(freed, timeout=30, what="the slot freed by the rejection logged during the downtime")
        await bus.publish(names.WORLD_EVENTS, edge(3, "r3"))

        async def second_block() -> bool:
            return len(await jobs(redis)) == 2

        await wait_for(second_block, timeout=30, what="a block at another growth point")
