"""The world summary the rules read, parsed defensively from `ouro:world:summary` (docs/contracts.md).

The engine writes the key; a missing field, a wrong type or no key at all gives the defaults below,
never an exception: the director keeps deciding from the event's own data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DistrictInfo:
    id: str
    players: int = 0
    npcs: int = 0
    quests_open: int = 0
    quests_done: int = 0
    has_hq: bool = True  # unknown: assume it has one (no HQ spam from a missing field)
    threat_level: int = 3
    theme: str = ""
    faction_id: str | None = None
    last_quest_at: float | None = None
    rooms: int = 0
    center: tuple[float, float] | None = None  # mean x, y of its rooms (the engine's chunk figures)
    origin: str = "base"  # "base" or the proposal whose block founded it


@dataclass(frozen=True, slots=True)
class GrowthPointInfo:
    """A free cell the city may grow into (x, y, z), beside `room_id` in `direction`."""

    room_id: str
    direction: str
    x: int
    y: int
    z: int = 0
    kind: str = "lot"  # "road_end" (a street runs into it) or "lot"
    district_id: str = ""  # the district of `room_id`

    def params(self) -> dict[str, Any]:
        """As a job's `growth_point` param (what the gen-worker reads)."""
        return {"room_id": self.room_id, "direction": self.direction, "x": self.x, "y": self.y, "z": self.z}


@dataclass(frozen=True, slots=True)
class WorldSummary:
    tick: int = 0
    districts: dict[str, DistrictInfo] = field(default_factory=dict)
    money_supply: float = 0.0
    inflation: float = 0.0
    price_index: float = 1.0
    growth_points: tuple[GrowthPointInfo, ...] = ()
    bounds: tuple[int, int, int, int] = (0, 19, 0, 19)  # min_x, max_x, min_y, max_y
    factions: dict[str, int] = field(default_factory=dict)  # faction id -> districts it controls
    chunks: int = 1  # chunks with rooms in the world

    def district(self, district_id: str | None) -> DistrictInfo | None:
        return self.districts.get(district_id) if district_id else None


EMPTY = WorldSummary()


def _int(value: Any, default: int) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _float(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _district(did: str, raw: Any) -> DistrictInfo:
    raw = raw if isinstance(raw, dict) else {}
    faction = raw.get("faction_id")
    last = raw.get("last_quest_at")
    center = raw.get("center")
    xy = (_float(center[0], 0.0), _float(center[1], 0.0)) if isinstance(center, list) and len(center) == 2 else None
    return DistrictInfo(
        id=did, players=_int(raw.get("players"), 0), npcs=_int(raw.get("npcs"), 0),
        quests_open=_int(raw.get("quests_open"), 0), quests_done=_int(raw.get("quests_done"), 0),
        has_hq=bool(raw.get("has_hq", True)), threat_level=max(1, min(10, _int(raw.get("threat_level"), 3))),
        theme=str(raw.get("theme") or ""), faction_id=faction if isinstance(faction, str) else None,
        last_quest_at=_float(last, 0.0) if last is not None else None,
        rooms=_int(raw.get("rooms"), 0), center=xy, origin=str(raw.get("origin") or "base"),
    )


def parse_growth_point(raw: Any) -> GrowthPointInfo | None:
    """A growth point from an event's or the summary's JSON; None when it names no room."""
    if not isinstance(raw, dict) or not isinstance(raw.get("room_id"), str):
        return None
    kind = raw.get("kind")
    district = raw.get("district_id")
    return GrowthPointInfo(room_id=raw["room_id"], direction=str(raw.get("direction") or "n"),
                           x=_int(raw.get("x"), 0), y=_int(raw.get("y"), 0), z=_int(raw.get("z"), 0),
                           kind=kind if kind in ("road_end", "lot") else "lot",
                           district_id=district if isinstance(district, str) else "")


def parse_summary(raw: bytes | str | None) -> WorldSummary:
    """A WorldSummary from the key's JSON; anything unreadable gives defaults. Never raises."""
    if not raw:
        return EMPTY
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return EMPTY
    if not isinstance(data, dict):
        return EMPTY
    districts_raw = data.get("districts")
    districts = {str(k): _district(str(k), v) for k, v in districts_raw.items()} \
        if isinstance(districts_raw, dict) else {}
    economy = _dict(data.get("economy"))
    gps_raw = data.get("growth_points")
    gps = tuple(gp for gp in (parse_growth_point(r) for r in (gps_raw if isinstance(gps_raw, list) else []))
                if gp is not None)
    factions = {str(fid): _int(_dict(v).get("districts"), 0) for fid, v in _dict(data.get("factions")).items()}
    b = _dict(data.get("bounds"))
    bounds = (_int(b.get("min_x"), 0), _int(b.get("max_x"), 19), _int(b.get("min_y"), 0), _int(b.get("max_y"), 19))
    return WorldSummary(
        tick=_int(data.get("tick"), 0), districts=districts,
        money_supply=_float(economy.get("money_supply"), 0.0), inflation=_float(economy.get("inflation"), 0.0),
        price_index=_float(economy.get("price_index"), 1.0), growth_points=gps, bounds=bounds,
        factions=factions, chunks=max(1, _int(_dict(data.get("chunks")).get("count"), 1)),
    )
