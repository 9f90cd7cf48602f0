"""The service shell on real Redis: controls, auto-snapshot, STOP at the last moment, slots, storm, logs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_director import app as app_module
from ouro_director.app import load_state
from ouro_director.settings import DirectorSettings
from ouro_runtime import snapshots
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
    PatchResult,
    PatchStatus,
)
from ouro_schemas.proposal import ProposalType as T
from tests.director.conftest import FakeClock, ev, jobs, logs

K = EventKind


def ctl(command: ControlCommand, **args: object) -> ControlMessage:
    return ControlMessage(id=f"c-{command}", command=command, at=0.0, args=dict(args), issued_by="test")


def edge(i: int, room: str = "r1") -> object:
    return ev(K.PLAYER_NEAR_EDGE, id=f"edge-{i}", player_id="p1", room_id=room, data={"direction": "n"})


async def test_go_snapshots_first_then_runs_and_state_persists(redis: Redis, settings: DirectorSettings,
                                                                make_director) -> None:  # type: ignore[no-untyped-def]
    await redis.set(names.WORLD_ROOM + "spawn", "{}")
    d = make_director(settings, DirectorState())
    assert d.state.mode is DirectorMode.IDLE
    await d.on_event(ev(K.ECONOMY_STATS, data={"inflation": 0.5}))
    assert await jobs(redis) == []  # idle until GO
    await d.on_control(ctl(ControlCommand.GO))
    [snap] = snapshots.list_snapshots(settings.data_dir)
    assert snap.label == "go" and snap.key_count == 1
    state, why = await load_state(redis)
    assert state.mode is DirectorMode.RUNNING and why == "restored" and snap.id in state.reason
    messages = [e.message for e in await logs(redis)]
    assert messages.index(next(m for m in messages if "snapshot" in m and "GO" in m)) < \
        messages.index(next(m for m in messages if "idle -> running" in m))
    await d.on_control(ctl(ControlCommand.PAUSE))
    assert (await load_state(redis))[0].mode is DirectorMode.PAUSED
    await d.on_control(ctl(ControlCommand.RESUME))
    assert (await load_state(redis))[0].mode is DirectorMode.RUNNING
    await d.on_control(ctl(ControlCommand.STOP))
    await d.on_control(ctl(ControlCommand.RESUME))  # only GO starts a stopped director
    assert (await load_state(redis))[0].mode is DirectorMode.STOPPED


async def test_sliders_and_toggles_over_control(redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    await d.on_control(ctl(ControlCommand.SET_SLIDERS, aggression=0.9))
    await d.on_control(ctl(ControlCommand.SET_SLIDERS, chaos=7))  # out of range: refused
    await d.on_control(ctl(ControlCommand.SET_TOGGLES, require_approval=True, require_approval_types=["BLOCK"]))
    state, _ = await load_state(redis)
    assert (state.sliders.aggression, state.sliders.chaos) == (0.9, 0.3)
    assert state.toggles.require_approval and state.toggles.require_approval_types == [T.BLOCK]
    assert any(e.kind is LogKind.ERROR and "set_sliders refused" in e.message for e in await logs(redis))


async def test_high_risk_job_waits_for_snapshot_and_carries_it(redis: Redis, settings: DirectorSettings,
                                                               make_director) -> None:  # type: ignore[no-untyped-def]
    await redis.set(names.WORLD_ROOM + "r1", json.dumps({"id": "r1"}))
    d = make_director(settings)
    await d.on_event(edge(1))
    [job] = await jobs(redis)
    assert job.high_risk and job.type in (T.BLOCK, T.WORLD_EXPANSION) and job.snapshot_id
    assert snapshots.verify_snapshot(settings.data_dir, job.snapshot_id).ok
    assert snapshots.load_manifest(settings.data_dir, job.snapshot_id).label.startswith(f"auto before {job.id}")
    [decision] = [e for e in await logs(redis) if e.kind is LogKind.DECISION]
    assert decision.job_id == job.id and decision.data["snapshot_id"] == job.snapshot_id
    assert decision.data["trace"]["rule"] == "edge_expansion"
    lines = (Path(settings.data_dir) / "logs" / "log.director.jsonl").read_text().splitlines()
    assert any(msgspec.json.decode(line, type=LogEntry).job_id == job.id for line in lines)


async def test_high_risk_jobs_share_a_recent_snapshot(redis: Redis, settings: DirectorSettings, make_director,
                                                      clock) -> None:  # type: ignore[no-untyped-def]
    """A storm of high-risk work snapshots the world once per `auto_snapshot_min_interval_s`, not per job."""
    d = make_director(settings.model_copy(update={"auto_snapshot_min_interval_s": 60.0}))

    def boss_killed(i: int, district: str) -> object:
        return ev(K.NPC_KILLED, id=f"boss-{i}", player_id=f"p{i}", room_id="r1", district_id=district,
                  data={"boss": True, "npc_id": f"boss-{i}"})

    await d.on_event(boss_killed(1, "docks"))
    clock.advance(30)
    await d.on_event(boss_killed(2, "slums"))
    first, second = await jobs(redis)
    assert first.high_risk and second.high_risk and first.snapshot_id and second.snapshot_id == first.snapshot_id
    clock.advance(31)
    await d.on_event(boss_killed(3, "spires"))
    third = (await jobs(redis))[2]
    assert third.snapshot_id and third.snapshot_id != first.snapshot_id
    assert d.snapshots_taken == [first.snapshot_id, third.snapshot_id]


async def test_stop_read_during_the_snapshot_means_the_job_never_leaves(
        redis: Redis, settings: DirectorSettings, make_director, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    real = snapshots.create_snapshot

    async def slow_snapshot(*a, **kw):  # type: ignore[no-untyped-def]
        manifest = await real(*a, **kw)
        await d.on_control(ctl(ControlCommand.STOP))  # the STOP arrives while the job waits
        return manifest

    monkeypatch.setattr(app_module.snapshots, "create_snapshot", slow_snapshot)
    await d.on_event(edge(1))
    assert await jobs(redis) == []
    assert d.core.gate.current is None  # the slot is not held by a job that never left
    assert any(e.data.get("reason") == "stopped" and "before publish" in e.message for e in await logs(redis))
    monkeypatch.setattr(app_module.snapshots, "create_snapshot", real)
    await d.on_event(ev(K.ECONOMY_STATS, data={"inflation": 0.5}))  # and nothing after it either
    assert await jobs(redis) == []


async def test_expansion_slot_freed_by_patch_result_or_rejection(redis: Redis, settings: DirectorSettings,
                                                                 make_director, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings.model_copy(update={"jobs_burst": 50}))
    await d.on_event(edge(1, "r1"))
    await d.on_event(edge(2, "r2"))
    [first] = await jobs(redis)
    assert any(e.data.get("reason") == "expansion_in_flight" for e in await logs(redis))
    # The PatchResult arrives on world.applied, through the director's consumer group.
    bus = Bus(redis)
    await bus.publish(names.WORLD_APPLIED, PatchResult(patch_id=f"p-{first.id}", proposal_id=f"p-{first.id}",
                                                       status=PatchStatus.APPLIED), key="r-1")
    applied = next(c for c in d.svc.consumers if c.stream == names.WORLD_APPLIED)
    assert await applied.run_burst() == 1
    clock.advance(1)
    await d.on_event(edge(3, "r3"))
    second = (await jobs(redis))[1]
    # Rejected by the gate (log.proposals) also frees it.
    await d.on_proposal_log(LogEntry(at=0, service="publisher", instance="p", kind=LogKind.STATE,
                                     message="rejected: integrity", proposal_id=f"p-{second.id}",
                                     data={"state": "rejected"}))
    assert d.core.gate.current is None


async def test_a_throttle_rejection_on_the_log_pauses_that_type(redis: Redis, settings: DirectorSettings,
                                                                make_director, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings.model_copy(update={"jobs_burst": 50, "gate_throttle_pause_s": 30}))
    watcher = asyncio.create_task(d.watch_proposal_log())
    try:
        await asyncio.sleep(0.2)  # the watcher reads from "$": let it start
        await d.on_event(edge(1, "r1"))
        [first] = await jobs(redis)
        # The publisher's line for a proposal the gate rejected by its per-minute throttle, as it writes it.
        rejected = LogEntry(at=0, service="publisher", instance="publisher", kind=LogKind.VERDICT,
                            message=f"proposal p-{first.id} rejected: throttle.per_minute: BLOCK proposals per "
                                    "minute exhausted (value 11, limit 10)", proposal_id=f"p-{first.id}",
                            job_id=first.id,
                            data={"type": "BLOCK", "state": "rejected",
                                  "verdicts": [{"rule": "schema.payload", "ok": True},
                                               {"rule": "throttle.per_minute", "ok": False, "value": 11,
                                                "limit": 10}]})
        await redis.xadd(names.LOG_PROPOSALS, {"d": msgspec.json.encode(rejected)})
        for _ in range(100):
            if d.core.gate.current is None and any(e.rule == "gate_throttle" for e in await logs(redis)):
                break
            await asyncio.sleep(0.02)
        pause = next(e for e in await logs(redis) if e.rule == "gate_throttle")
        assert pause.data == {"type": "BLOCK", "gate_rule": "throttle.per_minute", "pause_s": 30}
        clock.advance(1)
        await d.on_event(edge(2, "r2"))  # the slot is free, but the gate said no more BLOCKs for now
        assert len(await jobs(redis)) == 1
        assert any(e.data.get("reason") == "gate_throttle" for e in await logs(redis))
        clock.advance(30)
        await d.on_event(edge(3, "r3"))
        assert [j.type for j in await jobs(redis)] == [T.BLOCK, T.BLOCK]
    finally:
        watcher.cancel()


async def test_storm_through_redis_obeys_throttles(redis: Redis, settings: DirectorSettings, make_director,
                                                   clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    summary = {"districts": {f"d{i}": {"npcs": 0, "quests_open": 0, "quests_done": 1, "has_hq": False,
                                      "faction_id": "f"} for i in range(10)}, "economy": {"inflation": 0.2},
               "growth_points": [{"room_id": f"g{i}", "direction": "n", "x": i, "y": 0} for i in range(10)]}
    await redis.set(names.WORLD_SUMMARY, json.dumps(summary))
    d = make_director(settings.model_copy(update={"jobs_per_minute": 30, "jobs_burst": 5}))
    kinds = [K.PLAYER_NEAR_EDGE, K.NPC_KILLED, K.ECONOMY_STATS, K.DISTRICT_CROWDED, K.DEAD_END_HIT,
             K.PLAYER_ENTERED_DISTRICT, K.QUEST_COMPLETED]
    bus = Bus(redis)
    events = [ev(kinds[i % 7], id=f"st-{i}", player_id=f"p{i % 30}", district_id=f"d{i % 10}", room_id=f"g{i % 10}",
                 data={"boss": True, "population": 50, "direction": "n", "hits": 5}) for i in range(10_000)]
    for start in range(0, len(events), 1000):
        await bus.publish_many(names.WORLD_EVENTS, events[start:start + 1000])
    consumer = next(c for c in d.svc.consumers if c.stream == names.WORLD_EVENTS)
    assert await consumer.run_burst() == 10_000  # the fake clock stands still: all in "one second"
    got = await jobs(redis)
    assert 0 < len(got) <= 5
    assert sum(j.type in (T.BLOCK, T.WORLD_EXPANSION) for j in got) <= 1
    assert d.core.counters["events"] == 10_000 and sum(d.core.suppressed.values()) > 9_000


async def test_restricted_generation_reads_glitch_doors(redis: Redis, settings: DirectorSettings,
                                                        make_director) -> None:  # type: ignore[no-untyped-def]
    await redis.sadd(names.WORLD_ROOM_INDEX, "a1", "b1")
    await redis.set(names.WORLD_ROOM + "a1", json.dumps({"id": "a1", "district_id": "a", "glitch_door": True}))
    await redis.set(names.WORLD_ROOM + "b1", json.dumps({"id": "b1", "district_id": "b"}))
    d = make_director(settings)
    await d.on_control(ctl(ControlCommand.SET_TOGGLES, restricted_generation=True))
    await d.on_event(ev(K.ECONOMY_STATS, district_id="b", data={"inflation": 0.5}))
    assert await jobs(redis) == []
    assert any(e.data.get("reason") == "restricted" for e in await logs(redis))
    await d.on_event(ev(K.ECONOMY_STATS, district_id="a", data={"inflation": 0.5}))
    [job] = await jobs(redis)
    assert job.params["district_id"] == "a"


async def seed_rooms(redis: Redis, rooms: list[dict]) -> None:  # type: ignore[type-arg]
    for room in rooms:
        await redis.sadd(names.WORLD_ROOM_INDEX, room["id"])
        await redis.set(names.WORLD_ROOM + room["id"], json.dumps(room))


async def test_jobs_get_sites_from_the_world(redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    # Docks: a 2x1 street; the west street room is hemmed in on n/s/w by other rooms.
    await seed_rooms(redis, [
        {"id": "d-0", "district_id": "docks", "kind": "street", "x": 0, "y": 0},
        {"id": "d-1", "district_id": "docks", "kind": "street", "x": 1, "y": 0},
        {"id": "w-n", "district_id": "west", "kind": "street", "x": 0, "y": 1},
        {"id": "w-s", "district_id": "west", "kind": "street", "x": 0, "y": -1},
        {"id": "w-w", "district_id": "west", "kind": "street", "x": -1, "y": 0},
        {"id": "shop", "district_id": "docks", "kind": "shop", "x": 2, "y": 0, "building_id": "b1"},
    ])
    summary = {"districts": {"docks": {"has_hq": False, "faction_id": "tide"}}}
    await redis.set(names.WORLD_SUMMARY, json.dumps(summary))
    d = make_director(settings.model_copy(update={"jobs_burst": 10}))
    await d.on_event(ev(K.PLAYER_ENTERED_DISTRICT, player_id="p1", district_id="docks", room_id="d-0"))
    [hq] = [j for j in await jobs(redis) if j.rule == "faction_hq"]
    p = hq.params
    assert p["street_room_id"] in ("d-0", "d-1") and p["storefront"] == "hq" and p["aggression"] == 0.3
    entrance = (p["x"] + {"n": 0, "s": 0, "e": 1, "w": -1, "u": 0}[p["direction"]],
                p["y"] + {"n": 1, "s": -1, "e": 0, "w": 0, "u": 0}[p["direction"]], p["z"] + (p["direction"] == "u"))
    taken = {(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, -1, 0), (-1, 0, 0), (2, 0, 0)}
    assert entrance not in taken and [0, 0, 0] in p["occupied"]
    # A merchant needs a room to stand in; a district with no rooms gets no merchant (and says why).
    await d.on_event(ev(K.ECONOMY_STATS, district_id="docks", data={"inflation": 0.3}))
    [npc] = [j for j in await jobs(redis) if j.rule == "gold_sink"]
    assert npc.params["spawn_room_id"] in ("d-0", "d-1", "shop")
    d.core.cooldowns = type(d.core.cooldowns)()
    await d.on_event(ev(K.ECONOMY_STATS, district_id="nowhere", data={"inflation": 0.3}))
    assert any(e.data.get("reason") == "no_site" for e in await logs(redis))


async def test_forced_major_event_after_quiet_with_snapshot(redis: Redis, settings: DirectorSettings,  # type: ignore[no-untyped-def]
                                                           make_director, clock: FakeClock) -> None:
    await redis.sadd(names.WORLD_PLAYERS_ONLINE, "p1")
    d = make_director(settings.model_copy(update={"forced_event_quiet_s": 600.0}))
    await d.check_once()
    assert await jobs(redis) == []
    clock.advance(601)
    await d.check_once()
    [job] = await jobs(redis)
    assert job.rule == "forced_major_event" and job.type is T.EVENT and job.snapshot_id
    assert job.trace[0].data["event_kind"] == "tick"
    clock.advance(10)
    await d.check_once()
    assert len(await jobs(redis)) == 1
