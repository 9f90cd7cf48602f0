"""The service shell as a real process: health, metrics, settings errors, graceful SIGTERM, STOP."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_runtime.bus import Bus
from ouro_runtime.redis_server import free_port
from ouro_schemas import names
from ouro_schemas.messages import ControlCommand, ControlMessage
from tests.runtime.echo_service import Echo
from tests.utils import wait_for, wait_sync

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except OSError:
        return 0, ""


class Proc:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        env = env | {"OURO_HTTP_PORT": str(self.port), "OURO_INSTANCE": "echo-1", "OURO_CLAIM_IDLE_MS": "500"}
        self.log = log
        with log.open("wb") as err:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.runtime.echo_service"], cwd=ROOT,
                                         env=env, stdout=subprocess.DEVNULL, stderr=err)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def healthy(self) -> bool:
        return http_get(self.url("/healthz"))[0] == 200

    def log_lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]


@pytest.fixture
def echo(service_env: dict[str, str], tmp_path: Path) -> Iterator[Proc]:
    proc = Proc(service_env, tmp_path / "echo.log")
    wait_sync(proc.healthy, timeout=30, what="echo service healthy")
    yield proc
    if proc.proc.poll() is None:
        proc.proc.kill()
    proc.proc.wait()


async def echoed(redis: Redis) -> list[str]:
    return [msgspec.json.decode(f[b"d"], type=Echo).id for _, f in await redis.xrange("test.echo")]


async def test_health_metrics_and_structured_logs(echo: Proc, redis: Redis) -> None:
    status, body = http_get(echo.url("/healthz"))
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["instance"] == "echo-1"
    await Bus(redis).publish("test.in", Echo(id="m1", n=1))
    await wait_for(lambda: echoed(redis), what="echo")

    def counted() -> bool:
        text = http_get(echo.url("/metrics"))[1]
        return bool(re.search(r'ouro_bus_messages_in_total\{group="echo",stream="test.in"\} 1\.0', text))

    wait_sync(counted, what="messages_in counter on /metrics")
    text = http_get(echo.url("/metrics"))[1]
    for metric in ("ouro_bus_handler_seconds_bucket", "ouro_bus_messages_out_total", "ouro_bus_pending",
                   "ouro_bus_lag_seconds", "ouro_bus_messages_dead_total"):
        assert metric in text or metric.replace("_total", "") in text, metric
    assert http_get(echo.url("/nope"))[0] == 404
    lines = echo.log_lines()
    ready = [line for line in lines if line["msg"] == "service ready"]
    assert ready and ready[0]["service"] == "echo" and ready[0]["instance"] == "echo-1"
    # The decision log went to the stream.
    assert await redis.xlen("log.workers") == 1


async def test_sigterm_finishes_the_message_in_flight(echo: Proc, redis: Redis) -> None:
    await Bus(redis).publish("test.in", Echo(id="slow", n=-1))
    await wait_for(lambda: redis.get("in_flight"), what="message in flight")
    echo.proc.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.2)  # let the signal land while the handler is still blocked (not synchronisation)
    await redis.set("release", 1)
    assert echo.proc.wait(timeout=20) == 0
    assert await echoed(redis) == ["slow"]
    assert (await redis.xpending("test.in", "echo"))["pending"] == 0
    stopped = [line for line in echo.log_lines() if line["msg"] == "service stopped"]
    assert stopped and stopped[0]["handled"] == 1 and stopped[0]["cancelled_in_flight"] == 0


async def test_stop_pauses_consuming_and_go_resumes(echo: Proc, redis: Redis) -> None:
    bus = Bus(redis)
    stop = ControlMessage(id="c1", command=ControlCommand.STOP, at=time.time())
    await bus.publish(names.CONTROL, stop)

    def paused() -> bool:
        consumers = json.loads(http_get(echo.url("/healthz"))[1])["consumers"]
        return consumers["test.in/echo"]["active"] is False

    wait_sync(paused, what="consumer paused by STOP")
    await bus.publish("test.in", Echo(id="held", n=1))
    await asyncio.sleep(0.5)  # observing that nothing happens for a while
    assert await echoed(redis) == []
    await bus.publish(names.CONTROL, ControlMessage(id="c2", command=ControlCommand.GO, at=time.time()))
    await wait_for(lambda: echoed(redis), what="message handled after GO")


def test_bad_setting_stops_startup_naming_the_variable(service_env: dict[str, str]) -> None:
    env = service_env | {"OURO_MAX_DELIVERIES": "zero", "REDIS_URL": "http://nope"}
    out = subprocess.run([sys.executable, "-m", "tests.runtime.echo_service"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "bad setting OURO_MAX_DELIVERIES:" in out.stderr
    assert "bad setting REDIS_URL:" in out.stderr


def test_placeholder_secret_refused_in_production(service_env: dict[str, str]) -> None:
    env = {k: v for k, v in service_env.items() if k != "OURO_HMAC_KEY"} | {"OURO_ENV": "production"}
    out = subprocess.run([sys.executable, "-m", "tests.runtime.echo_service"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "OURO_HMAC_KEY must be set to a real secret" in out.stderr
    assert os.environ.get("OURO_ENV") != "production"  # the test environment itself is unchanged
