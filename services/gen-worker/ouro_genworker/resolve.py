"""Filling in what a job leaves to the world: where a building stands, which cells are taken, which
rooms a quest or an NPC uses.

The director states intent ("apartments in district D", "a block at this growth point"); generators
need places. The service shell reads the engine's world keys (read-only, `WorldReader`) and `resolve`
writes the answers into the params before drafting. The proposal records those params, so seed +
generator version + params still reproduce the draft byte for byte, whatever the world does later.

Rules (a param the job gives is never overridden):
- BLOCK, WORLD_EXPANSION, BUILDING without `occupied`/`bounds`: `occupied` = every room cell in the world.
- BUILDING without `street_room_id`: a street/alley/plaza room at z=0 in `district_id` with a free side
  (no room in that cell, no exit that way), chosen by the job's seed; sets street_room_id, x, y, z,
  direction.
- QUEST without `room_ids`: up to 4 rooms of `district_id`, chosen by the seed.
- NPC without `spawn_room_id`/`room_id` but with `district_id`: one room of the district.
- Both only pick rooms a player can walk into from the streets without a key (no giver behind a locked
  door); a district with none falls back to all its rooms.
- BLOCK, WORLD_EXPANSION without `district_id`: the growth point room's district (not when the job
  founds a new district: `new_district: true`; its theme and threat level are the director's).
- Any type with a known district and no `threat_level` / `theme`: the district's (so an NPC fits the
  district the gate will check it against, and the flavour matches the place).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
from redis.asyncio import Redis

from ouro_genworker.types import ParamError, Params
from ouro_schemas import names
from ouro_schemas.content import OFFSET
from ouro_schemas.proposal import ProposalType

Cell = tuple[int, int, int]
T = TypeVar("T")
NEEDS_CELLS = frozenset({ProposalType.BLOCK, ProposalType.WORLD_EXPANSION, ProposalType.BUILDING})
STREET_KINDS = frozenset({"street", "alley", "plaza"})


@dataclass(slots=True)
class World:
    """The parts of the world the resolver reads: rooms by id and which room holds each cell."""

    rooms: dict[str, dict[str, Any]] = field(default_factory=dict)
    coords: dict[Cell, str] = field(default_factory=dict)
    districts: dict[str, dict[str, Any]] = field(default_factory=dict)

    _open: frozenset[str] | None = None

    def district_rooms(self, district: str) -> list[str]:
        return sorted(rid for rid, r in self.rooms.items() if r.get("district_id") == district)

    def open_rooms(self, district: str) -> list[str]:
        """The district's rooms a player can walk into from the streets without a key (a quest giver or
        an NPC placed behind a locked door would be out of reach); all its rooms if none are."""
        if self._open is None:
            self._open = self._reachable_from_streets()
        rooms = [rid for rid in self.district_rooms(district) if rid in self._open]
        return rooms or self.district_rooms(district)

    def _reachable_from_streets(self) -> frozenset[str]:
        seen = {rid for rid, r in self.rooms.items() if r.get("kind") in STREET_KINDS}
        todo = list(seen)
        while todo:
            room = self.rooms.get(todo.pop(), {})
            for _direction, to in _open_exits(room):
                if to not in seen and to in self.rooms:
                    seen.add(to)
                    todo.append(to)
        return frozenset(seen)


def _open_exits(room: dict[str, Any]) -> list[tuple[str, str]]:
    """(direction, room id) of a room's unlocked exits, from its world JSON (exits as a list or a map)."""
    exits = room.get("exits") or []
    locked = set(room.get("locked_exits") or [])
    if isinstance(exits, dict):
        return [(d, str(to)) for d, to in exits.items() if d not in locked]
    return [(str(e.get("direction")), str(e.get("to"))) for e in exits
            if isinstance(e, dict) and not e.get("locked") and e.get("direction") not in locked]


def needs(raw: dict[str, Any]) -> frozenset[str]:
    """Which parts of the world (`coords`, `rooms`, `districts`) resolving this raw job will read, so the
    shell fetches only those (an ITEM with its threat level given needs nothing)."""
    try:
        ptype = ProposalType(str(raw.get("type")))
    except ValueError:
        return frozenset()
    params = raw.get("params")
    if not isinstance(params, dict):
        return frozenset()
    out: set[str] = set()
    if ptype in NEEDS_CELLS and "occupied" not in params and "bounds" not in params:
        out.add("coords")
    district = params.get("district_id")
    if ptype == ProposalType.BUILDING and params.get("street_room_id") is None:
        out |= {"rooms", "coords"}
    elif ptype == ProposalType.QUEST and params.get("room_ids") is None:
        out.add("rooms")
    elif ptype == ProposalType.NPC and params.get("spawn_room_id") is None and params.get("room_id") is None:
        out.add("rooms")
    elif ptype in (ProposalType.BLOCK, ProposalType.WORLD_EXPANSION) and not district \
            and params.get("new_district") is not True:
        out.add("rooms")
    if params.get("threat_level") is None or params.get("theme") is None:
        out.add("districts")
    return frozenset(out)


def _rng(seed: int) -> np.random.Generator:
    # Its own stream, so resolving never shifts the generator's draws.
    return np.random.Generator(np.random.PCG64([seed, 0x5E501]))


