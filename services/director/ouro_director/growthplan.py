"""Where the city grows and whose it is: pure choices for the expansion rules (issue 10 point 3).

1. `candidates`: the growth points an event names (the engine sends the nearest and the others
   around the player), else the summary's, else the lot beside the event's room.
2. `pick_growth_point`: the player's nearness first — the city grows where the player is — then the
   expansion slider: high favours road ends (the city sprawls along its roads), low favours lots
   (it fills in beside what exists); chaos adds a random jolt, and a pick the jolt changed is weird.
   score = cells from the player − 2·(expansion for a road end | 1 − expansion for a lot)
           + U(0, 4·chaos)
3. `district_plan`: the block continues the district it grows from (its theme, its threat level
   shifted by aggression) — unless the growth point is more than `found_distance` cells from that
   district's centre: then a new district is founded, with a faction that holds the fewest districts
   (ties by the rng), a theme the city knows but its neighbour does not have, and a threat level
   drifting from its neighbour's (aggression pushes it up); the gen-worker names it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from ouro_director.summary import DistrictInfo, GrowthPointInfo, WorldSummary, parse_growth_point
from ouro_schemas.content import OFFSET
from ouro_schemas.messages import Sliders, WorldEvent

ROAD_BONUS = 2.0  # cells a preferred kind is worth
CHAOS_JOLT = 4.0  # cells of random jolt at chaos 1


@dataclass(frozen=True, slots=True)
class Pick:
    point: GrowthPointInfo
    weird: bool
    considered: int


def candidates(event: WorldEvent, summary: WorldSummary) -> list[GrowthPointInfo]:
    """The growth points to choose from, the event's own first (nearest the player first)."""
    out: list[GrowthPointInfo] = []
    raw = event.data.get("growth_points")
    for item in [event.data.get("growth_point"), *(raw if isinstance(raw, list) else [])]:
        gp = parse_growth_point(item)
        if gp is not None and gp not in out:
            out.append(gp)
    if out:
        return out
    direction = event.data.get("direction")
    if event.room_id and isinstance(direction, str) and direction in OFFSET:
        dx, dy, dz = OFFSET[direction]  # the event has the room's cell; the lot is next to it
        # A malformed cell raises here: the core logs the event as an error, the rest goes on.
        return [GrowthPointInfo(room_id=event.room_id, direction=direction, x=int(event.data.get("x", 0)) + dx,
                                y=int(event.data.get("y", 0)) + dy, z=int(event.data.get("z", 0)) + dz,
                                district_id=event.district_id or "")]
    return list(summary.growth_points)


def pick_growth_point(points: list[GrowthPointInfo], x: int | None, y: int | None, sliders: Sliders,
                      rng: random.Random) -> Pick | None:
    """The growth point to grow at, by nearness to (x, y) and the sliders; None when there is none."""
    if not points:
        return None

    def base(gp: GrowthPointInfo) -> float:
        near = abs(gp.x - x) + abs(gp.y - y) if x is not None and y is not None else 0
        prefer = sliders.expansion if gp.kind == "road_end" else 1.0 - sliders.expansion
        return near - ROAD_BONUS * prefer

    plain = min(range(len(points)), key=lambda i: (base(points[i]), i))
    jolted = min(range(len(points)), key=lambda i: (base(points[i]) + rng.random() * CHAOS_JOLT * sliders.chaos, i))
    return Pick(points[jolted], jolted != plain, len(points))


def _faction_for(summary: WorldSummary, home: DistrictInfo, rng: random.Random) -> str | None:
    """The faction holding the fewest districts (one with none first), ties broken by the rng."""
    pool = dict(summary.factions)
    if not pool:
        return home.faction_id
    fewest = min(pool.values())
    choices = sorted(f for f, n in pool.items() if n == fewest)
    return rng.choice(choices)


def district_plan(gp: GrowthPointInfo, fallback: str | None, summary: WorldSummary, sliders: Sliders,
                  rng: random.Random, found_distance: int) -> dict[str, Any]:
    """The params saying whose the new block is: the neighbour's district, or a new one."""
    home = summary.district(gp.district_id or fallback)
    if home is None:
        return {"district_id": gp.district_id or fallback}
    shift = round((sliders.aggression - 0.5) * 6)
    far = home.center is not None and max(abs(gp.x - home.center[0]), abs(gp.y - home.center[1])) > found_distance
    if not far:
        plan: dict[str, Any] = {"district_id": home.id, "threat_level": max(1, min(10, home.threat_level + shift))}
        if home.theme:
            plan["theme"] = home.theme
        return plan
    faction = _faction_for(summary, home, rng)
    drift = rng.choice((-2, -1, 0, 1, 2)) + max(0, shift)
    plan = {"district_id": "", "new_district": True, "faction_id": faction, "founded_from": home.id,
            "threat_level": max(1, min(10, home.threat_level + drift))}
    themes = sorted({d.theme for d in summary.districts.values() if d.theme} - {home.theme})
    if themes:  # its own theme: one the city knows, not its neighbour's
        plan["theme"] = rng.choice(themes)
    return plan
