"""Rebuilding a Game from Redis (restart, `engine_reload` after a rollback).

1. templates, Questmaker states, active events, applied patch ids, the world meta (tick, RNG, …);
2. the chunk figures (`ouro:world:chunks`): every chunk of the world is *known*, none is in memory yet;
3. the pinned chunks (the base city) with their rooms, entities and growth points;
4. the global entities (players and what they carry).
Other chunks load when someone comes near (`ChunkStore`).

A world written before chunks existed (meta version 1: no chunk figures) is loaded whole, the old way,
and every room and entity is marked dirty, so the first flush writes the chunk indexes; after that it
unloads like any other world.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_engine import components as k
from ouro_engine.chunks import ChunkIO
from ouro_engine.game import ActiveEvent, Game, QmState
from ouro_engine.persistence import entity_components, mark_everything
from ouro_engine.rooms import room_from_json
from ouro_engine.templates import TEMPLATE_MODELS
from ouro_schemas import names
from ouro_schemas.chunks import ChunkMeta, parse_chunk_key
from ouro_schemas.errors import ContentError

log = logging.getLogger(__name__)
_meta_dec = msgspec.json.Decoder(ChunkMeta)


async def _json_keys(redis: Redis, ids: list[str], prefix: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 2000):
        raws = await redis.mget([prefix + i for i in ids[start:start + 2000]])
        out += [json.loads(raw) for raw in raws if raw]
    return out


async def _members(redis: Redis, key: str) -> list[str]:
    members: Any = await redis.smembers(key)
    return sorted(m.decode() for m in members)


async def load(redis: Redis, game: Game) -> None:
    """Rebuild `game` (fresh) from Redis; raises ContentError naming a key that does not validate."""
    if game.chunks.io is None:
        game.chunks.io = ChunkIO(redis)
    await _load_templates(redis, game)
    raw_meta: Any = await redis.hgetall(names.WORLD_META)
    meta = {a.decode(): b.decode() for a, b in raw_meta.items()}
    if meta.get("version", "1") == "1":
        await _load_everything(redis, game)
    else:
        await _load_chunked(redis, game)
    for qid in game.templates.by_type["questmaker"]:
        raw = await redis.get(names.WORLD_QUESTMAKER + qid)
        if raw:
            game.qms[qid] = msgspec.json.decode(raw, type=QmState)
    events: Any = await redis.hgetall(names.WORLD_EVENTS_ACTIVE)
    for evid, raw in events.items():
        game.events_active[evid.decode()] = msgspec.json.decode(raw, type=ActiveEvent)
    applied: Any = await redis.hgetall(names.WORLD_APPLIED_PATCHES)
    game.applied = {pid.decode(): raw for pid, raw in applied.items()}
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
    game.dirty.online = True
    game.dirty.districts = True


async def _load_templates(redis: Redis, game: Game) -> None:
    ids = await _members(redis, names.WORLD_TEMPLATE_INDEX)
    for row in await _json_keys(redis, ids, names.WORLD_TEMPLATE):
        kind = row.get("type")
        if kind not in TEMPLATE_MODELS:
            raise ContentError(names.WORLD_TEMPLATE, [f"unknown template type {kind!r}"])
        model = game.templates.add_raw(kind, row["template"], names.WORLD_TEMPLATE + str(row["template"].get("id")))
        if row.get("added_by"):
            game.templates.added_by[model.id] = row["added_by"]  # type: ignore[attr-defined]


async def _load_chunked(redis: Redis, game: Game) -> None:
    metas: Any = await redis.hgetall(names.WORLD_CHUNKS)
    for ck, raw in metas.items():
        chunk = parse_chunk_key(ck.decode())
        if chunk is not None:
            game.map.meta[chunk] = _meta_dec.decode(raw)
    store = game.chunks
    assert store.io is not None
    for data in await store.io.read(sorted(store.pinned & set(game.map.meta))):
        store.insert(data, game.now)
    for row in await _json_keys(redis, await _members(redis, names.WORLD_ENTITIES_GLOBAL), names.WORLD_ENTITY):
        eid = str(row["id"])
        if game.world.insert(eid, *entity_components(row)):
            store.set_anchor(eid, None)
    game.world.dirty, game.world.removed = set(), set()


async def _load_everything(redis: Redis, game: Game) -> None:
    """A version-1 world: every room and entity, then every chunk index is written at the next flush."""
    for row in await _json_keys(redis, await _members(redis, names.WORLD_ROOM_INDEX), names.WORLD_ROOM):
        game.map.add(room_from_json(row))
    for row in await _json_keys(redis, await _members(redis, names.WORLD_ENTITY_INDEX), names.WORLD_ENTITY):
        game.world.create(str(row["id"]), *entity_components(row))
    game.world.dirty, game.world.removed = set(), set()
    mark_everything(game)
    log.info("world migrated to chunk indexes", extra={"rooms": len(game.map.rooms),
                                                       "entities": len(game.world)})
