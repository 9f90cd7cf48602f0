"""`status` and `logs`: looking at a running stack from any shell, through data/run/stack.json."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ouro_launcher import state, supervisor
from ouro_launcher.health import probe
from ouro_runtime.redis_server import ping

NOT_RUNNING = 3  # as `systemctl status` / LSB: "program is not running"


def health_word(proc: state.ProcState) -> str:
    """ok, starting (503), down (no answer) or dead (process gone)."""
    if not state.alive(proc.pid, proc.started):
        return "dead"
    if proc.service == "redis":
        return "ok" if proc.port is not None and ping("127.0.0.1", proc.port) else "down"
    if proc.health_url is None:
        return "running"
    result = probe(proc.health_url, timeout=2.0)
    if result.ok:
        return "ok"
    return f"HTTP {result.status}" if result.status is not None else "down"


def status(data_dir: Path, out: TextIO = sys.stdout) -> int:
    """Print a table of every recorded process. Returns 0 if all are healthy, 1 if not, 3 if no stack."""
    record = state.load(state.state_path(data_dir))
    if record is None:
        out.write("ourobouro: no stack is running\n")
        return NOT_RUNNING
    rows = [("SERVICE", "INSTANCE", "PID", "PORT", "HEALTH", "RESTARTS")]
    procs = [*([record.redis] if record.redis else []), *record.procs]
    words = [health_word(p) for p in procs]
    for proc, word in zip(procs, words, strict=True):
        rows.append((proc.service, proc.name, str(proc.pid), str(proc.port or "-"), word, str(proc.restarts)))
    if record.redis is None:
        rows.insert(1, ("redis", "external", "-", "-", "-", "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")
    supervised = state.alive(record.launcher_pid, record.launcher_started)
    how = "detached, supervising in the background" if record.detached else "foreground"
    out.write(f"launcher: pid {record.launcher_pid} ({how})\n" if supervised else "launcher: gone (unsupervised)\n")
    return 0 if all(w in ("ok", "running") for w in words) else 1


def log_files(data_dir: Path, names: Sequence[str]) -> list[Path]:
    """Log files of the named instances or services (all when `names` is empty), sorted by name."""
    files = sorted((data_dir / "logs").glob("*.log"))
    if not names:
        return files
    return [f for f in files if any(f.stem == n or f.stem.startswith(n + "-") for n in names)]


def logs(data_dir: Path, names: Sequence[str], lines: int, follow: bool, out: TextIO = sys.stdout) -> int:
    """Print the last `lines` of each log, prefixed by its instance; with `follow`, keep printing."""
    files = log_files(data_dir, names)
    if not files:
        out.write(
            f"ourobouro: no logs under {data_dir / 'logs'}"
            + (f" for {', '.join(names)}" if names else "")
            + "\n"
        )
        return 1
    width = max(len(f.stem) for f in files)
    offsets: dict[Path, int] = {}
    for f in files:
        for line in supervisor.tail(f, lines).splitlines():
            out.write(f"{f.stem:<{width}} | {line}\n")
        offsets[f] = f.stat().st_size
    out.flush()
    try:
        while follow:
            for f in log_files(data_dir, names):
                offsets.setdefault(f, 0)
                with open(f, "rb") as fh:
                    fh.seek(offsets[f])
                    chunk = fh.read()
                whole = chunk[: chunk.rfind(b"\n") + 1]  # print whole lines only
                if whole:
                    offsets[f] += len(whole)
                    for line in whole.decode(errors="replace").splitlines():
                        out.write(f"{f.stem:<{width}} | {line}\n")
                    out.flush()
            time.sleep(0.3)
    except KeyboardInterrupt:
        pass
    return 0
