"""The world as the dashboard shows it, read from the engine's world keys (never written here).

Overview: districts (with colour and population), room / entity / template counts, players online,
growth (rooms and entities that came from proposals rather than the base world, applied patches,
chunks, the map bounds). Map: the chunk overview of the whole city (one entry per 20×20 chunk, from
the engine's chunk figures) and the rooms of a view — every room while the city is small, else the
chunks around a chosen chunk (default: around the first player online) — with players and spawns.
Reading the rooms of the view only keeps the page cheap however big the city grows.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import names
from ouro_schemas.chunks import (
    BASE_CHUNK,
    CHUNK_SIZE,
    Chunk,
    chunk_key,
    chunk_of,
    neighbourhood,
    parse_chunk_key,
)

_CHUNK = 500
SMALL_CITY = 3_000  # up to this many rooms the map shows every room


def _loads(raw: Any) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _members(redis: Redis, key: str) -> list[str]:
    return sorted(_s(m) for m in await redis.smembers(key))


async def _records(redis: Redis, prefix: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for rid, raw in zip(chunk, await redis.mget([prefix + i for i in chunk]), strict=True):
            rec = _loads(raw)
            if isinstance(rec, dict):
                out[rid] = rec
    return out


async def districts(redis: Redis) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, raw in (await redis.hgetall(names.WORLD_DISTRICTS)).items():
        rec = _loads(raw)
        if isinstance(rec, dict):
            out[_s(key)] = {"id": _s(key), "name": rec.get("name", _s(key)), "color": rec.get("color", "#888888"),
                            "theme": rec.get("theme"), "threat_level": rec.get("threat_level"),
                            "population": rec.get("population"), "origin": rec.get("origin", "base")}
    return out


async def chunk_overview(redis: Redis) -> list[dict[str, Any]]:
    """Every chunk of the city from the engine's chunk figures: rooms, bounds, rooms by district."""
    out = []
    for key, raw in (await redis.hgetall(names.WORLD_CHUNKS)).items():
        chunk = parse_chunk_key(_s(key))
        meta = _loads(raw)
        if chunk is None or not isinstance(meta, dict):
            continue
        shares = meta.get("districts") if isinstance(meta.get("districts"), dict) else {}
        districts = {did: int(v[0]) for did, v in shares.items() if isinstance(v, list) and v}
        out.append({"key": chunk_key(chunk), "cx": chunk[0], "cy": chunk[1], "rooms": int(meta.get("rooms", 0)),
                    "bounds": meta.get("bounds"), "districts": districts, "growth": int(meta.get("growth", 0)),
                    "district": max(districts, key=lambda d: (districts[d], d)) if districts else None})
    out.sort(key=lambda c: (c["cy"], c["cx"]))
    return out


