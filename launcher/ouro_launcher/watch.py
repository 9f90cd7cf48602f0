"""Supervising a started stack: restart what died, as its compose `restart:` policy says, with backoff.

One pass (`step`) every 0.2 s:
1. Redis (the embedded server): gone? restart it on the same port and files (it replays its AOF);
2. every service instance: exited? schedule its restart after the backoff delay (restarts.py), or — when
   its policy does not restart it (`restart: no`, `on-failure` after a clean exit or its last retry) —
   raise `Died`, and the launcher stops the whole stack and exits 1, as it always did;
3. a restart that is due: spawn the instance again (same command, environment, ports, log file) and
   rewrite data/run/stack.json, so `status` and `down` see the new pid;
4. a restarted instance: probe its /healthz until it answers, and say how long it took.

Every exit, restart and recovery is one line on the launcher's output (the terminal of a foreground `up`,
data/logs/launcher.log of a detached one) and a header line in the instance's own log.
A stop signal that arrives while a process is being replaced is held until the replacement is recorded,
so `down` never misses a replacement. (Not by blocking signals: a blocked mask would be inherited by
the new process, which would then ignore SIGTERM.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from ouro_launcher import state, supervisor
from ouro_launcher.health import probe
from ouro_launcher.restarts import RestartPolicy, describe_exit, next_delay
from ouro_runtime.redis_server import RedisServer, RedisServerError

POLL_INTERVAL = 0.2
REDIS = "redis"
_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}


class Died(RuntimeError):
    """A process exited and its restart policy does not bring it back: the stack stops."""

    def __init__(self, name: str, code: int, why: str) -> None:
        super().__init__(f"{name} exited with {describe_exit(code)} ({why})")
        self.name = name
        self.code = code


@dataclass
class _Track:
    started: float  # monotonic time the current process was started
    restarts: int = 0
    delay: float | None = None  # the last backoff delay
    due: float | None = None  # a restart is scheduled for then
    recovering: float | None = None  # restarted at, not yet healthy


class Watch:
    def __init__(
        self,
        running: list[supervisor.Running],
        redis: RedisServer | None,
        redis_policy: RestartPolicy,
        record: state.StackState,
        state_file: Path,
        log_dir: Path,
        base_env: Mapping[str, str],
        out: TextIO,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.running = running  # shared with the launcher: replaced entries are what it stops
        self.redis = redis
        self.redis_policy = redis_policy
        self.record = record
        self.state_file = state_file
        self.log_dir = log_dir
        self.base_env = base_env
        self.out = out
        self.clock = clock
        now = clock()
        self.tracks = {r.spec.instance: _Track(now) for r in running}
        self.tracks[REDIS] = _Track(now)

    def run(self) -> None:
        """Supervise until a signal interrupts or a process dies for good (raises Died)."""
        while True:
            self.step()
            time.sleep(POLL_INTERVAL)

    def step(self) -> None:
        now = self.clock()
        self._redis(now)
        for index, r in enumerate(self.running):
            track = self.tracks[r.spec.instance]
            if track.due is not None:
                if now >= track.due:
                    self._replace(index, track)
                continue
            code = r.proc.poll()
            if code is not None:
                self._exited(r.spec.instance, r.spec.restart, code, now, track)
            elif track.recovering is not None and r.spec.health_url is not None:
                if probe(r.spec.health_url, timeout=0.5).ok:
                    self.say(f"{r.spec.instance} healthy again {now - track.recovering:.1f} s after its restart")
                    track.recovering = None

    # --- steps -----------------------------------------------------------------------------------
    def _exited(self, name: str, policy: RestartPolicy, code: int, now: float, track: _Track) -> None:
        uptime = now - track.started
        if not policy.allows(code, track.restarts):
            why = f"restart: {policy}"
            if policy.restarts_ever and track.restarts:
                why += f", gave up after {track.restarts} restart(s)"
            raise Died(name, code, why)
        track.delay = next_delay(track.delay, uptime)
        track.due = now + track.delay
        track.recovering = None
        self.say(
            f"{name} exited with {describe_exit(code)} after {uptime:.1f} s up; restart {track.restarts + 1} "
            f"in {track.delay:.1f} s (restart: {policy})"
        )

    def _replace(self, index: int, track: _Track) -> None:
        old = self.running[index]
        old.proc.poll()  # reaped: no zombie left behind
        why = f"restarting ({track.restarts + 1}) after {describe_exit(old.proc.returncode or 0)}:"
        with _signals_held():
            new = supervisor.start(old.spec, self.log_dir, self.base_env, wave=old.wave, why=why)
            new.restarts = old.restarts + 1
            self.running[index] = new
            track.restarts, track.due = new.restarts, None
            track.started = track.recovering = self.clock()
            self._save()
        self.say(f"{old.spec.instance} restarted as pid {new.proc.pid}")

    def _redis(self, now: float) -> None:
        server, track = self.redis, self.tracks[REDIS]
        if server is None:
            return
        if track.due is None:
            code = server.exit_code
            if code is not None:
                self._exited(REDIS, self.redis_policy, code, now, track)
            return
        if now < track.due:
            return
        with _signals_held():
            try:
                server.start()  # same port and directory: it replays its AOF before it answers
            except RedisServerError as exc:
                track.delay = next_delay(track.delay, 0.0)
                track.due = self.clock() + track.delay
                self.say(f"redis did not come back ({exc}); next try in {track.delay:.1f} s")
                return
            track.restarts += 1
            track.due = None
            track.started = self.clock()
            pid = server.pid
            assert pid is not None and self.record.redis is not None
            self.record.redis.pid, self.record.redis.started = pid, state.start_time(pid)
            self.record.redis.restarts = track.restarts
            self._save()
        self.say(f"redis restarted as pid {pid} ({track.started - now:.1f} s to load its AOF and answer)")

    # --- helpers ---------------------------------------------------------------------------------
    def _save(self) -> None:
        self.record.procs = [r.to_state() for r in self.running]
        state.save(self.state_file, self.record)

    def say(self, message: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.out.write(f"{stamp} {message}\n")
        self.out.flush()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM/SIGINT/SIGHUP for the block, then deliver them again to the handlers they were for."""
    held: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: held.append(signum)) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in held:
            os.kill(os.getpid(), signum)
