"""Chunks: the unbounded (x, y, z) grid cut into 20×20 columns (DESIGN §3, issue 10).

A room at (x, y, z) lives in chunk (x // 20, y // 20) whatever its z: a building's floors and cellars
share their street's chunk. The authored base city (x, y in 0..19) is chunk (0, 0). Coordinates are
unbounded in every direction; floor division puts (-1, -1) in chunk (-1, -1).

The engine keeps only some chunks in memory and stores every chunk in Redis under keys named by
`chunk_key` (see `names.WORLD_CHUNK*`); other services use the same helpers to read the cells around
a place without reading the whole world.
"""

from __future__ import annotations

from typing import Final

import msgspec

CHUNK_SIZE: Final = 20
BASE_CHUNK: Final = (0, 0)

Chunk = tuple[int, int]


def chunk_of(x: int, y: int) -> Chunk:
    """The chunk holding the cell (x, y) (any z)."""
    return x // CHUNK_SIZE, y // CHUNK_SIZE


def chunk_key(chunk: Chunk) -> str:
    """The chunk's name in Redis keys and JSON: "cx,cy"."""
    return f"{chunk[0]},{chunk[1]}"


def parse_chunk_key(text: str) -> Chunk | None:
    """The chunk a "cx,cy" string names, or None when it names none."""
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        return None


def neighbourhood(chunk: Chunk, radius: int = 1) -> list[Chunk]:
    """The (2·radius + 1)² chunks around `chunk`, itself included, in a fixed order."""
    cx, cy = chunk
    return [(cx + dx, cy + dy) for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1)]


def chunk_bounds(chunk: Chunk) -> tuple[int, int, int, int]:
    """(min_x, max_x, min_y, max_y) of the cells in `chunk`."""
    x0, y0 = chunk[0] * CHUNK_SIZE, chunk[1] * CHUNK_SIZE
    return x0, x0 + CHUNK_SIZE - 1, y0, y0 + CHUNK_SIZE - 1


def chunks_overlapping(min_x: int, max_x: int, min_y: int, max_y: int) -> list[Chunk]:
    """Every chunk with a cell inside the rectangle (inclusive bounds)."""
    (cx0, cy0), (cx1, cy1) = chunk_of(min_x, min_y), chunk_of(max_x, max_y)
    return [(cx, cy) for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1)]


def chunk_distance(a: Chunk, b: Chunk) -> int:
    """Chebyshev distance in chunks (0: the same chunk, 1: touching, diagonals included)."""
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]))


# --- what the engine stores per chunk (read by the director and the admin API) -----------------------
GROWTH_KINDS: Final = ("road_end", "lot")


class DistrictShare(msgspec.Struct, array_like=True):
    """A district's rooms in one chunk: how many, and the sums of their x and y (for centres)."""

    rooms: int = 0
    sum_x: int = 0
    sum_y: int = 0


class ChunkMeta(msgspec.Struct, kw_only=True, omit_defaults=True):
    """`ouro:world:chunks` field value: a chunk's figures, kept while the chunk is not in memory."""

    rooms: int = 0
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)  # min_x, max_x, min_y, max_y of its rooms
    districts: dict[str, DistrictShare] = msgspec.field(default_factory=dict)
    npcs: dict[str, int] = msgspec.field(default_factory=dict)  # live NPCs by district, as last unloaded
    growth: int = 0  # growth points in the chunk
    origin: str = "base"  # who added its first room ("base" or a proposal id)


class GrowthPointRecord(msgspec.Struct, kw_only=True, frozen=True):
    """`ouro:world:growth:<ck>` field value (field "room id:direction"): where the city may grow — a
    `content.GrowthPoint` (what a block's payload names) as the engine tracks it, with its kind and the
    district of its room.

    `road_end`: a street runs into the free cell (an exit to nowhere, or a tagged frontier);
    `lot`: any other free cell beside a street, alley or plaza at street level.
    (x, y, z) is the free cell, i.e. the room's cell + the direction.
    """

    room_id: str
    direction: str
    x: int
    y: int
    z: int = 0
    kind: str = "lot"
    district_id: str = ""

    @property
    def field(self) -> str:
        return f"{self.room_id}:{self.direction}"
