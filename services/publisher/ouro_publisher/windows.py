"""The gate's memory (rarity window, throttles, economy window) mirrored in memory, kept in Redis.

The publisher is the only writer of these keys, so it reads them once at start-up and then writes
through (inside the commit's MULTI), which keeps the gate free of Redis round trips.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from redis.asyncio import Redis

from ouro_publisher.types import Usage, WindowState
from ouro_schemas import names
from ouro_schemas.guardrails import Guardrails

RARITY_KEEP = 10_000


def minute(now: float) -> int:
    return int(now // 60)


class Windows:
    def __init__(self) -> None:
        self.rarities: deque[str] = deque(maxlen=RARITY_KEEP)
        self.throttle: dict[str, int] = {}  # "<type>:<minute>" -> count
        self.economy: dict[int, list[float]] = {}  # minute -> [sources, sinks]
        # Recorded but not yet queued on a pipeline (written once per batch).
        self._throttle_delta: dict[str, int] = {}
        self._rarity_delta: list[str] = []  # oldest first: LPUSH leaves the newest at the head
        self._economy_delta: dict[int, list[float]] = {}
        # The last `state()` and its (minute, oldest economy minute): `record` keeps it up to date, so
        # the gate's per-proposal view is not summed afresh each time.
        self._state: WindowState | None = None
        self._state_key: tuple[int, int] = (0, 0)

    async def load(self, redis: Redis) -> None:
        pipe = redis.pipeline(transaction=False)
        pipe.lrange(names.PUBLISHER_RARITY, 0, RARITY_KEEP - 1)
        pipe.hgetall(names.PUBLISHER_THROTTLE)
        pipe.hgetall(names.PUBLISHER_ECONOMY)
        rar, thr, eco = await pipe.execute()
        self.rarities = deque((r.decode() for r in rar), maxlen=RARITY_KEEP)
        self.throttle = {k.decode(): int(v) for k, v in thr.items()}
        self.economy = {}
        self._state = None
        for k, v in eco.items():
            m, _, kind = k.decode().partition(":")
            slot = self.economy.setdefault(int(m), [0.0, 0.0])
            slot[0 if kind == "src" else 1] += float(v)

    def backup(self) -> tuple[deque[str], dict[str, int], dict[int, list[float]]]:
        return deque(self.rarities, maxlen=RARITY_KEEP), dict(self.throttle), \
            {k: list(v) for k, v in self.economy.items()}

    def restore(self, saved: tuple[deque[str], dict[str, int], dict[int, list[float]]]) -> None:
        """Back to a backup (a batch whose MULTI did not run)."""
        self.rarities, self.throttle, self.economy = saved
        self._state = None
        self._throttle_delta, self._rarity_delta, self._economy_delta = {}, [], {}

    def state(self, g: Guardrails, now: float) -> WindowState:
        """What the gate sees of the windows now. The same object until the minute or the economy
        window moves (or a restore): `record` updates it in place; the gate only reads it."""
        m = minute(now)
        oldest = minute(now - g.economy.window_s)
        if self._state is not None and self._state_key == (m, oldest):
            return self._state
        suffix = f":{m}"
        throttle = {k[: -len(suffix)]: v for k, v in self.throttle.items() if k.endswith(suffix)}
        src = sum(v[0] for k, v in self.economy.items() if k > oldest)
        sink = sum(v[1] for k, v in self.economy.items() if k > oldest)
        self._state = WindowState(rarities=self.rarities, throttle=throttle, sources=src, sinks=sink)
        self._state_key = (m, oldest)
        return self._state

    def record(self, pipe: Any, ptype: str, usage: Usage, now: float) -> None:
        """Apply `usage` in memory now; its Redis writes wait for `write(pipe)` (once per batch)."""
        m = minute(now)
        field = f"{ptype}:{m}"
        self.throttle[field] = self.throttle.get(field, 0) + 1
        self._throttle_delta[field] = self._throttle_delta.get(field, 0) + 1
        for rarity in usage.rarities:
            self.rarities.appendleft(rarity)
        self._rarity_delta.extend(usage.rarities)
        if usage.sources or usage.sinks:
            slot = self.economy.setdefault(m, [0.0, 0.0])
            slot[0] += usage.sources
            slot[1] += usage.sinks
            delta = self._economy_delta.setdefault(m, [0.0, 0.0])
            delta[0] += usage.sources
            delta[1] += usage.sinks
        state = self._state
        if state is not None:
            if self._state_key[0] == m > self._state_key[1]:  # the state was summed for this minute
                state.throttle[ptype] = state.throttle.get(ptype, 0) + 1
                state.sources += usage.sources
                state.sinks += usage.sinks
            else:
                self._state = None
        if pipe is not None:
            self.write(pipe)

    def write(self, pipe: Any) -> None:
        """Queue the recorded changes on `pipe` (the batch's MULTI) and forget them."""
        for field, n in self._throttle_delta.items():
            pipe.hincrby(names.PUBLISHER_THROTTLE, field, n)
        if self._rarity_delta:
            pipe.lpush(names.PUBLISHER_RARITY, *self._rarity_delta)
            pipe.ltrim(names.PUBLISHER_RARITY, 0, RARITY_KEEP - 1)
        for m, (src, sink) in self._economy_delta.items():
            if src:
                pipe.hincrbyfloat(names.PUBLISHER_ECONOMY, f"{m}:src", src)
            if sink:
                pipe.hincrbyfloat(names.PUBLISHER_ECONOMY, f"{m}:sink", sink)
        self._throttle_delta, self._rarity_delta, self._economy_delta = {}, [], {}

    def prune(self, pipe: Any, g: Guardrails, now: float) -> None:
        """Forget throttle minutes before this one and economy minutes outside the window."""
        m = minute(now)
        old = [k for k in self.throttle if not k.endswith(f":{m}")]
        for k in old:
            del self.throttle[k]
        if old:
            pipe.hdel(names.PUBLISHER_THROTTLE, *old)
        oldest = minute(now - max(g.economy.window_s, 60.0)) - 1
        gone = [m_ for m_ in self.economy if m_ < oldest]
        for m_ in gone:
            del self.economy[m_]
        if gone:
            pipe.hdel(names.PUBLISHER_ECONOMY, *[f"{m_}:{kind}" for m_ in gone for kind in ("src", "sink")])


def now() -> float:
    return time.time()
