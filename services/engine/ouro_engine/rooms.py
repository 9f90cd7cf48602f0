"""The map: rooms on an unbounded coordinate grid in 20×20 chunks, their exits and runtime changes
(locks, added text). Only some chunks are in memory (`chunks.py` loads and unloads them).

A room's Redis JSON is the `content.Room` JSON plus runtime fields: `locked_exits`, `description_add`
`added_exits` (direction -> id of the patch that added it: only that patch's inverse may remove it)
and `added_by` (the patch that added the room; only its inverse may remove the room).
"""

from __future__ import annotations

from typing import Any

import msgspec

from ouro_schemas import content as c
from ouro_schemas.chunks import Chunk, ChunkMeta, DistrictShare, GrowthPointRecord, chunk_of


class RoomState(msgspec.Struct, kw_only=True):
    id: str
    data: dict[str, Any]  # content.Room JSON without exits
    exits: dict[str, str]  # direction -> room id
    exit_data: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)  # direction -> Exit JSON
    locked_exits: list[str] = msgspec.field(default_factory=list)
    description_add: list[str] = msgspec.field(default_factory=list)
    added_exits: dict[str, str] = msgspec.field(default_factory=dict)
    added_by: str | None = None  # the patch that added the room (None: base content)
    owner_id: str | None = None  # a player who owns the room (rent, purchase): never removed by a patch

    @property
    def district_id(self) -> str:
        return str(self.data["district_id"])

    @property
    def coords(self) -> tuple[int, int, int]:
        return int(self.data["x"]), int(self.data["y"]), int(self.data.get("z", 0))

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def origin(self) -> str:
        return str(self.data.get("origin", "base"))


def room_from_model(room: c.Room) -> RoomState:
    data = room.model_dump(mode="json")
    exits = data.pop("exits")
    locked = [ex["direction"] for ex in exits if ex.get("locked")]
    return RoomState(id=room.id, data=data, exits={ex["direction"]: ex["to"] for ex in exits},
                     exit_data={ex["direction"]: ex for ex in exits}, locked_exits=locked)


def room_to_json(room: RoomState) -> dict[str, Any]:
    exits = []
    for direction, to in room.exits.items():
        ex = dict(room.exit_data.get(direction, {"direction": direction, "to": to}))
        ex["to"] = to
        ex["locked"] = direction in room.locked_exits
        exits.append(ex)
    out = {**room.data, "exits": exits, "locked_exits": list(room.locked_exits),
           "description_add": list(room.description_add), "added_exits": dict(room.added_exits),
           "added_by": room.added_by}
    if room.owner_id is not None:
        out["owner_id"] = room.owner_id
    return out


def room_from_json(data: dict[str, Any]) -> RoomState:
    data = dict(data)
    locked = data.pop("locked_exits", [])
    added_text = data.pop("description_add", [])
    added_exits = data.pop("added_exits", {})
    added_by = data.pop("added_by", None)
    owner = data.pop("owner_id", None)
    room = room_from_model(c.Room.model_validate(data))
    room.locked_exits = list(locked)
    room.description_add = list(added_text)
    room.added_exits = dict(added_exits)
    room.added_by = added_by
    room.owner_id = owner
    return room


def room_from_stored(data: dict[str, Any]) -> RoomState:
    """A room from its Redis JSON without re-validating it (it was validated when a patch or the base
    world added it): the chunk loader's fast path, ~10x quicker than `room_from_json`."""
    data = dict(data)
    exits = data.pop("exits", [])
    locked = data.pop("locked_exits", None)
    added_text = data.pop("description_add", [])
    added_exits = data.pop("added_exits", {})
    added_by = data.pop("added_by", None)
    owner = data.pop("owner_id", None)
    return RoomState(id=data["id"], data=data, exits={ex["direction"]: ex["to"] for ex in exits},
                     exit_data={ex["direction"]: ex for ex in exits},
                     locked_exits=list(locked) if locked is not None else [
                         ex["direction"] for ex in exits if ex.get("locked")],
                     description_add=list(added_text), added_exits=dict(added_exits), added_by=added_by,
                     owner_id=owner)


