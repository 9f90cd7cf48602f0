"""Player gateway under load: N WebSocket clients, each sending `look` or a move once per second.

    .venv/bin/python bench/bench_gateway.py                # 100 clients, 20 s
    .venv/bin/python bench/bench_gateway.py --full         # 500 clients, 60 s (the issue's target)
    .venv/bin/python bench/bench_gateway.py --hop          # one command in-process vs over a Redis stream hop

The server (embedded Redis, the engine on data/base with its tick loop, both gateways) runs in its own
process so its CPU is measured apart from the clients' (`/proc` via psutil). Round trip = from sending
`{"type": "command", "id": n}` to the first `text` carrying id n. Clients register first (argon2 at
time_cost=1 / 8 MiB for the run, so 500 registrations take seconds), then start at random phases.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import collections
import cProfile
import gc
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import msgspec
import psutil
from wsclient import Player, open_ws

ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


# --- the server process -------------------------------------------------------------------------------
async def serve(ready_file: str) -> None:
    from redis.asyncio import Redis

    from ouro_engine.engine import Engine
    from ouro_engine.gateway import GatewaySettings, open_gateways
    from ouro_engine.settings import EngineSettings
    from ouro_runtime.redis_server import RedisServer

    server = RedisServer(Path(tempfile.mkdtemp()) / "redis")
    server.start()
    redis = Redis.from_url(server.url, socket_timeout=15)
    settings = EngineSettings(seed=5, data_dir=ROOT / "data", base_dir=ROOT / "data" / "base", telnet_port=0,
                              http_port=0, argon2_time_cost=1, argon2_memory_kib=8192)
    engine = Engine(settings, redis)
    await engine.start()
    if os.environ.get("BENCH_GC"):  # e.g. "50000,50,1000": fewer, later collections (see docs/gateway.md)
        gc.set_threshold(*(int(x) for x in os.environ["BENCH_GC"].split(",")))
    loop_task = asyncio.create_task(engine.run())
    gws = await open_gateways(engine.hub, GatewaySettings(
        telnet_host="127.0.0.1", telnet_port=0, play_host="127.0.0.1", play_port=0,
        conns_per_ip_per_s=100_000, conns_per_ip_burst=100_000))
    await asyncio.to_thread(Path(ready_file).write_text, json.dumps(gws.ports))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    lag_task = asyncio.create_task(loop_lag("server"))
    if os.environ.get("BENCH_STALLS"):
        threading.Thread(target=stall_watch, args=(threading.get_ident(),), daemon=True).start()
    profile_to = os.environ.get("BENCH_PROFILE")  # a path: cProfile the server, stats written there
    profiler = cProfile.Profile() if profile_to else None
    if profiler is not None:
        profiler.enable()
    try:
        await stop.wait()
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile_to))
        lag_task.cancel()
        engine.stop()
        await gws.close()
        await loop_task
        server.stop()


GC_PAUSES: list[float] = []
BEAT = [time.monotonic()]  # the event loop's heartbeat (loop_lag), read by the stall watcher thread


def stall_watch(loop_thread: int, threshold: float = 0.05) -> None:
    """BENCH_STALLS=1: a thread that samples what the server's loop thread runs whenever the loop has not
    beaten for `threshold`; each stall (how long, when, the stack seen most) is printed at exit."""
    stalls: list[tuple[float, float, str]] = []
    t0 = time.monotonic()

    def report() -> None:
        for at, took, stack in stalls:
            print(f"  stall at +{at:.1f} s, {took * 1000:.0f} ms, mostly in:\n{stack}", file=sys.stderr)

    atexit.register(report)
    while True:
        time.sleep(0.005)
        if time.monotonic() - BEAT[0] <= threshold:
            continue
        began, seen = BEAT[0], collections.Counter[str]()
        while time.monotonic() - BEAT[0] > threshold and BEAT[0] == began:
            frame = sys._current_frames().get(loop_thread)
            if frame is not None:
                seen["".join(traceback.format_stack(frame)[-6:])] += 1
            time.sleep(0.005)
        stalls.append((began - t0, time.monotonic() - began, seen.most_common(1)[0][0] if seen else "?"))


def _gc_timer() -> None:
    started: list[float] = [0.0]

    def cb(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            GC_PAUSES.append(time.perf_counter() - started[0])

    gc.callbacks.append(cb)


async def loop_lag(who: str, every: float = 10.0) -> None:
    """Print the event loop's worst stall per window (a 10 ms sleep that wakes late) to stderr."""
    _gc_timer()
    worst, window_end = 0.0, time.monotonic() + every
    while True:
        t = time.monotonic()
        await asyncio.sleep(0.01)
        BEAT[0] = time.monotonic()
        worst = max(worst, time.monotonic() - t - 0.01)
        if time.monotonic() > window_end:
            if os.environ.get("BENCH_LAG"):
                gcs = sorted(GC_PAUSES)
                print(f"  {who} loop: worst stall {worst * 1000:.0f} ms; GC runs {len(gcs)}, worst "
                      f"{(gcs[-1] if gcs else 0) * 1000:.1f} ms, total {sum(gcs) * 1000:.0f} ms", file=sys.stderr)
                GC_PAUSES.clear()
            worst, window_end = 0.0, time.monotonic() + every


