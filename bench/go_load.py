"""bench_go's load players, in a process of their own (started by bench_go.py; not run by hand).

    python bench/go_load.py CONFIG.json     # prints "ready", waits for "start" on stdin, prints "done"

The players' cost and their event-loop stalls stay out of bench_go's own process (where the probes and
the sampling run) and are measured here: the process's CPU and its loop lag (`wsclient.LoopLag`) over
the measured window go into the results file with every round trip.

1. Connect and register every player (8 at a time), then walk `walk` unmeasured random steps, never
   into the `avoid` districts (the probes' emptied ones), and print "ready".
2. On "start": each player sends one command a second on a fixed schedule from a random phase (half a
   move, half `look`; no drift when replies are slow: an open loop). Round trip = the frame written ->
   the first `text`/`error` frame carrying its id, time-stamped in `data_received`.
3. Commands sent in [start + warm, start + warm + seconds) are measured; then sending stops, and replies
   still missing after `grace` s count as lost. The results (JSON) go to `out`; "done" is printed.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from wsclient import LoopLag, Player, WsClientProtocol, open_ws


class LoadBot(Player):
    def __init__(self, name: str, avoid: set[str], district_of: dict[str, str]) -> None:
        super().__init__(name)
        self.avoid, self.district_of = avoid, district_of
        self.ws: WsClientProtocol | None = None

    def step(self) -> str:
        ok = [d for d, room in self.exits.items() if self.district_of.get(room) not in self.avoid]
        return random.choice(ok) if ok else "look"

    def send(self, line: str, measured: bool) -> None:
        assert self.ws is not None
        self.ws.send(self.command(line, measured))

    async def join(self, port: int, gate: asyncio.Semaphore, walk: int) -> None:
        async with gate:
            self.ws = await open_ws(port, self.on_message)
            self.ws.send(self.register())
            await self.authed
        for _ in range(walk):  # spread over the city first, unmeasured
            self.send(self.step(), False)
            await asyncio.sleep(0.3 + random.random() * 0.3)

    async def play(self, start: float, warm: float, seconds: float) -> None:
        first = start + random.random()
        begin, end = start + warm, start + warm + seconds
        k = 0
        while (at := first + k) < end:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            self.send(self.step() if random.random() < 0.5 else "look", at >= begin)
            k += 1


async def main(config: dict[str, Any], rooms: list[dict[str, Any]]) -> None:
    district_of = {r["id"]: r["district_id"] for r in rooms}
    avoid = set(config["avoid"])
    bots = [LoadBot(name, avoid, district_of) for name in config["names"]]
    gate = asyncio.Semaphore(8)
    await asyncio.gather(*(b.join(config["port"], gate, config["walk"]) for b in bots))
    await asyncio.sleep(1.0)  # the last walk steps answered
    gc.collect()  # the engine's collector set-up: the players' state frozen, young collections rarer
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    if line.strip() != "start":
        raise SystemExit(f"expected start, got {line!r}")
    lag = LoopLag()
    lag.start()
    start, warm, seconds = time.monotonic(), float(config["warm"]), float(config["seconds"])
    me = psutil.Process()

    async def cpu_at_begin() -> float:
        await asyncio.sleep(warm)
        return float(sum(me.cpu_times()[:2]))

    mark = asyncio.create_task(cpu_at_begin())
    await asyncio.gather(*(b.play(start, warm, seconds) for b in bots))
    cpu = float(sum(me.cpu_times()[:2])) - await mark
    deadline = time.monotonic() + float(config["grace"])
    while any(b.sent for b in bots) and time.monotonic() < deadline:  # noqa: ASYNC110 (polling is fine here)
        await asyncio.sleep(0.1)
    await lag.stop()
    begin, end = start + warm, start + warm + seconds
    out = {
        "begin": begin, "end": end, "cpu_s": cpu,
        "rtts": [r for b in bots for r in b.rtts], "at": [t for b in bots for t in b.at],
        "lost": sum(1 for b in bots for _, measured in b.sent.values() if measured),
        "errors": sum(b.errors for b in bots),
        "lag": [(t, x) for t, x in lag.samples if begin <= t <= end],
    }
    await asyncio.to_thread(Path(config["out"]).write_text, json.dumps(out))
    await asyncio.gather(*(b.ws.close() for b in bots if b.ws is not None), return_exceptions=True)
    print("done", flush=True)


if __name__ == "__main__":
    conf = json.loads(Path(sys.argv[1]).read_text())
    asyncio.run(main(conf, json.loads(Path(conf["rooms"]).read_text())))
