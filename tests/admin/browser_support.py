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
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import redis as sync_redis

from ouro_schemas import names
from ouro_schemas.messages import AdminCommand, LogEntry, LogKind
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


class PublisherStandIn(threading.Thread):
    """Plays the publisher's part for admin commands: approve -> published (record, queue, log)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.redis = sync_redis.Redis.from_url(url)
        self.stop = threading.Event()
        self.seen: list[AdminCommand] = []

    def run(self) -> None:
        last = "$"
        while not self.stop.is_set():
            reply: Any = self.redis.xread({names.ADMIN_COMMANDS: last}, block=100)
            for _, rows in reply or []:
                for eid, fields in rows:
                    last = eid
                    cmd = msgspec.json.decode(fields[b"d"], type=AdminCommand)
                    self.seen.append(cmd)
                    self.handle(cmd)

    def handle(self, cmd: AdminCommand) -> None:
        key = names.PROPOSAL + cmd.proposal_id
        rec = json.loads(self.redis.get(key) or b"{}")
        new = {"approve": "published", "reject": "rejected", "undo": "undone"}.get(cmd.action.value)
        if not rec or new is None:
            return
        rec["state"] = new
        self.redis.set(key, json.dumps(rec))
        self.redis.zrem(names.APPROVAL_QUEUE, cmd.proposal_id)
        entry = LogEntry(at=time.time(), service="publisher", instance="stand-in", kind=LogKind.STATE,
                         message=f"{cmd.proposal_id} {new} ({cmd.action.value} by {cmd.by})",
                         proposal_id=cmd.proposal_id, data={"state": new})
        self.redis.xadd(names.LOG_PROPOSALS, {b"d": msgspec.json.encode(entry)})

    def close(self) -> None:
        self.stop.set()
        self.join(timeout=5)
        self.redis.close()


def director_env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "OURO_HTTP_PORT": "0", "OURO_HOT_RELOAD": "false", "OURO_QM_CHECK_INTERVAL_S": "0.5"}


def director_mode(r: sync_redis.Redis) -> str | None:
    raw = r.get(names.DIRECTOR_STATE)
    return json.loads(raw).get("mode") if raw else None


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)
