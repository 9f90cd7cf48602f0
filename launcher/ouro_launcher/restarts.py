"""Restart policies (compose's `restart:` key) and the backoff between restarts, as Docker applies them.

Why it exists: compose.yaml says `restart: unless-stopped` for every service, and Docker honours it; the
launcher runs the same file as local processes, so a crashed service must come back there too instead of
taking the whole stack down. Pure: the supervisor asks, with the exit code, the restarts so far and how
long the process had been up; it gets yes/no and the delay.

- `no` (the default): never restarted — the launcher stops the stack, as before.
- `always`, `unless-stopped`: restarted whatever the exit code (the launcher never stops a single
  service on an operator's request, so the two are the same here).
- `on-failure[:N]`: restarted only after a non-zero exit, at most N times in all when N is given.
- delay: 0.1 s, doubling on every restart up to 30 s; back to 0.1 s once the process had been up 10 s.
"""

from __future__ import annotations

from dataclasses import dataclass

INITIAL_DELAY = 0.1
MAX_DELAY = 30.0
STABLE_AFTER = 10.0  # seconds up after which a crash counts as a new incident (delay reset)
MODES = ("no", "always", "on-failure", "unless-stopped")


class PolicyError(ValueError):
    """Not a restart policy compose knows."""


@dataclass(frozen=True)
class RestartPolicy:
    mode: str = "no"
    max_retries: int | None = None  # on-failure:N

    def __str__(self) -> str:
        return self.mode if self.max_retries is None else f"{self.mode}:{self.max_retries}"

    @property
    def restarts_ever(self) -> bool:
        return self.mode != "no"

    def allows(self, exit_code: int, restarts: int) -> bool:
        """Whether a process that exited with `exit_code`, already restarted `restarts` times, comes back."""
        if self.mode in ("always", "unless-stopped"):
            return True
        if self.mode == "on-failure":
            return exit_code != 0 and (self.max_retries is None or restarts < self.max_retries)
        return False


NO_RESTART = RestartPolicy()


def parse_policy(raw: object, where: str = "restart") -> RestartPolicy:
    """`no`, `always`, `unless-stopped`, `on-failure`, `on-failure:3` (YAML's bare `no` is False).

    Raises PolicyError naming `where`.
    """
    if raw is None or raw is False:
        return NO_RESTART
    if not isinstance(raw, str):
        raise PolicyError(f"{where}: expected one of {', '.join(MODES)}, got {raw!r}")
    mode, sep, count = raw.strip().partition(":")
    if mode not in MODES or (sep and mode != "on-failure"):
        raise PolicyError(f"{where}: expected one of {', '.join(MODES)} (or on-failure:N), got {raw!r}")
    if not sep:
        return RestartPolicy(mode)
    if not count.isdigit():
        raise PolicyError(f"{where}: on-failure:N needs a whole number, got {raw!r}")
    return RestartPolicy(mode, int(count))


def next_delay(previous: float | None, uptime: float) -> float:
    """The wait before the next restart: Docker's doubling from 0.1 s, capped, reset after a stable run."""
    if previous is None or uptime >= STABLE_AFTER:
        return INITIAL_DELAY
    return min(MAX_DELAY, previous * 2)


def describe_exit(code: int) -> str:
    """`code 3` or `signal SIGKILL` (Popen reports death by signal N as -N)."""
    if code < 0:
        import signal

        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"
