"""Chunks against real Redis: rooms indexed by chunk, far chunks unloaded and read back when needed,
nothing lost on the way, memory bounded, restarts and the version-1 migration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis.asyncio import Redis

from ouro_engine import components as k
from ouro_engine.clock import ManualClock
from ouro_engine.engine import Engine
from ouro_engine.sessions import MemorySession
from ouro_engine.settings import EngineSettings
from ouro_schemas import messages as m
from ouro_schemas import names
from ouro_schemas.chunks import chunk_of
from tests.engine.conftest import signed
from tests.engine.growth_support import dump_world, graph_problems, road_ops, stored_graph

ROAD = 70  # dead-end (2,0) east to x=72: chunks (0,0) … (3,0)


async def grown(settings: EngineSettings, redis: Redis, clock: ManualClock) -> Engine:
    engine = Engine(settings.model_copy(update={"chunk_idle_s": 5.0}), redis, clock=clock)
    await engine.start()
    patch = signed(settings, "p-road", road_ops("dead-end", "e", (3, 0), ROAD, "slums", "road"))
    result = await engine.submit_patch_now(patch)
    assert result.status == m.PatchStatus.APPLIED, result.reason
    await engine.flush(summary=True)
    return engine


def walk(engine: Engine, pid: str, line: str, times: int) -> str:
    out = ""
    for _ in range(times):
        out = "\n".join(engine.core.execute(pid, line))
    return out


async def test_rooms_are_indexed_by_chunk_in_redis(redis: Redis, settings: EngineSettings,
                                                  clock: ManualClock) -> None:
    await grown(settings, redis, clock)
    metas = {a.decode(): json.loads(b) for a, b in (await redis.hgetall(names.WORLD_CHUNKS)).items()}
    assert sorted(metas) == ["0,0", "1,0", "2,0", "3,0"]
    assert metas["0,0"]["rooms"] == 5 + 17 and metas["1,0"]["rooms"] == 20 and metas["3,0"]["rooms"] == 13
    assert metas["3,0"]["bounds"] == [60, 72, 0, 0] and metas["2,0"]["districts"]["slums"][0] == 20
    cells = {a.decode(): b.decode() for a, b in (await redis.hgetall(names.WORLD_CHUNK + "2,0")).items()}
    assert cells["road-37"] == "40,0,0" and len(cells) == 20
    # The road's far end is a road end (a street running into a free cell); the lots beside it too.
    growth = {a.decode(): json.loads(b) for a, b in (await redis.hgetall(names.WORLD_GROWTH + "3,0")).items()}
    assert growth["road-69:e"] == {"room_id": "road-69", "direction": "e", "x": 73, "y": 0, "z": 0,
                                   "kind": "road_end", "district_id": "slums"}
    assert growth["road-69:n"]["kind"] == "lot" and "road-68:e" not in growth
    # dead-end's east side is no longer a growth point: the road filled it.
    assert not await redis.hexists(names.WORLD_GROWTH + "0,0", "dead-end:e")
    assert graph_problems(await stored_graph(redis), "spawn") == []


async def test_far_chunks_unload_and_come_back_as_they_were(redis: Redis, settings: EngineSettings,
                                                           clock: ManualClock) -> None:
    engine = await grown(settings, redis, clock)
    game = engine.core.game
    engine.hub.attach(MemorySession(), "player:ann", "Ann")
    assert "You buy" in "\n".join(engine.core.execute("player:ann", "n")) + walk(engine, "player:ann", "buy pipe", 1)
    for line in ("s", "e", "e"):
        engine.core.execute("player:ann", line)
    walk(engine, "player:ann", "e", 45)  # x = 47: chunk (2, 0)
    assert game.room_of("player:ann").id == "road-44"  # type: ignore[union-attr]
    assert "You drop" in walk(engine, "player:ann", "drop pipe", 1)
    pipe = next(e for e in game.world.in_room("road-44") if game.world.comp(e, k.Identity).kind == "item")
    await engine.flush()
    await engine.maintain_chunks()
    assert game.map.loaded >= {(1, 0), (2, 0), (3, 0)}  # around the player

    walk(engine, "player:ann", "w", 45)  # back in the base city
    clock.advance(10)
    await engine.flush()
    await engine.maintain_chunks()
    assert (3, 0) not in game.map.loaded and (2, 0) not in game.map.loaded
    assert "road-44" not in game.map.rooms and not game.world.exists(pipe)  # forgotten, not deleted
    assert await redis.exists(names.WORLD_ENTITY + pipe) and await redis.exists(names.WORLD_ROOM + "road-44")
    assert await redis.sismember(names.WORLD_CHUNK_ENTITIES + "2,0", pipe)
    assert len(game.map.rooms) < game.map.room_count()

    # Walking back reads the chunks again (ahead of the player, or as a miss): the pipe lies where it fell.
    text = walk(engine, "player:ann", "e", 45)
    assert "Long Road 41" in text or "Lead Pipe" in text
    assert "Lead Pipe" in walk(engine, "player:ann", "look", 1)
    assert game.world.comp(pipe, k.PlayerOwned).owner_id == "player:ann"


async def test_a_restart_keeps_only_the_base_city_and_the_player_resumes_far_out(
        redis: Redis, settings: EngineSettings, clock: ManualClock) -> None:
    engine = await grown(settings, redis, clock)
    engine.hub.attach(session := MemorySession(), "player:ann", "Ann")
    for line in ("e", "e"):
        engine.core.execute("player:ann", line)
    walk(engine, "player:ann", "e", 65)  # road-64 at x = 67, chunk (3, 0)
    engine.hub.detach(session)
    await engine.flush(summary=True)
    before = await dump_world(redis, skip=(names.WORLD_DISTRICTS,))

    again = Engine(settings, redis, clock=clock)
    await again.start()
    game = again.core.game
    assert game.map.loaded & set(game.map.meta) == {(0, 0)}
    assert len(game.map.rooms) == 22 and game.map.room_count() == 75
    assert game.world.exists("player:ann")  # players are always in memory
    again.hub.attach(MemorySession(), "player:ann", "Ann")  # a miss: her chunk is read at login
    assert game.room_of("player:ann").id == "road-64"  # type: ignore[union-attr]
    assert game.chunks.misses == 1
    await again.maintain_chunks()
    assert {(2, 0), (3, 0)} <= game.map.loaded
    again.core.execute("player:ann", "quit")
    await again.flush()
    after = await dump_world(redis, skip=(names.WORLD_DISTRICTS,))
    for d in (before, after):
        d.pop(names.WORLD_PLAYERS_ONLINE, None)
        d[names.WORLD_ENTITY + "player:ann"].pop("online", None)
    assert after == before


async def test_memory_stays_bounded_while_the_world_grows(redis: Redis, settings: EngineSettings,
                                                         clock: ManualClock) -> None:
    engine = Engine(settings.model_copy(update={"chunk_idle_s": 0.0}), redis, clock=clock)
    await engine.start()
    game = engine.core.game
    start, room = (3, 0), "dead-end"
    for n in range(8):  # eight roads of 60 rooms, each continuing the last one east
        ops = road_ops(room, "e", start, 60, "slums", f"r{n}")
        assert (await engine.submit_patch_now(signed(settings, f"p-{n}", ops))).status == m.PatchStatus.APPLIED
        await engine.flush()
        await engine.maintain_chunks()
        start, room = (start[0] + 60, 0), f"r{n}-59"
        # only the base city, the chunks this road touched and their neighbours stay; then they go
        assert len(game.map.loaded & set(game.map.meta)) <= 1 + 3 * 3
    clock.advance(1)
    await engine.maintain_chunks()
    assert game.map.loaded & set(game.map.meta) == {(0, 0)}
    assert game.map.room_count() == 5 + 8 * 60 and len(game.map.rooms) == 5 + 17
    assert len(game.map.meta) == 25 and chunk_of(*start) == (24, 0)


async def test_a_patch_sees_rooms_in_chunks_not_in_memory(redis: Redis, settings: EngineSettings,
                                                         clock: ManualClock) -> None:
    engine = await grown(settings, redis, clock)
    again = Engine(settings, redis, clock=clock)
    await again.start()
    assert "road-50" not in again.core.game.map.rooms
    clash = {"id": "squatter", "name": "Squat", "description": "A tent.", "district_id": "slums", "kind": "street",
             "x": 53, "y": 0, "exits": [{"direction": "s", "to": "road-50"}]}
    result = await again.submit_patch_now(signed(settings, "p-clash", [m.AddRooms(rooms=[clash])]))
    assert result.status == m.PatchStatus.REJECTED and "(53, 0, 0) are taken" in result.reason
    side = {**clash, "y": 1, "exits": [{"direction": "s", "to": "road-50"}]}
    ok = await again.submit_patch_now(signed(settings, "p-side", [
        m.AddRooms(rooms=[side]), m.AddExit(room_id="road-50", direction="n", to_room_id="squatter")]))
    assert ok.status == m.PatchStatus.APPLIED, ok.reason
    await again.flush()
    assert graph_problems(await stored_graph(redis), "spawn") == []
    assert engine.core.game.map.room_count() + 1 == again.core.game.map.room_count()


async def test_undo_far_out_restores_every_key_and_is_refused_while_a_player_stands_there(
        redis: Redis, settings: EngineSettings, clock: ManualClock) -> None:
    engine = Engine(settings.model_copy(update={"chunk_idle_s": 0.0}), redis, clock=clock)
    await engine.start()
    await engine.flush(summary=True)
    before = await dump_world(redis, skip=(names.WORLD_DISTRICTS, names.WORLD_APPLIED_PATCHES))
    patch = signed(settings, "p-road", road_ops("dead-end", "e", (3, 0), ROAD, "slums", "road"))
    applied = await engine.submit_patch_now(patch)
    await engine.flush()
    undo = signed(settings, "undo:p-road", applied.inverse, kind=m.PatchKind.UNDO)

    # An offline player left standing at the far end: the undo is refused, with the reason, and not recorded.
    engine.hub.attach(session := MemorySession(), "player:ann", "Ann")
    for line in ("e", "e"):
        engine.core.execute("player:ann", line)
    walk(engine, "player:ann", "e", 60)
    engine.hub.detach(session)
    await engine.flush()
    clock.advance(1)
    await engine.maintain_chunks()
    assert (3, 0) not in engine.core.game.map.loaded
    refused = await engine.submit_patch_now(undo)
    assert refused.status == m.PatchStatus.REJECTED and "player 'player:ann' stands in room 'road-59'" in refused.reason
    assert "undo:p-road" not in engine.core.game.applied

    # She comes back to the base city; the same undo now restores every world key as it was.
    engine.hub.attach(session, "player:ann", "Ann")
    walk(engine, "player:ann", "w", 62)
    engine.hub.detach(session)
    await engine.flush()
    done = await engine.submit_patch_now(undo)
    assert done.status == m.PatchStatus.APPLIED, done.reason
    await engine.flush()
    after = await dump_world(redis, skip=(names.WORLD_DISTRICTS, names.WORLD_APPLIED_PATCHES))
    for d in (before, after):  # Ann exists now; she did not before
        for key in [k_ for k_ in d if "player:ann" in k_]:
            d.pop(key)
        d.pop(names.WORLD_PLAYERS_ONLINE, None)
        for key in (names.WORLD_ENTITY_INDEX, names.WORLD_ENTITIES_GLOBAL):
            d[key] = [e for e in d.get(key, []) if e != "player:ann"]
    assert after == before


async def test_a_version_1_world_is_migrated_to_chunk_indexes(redis: Redis, settings: EngineSettings,
                                                              clock: ManualClock) -> None:
    await grown(settings, redis, clock)
    before = await dump_world(redis)
    # What a world written before chunks looked like: no chunk keys, meta version 1.
    async for key in redis.scan_iter(match="ouro:world:chunk*"):
        await redis.delete(key)
    async for key in redis.scan_iter(match=names.WORLD_GROWTH + "*"):
        await redis.delete(key)
    await redis.delete(names.WORLD_ENTITIES_GLOBAL)
    await redis.hset(names.WORLD_META, "version", "1")
    again = Engine(settings, redis, clock=clock)
    await again.start()
    assert len(again.core.game.map.rooms) == 75  # loaded whole, the old way
    await again.flush()
    after = await dump_world(redis)
    assert after == before
    assert (await redis.hget(names.WORLD_META, "version")) == b"2"


async def test_the_chunk_pass_asks_again_what_is_wanted_when_players_moved_while_it_read(
        redis: Redis, settings: EngineSettings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunk pass computes the wanted chunks once (O(online players)) and reuses them for unloading —
    unless it awaited a chunk read meanwhile: a player who moved then must not lose the chunk underfoot."""
    engine = Engine(settings.model_copy(update={"chunk_idle_s": 0.0}), redis, clock=clock)
    await engine.start()
    patch = signed(settings, "p-road", road_ops("dead-end", "e", (3, 0), ROAD, "slums", "road"))
    assert (await engine.submit_patch_now(patch)).status == m.PatchStatus.APPLIED
    await engine.flush()
    game = engine.core.game
    engine.hub.attach(MemorySession(), "player:ann", "Ann")
    clock.advance(1)
    await engine.maintain_chunks()
    assert (2, 0) not in game.map.loaded and (3, 0) not in game.map.loaded

    calls = {"wanted": 0}
    wanted = game.chunks.wanted

    def counted() -> set[tuple[int, int]]:
        calls["wanted"] += 1
        return wanted()

    monkeypatch.setattr(game.chunks, "wanted", counted)
    await engine.maintain_chunks()  # nothing to read: asked once
    assert calls["wanted"] == 1

    walk(engine, "player:ann", "e", 2)
    walk(engine, "player:ann", "e", 21)  # road-20, chunk (1, 0): (2, 0) is wanted now and must be read
    read = engine.chunk_io.read

    async def read_while_she_jumps(chunks: list[tuple[int, int]]) -> Any:
        out = await read(chunks)
        assert game.chunks.ensure_room("road-60")  # (3, 0): not wanted when the pass began
        game.world.move("player:ann", "road-60")
        return out

    monkeypatch.setattr(engine.chunk_io, "read", read_while_she_jumps)
    calls["wanted"] = 0
    clock.advance(1)
    await engine.maintain_chunks()
    assert game.room_of("player:ann").id == "road-60"  # type: ignore[union-attr]
    assert (3, 0) in game.map.loaded and "road-60" in game.map.rooms
    assert calls["wanted"] == 2
