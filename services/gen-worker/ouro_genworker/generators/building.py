"""Buildings: an entrance off an existing street room, interior rooms above (and for some, below) it.

Pipeline: 1. the entrance cell is the street room's cell + the offset of `direction`; it must be free
2. storefront (param, else drawn) sets the room count, room kinds, hooks and residents
3. rooms grow one at a time from a random placed room, through a free neighbouring cell: up and down
at the entrance's column, sideways only off the street level (so a building never eats street cells);
every step adds a pair of exits  4. the entrance gets the exit back to the street room (the street
room's exit into the building is the publisher's AddExit)  5. residents (shopkeeper, guards, a boss)
as NPC archetypes placed in rooms, plus `spawn:`/`shop:` hooks  6. flavour for every room.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any, Final

from ouro_flavor import building_name, room_description, room_name
from ouro_genworker.generators.common import pick, theme_of, uid, weighted
from ouro_genworker.generators.npc import build_npc
from ouro_genworker.params import (
    Coord,
    as_int,
    p_choice,
    p_direction,
    p_float,
    p_id,
    p_int,
    p_occupied,
)
from ouro_genworker.types import Draft, Flavor, ParamError, Params, Rng
from ouro_schemas.content import NPC_ROLES, OFFSET, OPPOSITE

NAME: Final = "building"
VERSION: Final = "1"


@dataclass(frozen=True, slots=True)
class Storefront:
    rooms: tuple[int, int]  # min, max room count
    entrance: str  # RoomKind of the entrance
    inner: tuple[str, ...]  # RoomKinds of the other rooms
    keeper: str | None  # NPC role running it (None: no shop)
    residents: tuple[str, ...] = ()  # other NPC roles living there
    down: bool = False  # may grow basements
    hooks: tuple[str, ...] = field(default=())


STOREFRONTS: Final[dict[str, Storefront]] = {
    "shop": Storefront((1, 3), "shop", ("warehouse", "office"), "vendor"),
    "weapons": Storefront((1, 3), "shop", ("warehouse",), "vendor", ("corp_security",)),
    "cyberware": Storefront((1, 3), "clinic", ("clinic", "office"), "medic"),
    "bar": Storefront((2, 4), "bar", ("bar", "apartment", "rooftop"), "bartender", ("civilian",),
                      hooks=("quest_board",)),
    "club": Storefront((2, 5), "bar", ("bar", "lobby", "rooftop"), "bartender", ("ganger", "civilian")),
    "clinic": Storefront((2, 3), "clinic", ("clinic", "office"), "medic"),
    "food": Storefront((1, 2), "shop", ("apartment",), "vendor"),
    "pawn": Storefront((1, 2), "shop", ("warehouse",), "vendor"),
    "hotel": Storefront((3, 7), "lobby", ("apartment", "rooftop"), "vendor"),
    "apartment": Storefront((3, 8), "lobby", ("apartment", "rooftop"), None, ("civilian",)),
    "office": Storefront((3, 8), "lobby", ("office", "rooftop"), None, ("corp_security",)),
    "hq": Storefront((4, 10), "lobby", ("office", "warehouse", "rooftop"), None, ("fixer", "corp_security"),
                     hooks=("hq",)),
    "dungeon": Storefront((4, 10), "warehouse", ("warehouse", "subway", "glitch"), None, ("ganger", "boss"),
                          down=True, hooks=("dungeon",)),
}
_KINDS: Final = tuple(STOREFRONTS)
_WEIGHTS: Final = (3, 2, 2, 3, 1.5, 2, 2, 2, 1, 3, 2, 0.7, 0.7)
_FLAVOR_FRONT: Final = {"shop": "pawn", "dungeon": "garage"}  # the flavour library's word for it
# Other words for a storefront (the director says "apartments", the flavour library "ripperdoc", …).
ALIASES: Final = {
    "apartments": "apartment", "residential": "apartment", "flats": "apartment", "headquarters": "hq",
    "ripperdoc": "cyberware", "chrome": "cyberware", "gun_shop": "weapons", "weapon": "weapons",
    "nightclub": "club", "noodle_shop": "food", "restaurant": "food", "corp_office": "office",
    "capsule_hotel": "hotel", "store": "shop", "junk": "pawn", "medic": "clinic", "hospital": "clinic",
}


def p_storefront(params: Params) -> str | None:
    value = params.get("storefront")
    if isinstance(value, str) and value in ALIASES:
        return ALIASES[value]
    return p_choice(params, "storefront", _KINDS)


@dataclass(slots=True)
class Built:
    building: dict[str, Any]
    npcs: list[dict[str, Any]]
    placements: dict[str, str]
    flavor: Flavor
    cells: set[Coord]


def _grow(rng: Rng, entrance: Coord, n: int, blocked: Container[Coord], street: Coord, down: bool) -> list[tuple[Coord, int, str]]:
    """Cells for n rooms: (cell, parent index, direction from the parent). The entrance has parent -1."""
    placed: list[tuple[Coord, int, str]] = [(entrance, -1, "")]
    taken = {entrance}
    dirs = ["u", "n", "s", "e", "w"] + (["d"] if down else [])
    weights = [3.0, 1.0, 1.0, 1.0, 1.0] + ([2.0] if down else [])
    for _ in range(n * 25):
        if len(placed) >= n:
            break
        parent = int(rng.random() * len(placed))
        cell = placed[parent][0]
        d = weighted(rng, dirs, weights)
        dx, dy, dz = OFFSET[d]
        new = (cell[0] + dx, cell[1] + dy, cell[2] + dz)
        if dz == 0 and cell[2] == entrance[2]:
            continue  # no sideways rooms at street level
        if new in taken or new == street or new in blocked or (new[2] == entrance[2] and dz != 0):
            continue
        placed.append((new, parent, d))
        taken.add(new)
    return placed


def build_building(
    rng: Rng,
    *,
    street_room_id: str,
    street_cell: Coord,
    direction: str,
    district_id: str,
    blocked: Container[Coord],
    storefront: str | None = None,
    theme: str = "",
    threat_level: int = 3,
    aggression: float = 0.3,
    faction_id: str | None = None,
    with_npcs: bool = True,
    n_rooms: int = 0,
    resident_roles: list[str] | None = None,
) -> Built:
    """Raises ParamError when the entrance cell is taken."""
    dx, dy, dz = OFFSET[direction]
    entrance = (street_cell[0] + dx, street_cell[1] + dy, street_cell[2] + dz)
    if entrance in blocked or entrance == street_cell:
        raise ParamError("direction", f"the entrance cell {list(entrance)} is occupied")
    front_kind = storefront or weighted(rng, _KINDS, _WEIGHTS)
    front = STOREFRONTS[front_kind]
    lo, hi = front.rooms
    n = n_rooms or lo + int(rng.random() * (hi - lo + 1))
    cells = _grow(rng, entrance, n, blocked, street_cell, front.down)
    bid = f"bldg-{uid(rng)}"
    ids = [f"{bid}-r{i}" for i in range(len(cells))]
    top = max(c[0][2] for c in cells)
    rooms: list[dict[str, Any]] = []
    for i, (cell, _parent, _d) in enumerate(cells):
        kind = front.entrance if i == 0 else ("rooftop" if cell[2] == top and "rooftop" in front.inner
                                                else pick(rng, [k for k in front.inner if k != "rooftop"]
                                                          or list(front.inner)))
        rooms.append({"id": ids[i], "name": room_name(rng, kind=kind, district_theme=theme),
                      "description": room_description(rng, kind=kind, district_theme=theme),
                      "district_id": district_id, "kind": kind, "x": cell[0], "y": cell[1], "z": cell[2],
                      "exits": [], "building_id": bid, "tags": [front_kind]})
    rooms[0]["exits"].append({"direction": OPPOSITE[direction], "to": street_room_id})
    for i, (_cell, parent, d) in enumerate(cells[1:], start=1):
        rooms[parent]["exits"].append({"direction": d, "to": ids[i]})
        rooms[i]["exits"].append({"direction": OPPOSITE[d], "to": ids[parent]})
    hooks = list(front.hooks)
    npcs: list[dict[str, Any]] = []
    placements: dict[str, str] = {}
    if front.keeper:
        shop_id = f"shop-{bid[5:]}"
        rooms[0]["shop_id"] = shop_id
        hooks.append(f"shop:{shop_id}")
        if with_npcs:
            keeper, _ = build_npc(rng, role=front.keeper, behavior="merchant", threat_level=threat_level,
                                  aggression=0.0, theme=theme, faction_id=faction_id, shop_id=shop_id)
            npcs.append(keeper)
            placements[keeper["id"]] = ids[0]
    if with_npcs:
        for role in resident_roles if resident_roles is not None else front.residents:
            boss = role == "boss"
            npc, _ = build_npc(rng, role=role, behavior="aggressive" if boss else "idle",
                               threat_level=threat_level, aggression=aggression, theme=theme,
                               faction_id=faction_id, boss=boss)
            npcs.append(npc)
            placements[npc["id"]] = ids[-1] if boss else pick(rng, ids)
    hooks.extend(f"spawn:{npc['id']}" for npc in npcs)
    name = building_name(rng, _FLAVOR_FRONT.get(front_kind, front_kind))
    building = {"id": bid, "name": name, "district_id": district_id, "storefront": front_kind, "rooms": rooms,
                "entrance_room_id": ids[0], "street_room_id": street_room_id, "entrance_direction": direction,
                "hooks": hooks, "faction_id": faction_id}
    flavor: Flavor = {"name": name, "room_names": [r["name"] for r in rooms],
                      "room_descriptions": [r["description"] for r in rooms]}
    return Built(building, npcs, placements, flavor, {c[0] for c in cells})


def _roles(params: Params) -> list[str] | None:
    value = params.get("npc_roles")
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 8 or not all(v in NPC_ROLES for v in value):
        raise ParamError("npc_roles", f"must be a list of at most 8 roles ({', '.join(NPC_ROLES)})")
    return [str(v) for v in value]


def generate(params: Params, rng: Rng) -> Draft:
    street_room_id = p_id(params, "street_room_id", required=True)
    direction = p_direction(params, "direction")
    district_id = p_id(params, "district_id", required=True)
    for key in ("x", "y"):
        if params.get(key) is None:
            raise ParamError(key, "is required (the street room's coordinates)")
    cell = (as_int(params["x"], "x"), as_int(params["y"], "y"), as_int(params.get("z", 0), "z"))
    assert street_room_id and direction and district_id
    threat = p_int(params, "threat_level", 3, 1, 10)
    built = build_building(
        rng, street_room_id=street_room_id, street_cell=cell, direction=direction, district_id=district_id,
        blocked=p_occupied(params), storefront=p_storefront(params), theme=theme_of(params),
        threat_level=threat, aggression=p_float(params, "aggression", 0.3, 0.0, 1.0),
        faction_id=p_id(params, "faction_id"), n_rooms=p_int(params, "rooms", 0, 0, 40),
        resident_roles=_roles(params),
    )
    b = built.building
    tags: dict[str, str | int | float] = {"district": district_id, "storefront": b["storefront"],
                                          "rooms": len(b["rooms"]), "threatLevel": threat}
    payload = {"building": b, "npcs": built.npcs, "placements": built.placements}
    return Draft(payload=payload, flavor=built.flavor, tags=tags, dependencies=[street_room_id])
