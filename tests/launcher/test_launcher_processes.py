"""The launcher with real processes: a real embedded Redis and stand-in services (tests/launcher/standin_service.py).

These exercise start order, replicas, health waits, detach/down/status, early exits and signals without
depending on the real services; test_launcher_stack.py runs the real stack.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import redis
import yaml

from ouro_launcher import state
from ouro_launcher.health import probe
from ouro_runtime.redis_server import RedisServer, free_port, ping

from .launcher_support import REPO, STANDIN, free_offset, launcher

pytestmark = pytest.mark.slow

BASE = {"alpha": 31000, "beta": 31010}


def write_compose(
    path: Path, offset: int, beta_env: dict[str, str] | None = None, restart: str | None = None
) -> Path:
    def service(port: int, **extra: object) -> dict[str, object]:
        return {
            "build": {"context": "."},
            "command": ["python", str(STANDIN)],
            "environment": {
                "REDIS_URL": "redis://redis:6379/0",
                "OURO_HTTP_HOST": "0.0.0.0",
                "OURO_HTTP_PORT": str(port),
            },
            "volumes": ["./data:/app/data"],
            "depends_on": {"redis": {"condition": "service_healthy"}},
            "healthcheck": {
                "test": [
                    "CMD",
                    "python",
                    "-c",
                    f"import urllib.request as u; u.urlopen('http://127.0.0.1:{port}/healthz')",
                ]
            },
            **extra,
        }

    beta = service(
        BASE["beta"],
        depends_on={"redis": {"condition": "service_healthy"}, "alpha": {"condition": "service_healthy"}},
    )
    beta["environment"].update(beta_env or {})  # type: ignore[union-attr]
    doc: dict[str, dict[str, dict[str, object]]] = {
        "services": {
            "redis": {"image": "redis:7", "healthcheck": {"test": ["CMD", "redis-cli", "ping"]}},
            "alpha": service(BASE["alpha"], deploy={"replicas": 2}),
            "beta": beta,
        }
    }
    if restart is not None:
        for svc in doc["services"].values():
            svc["restart"] = restart
    path.write_text(yaml.safe_dump(doc))
    return path


def launch_time(log: Path) -> float:
    header = next(line for line in log.read_text().splitlines() if line.startswith("--- ouro-launcher"))
    return datetime.fromisoformat(header.split(" at ", 1)[1].split(" starting ", 1)[0]).timestamp()


def ready_time(log: Path) -> float:
    ready = next(json.loads(line) for line in log.read_text().splitlines() if '"ready"' in line)
    return float(ready["t"])


def alive_pids(record: state.StackState) -> list[int]:
    procs = [*record.procs, *([record.redis] if record.redis else [])]
    return [p.pid for p in procs if state.alive(p.pid, p.started)]


@pytest.fixture
def offset() -> int:
    return free_offset([*list(BASE.values()), 6379])


def test_up_detach_status_down(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset)
    data = tmp_path / "data"
    started = launcher("-f", str(compose), "up", "--detach", "--port-offset", str(offset), data_dir=data)
    assert started.returncode == 0, started.stdout + started.stderr
    assert "Ourobouro is up" in started.stdout
    record = state.load(state.state_path(data))
    assert record is not None and record.redis is not None
    try:
        assert [p.name for p in record.procs] == ["alpha-1", "alpha-2", "beta"]
        assert [p.port for p in record.procs] == [31000 + offset, 31001 + offset, 31010 + offset]
        for proc in record.procs:
            assert proc.metrics_url is not None and "standin_up 1" in probe(proc.metrics_url).detail
            body = json.loads(probe(f"http://127.0.0.1:{proc.port}/healthz").detail)
            assert body == {"status": "ok", "instance": proc.name}
        # beta waited for alpha: both alpha replicas were ready before the launcher started beta.
        beta_started = launch_time(data / "logs" / "beta.log")
        for name in ("alpha-1", "alpha-2"):
            assert ready_time(data / "logs" / f"{name}.log") <= beta_started
        assert (data / "redis" / "appendonly.aof").exists()
        # The services' OURO_DATA_DIR is the launcher's data dir (./data bind mount rewritten).
        assert str(data) in (data / "logs" / "beta.log").read_text()

        shown = launcher("status", data_dir=data)
        assert shown.returncode == 0, shown.stdout
        assert "alpha-2" in shown.stdout and "ok" in shown.stdout and "detached" in shown.stdout

        again = launcher("-f", str(compose), "up", "--detach", "--port-offset", str(offset), data_dir=data)
        assert again.returncode == 1 and "already running" in again.stdout
    finally:
        stopped = launcher("down", data_dir=data)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert alive_pids(record) == []
    assert not state.state_path(data).exists()
    assert launcher("status", data_dir=data).returncode == 3
    assert '"stopped"' in (data / "logs" / "beta.log").read_text()  # SIGTERM, not SIGKILL


def test_early_exit_is_reported_with_its_log_and_stops_the_stack(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset, beta_env={"STANDIN_FAIL": "1"})
    data = tmp_path / "data"
    result = launcher("-f", str(compose), "up", "--detach", "--port-offset", str(offset), data_dir=data)
    assert result.returncode == 1
    assert "beta exited with code 3 before it was healthy" in result.stdout
    assert "failing on purpose" in result.stdout  # the tail of its log
    assert not state.state_path(data).exists()
    for name in ("alpha-1", "alpha-2"):
        assert '"stopped"' in (data / "logs" / f"{name}.log").read_text()


def test_taken_port_fails_before_anything_starts(tmp_path: Path, offset: int) -> None:
    import socket

    compose = write_compose(tmp_path / "compose.yaml", offset)
    data = tmp_path / "data"
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # earlier tests' TIME_WAIT is no owner
        holder.bind(("127.0.0.1", BASE["beta"] + offset))
        holder.listen()
        result = launcher("-f", str(compose), "up", "--detach", "--port-offset", str(offset), data_dir=data)
    assert result.returncode == 1
    assert f"port {BASE['beta'] + offset} (beta OURO_HTTP_PORT) is already in use" in result.stdout
    assert not (data / "logs").exists() or not list((data / "logs").glob("alpha*.log"))


def wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_foreground_up_stops_everything_on_a_signal(tmp_path: Path, offset: int, sig: signal.Signals) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset)
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {"OURO_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ouro_launcher", "-f", str(compose), "up", "--port-offset", str(offset)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("Stop with Ctrl-C"):
                break
        record = state.load(state.state_path(data))
        assert record is not None and record.launcher_pid == proc.pid and len(record.procs) == 3
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "stopping the stack" in out
    assert alive_pids(record) == []
    assert not state.state_path(data).exists()


def test_a_service_dying_later_stops_the_stack_non_zero(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset, beta_env={"STANDIN_FAIL": "late"})
    data = tmp_path / "data"
    result = launcher("-f", str(compose), "up", "--port-offset", str(offset), data_dir=data)
    assert result.returncode == 1
    assert "beta exited with code 4" in result.stdout and "dying late on purpose" in result.stdout
    assert not state.state_path(data).exists()


def test_down_from_another_shell_stops_a_foreground_launcher(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset)
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {"OURO_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ouro_launcher", "-f", str(compose), "up", "--port-offset", str(offset)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("Stop with Ctrl-C"):
                break
        record = state.load(state.state_path(data))
        assert record is not None
        assert launcher("down", data_dir=data).returncode == 0
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert alive_pids(record) == []


def test_external_redis_url_is_used_and_not_stopped(
    tmp_path: Path, offset: int, own_redis: RedisServer
) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset)
    data = tmp_path / "data"
    env = {"REDIS_URL": own_redis.url}
    started = launcher(
        "-f", str(compose), "up", "--detach", "--port-offset", str(offset), data_dir=data, env=env
    )
    record = state.load(state.state_path(data))
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert "(external)" in started.stdout
        assert record is not None and record.redis is None and record.redis_url == own_redis.url
        assert not (data / "redis").exists()  # no embedded server was started
        client = redis.Redis.from_url(own_redis.url)
        assert sorted(k.decode() for k in client.keys("standin:*")) == [
            "standin:alpha-1",
            "standin:alpha-2",
            "standin:beta",
        ]
        client.close()
    finally:
        assert launcher("down", data_dir=data, env=env).returncode == 0
    assert own_redis.running and ping("127.0.0.1", own_redis.port)  # not ours to stop


def test_unreachable_external_redis_fails_fast(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset)
    dead_url = f"redis://127.0.0.1:{free_port()}/0"
    result = launcher(
        "-f", str(compose), "up", "--detach", "--port-offset", str(offset),
        data_dir=tmp_path / "data", env={"REDIS_URL": dead_url},
    )  # fmt: skip
    assert result.returncode == 1
    assert f"REDIS_URL does not answer PING: {dead_url}" in result.stdout


# --- supervision: compose's `restart:` policy -------------------------------------------------------
def proc_named(data: Path, name: str) -> state.ProcState:
    record = state.load(state.state_path(data))
    assert record is not None
    found = [p for p in [*record.procs, *([record.redis] if record.redis else [])] if p.name == name]
    assert found, name
    return found[0]


def test_detached_stack_restarts_a_killed_service_with_backoff(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset, restart="unless-stopped")
    data = tmp_path / "data"
    started = launcher("-f", str(compose), "up", "--detach", "--port-offset", str(offset), data_dir=data)
    assert started.returncode == 0, started.stdout + started.stderr
    assert "supervises in the background" in started.stdout
    first = proc_named(data, "alpha-1")
    try:
        for n in (1, 2):
            victim = proc_named(data, "alpha-1")
            os.kill(victim.pid, signal.SIGKILL)
            wait_for(lambda: proc_named(data, "alpha-1").restarts == n, 20, f"restart {n} of alpha-1")  # noqa: B023
            again = proc_named(data, "alpha-1")
            assert again.pid != victim.pid and state.alive(again.pid, again.started)
            wait_for(lambda: probe(again.health_url or "").ok, 20, "alpha-1 healthy again")  # noqa: B023
            log = data / "logs" / "launcher.log"
            wait_for(lambda: log.read_text().count("alpha-1 healthy again") == n, 5, "the recovery logged")  # noqa: B023
        launcher_log = (data / "logs" / "launcher.log").read_text()
        # Docker's backoff: 0.1 s, then doubled for a crash soon after the restart.
        assert "alpha-1 exited with signal SIGKILL" in launcher_log
        assert "restart 1 in 0.1 s (restart: unless-stopped)" in launcher_log
        assert "restart 2 in 0.2 s (restart: unless-stopped)" in launcher_log
        assert "restarting (2) after signal SIGKILL" in (data / "logs" / "alpha-1.log").read_text()
        shown = launcher("status", data_dir=data)
        assert shown.returncode == 0, shown.stdout
        row = next(line.split() for line in shown.stdout.splitlines() if line.split()[1:2] == ["alpha-1"])
        assert row[-2:] == ["ok", "2"]  # healthy, restarted twice
        assert proc_named(data, "alpha-2").restarts == 0
    finally:
        stopped = launcher("down", data_dir=data)
    assert stopped.returncode == 0
    assert not state.alive(first.pid, first.started)
    assert not state.state_path(data).exists()
    assert '"stopped"' in (data / "logs" / "alpha-1.log").read_text()  # the replacement stopped cleanly


def test_embedded_redis_is_restarted_on_its_port_with_its_data(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset, restart="unless-stopped")
    data = tmp_path / "data"
    started = launcher("-f", str(compose), "up", "--detach", "--port-offset", str(offset), data_dir=data)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        before = proc_named(data, "redis")
        assert before.port is not None
        client = redis.Redis(port=before.port)
        client.set("survives", "yes")
        client.close()
        os.kill(before.pid, signal.SIGTERM)  # a clean stop: it writes its AOF and exits 0
        wait_for(lambda: proc_named(data, "redis").restarts == 1, 30, "redis restarted")
        after = proc_named(data, "redis")
        assert after.pid != before.pid and after.port == before.port
        client = redis.Redis(port=after.port)
        assert client.get("survives") == b"yes"
        client.close()
        assert "redis exited with code 0" in (data / "logs" / "launcher.log").read_text()
        assert all(state.alive(p.pid, p.started) for p in state.load(state.state_path(data)).procs)  # type: ignore[union-attr]
    finally:
        assert launcher("down", data_dir=data).returncode == 0
    assert not state.alive(after.pid, after.started)


def test_on_failure_gives_up_after_its_retries_and_stops_the_stack(tmp_path: Path, offset: int) -> None:
    compose = write_compose(tmp_path / "compose.yaml", offset, beta_env={"STANDIN_FAIL": "late"},
                            restart="on-failure:1")
    data = tmp_path / "data"
    result = launcher("-f", str(compose), "up", "--port-offset", str(offset), data_dir=data)
    assert result.returncode == 1, result.stdout
    assert "beta exited with code 4 after" in result.stdout and "restart 1 in 0.1 s" in result.stdout
    assert "beta exited with code 4 (restart: on-failure:1, gave up after 1 restart(s))" in result.stdout
    assert result.stdout.count("dying late on purpose") >= 1  # the tail of its log
    assert not state.state_path(data).exists()
    for name in ("alpha-1", "alpha-2"):
        assert '"stopped"' in (data / "logs" / f"{name}.log").read_text()
