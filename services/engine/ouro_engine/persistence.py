"""World state in Redis (keys in `ouro_schemas.names`, formats in docs/contracts.md).

`collect` snapshots everything dirty into a list of writes *synchronously* (so the game may go on
while they travel); `write` sends them in one MULTI/EXEC pipeline — a tick's changes land together
or not at all. The engine carries the writes of a failed flush into the next one (compacted when a
long outage makes them many), so deletions are retried too. `load` rebuilds a Game from the keys (restart, `engine_reload`).

Loss window: at most one tick of changes (1/OURO_TICK_HZ s) plus Redis' AOF `appendfsync everysec`
(≤ 1 s) — see docs/engine.md.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_engine import components as k
from ouro_engine.game import ActiveEvent, Game, QmState
from ouro_engine.rooms import room_from_json, room_to_json
from ouro_engine.templates import TEMPLATE_MODELS
from ouro_schemas import names
from ouro_schemas.errors import ContentError

SCHEMA_VERSION = "1"
_enc = msgspec.json.Encoder()
Write = tuple[str, tuple[Any, ...]]  # (redis method, args)


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
    out.update(_view(game, comps))
    return out


def _view(game: Game, comps: dict[type[Any], Any]) -> dict[str, Any]:
    """Derived, read-only fields for readers (the director's Questmaker turns, the gen-worker)."""
    view: dict[str, Any] = {}
    ident, pos = comps.get(k.Identity), comps.get(k.Position)
    if ident is not None:
        view["name"] = ident.name
    room = game.map.get(pos.room_id) if pos is not None else None
    if room is not None:
        view["district_id"] = room.district_id
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


def entity_from_json(game: Game, data: dict[str, Any]) -> None:
    eid = data["id"]
    comps = [msgspec.convert(data[name], kind) for name, kind in k.PERSISTED.items() if name in data]
    comps.append(k.Origin(source=str(data.get("origin") or "base")))
    game.world.create(eid, *comps)


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
            w.append(("set", (names.WORLD_ENTITY + eid, _enc.encode(entity_json(game, eid)))))
            w.append(("sadd", (names.WORLD_ENTITY_INDEX, eid)))
    for eid in world.removed:
        w += [("delete", (names.WORLD_ENTITY + eid,)), ("srem", (names.WORLD_ENTITY_INDEX, eid))]
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
    for rid in d.rooms_removed:
        w += [("delete", (names.WORLD_ROOM + rid,)), ("srem", (names.WORLD_ROOM_INDEX, rid))]
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
    w = _entity_writes(game) + _room_writes(game) + _template_writes(game) + _state_writes(game)
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


async def write(redis: Redis, writes: list[Write]) -> None:
    pipe = redis.pipeline(transaction=True)
    for method, args in writes:
        if method == "hset_map":
            pipe.hset(args[0], mapping=args[1])
        else:
            getattr(pipe, method)(*args)
    await pipe.execute()


async def is_initialized(redis: Redis) -> bool:
    return bool(await redis.hexists(names.WORLD_META, "version"))


async def _load_json_keys(redis: Redis, index: str, prefix: str) -> list[dict[str, Any]]:
    members: Any = await redis.smembers(index)
    ids = sorted(m.decode() for m in members)
    if not ids:
        return []
    raws = await redis.mget([prefix + i for i in ids])
    return [json.loads(raw) for raw in raws if raw]


async def load(redis: Redis, game: Game) -> None:
    """Rebuild `game` (fresh) from Redis; raises ContentError naming a key that does not validate."""
    for row in await _load_json_keys(redis, names.WORLD_TEMPLATE_INDEX, names.WORLD_TEMPLATE):
        kind = row.get("type")
        if kind not in TEMPLATE_MODELS:
            raise ContentError(names.WORLD_TEMPLATE, [f"unknown template type {kind!r}"])
        model = game.templates.add_raw(kind, row["template"], names.WORLD_TEMPLATE + str(row["template"].get("id")))
        if row.get("added_by"):
            game.templates.added_by[model.id] = row["added_by"]  # type: ignore[attr-defined]
    for row in await _load_json_keys(redis, names.WORLD_ROOM_INDEX, names.WORLD_ROOM):
        game.map.add(room_from_json(row))
    for row in await _load_json_keys(redis, names.WORLD_ENTITY_INDEX, names.WORLD_ENTITY):
        entity_from_json(game, row)
    for qid in game.templates.by_type["questmaker"]:
        raw = await redis.get(names.WORLD_QUESTMAKER + qid)
        if raw:
            game.qms[qid] = msgspec.json.decode(raw, type=QmState)
    events: Any = await redis.hgetall(names.WORLD_EVENTS_ACTIVE)
    for evid, raw in events.items():
        game.events_active[evid.decode()] = msgspec.json.decode(raw, type=ActiveEvent)
    applied: Any = await redis.hgetall(names.WORLD_APPLIED_PATCHES)
    game.applied = {pid.decode(): raw for pid, raw in applied.items()}
    raw_meta: Any = await redis.hgetall(names.WORLD_META)
    meta = {a.decode(): b.decode() for a, b in raw_meta.items()}
    game.world.tick = int(meta.get("tick", 0))
    game.world.serial = int(meta.get("serial", 0))
    game.spawn_room_id = meta.get("spawn_room_id", "spawn")
    game.money_created = int(meta.get("money_created", 0))
    game.money_destroyed = int(meta.get("money_destroyed", 0))
    if "rng" in meta:
        game.world.rng.bit_generator.state = json.loads(meta["rng"])
    for eid, (player,) in game.world.query(k.Player):
        game.players_by_name[player.name.lower()] = eid
    # Nobody is connected after a restart; sessions re-attach players as they log in.
    game.world.dirty, game.world.removed = set(), set()
    game.dirty.online = True
    game.dirty.districts = True


def mark_everything(game: Game) -> None:
    """First start: every entity, room, template and Questmaker is written."""
    game.world.dirty.update(game.world.entities())
    game.dirty.rooms.update(game.map.rooms)
    game.dirty.templates.update(game.templates.type_of)
    game.dirty.qms.update(game.qms)
    game.dirty.online = game.dirty.districts = True