def resolve(ptype: ProposalType, params: Params, world: World, seed: int) -> tuple[Params, list[str]]:
    """Params with the world's answers filled in, and the names filled. Raises ParamError when a
    needed answer does not exist (no free street side in the district)."""
    out = dict(params)
    filled: list[str] = []
    if ptype in NEEDS_CELLS and "occupied" not in out and "bounds" not in out and world.coords:
        out["occupied"] = [list(c) for c in sorted(world.coords)]
        filled.append("occupied")
    district = out.get("district_id")
    if out.get("new_district") is True and ptype in (ProposalType.BLOCK, ProposalType.WORLD_EXPANSION):
        return out, filled  # a new district: nothing of the neighbour's is filled in
    if not district and ptype in (ProposalType.BLOCK, ProposalType.WORLD_EXPANSION):
        district = _growth_district(out, world)
        if district:
            out["district_id"] = district
            filled.append("district_id")
    if not isinstance(district, str) or not district:
        return out, filled
    info = world.districts.get(district, {})
    for name, key in (("threat_level", "threat_level"), ("theme", "theme")):
        if out.get(name) is None and info.get(key) is not None:
            out[name] = info[key]
            filled.append(name)
    rng = _rng(seed)
    if ptype == ProposalType.BUILDING and out.get("street_room_id") is None:
        out.update(_street_side(world, district, rng))
        filled += ["street_room_id", "x", "y", "z", "direction"]
    elif ptype == ProposalType.QUEST and out.get("room_ids") is None:
        rooms = world.open_rooms(district)
        if rooms:
            k = min(4, len(rooms))
            out["room_ids"] = [str(r) for r in rng.choice(rooms, size=k, replace=False)]
            filled.append("room_ids")
    elif ptype == ProposalType.NPC and out.get("spawn_room_id") is None and out.get("room_id") is None:
        rooms = world.open_rooms(district)
        if rooms:
            out["spawn_room_id"] = rooms[int(rng.random() * len(rooms))]
            filled.append("spawn_room_id")
    return out, filled


def _growth_district(params: Params, world: World) -> str | None:
    gp = params.get("growth_point")
    if not isinstance(gp, dict):
        points = params.get("growth_points")
        gp = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else None
    room = world.rooms.get(str(gp.get("room_id"))) if gp else None
    district = room.get("district_id") if room else None
    return district if isinstance(district, str) and district else None


def _street_side(world: World, district: str, rng: np.random.Generator) -> dict[str, Any]:
    sides: list[tuple[str, str, Cell]] = []
    for rid in world.district_rooms(district):
        room = world.rooms[rid]
        if room.get("kind", "street") not in STREET_KINDS or room.get("z", 0) != 0:
            continue
        used = {e.get("direction") for e in room.get("exits", []) if isinstance(e, dict)}
        x, y = int(room.get("x", 0)), int(room.get("y", 0))
        for d in ("n", "e", "s", "w"):
            dx, dy, _ = OFFSET[d]
            if d not in used and (x + dx, y + dy, 0) not in world.coords:
                sides.append((rid, d, (x, y, 0)))
    if not sides:
        raise ParamError("street_room_id", f"not given, and no street room in district {district!r} has a free side")
    rid, d, (x, y, z) = sides[int(rng.random() * len(sides))]
    return {"street_room_id": rid, "x": x, "y": y, "z": z, "direction": d}


class WorldReader:
    """Reads rooms, the coordinate index and districts from the engine's keys — only the parts a job
    needs — each cached for `ttl_s` (the world changes slowly; the publisher's gate re-checks every
    coordinate and reference against the live world anyway)."""

    def __init__(self, redis: Redis, ttl_s: float = 2.0) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, Any]] = {}

    async def world(self, parts: frozenset[str]) -> World:
        world = World()
        if "rooms" in parts:
            world.rooms = await self._cached("rooms", self._rooms)
        if "coords" in parts:
            world.coords = await self._cached("coords", self._coords)
        if "districts" in parts:
            world.districts = await self._cached("districts", self._districts)
        return world

    async def _cached(self, part: str, load: Callable[[], Awaitable[T]]) -> T:
        now = time.monotonic()
        hit = self._cache.get(part)
        if hit is not None and now - hit[0] <= self.ttl_s:
            return cast(T, hit[1])
        value = await load()
        self._cache[part] = (now, value)
        return value

    async def _rooms(self) -> dict[str, dict[str, Any]]:
        ids: Any = await self.redis.smembers(names.WORLD_ROOM_INDEX)
        keys = sorted(i.decode() if isinstance(i, bytes) else str(i) for i in ids)
        values: Any = await self.redis.mget([names.WORLD_ROOM + k for k in keys]) if keys else []
        return {key: room for key, room in zip(keys, map(_json_object, values), strict=True) if room is not None}

    async def _coords(self) -> dict[Cell, str]:
        raw: Any = await self.redis.hgetall(names.WORLD_COORD)
        out: dict[Cell, str] = {}
        for text, rid in (raw or {}).items():
            cell = parse_cell(text)
            if cell is not None:
                out[cell] = rid.decode() if isinstance(rid, bytes) else str(rid)
        return out

    async def _districts(self) -> dict[str, dict[str, Any]]:
        raw: Any = await self.redis.hgetall(names.WORLD_DISTRICTS)
        out: dict[str, dict[str, Any]] = {}
        for did, value in (raw or {}).items():
            district = _json_object(value)
            if district is not None:
                out[did.decode() if isinstance(did, bytes) else str(did)] = district
        return out


def parse_cell(raw: Any) -> Cell | None:
    """An "x,y,z" cell as the engine's and the claims' keys write it (bytes or str); None if malformed."""
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    try:
        x, y, z = (int(v) for v in text.split(","))
    except ValueError:
        return None
    return (x, y, z)


def _json_object(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
