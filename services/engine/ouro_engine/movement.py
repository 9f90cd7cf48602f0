"""Moving through exits, and the world events a player's move produces (edge and pressure detection).

Player moves emit: entered room, entered district (on a district change), near the edge (the move
brings the player closer to the frontier — the nearest growth point, counted in moves — and within
`edge_distance`), and — for a compass direction with no exit toward an empty cell — dead end hit,
with how often that dead end was hit within `dead_end_window_s` and by how many players. District
population changes are tracked by `DistrictTracker` (empty / populated / crowded transitions; the
crowded event carries the district's size, its density and a growth point of the district).
Every event carries its figures in `data` (docs/contracts.md).
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

from ouro_engine import components as k
from ouro_engine import growth, quests
from ouro_engine.game import Game
from ouro_engine.rooms import RoomState
from ouro_schemas import content as c
from ouro_schemas.chunks import chunk_key, chunk_of
from ouro_schemas.messages import EventKind

ALIASES = {
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
    "southeast": "se", "southwest": "sw", "up": "u", "down": "d",
}
FULL = {v: k_ for k_, v in ALIASES.items()}


def parse_direction(word: str) -> str | None:
    word = word.strip().lower()
    if word in c.DIRECTIONS:
        return word
    return ALIASES.get(word)


class DistrictTracker:
    """Players per district; emits DISTRICT_EMPTY / POPULATED / CROWDED on threshold crossings; counts
    dead-end hits per (room, direction) over a sliding window."""

    def __init__(self, game: Game) -> None:
        self.game = game
        self.players: dict[str, int] = defaultdict(int)
        self.dead_ends: dict[tuple[str, str], deque[tuple[float, str]]] = {}

    def _level(self, n: int) -> int:
        return 0 if n == 0 else (2 if n >= self.game.settings.crowded_players else 1)

    def change(self, district_id: str | None, delta: int) -> None:
        if district_id is None:
            return
        before = self.players[district_id]
        after = max(0, before + delta)
        self.players[district_id] = after
        self.game.dirty.districts = True
        old, new = self._level(before), self._level(after)
        if old == new:
            return
        kind = {0: EventKind.DISTRICT_EMPTY, 1: EventKind.DISTRICT_POPULATED, 2: EventKind.DISTRICT_CROWDED}[new]
        data: dict[str, Any] = {"players": after}
        if kind == EventKind.DISTRICT_CROWDED:
            data.update(self.crowding(district_id, after))
        self.game.emit(kind, district_id=district_id, data=data)

    def crowding(self, district_id: str, players: int) -> dict[str, Any]:
        """The figures of a crowded district: threshold, rooms, players per 100 rooms, where to grow."""
        game = self.game
        rooms = sum(share.rooms for meta in game.map.meta.values()
                    for did, share in meta.districts.items() if did == district_id)
        where = [room.coords for _e, (_on, pos) in game.world.query(k.Online, k.Position)
                 if (room := game.map.get(pos.room_id)) is not None and room.district_id == district_id]
        x = round(sum(w[0] for w in where) / len(where)) if where else 0
        y = round(sum(w[1] for w in where) / len(where)) if where else 0
        points = growth.nearby(game.map, x, y, radius_chunks=2, limit=6, district_id=district_id)
        return {"threshold": game.settings.crowded_players, "rooms": rooms,
                "density": round(100 * players / rooms, 2) if rooms else None,
                "growth_point": growth.as_dict(points[0]) if points else None,
                "growth_points": [growth.as_dict(gp) for gp in points]}

    def dead_end(self, room: RoomState, direction: str, pid: str) -> dict[str, Any]:
        """Count a hit; returns the figures: hits and distinct players within the window."""
        now = self.game.now
        window = self.game.settings.dead_end_window_s
        hits = self.dead_ends.setdefault((room.id, direction), deque())
        hits.append((now, pid))
        while hits and hits[0][0] < now - window:
            hits.popleft()
        if len(self.dead_ends) > 10_000:  # forget the coldest dead ends rather than grow without bound
            for key in [key for key, q in self.dead_ends.items() if not q or q[-1][0] < now - window]:
                del self.dead_ends[key]
        return {"hits": len(hits), "players": len({p for _, p in hits}), "window_s": window}


def exit_blocked(room: RoomState, direction: str) -> str | None:
    if direction not in room.exits:
        return "You can't go that way."
    if direction in room.locked_exits:
        return "The way is locked."
    return None


def move_player(game: Game, tracker: DistrictTracker, pid: str, direction: str) -> str | None:
    """Move through an exit; returns an error message, or None when the player moved."""
    room = game.room_of(pid)
    if room is None:
        return "You are nowhere."
    problem = exit_blocked(room, direction)
    if problem is not None:
        if direction not in room.exits and direction not in ("u", "d") and game.map.is_frontier(room, direction):
            report_dead_end(game, tracker, pid, room, direction)
        return problem
    target = game.map.get(room.exits[direction])
    if target is None:  # its chunk is not in memory yet (the prefetch runs behind a fast walker): read it
        dx, dy, dz = c.OFFSET[direction]
        x, y, z = room.coords
        game.chunks.ensure_cell((x + dx, y + dy, z + dz))
        target = game.map.get(room.exits[direction])
    if target is None:
        return "That way leads nowhere (yet)."
    if game.world.has(pid, k.Fighting):
        game.world.remove(pid, k.Fighting)
    name = game.name_of(pid)
    game.tell_room(room.id, f"{name} leaves {FULL.get(direction, direction)}.", exclude=(pid,))
    game.world.move(pid, target.id)
    game.tell_room(target.id, f"{name} arrives.", exclude=(pid,))
    entered(game, tracker, pid, room, target)
    return None


def entered(game: Game, tracker: DistrictTracker, pid: str, before: RoomState | None, room: RoomState) -> None:
    game.emit(EventKind.PLAYER_ENTERED_ROOM, player_id=pid, room_id=room.id, district_id=room.district_id,
              data={"from": before.id if before else None})
    if before is None or before.district_id != room.district_id:
        game.emit(EventKind.PLAYER_ENTERED_DISTRICT, player_id=pid, room_id=room.id,
                  district_id=room.district_id, data={"from": before.district_id if before else None})
        tracker.change(before.district_id if before else None, -1)
        tracker.change(room.district_id, +1)
    report_near_edge(game, pid, before, room)
    quests.on_enter(game, pid, room.id)


def report_dead_end(game: Game, tracker: DistrictTracker, pid: str, room: RoomState, direction: str) -> None:
    x, y, z = room.coords
    gp = game.map.growth.get(room.id, {}).get(direction)
    game.emit(EventKind.DEAD_END_HIT, player_id=pid, room_id=room.id, district_id=room.district_id,
              data={"direction": direction, "x": x, "y": y, "z": z, **tracker.dead_end(room, direction, pid),
                    "growth_point": growth.as_dict(gp) if gp else None})


def report_near_edge(game: Game, pid: str, before: RoomState | None, room: RoomState) -> None:
    """A player within `edge_distance` moves of the frontier, and closer than before: name where to grow."""
    limit = game.settings.edge_distance
    dist, found = growth.frontier_distance(game.map, room, limit)
    if dist is None:
        return
    prev = growth.frontier_distance(game.map, before, limit)[0] if before is not None else None
    if prev is not None and dist >= prev:
        return
    x, y, z = room.coords
    around = growth.nearby(game.map, x, y, radius_chunks=1, limit=8)
    candidates = found[:8] + [gp for gp in around if gp not in found[:8]]
    # The engine knows the map: it names the growth point the city should grow at for this player, and
    # the others near, for the director to choose by its sliders.
    game.emit(EventKind.PLAYER_NEAR_EDGE, player_id=pid, room_id=room.id, district_id=room.district_id,
              data={"distance": dist, "x": x, "y": y, "z": z, "chunk": chunk_key(chunk_of(x, y)),
                    "bounds": list(game.map.bounds), "chunks": len(game.map.meta),
                    "growth_point": growth.as_dict(found[0]),
                    "growth_points": [growth.as_dict(gp) for gp in candidates[:12]]})


def npc_step(game: Game, eid: str, room: RoomState, direction: str) -> None:
    target = room.exits[direction]
    name = game.name_of(eid)
    game.tell_room(room.id, f"{name} leaves {FULL.get(direction, direction)}.")
    game.world.move(eid, target)
    game.tell_room(target, f"{name} arrives.")
