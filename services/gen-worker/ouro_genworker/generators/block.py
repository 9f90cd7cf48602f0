"""City blocks: streets on grid cells grown from a growth point, with buildings off them.

Pipeline: 1. the link cell is the growth point's (x, y, z) — the cell the existing room's exit points
to; it must be free  2. street cells grow as a tree from the link cell through free cardinal
neighbours (straight runs are likelier; the growth point's direction is favoured, so the city sprawls
outward); a few extra exits between adjacent street cells make loops  3. every tree edge and loop is a
pair of exits; the link room also gets the exit back to the growth point's room  4. buildings open
off street cells onto free neighbouring cells (`building.build_building`)  5. an optional new
district  6. flavour: two street names per block (one per axis), alleys and plazas by shape.

Blocked cells: params `occupied` ([x, y, z] cells) and, when `bounds` is given, every z=0 cell inside
it except the link cell (the bounds are the existing city's footprint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ouro_flavor import THEMES, district_name, room_description, room_name, street_name
from ouro_genworker.generators.building import build_building
from ouro_genworker.generators.common import pick, theme_of, uid
from ouro_genworker.params import (
    Coord,
    as_int,
    p_bool,
    p_bounds,
    p_direction,
    p_id,
    p_int,
    p_occupied,
)
from ouro_genworker.types import Draft, Flavor, ParamError, Params, Rng
from ouro_schemas.content import OFFSET, OPPOSITE

NAME: Final = "block"
VERSION: Final = "1"

CARDINAL: Final = ("n", "s", "e", "w")


class Blocked:
    """Membership test for taken cells: explicit cells plus an optional z=0 rectangle."""

    def __init__(self, cells: set[Coord], bounds: tuple[int, int, int, int] | None, allow: Coord) -> None:
        self.cells = cells
        self.bounds = bounds
        self.allow = allow

    def __contains__(self, c: object) -> bool:
        if c in self.cells:
            return True
        if self.bounds is None or not isinstance(c, tuple) or c == self.allow or c[2] != 0:
            return False
        x0, x1, y0, y1 = self.bounds
        return bool(x0 <= c[0] <= x1 and y0 <= c[1] <= y1)

    def add(self, c: Coord) -> None:
        self.cells.add(c)


@dataclass(frozen=True, slots=True)
class GrowthPoint:
    room_id: str
    direction: str
    cell: Coord


def parse_growth_point(value: Any, name: str = "growth_point") -> GrowthPoint:
    if not isinstance(value, dict):
        raise ParamError(name, f"must be an object with room_id, direction, x, y, z, got {value!r}"[:160])
    try:
        direction = p_direction(value, "direction")
        room_id = p_id(value, "room_id", required=True)
        for key in ("x", "y"):
            if value.get(key) is None:
                raise ParamError(key, "is required")
        cell = (as_int(value["x"], "x"), as_int(value["y"], "y"), as_int(value.get("z", 0), "z"))
    except ParamError as exc:
        raise ParamError(f"{name}.{exc.param}", exc.problem) from None
    assert room_id and direction
    return GrowthPoint(room_id, direction, cell)


def grow_streets(rng: Rng, link: Coord, size: int, blocked: Blocked, prefer: str) -> list[tuple[Coord, int, str]]:
    """Street cells as a tree: (cell, parent index, direction from parent); the link cell first."""
    placed: list[tuple[Coord, int, str]] = [(link, -1, "")]
    taken = {link}
    weights = {d: (3.0 if d == prefer else 0.5 if d == OPPOSITE.get(prefer) else 1.0) for d in CARDINAL}
    last = 0
    for _ in range(size * 30):
        if len(placed) >= size:
            break
        if rng.random() < 0.6 and placed[last][2]:
            parent, d = last, placed[last][2]  # keep the street straight
        else:
            parent = int(rng.random() * len(placed))
            roll, acc, d = rng.random() * sum(weights.values()), 0.0, "n"
            for d in CARDINAL:
                acc += weights[d]
                if roll < acc:
                    break
        cell = placed[parent][0]
        dx, dy, _ = OFFSET[d]
        new = (cell[0] + dx, cell[1] + dy, cell[2])
        if new in taken or new in blocked:
            last = int(rng.random() * len(placed))
            continue
        placed.append((new, parent, d))
        taken.add(new)
        last = len(placed) - 1
    return placed


def _kind(n_links: int, is_link: bool) -> str:
    if is_link:
        return "street"
    return "plaza" if n_links >= 4 else "alley" if n_links == 1 else "street"


def found_district(rng: Rng, params: Params, threat: int) -> dict[str, Any]:
    faction_id = p_id(params, "faction_id")
    if faction_id is None:
        raise ParamError("faction_id", "is required when new_district is true")
    theme = theme_of(params) or pick(rng, THEMES)
    name = district_name(rng, theme)
    return {"id": f"district-{uid(rng)}", "name": name, "theme": theme, "threat_level": threat,
            "faction_id": faction_id, "color": f"#{int(rng.random() * 0xFFFFFF):06x}",
            "description": f"{name}: " + room_description(rng, kind="street", district_theme=theme)}


@dataclass(slots=True)
class BuiltBlock:
    block: dict[str, Any]
    buildings: list[dict[str, Any]]
    flavor: Flavor
    cells: set[Coord]
    by_cell: dict[Coord, dict[str, Any]]


def build_block(rng: Rng, params: Params, gp: GrowthPoint, blocked: Blocked, *, district_id: str,
                new_district: dict[str, Any] | None, size: int, n_buildings: int, theme: str,
                threat: int) -> BuiltBlock:
    """One block off `gp`; raises ParamError when the link cell is taken. Adds its cells to `blocked`."""
    if gp.cell in blocked.cells:
        raise ParamError("growth_point", f"the link cell {list(gp.cell)} is occupied")
    dx, dy, dz = OFFSET[gp.direction]
    blocked.add((gp.cell[0] - dx, gp.cell[1] - dy, gp.cell[2] - dz))  # the growth point's own room
    cells = grow_streets(rng, gp.cell, size, blocked, gp.direction)
    block_id = f"block-{uid(rng)}"
    ids = [f"{block_id}-s{i}" for i in range(len(cells))]
    index = {c[0]: i for i, c in enumerate(cells)}
    names = {"ew": street_name(rng), "ns": street_name(rng)}
    rooms: list[dict[str, Any]] = [
        {"id": ids[i], "name": "", "description": "", "district_id": district_id, "kind": "street",
         "x": c[0], "y": c[1], "z": c[2], "exits": []} for i, (c, _p, _d) in enumerate(cells)
    ]
    rooms[0]["exits"].append({"direction": OPPOSITE[gp.direction], "to": gp.room_id})
    for i, (_c, parent, d) in enumerate(cells[1:], start=1):
        rooms[parent]["exits"].append({"direction": d, "to": ids[i]})
        rooms[i]["exits"].append({"direction": OPPOSITE[d], "to": ids[parent]})
    # Loops: adjacent street cells not yet linked, sometimes joined (only n and e, so each pair once).
    for i, (c, _p, _d) in enumerate(cells):
        for d in ("n", "e"):
            dx, dy, _ = OFFSET[d]
            j = index.get((c[0] + dx, c[1] + dy, c[2]))
            used = {e["direction"] for e in rooms[i]["exits"]}
            if j is not None and d not in used and rng.random() < 0.35:
                rooms[i]["exits"].append({"direction": d, "to": ids[j]})
                rooms[j]["exits"].append({"direction": OPPOSITE[d], "to": ids[i]})
    for i, room in enumerate(rooms):
        kind = _kind(len(room["exits"]), i == 0)
        room["kind"] = kind
        axis = "ns" if any(e["direction"] in ("n", "s") for e in room["exits"]) and not any(
            e["direction"] in ("e", "w") for e in room["exits"]) else "ew"
        room["name"] = names[axis] if kind == "street" else room_name(rng, kind=kind, district_theme=theme)
        room["description"] = room_description(rng, kind=kind, district_theme=theme)
    taken = {c[0] for c in cells}
    for c in taken:
        blocked.add(c)
    buildings = _buildings(rng, params, rooms, cells, blocked, taken, n_buildings, district_id, theme, threat)
    block = {"id": block_id, "district_id": district_id, "new_district": new_district,
             "growth_point": {"room_id": gp.room_id, "direction": gp.direction, "x": gp.cell[0], "y": gp.cell[1],
                              "z": gp.cell[2]},
             "rooms": rooms}
    flavor: Flavor = {"street_names": list(names.values()), "room_names": [r["name"] for r in rooms],
                      "room_descriptions": [r["description"] for r in rooms],
                      "building_names": [str(b["name"]) for b in buildings]}
    if new_district:
        flavor["district_name"] = new_district["name"]
        flavor["district_description"] = new_district["description"]
    return BuiltBlock(block, buildings, flavor, taken, {c[0]: rooms[i] for i, c in enumerate(cells)})


def _buildings(rng: Rng, params: Params, rooms: list[dict[str, Any]], cells: list[tuple[Coord, int, str]],
               blocked: Blocked, taken: set[Coord], n: int, district_id: str, theme: str,
               threat: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(n * 6):
        if len(out) >= n:
            break
        i = int(rng.random() * len(cells))
        cell = cells[i][0]
        d = pick(rng, CARDINAL)
        dx, dy, _ = OFFSET[d]
        door = (cell[0] + dx, cell[1] + dy, cell[2])
        if door in blocked or any(e["direction"] == d for e in rooms[i]["exits"]):
            continue
        built = build_building(rng, street_room_id=rooms[i]["id"], street_cell=cell, direction=d,
                               district_id=district_id, blocked=blocked, theme=theme,
                               threat_level=threat, with_npcs=False)
        rooms[i]["exits"].append({"direction": d, "to": built.building["entrance_room_id"]})
        for c in built.cells:
            blocked.add(c)
            taken.add(c)
        out.append(built.building)
    return out


def block_settings(params: Params) -> tuple[int, int, int, str]:
    threat = p_int(params, "threat_level", 3, 1, 10)
    size = p_int(params, "size", 0, 0, 200) or p_int(params, "rooms", 0, 0, 200)  # the director says "rooms"
    n_buildings = p_int(params, "buildings", -1, -1, 20)
    return threat, size, n_buildings, theme_of(params)


def generate(params: Params, rng: Rng) -> Draft:
    if params.get("growth_point") is None:
        raise ParamError("growth_point", "is required ({room_id, direction, x, y, z})")
    gp = parse_growth_point(params["growth_point"])
    blocked = Blocked(p_occupied(params), p_bounds(params), gp.cell)
    threat, size, n_buildings, theme = block_settings(params)
    new = found_district(rng, params, threat) if p_bool(params, "new_district", False) else None
    district_id = new["id"] if new else p_id(params, "district_id")
    if district_id is None:
        raise ParamError("district_id", "is required unless new_district is true")
    size = size or 6 + int(rng.random() * 9)
    n_buildings = n_buildings if n_buildings >= 0 else int(rng.random() * 4)
    built = build_block(rng, params, gp, blocked, district_id=district_id, new_district=new, size=size,
                        n_buildings=n_buildings, theme=new["theme"] if new else theme, threat=threat)
    tags: dict[str, str | int | float] = {"district": district_id, "rooms": len(built.block["rooms"]),
                                          "buildings": len(built.buildings), "threatLevel": threat}
    if new:
        tags["new_district"] = new["id"]
    return Draft(payload={"block": built.block, "buildings": built.buildings}, flavor=built.flavor, tags=tags,
                 dependencies=[gp.room_id])
