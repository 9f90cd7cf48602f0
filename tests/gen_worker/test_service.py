"""The gen-worker service against a real Redis: jobs in, proposals out, control followed."""

from __future__ import annotations

import asyncio
import itertools

import msgspec
from redis.asyncio import Redis

from ouro_runtime.bus import Bus, read_dead_letters
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.messages import ControlCommand, DirectorMode, DirectorState, GenJob, LogKind
from ouro_schemas.payloads import PAYLOAD_MODELS
from ouro_schemas.proposal import ProposalState, ProposalType, TraceEntry
from tests.gen_worker.cases import PARAMS
from tests.gen_worker.conftest import StartWorker, drafts, logs, send_control
from tests.utils import wait_for


async def _count(redis: Redis, n: int) -> bool:
    return len(await drafts(redis)) >= n


async def test_jobs_become_drafted_proposals_with_a_trace(redis: Redis, start_worker: StartWorker) -> None:
    await start_worker()
    bus = Bus(redis)
    director = TraceEntry(stage="director", at=1.0, actor="director", verdict="ok", reason="rule fired")
    for i, ptype in enumerate(PARAMS):
        await bus.publish(names.GEN_JOBS, GenJob(id=f"job-{i}", type=ptype, seed=1000 + i, params=PARAMS[ptype],
                                                 rule="test.rule", trigger=f"ev-{i}", trace=[director]))
    await wait_for(lambda: _count(redis, len(PARAMS)), timeout=30, what="one draft per job")
    out = {p.id: p for p in await drafts(redis)}
    for i, ptype in enumerate(PARAMS):
        p = out[f"p-job-{i}"]
        assert p.state == ProposalState.DRAFTED and p.type == ptype and p.seed == 1000 + i
        assert p.trigger == f"ev-{i}" and p.job_id == f"job-{i}"
        PAYLOAD_MODELS[ptype].model_validate(p.payload)
        assert [t.stage for t in p.trace] == ["director", "gen-worker"]
        mine = p.trace[-1]
        assert mine.actor == "gw-test" and mine.verdict == "ok"
        assert mine.data["generator"] == p.generator.name and mine.data["version"] == p.generator.version
        assert mine.data["seed"] == 1000 + i and mine.data["duration_ms"] >= 0
    entries = [e for e in await logs(redis) if e.kind == LogKind.STATE]
    assert {e.proposal_id for e in entries} == set(out)
    assert all(e.rule == "test.rule" and e.service == "gen-worker" for e in entries)


async def test_bad_jobs_become_rejected_proposals_not_dead_letters(redis: Redis, start_worker: StartWorker) -> None:
    await start_worker()
    await redis.xadd(names.GEN_JOBS, {b"d": b'{"id": "job-unknown", "type": "DRAGON", "seed": 1}', b"k": b"a"})
    await redis.xadd(names.GEN_JOBS, {b"d": msgspec.json.encode(
        GenJob(id="job-threat", type=ProposalType.NPC, seed=1, params={"threat_level": 99})), b"k": b"b"})
    await redis.xadd(names.GEN_JOBS, {b"d": msgspec.json.encode(
        GenJob(id="job-good", type=ProposalType.EVENT, seed=1)), b"k": b"c"})
    await wait_for(lambda: _count(redis, 3), timeout=30, what="three proposals")
    out = {p.id: p for p in await drafts(redis)}
    assert out["p-job-unknown"].state == ProposalState.REJECTED
    assert "type: Invalid enum value 'DRAGON'" in out["p-job-unknown"].reason
    assert out["p-job-threat"].state == ProposalState.REJECTED
    assert out["p-job-threat"].reason == "params.threat_level: must be an integer 1-10, got 99"
    assert out["p-job-threat"].trace[-1].verdict == "rejected"
    assert out["p-job-good"].state == ProposalState.DRAFTED
    verdicts = {e.job_id: e.message for e in await logs(redis) if e.kind == LogKind.VERDICT}
    assert "params.threat_level: must be an integer 1-10, got 99" in verdicts["job-threat"]
    assert "DRAGON" in verdicts["job-unknown"]
    assert await read_dead_letters(redis, names.GEN_JOBS) == []
    assert (await redis.xpending(names.GEN_JOBS, names.GROUP_GEN_WORKER))["pending"] == 0


async def _paused(svc: Service, redis: Redis, counter: itertools.count[int]) -> bool:
    await send_control(redis, ControlCommand.STOP, next(counter))  # the watcher reads from "$": repeat
    await asyncio.sleep(0.05)
    return not any(c.active.is_set() for c in svc.consumers)


async def _resumed(svc: Service, redis: Redis, command: ControlCommand, counter: itertools.count[int]) -> bool:
    await send_control(redis, command, next(counter))
    await asyncio.sleep(0.05)
    return all(c.active.is_set() for c in svc.consumers)


async def test_stop_pauses_and_go_resumes(redis: Redis, start_worker: StartWorker) -> None:
    svc = await start_worker()
    counter = itertools.count()
    await wait_for(lambda: _paused(svc, redis, counter), timeout=10, what="paused by stop")
    await Bus(redis).publish(names.GEN_JOBS, GenJob(id="job-held", type=ProposalType.NPC, seed=3))
    await asyncio.sleep(1.0)  # an observation window: nothing may be drafted while stopped
    assert await drafts(redis) == []
    await wait_for(lambda: _resumed(svc, redis, ControlCommand.GO, counter), timeout=10, what="resumed by go")
    await wait_for(lambda: _count(redis, 1), timeout=15, what="the held job drafted after GO")
    controls = [e.message for e in await logs(redis) if e.kind == LogKind.CONTROL]
    assert any(m.startswith("stop:") for m in controls) and any(m.startswith("go:") for m in controls)


async def test_starts_paused_when_the_director_is_stopped(redis: Redis, start_worker: StartWorker) -> None:
    state = DirectorState(mode=DirectorMode.STOPPED, reason="emergency")
    await redis.set(names.DIRECTOR_STATE, msgspec.json.encode(state))
    await Bus(redis).publish(names.GEN_JOBS, GenJob(id="job-early", type=ProposalType.ITEM, seed=5))
    svc = await start_worker()
    assert not any(c.active.is_set() for c in svc.consumers)
    await asyncio.sleep(1.0)  # observation window
    assert await drafts(redis) == []
    assert any("started paused" in e.message for e in await logs(redis))
    await wait_for(lambda: _resumed(svc, redis, ControlCommand.RESUME, itertools.count()), timeout=10,
                   what="resumed")
    await wait_for(lambda: _count(redis, 1), timeout=15, what="the early job drafted after resume")


async def test_a_redelivered_job_gives_the_same_proposal(redis: Redis, start_worker: StartWorker) -> None:
    """The output id derives from the job id, and the draft from the seed: a redelivery is a duplicate
    the next stage dedupes (same key, same payload)."""
    await start_worker()
    job = GenJob(id="job-twice", type=ProposalType.QUEST, seed=42, params=PARAMS[ProposalType.QUEST])
    data = msgspec.json.encode(job)
    await redis.xadd(names.GEN_JOBS, {b"d": data, b"k": b"job-twice-1"})
    await redis.xadd(names.GEN_JOBS, {b"d": data, b"k": b"job-twice-2"})  # a different key: handled twice
    await wait_for(lambda: _count(redis, 2), timeout=30, what="two drafts")
    a, b = await drafts(redis)
    assert a.id == b.id == "p-job-twice"
    assert (a.payload, a.flavor, a.tags) == (b.payload, b.flavor, b.tags)