def _overview_of(rooms: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Chunk entries computed from rooms (a world written before the engine kept chunk figures)."""
    by: dict[Chunk, dict[str, int]] = {}
    for room in rooms.values():
        x, y = room.get("x"), room.get("y")
        if isinstance(x, int) and isinstance(y, int):
            counts = by.setdefault(chunk_of(x, y), {})
            did = str(room.get("district_id", "?"))
            counts[did] = counts.get(did, 0) + 1
    return [{"key": chunk_key(ch), "cx": ch[0], "cy": ch[1], "rooms": sum(d.values()), "bounds": None,
             "districts": d, "growth": 0, "district": max(d, key=lambda k: (d[k], k))}
            for ch, d in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0]))]


async def overview(redis: Redis) -> dict[str, Any]:
    room_ids = await _members(redis, names.WORLD_ROOM_INDEX)
    entity_ids = await _members(redis, names.WORLD_ENTITY_INDEX)
    chunks = await chunk_overview(redis)
    # Rooms outside the base chunk are all generated (the base city is chunk (0, 0)); only the base
    # chunk's rooms are read to tell generated from authored ones there.
    base = [c for c in chunks if (c["cx"], c["cy"]) == BASE_CHUNK]
    if chunks:
        base_ids = sorted(_s(i) for i in await redis.hkeys(names.WORLD_CHUNK + chunk_key(BASE_CHUNK)))
        rooms = await _records(redis, names.WORLD_ROOM, base_ids)
        outside = len(room_ids) - len(base_ids) if base else len(room_ids)
    else:
        rooms = await _records(redis, names.WORLD_ROOM, room_ids)
        outside = 0
    entities = await _records(redis, names.WORLD_ENTITY, entity_ids)
    kinds: dict[str, int] = {}
    for ent in entities.values():
        kind = str(ent.get("kind", "unknown"))
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = _loads(await redis.get(names.WORLD_SUMMARY))
    summary = summary if isinstance(summary, dict) else {}
    meta = {_s(k): _s(v) for k, v in (await redis.hgetall(names.WORLD_META)).items()}
    dists = await districts(redis)
    by_district: dict[str, int] = {}
    for chunk in chunks or _overview_of(rooms):
        for did, n in chunk["districts"].items():
            by_district[did] = by_district.get(did, 0) + n
    for did, district in dists.items():
        district["rooms"] = by_district.get(did, 0)
    return {
        "districts": list(dists.values()),
        "rooms": len(room_ids),
        "entities": len(entity_ids),
        "entities_by_kind": kinds,
        "templates": int(await redis.scard(names.WORLD_TEMPLATE_INDEX)),
        "players_online": int(await redis.scard(names.WORLD_PLAYERS_ONLINE)),
        "growth": {
            "generated_rooms": outside + sum(1 for r in rooms.values() if r.get("origin", "base") != "base"),
            "generated_entities": sum(1 for e in entities.values() if e.get("origin", "base") != "base"),
            "generated_districts": sum(1 for d in dists.values() if d.get("origin", "base") != "base"),
            "applied_patches": int(await redis.hlen(names.WORLD_APPLIED_PATCHES)),
            "chunks": len(chunks) or len(_overview_of(rooms)),
            "bounds": summary.get("bounds"),
        },
        "tick": meta.get("tick") or summary.get("tick"),
        "economy": summary.get("economy"),
    }


async def _view_rooms(redis: Redis, chunks: list[dict[str, Any]], around: Chunk | None, radius: int,
                      players: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The rooms to draw: all of a small city, else the chunks around `around` (or the first player)."""
    total = sum(c["rooms"] for c in chunks)
    if not chunks or (around is None and total <= SMALL_CITY):
        ids = await _members(redis, names.WORLD_ROOM_INDEX)
        return await _records(redis, names.WORLD_ROOM, ids), {"around": None, "radius": None}
    if around is None:
        around = BASE_CHUNK
        for rec in players.values():
            room = _loads(await redis.get(names.WORLD_ROOM + str(rec.get("room_id"))))
            if isinstance(room, dict) and isinstance(room.get("x"), int) and isinstance(room.get("y"), int):
                around = chunk_of(room["x"], room["y"])
                break
    ids = []
    for chunk in neighbourhood(around, radius):
        ids += sorted(_s(i) for i in await redis.hkeys(names.WORLD_CHUNK + chunk_key(chunk)))
    return await _records(redis, names.WORLD_ROOM, ids), {"around": chunk_key(around), "radius": radius}


async def world_map(redis: Redis, recent: int = 50, around: str | None = None, radius: int = 1) -> dict[str, Any]:
    """The chunk overview, the rooms of the view with coordinates and districts, players, recent spawns."""
    chunks = await chunk_overview(redis)
    players = await _members(redis, names.WORLD_PLAYERS_ONLINE)
    player_recs = await _records(redis, names.WORLD_ENTITY, players)
    rooms, view = await _view_rooms(redis, chunks, parse_chunk_key(around) if around else None, radius,
                                    player_recs)
    if not chunks:
        chunks = _overview_of(rooms)
    cells = []
    for rid, room in rooms.items():
        x, y, z = room.get("x"), room.get("y"), room.get("z", 0)
        if isinstance(x, int) and isinstance(y, int):
            cells.append({"id": rid, "x": x, "y": y, "z": z if isinstance(z, int) else 0,
                          "district": room.get("district_id"), "name": room.get("name", rid),
                          "origin": room.get("origin", "base"), "glitch": bool(room.get("glitch_door"))})
    entity_ids = await _members(redis, names.WORLD_ENTITY_INDEX)
    spawned = [e for e in entity_ids if ":" in e]  # ids `P:<n>` come from proposal P's Spawn op
    spawn_recs = await _records(redis, names.WORLD_ENTITY, spawned[-recent:])
    return {
        "rooms": cells,
        "districts": await districts(redis),
        "players": [{"id": pid, "room_id": rec.get("room_id"), "name": rec.get("name", pid),
                     "chunk": rec.get("chunk")} for pid, rec in player_recs.items()],
        "spawns": [{"id": eid, "room_id": rec.get("room_id"), "kind": rec.get("kind"),
                    "template_id": rec.get("template_id"), "origin": rec.get("origin")}
                   for eid, rec in spawn_recs.items() if rec.get("room_id")],
        "chunks": chunks,
        "chunk_size": CHUNK_SIZE,
        "view": view,
        "totals": {"rooms": sum(c["rooms"] for c in chunks), "chunks": len(chunks)},
    }
