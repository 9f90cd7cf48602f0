"""GO under load: N WebSocket players on the whole stack as `./ourobouro up` starts it (issue 11, point 3).

    flock /tmp/ouro-bench.lock .venv/bin/python bench/bench_go.py --quick       # 100 players, 60 s
    flock /tmp/ouro-bench.lock .venv/bin/python bench/bench_go.py               # 500 players, 5 minutes
    .venv/bin/python bench/bench_go.py --bots 300 --seconds 120
    ... --stalls 10     the engine's loop passes busier than 10 ms, with what ran (bench/stallwatch; perturbs)
    ... --pyspy         the engine profiled over the window (`uv pip install py-spy` into the venv first)

1. A copy of data/base with the NPCs of a few districts removed (`--empty`), in a temporary data dir; the
   stack started by the launcher from compose.yaml (embedded Redis, every service, offline LLM), GO
   pressed through the admin API, the expansion slider at 0 (empty districts get NPCs, not bars).
2. N load players over WebSocket, in a process of their own (go_load.py; `--load-procs` to split them):
   register, walk a few unmeasured steps, then one command a second on a fixed schedule (half moves,
   half `look`), never into the emptied districts. Round trip = `command` sent → first `text` with its
   id. The lean client (wsclient.py) keeps the players' own cost small, and their process measures its
   event-loop lag, reported beside the round trips: a frame that arrives while that loop is busy is
   time-stamped late by as much, so the lag is the part of a round trip's tail that is the client's.
3. Probes, one per emptied district: stand outside, wait until the world summary says the district is
   empty and its cool-down is over, step in (t0 = the move sent), then `look` every 25 ms until an NPC
   is in the room (t1). Trigger-to-spawn = t1 - t0. Then the operator undoes the district's NPC proposals
   (admin API) and the probe steps out and waits for the next round. A probe that sees nothing within
   5 s counts a miss.
4. Every 2 s: RSS and CPU of every service (psutil, pids from the launcher's state file), and per stage
   (stream, group) the pending entries and the age of the oldest entry not yet delivered (what
   `ouro_bus_lag_seconds` reports; Redis 6.2 has no XINFO lag).
5. At the end: command p50/p99; the engine's tick p50/p99 from its /metrics histogram (over the window);
   proposals per second by outcome; per-stage latency from the proposals' traces; trigger-to-spawn
   p50/p99 with where the time went; RSS and CPU per service, the load processes' CPU and loop lag. The
   probes run in this process, the load players in theirs, the stack in its own — all on the same
   machine.

Settings the run changes (printed): cheap argon2 (500 registrations), connection rate per IP (500
players from 127.0.0.1), director cool-downs 5 s and 600 jobs/min (so the probes are not throttled).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import psutil
from redis.asyncio import Redis
from wsclient import LoopLag, WsClientProtocol, open_ws

from ouro_launcher import state as launcher_state
from ouro_schemas import names

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-operator-token-0123456789"
WARM = 2.0  # s of load before the measured window
EMPTY = ("jade_hollow", "foundry_row", "saltgrave_docks")
STAGES = [  # (stream, group): the pipeline in order, then the side streams
    (names.WORLD_EVENTS, names.GROUP_DIRECTOR), (names.GEN_JOBS, names.GROUP_GEN_WORKER),
    (names.GEN_DRAFTS, names.GROUP_LLM_WORKER), (names.GEN_ENRICHED, names.GROUP_PUBLISHER),
    (names.WORLD_PATCHES, names.GROUP_ENGINE), (names.WORLD_APPLIED, names.GROUP_PUBLISHER),
    (names.WORLD_APPLIED, names.GROUP_DIRECTOR), (names.QM_TURNS, names.GROUP_LLM_WORKER),
    (names.QM_ACTIONS, names.GROUP_PUBLISHER),
]
ENV = {
    "OURO_ADMIN_TOKEN": TOKEN, "OURO_VIEWER_TOKEN": TOKEN[::-1], "OURO_LOG_LEVEL": "WARNING",
    "OURO_ARGON2_TIME_COST": "1", "OURO_ARGON2_MEMORY_KIB": "8192",
    "OURO_CONNS_PER_IP_PER_S": "100000", "OURO_CONNS_PER_IP_BURST": "100000",
    "OURO_RULE_COOLDOWN_S": "5", "OURO_JOBS_PER_MINUTE": "600", "OURO_JOBS_BURST": "20",
}  # fmt: skip


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


# --- the stack ---------------------------------------------------------------------------------------
class Stack:
    def __init__(self, empty: tuple[str, ...], stalls: float = 0.0) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-go-"))
        self.data = self.dir / "data"
        shutil.copytree(ROOT / "data" / "base", self.data / "base")
        shutil.copy(ROOT / "data" / "guardrails.json", self.data / "guardrails.json")
        rooms = json.loads((self.data / "base" / "rooms.json").read_text())
        self.district_of = {r["id"]: r["district_id"] for r in rooms}
        self.rooms = {r["id"]: r for r in rooms}
        spawns = json.loads((self.data / "base" / "npc_spawns.json").read_text())
        kept = [s for s in spawns if self.district_of.get(s["room_id"]) not in empty]
        (self.data / "base" / "npc_spawns.json").write_text(json.dumps(kept))
        self.removed = len(spawns) - len(kept)
        self.offset = 0
        self.env = {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, **ENV,
                    "OURO_DATA_DIR": str(self.data)}
        self.stalls = Path(tempfile.gettempdir()) / f"bench-go-stalls-{os.getpid()}.jsonl" if stalls else None
        if self.stalls is not None:  # the engine's loop stalls recorded (bench/stallwatch/sitecustomize.py)
            self.env |= {"PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent / "stallwatch"),
                                                                      os.environ.get("PYTHONPATH")])),
                         "BENCH_STALL_OUT": str(self.stalls), "BENCH_STALL_MS": str(stalls)}

    def launcher(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ouro_launcher", "--data-dir", str(self.data), *args],
                              cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)

    def up(self) -> None:
        self.offset = 23000 + (os.getpid() % 50) * 11
        started = self.launcher("up", "--detach", "--port-offset", str(self.offset))
        if started.returncode != 0:
            raise SystemExit(f"the stack did not start:\n{started.stdout}\n{started.stderr}")

    def down(self) -> None:
        self.launcher("down", timeout=120)

    def record(self) -> launcher_state.StackState:
        record = launcher_state.load(launcher_state.state_path(self.data))
        assert record is not None
        return record

    @property
    def play_port(self) -> int:
        return names.PORT_PLAY + self.offset

    def api(self, method: str, path: str, body: Any = None) -> Any:
        req = urllib.request.Request(f"http://127.0.0.1:{names.PORT_ADMIN + self.offset}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as reply:
            return json.loads(reply.read() or b"null")

    def health(self, instance: str) -> dict[str, Any]:
        url = next(p.health_url for p in self.record().procs if p.name == instance)
        assert url
        with urllib.request.urlopen(url, timeout=10) as reply:
            body: dict[str, Any] = json.loads(reply.read())
            return body

    def metrics(self, instance: str) -> str:
        url = next(p.metrics_url for p in self.record().procs if p.name == instance)
        assert url
        with urllib.request.urlopen(url, timeout=10) as reply:
            return str(reply.read().decode())


# --- players -------------------------------------------------------------------------------------------
class Player:
    """One WebSocket player on the lean client (wsclient.py): register, then commands with ids, each
    awaited for its reply (the probes; the load players are in go_load.py, in their own process)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.exits: dict[str, str] = {}
        self.room = ""
        self.waiting: dict[int, asyncio.Future[str]] = {}
        self.next_id = 1
        self.ws: WsClientProtocol | None = None
        self.authed: asyncio.Future[None] | None = None

    async def connect(self, port: int) -> None:
        self.authed = asyncio.get_running_loop().create_future()
        self.ws = await open_ws(port, self.on_message)
        self.ws.send(msgspec.json.encode({"type": "auth", "action": "register", "name": self.name,
                                          "password": "secret12"}))
        await self.authed

    def on_message(self, raw: bytes) -> None:
        if raw.endswith(b'"id":null}'):
            return
        msg = msgspec.json.decode(raw)
        kind = msg["type"]
        if kind == "room":
            self.exits, self.room = dict(msg["exits"]), msg["id"]
        elif kind in ("text", "error") and msg.get("id") in self.waiting:
            fut = self.waiting.pop(msg["id"])
            if not fut.done():
                fut.set_result("".join(s["text"] for s in msg.get("spans", [])) if kind == "text" else
                               f"error {msg.get('code')}")
        elif self.authed is not None and not self.authed.done():
            if kind == "auth_ok":
                self.authed.set_result(None)
            elif kind in ("error", "bye"):
                self.authed.set_exception(RuntimeError(f"{self.name}: {msg}"))

    async def command(self, line: str) -> tuple[float, float, str]:
        """Send one command; returns (sent at, round trip in s, its text)."""
        assert self.ws is not None
        cid, self.next_id = self.next_id, self.next_id + 1
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.waiting[cid] = fut
        sent = time.perf_counter()
        self.ws.send(msgspec.json.encode({"type": "command", "line": line, "id": cid}))
        text = await asyncio.wait_for(fut, 10)
        return sent, time.perf_counter() - sent, text

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class Load:
    """The load players in `procs` processes of their own (go_load.py), each with its share of names."""

    def __init__(self, stack: Stack, names: list[str], procs: int, args: argparse.Namespace) -> None:
        self.dir = stack.dir
        self.procs: list[subprocess.Popen[str]] = []
        self.outs: list[Path] = []
        for i in range(procs):
            out, config = self.dir / f"load-{i}.json", self.dir / f"load-{i}.config.json"
            config.write_text(json.dumps({
                "port": stack.play_port, "names": names[i::procs], "walk": args.walk, "avoid": list(args.empty),
                "rooms": str(stack.data / "base" / "rooms.json"), "warm": WARM, "seconds": args.seconds,
                "grace": 10.0, "out": str(out)}))
            self.outs.append(out)
            self.procs.append(subprocess.Popen([sys.executable, str(Path(__file__).parent / "go_load.py"),
                                                str(config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                               text=True, cwd=ROOT))

    def _expect(self, word: str) -> None:
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != word:
                raise SystemExit(f"a load process said {line!r}, not {word!r} (exit {proc.poll()})")

    async def ready(self) -> None:
        await asyncio.to_thread(self._expect, "ready")

    def start(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write("start\n")
            proc.stdin.flush()

    async def results(self) -> LoadStats:
        await asyncio.to_thread(self._expect, "done")
        stats = LoadStats()
        for out in self.outs:
            r = json.loads(out.read_text())
            stats.rtts += r["rtts"]
            stats.sent += r["at"]
            stats.lost += r["lost"]
            stats.errors += r["errors"]
            stats.cpu_s += r["cpu_s"]
            stats.lag += r["lag"]
            stats.begin, stats.end = r["begin"], r["end"]
        for proc in self.procs:
            proc.wait(30)
        return stats

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()


@dataclass
class LoadStats:
    rtts: list[float] = field(default_factory=list)  # s
    sent: list[float] = field(default_factory=list)  # when each measured command was sent (monotonic)
    lost: int = 0  # measured commands never answered
    errors: int = 0
    cpu_s: float = 0.0  # the load processes' CPU over the measured window
    lag: list[tuple[float, float]] = field(default_factory=list)  # (at, s): the load processes' loop lag
    begin: float = 0.0
    end: float = 0.0


# --- probes: trigger-to-spawn ---------------------------------------------------------------------------
@dataclass
class Sample:
    district: str
    latency: float  # seconds, move sent -> NPC seen
    entered_at: float  # wall time of the move
    npc: str
    seen_at: float  # wall time the look showed it


class Probe:
    def __init__(self, player: Player, district: str, outside: str, way_in: str, way_out: str, path: list[str],
                 bots: set[str]) -> None:
        self.p, self.district, self.outside = player, district, outside
        self.way_in, self.way_out, self.path, self.bots = way_in, way_out, path, bots
        self.samples: list[Sample] = []
        self.misses: list[float] = []  # wall times of entries that brought no NPC within 5 s
        self.rate_limited = 0

    def npcs_in(self, text: str) -> list[str]:
        here = next((line[6:] for line in text.splitlines() if line.startswith("Here: ")), "")
        seen = [n.split(" (x")[0].strip() for n in here.split(", ") if n.strip()]
        return [n for n in seen if n not in self.bots]

    async def run(self, stack: Stack, redis: Redis, start: asyncio.Event, stop: asyncio.Event) -> None:
        for d in self.path:
            await self.p.command(d)
        await start.wait()
        while not stop.is_set():
            if not await self._wait_empty(redis, stop):
                return
            t0_wall, t0 = time.time(), time.perf_counter()
            await self.p.command(self.way_in)
            seen = await self._watch(stop)
            if seen:
                self.samples.append(Sample(self.district, time.perf_counter() - t0, t0_wall, seen,
                                           time.time()))
            elif not stop.is_set():
                self.misses.append(t0_wall)
            await self._undo(stack)
            await self.p.command(self.way_out)

    async def _wait_empty(self, redis: Redis, stop: asyncio.Event) -> bool:
        """Until the summary the director reads says the district has no NPCs, plus its cool-down."""
        ready_at = time.monotonic() + float(ENV["OURO_RULE_COOLDOWN_S"]) + 0.5
        while not stop.is_set():
            raw = await redis.get(names.WORLD_SUMMARY)
            npcs = json.loads(raw or b"{}").get("districts", {}).get(self.district, {}).get("npcs")
            _, _, text = await self.p.command("look")
            if npcs == 0 and not self.npcs_in(text) and time.monotonic() >= ready_at:
                await asyncio.sleep(1.2)  # the director re-reads the summary every second
                return True
            await asyncio.sleep(0.5)
        return False

    async def _watch(self, stop: asyncio.Event, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not stop.is_set():
            _, _, text = await self.p.command("look")
            if text.startswith("error"):
                self.rate_limited += 1
            elif found := self.npcs_in(text):
                return found[0]
            await asyncio.sleep(0.025)
        return ""

    async def _undo(self, stack: Stack) -> None:
        """The operator takes the new NPCs back (undo their proposals), so the district is empty again."""
        def undo() -> None:
            for _ in range(3):  # the second NPC of the decision may still be on its way
                items = stack.api("GET", f"/api/proposals?type=NPC&district={self.district}&state=applied")["items"]
                for item in items:
                    stack.api("POST", f"/api/proposals/{item['id']}/undo", {"reason": "bench: empty it again"})
                time.sleep(1.0)

        await asyncio.to_thread(undo)


def probe_site(stack: Stack, district: str) -> tuple[str, str, str, list[str]]:
    """A room next to the district (outside it), the way in and out, and the path there from the plaza."""
    rooms = stack.rooms
    came: dict[str, tuple[str, str] | None] = {"spawn": None}
    queue = deque(["spawn"])
    while queue:
        here = queue.popleft()
        for ex in rooms[here]["exits"]:
            to = ex["to"]
            if to not in rooms or ex.get("locked"):
                continue
            if stack.district_of[to] == district and stack.district_of[here] not in EMPTY:
                back = next(e["direction"] for e in rooms[to]["exits"] if e["to"] == here)
                path: list[str] = []
                node = came[here]
                while node is not None:
                    prev, d = node
                    path.append(d)
                    node = came[prev]
                return here, ex["direction"], back, path[::-1]
            if to not in came and stack.district_of[to] not in EMPTY:
                came[to] = (here, ex["direction"])
                queue.append(to)
    raise SystemExit(f"no way into {district}")


# --- sampling ----------------------------------------------------------------------------------------------
@dataclass
class Samples:
    load: list[float] = field(default_factory=list)  # the machine's 1-minute load average
    rss: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # MB
    lag: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # s
    pending: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    cpu0: dict[str, float] = field(default_factory=dict)
    cpu1: dict[str, float] = field(default_factory=dict)


def procs(stack: Stack) -> dict[str, psutil.Process]:
    record = stack.record()
    out = {}
    for p in [*([record.redis] if record.redis else []), *record.procs]:
        try:
            out[p.name] = psutil.Process(p.pid)
        except psutil.NoSuchProcess:
            continue
    return out


def cpu_seconds(ps: dict[str, psutil.Process]) -> dict[str, float]:
    out = {}
    for name, proc in ps.items():
        try:
            out[name] = sum(proc.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return out


async def stage_lag(redis: Redis, stream: str, group: str) -> tuple[float, int]:
    groups: Any = await redis.xinfo_groups(stream)
    for info in groups:
        if info["name"].decode() == group:
            last = info["last-delivered-id"].decode()
            nxt: Any = await redis.xrange(stream, min=f"({last}", count=1)
            age = max(0.0, time.time() - int(nxt[0][0].decode().split("-")[0]) / 1000) if nxt else 0.0
            return age, int(info["pending"])
    return 0.0, 0


async def sampler(stack: Stack, redis: Redis, out: Samples, stop: asyncio.Event) -> None:
    ps = procs(stack)
    out.cpu0 = cpu_seconds(ps)
    while not stop.is_set():
        out.load.append(os.getloadavg()[0])
        for name, proc in ps.items():
            try:
                out.rss[name].append(proc.memory_info().rss / 1e6)
            except psutil.NoSuchProcess:
                continue
        for stream, group in STAGES:
            try:
                age, pending = await stage_lag(redis, stream, group)
            except Exception:  # a stream that does not exist yet
                continue
            out.lag[f"{stream} -> {group}"].append(age)
            out.pending[f"{stream} -> {group}"].append(pending)
        await asyncio.sleep(2.0)
    out.cpu1 = cpu_seconds(ps)


def counter(text: str, metric: str) -> float:
    """The sum of a counter over its labels."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(metric + ("" if metric.endswith("}") else "{")) or line.startswith(metric + " "))


def windows(stats: LoadStats, samples: Samples, width: float = 30.0) -> None:
    """Round trips by window (a stall shows where it happened), the load processes' loop lag by the same
    windows, and the load."""
    by: dict[int, list[float]] = defaultdict(list)
    lag: dict[int, list[float]] = defaultdict(list)
    for sent, rtt in zip(stats.sent, stats.rtts, strict=True):
        by[int((sent - stats.begin) // width)].append(rtt * 1000)
    for at, x in stats.lag:
        lag[int((at - stats.begin) // width)].append(x * 1000)
    print(f"round trip by {width:.0f} s window, p50/p99 ms: " + "  ".join(
        f"[{w * width:.0f}s] {pct(v, 50):.0f}/{pct(v, 99):.0f}" for w, v in sorted(by.items())))
    print(f"load processes' loop lag by {width:.0f} s window, p99/max ms: " + "  ".join(
        f"[{w * width:.0f}s] {pct(v, 99):.0f}/{max(v):.0f}" for w, v in sorted(lag.items())))
    if samples.load:
        print(f"machine load average during the run: mean {statistics.fmean(samples.load):.2f}, "
              f"max {max(samples.load):.2f} ({os.cpu_count()} cores)")


def histogram(text: str, metric: str) -> dict[float, float]:
    """Cumulative bucket counts of one Prometheus histogram (le -> count)."""
    out: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith(metric + "_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            out[float("inf") if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
    return out


def bucket_lines(text: str, stage: str) -> dict[float, float]:
    """Cumulative bucket counts of one stage of ouro_engine_patch_seconds."""
    out: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith("ouro_engine_patch_seconds_bucket{") and f'stage="{stage}"' in line:
            le = line.split('le="', 1)[1].split('"', 1)[0]
            out[float("inf") if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
    return out


def quantile(before: dict[float, float], after: dict[float, float], q: float) -> tuple[float, int]:
    """histogram_quantile over the window (linear inside a bucket, as Prometheus does); and the count."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    total = counts[-1] if counts else 0
    if not total:
        return float("nan"), 0
    rank, prev_b, prev_c = q * total, 0.0, 0.0
    for b, c in zip(bounds, counts, strict=True):
        if c >= rank:
            if b == float("inf"):
                return prev_b, int(total)
            return prev_b + (b - prev_b) * (rank - prev_c) / max(c - prev_c, 1e-9), int(total)
        prev_b, prev_c = b, c
    return bounds[-1], int(total)


# --- the run -------------------------------------------------------------------------------------------------
async def proposals_in(redis: Redis, since: float, until: float) -> list[dict[str, Any]]:
    ids = [i.decode() for i in await redis.zrangebyscore(names.PROPOSAL_INDEX, since, until)]
    out = []
    for chunk in range(0, len(ids), 500):
        raws = await redis.mget([names.PROPOSAL + i for i in ids[chunk:chunk + 500]])
        out += [json.loads(r) for r in raws if r]
    return out


# The stages a proposal passes, in order: its trace entries, then "patch" (the patch's XADD on world.patches,
# the publisher's MULTI done: Redis's entry id) and "engine" (the PatchResult's time: applied in memory).
HOPS = ("director", "gen-worker", "llm-worker", "commit", "patch", "engine")


def stage_times(p: dict[str, Any], applied: dict[str, dict[str, float]]) -> dict[str, float]:
    """When each stage handled a proposal: its trace entries, the patch's XADD and the engine's apply."""
    at: dict[str, float] = {}
    for t in p.get("trace", []):
        at.setdefault(t["stage"], t["at"])
    at.update(applied.get(p["id"], {}))
    return at


def stage_latencies(props: list[dict[str, Any]], applied: dict[str, dict[str, float]]) -> dict[str, list[float]]:
    """Per hop of the pipeline, from each proposal's trace, in ms."""
    hops: dict[str, list[float]] = defaultdict(list)
    for p in props:
        at = stage_times(p, applied)
        order = [s for s in HOPS if s in at]
        for a, b in itertools.pairwise(order):
            hops[f"{a} -> {b}"].append((at[b] - at[a]) * 1000)
    return hops


async def applied_times(redis: Redis, since: float, until: float) -> dict[str, dict[str, float]]:
    """Per proposal: when its patch was XADDed to world.patches ("patch", the entry id's milliseconds) and
    when the engine applied it ("engine", the PatchResult's time)."""
    span = {"min": f"{int(since * 1000)}-0", "max": f"{int(until * 1000)}-0"}
    out: dict[str, dict[str, float]] = defaultdict(dict)
    rows: Any = await redis.xrange(names.WORLD_APPLIED, **span)
    for _, f in rows:
        r = json.loads(f[b"d"])
        if r["status"] == "applied" and not r["patch_id"].startswith("undo:"):
            out[r["proposal_id"]]["engine"] = float(r["at"])
    rows = await redis.xrange(names.WORLD_PATCHES, **span)
    for eid, f in rows:
        pid = msgspec.json.decode(f[b"d"], type=PatchHead).proposal_id
        if pid in out:
            out[pid].setdefault("patch", int(eid.split(b"-")[0]) / 1000)
    return out


class PatchHead(msgspec.Struct):
    proposal_id: str = ""


async def event_times(redis: Redis, samples: list[Sample]) -> dict[str, float]:
    """When the engine flushed the event that triggered each sample's proposal (its world.events entry)."""
    out: dict[str, float] = {}
    for s in samples:
        rows: Any = await redis.xrange(names.WORLD_EVENTS, min=f"{int(s.entered_at * 1000)}-0",
                                       max=f"{int(s.seen_at * 1000) + 1}-0")
        for eid, f in rows:
            ev = msgspec.json.decode(f[b"d"], type=EventHead)
            if ev.kind == "player_entered_district":
                out[ev.id] = int(eid.split(b"-")[0]) / 1000
    return out


class EventHead(msgspec.Struct):
    id: str = ""
    kind: str = ""


def breakdown(samples: list[Sample], props: list[dict[str, Any]], applied: dict[str, dict[str, float]],
              flushed: dict[str, float]) -> tuple[dict[str, list[float]], list[tuple[Sample, list[tuple[str, float]]]]]:
    """For each probe sample, the populate_empty proposal it caused and where its time went (ms): by hop
    over all samples, and each sample's own hops."""
    npc = [p for p in props if p["type"] == "NPC" and p.get("trace") and p["trace"][0].get("data", {}).get(
        "rule") == "populate_empty"]
    out: dict[str, list[float]] = defaultdict(list)
    each: list[tuple[Sample, list[tuple[str, float]]]] = []
    for s in samples:
        mine = [p for p in npc if p.get("tags", {}).get("district") == s.district
                and s.entered_at <= p["trace"][0]["at"] <= s.seen_at]
        if not mine:
            continue
        # The decision asks for two NPCs; the one the probe saw is the one applied first.
        first = min(mine, key=lambda p: applied.get(p["id"], {}).get("engine", float("inf")))
        at = stage_times(first, applied)
        if first.get("trigger") in flushed:
            at["flushed"] = flushed[first["trigger"]]
        points = [("entered", s.entered_at), *((h, at[h]) for h in ("flushed", *HOPS) if h in at),
                  ("seen", s.seen_at)]
        hops = [(f"{a} -> {b}", (tb - ta) * 1000) for (a, ta), (b, tb) in itertools.pairwise(points)]
        for hop, ms in hops:
            out[hop].append(ms)
        each.append((s, hops))
    return out, each


async def slowlog_start(redis: Redis) -> None:
    """Redis notes every command that held the server longer than 5 ms (its SLOWLOG)."""
    await redis.config_set("slowlog-log-slower-than", 5000)
    await redis.config_set("slowlog-max-len", 10000)
    await redis.slowlog_reset()


async def slowlog_report(redis: Redis, since: float, until: float) -> None:
    """The commands that held Redis (every client waits meanwhile) longer than 5 ms in the window."""
    rows: Any = await redis.slowlog_get(10000)
    rows = [r for r in rows if since <= r["start_time"] <= until]
    by: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        cmd = r["command"].decode(errors="replace") if isinstance(r["command"], bytes) else str(r["command"])
        name = cmd.split(" ", 1)[0].upper()
        if name in ("EVAL", "EVALSHA") and "KEYS" in cmd:
            name = "EVAL (snapshot: KEYS + DUMP of the world)"
        by[name].append(r["duration"] / 1000)
    print("redis commands that held the server > 5 ms in the window (SLOWLOG): " + ("; ".join(
        f"{name} x{len(v)} max {max(v):.0f} ms total {sum(v):.0f} ms" for name, v in
        sorted(by.items(), key=lambda kv: -sum(kv[1]))) or "none"))


async def miss_reasons(redis: Redis, probes: list[Probe]) -> dict[str, int]:
    """What the director said about populate_empty around each miss (log.director)."""
    reasons: dict[str, int] = defaultdict(int)
    for pr in probes:
        for t in pr.misses:
            rows: Any = await redis.xrange(names.LOG_DIRECTOR, min=f"{int(t * 1000)}-0",
                                          max=f"{int((t + 5) * 1000)}-0")
            said = [json.loads(f[b"d"]) for _, f in rows]
            mine = [e for e in said if e.get("rule") == "populate_empty"
                    and e.get("data", {}).get("scope", pr.district) == pr.district]
            reasons[mine[0]["message"].split(":")[1].strip() if mine else "no decision logged"] += 1
    return dict(reasons)


async def run(args: argparse.Namespace) -> None:
    stack = Stack(tuple(args.empty), args.stalls)
    print(f"data: {stack.data}; removed {stack.removed} NPC spawns of {', '.join(args.empty)}")
    t_boot = time.monotonic()
    stack.up()
    record = stack.record()
    assert record.redis is not None and record.redis.port is not None
    redis = Redis(port=record.redis.port, socket_timeout=30)
    print(f"stack up in {time.monotonic() - t_boot:.0f} s (ports +{stack.offset}); {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}; the load players in {args.load_procs} process(es) of their "
          f"own, the probes in this one, the stack in its own processes")
    load: Load | None = None
    probes: list[Probe] = []
    try:
        stack.api("POST", "/api/control/go")
        stack.api("PUT", "/api/director/sliders", {"expansion": 0.0})
        names_ = [f"Load{i:04d}" for i in range(args.bots)]
        bot_names = set(names_) | {f"Probe{i}" for i in range(len(args.empty))}
        t_reg = time.monotonic()
        load = Load(stack, names_, args.load_procs, args)
        await load.ready()
        print(f"{args.bots} players registered over WebSocket and walked {args.walk} steps in "
              f"{time.monotonic() - t_reg:.1f} s")
        for i, district in enumerate(args.empty):
            pp = Player(f"Probe{i}")
            await pp.connect(stack.play_port)
            outside, way_in, way_out, path = probe_site(stack, district)
            probes.append(Probe(pp, district, outside, way_in, way_out, path, bot_names))
        start, stop = asyncio.Event(), asyncio.Event()
        samples = Samples()
        tasks = [asyncio.create_task(pr.run(stack, redis, start, stop)) for pr in probes]
        load.start()
        start.set()
        await asyncio.sleep(WARM)
        engine0 = stack.metrics("engine")
        await slowlog_start(redis)
        me = psutil.Process()
        me0 = sum(me.cpu_times()[:2])
        t0_wall, t0 = time.time(), time.monotonic()
        director0 = stack.metrics("director")
        sampling = asyncio.create_task(sampler(stack, redis, samples, stop))
        spy = pyspy_start(stack, args.seconds) if args.pyspy else None
        lag = LoopLag()
        lag.start()
        await asyncio.sleep(args.seconds)
        stop.set()
        wall = time.monotonic() - t0
        t1_wall = time.time()
        engine1, director1 = stack.metrics("engine"), stack.metrics("director")
        mine = sum(me.cpu_times()[:2]) - me0
        await lag.stop()
        stats = await load.results()
        await asyncio.gather(sampling, *tasks, return_exceptions=True)
        props = await proposals_in(redis, t0_wall, t1_wall)
        applied = await applied_times(redis, t0_wall, t1_wall + 10)
        misses = await miss_reasons(redis, probes)
        suppressed = stack.health("director").get("suppressed")
        flushed = await event_times(redis, [s for pr in probes for s in pr.samples])
        report(args, stats, probes, samples, engine0, engine1, props, applied, wall, t0_wall, flushed)
        await slowlog_report(redis, t0_wall, t1_wall)
        probe_lag = lag.lags()
        print(f"  load processes ({args.load_procs}): CPU {stats.cpu_s / wall * 100:.0f}% of one core; their loop "
              f"lag p50/p99/max {pct([x for _, x in stats.lag], 50) * 1000:.1f}/"
              f"{pct([x for _, x in stats.lag], 99) * 1000:.1f}/{max(x for _, x in stats.lag) * 1000:.0f} ms; "
              f"this process (probes, sampling): CPU {mine / wall * 100:.0f}%, loop lag p99/max "
              f"{pct(probe_lag, 99) * 1000:.1f}/{max(probe_lag, default=0) * 1000:.0f} ms")
        taken = 'ouro_director_snapshots_total{why="high_risk"}'  # not the "reused" ones
        snaps = counter(director1, taken) - counter(director0, taken)
        print(f"director: decisions not taken in the whole run, by reason: {suppressed}; probe misses: {misses}; "
              f"auto-snapshots in the window: {snaps:.0f}")
        windows(stats, samples)
        if stack.stalls is not None:
            stall_report(stack.stalls, t0_wall, t1_wall)
        if spy is not None:
            spy[0].wait(60)
            pyspy_report(spy[1])
    finally:
        await asyncio.gather(*(pr.p.close() for pr in probes), return_exceptions=True)
        if load is not None:
            load.kill()
        await redis.aclose()
        if not args.keep:
            stack.down()
            shutil.rmtree(stack.dir, ignore_errors=True)
        else:
            print(f"left running: ./ourobouro --data-dir {stack.data} down")


def pyspy_start(stack: Stack, seconds: float) -> tuple[subprocess.Popen[bytes], Path]:
    """py-spy (in the venv: `uv pip install py-spy`) samples the engine over the window, not pausing it."""
    out = Path(tempfile.gettempdir()) / f"bench-go-pyspy-{os.getpid()}.txt"
    pid = next(p.pid for p in stack.record().procs if p.name == "engine")
    spy = Path(sys.executable).parent / "py-spy"
    proc = subprocess.Popen([str(spy), "record", "-p", str(pid), "-d", str(int(seconds)), "-f", "raw", "-F",
                             "--nonblocking", "-r", "200", "-o", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return proc, out


def pyspy_report(path: Path, top: int = 25) -> None:
    """The engine's CPU by function: self samples (the function itself) and total (it or what it called)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    n = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        c = int(count)
        n += c
        if frames:
            own[frames[-1]] += c
        for f in set(frames):
            total[f] += c
    print(f"engine profile (py-spy, {n} samples at 200/s; file {path}):")
    print("  self:  " + "\n         ".join(f"{v / n * 100:5.1f}%  {f[:150]}" for f, v in own.most_common(top)))
    print("  total: " + "\n         ".join(f"{v / n * 100:5.1f}%  {f[:150]}" for f, v in total.most_common(top * 2)))


def stall_report(path: Path, since: float, until: float) -> None:
    """The engine's loop passes busier than the limit (--stalls), by what their slowest callback was."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if since <= r["at"] <= until]
    busy = [r["busy_ms"] for r in rows]
    cpu = [r["cpu_ms"] for r in rows]
    print(f"engine loop passes busier than the limit in the window: {len(rows)}; busy ms p50/p99/max "
          f"{pct(busy, 50):.0f}/{pct(busy, 99):.0f}/{max(busy, default=0):.0f}, total {sum(busy) / 1000:.1f} s, "
          f"of which the loop thread ran {sum(cpu) / max(sum(busy), 1e-9) * 100:.0f}% (the rest: waiting for a core)")
    by: dict[str, list[float]] = defaultdict(list)
    on_cpu: dict[str, list[float]] = defaultdict(list)
    frames: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        top = r["callbacks"][0] if r["callbacks"] else {"what": "(no single callback)", "seen": []}
        by[top["what"]].append(r["busy_ms"])
        on_cpu[top["what"]].append(r["cpu_ms"])
        for where, n in top["seen"]:
            frames[top["what"]][where] += n
    for what, v in sorted(by.items(), key=lambda kv: -sum(kv[1]))[:12]:
        print(f"  {len(v):5d} x {what}: busy p50 {pct(v, 50):.0f} / max {max(v):.0f} ms, on CPU "
              f"{sum(on_cpu[what]) / sum(v) * 100:.0f}%")
        for where, n in frames[what].most_common(3):
            print(f"          {n:4d} samples  {where[:200]}")
    print(f"  (all rows: {path})")


def report(args: argparse.Namespace, stats: LoadStats, probes: list[Probe], samples: Samples, engine0: str,
           engine1: str, props: list[dict[str, Any]], applied: dict[str, dict[str, float]], wall: float,
           t0_wall: float, flushed: dict[str, float]) -> None:
    ms = [r * 1000 for r in stats.rtts]
    print(f"\n=== bench_go: {args.bots} WebSocket players, {wall:.0f} s measured, GO on, offline LLM; "
          f"{os.cpu_count()} cores shared by the stack and the clients; load average {os.getloadavg()[0]:.2f} ===")
    print(f"settings changed for the run: {', '.join(f'{k}={v}' for k, v in ENV.items() if 'TOKEN' not in k)}; "
          f"expansion slider 0; NPCs removed from {', '.join(args.empty)}")
    print(f"commands: {len(ms)} ({len(ms) / wall:.0f}/s), lost {stats.lost}, errors {stats.errors}; "
          f"round trip p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms, default=0):.1f} ms "
          f"(target p99 <= 20 ms)")
    tick_b, tick_a = histogram(engine0, "ouro_engine_tick_seconds"), histogram(engine1, "ouro_engine_tick_seconds")
    t50, n = quantile(tick_b, tick_a, 0.5)
    t99, _ = quantile(tick_b, tick_a, 0.99)
    cmd_b, cmd_a = histogram(engine0, "ouro_engine_command_seconds"), histogram(engine1, "ouro_engine_command_seconds")
    c99, _ = quantile(cmd_b, cmd_a, 0.99)
    f99, _ = quantile(histogram(engine0, "ouro_engine_flush_seconds"), histogram(engine1, "ouro_engine_flush_seconds"),
                      0.99)
    print(f"engine tick ({n} ticks): p50 {t50 * 1000:.1f} ms, p99 {t99 * 1000:.1f} ms (from the /metrics histogram, "
          f"interpolated in its buckets; target p99 <= 50 ms); command execution p99 {c99 * 1000:.2f} ms; "
          f"flush (MULTI) p99 {f99 * 1000:.1f} ms")
    stages = []
    for stage in ("waited", "read", "applied", "durable"):
        b, a_ = bucket_lines(engine0, stage), bucket_lines(engine1, stage)
        p50, n_ = quantile(b, a_, 0.5)
        p99, _ = quantile(b, a_, 0.99)
        if n_:
            stages.append(f"{stage} {p50 * 1000:.1f}/{p99 * 1000:.1f}")
    if stages:
        print(f"engine: a patch from queued to (p50/p99 ms): {'; '.join(stages)}")
    outcomes: dict[str, int] = defaultdict(int)
    types: dict[str, int] = defaultdict(int)
    for p in props:
        outcomes[p["state"]] += 1
        types[p["type"]] += 1
    print(f"proposals: {len(props)} in the window = {len(props) / wall:.1f}/s; by state {dict(outcomes)}; "
          f"by type {dict(types)}")
    hops = stage_latencies(props, applied)
    print("per stage, from the proposals' traces (ms, p50/p99): " + "; ".join(
        f"{hop} {pct(hops[hop], 50):.1f}/{pct(hops[hop], 99):.1f}" for hop in
        (f"{a} -> {b}" for a, b in itertools.pairwise(HOPS)) if hops.get(hop)))
    print("stream lag per stage (age of the oldest undelivered entry, ms, mean/max; pending entries, max), "
          "sampled every 2 s:")
    for stage, ages in samples.lag.items():
        print(f"  {stage:<30} {statistics.fmean(ages) * 1000:8.1f} / {max(ages) * 1000:8.1f}   pending max "
              f"{max(samples.pending[stage])}")
    spl = [s for pr in probes for s in pr.samples]
    lat = [s.latency * 1000 for s in spl]
    print(f"trigger-to-spawn ({len(spl)} samples in {len(probes)} districts, {sum(len(p.misses) for p in probes)} "
          f"misses, {sum(p.rate_limited for p in probes)} rate-limited looks): p50 {pct(lat, 50):.0f} ms, "
          f"p99 {pct(lat, 99):.0f} ms, max {max(lat, default=0):.0f} ms (target p99 <= 250 ms; the player "
          f"polls `look` every 25 ms)")
    parts, each = breakdown(spl, props, applied, flushed)
    print("  where the time went (ms, p50/p99): " + "; ".join(
        f"{hop} {pct(v, 50):.0f}/{pct(v, 99):.0f}" for hop, v in parts.items()))
    for sample, hops in sorted(each, key=lambda e: -e[0].latency)[:3]:
        print(f"  slow sample at +{sample.entered_at - t0_wall:.0f} s, {sample.latency * 1000:.0f} ms: "
              + "; ".join(f"{hop} {ms:.0f}" for hop, ms in hops))
    print("memory (RSS MB, end / max) and CPU (% of one core) per service:")
    for name, values in sorted(samples.rss.items()):
        cpu = (samples.cpu1.get(name, 0) - samples.cpu0.get(name, 0)) / wall * 100
        print(f"  {name:<14} {values[-1]:7.0f} / {max(values):7.0f}   CPU {cpu:5.1f}%")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bots", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--quick", action="store_true", help="100 players for 60 s")
    ap.add_argument("--walk", type=int, default=10, help="unmeasured random steps first")
    ap.add_argument("--empty", nargs="+", default=list(EMPTY), help="districts emptied of NPCs (one probe each)")
    ap.add_argument("--load-procs", type=int, default=1, help="processes the load players run in")
    ap.add_argument("--stalls", type=float, default=0.0, metavar="MS",
                    help="record the engine's loop passes busier than MS (diagnosis: perturbs the run)")
    ap.add_argument("--pyspy", action="store_true", help="profile the engine over the window with py-spy")
    ap.add_argument("--keep", action="store_true", help="leave the stack running afterwards")
    args = ap.parse_args()
    if args.quick:
        args.bots, args.seconds = 100, 60.0
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
