"""Engine benchmark: 10,000 NPCs (half wandering) and 1,000 in-process players, one command each per second.

    .venv/bin/python bench/bench_engine.py [--seconds 30] [--npcs 10000] [--players 1000]

Measures, on a manual clock advanced 1/tick_hz per tick (so the numbers are CPU time, not sleeps):
- tick time: the systems (AI, combat, regen, respawn, quests, events, QM regen, economy) plus
  collecting every dirty entity as encoded Redis writes (what the real loop sends in one pipeline;
  the network round trip itself is not measured here);
- command execution time: each player's line through the command registry;
- memory: the process RSS at the end.
Commands are spread evenly: each tick, a tenth of the players send one line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ouro_engine import persistence
from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_engine.sessions import MemorySession, SessionHub
from ouro_engine.settings import EngineSettings
from ouro_schemas import content as c

GRID = 20
DISTRICTS = ["corp", "slums", "market", "docks", "tech", "old-town"]
COMMANDS = ["look", "n", "s", "e", "w", "say hi", "score", "inventory", "map", "quests", "ne", "sw",
            "consider drone", "examine ganger", "lokk", "get chip", "help go"]


def synthetic_world(npcs: int) -> c.BaseWorld:
    rooms = []
    for x in range(GRID):
        for y in range(GRID):
            exits = []
            for d, (dx, dy, _) in c.OFFSET.items():
                if d in ("u", "d"):
                    continue
                if 0 <= x + dx < GRID and 0 <= y + dy < GRID:
                    exits.append({"direction": d, "to": f"r{x + dx}-{y + dy}"})
            rooms.append({"id": f"r{x}-{y}", "name": f"Street {x},{y}", "description": "Neon and rain.",
                          "district_id": DISTRICTS[(x // 7 + 3 * (y // 10)) % len(DISTRICTS)], "x": x, "y": y,
                          "exits": exits})
    stats = {"max_health": 30, "damage_min": 2, "damage_max": 5, "accuracy": 0.6, "armor": 1}
    data = {
        "factions": [{"id": "f", "name": "F", "kind": "gang", "description": "d"}],
        "districts": [{"id": d, "name": d, "theme": d, "threat_level": 2, "faction_id": "f", "description": "d"}
                      for d in DISTRICTS],
        "rooms": rooms,
        "npcs": [{"id": "drone", "name": "Patrol Drone", "role": "drone", "behavior": "wander", "level": 1,
                  "threat_level": 1, "stats": stats, "description": "Buzz."},
                 {"id": "ganger", "name": "Ganger", "role": "ganger", "behavior": "idle", "level": 1,
                  "threat_level": 1, "stats": stats, "description": "Scowl.", "barks": ["Move along."]}],
        "items": [{"id": "chip", "name": "Chip", "kind": "junk", "value": 1, "description": "A chip."}],
        "shops": [], "quests": [], "questmakers": [],
        "npc_spawns": [], "spawn_room_id": "r10-10",
    }
    rng = np.random.default_rng(3)
    per_room: dict[tuple[str, str], int] = {}
    for i in range(npcs):
        key = ("drone" if i % 2 == 0 else "ganger", f"r{rng.integers(GRID)}-{rng.integers(GRID)}")
        per_room[key] = per_room.get(key, 0) + 1
    spawns = []
    for (npc, room), count in per_room.items():
        while count > 0:
            spawns.append({"npc_id": npc, "room_id": room, "count": min(50, count)})
            count -= 50
    data["npc_spawns"] = spawns
    data["item_spawns"] = [{"item_id": "chip", "room_id": f"r{x}-{x}", "count": 5} for x in range(GRID)]
    return c.BaseWorld.model_validate(data)


def redis_sink(enabled: bool, initial: list[persistence.Write]) -> tuple[
        Callable[[list[persistence.Write]], None] | None, Callable[[], None]]:
    """A function that writes one tick's changes to an embedded Redis (and a stopper), or (None, no-op)."""
    if not enabled:
        return None, lambda: None
    import tempfile

    from redis.asyncio import Redis

    from ouro_runtime.redis_server import RedisServer

    server = RedisServer(Path(tempfile.mkdtemp()) / "redis")
    server.start()
    loop = asyncio.new_event_loop()
    client = Redis.from_url(server.url)
    loop.run_until_complete(persistence.write(client, initial))

    def sink(writes: list[persistence.Write]) -> None:
        loop.run_until_complete(persistence.write(client, writes))

    def stop() -> None:
        loop.run_until_complete(client.aclose())
        loop.close()
        server.stop()

    return sink, stop


