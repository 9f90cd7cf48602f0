"""The gateways in a real `python -m ouro_engine` process: telnet + WebSocket players meet, GMCP on movement, their
logins are counted on the engine's HTTP /metrics, and after SIGKILL and a restart the WebSocket resume token brings
the character back in the same room."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from ouro_schemas import names
from tests.engine.test_process import EngineProcess, free_port
from tests.engine.test_process import engine_env as engine_env
from tests.gateway.clients import TelnetClient, WsClient
from tests.utils import wait_for

pytestmark = pytest.mark.slow


class GatewayProcess(EngineProcess):
    def start(self) -> None:
        with self.log.open("ab") as fh:
            self.proc = subprocess.Popen([sys.executable, "-m", "ouro_engine"], env=self.env, stdout=fh, stderr=fh)


@pytest.fixture
def gw_proc(engine_env: tuple[dict[str, str], int], tmp_path: Path) -> Iterator[tuple[EngineProcess, int, int, int]]:
    env, telnet_port = engine_env
    play_port, http_port = free_port(), free_port()
    env = {**env, "OURO_PLAY_PORT": str(play_port), "OURO_PLAY_HOST": "127.0.0.1", "OURO_HTTP_PORT": str(http_port)}
    proc = GatewayProcess(env, tmp_path / "engine.log")
    yield proc, telnet_port, play_port, http_port
    proc.terminate()


async def logins(http_port: int) -> dict[str, float]:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{http_port}/metrics")).text
    return {s.labels["outcome"]: s.value for fam in text_string_to_metric_families(text)
            if fam.name == "ouro_engine_logins" for s in fam.samples if s.name == "ouro_engine_logins_total"}


async def test_players_over_both_transports_and_resume_after_restart(
        gw_proc: tuple[EngineProcess, int, int, int], redis: Redis) -> None:
    proc, telnet_port, play_port, http_port = gw_proc
    proc.start()
    await proc.ready(telnet_port)
    await proc.ready(play_port)
    ws = await WsClient.connect(play_port)
    ok = await ws.auth("register", "Angie", "secret12")
    assert ok["type"] == "auth_ok"
    tn = await TelnetClient.connect(telnet_port)
    await tn.say("register Bobby secret12", "Welcome, Bobby")
    await tn.expect_gmcp("Room.Info")
    late = await TelnetClient.connect(telnet_port)
    await late.say("login Angie wrongpass", "Wrong name or password")
    await late.close()
    assert await logins(http_port) == {"register": 2, "refused": 1}, "WebSocket + telnet logins on /metrics"
    await ws.command("say hey Bobby", "You say")
    await tn.expect('Angie says, "hey Bobby"')
    await ws.command("n", "Market")
    tn.send("e")
    room = await tn.expect_gmcp("Room.Info", lambda d: d["id"] == "alley")
    assert room["exits"]["w"] == "spawn"
    await tn.close()
    await ws.close()

    async def flushed() -> bool:
        raw = await redis.get(names.WORLD_ENTITY + "player:angie")
        return raw is not None and json.loads(raw)["room_id"] == "market"

    await wait_for(flushed, what="Angie's move in redis")
    proc.kill()
    proc.start()
    await proc.ready(play_port)
    again = await WsClient.connect(play_port)
    await again.send({"type": "auth", "action": "resume", "token": ok["token"]})
    assert (await again.expect("auth_ok"))["player_id"] == "player:angie"
    assert await logins(http_port) == {"resume": 1}, "the restarted engine counts the resume"
    room = await again.expect("room")

    async def in_market() -> bool:
        return room["id"] == "market"

    await wait_for(in_market, timeout=1, what=f"the character back in the market, not {room}")
    await again.close()
