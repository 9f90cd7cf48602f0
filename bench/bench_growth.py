"""Growth benchmark (issue 10): grow the city by 100 chunks (40,000 rooms) while the engine ticks.

    flock /tmp/ouro-bench.lock .venv/bin/python bench/bench_growth.py [--chunks 100] [--players 20]

Runs the engine in-process (real persistence into a local redis-server; the base city from data/base,
its 178 NPCs acting; `--players` in-process players walking the base city, a tenth of them acting each
tick) twice, each in its own process: once with chunk unloading (chunk_idle_s = `--idle`, on the game
clock) and once keeping every chunk in memory (chunk_unload = false). Each run:
1. `--baseline` ticks before any growth;
2. per chunk: one patch of 400 street rooms (a full 20×20 chunk, exits paired, hanging from the chunk
   before it) — the engine prefetches the chunks it touches, applies it and flushes (timed: "apply"),
   then the shell's chunk pass (load around players, unload idle), then `--ticks-per-chunk` ticks;
3. the figures: time per chunk, tick and flush p50/p99 before and during growth, RSS now and peak,
   rooms in memory; for the unloading run also the time to read a 400-room chunk back (the prefetch
   path and the blocking miss path) and a restart's start-up time and memory.
A tick is the systems (`Core.tick`, CPU on a manual clock: no sleeps); a flush is collecting the dirty
state, the MULTI write to Redis and publishing the events. The gate's cost for a 400-room block is
timed separately (`--gate N` chunks through `run_gate`, pydantic validation of every room).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from redis.asyncio import Redis

from ouro_engine.clock import ManualClock
from ouro_engine.engine import Engine
from ouro_engine.sessions import MemorySession
from ouro_engine.settings import EngineSettings
from ouro_schemas import messages as m
from ouro_schemas.chunks import CHUNK_SIZE
from ouro_schemas.content import OFFSET, OPPOSITE

BASE = Path(__file__).resolve().parents[1] / "data" / "base"
WALK = ["n", "s", "e", "w", "look", "n", "e", "s", "w", "map", "say hi", "score"]
SIDE = 10  # chunks (1..10, 0..9): a 10×10 square east of the base city


def chunk_order(n: int) -> list[tuple[int, int]]:
    return [(1 + i % SIDE, i // SIDE) for i in range(n)]


def chunk_patch(cx: int, cy: int, key: bytes) -> m.Patch:
    """400 street rooms filling chunk (cx, cy), every neighbour linked, hung from the chunk west of it
    (the base city's road end x19y09 for the first), or south of it at the start of a row."""
    x0, y0 = cx * CHUNK_SIZE, cy * CHUNK_SIZE
    rid = lambda lx, ly: f"c{cx}_{cy}-{lx}-{ly}"  # noqa: E731
    rooms = []
    for lx in range(CHUNK_SIZE):
        for ly in range(CHUNK_SIZE):
            exits = [{"direction": d, "to": rid(lx + dx, ly + dy)} for d, (dx, dy, _) in OFFSET.items()
                     if d in "nsew" and len(d) == 1 and 0 <= lx + dx < CHUNK_SIZE and 0 <= ly + dy < CHUNK_SIZE]
            rooms.append({"id": rid(lx, ly), "name": "Grid Street", "description": "Wet asphalt under neon.",
                          "district_id": "foundry_row", "kind": "street", "x": x0 + lx, "y": y0 + ly,
                          "exits": exits})
    if cx > 1:
        link, d, old = rid(0, 9), "w", f"c{cx - 1}_{cy}-19-9"
    elif cy > 0:
        link, d, old = rid(9, 0), "s", f"c{cx}_{cy - 1}-9-19"
    else:
        link, d, old = rid(0, 9), "w", "x19y09"
    next(r for r in rooms if r["id"] == link)["exits"].append({"direction": d, "to": old})
    ops: list[Any] = [m.AddRooms(rooms=rooms), m.AddExit(room_id=old, direction=OPPOSITE[d], to_room_id=link)]
    patch = m.Patch(id=f"p-chunk-{cx}-{cy}", proposal_id=f"p-chunk-{cx}-{cy}", kind=m.PatchKind.APPLY, ops=ops)
    import msgspec

    return msgspec.structs.replace(patch, signature=m.patch_signature(patch, key))


def rss_mb() -> tuple[float, float]:
    now = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) * 1000 if values else 0.0


