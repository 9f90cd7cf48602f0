"""Support for the browser tests: the real `python -m ouro_admin` process, headless Debian chromium
through Playwright (never a downloaded browser), and stand-ins for services that are not there yet."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import redis as sync_redis

from ouro_schemas import names
from tests.admin.factories import OPERATOR, VIEWER
from tests.utils import wait_sync

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def process(module: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", module], env=env, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def admin_process(env: dict[str, str]) -> Iterator[str]:
    """The admin API on a free port; yields its base URL once /healthz answers."""
    port = free_port()
    env = {**env, "OURO_HTTP_PORT": str(port), "OURO_ADMIN_TOKEN": OPERATOR, "OURO_VIEWER_TOKEN": VIEWER,
           "OURO_ROLLBACK_ENGINE_SETTLE_S": "0.05"}
    url = f"http://127.0.0.1:{port}"
    log = Path(env["OURO_DATA_DIR"]).parent / "admin.out"
    with process("ouro_admin", env, log) as proc:
        def up() -> bool:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                    return bool(r.status == 200)
            except OSError:
                return False
        wait_sync(up, timeout=30, interval=0.1, what="admin-api /healthz")
        yield url




def director_env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "OURO_HTTP_PORT": "0", "OURO_HOT_RELOAD": "false", "OURO_QM_CHECK_INTERVAL_S": "0.5"}


def director_mode(r: sync_redis.Redis) -> str | None:
    raw = r.get(names.DIRECTOR_STATE)
    return json.loads(raw).get("mode") if raw else None


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)
