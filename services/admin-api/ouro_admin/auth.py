"""Who is asking: bearer-token roles, constant-time comparison, and a per-IP failure limit.

Outcomes (checked in this order):
1. the client IP has too many recent failed attempts -> 429 (even with a right token: no oracle);
2. no `Authorization: Bearer …` header -> 401;
3. a token that matches neither role -> 403, counted as a failed attempt;
4. a viewer on an operator route -> 403 (not counted: the token itself was right).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ouro_admin.tokens import Tokens


class Role(enum.StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Principal:
    role: Role
    client: str

    @property
    def name(self) -> str:
        return f"{self.role.value}@{self.client}"

    @property
    def can_write(self) -> bool:
        return self.role is Role.OPERATOR


class AuthFailure(Exception):
    """Raised by `Authenticator.check`; the API edge maps `status` to an HTTP error."""

    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


def _digest(token: str) -> bytes:
    # Comparing fixed-length digests keeps compare_digest's time independent of the token length too.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class FailureLimiter:
    """Sliding window of failed attempts per client IP (in memory: one admin-api process)."""

    def __init__(self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 10_000) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self.max_clients = max_clients
        self._fails: dict[str, deque[float]] = {}

    def _window(self, client: str) -> deque[float]:
        now = self.clock()
        q = self._fails.get(client)
        if q is None:
            return deque()
        while q and now - q[0] > self.window_s:
            q.popleft()
        if not q:
            del self._fails[client]
        return q

    def blocked_for(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None if it is not blocked."""
        q = self._window(client)
        if len(q) < self.max_failures:
            return None
        return max(1, int(self.window_s - (self.clock() - q[0])) + 1)

    def fail(self, client: str) -> None:
        if client not in self._fails and len(self._fails) >= self.max_clients:
            self._fails.pop(next(iter(self._fails)))  # bounded memory: forget the oldest client
        self._fails.setdefault(client, deque()).append(self.clock())


class Authenticator:
    def __init__(self, tokens: Tokens, limiter: FailureLimiter) -> None:
        self._operator = _digest(tokens.operator)
        self._viewer = _digest(tokens.viewer)
        self.limiter = limiter
        self.failures = 0

    def check(self, authorization: str | None, client: str) -> Principal:
        """The caller's principal. Raises AuthFailure (429, 401 or 403)."""
        wait = self.limiter.blocked_for(client)
        if wait is not None:
            raise AuthFailure(429, "too many failed attempts; try again later", retry_after=wait)
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthFailure(401, "missing bearer token")
        given = _digest(token.strip())
        # Both comparisons always run: which role matched must not show in the timing.
        is_operator = hmac.compare_digest(given, self._operator)
        is_viewer = hmac.compare_digest(given, self._viewer)
        if is_operator:
            return Principal(Role.OPERATOR, client)
        if is_viewer:
            return Principal(Role.VIEWER, client)
        self.failures += 1
        self.limiter.fail(client)
        raise AuthFailure(403, "invalid token")
