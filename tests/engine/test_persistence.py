"""Persistence against real Redis: flush every change, rebuild exactly, patches through the loop."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from ouro_engine import components as k
from ouro_engine import persistence
from ouro_engine.engine import Engine
from ouro_engine.sessions import MemorySession
from ouro_engine.settings import EngineSettings
from ouro_schemas import messages as m
from ouro_schemas import names
from tests.engine.conftest import signed
from tests.engine.test_patches import good_ops, snapshot

VOLATILE = {names.WORLD_META, names.WORLD_SUMMARY}


async def dump(redis: Redis) -> dict[str, Any]:
    """Every world key, decoded, except the tick counter and the summary."""
    out: dict[str, Any] = {}
    async for raw_key in redis.scan_iter(match=names.WORLD_PREFIX + "*"):
        key = raw_key.decode()
        if key in VOLATILE:
            continue
        kind = (await redis.type(key)).decode()
        if kind == "string":
            out[key] = json.loads(await redis.get(key))
        elif kind == "set":
            out[key] = sorted(v.decode() for v in await redis.smembers(key))
        elif kind == "hash":
            out[key] = {a.decode(): b.decode() for a, b in (await redis.hgetall(key)).items()}
    return out


async def test_fresh_world_is_seeded_then_restored_exactly(redis: Redis, settings: EngineSettings) -> None:
    engine = Engine(settings, redis)
    await engine.start()
    assert await redis.sismember(names.WORLD_ROOM_INDEX, "spawn")
    session = MemorySession()
    engine.hub.attach(session, "player:ann", "Ann")
    for line in ("n", "buy pipe", "equip pipe", "s", "quest accept q-rats", "e", "attack rat"):
        engine.core.execute("player:ann", line)
    assert (await asyncio.wait_for(engine.submit_patch_now(signed(settings, "p-1", good_ops())), 5)).status \
        == m.PatchStatus.APPLIED
    await engine.flush(summary=True)
    stored = await dump(redis)
    summary = json.loads(await redis.get(names.WORLD_SUMMARY))
    assert summary["districts"]["slums"]["players"] == 1 and "bounds" in summary
    entity = json.loads(await redis.get(names.WORLD_ENTITY + "player:ann"))
    assert entity["kind"] == "player" and entity["room_id"] == "alley" and entity["wallet"]["credits"] < 100

    again = Engine(settings, redis)
    await again.start()
    live_before = snapshot(engine.core)
    assert "player:ann" in live_before["entities"]
    restored = snapshot(again.core)
    for rid in live_before["rooms"]:
        assert restored["rooms"][rid] == live_before["rooms"][rid], rid
    assert restored == live_before
    assert again.core.game.world.rng.bit_generator.state == engine.core.game.world.rng.bit_generator.state
    await again.flush()
    after = await dump(redis)
    stored.pop(names.WORLD_PLAYERS_ONLINE, None)
    after.pop(names.WORLD_PLAYERS_ONLINE, None)
    for d in (stored, after):
        d.pop(names.WORLD_DISTRICTS, None)  # population: nobody is connected after a restart
    assert after == stored


async def test_patch_through_the_loop_is_durable_before_its_result(redis: Redis, settings: EngineSettings) -> None:
    engine = Engine(settings, redis)
    await engine.start()
    runner = asyncio.create_task(engine.run())
    try:
        result = await asyncio.wait_for(engine.submit_patch(signed(settings, "p-1", good_ops())), 10)
        assert result.status == m.PatchStatus.APPLIED
        assert await redis.exists(names.WORLD_ENTITY + "p-1:0")
        assert await redis.hexists(names.WORLD_APPLIED_PATCHES, "p-1")
        rows = await redis.xrange(names.WORLD_APPLIED)
        assert any(b'"p-1"' in fields[b"d"] for _, fields in rows)
        # a second engine over the same Redis knows the patch was applied: once
        engine.stop()
        await runner
        again = Engine(settings, redis)
        await again.start()
        assert again.core.patcher.apply(signed(settings, "p-1", good_ops())).status == m.PatchStatus.APPLIED
        assert again.core.game.world.comp("p-1:0", k.Identity).template_id == "rat-king"
        assert len([e for e in again.core.game.world.entities() if e.startswith("p-1:")]) == 1
    finally:
        engine.stop()
        if not runner.done():
            await runner


async def test_a_burst_of_patches_is_applied_in_order_in_passes_within_the_budget(
        redis: Redis, settings: EngineSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Patches queued together are applied in stream order in one pass and made durable by one flush; over
    the time budget the rest go in the next passes (the loop serves other work in between), still in
    order, each result only once its flush is done."""
    from ouro_engine import engine as engine_module

    engine = Engine(settings.model_copy(update={"tick_hz": 0.5, "event_flush_ms": 0.0}), redis)
    await engine.start()
    game = engine.core.game
    flushes: list[list[str]] = []  # per flush: the spawned entities it wrote
    real = persistence.write

    async def counted(client: Redis, batch: list[persistence.Write]) -> None:
        flushes.append(sorted(a[0].removeprefix(names.WORLD_ENTITY) for w, a in batch
                              if w == "set" and a[0].startswith(names.WORLD_ENTITY + "b")))
        await real(client, batch)

    monkeypatch.setattr(persistence, "write", counted)

    def spawn(n: int) -> m.Patch:
        return signed(settings, f"b{n}", [m.Spawn(template_id="rat", room_id="alley", entity_ids=[f"b{n}:0"])])

    def observed() -> dict[str, float]:
        return {stage: REGISTRY.get_sample_value("ouro_engine_patch_seconds_count", {"stage": stage}) or 0.0
                for stage in ("waited", "read", "applied", "durable")}

    before = observed()
    runner = asyncio.create_task(engine.run())
    try:
        results = await asyncio.wait_for(engine.submit_patches([spawn(n) for n in range(6)]), 10)
        assert [r.status for r in results] == [m.PatchStatus.APPLIED] * 6
        assert [f for f in flushes if f] == [[f"b{n}:0" for n in range(6)]]  # one pass, one flush

        monkeypatch.setattr(engine_module, "APPLY_BUDGET_S", 0.0)  # one patch per pass from here
        seen: list[int] = []  # how many of the burst were in the world each time the loop let us run

        async def watch() -> None:
            while True:
                seen.append(sum(game.world.exists(f"b{n}:0") for n in range(6, 10)))
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        flushes.clear()
        results = await asyncio.wait_for(engine.submit_patches([spawn(n) for n in range(6, 10)]), 10)
        watcher.cancel()
        assert [r.status for r in results] == [m.PatchStatus.APPLIED] * 4
        assert [f for f in flushes if f] == [[f"b{n}:0"] for n in range(6, 10)]  # in order, one per pass
        assert {1, 2, 3} <= set(seen)  # the loop ran other work between the passes
        assert await redis.exists(*(names.WORLD_ENTITY + f"b{n}:0" for n in range(10))) == 10
        after = observed()  # each stage timed once per patch, deferred ones too
        assert {stage: after[stage] - before[stage] for stage in after} == dict.fromkeys(after, 10.0)
    finally:
        engine.stop()
        await runner


