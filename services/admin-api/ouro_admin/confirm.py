"""Short-lived, single-use confirmation tokens: the second step of a rollback."""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pending:
    action: str  # e.g. "rollback"
    target: str  # e.g. the snapshot id
    expires_at: float  # wall clock, for the client
    deadline: float  # monotonic, for us


class Confirmations:
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic, limit: int = 1_000) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self.limit = limit
        self._pending: dict[str, Pending] = {}

    def issue(self, action: str, target: str) -> tuple[str, Pending]:
        self._expire()
        while len(self._pending) >= self.limit:
            self._pending.pop(next(iter(self._pending)))
        token = secrets.token_urlsafe(24)
        pending = Pending(action, target, time.time() + self.ttl_s, self.clock() + self.ttl_s)
        self._pending[token] = pending
        return token, pending

    def redeem(self, token: str, action: str, target: str) -> bool:
        """True once for a live token issued for (action, target); the token is spent either way."""
        self._expire()
        match = None
        for known in list(self._pending):
            if hmac.compare_digest(known.encode(), token.encode()):
                match = known
        if match is None:
            return False
        pending = self._pending.pop(match)
        return pending.action == action and pending.target == target

    def _expire(self) -> None:
        now = self.clock()
        for token in [t for t, p in self._pending.items() if p.deadline <= now]:
            del self._pending[token]
