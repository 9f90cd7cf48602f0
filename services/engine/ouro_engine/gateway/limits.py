"""Abuse limits at the edge: token buckets per connection and per IP, and input sanitising.

The engine's command layer (`commands.registry.clean`) already strips ANSI escapes and non-printable
characters from every command line; the gateway does it again on the way in (`clean_line`) so that
nothing the gateway itself shows (names in the login dialogue) carries them either.
"""

from __future__ import annotations

import re
import time

ANSI_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


class TokenBucket:
    """`rate` events per second with a `burst`; `take` says whether one more may happen now."""

    __slots__ = ("at", "burst", "rate", "tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class PerIp:
    """One bucket per client address; idle buckets are forgotten so the map stays bounded."""

    def __init__(self, rate: float, burst: int, max_ips: int = 50_000) -> None:
        self.rate, self.burst, self.max_ips = rate, burst, max_ips
        self.buckets: dict[str, TokenBucket] = {}

    def allow(self, ip: str) -> bool:
        bucket = self.buckets.get(ip)
        if bucket is None:
            if len(self.buckets) >= self.max_ips:
                self._prune()
            bucket = self.buckets[ip] = TokenBucket(self.rate, self.burst)
        return bucket.take()

    def _prune(self) -> None:
        full_after = self.burst / self.rate
        now = time.monotonic()
        for ip in [ip for ip, b in self.buckets.items() if now - b.at > full_after]:
            del self.buckets[ip]
        if len(self.buckets) >= self.max_ips:  # under a flood of distinct addresses: start over
            self.buckets.clear()


def clean_line(line: str, limit: int) -> str:
    """Printable characters only, no ANSI escapes, at most `limit` characters, trimmed."""
    line = ANSI_ESCAPE.sub("", line[:limit])
    return "".join(ch for ch in line if ch.isprintable()).strip()