class Map:
    """The rooms in memory, indexed by id, by cell and by chunk, plus what is known of every chunk.

    `meta` knows every chunk of the world (loaded or not: its room count, bounds, districts); `loaded`
    are the chunks whose rooms are in `rooms`. A chunk missing from `meta` has no rooms at all, so it
    counts as loaded (there is nothing to read). Adding or removing a room marks its chunk `stale`;
    `refresh_meta` recomputes the figures of stale chunks from their rooms.
    """

    def __init__(self) -> None:
        self.rooms: dict[str, RoomState] = {}
        self.coord: dict[tuple[int, int, int], str] = {}
        self.by_chunk: dict[Chunk, set[str]] = {}
        self.meta: dict[Chunk, ChunkMeta] = {}
        self.loaded: set[Chunk] = set()
        self.stale: set[Chunk] = set()
        self.unwritten: set[Chunk] = set()  # chunks whose figures changed since the last flush took them
        # Growth points of rooms in memory: room id -> direction -> growth point (growth.py keeps them).
        self.growth: dict[str, dict[str, GrowthPointRecord]] = {}
        self.version = 0  # bumped on every change (rooms, exits, locks): caches key on it
        self._bounds: tuple[int, int, int, int] | None = (0, 0, 0, 0)

    # --- rooms --------------------------------------------------------------------------------------
    def add(self, room: RoomState) -> None:
        """A new room (base content or a patch): its chunk's figures are recomputed at the next flush."""
        chunk = self._put(room)
        self.stale.add(chunk)
        self._bounds = None

    def _put(self, room: RoomState) -> Chunk:
        self.version += 1
        self.rooms[room.id] = room
        self.coord[room.coords] = room.id
        x, y, _ = room.coords
        chunk = chunk_of(x, y)
        self.by_chunk.setdefault(chunk, set()).add(room.id)
        self.loaded.add(chunk)
        return chunk

    def remove(self, room_id: str) -> RoomState | None:
        self.version += 1
        room = self.rooms.pop(room_id, None)
        if room is None:
            return None
        if self.coord.get(room.coords) == room_id:
            del self.coord[room.coords]
        chunk = chunk_of(room.coords[0], room.coords[1])
        self.by_chunk.get(chunk, set()).discard(room_id)
        self.growth.pop(room_id, None)
        self.stale.add(chunk)
        self._bounds = None
        return room

    def get(self, room_id: str) -> RoomState | None:
        return self.rooms.get(room_id)

    # --- chunks -------------------------------------------------------------------------------------
    def is_loaded(self, chunk: Chunk) -> bool:
        return chunk in self.loaded or chunk not in self.meta

    def insert_loaded(self, chunk: Chunk, rooms: list[RoomState],
                      growth: dict[str, dict[str, GrowthPointRecord]]) -> None:
        """A chunk read from Redis: its rooms and growth points, figures unchanged (nothing is dirty)."""
        for room in rooms:
            if room.id not in self.rooms:
                self._put(room)
        for rid, points in growth.items():
            if rid in self.rooms:
                self.growth[rid] = points
        self.loaded.add(chunk)

    def evict(self, chunk: Chunk) -> list[str]:
        """Forget a chunk's rooms (they stay in Redis); returns their ids."""
        ids = sorted(self.by_chunk.pop(chunk, set()))
        for rid in ids:
            room = self.rooms.pop(rid, None)
            self.growth.pop(rid, None)
            if room is not None and self.coord.get(room.coords) == rid:
                del self.coord[room.coords]
        self.loaded.discard(chunk)
        self.version += 1
        return ids

    def cell_free(self, cell: tuple[int, int, int]) -> bool | None:
        """True: no room there; False: a room; None: unknown (its chunk is not in memory)."""
        if cell in self.coord:
            return False
        return True if self.is_loaded(chunk_of(cell[0], cell[1])) else None

    def is_frontier(self, room: RoomState, direction: str) -> bool:
        """No room exists at the grid cell in `direction` (as far as the engine knows): the city could grow."""
        dx, dy, dz = c.OFFSET[direction]
        x, y, z = room.coords
        return self.cell_free((x + dx, y + dy, z + dz)) is True

    def refresh_meta(self) -> set[Chunk]:
        """Recompute the figures of chunks whose rooms changed; returns them (their meta may be gone)."""
        changed, self.stale = self.stale, set()
        self.unwritten |= changed
        for chunk in changed:
            ids = self.by_chunk.get(chunk, set())
            if not ids:
                self.meta.pop(chunk, None)
                self.by_chunk.pop(chunk, None)
                continue
            old = self.meta.get(chunk)
            self.meta[chunk] = chunk_meta(self, ids, old.npcs if old else {})
        if changed:
            self._bounds = None
        return changed

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """(min_x, max_x, min_y, max_y) of every room in the world, loaded or not."""
        if self._bounds is None:
            self.refresh_meta()
            metas = list(self.meta.values())
            if not metas:
                self._bounds = (0, 0, 0, 0)
            else:
                self._bounds = (min(m.bounds[0] for m in metas), max(m.bounds[1] for m in metas),
                                min(m.bounds[2] for m in metas), max(m.bounds[3] for m in metas))
        return self._bounds

    def room_count(self) -> int:
        """Rooms in the whole world (from the chunk figures)."""
        return sum(m.rooms for m in self.meta.values())


def chunk_meta(game_map: Map, ids: set[str], npcs: dict[str, int]) -> ChunkMeta:
    xs: list[int] = []
    ys: list[int] = []
    districts: dict[str, DistrictShare] = {}
    growth = 0
    for rid in sorted(ids):  # sorted: the same rooms give the same JSON (undo restores it byte for byte)
        room = game_map.rooms[rid]
        x, y, _ = room.coords
        xs.append(x)
        ys.append(y)
        share = districts.setdefault(room.district_id, DistrictShare())
        share.rooms += 1
        share.sum_x += x
        share.sum_y += y
        growth += len(game_map.growth.get(rid, ()))
    return ChunkMeta(rooms=len(ids), bounds=(min(xs), max(xs), min(ys), max(ys)),
                     districts=dict(sorted(districts.items())), npcs=dict(sorted(npcs.items())), growth=growth)
