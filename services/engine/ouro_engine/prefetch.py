"""Which chunks a patch needs in memory before it is checked and applied.

A patch names rooms (exits, spawns, removals, Questmaker targets), entities (despawns, NPCs a
Questmaker acts on) and cells (the rooms it adds). Rooms and entities not in memory are located by
their stored JSON (one pipelined read); cells by their coordinates. A patch that changes the map
(rooms or exits) also needs the chunks around: a new room fills its neighbours' lots (growth points),
and removing rooms must see every exit that leads into them (exits are one grid step long, the gate's
rule, so they all start in the 3×3 chunks around).
"""

from __future__ import annotations

from typing import Any

from ouro_engine.chunks import ChunkIO
from ouro_engine.game import Game
from ouro_schemas import messages as m
from ouro_schemas.chunks import Chunk, chunk_of, neighbourhood
from ouro_schemas.content import is_safe_id

STRUCTURAL = (m.AddRooms, m.RemoveRooms, m.AddExit, m.RemoveExit)
MAX_IDS = 5_000


def _walk(value: Any, ids: set[str], cells: set[Chunk], depth: int = 0) -> None:
    """Every id-like string and every room-like cell in an op's fields (rooms, params, lists)."""
    if depth > 8 or len(ids) > MAX_IDS:
        return
    if isinstance(value, str):
        if is_safe_id(value):
            ids.add(value)
    elif isinstance(value, dict):
        x, y = value.get("x"), value.get("y")
        if isinstance(x, int) and isinstance(y, int) and not isinstance(x, bool):
            cells.add(chunk_of(x, y))
        for v in value.values():
            _walk(v, ids, cells, depth + 1)
    elif isinstance(value, list | tuple):
        for v in value:
            _walk(v, ids, cells, depth + 1)


def references(patches: list[m.Patch]) -> tuple[set[str], set[Chunk], bool]:
    """(ids named, chunks of cells named, whether the map changes)."""
    ids: set[str] = set()
    chunks: set[Chunk] = set()
    structural = False
    for patch in patches:
        for op in patch.ops:
            structural = structural or isinstance(op, STRUCTURAL)
            if isinstance(op, m.AddRooms):  # the common big op: only cells and exit targets matter
                for room in op.rooms:
                    _rooms_op(room, ids, chunks)
                continue
            for name in op.__struct_fields__:
                _walk(getattr(op, name), ids, chunks)
    return ids, chunks, structural


def _rooms_op(room: Any, ids: set[str], chunks: set[Chunk]) -> None:
    if not isinstance(room, dict):
        return
    x, y = room.get("x"), room.get("y")
    if isinstance(x, int) and isinstance(y, int):
        chunks.add(chunk_of(x, y))
    for ex in room.get("exits", ()) if isinstance(room.get("exits"), list) else ():
        to = ex.get("to") if isinstance(ex, dict) else None
        if isinstance(to, str) and is_safe_id(to) and len(ids) < MAX_IDS:
            ids.add(to)


async def patch_chunks(io: ChunkIO, game: Game, patches: list[m.Patch]) -> set[Chunk]:
    """The chunks to have in memory before applying `patches`."""
    ids, chunks, structural = references(patches)
    ids -= {r["id"] for p in patches for op in p.ops if isinstance(op, m.AddRooms) for r in op.rooms
            if isinstance(r, dict) and isinstance(r.get("id"), str)}  # new here: nowhere to look for them
    rooms = [i for i in sorted(ids) if i not in game.map.rooms]
    entities = [i for i in sorted(ids) if not game.world.exists(i)]
    chunks |= await io.locate(rooms, entities)
    for rid in ids & set(game.map.rooms):
        x, y, _ = game.map.rooms[rid].coords
        chunks.add(chunk_of(x, y))
    if structural:
        chunks = {n for ch in chunks for n in neighbourhood(ch)}
    return chunks
