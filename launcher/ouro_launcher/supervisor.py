"""Starting service processes and stopping them in order: SIGTERM, wait with a deadline, then SIGKILL.

Each process gets its own session (so a ^C in the terminal reaches only the launcher, which then stops
the services in reverse start order and Redis last) and its own log file, stdout and stderr together.
Signals go to the whole process group, so anything a service spawned stops with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ouro_launcher import state
from ouro_launcher.plan import ProcessSpec

STOP_TIMEOUT = 15.0


@dataclass
class Running:
    spec: ProcessSpec
    proc: subprocess.Popen[bytes]
    log: Path
    wave: int = 0
    restarts: int = 0

    def to_state(self) -> state.ProcState:
        return state.ProcState(
            name=self.spec.instance,
            service=self.spec.service,
            pid=self.proc.pid,
            started=state.start_time(self.proc.pid),
            log=str(self.log),
            port=self.spec.http_port,
            health_url=self.spec.health_url,
            metrics_url=self.spec.metrics_url,
            wave=self.wave,
            restarts=self.restarts,
        )


def log_path(log_dir: Path, instance: str) -> Path:
    return log_dir / f"{instance}.log"


def start(
    spec: ProcessSpec, log_dir: Path, base_env: Mapping[str, str], wave: int = 0, why: str = "starting"
) -> Running:
    """Spawn one instance, its output appended to `<log_dir>/<instance>.log` (after a header line saying `why`).

    Raises OSError when the command cannot be executed.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_path(log_dir, spec.instance)
    env = {**base_env, **spec.env, "PYTHONUNBUFFERED": "1"}
    with open(path, "ab") as log:
        now = datetime.now(UTC).isoformat()
        log.write(f"--- ouro-launcher at {now} {why} {spec.instance}: {' '.join(spec.argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            spec.argv,
            cwd=spec.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Running(spec=spec, proc=proc, log=path, wave=wave)


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # pid == pgid: each process leads its own session
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)


def stop_pids(procs: Sequence[tuple[int, int | None]], timeout: float = STOP_TIMEOUT) -> list[int]:
    """SIGTERM every (pid, start time) still ours, wait up to `timeout`, SIGKILL the rest.

    Returns the pids that had to be killed. Only processes whose start time matches are signalled.
    """
    live = [(pid, started) for pid, started in procs if state.alive(pid, started)]
    for pid, _ in live:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid for pid, _ in live)
        live = [(pid, started) for pid, started in live if state.alive(pid, started)]
        if not live:
            return []
        time.sleep(0.05)
    killed = [pid for pid, _ in live]
    for pid in killed:
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and any(state.alive(pid, started) for pid, started in live):
        _reap(killed)
        time.sleep(0.05)
    return killed


def _reap(pids: Iterable[int]) -> None:
    """Collect our own exited children so they do not linger as zombies (others' are not ours to reap)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def stop_in_waves(
    waves: Sequence[Sequence[tuple[int, int | None]]], timeout: float = STOP_TIMEOUT
) -> list[int]:
    """Stop wave by wave, last-started first; returns every pid that needed SIGKILL."""
    killed: list[int] = []
    for wave in reversed(waves):
        killed.extend(stop_pids(wave, timeout))
    return killed


def tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of a log file ('' when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            text = fh.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
