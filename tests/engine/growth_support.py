"""Test helpers for a growing world: straight roads as patches, graph checks over Redis and memory."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import messages as m
from ouro_schemas import names
from ouro_schemas.content import OFFSET, OPPOSITE


def road_ops(from_room: str, direction: str, start: tuple[int, int], length: int, district: str,
             prefix: str) -> list[Any]:
    """A straight street of `length` rooms from the free cell `start` (next to `from_room`, in
    `direction`), exits paired, hanging from `from_room` — a block as the publisher would send it."""
    dx, dy, _ = OFFSET[direction]
    ids = [f"{prefix}-{i}" for i in range(length)]
    rooms = []
    for i, rid in enumerate(ids):
        exits = [{"direction": OPPOSITE[direction], "to": ids[i - 1] if i else from_room}]
        if i + 1 < length:
            exits.append({"direction": direction, "to": ids[i + 1]})
        rooms.append({"id": rid, "name": f"Long Road {i}", "description": "Asphalt and rain.",
                      "district_id": district, "kind": "street", "x": start[0] + dx * i, "y": start[1] + dy * i,
                      "exits": exits})
    return [m.AddRooms(rooms=rooms), m.AddExit(room_id=from_room, direction=direction, to_room_id=ids[0])]


async def stored_graph(redis: Redis) -> dict[str, dict[str, Any]]:
    """Every room in Redis: id -> {cell, exits {direction: to}}."""
    ids = sorted(m_.decode() for m_ in await redis.smembers(names.WORLD_ROOM_INDEX))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        for rid, raw in zip(chunk, await redis.mget([names.WORLD_ROOM + r for r in chunk]), strict=True):
            room = json.loads(raw)
            out[rid] = {"cell": (room["x"], room["y"], room.get("z", 0)),
                        "exits": {ex["direction"]: ex["to"] for ex in room["exits"]}}
    return out


def graph_problems(graph: dict[str, dict[str, Any]], spawn: str) -> list[str]:
    """What breaks the growth rules: unreachable rooms, shared cells, exits without their way back
    (or not one grid step long), exits to rooms that do not exist."""
    problems: list[str] = []
    cells: dict[tuple[int, int, int], str] = {}
    for rid, room in graph.items():
        other = cells.setdefault(room["cell"], rid)
        if other != rid:
            problems.append(f"{rid} and {other} share {room['cell']}")
        for d, to in room["exits"].items():
            target = graph.get(to)
            if target is None:
                problems.append(f"{rid}:{d} leads to missing {to}")
                continue
            if target["exits"].get(OPPOSITE[d]) != rid:
                problems.append(f"{rid}:{d} -> {to} has no way back")
            want = tuple(a + b for a, b in zip(room["cell"], OFFSET[d], strict=True))
            if target["cell"] != want:
                problems.append(f"{rid}:{d} -> {to} is not one step {d}")
    seen = {spawn}
    queue = deque([spawn])
    while queue:
        for to in graph[queue.popleft()]["exits"].values():
            if to in graph and to not in seen:
                seen.add(to)
                queue.append(to)
    lost = sorted(set(graph) - seen)
    if lost:
        problems.append(f"{len(lost)} rooms unreachable from {spawn}: {lost[:5]}")
    return problems


async def dump_world(redis: Redis, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every world key (decoded) but the meta, the summary and `skip` (three pipelined round trips)."""
    keys = sorted({k.decode() async for k in redis.scan_iter(match=names.WORLD_PREFIX + "*", count=5000)}
                  - {names.WORLD_META, names.WORLD_SUMMARY, *skip})
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.type(key)
    kinds = [k.decode() for k in await pipe.execute()]
    pipe = redis.pipeline(transaction=False)
    for key, kind in zip(keys, kinds, strict=True):
        {"string": pipe.get, "set": pipe.smembers, "hash": pipe.hgetall}.get(kind, pipe.type)(key)
    out: dict[str, Any] = {}
    for key, kind, value in zip(keys, kinds, await pipe.execute(), strict=True):
        if kind == "string":
            out[key] = json.loads(value)
        elif kind == "set":
            out[key] = sorted(v.decode() for v in value)
        elif kind == "hash":
            out[key] = {a.decode(): b.decode() for a, b in value.items()}
    return out