async def test_a_big_block_is_prepared_in_slices_and_lands_whole(
        redis: Redis, settings: EngineSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 400-room block: its rooms are validated in slices while the loop serves other work, then it is
    checked and applied in one pass — nobody ever sees part of it — and written by one flush."""
    from ouro_engine.patches import prepare
    from tests.engine.growth_support import road_ops

    engine = Engine(settings.model_copy(update={"tick_hz": 0.5, "event_flush_ms": 0.0}), redis)
    await engine.start()
    game = engine.core.game
    ids = [f"road-{i}" for i in range(400)]
    writes_with_road: list[int] = []
    real = persistence.write

    async def counted(client: Redis, batch: list[persistence.Write]) -> None:
        n = sum(1 for w, a in batch if w == "set" and a[0].startswith(names.WORLD_ROOM + "road-"))
        if n:
            writes_with_road.append(n)
        await real(client, batch)

    monkeypatch.setattr(persistence, "write", counted)
    validated = []
    real_validate = prepare.validate_room
    monkeypatch.setattr(prepare, "validate_room", lambda d, i: validated.append(i) or real_validate(d, i))
    seen: list[tuple[int, int]] = []  # (rooms validated so far, rooms of the block in the map)

    async def watch() -> None:
        while True:
            seen.append((len(validated), sum(rid in game.map.rooms for rid in ids)))
            await asyncio.sleep(0)

    runner = asyncio.create_task(engine.run())
    watcher = asyncio.create_task(watch())
    try:
        patch = signed(settings, "p-road", road_ops("dead-end", "e", (3, 0), 400, "slums", "road"))
        result = await asyncio.wait_for(engine.submit_patch(patch), 10)
        assert result.status == m.PatchStatus.APPLIED, result.reason
    finally:
        watcher.cancel()
        engine.stop()
        await runner
    assert {n for _, n in seen} <= {0, 400}  # all of it or none of it, whenever the loop looked
    partly = {v for v, n in seen if 0 < v < 400}
    assert len(partly) >= 400 // prepare.SLICE - 1  # the loop ran between the slices
    assert writes_with_road == [400]  # one flush wrote the block
    assert await redis.scard(names.WORLD_ROOM_INDEX) >= 400


async def test_world_events_reach_the_stream(redis: Redis, settings: EngineSettings) -> None:
    engine = Engine(settings, redis)
    await engine.start()
    engine.hub.attach(MemorySession(), "player:ann", "Ann")
    engine.core.execute("player:ann", "e")
    await engine.flush()
    rows = await redis.xrange(names.WORLD_EVENTS)
    kinds = [json.loads(fields[b"d"])["kind"] for _, fields in rows]
    assert "player_entered_room" in kinds and "player_connected" in kinds


@pytest.mark.parametrize("flush_ms", [20.0, 0.0])
async def test_events_leave_between_ticks_with_their_state(redis: Redis, settings: EngineSettings,
                                                           flush_ms: float) -> None:
    """A world event the director reacts to (a district entered) waits at most `event_flush_ms` for its
    flush, with the state it describes and the routine events before it, not for the next tick; routine
    events alone (a move inside a district) wait for the tick; with 0 everything waits for the tick.
    The tick here is 2 s away."""
    engine = Engine(settings.model_copy(update={"tick_hz": 0.5, "event_flush_ms": flush_ms}), redis)
    await engine.start()
    runner = asyncio.create_task(engine.run())
    loop = asyncio.get_running_loop()

    async def kinds() -> list[str]:
        return [json.loads(f[b"d"])["kind"] for _, f in await redis.xrange(names.WORLD_EVENTS)]

    async def arrived(kind: str, sent: float, n: int = 1) -> float:
        while (await kinds()).count(kind) < n:  # noqa: ASYNC110 (polling Redis: nothing to wait on)
            await asyncio.sleep(0.005)
        return loop.time() - sent

    try:
        await asyncio.sleep(0.05)
        engine.hub.attach(MemorySession(), "player:ann", "Ann")  # connecting is not routine
        took = await asyncio.wait_for(arrived("player_connected", loop.time()), 5)
        assert (took < 0.5) == bool(flush_ms)
        if flush_ms:
            tick = engine.core.game.world.tick
            engine.core.execute("player:ann", "n")  # spawn -> market: downtown both, no nearer the edge
            await asyncio.sleep(0.3)
            assert (await kinds()).count("player_entered_room") == 1 and engine.core.game.world.tick == tick
            engine.core.execute("player:ann", "e")  # market -> bar, into the slums: the director wants that
            took = await asyncio.wait_for(arrived("player_entered_district", loop.time(), 2), 5)  # 1: connect
            assert took < 0.5 and engine.core.game.world.tick == tick  # before the tick, not with it
            assert (await kinds()).count("player_entered_room") == 3  # the routine ones went along
            ann = json.loads(await redis.get(names.WORLD_ENTITY + "player:ann"))
            assert ann["room_id"] == "bar"  # the move's state went in the same write
    finally:
        engine.stop()
        await runner


async def test_entity_json_follows_the_contract(redis: Redis, settings: EngineSettings) -> None:
    engine = Engine(settings, redis)
    await engine.start()
    engine.hub.attach(MemorySession(), "player:ann", "Ann")
    await engine.flush()
    ann = json.loads(await redis.get(names.WORLD_ENTITY + "player:ann"))
    assert {k: ann[k] for k in ("id", "kind", "template_id", "room_id", "holder_id", "origin")} == {
        "id": "player:ann", "kind": "player", "template_id": "player", "room_id": "spawn", "holder_id": None,
        "origin": "base"}
    assert ann["name"] == "Ann" and ann["district_id"] == "downtown" and ann["credits"] == 100
    chip = json.loads(await redis.get(names.WORLD_ENTITY + "item:datachip:bar:0"))
    assert chip["kind"] == "item" and chip["room_id"] == "bar" and chip["origin"] == "base"


def test_compact_keeps_the_end_state() -> None:
    from ouro_engine.persistence import compact

    writes = [("set", ("a", b"1")), ("sadd", ("idx", "a")), ("set", ("a", b"2")), ("delete", ("b",)),
              ("srem", ("idx", "b")), ("hset", ("h", "f", b"x")), ("hdel", ("h", "f")), ("set", ("b", b"3")),
              ("sadd", ("idx", "b")), ("delete", ("online",)), ("sadd", ("online", "p1", "p2"))]
    assert compact(writes) == [("sadd", ("idx", "a")), ("set", ("a", b"2")), ("hdel", ("h", "f")),
                               ("set", ("b", b"3")), ("sadd", ("idx", "b")), ("delete", ("online",)),
                               ("sadd", ("online", "p1", "p2"))]


async def test_failed_flush_is_retried_with_deletions(redis: Redis, settings: EngineSettings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine(settings, redis)
    await engine.start()
    engine.core.game.world.delete("item:datachip:bar:0", now=True)
    real = persistence.write
    calls = 0

    async def flaky(client: Redis, writes: list[persistence.Write]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("redis went away")
        await real(client, writes)

    monkeypatch.setattr(persistence, "write", flaky)
    await engine.flush()
    assert await redis.exists(names.WORLD_ENTITY + "item:datachip:bar:0")
    await engine.flush()
    assert not await redis.exists(names.WORLD_ENTITY + "item:datachip:bar:0")
    assert not await redis.sismember(names.WORLD_ENTITY_INDEX, "item:datachip:bar:0")


class Killed(BaseException):
    """The process dies here (SIGKILL): nothing after this point runs."""


async def test_a_crash_right_after_the_flush_keeps_the_events_with_their_state(
        redis: Redis, settings: EngineSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by tests/e2e/test_go_faults.py: an engine SIGKILLed after its MULTI but before it published the
    # tick's events left a spawned NPC in the world with no `entity_spawned` event, and the patch's result
    # came only from the redelivery. Events and results now travel in the same MULTI as the state.
    engine = Engine(settings, redis)
    await engine.start()
    await redis.delete(names.WORLD_EVENTS, names.WORLD_APPLIED)
    pending = asyncio.create_task(engine.submit_patch(signed(settings, "p-1", good_ops())))
    await asyncio.sleep(0)  # queued for the next boundary
    real = persistence.write

    async def write_then_die(client: Redis, writes: list[persistence.Write]) -> None:
        await real(client, writes)
        raise Killed

    monkeypatch.setattr(persistence, "write", write_then_die)
    with pytest.raises(Killed):
        await engine.step(0.1)
    pending.cancel()
    assert await redis.exists(names.WORLD_ENTITY + "p-1:0")  # the state is stored ...
    events = [json.loads(f[b"d"]) for _, f in await redis.xrange(names.WORLD_EVENTS)]
    assert [e["data"]["entity_id"] for e in events if e["kind"] == "entity_spawned"] == ["p-1:0"]  # ... its events
    results = [json.loads(f[b"d"]) for _, f in await redis.xrange(names.WORLD_APPLIED)]
    assert [(r["patch_id"], r["status"]) for r in results] == [("p-1", "applied")]  # ... and the patch's result
