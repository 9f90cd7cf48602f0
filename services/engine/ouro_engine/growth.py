"""Growth points: where the city may grow next, and how far a player is from them (issue 10).

A growth point is a free cell beside a street-level outdoor room (street, alley, plaza), in a compass
direction the room has no exit to: a `road_end` when a street runs straight into it from another
street (in the authored city: where a room is tagged `frontier:<dir>`), else an empty `lot`. Rooms tagged `waterfront` face
the sea and grow nothing. The set is kept per room in memory (`Map.growth`, loaded rooms only) and per
chunk in Redis (`ouro:world:growth:<ck>`), so the director sees every growth point of the world
without the engine holding the world.

The frontier is the set of growth points; a player's distance to it is counted in rooms (moves), by a
breadth-first walk over exits limited to `edge_distance` steps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ouro_engine.rooms import Map, RoomState
from ouro_schemas import content as c
from ouro_schemas.chunks import Chunk, GrowthPointRecord, chunk_key, chunk_of

if TYPE_CHECKING:
    from ouro_engine.game import Game

OUTDOOR = frozenset({"street", "alley", "plaza"})
CARDINAL = ("n", "s", "e", "w")
Cell = tuple[int, int, int]


def room_growth(game_map: Map, room: RoomState) -> dict[str, GrowthPointRecord] | None:
    """The room's growth points by direction; None when a neighbouring cell is not in memory (unknown)."""
    x, y, z = room.coords
    kind = room.data.get("kind", "street")
    tags = room.data.get("tags", ())
    if z != 0 or kind not in OUTDOOR or "waterfront" in tags:
        return {}
    out: dict[str, GrowthPointRecord] = {}
    for d in CARDINAL:
        if d in room.exits:
            continue
        dx, dy, _ = c.OFFSET[d]
        free = game_map.cell_free((x + dx, y + dy, 0))
        if free is None:
            return None
        if free:
            out[d] = GrowthPointRecord(room_id=room.id, direction=d, x=x + dx, y=y + dy, z=0,
                                 kind="road_end" if _road_end(game_map, room, d, tags) else "lot",
                                 district_id=room.district_id)
    return out


def _road_end(game_map: Map, room: RoomState, d: str, tags: Any) -> bool:
    """The authored city says where its roads end (`frontier:<dir>`); a generated street is a road end
    where it runs straight on from another street into the free cell."""
    if room.added_by is None:  # authored content
        return f"frontier:{d}" in tags
    if room.data.get("kind") != "street":
        return False
    behind = game_map.rooms.get(room.exits.get(c.OPPOSITE[d], ""))
    return behind is not None and behind.data.get("kind") in ("street", "plaza")


def affected_rooms(game_map: Map, cells: Iterable[Cell]) -> set[str]:
    """Rooms whose growth points may change when these cells changed: the room there and its four
    street-level neighbours (a new room fills their lot; a removed one frees it)."""
    out: set[str] = set()
    for x, y, _z in cells:
        for dx, dy in ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0)):
            rid = game_map.coord.get((x + dx, y + dy, 0))
            if rid is not None:
                out.add(rid)
    return out


GrowthChange = tuple[Chunk, str, GrowthPointRecord | None]  # (chunk, "room:dir", the point or None = gone)


def update(game_map: Map, room_ids: Iterable[str], removed: dict[str, Cell]) -> list[GrowthChange]:
    """Recompute the growth points of `room_ids` (in memory) and drop those of `removed` rooms; returns
    what changed, for Redis. Rooms with an unknown neighbour keep their points (their chunk's
    neighbours are loaded before any patch that could change them)."""
    changes: list[GrowthChange] = []
    for rid, (x, y, _z) in removed.items():
        chunk = chunk_of(x, y)
        for d in CARDINAL:
            changes.append((chunk, f"{rid}:{d}", None))
        game_map.growth.pop(rid, None)
        game_map.stale.add(chunk)
    for rid in sorted(room_ids):
        room = game_map.rooms.get(rid)
        if room is None:
            continue
        new = room_growth(game_map, room)
        if new is None:
            continue
        old = game_map.growth.get(rid, {})
        if new == old:
            continue
        chunk = chunk_of(room.coords[0], room.coords[1])
        for d in CARDINAL:
            if old.get(d) != new.get(d):
                changes.append((chunk, f"{rid}:{d}", new.get(d)))
        if new:
            game_map.growth[rid] = new
        else:
            game_map.growth.pop(rid, None)
        game_map.stale.add(chunk)
    return changes


def refresh(game: Game) -> None:
    """Bring the growth points up to date with the rooms changed since the last refresh (after a patch,
    before a flush); what changed waits in `game.dirty.growth` for the flush."""
    d = game.dirty
    if not d.growth_cells and not d.growth_removed:
        return
    cells = d.growth_cells | set(d.growth_removed.values())
    for chunk, fld, gp in update(game.map, affected_rooms(game.map, cells), d.growth_removed):
        d.growth[(chunk, fld)] = gp
    d.growth_cells, d.growth_removed = set(), {}


def as_dict(gp: GrowthPointRecord) -> dict[str, Any]:
    return {"room_id": gp.room_id, "direction": gp.direction, "x": gp.x, "y": gp.y, "z": gp.z, "kind": gp.kind,
            "district_id": gp.district_id, "chunk": chunk_key(chunk_of(gp.x, gp.y))}


# --- the frontier around a player --------------------------------------------------------------------
def frontier_distance(game_map: Map, start: RoomState, limit: int) -> tuple[int | None, list[GrowthPointRecord]]:
    """(rooms to the nearest growth point within `limit` moves, or None; every growth point within
    `limit` moves, nearest first, road ends before lots). Walks exits; rooms not in memory end the walk."""
    seen = {start.id}
    queue: deque[tuple[str, int]] = deque([(start.id, 0)])
    found: list[tuple[int, GrowthPointRecord]] = []
    best: int | None = None
    while queue:
        rid, dist = queue.popleft()
        points = game_map.growth.get(rid)
        if points:
            best = dist if best is None else best
            found += [(dist, gp) for gp in points.values()]
        if dist >= limit:
            continue
        room = game_map.rooms.get(rid)
        for to in (room.exits.values() if room else ()):
            if to not in seen and to in game_map.rooms:
                seen.add(to)
                queue.append((to, dist + 1))
    found.sort(key=lambda t: (t[0], t[1].kind != "road_end", t[1].room_id, t[1].direction))
    return best, [gp for _, gp in found]


def nearby(game_map: Map, x: int, y: int, radius_chunks: int = 1, limit: int = 8,
           district_id: str | None = None) -> list[GrowthPointRecord]:
    """Growth points of rooms in memory within the chunks around (x, y), road ends first, then nearest."""
    cx, cy = chunk_of(x, y)
    points: list[GrowthPointRecord] = []
    for dy in range(-radius_chunks, radius_chunks + 1):
        for dx in range(-radius_chunks, radius_chunks + 1):
            for rid in game_map.by_chunk.get((cx + dx, cy + dy), ()):
                for gp in game_map.growth.get(rid, {}).values():
                    if district_id is None or gp.district_id == district_id:
                        points.append(gp)
    points.sort(key=lambda g: (g.kind != "road_end", abs(g.x - x) + abs(g.y - y), g.room_id, g.direction))
    return points[:limit]
