"""Moving through exits, and the world events a player's move produces.

Player moves emit: entered room, entered district (on a district change), near the edge (when the
move brings the player closer to the map bounds, within `edge_distance`), and — for a direction
with no exit from a room on the frontier — dead end hit. District population changes are tracked
by `DistrictTracker` (empty / populated / crowded transitions).
"""

from __future__ import annotations

from collections import defaultdict

from ouro_engine import components as k
from ouro_engine import quests
from ouro_engine.game import Game
from ouro_engine.rooms import RoomState
from ouro_schemas import content as c
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
    """Players per district; emits DISTRICT_EMPTY / POPULATED / CROWDED on threshold crossings."""

    def __init__(self, game: Game) -> None:
        self.game = game
        self.players: dict[str, int] = defaultdict(int)

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
        self.game.emit(kind, district_id=district_id, data={"players": after})


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
            x, y, z = room.coords
            game.emit(EventKind.DEAD_END_HIT, player_id=pid, room_id=room.id, district_id=room.district_id,
                      data={"direction": direction, "x": x, "y": y, "z": z})
        return problem
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
    dist = game.map.edge_distance(room)
    prev = game.map.edge_distance(before) if before else dist + 1
    if dist <= game.settings.edge_distance and dist < prev:
        x, y, z = room.coords
        # The engine knows the map: it names the growth point the city should grow at for this player.
        game.emit(EventKind.PLAYER_NEAR_EDGE, player_id=pid, room_id=room.id, district_id=room.district_id,
                  data={"distance": dist, "x": x, "y": y, "z": z, "bounds": list(game.map.bounds),
                        "growth_point": game.map.nearest_growth_point(room)})
    quests.on_enter(game, pid, room.id)


def npc_step(game: Game, eid: str, room: RoomState, direction: str) -> None:
    target = room.exits[direction]
    name = game.name_of(eid)
    game.tell_room(room.id, f"{name} leaves {FULL.get(direction, direction)}.")
    game.world.move(eid, target)
    game.tell_room(target, f"{name} arrives.")