# --- the clients (the lean client is in wsclient.py, shared with bench_go) ------------------------------
class Bot(Player):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.ready = False

    async def run(self, port: int, registered: asyncio.Semaphore, start: asyncio.Event, seconds: float,
                  walk: int) -> None:
        ws = await open_ws(port, self.on_message)
        async with registered:
            ws.send(self.register())
            await self.authed
        for _ in range(walk):  # spread over the city first (unmeasured): a crowd in one room is O(N^2)
            ws.send(msgspec.json.encode({"type": "command", "line": random.choice(list(self.exits) or ["look"])}))
            await asyncio.sleep(0.3 + random.random() * 0.3)
        self.ready = True
        await start.wait()
        first = time.monotonic() + random.random()  # spread the clients over the second
        for k in range(int(seconds)):  # one command a second, on a fixed schedule (no drift under load)
            await asyncio.sleep(max(0.0, first + k - time.monotonic()))
            line = random.choice(list(self.exits)) if self.exits and random.random() < 0.5 else "look"
            ws.send(self.command(line))
        await asyncio.sleep(1.0)
        await ws.close()


def start_server() -> tuple[subprocess.Popen[bytes], int]:
    ready = Path(tempfile.mkdtemp()) / "ready.json"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(ready)], cwd=ROOT,
                            env={**os.environ, "OURO_LOG_LEVEL": "WARNING"})
    deadline = time.monotonic() + 120
    while not ready.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("server did not start")
        time.sleep(0.1)
    return proc, int(json.loads(ready.read_text())["play_port"])


