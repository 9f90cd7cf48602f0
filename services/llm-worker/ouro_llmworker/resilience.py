"""Staying polite to a model server: backoff with jitter, a circuit breaker, per-minute caps.

All three take an injectable clock (`now`) so tests can move time without sleeping.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum

Clock = Callable[[], float]


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    ceiling = min(cap, base * (2**attempt))
    return (rng or random).uniform(0.0, ceiling)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after `failures` consecutive failures; after `cooldown_s` lets one probe through
    (half-open): its success closes the breaker, its failure opens it for another cool-down."""

    def __init__(self, failures: int, cooldown_s: float, now: Clock = time.monotonic) -> None:
        self.threshold = failures
        self.cooldown_s = cooldown_s
        self.now = now
        self.failures = 0
        self.opened_at: float | None = None
        self._probe_out = False

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        if self.now() - self.opened_at >= self.cooldown_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """May a call go out now? In half-open, only one probe at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probe_out:
            self._probe_out = True
            return True
        return False

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self._probe_out = False

    def failure(self) -> None:
        self.failures += 1
        if self._probe_out or self.failures >= self.threshold:
            self.opened_at = self.now()
        self._probe_out = False


class MinuteCap:
    """At most `limit` events in any 60-second window (a sliding log; limits here are small)."""

    def __init__(self, limit: int, now: Clock = time.monotonic, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.now = now
        self._events: deque[float] = deque()

    def _trim(self, t: float) -> None:
        while self._events and t - self._events[0] >= self.window_s:
            self._events.popleft()

    def available(self) -> bool:
        self._trim(self.now())
        return len(self._events) < self.limit

    def take(self) -> bool:
        """Record one event if under the cap; False (nothing recorded) if the cap is reached."""
        t = self.now()
        self._trim(t)
        if len(self._events) >= self.limit:
            return False
        self._events.append(t)
        return True


class KeyedMinuteCap:
    """One MinuteCap per key (per Questmaker), created on first use; idle keys are forgotten."""

    def __init__(self, limit: int, now: Clock = time.monotonic, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.now = now
        self.max_keys = max_keys
        self._caps: dict[str, MinuteCap] = {}

    def take(self, key: str) -> bool:
        cap = self._caps.get(key)
        if cap is None:
            if len(self._caps) >= self.max_keys:
                self._caps = {k: c for k, c in self._caps.items() if not c.available() or c._events}
            cap = self._caps[key] = MinuteCap(self.limit, self.now)
        return cap.take()
