"""Proposals gated and committed per second by one publisher (target ≥ 2,000/s).

    .venv/bin/python bench/bench_publisher.py [--proposals 4000] [--settle 35] [--tmp DIR] [--keep] [--profile out.prof]

An embedded redis-server (AOF everysec), a seeded world (the test factories), one in-process
publisher consuming `gen.enriched` with the real consumer (batches of 128). Mix: 40 % NPC with a
spawn, 40 % ITEM, 20 % BLOCK of two rooms — every one passes the gate and is committed (patch on
world.patches in a MULTI with its records, template file written atomically, one log.proposals
entry + JSONL line). A second run sends the same number of adversarial proposals (all rejected).
Throttles and the rarity window are opened up so they do not reject.

The Redis files and data/generated/ go to a temporary directory (under --tmp, default the system's).
--settle waits before measuring: on an ext4 file system without a journal (this project's 2-core VM)
creating a file costs up to ~1 ms of kernel time while many inodes of its block group were freed
recently — a minute or more, longer while their inode table block is dirty (the kernel looks at each
one: `recently_deleted` in `find_inode_bit`) — which is what the previous run's clean-up of its 4,000
files leaves behind (docs/publisher.md, Throughput).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ouro_publisher.__main__ import start as start_publisher
from ouro_publisher.__main__ import tune_gc
from ouro_publisher.gate import run_gate
from ouro_publisher.metrics import GATE_SECONDS
from ouro_publisher.settings import PublisherSettings
from ouro_publisher.types import WindowState
from ouro_runtime.redis_server import RedisServer
from ouro_runtime.service import Service, make_redis
from ouro_schemas import names
from tests.publisher import factories as f
from tests.publisher.adversarial import adversarial
from tests.publisher.conftest import seed_world, write_guardrails


async def run(pub_n: int, data_dir: Path, url: str, profile: str | None = None, settle: float = 0.0) -> None:
    redis = make_redis(url, socket_timeout=15)  # the client the service runs with
    await redis.flushall()
    view = f.growth_point_world(pub_n)
    await seed_world(redis, view)
    g = f.open_guardrails()
    write_guardrails(data_dir, g)
    os.environ["REDIS_URL"] = url
    settings = PublisherSettings(data_dir=data_dir, instance="bench", log_level="WARNING")
    svc = Service(names.SERVICE_PUBLISHER, settings, redis=redis)
    pub = await start_publisher(svc)
    tune_gc()  # as the service's setup does
    consumer = next(c for c in svc.consumers if c.stream == names.GEN_ENRICHED)
    if settle:
        print(f"settling {settle:.0f} s (file system: see the module docstring)", flush=True)
        await asyncio.sleep(settle)

    # The pure gate alone (no Redis, no files): what the checks themselves cost.
    sample = f.bench_proposals(min(pub_n, 2000), "p-gate")  # the world the publisher sees (growth points included)
    start_t = time.perf_counter()
    for p in sample:
        run_gate(p, view, g, WindowState())
    gate_s = time.perf_counter() - start_t
    print(f"{'gate only (pure)':24s} {len(sample):6d} in {gate_s:6.2f} s wall = {len(sample) / gate_s:6.0f}/s")

    for label, proposals in (("passing (committed)", f.bench_proposals(pub_n, "p-ok")),
                             ("adversarial (rejected)", [p for p, _ in adversarial(pub_n, seed=5)
                                                         if p.type != "QM_ACTION"])):
        for i in range(0, len(proposals), 200):
            await svc.bus.publish_many(names.GEN_ENRICHED, proposals[i:i + 200])
        pub.counts.clear()
        gate_before = _gate_sum()
        redis_cpu = await _redis_cpu(redis)
        prof = cProfile.Profile(time.thread_time) if profile else None  # main-thread CPU
        start, cpu, t0 = time.perf_counter(), time.process_time(), os.times()
        if prof is not None:
            prof.enable()
        await consumer.run_burst()
        if prof is not None:
            prof.disable()
            prof.dump_stats(f"{profile}.{label.split()[0]}")  # the consume phase only, not the set-up
        elapsed, cpu, t1 = time.perf_counter() - start, time.process_time() - cpu, os.times()
        user, system = t1.user - t0.user, t1.system - t0.system
        redis_cpu = await _redis_cpu(redis) - redis_cpu
        done = sum(pub.counts.values())
        gate_in = _gate_sum() - gate_before
        # Wall time is what one publisher did on this (shared, loaded) machine; CPU time says what it
        # costs: proposals per publisher CPU-second, and Redis's CPU for the same work.
        print(f"{label:24s} {done:6d} in {elapsed:6.2f} s wall = {done / elapsed:6.0f}/s | publisher CPU "
              f"{cpu:5.2f} s (user {user:.2f}, sys {system:.2f}) = {done / cpu:6.0f}/CPU-s | redis CPU {redis_cpu:5.2f} s   {pub.counts}")
        print(f"{'':24s} per proposal: {1e6 * cpu / done:5.0f} µs publisher CPU, of which the gate "
              f"{1e6 * gate_in / done:5.0f} µs (wall, in the pipeline)")
    patches = await redis.xlen(names.WORLD_PATCHES)
    files = sum(1 for _ in (data_dir / "generated").rglob("*.json"))
    load = os.getloadavg()[0]
    print(f"world.patches: {patches} patches; data/generated: {files} files on {_fs_type(data_dir)}; "
          f"cores: {os.cpu_count()}; load average {load:.1f}")
    await redis.aclose()


def _gate_sum() -> float:
    """Seconds the publisher spent in run_gate so far (its histogram's sum)."""
    return sum(s.value for m in GATE_SECONDS.collect() for s in m.samples if s.name.endswith("_sum"))


def _fs_type(path: Path) -> str:
    """The file system under `path` (Linux: the longest matching mount point), for the report."""
    best, kind = "", "?"
    try:
        with open("/proc/self/mounts", encoding="utf-8") as fh:
            for line in fh:
                _, point, fstype, *_ = line.split()
                if str(path.resolve()).startswith(point.rstrip("/") + "/") and len(point) > len(best):
                    best, kind = point, fstype
    except OSError:
        pass
    return kind


async def _redis_cpu(redis: Redis) -> float:
    info = await redis.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


async def main(n: int, profile: str | None, settle: float, tmp_base: str | None, keep: bool = False) -> None:
    tmp = tempfile.mkdtemp(prefix="bench_publisher.", dir=tmp_base)
    try:
        server = RedisServer(Path(tmp) / "redis")
        server.start()
        try:
            data = Path(tmp) / "data"
            data.mkdir()
            await run(n, data, server.url, profile, settle)
        finally:
            server.stop()
    finally:
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--proposals", type=int, default=4000)
    ap.add_argument("--profile", help="write cProfile stats of each consume phase to PROFILE.<phase>")
    ap.add_argument("--settle", type=float, default=0.0, help="seconds to wait before measuring")
    ap.add_argument("--tmp", help="where the temporary Redis and data directories go")
    ap.add_argument("--keep", action="store_true",
                    help="leave the temporary directory (deleting its 4,000 files slows the next run's file "
                         "creation in the same block group on ext4 without a journal)")
    args = ap.parse_args()
    asyncio.run(main(args.proposals, args.profile, args.settle, args.tmp, args.keep))