async def load(proc: subprocess.Popen[bytes], port: int, clients: int, seconds: float, walk: int) -> None:
    try:
        server = psutil.Process(proc.pid)
        bots = [Bot(f"Bot{i:04d}") for i in range(clients)]
        start = asyncio.Event()
        registered = asyncio.Semaphore(8)
        tasks = [asyncio.create_task(b.run(port, registered, start, seconds, walk)) for b in bots]
        t0 = time.monotonic()
        while sum(1 for b in bots if b.ready) < clients:
            if any(t.done() and t.exception() for t in tasks):
                raise SystemExit(f"a client failed: {next(t.exception() for t in tasks if t.done())}")
            await asyncio.sleep(0.1)
        print(f"{clients} clients registered and walked {walk} random steps in {time.monotonic() - t0:.1f} s")
        gc.collect()  # the clients' own collector: set up like the engine's (frozen heap, rarer young runs)
        gc.freeze()
        gc.set_threshold(50_000, 50, 1000)
        redis_server = server.children(recursive=True)  # the embedded redis-server
        redis0 = sum(sum(c.cpu_times()[:2]) for c in redis_server)
        cpu0, wall0 = sum(server.cpu_times()[:2]), time.monotonic()
        t_start = wall0  # the clients time their commands with time.monotonic (wsclient.Player)
        me0 = sum(psutil.Process().cpu_times()[:2])
        start.set()
        lag = asyncio.create_task(loop_lag("client"))
        await asyncio.gather(*tasks)
        lag.cancel()
        wall = time.monotonic() - wall0
        cpu = sum(server.cpu_times()[:2]) - cpu0
        redis_cpu = sum(sum(c.cpu_times()[:2]) for c in redis_server) - redis0
        me = sum(psutil.Process().cpu_times()[:2]) - me0
        rtts = [r * 1000 for b in bots for r in b.rtts]
        lost = sum(len(b.sent) for b in bots)
        print(f"clients={clients} seconds={seconds:.0f} commands={len(rtts)} unanswered={lost} "
              f"errors={sum(b.errors for b in bots)} ({len(rtts) / wall:.0f} commands/s)")
        print(f"round trip ms: p50={pct(rtts, 50):.2f} p90={pct(rtts, 90):.2f} p99={pct(rtts, 99):.2f} "
              f"max={max(rtts):.2f} mean={statistics.fmean(rtts):.2f}")
        windows: dict[int, list[float]] = {}
        for b in bots:
            for sent, r in zip(b.at, b.rtts, strict=True):
                windows.setdefault(int((sent - t_start) // 10), []).append(r * 1000)
        print("by 10 s window, p50/p99 ms: " + "  ".join(
            f"[{w * 10}s] {pct(v, 50):.1f}/{pct(v, 99):.1f}" for w, v in sorted(windows.items())))
        print(f"server CPU: {cpu:.1f} s over {wall:.1f} s = {100 * cpu / wall:.0f}% of one core "
              f"(its redis-server: {100 * redis_cpu / wall:.0f}%; the clients' process: {100 * me / wall:.0f}%); "
              f"cores: {os.cpu_count()}; "
              f"load average {os.getloadavg()[0]:.2f}")
    finally:
        proc.terminate()
        proc.wait(10)


# --- in-process vs one Redis stream hop ------------------------------------------------------------------
async def hop(n: int) -> None:
    from redis.asyncio import Redis

    from ouro_engine.engine import Engine
    from ouro_engine.sessions import MemorySession
    from ouro_engine.settings import EngineSettings
    from ouro_runtime.redis_server import RedisServer

    server = RedisServer(Path(tempfile.mkdtemp()) / "redis")
    server.start()
    redis = Redis.from_url(server.url, socket_timeout=15)
    settings = EngineSettings(seed=5, data_dir=ROOT / "data", base_dir=ROOT / "data" / "base", telnet_port=0,
                              http_port=0)
    engine = Engine(settings, redis)
    await engine.start()
    session = MemorySession()
    engine.hub.attach(session, "player:hop", "Hop")
    inproc = []
    for _ in range(n):
        t = time.perf_counter()
        await engine.hub.receive(session, "look")
        inproc.append((time.perf_counter() - t) * 1000)
    # The same command through a stream: gateway XADD -> engine XREAD, run, XADD reply -> gateway XREAD.
    a, b = Redis.from_url(server.url, socket_timeout=15), Redis.from_url(server.url, socket_timeout=15)

    async def engine_side() -> None:
        last = "0"
        while True:
            got = await b.xread({"bench.in": last}, block=1000, count=100)
            for _, entries in got or []:
                for eid, fields in entries:
                    last = eid
                    session.lines.clear()
                    await engine.hub.receive(session, fields[b"line"].decode())
                    await b.xadd("bench.out", {"id": fields[b"id"], "text": "\n".join(session.lines)})

    worker = asyncio.create_task(engine_side())
    await asyncio.sleep(0.2)
    hopped, last_out = [], "0"
    for i in range(n):
        t = time.perf_counter()
        await a.xadd("bench.in", {"id": i, "line": "look"})
        while True:
            got = await a.xread({"bench.out": last_out}, block=1000, count=1)
            if got:
                last_out = got[0][1][0][0]
                break
        hopped.append((time.perf_counter() - t) * 1000)
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    print(f"one `look` in-process (hub.receive):  p50={pct(inproc, 50):.3f} ms p99={pct(inproc, 99):.3f} ms")
    print(f"same over one Redis stream hop each way: p50={pct(hopped, 50):.3f} ms p99={pct(hopped, 99):.3f} ms "
          f"(n={n}, cores: {os.cpu_count()})")
    for c in (a, b, redis):
        await c.aclose()
    server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--full", action="store_true", help="500 clients for 60 s")
    ap.add_argument("--walk", type=int, default=15, help="unmeasured random steps first (0: all in one room)")
    ap.add_argument("--hop", action="store_true", help="in-process vs Redis stream hop, one command")
    ap.add_argument("--serve", metavar="READY_FILE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
    elif args.hop:
        asyncio.run(hop(2000))
    else:
        clients, seconds = (500, 60.0) if args.full else (args.clients, args.seconds)
        proc, port = start_server()
        asyncio.run(load(proc, port, clients, seconds, args.walk))


if __name__ == "__main__":
    main()
