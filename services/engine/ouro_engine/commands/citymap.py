"""The player's maps: `map` (the streets around you) and `map city` (the whole grown city, by chunk).

`map` draws the cells within MAP_RADIUS of the player on their floor: @ you, # a room, + a shop,
? a glitch door, : a free cell where the city may grow (a growth point beside a street). `map city`
draws one character per 20×20 chunk — @ yours, o the base city, # a built-up chunk (100+ rooms),
+ a chunk the city is growing into — from the chunk figures the engine keeps for the whole world, so
it costs O(chunks), whatever is in memory.
"""

from __future__ import annotations

from collections import Counter

from ouro_engine.commands.registry import CommandError, Ctx, Registry
from ouro_engine.game import Game
from ouro_engine.movement import FULL
from ouro_schemas import content as c
from ouro_schemas.chunks import BASE_CHUNK, CHUNK_SIZE, chunk_of

MAP_RADIUS = 3
CITY_WIDTH = 15  # chunks across (and half as many down) shown around the player's chunk
BUILT_UP = 100


def ascii_map(game: Game, pid: str) -> str:
    room = game.room_of(pid)
    if room is None:
        raise CommandError("You are nowhere.")
    x0, y0, z0 = room.coords
    lots = {(gp.x, gp.y) for by_dir in game.map.growth.values() for gp in by_dir.values()} if z0 == 0 else set()
    rows = []
    for y in range(y0 + MAP_RADIUS, y0 - MAP_RADIUS - 1, -1):
        row = []
        for x in range(x0 - MAP_RADIUS, x0 + MAP_RADIUS + 1):
            rid = game.map.coord.get((x, y, z0))
            other = game.map.rooms.get(rid) if rid else None
            if other is None:
                row.append(":" if (x, y) in lots else " ")
            elif rid == room.id:
                row.append("@")
            elif other.data.get("shop_id"):
                row.append("+")
            elif other.data.get("glitch_door"):
                row.append("?")
            else:
                row.append("#")
        rows.append(" ".join(row).rstrip())
    while rows and not rows[-1]:
        rows.pop()
    while rows and not rows[0]:
        rows.pop(0)
    exits = ", ".join(FULL.get(d, d) for d in c.DIRECTIONS if d in room.exits)
    cx, cy = chunk_of(x0, y0)
    return "\n".join(rows) + f"\nExits: {exits or 'none'}\n(chunk {cx},{cy}; 'map city' shows the whole city)"


def city_map(game: Game, pid: str) -> str:
    room = game.room_of(pid)
    if room is None:
        raise CommandError("You are nowhere.")
    game.map.refresh_meta()
    metas = game.map.meta
    here = chunk_of(room.coords[0], room.coords[1])
    half_w, half_h = CITY_WIDTH // 2, CITY_WIDTH // 4
    rows = []
    for cy in range(here[1] + half_h, here[1] - half_h - 1, -1):
        row = []
        for cx in range(here[0] - half_w, here[0] + half_w + 1):
            meta = metas.get((cx, cy))
            if (cx, cy) == here:
                row.append("@")
            elif meta is None:
                row.append(".")
            elif (cx, cy) == BASE_CHUNK:
                row.append("o")
            else:
                row.append("#" if meta.rooms >= BUILT_UP else "+")
        rows.append(" ".join(row))
    districts: Counter[str] = Counter()
    for meta in metas.values():
        for did, share in meta.districts.items():
            districts[did] += share.rooms
    district = game.templates.district(room.district_id)
    top = ", ".join(f"{(d.name if (d := game.templates.district(did)) else did)} {n}"
                    for did, n in districts.most_common(5))
    return "\n".join([
        *rows,
        f"@ you  o the old city  # built up ({BUILT_UP}+ rooms)  + growing  . open land  "
        f"(one mark = {CHUNK_SIZE}×{CHUNK_SIZE} blocks)",
        f"The city: {len(metas)} chunks, {game.map.room_count()} rooms, {len(districts)} districts. "
        f"You are in chunk {here[0]},{here[1]} ({district.name if district else room.district_id}).",
        f"Largest districts (rooms): {top}.",
    ])


def register(reg: Registry) -> None:
    @reg.add("map", "m")
    def map_(ctx: Ctx, args: str) -> None:
        """map [city] - the streets around you (@ you, # room, + shop, ? glitch, : open lot), or the
        whole grown city, one mark per 20×20 chunk."""
        word = args.strip().lower()
        if word in ("city", "world", "chunks", "all"):
            ctx.reply(city_map(ctx.game, ctx.pid))
        elif word:
            raise CommandError("Usage: map, or map city")
        else:
            ctx.reply(ascii_map(ctx.game, ctx.pid))
