"""The running stack on disk (data/run/stack.json), so `down` and `status` work from another shell.

A pid alone is not an identity: after a reboot or a long run the number may belong to someone else.
Each entry also records the process's start time (field 22 of /proc/<pid>/stat), and a pid counts as
ours only while both match.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATE_FILE = "stack.json"


@dataclass
class ProcState:
    name: str  # instance name, or "redis"
    service: str
    pid: int
    started: int | None  # /proc start time in clock ticks; None where /proc is missing
    log: str
    port: int | None = None
    health_url: str | None = None
    metrics_url: str | None = None
    wave: int = 0  # start wave: stopped in reverse
    restarts: int = 0  # times the launcher restarted it (its restart policy)


@dataclass
class StackState:
    compose_file: str
    data_dir: str
    redis_url: str
    launcher_pid: int | None  # the supervising launcher (foreground, or its background process when detached)
    launcher_started: int | None
    redis: ProcState | None = None  # None when REDIS_URL points at an external server
    procs: list[ProcState] = field(default_factory=list)
    detached: bool = False  # started with --detach: the launcher supervises from the background

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> StackState:
        raw = json.loads(text)
        redis = ProcState(**raw["redis"]) if raw.get("redis") else None
        procs = [ProcState(**p) for p in raw.get("procs", [])]
        return cls(**{**raw, "redis": redis, "procs": procs})


def state_path(data_dir: Path) -> Path:
    return data_dir / "run" / STATE_FILE


def save(path: Path, state: StackState) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(state.to_json())
    os.replace(tmp, path)


def load(path: Path) -> StackState | None:
    """The saved state, or None when there is none (or it is unreadable, e.g. from an older launcher)."""
    try:
        return StackState.from_json(path.read_text())
    except (OSError, ValueError, TypeError, KeyError):
        return None


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, or None if it is gone or /proc is missing."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its closing paren.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[19])  # field 22 overall; fields[0] is field 3


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def alive(pid: int | None, started: int | None) -> bool:
    """True while `pid` runs and is the same process that was recorded (not a zombie, not a reuse)."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else: the start time decides
    if is_zombie(pid):
        return False
    return started is None or start_time(pid) == started
