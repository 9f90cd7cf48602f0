"""Where a job's new things go: a street room with a free cell for a building, a room for an NPC.

The rules decide *what* and in which district; the gen-worker needs concrete sites (docs/gen-worker.md):
BUILDING needs `street_room_id`, `x`, `y`, `direction` (the entrance is the street cell + direction);
an NPC without `spawn_room_id` would be a template nobody meets; BLOCK/WORLD_EXPANSION take the taken
cells around the growth point (`occupied`, read fresh from the engine's chunk indexes: the block before
may have landed a moment ago). Buildings and NPCs are picked from a cached index of the rooms (the
engine's `ouro:world:room:*` keys), deterministically from the job's seed.

No `bounds` for blocks: the city grows organically, so an empty lot inside its bounding box is as good a
place as one outside it; only the cells actually taken are.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from ouro_director.core import GlitchAreas
from ouro_director.summary import WorldSummary
from ouro_schemas import names
from ouro_schemas.chunks import chunk_key, chunks_overlapping
from ouro_schemas.content import OFFSET
from ouro_schemas.messages import GenJob
from ouro_schemas.proposal import ProposalType

Cell = tuple[int, int, int]
STREET_KINDS = frozenset({"street", "alley", "plaza"})
SITE_DIRECTIONS = ("n", "e", "s", "w", "u")  # 'u': a building over the street when every side is built up
NEAR = 8  # cells around a site that the gen-worker is told are taken
BLOCK_NEAR = 24  # cells around a growth point: a block's streets and buildings stay well inside this


@dataclass(frozen=True, slots=True)
class RoomInfo:
    id: str
    district_id: str
    kind: str
    cell: Cell
    building_id: str | None = None
    glitch: bool = False


@dataclass(frozen=True, slots=True)
class WorldIndex:
    rooms: dict[str, RoomInfo] = field(default_factory=dict)
    taken: frozenset[Cell] = frozenset()

    def glitch_areas(self) -> GlitchAreas:
        glitch = [r for r in self.rooms.values() if r.glitch]
        return GlitchAreas(frozenset(r.id for r in glitch), frozenset(r.district_id for r in glitch))

    def near(self, cell: Cell, radius: int = NEAR) -> list[list[int]]:
        x, y, _ = cell
        return [list(c) for c in sorted(self.taken) if abs(c[0] - x) <= radius and abs(c[1] - y) <= radius]


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


async def read_world_index(redis: Redis) -> WorldIndex:
    """Every room's district, kind, cell and glitch door. Unreadable rooms are skipped."""
    members = await redis.smembers(names.WORLD_ROOM_INDEX)
    ids = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
    rooms: dict[str, RoomInfo] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for rid, raw in zip(chunk, await redis.mget([names.WORLD_ROOM + r for r in chunk]), strict=True):
            try:
                room = json.loads(raw) if raw else None
            except (ValueError, UnicodeDecodeError):
                continue
            if not isinstance(room, dict):
                continue
            building = room.get("building_id")
            rooms[rid] = RoomInfo(id=rid, district_id=str(room.get("district_id") or ""),
                                  kind=str(room.get("kind") or "street"),
                                  cell=(_int(room.get("x")), _int(room.get("y")), _int(room.get("z"))),
                                  building_id=building if isinstance(building, str) else None,
                                  glitch=bool(room.get("glitch_door")))
    return WorldIndex(rooms, frozenset(r.cell for r in rooms.values()))


async def cells_near(redis: Redis, cell: Cell, radius: int = BLOCK_NEAR) -> list[list[int]]:
    """Every taken cell (any z) within `radius` of `cell` (x, y), from the chunks around it: one
    pipelined read of at most a few chunk indexes, however big the world is."""
    x, y, _ = cell
    chunks = chunks_overlapping(x - radius, x + radius, y - radius, y + radius)
    pipe = redis.pipeline(transaction=False)
    for chunk in chunks:
        pipe.hvals(names.WORLD_CHUNK + chunk_key(chunk))
    out: set[Cell] = set()
    for values in await pipe.execute():
        for raw in values:
            parts = (raw.decode() if isinstance(raw, bytes) else str(raw)).split(",")
            if len(parts) == 3:
                c = (int(parts[0]), int(parts[1]), int(parts[2]))
                if abs(c[0] - x) <= radius and abs(c[1] - y) <= radius:
                    out.add(c)
    return [list(c) for c in sorted(out)]


def _candidates(index: WorldIndex, district_id: str | None, prefer: str | None, rng: random.Random,
                only: frozenset[str] | None, street: bool) -> list[RoomInfo]:
    pool = [r for r in index.rooms.values() if r.district_id == district_id and (only is None or r.id in only)
            and (not street or (r.kind in STREET_KINDS and r.building_id is None))]
    pool.sort(key=lambda r: r.id)
    rng.shuffle(pool)
    first = index.rooms.get(prefer) if prefer else None
    if first is not None and first in pool:
        pool.remove(first)
        pool.insert(0, first)
    return pool


def building_site(index: WorldIndex, district_id: str | None, prefer: str | None, rng: random.Random,
                  only: frozenset[str] | None = None) -> dict[str, Any] | None:
    """A street room of the district with a free neighbouring cell for the entrance, or None."""
    for room in _candidates(index, district_id, prefer, rng, only, street=True)[:500]:
        directions = list(SITE_DIRECTIONS[:4])
        rng.shuffle(directions)
        for d in (*directions, "u"):
            dx, dy, dz = OFFSET[d]
            x, y, z = room.cell
            entrance = (x + dx, y + dy, z + dz)
            if entrance not in index.taken:
                return {"street_room_id": room.id, "x": x, "y": y, "z": z, "direction": d,
                        "occupied": index.near(entrance)}
    return None


def spawn_room(index: WorldIndex, district_id: str | None, prefer: str | None, rng: random.Random,
               only: frozenset[str] | None = None) -> str | None:
    rooms = _candidates(index, district_id, prefer, rng, only, street=False)
    return rooms[0].id if rooms else None


def place(job: GenJob, index: WorldIndex, summary: WorldSummary,
          only: frozenset[str] | None = None) -> tuple[dict[str, Any] | None, str]:
    """The job's params with its site filled in, or (None, why) when there is no site."""
    params = dict(job.params)
    rng = random.Random(job.seed)
    district = params.get("district_id")
    if job.type is ProposalType.BUILDING and "street_room_id" not in params:
        site = building_site(index, district, params.get("room_id"), rng, only)
        if site is None:
            return None, f"no street room with a free cell in {district}"
        params.update(site)
    elif job.type is ProposalType.NPC and not (params.get("spawn_room_id") or params.get("room_id")):
        room = spawn_room(index, district, None, rng, only)
        if room is None:
            return None, f"no room in {district} to spawn in"
        params["spawn_room_id"] = room
    elif job.type in (ProposalType.BLOCK, ProposalType.WORLD_EXPANSION):
        gp = params.get("growth_point")
        if isinstance(gp, dict) and "occupied" not in params:  # (the shell reads them fresh: cells_near)
            params["occupied"] = index.near((_int(gp.get("x")), _int(gp.get("y")), _int(gp.get("z"))), BLOCK_NEAR)
        if not district and not params.get("new_district") and isinstance(gp, dict):  # the growth point's district
            gp_room = index.rooms.get(str(gp.get("room_id")))
            if gp_room is not None:
                params["district_id"] = gp_room.district_id
    return params, ""
