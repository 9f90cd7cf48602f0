"""The chunk indexes in Redis, written in the flush's atomic write next to the rooms and entities they index.

Per chunk `<ck>` (`ouro_schemas.chunks.chunk_key`):
- `ouro:world:chunk:<ck>`          hash room id -> "x,y,z"  (which rooms a chunk load reads)
- `ouro:world:chunk_entities:<ck>` set of entity ids anchored in the chunk (`ChunkStore.anchor_of`)
- `ouro:world:growth:<ck>`         hash "room id:direction" -> GrowthPoint JSON
- `ouro:world:chunks`              hash <ck> -> ChunkMeta JSON (rooms, bounds, districts, npcs, growth)
and `ouro:world:entities_global`: players and what they carry (always in memory).
"""

from __future__ import annotations

from typing import Any

import msgspec

from ouro_engine import growth
from ouro_engine.game import Game
from ouro_schemas import names
from ouro_schemas.chunks import Chunk, chunk_key, chunk_of

Write = tuple[str, tuple[Any, ...]]
_enc = msgspec.json.Encoder()


def _set_of(chunk: Chunk | None) -> str:
    return names.WORLD_ENTITIES_GLOBAL if chunk is None else names.WORLD_CHUNK_ENTITIES + chunk_key(chunk)


def anchor_writes(game: Game, eid: str) -> list[Write]:
    """Move a dirty entity between the chunk sets when its anchor changed (or it is new)."""
    store = game.chunks
    found = store.anchor_of(eid)
    known = eid in store.anchor
    new: Chunk | None
    if isinstance(found, str):  # KEEP: its room is not in memory
        if known:
            return []
        new = None  # never indexed and nothing says where: global until it moves
    else:
        new = found
    old = store.anchor.get(eid)
    if known and old == new:
        return []
    w: list[Write] = []
    if known:
        w.append(("srem", (_set_of(old), eid)))
    w.append(("sadd", (_set_of(new), eid)))
    store.set_anchor(eid, new)
    return w


def unanchor_writes(game: Game, eid: str) -> list[Write]:
    store = game.chunks
    if eid not in store.anchor:
        return []
    old = store.anchor.get(eid)
    store.drop_anchor(eid)
    return [("srem", (_set_of(old), eid))]


def chunk_room_write(rid: str, cell: tuple[int, int, int]) -> Write:
    x, y, z = cell
    return "hset", (names.WORLD_CHUNK + chunk_key(chunk_of(x, y)), rid, f"{x},{y},{z}")


def chunk_room_delete(rid: str, cell: tuple[int, int, int]) -> Write:
    return "hdel", (names.WORLD_CHUNK + chunk_key(chunk_of(cell[0], cell[1])), rid)


def growth_writes(game: Game) -> list[Write]:
    """The growth points changed since the last flush (refreshed around every changed cell first)."""
    growth.refresh(game)
    w: list[Write] = []
    for (chunk, fld), gp in sorted(game.dirty.growth.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        key = names.WORLD_GROWTH + chunk_key(chunk)
        w.append(("hset", (key, fld, _enc.encode(gp))) if gp is not None else ("hdel", (key, fld)))
    return w


def meta_writes(game: Game) -> list[Write]:
    """The figures of every chunk whose rooms or growth points changed (or that just unloaded)."""
    game.map.refresh_meta()
    changed = game.map.unwritten | game.dirty.chunk_meta
    game.map.unwritten = set()
    w: list[Write] = []
    for chunk in sorted(changed):
        meta = game.map.meta.get(chunk)
        ck = chunk_key(chunk)
        w.append(("hset", (names.WORLD_CHUNKS, ck, _enc.encode(meta))) if meta is not None
                 else ("hdel", (names.WORLD_CHUNKS, ck)))
    return w
