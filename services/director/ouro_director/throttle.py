"""Throttles, enforced in code: a token bucket for jobs, per-rule cool-downs, one expansion in flight.

All take `now` from the caller (the director's clock seam), so tests drive time by hand. What a restart
must not forget — the live cool-downs, the gate's pauses and the expansion in flight — is a `Memory`
(the shell keeps it at `ouro:director:throttles`); the token bucket simply starts full again.
"""

from __future__ import annotations

import msgspec


class TokenBucket:
    """`rate_per_s` tokens a second up to `capacity`; a job takes one. Starts full."""

    def __init__(self, rate_per_s: float, capacity: int, now: float) -> None:
        self.rate = rate_per_s
        self.capacity = float(capacity)
        self.tokens = float(capacity)
        self.at = now

    def _refill(self, now: float) -> None:
        if now > self.at:
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
            self.at = now

    def available(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= 1.0

    def take(self, now: float) -> bool:
        self._refill(now)
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def refund(self) -> None:
        self.tokens = min(self.capacity, self.tokens + 1.0)

    def max_jobs(self, seconds: float) -> int:
        """The most jobs this bucket lets through in a window of `seconds` (starting full)."""
        return int(self.capacity + seconds * self.rate)


class Cooldowns:
    """Per (rule, scope) earliest time the rule may act again."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, str], float] = {}

    def remaining(self, rule: str, scope: str, now: float) -> float:
        until = self._until.get((rule, scope))
        return 0.0 if until is None or until <= now else until - now

    def start(self, rule: str, scope: str, now: float, seconds: float) -> None:
        self._until[(rule, scope)] = now + seconds
        if len(self._until) > 10_000:  # forget the expired ones
            self._until = {k: v for k, v in self._until.items() if v > now}

    def live(self, now: float) -> list[tuple[str, str, float]]:
        """(rule, scope, until) of every cool-down still running, in a stable order."""
        return sorted((rule, scope, until) for (rule, scope), until in self._until.items() if until > now)

    def restore(self, items: list[tuple[str, str, float]], now: float) -> None:
        self._until.update({(rule, scope): until for rule, scope, until in items if until > now})


class InFlight(msgspec.Struct, frozen=True):
    job_id: str
    proposal_id: str
    since: float


class Memory(msgspec.Struct, kw_only=True):
    """The throttles' state that outlives a restart (absolute times on the director's clock)."""

    cooldowns: list[tuple[str, str, float]] = msgspec.field(default_factory=list)
    gate_pauses: list[tuple[str, str, float]] = msgspec.field(default_factory=list)
    expansion: InFlight | None = None


class ExpansionGate:
    """At most one expansion (BLOCK / WORLD_EXPANSION) in flight.

    Cleared when its PatchResult arrives on world.applied, when log.proposals says its proposal was
    rejected or failed, or after `timeout_s`.
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.current: InFlight | None = None

    def busy(self, now: float) -> InFlight | None:
        """The expansion in flight, or None (a timed-out one is dropped here)."""
        if self.current and now - self.current.since >= self.timeout_s:
            self.current = None
        return self.current

    def begin(self, job_id: str, now: float) -> None:
        self.current = InFlight(job_id=job_id, proposal_id=f"p-{job_id}", since=now)

    def clear(self, proposal_or_job_id: str) -> bool:
        cur = self.current
        if cur and proposal_or_job_id in (cur.proposal_id, cur.job_id):
            self.current = None
            return True
        return False
