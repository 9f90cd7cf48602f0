"""GO under faults, on the whole stack as `./ourobouro up` starts it (issue 11, point 2).

The operator presses GO; five telnet bots play: each buys a knife, then four walk to the four edges of the
city and pace there (the director asks for blocks), one keeps stepping in and out of a district whose
NPCs the test removed (the director asks for people for it); the director also forces an event after a
few quiet seconds, and the operator force-generates NPCs, items, quests, events and a building without
its parameters (which the gate rejects). Meanwhile the test SIGKILLs the director, a gen-worker, an
llm-worker, the publisher and the engine, one after the other, and restarts Redis once (a clean stop:
SIGTERM, which writes the AOF — a Redis *crash* may lose a second of writes by design; see
docs/operations.md). The launcher's supervision brings each back (compose's `restart: unless-stopped`);
the bots log in again after the engine's restart.

Afterwards, from where the services record them (tests/e2e/ledger.py):
- every generation job on `gen.jobs` has exactly one outcome: its proposal applied or rejected, or a dead
  letter — none lost, none with two;
- every committed proposal sent exactly one patch, and nothing was spawned twice: each spawned entity has
  one `entity_spawned` event, and the entities of a proposal are exactly those its patch names;
- no bot lost an item or a credit: the knife and the credits are in the engine's world keys and in what
  the player sees (`inventory`).
The test prints the counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from ouro_launcher.health import probe
from ouro_runtime.bus import REDIS_ERRORS
from ouro_runtime.redis_server import ping
from tests.e2e.conftest import Stack
from tests.e2e.ledger import Books, Purse, purse, read_books
from tests.e2e.telnet_bots import Bot, route
from tests.utils import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

EMPTY_DISTRICT = "jade_hollow"  # three rooms west of the plaza; its NPCs are removed before the start
# Who dies, and how, in order; one instance of each worker type, then the engine, then Redis.
FAULTS = [
    ("director", signal.SIGKILL),
    ("gen-worker-1", signal.SIGKILL),
    ("llm-worker-2", signal.SIGKILL),
    ("publisher", signal.SIGKILL),
    ("engine", signal.SIGKILL),
    ("redis", signal.SIGTERM),
]
GAP_S = 2.0  # play between faults
# What each victim consumes (stream -> group); its consumer name is its instance name.
CONSUMES = {
    "director": {"world.events": "director", "world.applied": "director"},
    "gen-worker-1": {"gen.jobs": "gen-worker"},
    "llm-worker-2": {"gen.drafts": "llm-worker", "qm.turns": "llm-worker"},
    "publisher": {"gen.enriched": "publisher", "qm.actions": "publisher", "world.applied": "publisher"},
    "engine": {"world.patches": "engine"},
    "redis": {},
}
OPERATOR_TYPES = ["NPC", "ITEM", "QUEST", "EVENT", "NPC", "BUILDING"]  # BUILDING without params: rejected


@pytest.fixture
def stack_env() -> dict[str, str]:
    return {
        # A busy director: 1 s cool-downs, a bucket that does not bind, a forced event after 4 quiet seconds.
        "OURO_RULE_COOLDOWN_S": "1", "OURO_JOBS_PER_MINUTE": "1200", "OURO_JOBS_BURST": "60",
        "OURO_FORCED_EVENT_QUIET_S": "4", "OURO_EXPANSION_TIMEOUT_S": "20",
        # The world summary every second, so the director soon sees the empty district populated.
        "OURO_SUMMARY_EVERY_TICKS": "10",
        # A dead consumer's entries are claimed back after 2 s (default 30 s).
        "OURO_CLAIM_IDLE_MS": "2000",
        # Cheap password hashing: every bot logs in again after the engine's restart.
        "OURO_ARGON2_TIME_COST": "1", "OURO_ARGON2_MEMORY_KIB": "8192",
    }  # fmt: skip


@pytest.fixture
def prepare_data() -> Callable[[Path], None]:
    def empty_district(data: Path) -> None:
        base = data / "base"
        district = {r["id"]: r["district_id"] for r in json.loads((base / "rooms.json").read_text())}
        spawns = json.loads((base / "npc_spawns.json").read_text())
        kept = [s for s in spawns if district.get(s["room_id"]) != EMPTY_DISTRICT]
        assert len(kept) < len(spawns)
        (base / "npc_spawns.json").write_text(json.dumps(kept))

    return empty_district


class Operator:
    """Force-generates through the admin API at a steady pace (in a thread: a call may wait out Redis)."""

    def __init__(self, stack: Stack) -> None:
        self.stack, self.sent, self.failed, self._n = stack, 0, 0, 0

    async def generate(self, count: int = 1) -> None:
        for _ in range(count):
            kind = OPERATOR_TYPES[self._n % len(OPERATOR_TYPES)]
            self._n += 1
            try:
                await asyncio.to_thread(self.stack.api, "POST", "/api/generate",
                                        {"type": kind, "district_id": "lumen_bazaar"})
                self.sent += 1
            except OSError:  # HTTP 5xx while Redis restarts: the operator would press again
                self.failed += 1

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.generate()
            await asyncio.sleep(0.7)


def instance(stack: Stack, name: str) -> Any:
    record = stack.launcher_state()
    found = [p for p in [*record.procs, *([record.redis] if record.redis else [])] if p.name == name]
    assert found, name
    return found[0]


async def instance_restarted(stack: Stack, name: str) -> bool:
    return bool(instance(stack, name).restarts)


async def in_hand(redis: Redis, name: str) -> int:
    """Entries delivered to this consumer and not yet acknowledged (what its death leaves pending)."""
    total = 0
    for stream, group in CONSUMES[name].items():
        with contextlib.suppress(*REDIS_ERRORS, ResponseError):
            info: Any = await redis.xpending(stream, group)
            total += sum(int(c["pending"]) for c in info.get("consumers", []) if c["name"].decode() == name)
    return total


async def moment_with_work_in_hand(redis: Redis, name: str, patience: float = 2.0) -> int:
    """Wait (briefly) until the victim holds unacknowledged entries, so that its death strands them."""
    deadline = time.monotonic() + patience
    while True:
        held = await in_hand(redis, name)
        if held or not CONSUMES[name] or time.monotonic() > deadline:
            return held
        await asyncio.sleep(0.005)


async def kill_and_await_restart(stack: Stack, name: str, sig: signal.Signals) -> float:
    """Signal one process; return the seconds until the launcher restarted it and it answers again."""
    victim = instance(stack, name)
    started = time.monotonic()
    os.kill(victim.pid, sig)

    async def back() -> bool:
        now = instance(stack, name)
        if now.restarts <= victim.restarts:
            return False
        if name == "redis":
            return now.port is not None and ping("127.0.0.1", now.port)
        return bool(now.health_url) and (await asyncio.to_thread(probe, now.health_url, 1.0)).ok

    await wait_for(back, timeout=60, interval=0.2, what=f"{name} restarted by the launcher and healthy")
    return time.monotonic() - started


async def settled(redis: Redis) -> Books | None:
    try:
        books = await read_books(redis)
    except REDIS_ERRORS:  # the test's own connection from before the Redis restart: the next try reconnects
        return None
    return books if books.jobs and not books.unsettled() else None


async def test_faults_during_go_lose_nothing_and_do_nothing_twice(stack: Stack,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    t_start = time.monotonic()
    redis = Redis.from_url(stack.redis_url, socket_timeout=10)
    bots = [Bot(stack.telnet_port, name) for name in ("Norda", "Estra", "Sudo", "Westa", "Hopper")]
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    try:
        assert stack.api("POST", "/api/control/go")["command"] == "go"

        async def running() -> bool:
            return bool(stack.api("GET", "/api/director")["mode"] == "running")

        await wait_for(running, timeout=30, interval=0.2, what="the director running after GO")

        # Everyone shops first: a knife from Hexwire Arms, north-east of the plaza.
        async def shop(bot: Bot) -> None:
            await bot.connect(register=True)
            for step in ("n", "e"):
                await bot.do(step, "Exits:")
            await bot.do("buy knife", "You buy")
            for step in ("w", "s"):
                await bot.do(step, "Exits:")

        await asyncio.gather(*(shop(b) for b in bots))

        async def saved() -> dict[str, Purse] | None:  # the engine flushes every tick
            purses = {b.name: await purse(redis, b.player_id) for b in bots}
            return {n: p for n, p in purses.items() if p} if all(p and p.items for p in purses.values()) else None

        before = await wait_for(saved, timeout=10, interval=0.1, what="the purchases in the world keys")

        # Then they play, and the operator force-generates, while the test brings things down.
        to_empty = route(stack.data / "base", "spawn", EMPTY_DISTRICT)
        plans = [(["n"] * 10, ["s", "s", "n", "n"]), (["e"] * 10, ["w", "w", "e", "e"]),
                 (["s"] * 10, ["n", "n", "s", "s"]), (["w"] * 10, ["e", "e", "w", "w"]),
                 (to_empty, ["e", "w"])]
        tasks = [asyncio.create_task(b.roam(path, loop, stop)) for b, (path, loop) in zip(bots, plans, strict=True)]
        operator = Operator(stack)
        tasks.append(asyncio.create_task(operator.run(stop)))
        recovery: dict[str, float] = {}
        pending: dict[str, int] = {}

        async def fault(name: str, sig: signal.Signals) -> None:
            recovery[name] = await kill_and_await_restart(stack, name, sig)

        comebacks = []
        for name, sig in FAULTS:  # one after the other; each comes back while the next waits its turn
            await asyncio.sleep(GAP_S)
            await operator.generate(3)
            pending[name] = await moment_with_work_in_hand(redis, name)
            comebacks.append(asyncio.create_task(fault(name, sig)))
            await wait_for(lambda: instance_restarted(stack, name), timeout=30, interval=0.1,  # noqa: B023
                           what=f"the launcher restarting {name}")
        await asyncio.gather(*comebacks)
        await asyncio.sleep(GAP_S)
        stop.set()
        await asyncio.gather(*tasks)
        t_faults = time.monotonic()

        books = await wait_for(lambda: settled(redis), timeout=60, interval=0.5,
                               what="every generation job with an outcome")
        t_settled = time.monotonic()

        # What the players see, and what the engine holds.
        seen = {}
        for bot in bots:
            seen[bot.name] = await bot.do("inventory", "Credits:")
            seen[bot.name] += await bot.expect(".")
        after = {b.name: p for b in bots if (p := await purse(redis, b.player_id))}
        with capsys.disabled():  # the counts are part of the result: shown even when the test passes
            report(books, before, after, bots, operator, recovery, pending, stack,
                   (t_faults - t_start, t_settled - t_faults, time.monotonic() - t_start))

        # 1. Every job exactly one outcome.
        summary = books.summary()
        assert summary["none"] == 0 and summary["several"] == 0, {
            j: books.outcomes(j) for j in books.jobs if len(books.outcomes(j)) != 1}
        assert sum(summary.values()) == len(books.jobs) > 0
        assert summary["applied"] > 0 and summary["rejected"] > 0
        by_rule = Counter(j["rule"] for j in books.jobs.values())
        assert by_rule["edge_expansion"] + by_rule["extend_road"] > 0, by_rule  # the bots made the city grow
        assert by_rule["populate_empty"] > 0, by_rule  # and the empty district wanted people
        # 2. One patch per committed proposal; nothing spawned twice.
        committed = {f"p-{j}" for j, s in books.states.items() if s in ("applied", "published", "undone")}
        assert set(books.patches) == committed
        assert [p for p, n in books.patches.items() if n != 1] == []
        assert [e for e, n in books.spawn_events.items() if n != 1] == []
        spawned = [e for ids in books.spawned_by_patch.values() for e in ids]
        assert spawned and len(spawned) == len(set(spawned))
        for pid, ids in books.spawned_by_patch.items():
            assert sorted(books.entities_by_origin.get(pid, [])) == sorted(ids), pid
            assert all(books.spawn_events[e] == 1 for e in ids), pid
        # 3. No player lost an item or a credit (they only walked after shopping).
        for bot in bots:
            assert after[bot.name].items >= before[bot.name].items, bot.name
            assert after[bot.name].credits >= before[bot.name].credits, bot.name
            assert "Combat Knife" in seen[bot.name], seen[bot.name]
            assert f"Credits: {after[bot.name].credits}." in seen[bot.name], seen[bot.name]
        assert sum(b.reconnects for b in bots) >= len(bots)  # everyone came back after the engine's restart
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for bot in bots:
            await bot.close()
        with contextlib.suppress(Exception):
            await redis.aclose()


def report(books: Books, before: dict[str, Purse], after: dict[str, Purse], bots: list[Bot], operator: Operator,
           recovery: dict[str, float], pending: dict[str, int], stack: Stack,
           times: tuple[float, float, float]) -> None:
    record = stack.launcher_state()
    restarts = {p.name: p.restarts for p in [*record.procs, *([record.redis] if record.redis else [])] if p.restarts}
    by_rule = Counter(j["rule"] for j in books.jobs.values())
    by_type = Counter(j["type"] for j in books.jobs.values())
    spawned = sum(len(ids) for ids in books.spawned_by_patch.values())
    print("\n--- GO under faults (tests/e2e/test_go_faults.py) ---")
    print("faults: " + ", ".join(f"{n} {s.name} ({pending[n]} entries in hand; back and healthy in "
                                 f"{recovery[n]:.1f} s)" for n, s in FAULTS))
    print(f"launcher restarts: {restarts}")
    print(f"jobs: {len(books.jobs)} ({books.job_entries} gen.jobs entries); by rule {dict(by_rule)}; "
          f"by type {dict(by_type)}; operator requests {operator.sent} sent, {operator.failed} refused")
    print(f"outcomes: {dict(books.summary())} (exactly one each: "
          f"{sum(1 for j in books.jobs if len(books.outcomes(j)) == 1)}/{len(books.jobs)})")
    print(f"redeliveries that repeated an output (deduped downstream): {books.repeats}")
    print(f"patches: {sum(books.patches.values())} for {len(books.patches)} proposals; "
          f"entities spawned: {spawned} (spawn events {sum(books.spawn_events.values())}, "
          f"twice: {sum(1 for n in books.spawn_events.values() if n > 1)})")
    print("players: " + "; ".join(
        f"{b.name} {before[b.name].credits}->{after[b.name].credits} cr, {len(before[b.name].items)}->"
        f"{len(after[b.name].items)} items, {b.reconnects} reconnects" for b in bots))
    print(f"time: {times[0]:.1f} s to the end of the faults, {times[1]:.1f} s to settle, {times[2]:.1f} s in all")
