"""Hostile input on both transports while a witness keeps playing: random bytes, invalid UTF-8, 1 MB
lines, telnet IAC garbage, JSON bombs (deep nesting, huge arrays, oversized frames). The server keeps
serving the witness and loses no state."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random

from websockets.exceptions import ConnectionClosed

from ouro_engine import components as k
from ouro_engine.engine import Engine
from ouro_engine.gateway import Gateways
from tests.gateway.clients import GMCP, IAC, SB, SE, TelnetClient, WsClient

IAC_BITS = [bytes((IAC,)), bytes((IAC, 251)), bytes((IAC, 253)), bytes((IAC, SB)), bytes((IAC, SE)),
            bytes((IAC, SB, GMCP)), bytes((IAC, SB, 31, 0)), bytes((IAC, IAC)), b"\r", b"\n", b"\x00", b"\x1b[",
            bytes((IAC, 250, 24, 0)), bytes((IAC, 244)), bytes((IAC, 246))]


async def telnet_attack(port: int, payload: bytes) -> None:
    c = await TelnetClient.connect(port)
    try:
        for i in range(0, len(payload), 65536):
            c.writer.write(payload[i:i + 65536])
            with contextlib.suppress(ConnectionError):
                await c.writer.drain()
        c.writer.write(b"\r\nlook\r\n")
        await asyncio.sleep(0.05)
    finally:
        await c.close()


async def ws_attack(port: int, frames: list[str | bytes]) -> None:
    c = await WsClient.connect(port)
    try:
        for frame in frames:
            await c.send(frame)
        await c.send({"type": "ping", "id": 1})
        await c.expect("pong", timeout=20)
    except ConnectionClosed:
        pass  # a frame beyond the hard limit closes with 1009: allowed for abuse
    finally:
        await c.close()


async def test_fuzz_keeps_serving_and_loses_no_state(gateways: Gateways, engine: Engine) -> None:
    rng = random.Random(4)
    witness = await WsClient.connect(gateways.web.port)
    assert (await witness.auth("register", "Witness", "secret12"))["type"] == "auth_ok"
    await witness.command("n", "Market")
    game = engine.core.game
    wallet_before = game.world.comp("player:witness", k.Wallet).credits
    tn_port, ws_port = gateways.telnet.port, gateways.web.port

    telnet_payloads = [
        rng.randbytes(200_000),
        b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc register Bad\xc3 secret12\r\n" * 50,
        b"A" * 1_048_576 + b"\r\n",  # a 1 MB line
        b"B" * 1_048_576,  # ... and one that never ends
        b"".join(rng.choice(IAC_BITS) + rng.randbytes(rng.randint(0, 8)) for _ in range(20_000)),
        bytes((IAC, SB, GMCP)) + b"x" * 500_000,  # a subnegotiation that never ends
    ]
    deep = "[" * 100_000 + "]" * 100_000
    ws_frames: list[str | bytes] = [
        deep, '{"type":"command","line":"look","id":' + deep + "}",
        json.dumps({"type": "command", "line": "look", "id": list(range(100_000))}),
        json.dumps({"type": "auth", "action": "login", "name": "x" * 10_000, "password": "y"}),
        "x" * 1_000_000, rng.randbytes(100_000), b"\xc3\x28" * 1000, "{" * 5000,
        json.dumps({"type": "command", "line": "\x00\x1b[31m" * 100}),
        json.dumps([{"type": "command"}] * 50_000)[:8000],
    ]
    attacks = [telnet_attack(tn_port, p) for p in telnet_payloads] + [ws_attack(ws_port, ws_frames)]
    attacks.append(ws_attack(ws_port, ["y" * 3_000_000]))  # over the hard limit: closed, 1009
    tasks = [asyncio.create_task(a) for a in attacks]
    # The witness keeps playing while the attacks run.
    for _ in range(10):
        assert "Exits:" in await witness.command("look", "Exits:", timeout=20)
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    assert "Market" in await witness.command("look", "Exits:")
    assert game.room_of("player:witness").id == "market"
    assert game.world.comp("player:witness", k.Wallet).credits == wallet_before
    assert list(engine.hub.sessions) == ["player:witness"]
    # Accounts are intact: the witness logs in again elsewhere; no garbage account was created.
    again = await WsClient.connect(ws_port)
    assert (await again.auth("login", "Witness", "secret12"))["type"] == "auth_ok"
    assert await engine.redis.keys("ouro:account:*") == [b"ouro:account:witness"]
    await again.close()
    await witness.close()
