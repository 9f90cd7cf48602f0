"""The map: rooms on a coordinate grid, their exits and runtime changes (locks, added text).

A room's Redis JSON is the `content.Room` JSON plus runtime fields: `locked_exits`, `description_add`
`added_exits` (direction -> id of the patch that added it: only that patch's inverse may remove it)
and `added_by` (the patch that added the room; only its inverse may remove the room).
"""

from __future__ import annotations

from typing import Any

import msgspec

from ouro_schemas import content as c


class RoomState(msgspec.Struct, kw_only=True):
    id: str
    data: dict[str, Any]  # content.Room JSON without exits
    exits: dict[str, str]  # direction -> room id
    exit_data: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)  # direction -> Exit JSON
    locked_exits: list[str] = msgspec.field(default_factory=list)
    description_add: list[str] = msgspec.field(default_factory=list)
    added_exits: dict[str, str] = msgspec.field(default_factory=dict)
    added_by: str | None = None  # the patch that added the room (None: base content)

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
    return {**room.data, "exits": exits, "locked_exits": list(room.locked_exits),
            "description_add": list(room.description_add), "added_exits": dict(room.added_exits),
            "added_by": room.added_by}


def room_from_json(data: dict[str, Any]) -> RoomState:
    data = dict(data)
    locked = data.pop("locked_exits", [])
    added_text = data.pop("description_add", [])
    added_exits = data.pop("added_exits", {})
    added_by = data.pop("added_by", None)
    room = room_from_model(c.Room.model_validate(data))
    room.locked_exits = list(locked)
    room.description_add = list(added_text)
    room.added_exits = dict(added_exits)
    room.added_by = added_by
    return room


class Map:
    def __init__(self) -> None:
        self.rooms: dict[str, RoomState] = {}
        self.coord: dict[tuple[int, int, int], str] = {}
        self.bounds = (0, 0, 0, 0)  # min_x, max_x, min_y, max_y
        self.version = 0  # bumped on every change (rooms, exits, locks): caches key on it

    def add(self, room: RoomState) -> None:
        self.version += 1
        self.rooms[room.id] = room
        self.coord[room.coords] = room.id
        self._rebound()

    def remove(self, room_id: str) -> RoomState | None:
        self.version += 1
        room = self.rooms.pop(room_id, None)
        if room is not None and self.coord.get(room.coords) == room_id:
            del self.coord[room.coords]
            self._rebound()
        return room

    def _rebound(self) -> None:
        if not self.coord:
            self.bounds = (0, 0, 0, 0)
            return
        xs = [k[0] for k in self.coord]
        ys = [k[1] for k in self.coord]
        self.bounds = (min(xs), max(xs), min(ys), max(ys))

    def get(self, room_id: str) -> RoomState | None:
        return self.rooms.get(room_id)

    def edge_distance(self, room: RoomState) -> int:
        """Rooms between this one and the nearest side of the map's bounding box."""
        x, y, _ = room.coords
        min_x, max_x, min_y, max_y = self.bounds
        return min(x - min_x, max_x - x, y - min_y, max_y - y)

    def is_frontier(self, room: RoomState, direction: str) -> bool:
        """No room exists at the grid cell in `direction`: the city could grow there."""
        dx, dy, dz = c.OFFSET[direction]
        x, y, z = room.coords
        return (x + dx, y + dy, z + dz) not in self.coord

    def nearest_growth_point(self, room: RoomState) -> dict[str, Any] | None:
        """The growth point nearest `room`: a street that ends at the edge first (roads grow on), then
        any edge lot; ties broken by room id and direction so the choice is reproducible."""
        x0, y0, _ = room.coords
        best: tuple[int, int, str, str] | None = None
        found: dict[str, Any] | None = None
        for gp in self.growth_points(limit=None):
            candidate = self.rooms[gp["room_id"]]
            road = 0 if candidate.data.get("kind") == "street" or "frontier" in candidate.data.get("tags", ()) else 1
            key = (road, abs(gp["x"] - x0) + abs(gp["y"] - y0), gp["room_id"], gp["direction"])
            if best is None or key < best:
                best, found = key, gp
        return found

    def growth_points(self, limit: int | None = 50) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for room in self.rooms.values():
            if self.edge_distance(room) > 0:
                continue
            for direction in ("n", "s", "e", "w"):
                if direction not in room.exits and self.is_frontier(room, direction):
                    dx, dy, _ = c.OFFSET[direction]
                    x, y, z = room.coords
                    out.append({"room_id": room.id, "direction": direction, "x": x + dx, "y": y + dy, "z": z})
                    if limit is not None and len(out) >= limit:
                        return out
        return out
