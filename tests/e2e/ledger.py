"""The books of a run, read from Redis where the services record them: every generation job and its outcome,
every patch, every spawn, every player's purse and pockets.

- jobs: the `gen.jobs` stream (director and admin-api append; a job id may appear twice after a client
  retry, so ids are counted once);
- outcomes: the publisher's proposal record `ouro:proposal:p-<job>` in a final state (applied, rejected,
  failed, undone), or a dead letter keyed by the job or its proposal on `gen.jobs.dead`, `gen.drafts.dead`,
  `gen.enriched.dead` or `world.patches.dead`;
- patches: `world.patches` entries by patch id (= proposal id); spawns: the engine's `entity_spawned`
  events on `world.events` and its entity keys (`origin` = proposal id);
- players: `ouro:world:entity:player:<name>` (wallet, inventory).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import names

FINAL = frozenset({"applied", "rejected", "failed", "undone"})
DEAD_STREAMS = (names.GEN_JOBS, names.GEN_DRAFTS, names.GEN_ENRICHED, names.WORLD_PATCHES)


def _key(fields: dict[bytes, bytes]) -> str:
    return fields.get(b"k", b"").decode()


async def _entries(redis: Redis, stream: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
    out: list[tuple[bytes, dict[bytes, bytes]]] = []
    last = "-"
    while True:
        chunk: Any = await redis.xrange(stream, min=last, count=2000)
        if last != "-":
            chunk = chunk[1:]
        if not chunk:
            return out
        out.extend(chunk)
        last = chunk[-1][0].decode()


@dataclass
class Books:
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # job id -> the job
    job_entries: int = 0
    states: dict[str, str] = field(default_factory=dict)  # job id -> its proposal's state ("" if none)
    dead: dict[str, list[str]] = field(default_factory=dict)  # job id -> the streams it was dead-lettered on
    patches: Counter[str] = field(default_factory=Counter)  # patch id -> world.patches entries
    spawn_events: Counter[str] = field(default_factory=Counter)  # entity id -> entity_spawned events
    entities_by_origin: dict[str, list[str]] = field(default_factory=dict)
    spawned_by_patch: dict[str, list[str]] = field(default_factory=dict)  # proposal id -> ids its patch spawns
    repeats: dict[str, int] = field(default_factory=dict)  # stream -> entries repeating a key (redeliveries)

    def outcomes(self, job_id: str) -> list[str]:
        got = [self.states[job_id]] if self.states.get(job_id) in FINAL else []
        return got + [f"dead-lettered on {s}" for s in self.dead.get(job_id, [])]

    def unsettled(self) -> list[str]:
        return [j for j in self.jobs if not self.outcomes(j)]

    def summary(self) -> Counter[str]:
        c: Counter[str] = Counter()
        for job_id in self.jobs:
            got = self.outcomes(job_id)
            c["none" if not got else "several" if len(got) > 1 else got[0].split(" on ")[0]] += 1
        return c


async def read_books(redis: Redis) -> Books:
    books = Books()
    for _, f in await _entries(redis, names.GEN_JOBS):
        job = json.loads(f[b"d"])
        books.jobs.setdefault(job["id"], job)
        books.job_entries += 1
    ids = list(books.jobs)
    raws = await redis.mget([names.PROPOSAL + f"p-{j}" for j in ids]) if ids else []
    for job_id, raw in zip(ids, raws, strict=True):
        books.states[job_id] = json.loads(raw)["state"] if raw else ""
    for stream in DEAD_STREAMS:
        for _, f in await _entries(redis, names.dead_letter(stream)):
            key = _key(f)
            job_id = key.removeprefix("p-") if key.startswith("p-job-") else key
            books.dead.setdefault(job_id, []).append(stream)
    for _, f in await _entries(redis, names.WORLD_PATCHES):
        books.patches[_key(f)] += 1
    for _, f in await _entries(redis, names.WORLD_EVENTS):
        event = json.loads(f[b"d"])
        if event.get("kind") == "entity_spawned":
            books.spawn_events[str(event["data"].get("entity_id"))] += 1
    for stream in (names.GEN_DRAFTS, names.GEN_ENRICHED):
        keys = Counter(_key(f) for _, f in await _entries(redis, stream))
        books.repeats[stream] = sum(n - 1 for n in keys.values())
    entity_ids = sorted(m.decode() for m in await redis.smembers(names.WORLD_ENTITY_INDEX))  # type: ignore[misc]
    raws = await redis.mget([names.WORLD_ENTITY + e for e in entity_ids]) if entity_ids else []
    for eid, raw in zip(entity_ids, raws, strict=True):
        if raw:
            books.entities_by_origin.setdefault(json.loads(raw).get("origin") or "", []).append(eid)
    for pid in books.patches:
        raw = await redis.get(names.PUBLISHER_COMMIT + pid)
        if raw:
            ops = json.loads(raw)["patch"]["ops"]
            books.spawned_by_patch[pid] = [e for op in ops if op.get("op") == "spawn" for e in op["entity_ids"]]
    return books


@dataclass(frozen=True)
class Purse:
    credits: int
    items: frozenset[str]  # entity ids held


async def purse(redis: Redis, player_id: str) -> Purse | None:
    """The player's credits and items as the engine saved them (None before the first save)."""
    raw = await redis.get(names.WORLD_ENTITY + player_id)
    if not raw:
        return None
    player = json.loads(raw)
    return Purse(int(player["wallet"]["credits"]), frozenset(player["inventory"]["items"]))