class Run:
    def __init__(self, engine: Engine, clock: ManualClock, players: int) -> None:
        self.engine, self.clock, self.players = engine, clock, players
        self.rng = np.random.default_rng(7)
        self.ticks: list[float] = []
        self.flushes: list[float] = []

    async def tick(self, n: int) -> None:
        core, hz = self.engine.core, self.engine.settings.tick_hz
        for _ in range(n):
            self.clock.advance(1 / hz)
            tick = core.game.world.tick
            for p in range(tick % 10, self.players, 10):
                core.execute(f"player:g{p}", WALK[int(self.rng.integers(len(WALK)))])
            t0 = time.perf_counter()
            core.tick()
            self.ticks.append(time.perf_counter() - t0)
            f0 = time.perf_counter()
            await self.engine.flush(summary=core.game.world.tick % self.engine.settings.summary_every_ticks == 0)
            self.flushes.append(time.perf_counter() - f0)
            if core.game.world.tick % self.engine.settings.chunk_every_ticks == 0:
                await self.engine.maintain_chunks()


async def worker(args: argparse.Namespace) -> dict[str, Any]:
    redis = Redis.from_url(args.redis_url, socket_timeout=60)
    await redis.flushdb()
    unload = args.mode == "unload"
    settings = EngineSettings(base_dir=BASE, data_dir=Path(tempfile.mkdtemp()), seed=5, chunk_unload=unload,
                              chunk_idle_s=args.idle)
    clock = ManualClock()
    engine = Engine(settings, redis, clock=clock)
    await engine.start()
    for p in range(args.players):
        engine.hub.attach(MemorySession(), f"player:g{p}", f"G{p}")
    run = Run(engine, clock, args.players)
    await run.tick(args.baseline)
    before_ticks, before_flushes = run.ticks, run.flushes
    run.ticks, run.flushes = [], []
    rss_before = rss_mb()[0]
    applies: list[float] = []
    key = settings.hmac_key_bytes
    started = time.perf_counter()
    for cx, cy in chunk_order(args.chunks):
        patch = chunk_patch(cx, cy, key)
        t0 = time.perf_counter()
        result = await engine.submit_patch_now(patch)
        await engine.flush()
        applies.append(time.perf_counter() - t0)
        assert result.status == m.PatchStatus.APPLIED, result.reason
        await engine.maintain_chunks()
        await run.tick(args.ticks_per_chunk)
    grow_s = time.perf_counter() - started
    game = engine.core.game
    rss_now, rss_peak = rss_mb()
    out: dict[str, Any] = {
        "mode": args.mode, "chunks": len(game.map.meta), "rooms": game.map.room_count(),
        "rooms_in_memory": len(game.map.rooms), "chunks_in_memory": len(game.map.loaded & set(game.map.meta)),
        "entities_in_memory": len(game.world), "grow_s": grow_s,
        "apply_p50_ms": pct(applies, 50), "apply_p99_ms": pct(applies, 99), "apply_max_ms": max(applies) * 1000,
        "tick_before_p50_ms": pct(before_ticks, 50), "tick_before_p99_ms": pct(before_ticks, 99),
        "tick_during_p50_ms": pct(run.ticks, 50), "tick_during_p99_ms": pct(run.ticks, 99),
        "flush_before_p99_ms": pct(before_flushes, 99), "flush_during_p50_ms": pct(run.flushes, 50),
        "flush_during_p99_ms": pct(run.flushes, 99), "ticks_during": len(run.ticks),
        "rss_before_mb": rss_before, "rss_mb": rss_now, "rss_peak_mb": rss_peak, **game.chunks.stats(),
    }
    if unload:
        out.update(await reread(engine))
    await redis.aclose()
    return out


