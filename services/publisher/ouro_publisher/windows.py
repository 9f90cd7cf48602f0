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

    async def load(self, redis: Redis) -> None:
        pipe = redis.pipeline(transaction=False)
        pipe.lrange(names.PUBLISHER_RARITY, 0, RARITY_KEEP - 1)
        pipe.hgetall(names.PUBLISHER_THROTTLE)
        pipe.hgetall(names.PUBLISHER_ECONOMY)
        rar, thr, eco = await pipe.execute()
        self.rarities = deque((r.decode() for r in rar), maxlen=RARITY_KEEP)
        self.throttle = {k.decode(): int(v) for k, v in thr.items()}
        self.economy = {}
        for k, v in eco.items():
            m, _, kind = k.decode().partition(":")
            slot = self.economy.setdefault(int(m), [0.0, 0.0])
            slot[0 if kind == "src" else 1] += float(v)

    def state(self, g: Guardrails, now: float) -> WindowState:
        m = minute(now)
        suffix = f":{m}"
        throttle = {k[: -len(suffix)]: v for k, v in self.throttle.items() if k.endswith(suffix)}
        oldest = minute(now - g.economy.window_s)
        src = sum(v[0] for k, v in self.economy.items() if k > oldest)
        sink = sum(v[1] for k, v in self.economy.items() if k > oldest)
        return WindowState(rarities=self.rarities, throttle=throttle, sources=src, sinks=sink)

    def record(self, pipe: Any, ptype: str, usage: Usage, now: float) -> None:
        """Apply `usage` in memory and queue the same writes on `pipe` (the commit's MULTI)."""
        m = minute(now)
        field = f"{ptype}:{m}"
        self.throttle[field] = self.throttle.get(field, 0) + 1
        pipe.hincrby(names.PUBLISHER_THROTTLE, field, 1)
        for rarity in usage.rarities:
            self.rarities.appendleft(rarity)
        if usage.rarities:
            pipe.lpush(names.PUBLISHER_RARITY, *usage.rarities[::-1])
            pipe.ltrim(names.PUBLISHER_RARITY, 0, RARITY_KEEP - 1)
        if usage.sources or usage.sinks:
            slot = self.economy.setdefault(m, [0.0, 0.0])
            slot[0] += usage.sources
            slot[1] += usage.sinks
            if usage.sources:
                pipe.hincrbyfloat(names.PUBLISHER_ECONOMY, f"{m}:src", usage.sources)
            if usage.sinks:
                pipe.hincrbyfloat(names.PUBLISHER_ECONOMY, f"{m}:sink", usage.sinks)

    def prune(self, pipe: Any, g: Guardrails, now: float) -> None:
        """Forget throttle minutes before this one and economy minutes outside the window."""
        m = minute(now)
        old = [k for k in self.throttle if not k.endswith(f":{m}")]
        for k in old:
            del self.throttle[k]
        if old:
            pipe.hdel(names.PUBLISHER_THROTTLE, *old)
        oldest = minute(now - max(g.economy.window_s, 60.0)) - 1
        gone = [k for k in self.economy if k < oldest]
        for k in gone:
            del self.economy[k]
        if gone:
            pipe.hdel(names.PUBLISHER_ECONOMY, *[f"{k}:{kind}" for k in gone for kind in ("src", "sink")])


def now() -> float:
    return time.time()
