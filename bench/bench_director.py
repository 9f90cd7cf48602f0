"""Director benchmark: events digested per second on one core, and event -> job latency.

    .venv/bin/python bench/bench_director.py [--events 100000] [--bus-events 20000] [--latency 200]

1. core: `DirectorCore.digest` alone on a mixed stream (70 % events no rule listens to, 30 % rule
   triggers; default throttles), pinned to one CPU. What the rules + throttles + pacing cost.
2. bus: the same stream XADDed to world.events, then the director's own consumer (decode, dedupe
   marker, digest, suppressed-log folding, ack) drains it in burst mode: events/s end to end.
3. latency: the director's consumer running; one rule-triggering event at a time; time from XADD on
   world.events to the job readable on gen.jobs (p50 / p95 / p99), for a plain job and for a
   high-risk job that waits for its auto-snapshot.

Redis is an embedded redis-server (a separate process, so it gets the other core) unless REDIS_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from ouro_director.app import Director
from ouro_director.core import DirectorCore
from ouro_director.rules import by_kind
from ouro_director.settings import DirectorSettings
from ouro_director.summary import DistrictInfo, GrowthPointInfo, WorldSummary
from ouro_runtime.bus import Bus
from ouro_runtime.redis_server import RedisServer
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.messages import DirectorMode, DirectorState, EventKind, WorldEvent

K = EventKind
QUIET = [K.PLAYER_ENTERED_ROOM, K.PLAYER_CONNECTED, K.ENTITY_SPAWNED, K.PLAYER_DISCONNECTED]
TRIGGERS = [K.PLAYER_NEAR_EDGE, K.NPC_KILLED, K.ECONOMY_STATS, K.DISTRICT_CROWDED, K.DEAD_END_HIT,
            K.PLAYER_ENTERED_DISTRICT, K.QUEST_COMPLETED, K.PLAYER_ACTION]
DISTRICTS = [f"d{i}" for i in range(20)]
SUMMARY = WorldSummary(
    districts={d: DistrictInfo(id=d, npcs=0, quests_open=0, quests_done=1, has_hq=False, faction_id="f")
               for d in DISTRICTS},
    inflation=0.08, money_supply=100_000,
    growth_points=tuple(GrowthPointInfo(room_id=f"{d}-e", direction="e", x=19, y=i) for i, d in enumerate(DISTRICTS)))


def make_events(n: int, prefix: str = "b") -> list[WorldEvent]:
    out = []
    for i in range(n):
        kinds = TRIGGERS if i % 10 < 3 else QUIET
        d = DISTRICTS[i % 20]
        out.append(WorldEvent(id=f"{prefix}-{i}", kind=kinds[i % len(kinds)], at=time.time(), player_id=f"p{i % 100}",
                              district_id=d, room_id=f"{d}-{i % 17}",
                              data={"boss": i % 7 == 0, "population": 30, "direction": "n", "inflation": 0.08}))
    return out


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to cpu {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def bench_core(n: int) -> float:
    settings = DirectorSettings(data_dir=Path("/nonexistent"))
    core = DirectorCore(settings, DirectorState(mode=DirectorMode.RUNNING), time.time())
    events = make_events(n)
    now = time.time()
    t0 = time.perf_counter()
    for i, e in enumerate(events):
        core.digest(e, SUMMARY, now + i * 1e-4)
    dt = time.perf_counter() - t0
    print(f"core:    {n} events in {dt:.3f}s = {n / dt:,.0f} events/s  "
          f"(jobs {core.counters['jobs']}, decisions {core.counters['decisions']}, suppressed {core.suppressed})")
    return n / dt


def director(redis: Redis, data_dir: Path, **overrides: Any) -> Director:
    settings = DirectorSettings(data_dir=data_dir, hot_reload=False, instance="bench", **overrides)
    svc = Service(names.SERVICE_DIRECTOR, settings, redis=redis)
    d = Director(svc, settings, DirectorState(mode=DirectorMode.RUNNING))
    d.wire()
    return d


async def bench_bus(url: str, data_dir: Path, n: int) -> float:
    redis = Redis.from_url(url, socket_timeout=30)
    await redis.flushdb()
    bus = Bus(redis)
    events = make_events(n, "bus")
    for start in range(0, n, 2000):
        await bus.publish_many(names.WORLD_EVENTS, events[start:start + 2000])
    d = director(redis, data_dir)
    consumer = next(c for c in d.svc.consumers if c.stream == names.WORLD_EVENTS)
    consumer.config.batch = 512
    t0 = time.perf_counter()
    handled = await consumer.run_burst()
    dt = time.perf_counter() - t0
    print(f"bus:     {handled} events in {dt:.3f}s = {handled / dt:,.0f} events/s  (director consumer, batch 512, "
          f"jobs {d.core.counters['jobs']})")
    await redis.aclose()
    return handled / dt


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def bench_latency(url: str, data_dir: Path, n: int, *, high_risk: bool) -> list[float]:
    redis = Redis.from_url(url, socket_timeout=30)
    await redis.flushdb()
    for i in range(200):  # a small world for the snapshots to copy
        await redis.sadd(names.WORLD_ROOM_INDEX, f"r{i}")
        await redis.set(f"{names.WORLD_ROOM}r{i}",
                        f'{{"id": "r{i}", "name": "room", "district_id": "docks", "x": {i % 20}, "y": {i // 20}}}')
    d = director(redis, data_dir, jobs_per_minute=1e5, jobs_burst=10_000, rule_cooldown_s=0.0, relax_s=0.0,
                 expansion_timeout_s=0.0)
    d.core.registry = {name: dataclasses.replace(spec, cooldown_s=0.0) for name, spec in d.core.registry.items()}
    d.core._by_kind = by_kind(d.core.registry)  # every event may act: we time the path, not the throttles
    consumer = next(c for c in d.svc.consumers if c.stream == names.WORLD_EVENTS)
    consumer.config.block_ms = 100
    task = asyncio.create_task(consumer.run())
    await consumer.ready.wait()
    bus = Bus(redis)
    last = "0"
    out = []
    for i in range(n):
        kind = K.PLAYER_NEAR_EDGE if high_risk else K.ECONOMY_STATS
        e = WorldEvent(id=f"lat-{high_risk}-{i}", kind=kind, at=time.time(), room_id=f"r{i}", district_id="docks",
                       data={"direction": "n", "inflation": 0.5})
        t0 = time.perf_counter()
        await bus.publish(names.WORLD_EVENTS, e)
        reply: Any = await redis.xread({names.GEN_JOBS: last}, count=10, block=10_000)
        if not reply:
            raise SystemExit(f"no job for event {e.id} within 10 s: see log.director")
        last = reply[0][1][-1][0].decode()
        out.append((time.perf_counter() - t0) * 1000)
    consumer.stop()
    await task
    await redis.aclose()
    label = "high-risk (auto-snapshot)" if high_risk else "plain job"
    print(f"latency {label}: n={n} p50 {pct(out, 0.5):.2f} ms  p95 {pct(out, 0.95):.2f} ms  "
          f"p99 {pct(out, 0.99):.2f} ms")
    return out


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--bus-events", type=int, default=20_000)
    ap.add_argument("--latency", type=int, default=200)
    args = ap.parse_args()
    try:
        import hiredis  # noqa: F401

        parser = "hiredis"
    except ImportError:
        parser = "redis-py's pure-Python parser (no hiredis)"
    print(f"director bench: {os.cpu_count()} cores on this machine; bench process {pin_one_core()}; "
          f"reply parser: {parser}")
    bench_core(args.events)
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        url = os.environ.get("REDIS_URL")
        if not url:
            server = RedisServer(Path(tmp) / "redis")
            server.start()
            url = server.url
        try:
            await bench_bus(url, Path(tmp) / "data", args.bus_events)
            await bench_latency(url, Path(tmp) / "data", args.latency, high_risk=False)
            await bench_latency(url, Path(tmp) / "data", max(20, args.latency // 10), high_risk=True)
        finally:
            if server:
                server.stop()


if __name__ == "__main__":
    asyncio.run(main())