def rss_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30.0, help="simulated seconds")
    ap.add_argument("--npcs", type=int, default=10_000)
    ap.add_argument("--players", type=int, default=1_000)
    ap.add_argument("--no-gc-freeze", action="store_true", help="keep the loaded world in the cyclic GC")
    ap.add_argument("--redis", action="store_true",
                    help="also write every tick's changes to an embedded redis-server (MULTI pipeline) and time it")
    args = ap.parse_args()

    settings = EngineSettings(seed=5, economy_every_ticks=100, summary_every_ticks=50)
    clock = ManualClock()
    core = Core(settings, clock)
    started = time.perf_counter()
    core.load_base(synthetic_world(args.npcs))
    hub = SessionHub(core, None)
    sessions = []
    for i in range(args.players):
        session = MemorySession()
        hub.attach(session, f"player:bench{i}", f"Bench{i}")
        sessions.append(session)
    persistence.mark_everything(core.game)
    initial = persistence.collect(core.game, {}, None)
    core.game.take_events()
    core.ai.schedule_new(clock.now())
    if not args.no_gc_freeze:
        gc.collect()
        gc.freeze()  # what the engine does after start-up: the loaded world leaves the GC's young generations
    setup_s = time.perf_counter() - started

    rng = np.random.default_rng(11)
    hz = settings.tick_hz
    ticks = int(args.seconds * hz)
    tick_times: list[float] = []
    tick_cpu: list[float] = []  # CPU time of the tick thread: what the tick costs without other tenants
    flush_times: list[float] = []
    sink, stop_redis = redis_sink(args.redis, initial)
    cmd_times: list[float] = []
    events = 0
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    for t in range(ticks):
        clock.advance(1 / hz)
        for p in range(t % int(hz), args.players, int(hz)):  # a tenth of the players each tick
            line = COMMANDS[int(rng.integers(len(COMMANDS)))]
            s0 = time.perf_counter()
            for text in core.execute(f"player:bench{p}", line):
                sessions[p].send_text(text)
            cmd_times.append(time.perf_counter() - s0)
        s0, c0 = time.perf_counter(), time.thread_time()
        core.tick()
        writes = persistence.collect(core.game, dict(core.tracker.players), None)
        tick_times.append(time.perf_counter() - s0)
        tick_cpu.append(time.thread_time() - c0)
        if sink is not None:
            f0 = time.perf_counter()
            sink(writes)
            flush_times.append(time.perf_counter() - f0)
        events += len(core.game.take_events())
        if t % 50 == 0:
            for session in sessions:
                session.lines.clear()
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0

    print(f"world: {len(core.game.map.rooms)} rooms, {args.npcs} NPCs (half wandering), "
          f"{args.players} players; setup {setup_s:.1f} s")
    print(f"simulated {args.seconds:.0f} s = {ticks} ticks at {hz:g} Hz; {len(cmd_times)} commands; "
          f"{core.ai.acted} NPC actions; {events} world events")
    print(f"tick     p50 {pct(tick_times, 50):6.2f} ms   p99 {pct(tick_times, 99):6.2f} ms   "
          f"max {max(tick_times) * 1000:6.2f} ms")
    print(f"tick CPU p50 {pct(tick_cpu, 50):6.2f} ms   p99 {pct(tick_cpu, 99):6.2f} ms   "
          f"max {max(tick_cpu) * 1000:6.2f} ms")
    print(f"command  p50 {pct(cmd_times, 50):6.3f} ms   p99 {pct(cmd_times, 99):6.3f} ms   "
          f"mean {statistics.fmean(cmd_times) * 1000:6.3f} ms")
    print(f"CPU busy {cpu:.2f} s for {args.seconds:.0f} simulated s = {100 * cpu / args.seconds:.0f}% of one core "
          f"(wall {wall:.2f} s); command errors {core.command_errors}")
    if flush_times:
        print(f"flush    p50 {pct(flush_times, 50):6.2f} ms   p99 {pct(flush_times, 99):6.2f} ms   "
              f"(one MULTI pipeline per tick to a local redis-server)")
    stop_redis()
    print(f"memory   RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
