"""Probing /healthz and waiting for a set of processes to become healthy, with a deadline.

Polling, not sleeping: each check is a real HTTP request; the loop ends as soon as every target
answers 200, one of them exits, or the deadline passes — whichever comes first.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

POLL_INTERVAL = 0.1


@dataclass(frozen=True)
class Probe:
    status: int | None  # HTTP status, None when nothing answered
    detail: str  # body (truncated) or the connection error

    @property
    def ok(self) -> bool:
        return self.status == 200


def probe(url: str, timeout: float = 2.0) -> Probe:
    """GET `url` once. Never raises: a refused connection is Probe(None, reason)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return Probe(resp.status, resp.read(2000).decode(errors="replace"))
    except urllib.error.HTTPError as exc:
        return Probe(exc.code, exc.read(2000).decode(errors="replace"))
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Probe(None, str(reason))


@dataclass(frozen=True)
class Target:
    name: str
    url: str | None  # None: running counts as ready
    exit_code: Callable[[], int | None]  # the process's exit code, None while it runs


class ExitedEarly(RuntimeError):
    def __init__(self, name: str, code: int) -> None:
        super().__init__(f"{name} exited with code {code} before it was healthy")
        self.name = name
        self.code = code


class NotHealthy(TimeoutError):
    def __init__(self, name: str, last: Probe, seconds: float) -> None:
        answer = f"HTTP {last.status}" if last.status is not None else "no answer"
        super().__init__(f"{name} not healthy after {seconds:.0f}s (last: {answer}: {last.detail[:200]})")
        self.name = name
        self.last = last


def wait_healthy(
    targets: Sequence[Target], timeout: float, clock: Callable[[], float] = time.monotonic
) -> None:
    """Return once every target answers 200.

    Raises ExitedEarly when a target's process ends first, NotHealthy when `timeout` passes.
    """
    deadline = clock() + timeout
    pending = {t.name: t for t in targets}
    last: dict[str, Probe] = {}
    while pending:
        for name, target in list(pending.items()):
            code = target.exit_code()
            if code is not None:
                raise ExitedEarly(name, code)
            if target.url is None:
                del pending[name]
                continue
            last[name] = probe(target.url, timeout=1.0)
            if last[name].ok:
                del pending[name]
        if not pending:
            return
        if clock() >= deadline:
            name = next(iter(pending))
            raise NotHealthy(name, last.get(name, Probe(None, "never probed")), timeout)
        time.sleep(POLL_INTERVAL)
