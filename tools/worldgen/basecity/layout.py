"""The map: 400 grid rooms (streets and block cells) plus the rooms above and below landmarks.

Streets run along every third row and column, so they form one connected grid; every other cell is a
building (or an alley) with a door onto a neighbouring street. Exits are only ever made in pairs.
"""

from __future__ import annotations

from typing import Any

from ouro_schemas.content import DIRECTIONS, OFFSET, OPPOSITE, Room

from .districts import AVENUES, STREET_TEXT, STREETS, district_at, is_street
from .ordinary import KIND_DETAILS, ORDINARY
from .places import FRONTIER, FRONTIER_TEXT, LANDMARK_STREETS, LEVELS, PLACES, Place
from .rng import Rng

SIZE = 20
Draft = dict[str, Any]


def grid_id(x: int, y: int) -> str:
    return f"x{x:02d}y{y:02d}"


def _draft(room_id: str, name: str, description: str, district: str, kind: str, x: int, y: int, z: int = 0,
           **extra: Any) -> Draft:
    return {"id": room_id, "name": name, "description": description, "district_id": district, "kind": kind,
            "x": x, "y": y, "z": z, "exits": [], "glitch_door": kind == "glitch", "tags": [], **extra}


def link(a: Draft, direction: str, b: Draft, key: str | None = None, *, a_says: str = "", b_says: str = "") -> None:
    """Join a to b in `direction` and b to a in the opposite one (locked both ways when a key is given)."""
    lock = {"locked": key is not None, "key_item_id": key}
    a["exits"].append({"direction": direction, "to": b["id"], "description": a_says, **lock})
    b["exits"].append({"direction": OPPOSITE[direction], "to": a["id"], "description": b_says, **lock})


def _street_name(x: int, y: int) -> str:
    if x in AVENUES and y in STREETS:
        return f"{AVENUES[x]} & {STREETS[y]}"
    if x in AVENUES:
        return f"{AVENUES[x]}, {y * 100} Block"
    return f"{STREETS[y]}, {x * 100} Block"


def _street(rng: Rng, x: int, y: int) -> Draft:
    district = district_at(x, y)
    if (x, y) in LANDMARK_STREETS:
        room_id, name, kind, text = LANDMARK_STREETS[(x, y)]
        room = _draft(room_id, name, text, district, kind, x, y)
        room["tags"].append("landmark")
        return room
    openings, details, ambience = STREET_TEXT[district]
    parts = [rng.pick(openings), rng.pick(details), rng.pick(ambience)]
    if x in AVENUES and y in STREETS:
        parts.insert(1, f"{AVENUES[x]} crosses {STREETS[y]} here.")
    tags = ["street"]
    if (x, y) in FRONTIER:
        parts.append(FRONTIER_TEXT[FRONTIER[(x, y)]])
        tags += ["frontier", f"frontier:{FRONTIER[(x, y)]}"]
    if district == "saltgrave_docks" and y == 0:
        parts.append("South of the seawall there is nothing but black water.")
        tags.append("waterfront")
    return _draft(grid_id(x, y), _street_name(x, y), " ".join(parts), district, "street", x, y, tags=tags)


def _ordinary(rng: Rng, x: int, y: int, used: set[str]) -> Draft:
    district = district_at(x, y)
    kind, _, names, texts = rng.weighted(ORDINARY[district], [e[1] for e in ORDINARY[district]])
    name = ""
    for _ in range(12):  # a few tries for a name not yet used in the city
        name = rng.pick(names).replace("{n}", str(rng.between(1, 40))).replace("{l}", rng.pick("ABCDEFGH"))
        if name not in used:
            break
    if kind != "alley":  # alleys may share a name; a second shop of one name is a branch
        base, branch = name, 2
        while name in used:
            name, branch = f"{base} (Branch {branch})", branch + 1
    used.add(name)
    room_id = grid_id(x, y)
    building = None if kind == "alley" else f"bld.{room_id}"
    text = rng.pick(texts)
    if kind in KIND_DETAILS:
        text += " " + rng.pick(KIND_DETAILS[kind])
    return _draft(room_id, name, text, district, kind, x, y, building_id=building)


def _landmark(place: Place) -> Draft:
    room = _draft(place.id, place.name, place.description, district_at(place.x, place.y), place.kind,
                  place.x, place.y, building_id=place.building, shop_id=place.shop)
    room["tags"] += list(place.tags)
    return room


def _street_doors(x: int, y: int) -> list[str]:
    """Directions from block cell (x, y) to the street cells next to it."""
    out = []
    for direction in ("n", "e", "s", "w"):
        dx, dy, _ = OFFSET[direction]
        nx, ny = x + dx, y + dy
        if 0 <= nx < SIZE and 0 <= ny < SIZE and is_street(nx, ny):
            out.append(direction)
    return out


def build_rooms(rng: Rng) -> list[Room]:
    """Every room of the base city, grid rooms first (row by row from the south-west), then levels."""
    places = {(p.x, p.y): p for p in PLACES}
    cells: dict[tuple[int, int], Draft] = {}
    used: set[str] = set()
    for y in range(SIZE):
        for x in range(SIZE):
            if is_street(x, y):
                cells[(x, y)] = _street(rng, x, y)
            elif (x, y) in places:
                cells[(x, y)] = _landmark(places[(x, y)])
            else:
                cells[(x, y)] = _ordinary(rng, x, y, used)
    for (x, y) in cells:
        _connect(rng, cells, places, x, y)
    rooms = list(cells.values())
    rooms += _levels({r["id"]: r for r in rooms})
    for room in rooms:  # list exits in compass order, whatever order they were made in
        room["exits"].sort(key=lambda ex: DIRECTIONS.index(ex["direction"]))
    return [Room.model_validate(r) for r in rooms]


def _connect(rng: Rng, cells: dict[tuple[int, int], Draft], places: dict[tuple[int, int], Place],
             x: int, y: int) -> None:
    """Exits of grid cell (x, y): a street links north and east to streets (each pair once); a building
    gets its door (a landmark its authored one), an alley a way out to every street beside it."""
    room = cells[(x, y)]
    if is_street(x, y):
        for direction in ("n", "e"):
            dx, dy, _ = OFFSET[direction]
            if (x + dx, y + dy) in cells and is_street(x + dx, y + dy):
                link(room, direction, cells[(x + dx, y + dy)])
        return
    doors = _street_doors(x, y)
    if (x, y) in places:
        if places[(x, y)].door not in doors:
            raise ValueError(f"{room['id']}: door {places[(x, y)].door} does not open onto a street")
        doors = [places[(x, y)].door]
    elif room["kind"] != "alley":
        doors = [rng.pick(doors)]
    for direction in doors:
        dx, dy, _ = OFFSET[direction]
        street = cells[(x + dx, y + dy)]
        link(room, direction, street, a_says=f"out to {street['name']}", b_says=room["name"])


def _levels(by_id: dict[str, Draft]) -> list[Draft]:
    out: list[Draft] = []
    for level in LEVELS:
        parent = by_id[level.parent]
        z = parent["z"] + (1 if level.way == "u" else -1)
        room = _draft(level.id, level.name, level.description, parent["district_id"], level.kind,
                      parent["x"], parent["y"], z, building_id=parent.get("building_id"))
        room["tags"] += list(level.tags)
        link(parent, level.way, room, level.key, a_says=level.name, b_says=parent["name"])
        by_id[level.id] = room
        out.append(room)
    return out
