"""Factories for the admin tests: a small world in the engine's keys, proposal records as the
publisher writes them, and a whole-state reader for rollback comparisons."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import names

OPERATOR = "operator-token-for-tests-0123456789"
VIEWER = "viewer-token-for-tests-0123456789"
DISTRICTS = {"market": "#e0a030", "docks": "#3080e0", "slums": "#a04040"}


def auth(token: str = OPERATOR) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def room(rid: str, x: int, y: int, district: str, origin: str = "base") -> dict[str, Any]:
    return {"id": rid, "name": rid.replace("_", " ").title(), "description": f"The {rid}.", "district_id": district,
            "kind": "street", "x": x, "y": y, "z": 0, "exits": [], "origin": origin}


async def seed_world(redis: Redis, size: int = 4) -> None:
    """A size×size grid, three districts, a player online and one spawned NPC."""
    pipe = redis.pipeline(transaction=True)
    for x in range(size):
        for y in range(size):
            district = list(DISTRICTS)[(x + y) % len(DISTRICTS)]
            rid = f"r_{x}_{y}"
            pipe.set(names.WORLD_ROOM + rid, json.dumps(room(rid, x, y, district)))
            pipe.sadd(names.WORLD_ROOM_INDEX, rid)
            pipe.hset(names.WORLD_COORD, f"{x},{y},0", rid)
    for did, color in DISTRICTS.items():
        pipe.hset(names.WORLD_DISTRICTS, did, json.dumps({"id": did, "name": did.title(), "color": color,
                                                          "theme": did, "threat_level": 2, "population": 3}))
    pipe.set(names.WORLD_ENTITY + "alice", json.dumps({"id": "alice", "kind": "player", "room_id": "r_0_0",
                                                      "holder_id": None, "origin": "base", "name": "Alice"}))
    pipe.set(names.WORLD_ENTITY + "p-job-1:0", json.dumps({"id": "p-job-1:0", "kind": "npc", "room_id": "r_1_1",
                                                          "template_id": "rat_king", "holder_id": None,
                                                          "origin": "p-job-1"}))
    pipe.sadd(names.WORLD_ENTITY_INDEX, "alice", "p-job-1:0")
    pipe.sadd(names.WORLD_PLAYERS_ONLINE, "alice")
    pipe.hset(names.WORLD_META, mapping={"tick": "42", "version": "1"})
    pipe.zadd(names.WORLD_PREFIX + "scores", {"a": 1.5, "b": 2})
    pipe.rpush(names.WORLD_PREFIX + "queue", "x", "y", b"\x00\xff")
    await pipe.execute()


GROWN_CHUNKS = [(0, 0), (1, 0), (2, 0), (0, 1), (-1, 0), (0, -1), (3, 3)]


async def seed_grown_city(redis: Redis, per_chunk: int = 4) -> None:
    """A city grown into GROWN_CHUNKS, written as the engine writes it: rooms, the chunk indexes and
    the chunk figures (rooms, bounds, rooms by district); a player online in chunk (2, 0)."""
    await seed_world(redis, 0)
    pipe = redis.pipeline(transaction=True)
    for cx, cy in GROWN_CHUNKS:
        district = list(DISTRICTS)[(cx - cy) % len(DISTRICTS)]
        cells = [(cx * 20 + i, cy * 20 + 5) for i in range(per_chunk)]
        for x, y in cells:
            rid = f"c_{x}_{y}"
            pipe.set(names.WORLD_ROOM + rid, json.dumps({**room(rid, x, y, district), "origin": "p-grow"}))
            pipe.sadd(names.WORLD_ROOM_INDEX, rid)
            pipe.hset(names.WORLD_COORD, f"{x},{y},0", rid)
            pipe.hset(names.WORLD_CHUNK + f"{cx},{cy}", rid, f"{x},{y},0")
        meta = {"rooms": len(cells), "bounds": [cells[0][0], cells[-1][0], cells[0][1], cells[0][1]],
                "districts": {district: [len(cells), sum(c[0] for c in cells), sum(c[1] for c in cells)]}}
        pipe.hset(names.WORLD_CHUNKS, f"{cx},{cy}", json.dumps(meta))
    pipe.set(names.WORLD_ENTITY + "alice", json.dumps({"id": "alice", "kind": "player", "room_id": "c_41_5",
                                                      "holder_id": None, "origin": "base", "name": "Alice",
                                                      "chunk": None}))
    await pipe.execute()


def npc_payload(damage_max: int = 5) -> dict[str, Any]:
    return {"archetype": {"id": "rat_king", "name": "Rat King", "role": "boss", "behavior": "aggressive",
                          "level": 3, "threat_level": 3,
                          "stats": {"max_health": 60, "damage_min": 2, "damage_max": damage_max, "accuracy": 0.6,
                                    "armor": 2, "crit_chance": 0.05},
                          "credits_min": 5, "credits_max": 40, "xp": 30,
                          "description": "A king of the sewer rats."},
            "spawn_room_id": "r_1_1", "quantity": 1}


async def put_proposal(redis: Redis, pid: str, *, type: str = "NPC", state: str = "awaiting_approval",
                       district: str = "market", created_at: float | None = None,
                       payload: dict[str, Any] | None = None, before: dict[str, Any] | None = None) -> dict[str, Any]:
    """A proposal record as the publisher keeps it (latest + as-received), indexed and maybe queued."""
    now = time.time() if created_at is None else created_at
    rec = {"id": pid, "type": type, "seed": 7, "generator": {"name": "npc", "version": "1"},
           "params": {"district_id": district}, "trigger": "ev-1", "job_id": "job-1",
           "trace": [{"stage": "director", "at": now, "actor": "director-1", "verdict": "ok",
                      "reason": "boss killed", "data": {"rule": "power_vacuum", "event_id": "ev-1",
                                                        "sliders": {"chaos": 0.3, "aggression": 0.7}}},
                     {"stage": "balance", "at": now + 1, "actor": "publisher-1", "verdict": "ok",
                      "reason": "clamped damage_max 80 -> 8", "data": {}}],
           "payload": payload or npc_payload(8), "flavor": {"name": "Rat King"},
           "tags": {"district": district}, "dependencies": [], "state": state, "reason": "", "hash": None,
           "created_at": now}
    pipe = redis.pipeline(transaction=True)
    pipe.set(names.PROPOSAL + pid, json.dumps(rec))
    pipe.set(names.PROPOSAL + pid + names.PROPOSAL_BEFORE_SUFFIX,
             json.dumps(before or {**rec, "payload": npc_payload(80), "state": "enriched"}))
    pipe.zadd(names.PROPOSAL_INDEX, {pid: now})
    if state == "awaiting_approval":
        pipe.zadd(names.APPROVAL_QUEUE, {pid: now})
    await pipe.execute()
    return rec


async def world_state(redis: Redis) -> dict[bytes, Any]:
    """Every ouro:world:* key: type, value (type-aware) and whether it has a TTL."""
    out: dict[bytes, Any] = {}
    async for key in redis.scan_iter(match=names.WORLD_PREFIX + "*"):
        kind = (await redis.type(key)).decode()
        if kind == "string":
            value: Any = await redis.get(key)
        elif kind == "hash":
            value = await redis.hgetall(key)
        elif kind == "set":
            value = sorted(await redis.smembers(key))
        elif kind == "zset":
            value = await redis.zrange(key, 0, -1, withscores=True)
        elif kind == "list":
            value = await redis.lrange(key, 0, -1)
        else:
            value = await redis.dump(key)
        out[key] = (kind, value, (await redis.pttl(key)) > 0)
    return out


def file_state(data_dir: Path) -> dict[str, bytes]:
    """data/generated/** and data/guardrails.json, by relative path."""
    out = {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in (data_dir / "generated").rglob("*")
           if p.is_file()} if (data_dir / "generated").is_dir() else {}
    if (data_dir / "guardrails.json").is_file():
        out["guardrails.json"] = (data_dir / "guardrails.json").read_bytes()
    return out


async def whole_state(redis: Redis, data_dir: Path) -> dict[str, Any]:
    return {"world": await world_state(redis), "files": file_state(data_dir),
            "guardrails_key": await redis.get(names.GUARDRAILS)}
