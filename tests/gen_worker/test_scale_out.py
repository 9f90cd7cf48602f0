"""Two real `python -m ouro_genworker` processes in one consumer group share the jobs, none doubled."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from ouro_runtime.bus import Bus
from ouro_schemas import names
from ouro_schemas.messages import GenJob
from ouro_schemas.proposal import ProposalState, ProposalType
from tests.gen_worker.cases import PARAMS
from tests.gen_worker.conftest import drafts
from tests.utils import wait_for

JOBS = 240


async def _consumers(redis: Redis) -> set[str]:
    try:
        rows: Any = await redis.xinfo_consumers(names.GEN_JOBS, names.GROUP_GEN_WORKER)
    except Exception:  # stream or group not created yet
        return set()
    return {r["name"].decode() if isinstance(r["name"], bytes) else r["name"] for r in rows}


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_two_processes_share_the_jobs_and_none_is_doubled(redis: Redis, service_env: dict[str, str],
                                                                tmp_path: Path) -> None:
    procs = []
    logs = [tmp_path / f"gen-worker-{i}.log" for i in (1, 2)]
    try:
        for i in (1, 2):
            env = {**service_env, "OURO_INSTANCE": f"gen-worker-{i}"}
            with logs[i - 1].open("wb") as err:  # the child keeps its own handle
                procs.append(await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "ouro_genworker", env=env, stdout=subprocess.DEVNULL, stderr=err))

        async def both_reading() -> bool:
            for p, log in zip(procs, logs, strict=True):
                assert p.returncode is None, log.read_text()[-2000:]
            return await _consumers(redis) == {"gen-worker-1", "gen-worker-2"}

        await wait_for(both_reading, timeout=60, what="both gen-workers reading gen.jobs")
        bus = Bus(redis)
        types = [ProposalType.NPC, ProposalType.ITEM, ProposalType.EVENT, ProposalType.QUEST]
        for chunk in range(0, JOBS, 8):
            await bus.publish_many(names.GEN_JOBS, [
                GenJob(id=f"job-{n}", type=types[n % 4], seed=n, params=PARAMS[types[n % 4]])
                for n in range(chunk, chunk + 8)
            ])

        async def all_drafted() -> bool:
            return len(await drafts(redis)) >= JOBS

        await wait_for(all_drafted, timeout=120, what=f"{JOBS} drafts")
        out = await drafts(redis)
        ids = Counter(p.id for p in out)
        assert len(out) == JOBS and set(ids) == {f"p-job-{n}" for n in range(JOBS)}, "a job was doubled or lost"
        assert all(p.state == ProposalState.DRAFTED for p in out)
        by_actor = Counter(p.trace[-1].actor for p in out)
        assert set(by_actor) == {"gen-worker-1", "gen-worker-2"}, by_actor
        assert min(by_actor.values()) >= JOBS // 10, by_actor  # both did a real share
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            assert await asyncio.wait_for(p.wait(), 30) == 0