async def reread(engine: Engine) -> dict[str, Any]:
    """A 400-room chunk read back: the prefetch path, the blocking miss path; then a restart."""
    store = engine.core.game.chunks
    far = [ch for ch in chunk_order(100)[-20:] if not engine.core.game.map.is_loaded(ch)][:10]
    reads, misses = [], []
    for ch in far[:5]:
        t0 = time.perf_counter()
        await store.load([ch], engine.core.game.now)
        reads.append(time.perf_counter() - t0)
    for ch in far[5:]:
        t0 = time.perf_counter()
        store.ensure_blocking([ch])
        misses.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    again = Engine(engine.settings, engine.redis, clock=ManualClock())
    await again.start()
    return {"chunk_read_ms": pct(reads, 50), "chunk_miss_ms": pct(misses, 50),
            "restart_s": time.perf_counter() - t0, "restart_rooms_in_memory": len(again.core.game.map.rooms)}


def report(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        print(f"\n== {r['mode']}: {r['chunks']} chunks, {r['rooms']} rooms grown in {r['grow_s']:.1f} s "
              f"({r['ticks_during']} ticks interleaved)")
        print(f"per chunk (prefetch + apply 400 rooms + flush): p50 {r['apply_p50_ms']:.0f} ms  "
              f"p99 {r['apply_p99_ms']:.0f} ms  max {r['apply_max_ms']:.0f} ms")
        print(f"tick  before p50 {r['tick_before_p50_ms']:.2f} ms p99 {r['tick_before_p99_ms']:.2f} ms | "
              f"during p50 {r['tick_during_p50_ms']:.2f} ms p99 {r['tick_during_p99_ms']:.2f} ms")
        print(f"flush before p99 {r['flush_before_p99_ms']:.2f} ms | during p50 {r['flush_during_p50_ms']:.2f} ms "
              f"p99 {r['flush_during_p99_ms']:.2f} ms")
        print(f"memory: RSS {r['rss_before_mb']:.0f} MB before growth -> {r['rss_mb']:.0f} MB after "
              f"(peak {r['rss_peak_mb']:.0f} MB); in memory {r['rooms_in_memory']} rooms, "
              f"{r['chunks_in_memory']} chunks, {r['entities_in_memory']} entities; "
              f"loads {r['loads']}, unloads {r['unloads']}, misses {r['misses']}")
        if "chunk_read_ms" in r:
            print(f"read a 400-room chunk back: prefetch {r['chunk_read_ms']:.1f} ms, blocking miss "
                  f"{r['chunk_miss_ms']:.1f} ms; restart {r['restart_s']:.2f} s with "
                  f"{r['restart_rooms_in_memory']} rooms in memory")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=100)
    ap.add_argument("--players", type=int, default=20)
    ap.add_argument("--baseline", type=int, default=300, help="ticks before growth")
    ap.add_argument("--ticks-per-chunk", type=int, default=10)
    ap.add_argument("--idle", type=float, default=5.0, help="chunk_idle_s (game seconds) when unloading")
    ap.add_argument("--mode", choices=("unload", "keep"), help="(internal) one run in this process")
    ap.add_argument("--redis-url", default="")
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(asyncio.run(worker(args))))
        return
    from ouro_runtime.redis_server import RedisServer

    server = None
    url = args.redis_url
    if not url:
        server = RedisServer(Path(tempfile.mkdtemp()) / "redis")
        server.start()
        url = server.url
    rows = []
    try:
        for db, mode in enumerate(("unload", "keep")):
            cmd = [sys.executable, __file__, "--mode", mode, "--redis-url", url.rsplit("/", 1)[0] + f"/{db}",
                   "--chunks", str(args.chunks), "--players", str(args.players), "--baseline", str(args.baseline),
                   "--ticks-per-chunk", str(args.ticks_per_chunk), "--idle", str(args.idle)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if server is not None:
            server.stop()
    report(rows)
    print("\n" + json.dumps(rows))


if __name__ == "__main__":
    main()
