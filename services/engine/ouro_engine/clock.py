"""The clock seam: every system reads time through a `Clock`, so tests drive time by hand."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock seconds (time.time): timers persist across restarts, so they are absolute."""

    def now(self) -> float:
        return time.time()


class ManualClock(Clock):
    """A clock that moves only when told to (tests, benchmarks)."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        self._now += seconds
        return self._now
