"""The world as the dashboard shows it, read from the engine's world keys (never written here).

Overview: districts (with colour and population), room / entity / template counts, players online,
growth (rooms and entities that came from proposals rather than the base world, applied patches,
the map bounds). Map: every room's grid coordinates and district, players' rooms, recent spawns.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import names

_CHUNK = 500


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


async def overview(redis: Redis) -> dict[str, Any]:
    room_ids = await _members(redis, names.WORLD_ROOM_INDEX)
    entity_ids = await _members(redis, names.WORLD_ENTITY_INDEX)
    rooms = await _records(redis, names.WORLD_ROOM, room_ids)
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
    for room in rooms.values():
        did = str(room.get("district_id", "?"))
        by_district[did] = by_district.get(did, 0) + 1
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
            "generated_rooms": sum(1 for r in rooms.values() if r.get("origin", "base") != "base"),
            "generated_entities": sum(1 for e in entities.values() if e.get("origin", "base") != "base"),
            "generated_districts": sum(1 for d in dists.values() if d.get("origin", "base") != "base"),
            "applied_patches": int(await redis.hlen(names.WORLD_APPLIED_PATCHES)),
            "bounds": summary.get("bounds"),
        },
        "tick": meta.get("tick") or summary.get("tick"),
        "economy": summary.get("economy"),
    }


async def world_map(redis: Redis, recent: int = 50) -> dict[str, Any]:
    """Rooms with coordinates, district colours, players' rooms and the newest generated entities."""
    room_ids = await _members(redis, names.WORLD_ROOM_INDEX)
    rooms = await _records(redis, names.WORLD_ROOM, room_ids)
    cells = []
    for rid, room in rooms.items():
        x, y, z = room.get("x"), room.get("y"), room.get("z", 0)
        if isinstance(x, int) and isinstance(y, int):
            cells.append({"id": rid, "x": x, "y": y, "z": z if isinstance(z, int) else 0,
                          "district": room.get("district_id"), "name": room.get("name", rid),
                          "origin": room.get("origin", "base"), "glitch": bool(room.get("glitch_door"))})
    players = await _members(redis, names.WORLD_PLAYERS_ONLINE)
    player_recs = await _records(redis, names.WORLD_ENTITY, players)
    entity_ids = await _members(redis, names.WORLD_ENTITY_INDEX)
    spawned = [e for e in entity_ids if ":" in e]  # ids `P:<n>` come from proposal P's Spawn op
    spawn_recs = await _records(redis, names.WORLD_ENTITY, spawned[-recent:])
    return {
        "rooms": cells,
        "districts": await districts(redis),
        "players": [{"id": pid, "room_id": rec.get("room_id"), "name": rec.get("name", pid)}
                    for pid, rec in player_recs.items()],
        "spawns": [{"id": eid, "room_id": rec.get("room_id"), "kind": rec.get("kind"),
                    "template_id": rec.get("template_id"), "origin": rec.get("origin")}
                   for eid, rec in spawn_recs.items() if rec.get("room_id")],
    }
