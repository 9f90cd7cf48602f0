"""`up --detach`: the launcher forks a supervisor of its own session and returns once the stack is up.

Why: a detached stack used to have nobody watching it, so a crashed service stayed dead. Now the
process that starts the stack is a background child, and it stays to supervise (restart policies,
watch.py) until `down` sends it SIGTERM; `down` then waits for it to stop everything in order.

1. fork before anything starts, so Redis and the services are the child's own children (it can reap
   them and read their exit codes);
2. the child leaves the terminal's session and points its stdin at /dev/null and stdout/stderr at
   data/logs/launcher.log (a caller capturing `up --detach`'s output must see end-of-file once it returns);
3. until the stack is up, everything the child says also goes through a pipe to the parent, which prints
   it; the child then writes READY and closes the pipe, and the parent exits 0. If the child fails it
   exits instead, and the parent exits with its code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, TextIO

READY = "\x00ouro-launcher: ready\n"

Ready = Callable[[], None]
Body = Callable[[TextIO, Ready], int]


class Tee:
    """A text sink writing to the log file, and to the parent's pipe until `detach_pipe`."""

    def __init__(self, log: IO[str], pipe: IO[str] | None) -> None:
        self.log, self.pipe = log, pipe

    def write(self, text: str) -> int:
        self.log.write(text)
        if self.pipe is not None:
            with contextlib.suppress(OSError):  # the parent went away: the log still has it
                self.pipe.write(text)
        return len(text)

    def flush(self) -> None:
        self.log.flush()
        if self.pipe is not None:
            with contextlib.suppress(OSError):
                self.pipe.flush()

    def detach_pipe(self) -> None:
        if self.pipe is not None:
            with contextlib.suppress(OSError):
                self.pipe.write(READY)
                self.pipe.close()
            self.pipe = None


def run_detached(body: Body, log_file: Path, out: TextIO) -> int:
    """Run `body(out, ready)` in a background supervisor; relay its output until it calls `ready()` or exits.

    Returns 0 once ready, else the child's exit status.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    out.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child ends in os._exit; tests observe it from outside
        os.close(read_fd)
        _child(body, log_file, write_fd)
    os.close(write_fd)
    ready = False
    with os.fdopen(read_fd, encoding="utf-8", errors="replace") as pipe:
        try:
            for line in pipe:
                if line == READY:
                    ready = True
                    continue
                out.write(line)
                out.flush()
        except KeyboardInterrupt:  # ^C while it starts: it stops what it started, then exits
            os.kill(pid, signal.SIGTERM)
            for line in pipe:
                if line != READY:
                    out.write(line)
            ready = False
    if ready:
        return 0
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) or 1


def _child(body: Body, log_file: Path, write_fd: int) -> None:  # pragma: no cover - see above
    code = 1
    try:
        os.setsid()
        log = open(log_file, "a", buffering=1, encoding="utf-8")  # lives as long as the process
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        os.close(devnull)
        tee = Tee(log, os.fdopen(write_fd, "w", buffering=1, encoding="utf-8"))
        code = body(tee, tee.detach_pipe)  # type: ignore[arg-type]  # Tee is the TextIO subset used
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
