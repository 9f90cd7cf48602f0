"""World expansion: several blocks in one proposal, chained outward from the growth points given.

The first blocks grow from params `growth_points` (or `growth_point`); when more blocks are asked for
than points were given, the next block grows from a free cell next to a street room of a block made
earlier in this proposal, and that room gets the exit into the new block's link room. Blocks here
carry streets only (`WorldExpansionPayload` has no buildings); buildings come with later BUILDING jobs.
"""

from __future__ import annotations

from typing import Any, Final

from ouro_genworker.generators.block import (
    CARDINAL,
    Blocked,
    BuiltBlock,
    GrowthPoint,
    block_settings,
    build_block,
    found_district,
    parse_growth_point,
)
from ouro_genworker.params import p_bool, p_bounds, p_id, p_int, p_occupied
from ouro_genworker.types import Draft, Flavor, ParamError, Params, Rng
from ouro_schemas.content import OFFSET

NAME: Final = "world-expansion"
VERSION: Final = "1"


def _growth_points(params: Params) -> list[GrowthPoint]:
    raw = params.get("growth_points")
    if raw is None:
        if params.get("growth_point") is None:
            raise ParamError("growth_points", "is required (a list of {room_id, direction, x, y, z})")
        return [parse_growth_point(params["growth_point"])]
    if not isinstance(raw, list) or not 1 <= len(raw) <= 25:
        raise ParamError("growth_points", "must be a list of 1-25 growth points")
    return [parse_growth_point(gp, f"growth_points[{i}]") for i, gp in enumerate(raw)]


def _chained_point(rng: Rng, built: list[BuiltBlock], blocked: Blocked) -> tuple[GrowthPoint, dict[str, Any]] | None:
    """A free cell next to a street room of an earlier block, and that room."""
    for _ in range(60):
        bb = built[int(rng.random() * len(built))]
        cells = list(bb.by_cell)
        cell = cells[int(rng.random() * len(cells))]
        room = bb.by_cell[cell]
        d = CARDINAL[int(rng.random() * 4)]
        dx, dy, _ = OFFSET[d]
        new = (cell[0] + dx, cell[1] + dy, cell[2])
        if new in blocked or any(e["direction"] == d for e in room["exits"]):
            continue
        return GrowthPoint(room["id"], d, new), room
    return None


def generate(params: Params, rng: Rng) -> Draft:
    points = _growth_points(params)
    count = p_int(params, "blocks", max(2, len(points)), 1, 25)
    blocked = Blocked(p_occupied(params), p_bounds(params), points[0].cell)
    threat, size, _n_buildings, theme = block_settings(params)
    new = found_district(rng, params, threat) if p_bool(params, "new_district", False) else None
    district_id = new["id"] if new else p_id(params, "district_id")
    if district_id is None:
        raise ParamError("district_id", "is required unless new_district is true")
    built: list[BuiltBlock] = []
    for i in range(count):
        parent: dict[str, Any] | None = None
        if i < len(points):
            gp = points[i]
            blocked.allow = gp.cell
        else:
            found = _chained_point(rng, built, blocked)
            if found is None:
                break  # hemmed in: fewer blocks than asked
            gp, parent = found
        try:
            bb = build_block(rng, params, gp, blocked, district_id=district_id,
                             new_district=new if i == 0 else None, size=size or 5 + int(rng.random() * 6),
                             n_buildings=0, theme=new["theme"] if new else theme, threat=threat)
        except ParamError as exc:
            raise ParamError(f"growth_points[{i}]" if i < len(points) else exc.param, exc.problem) from None
        if parent is not None:
            parent["exits"].append({"direction": gp.direction, "to": bb.block["rooms"][0]["id"]})
        built.append(bb)
    flavor: Flavor = {"street_names": [n for bb in built for n in bb.flavor.get("street_names", [])]}
    if new:
        flavor["district_name"] = new["name"]
    tags: dict[str, str | int | float] = {"district": district_id, "blocks": len(built), "threatLevel": threat,
                                          "rooms": sum(len(bb.block["rooms"]) for bb in built)}
    return Draft(payload={"blocks": [bb.block for bb in built]}, flavor=flavor, tags=tags,
                 dependencies=sorted({gp.room_id for gp in points}))
