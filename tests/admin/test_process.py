"""The real process: `python -m ouro_admin` generates and prints its tokens once, serves the live
feed over the network (following, resumable), and exits 0 promptly on SIGTERM with a feed open."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import msgspec
import pytest
import redis as sync_redis

from ouro_schemas import names
from ouro_schemas.messages import LogEntry, LogKind
from tests.admin.browser_support import free_port
from tests.utils import wait_sync

pytestmark = pytest.mark.slow


def start(env: dict[str, str], out: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**env, "OURO_HTTP_PORT": str(port), "OURO_FEED_BLOCK_MS": "200"}
    env.pop("OURO_ADMIN_TOKEN", None)
    env.pop("OURO_VIEWER_TOKEN", None)
    with out.open("ab") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "ouro_admin"], env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, out.read_text()[-3000:]
        try:
            return httpx.get(url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
    wait_sync(up, timeout=30, interval=0.1, what="admin-api up")
    return proc, url


def stop(proc: subprocess.Popen[bytes]) -> tuple[int, float]:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    return rc, time.monotonic() - started


def log_line(r: sync_redis.Redis, message: str) -> None:
    entry = LogEntry(at=time.time(), service="engine", instance="e1", kind=LogKind.INFO, message=message)
    r.xadd(names.LOG_ENGINE, {b"d": msgspec.json.encode(entry)})


def read_events(resp: httpx.Response, want: int) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in resp.iter_lines():
        if not line:
            if current.get("event") == "log":
                events.append(current)
                if len(events) >= want:
                    return events
            current = {}
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        current[field] = value.strip()
    return events


def test_tokens_feed_and_sigterm(service_env: dict[str, str], redis_url: str, tmp_path: Path) -> None:
    out = tmp_path / "admin.out"
    data = Path(service_env["OURO_DATA_DIR"])
    r = sync_redis.Redis.from_url(redis_url)
    proc, url = start(service_env, out)
    try:
        token = (data / "secrets" / "admin_token").read_text().strip()
        assert stat.S_IMODE((data / "secrets" / "admin_token").stat().st_mode) == 0o600
        assert out.read_text().count(token) == 1  # printed once, on the start that generated it
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(url + "/api/director").status_code == 401
        assert httpx.get(url + "/api/director", headers=headers).json()["mode"] == "idle"
        html = httpx.get(url + "/admin/")
        assert html.status_code == 200 and "<canvas" in html.text and "default-src 'self'" in \
            html.headers["content-security-policy"]

        params = {"streams": names.LOG_ENGINE, "backlog": "0"}
        with httpx.stream("GET", url + "/api/feed", params=params, headers=headers, timeout=10) as resp:
            log_line(r, "first")
            log_line(r, "second")
            got = read_events(resp, 2)
        assert [json.loads(e["data"])["message"] for e in got] == ["first", "second"]
        log_line(r, "third")
        # Reconnect with the id of "first": "second" and "third" come again, nothing else.
        resume = {**headers, "Last-Event-ID": got[0]["id"]}
        with httpx.stream("GET", url + "/api/feed", params=params, headers=resume, timeout=10) as resp:
            again = read_events(resp, 2)
        assert [json.loads(e["data"])["message"] for e in again] == ["second", "third"]

        # SIGTERM with a feed open: the feed ends, the process exits 0, well before the grace timeout.
        with httpx.stream("GET", url + "/api/feed", params=params, headers=headers, timeout=10) as resp:
            next(resp.iter_lines())
            rc, took = stop(proc)
        assert rc == 0, out.read_text()[-3000:]
        assert took < 8, took
        assert "timeout graceful shutdown exceeded" not in out.read_text()
    finally:
        if proc.poll() is None:
            stop(proc)
        r.close()

    # A second start reads the stored tokens and prints nothing.
    proc, url = start(service_env, out)
    try:
        assert out.read_text().count(token) == 1
        assert httpx.get(url + "/api/whoami", headers=headers).json()["role"] == "operator"
    finally:
        stop(proc)


def test_bad_setting_exits_2(service_env: dict[str, str]) -> None:
    env = {**service_env, "OURO_ADMIN_TOKEN": "short"}
    done = subprocess.run([sys.executable, "-m", "ouro_admin"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"OURO_ADMIN_TOKEN" in done.stderr


def test_rollback_with_the_real_director(service_env: dict[str, str], redis_url: str, tmp_path: Path) -> None:
    """The real director pauses for the restore and is resumed after it; the world is the snapshot's."""
    from tests.admin.browser_support import admin_process, director_env, director_mode, process
    from tests.admin.factories import auth

    r = sync_redis.Redis.from_url(redis_url)
    r.set(names.WORLD_ROOM + "r_0_0", json.dumps({"id": "r_0_0", "name": "Plaza", "x": 0, "y": 0}))
    r.sadd(names.WORLD_ROOM_INDEX, "r_0_0")
    try:
        with admin_process(service_env) as url, httpx.Client(base_url=url, headers=auth(), timeout=10) as api, \
                process("ouro_director", director_env(service_env), tmp_path / "director.out"):
            def running() -> bool:
                if director_mode(r) == "running":
                    return True
                api.post("/api/control/go")
                return False
            wait_sync(running, timeout=40, interval=1.0, what="director running")
            job = api.post("/api/snapshots", json={"label": "before"}).json()
            snap = wait_sync(lambda: (j := api.get(f"/api/jobs/{job['id']}").json())["state"] == "done" and j,
                             what="snapshot")["result"]["snapshot"]["id"]
            r.set(names.WORLD_ROOM + "r_0_0", json.dumps({"id": "r_0_0", "name": "Burnt", "x": 0, "y": 0}))
            token = api.post(f"/api/snapshots/{snap}/rollback").json()["confirm_token"]
            job = api.post(f"/api/snapshots/{snap}/rollback/confirm", json={"confirm_token": token}).json()
            done = wait_sync(lambda: (j := api.get(f"/api/jobs/{job['id']}").json())["state"] != "running" and j,
                             timeout=30, what="rollback")
            assert done["state"] == "done", done
            assert done["result"]["director_was"] == "running" and done["result"]["director_paused"] is True
            wait_sync(lambda: director_mode(r) == "running", timeout=10, what="director resumed")
            assert json.loads(r.get(names.WORLD_ROOM + "r_0_0") or b"{}")["name"] == "Plaza"
            messages = [json.loads(f[b"d"])["message"] for _, f in r.xrange(names.LOG_DIRECTOR)]
            paused = next(i for i, m in enumerate(messages) if "paused by operator@" in m)
            assert any("resumed by operator@" in m for m in messages[paused:]), messages
    finally:
        r.close()
