"""World state in Redis (keys in `ouro_schemas.names`, formats in docs/contracts.md).

`collect` snapshots everything dirty into a list of writes *synchronously* (so the game may go on
while they travel); `write` sends them as one atomic Lua script (`writes.py`; it was a MULTI/EXEC
pipeline, ~9x the engine's CPU per write) — a flush's changes land together or not at all. The engine
carries the writes of a failed flush into the next one (compacted when a long outage makes them many),
so deletions are retried too. The chunk indexes (which rooms and entities each chunk holds, growth
points, chunk figures) are written in the same script (`chunkstore.py`); `loading.load` rebuilds a
Game from the keys (restart, `engine_reload`).

Loss window: at most one tick of changes (1/OURO_TICK_HZ s) plus Redis' AOF `appendfsync everysec`
(≤ 1 s) — see docs/engine.md.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_engine import chunkstore, writes
from ouro_engine import components as k
from ouro_engine.game import Game
from ouro_engine.rooms import room_to_json
from ouro_schemas import names
from ouro_schemas.chunks import chunk_key

SCHEMA_VERSION = "2"  # 2: chunk indexes (issue 10); a version-1 world is migrated when it is loaded
_enc = msgspec.json.Encoder()
Write = writes.Write  # (redis-py method name, its positional arguments)


def entity_json(game: Game, eid: str) -> dict[str, Any]:
    comps = game.world.components_of(eid)
    ident = comps.get(k.Identity)
    pos, held, origin = comps.get(k.Position), comps.get(k.Held), comps.get(k.Origin)
    out: dict[str, Any] = {
        "id": eid, "kind": ident.kind if ident else "unknown", "template_id": ident.template_id if ident else None,
        "room_id": pos.room_id if pos else None, "holder_id": held.holder_id if held else None,
        "origin": origin.source if origin else "base",
    }
    for kind, comp in comps.items():
        name = k.NAME_OF.get(kind)
        if name is not None:
            out[name] = msgspec.to_builtins(comp)
    out.update(_view(game, eid, comps))
    return out


def _view(game: Game, eid: str, comps: dict[type[Any], Any]) -> dict[str, Any]:
    """Derived, read-only fields for readers (the director's Questmaker turns, the gen-worker)."""
    view: dict[str, Any] = {}
    ident, pos = comps.get(k.Identity), comps.get(k.Position)
    if ident is not None:
        view["name"] = ident.name
    room = game.map.get(pos.room_id) if pos is not None else None
    if room is not None:
        view["district_id"] = room.district_id
    anchor = game.chunks.anchor.get(eid)
    view["chunk"] = chunk_key(anchor) if anchor is not None else None  # None: global (players, their things)
    hp, wallet, player, stats = comps.get(k.Health), comps.get(k.Wallet), comps.get(k.Player), comps.get(k.CombatStats)
    if hp is not None:
        view["hp"], view["max_health"] = hp.current, hp.maximum
    if wallet is not None:
        view["credits"] = wallet.credits
    if player is not None:
        view["level"] = player.level
    elif stats is not None:
        view["level"] = stats.level
    return view


def entity_components(data: dict[str, Any]) -> list[Any]:
    """The persisted components of an entity's JSON (derived fields are never read back)."""
    comps = [msgspec.convert(data[name], kind) for name, kind in k.PERSISTED.items() if name in data]
    comps.append(k.Origin(source=str(data.get("origin") or "base")))
    return comps


def entity_from_json(game: Game, data: dict[str, Any]) -> None:
    game.world.create(data["id"], *entity_components(data))


def meta_fields(game: Game) -> dict[str, str]:
    return {"version": SCHEMA_VERSION, "tick": str(game.world.tick), "serial": str(game.world.serial),
            "seed": str(game.settings.seed), "spawn_room_id": game.spawn_room_id,
            "rng": json.dumps(game.world.rng.bit_generator.state),
            "money_created": str(game.money_created), "money_destroyed": str(game.money_destroyed),
            "loaded_at": str(game.loaded_at)}


def _district_json(game: Game, population: dict[str, int]) -> dict[str, bytes]:
    out = {}
    for did, model in game.templates.by_type["district"].items():
        out[did] = _enc.encode({**model.model_dump(mode="json"), "population": population.get(did, 0)})
    return out


def _entity_writes(game: Game) -> list[Write]:
    w: list[Write] = []
    world = game.world
    for eid in world.dirty:
        if world.exists(eid):
            w += chunkstore.anchor_writes(game, eid)
            w.append(("set", (names.WORLD_ENTITY + eid, _enc.encode(entity_json(game, eid)))))
            w.append(("sadd", (names.WORLD_ENTITY_INDEX, eid)))
    for eid in world.removed:
        w += [("delete", (names.WORLD_ENTITY + eid,)), ("srem", (names.WORLD_ENTITY_INDEX, eid))]
        w += chunkstore.unanchor_writes(game, eid)
    world.dirty, world.removed = set(), set()
    return w


def _room_writes(game: Game) -> list[Write]:
    w: list[Write] = []
    d = game.dirty
    kept = set()
    for rid in d.rooms:
        room = game.map.get(rid)
        if room is not None:
            coord = ",".join(map(str, room.coords))
            kept.add(coord)
            w.append(("set", (names.WORLD_ROOM + rid, _enc.encode(room_to_json(room)))))
            w.append(("sadd", (names.WORLD_ROOM_INDEX, rid)))
            w.append(("hset", (names.WORLD_COORD, coord, rid)))
            w.append(chunkstore.chunk_room_write(rid, room.coords))
    for rid in d.rooms_removed:
        w += [("delete", (names.WORLD_ROOM + rid,)), ("srem", (names.WORLD_ROOM_INDEX, rid))]
        if rid in d.removed_cells:
            w.append(chunkstore.chunk_room_delete(rid, d.removed_cells[rid]))
    w += [("hdel", (names.WORLD_COORD, coord)) for coord in d.coords_removed - kept]
    return w


def _template_writes(game: Game) -> list[Write]:
    w: list[Write] = []
    d = game.dirty
    for tid in d.templates:
        if game.templates.has(tid):
            w.append(("set", (names.WORLD_TEMPLATE + tid, _enc.encode(game.templates.to_json(tid)))))
            w.append(("sadd", (names.WORLD_TEMPLATE_INDEX, tid)))
    for tid in d.templates_removed:
        w += [("delete", (names.WORLD_TEMPLATE + tid,)), ("srem", (names.WORLD_TEMPLATE_INDEX, tid))]
        w.append(("hdel", (names.WORLD_DISTRICTS, tid)))  # a district founded by a block, undone
    for qid in d.qms:
        if qid in game.qms:
            w.append(("set", (names.WORLD_QUESTMAKER + qid, _enc.encode(game.qms[qid]))))
    return w


def _state_writes(game: Game) -> list[Write]:
    w: list[Write] = []
    d = game.dirty
    for evid in d.events:
        if evid in game.events_active:
            w.append(("hset", (names.WORLD_EVENTS_ACTIVE, evid, _enc.encode(game.events_active[evid]))))
    w += [("hdel", (names.WORLD_EVENTS_ACTIVE, evid)) for evid in d.events_removed]
    w += [("hset", (names.WORLD_APPLIED_PATCHES, pid, game.applied[pid])) for pid in d.applied]
    if d.online:
        online = [eid for eid, _ in game.world.query(k.Online)]
        w.append(("delete", (names.WORLD_PLAYERS_ONLINE,)))
        if online:
            w.append(("sadd", (names.WORLD_PLAYERS_ONLINE, *online)))
    return w


def collect(game: Game, population: dict[str, int], summary: dict[str, Any] | None) -> list[Write]:
    """Everything dirty as Redis writes; clears the dirty marks."""
    # Growth points first: they read the rooms as they are now, and the chunk figures count them.
    w = chunkstore.growth_writes(game) + _room_writes(game) + chunkstore.meta_writes(game)
    w += _entity_writes(game) + _template_writes(game) + _state_writes(game)
    if game.dirty.districts or summary is not None:
        districts = _district_json(game, population)
        if districts:
            w.append(("hset_map", (names.WORLD_DISTRICTS, districts)))
    if summary is not None:
        w.append(("set", (names.WORLD_SUMMARY, _enc.encode(summary))))
    w.append(("hset_map", (names.WORLD_META, meta_fields(game))))
    game.dirty = type(game.dirty)()
    return w


def _slot(write: Write) -> tuple[Any, ...] | None:
    """What a write decides: later writes of the same slot supersede it (None: never superseded)."""
    method, args = write
    if method in ("set", "delete") and len(args) <= 2:
        return ("key", args[0])
    if method in ("sadd", "srem") and len(args) == 2:
        return ("member", args[0], args[1])
    if (method == "hset" and len(args) == 3) or (method == "hdel" and len(args) == 2):
        return ("field", args[0], args[1])
    return None


def compact(writes: list[Write]) -> list[Write]:
    """The same end state with superseded writes dropped (keeps a long Redis outage's backlog small)."""
    last: dict[tuple[Any, ...], int] = {}
    for i, w in enumerate(writes):
        slot = _slot(w)
        if slot is not None:
            last[slot] = i
    return [w for i, w in enumerate(writes) if (slot := _slot(w)) is None or last[slot] == i]


async def write(redis: Redis, batch: list[Write]) -> None:
    """All of `batch` atomically (`writes.apply`: raises redis errors)."""
    await writes.apply(redis, batch)


async def is_initialized(redis: Redis) -> bool:
    return bool(await redis.hexists(names.WORLD_META, "version"))


def mark_everything(game: Game) -> None:
    """First start (or a migration): every entity, room, template and Questmaker is written, with the
    chunk indexes and every growth point."""
    game.world.dirty.update(game.world.entities())
    game.dirty.rooms.update(game.map.rooms)
    game.map.stale.update(game.map.by_chunk)
    game.map.growth.clear()  # recomputed for every room and written at the flush
    game.dirty.growth_cells.update(room.coords for room in game.map.rooms.values())
    game.dirty.templates.update(game.templates.type_of)
    game.dirty.qms.update(game.qms)
    game.dirty.online = game.dirty.districts = True
