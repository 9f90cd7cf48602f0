"""The JSON WebSocket with a real `websockets` client: auth (register / login / resume), commands with
ids, room and status messages, errors with codes, the abuse close, takeover across transports, HTTP."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest
from redis.asyncio import Redis
from websockets.exceptions import ConnectionClosed

from ouro_engine.engine import Engine
from ouro_engine.gateway import Gateways, GatewaySettings, open_gateways
from ouro_schemas.protocol import RESUME_KEY, RESUME_OF_KEY
from tests.gateway.clients import TelnetClient, WsClient
from tests.utils import wait_for


async def joined(port: int, name: str, action: str = "register") -> WsClient:
    c = await WsClient.connect(port)
    ok = await c.auth(action, name, "secret12")
    assert ok["type"] == "auth_ok", ok
    return c


async def test_register_login_wrong_password_duplicate(gateways: Gateways) -> None:
    port = gateways.web.port
    c = await WsClient.connect(port)
    ok = await c.auth("register", "Case", "secret12")
    assert ok["type"] == "auth_ok" and ok["name"] == "Case" and ok["player_id"] == "player:case" and ok["token"]
    room = await c.expect("room")
    assert room["id"] == "spawn" and room["exits"] == {"n": "market", "e": "alley"} and room["area"] == "Downtown"
    status = await c.expect("status")
    assert status["name"] == "Case" and status["hp"] > 0 and status["credits"] >= 0
    await c.close()

    c = await WsClient.connect(port)
    bad = await c.auth("login", "Case", "wrongpass")
    assert bad["type"] == "error" and bad["code"] == "auth_failed" and "Wrong name or password" in bad["message"]
    dup = await c.auth("register", "case", "other123")
    assert dup["code"] == "auth_failed" and "taken" in dup["message"]
    invalid = await c.auth("register", "x!", "other123")
    assert invalid["code"] == "auth_failed" and "Names are" in invalid["message"]
    ok = await c.auth("login", "case", "secret12")
    assert ok["type"] == "auth_ok"
    again = await c.auth("login", "case", "secret12")
    assert again["code"] == "already_authenticated"
    await c.close()


async def test_commands_room_on_move_and_say_between_transports(gateways: Gateways) -> None:
    ws = await joined(gateways.web.port, "Molly")
    tn = await TelnetClient.connect(gateways.telnet.port)
    await tn.say("register Riviera secret12", "Welcome, Riviera")
    await ws.text_until("Riviera appears")
    out = await ws.command("look", "Exits:")
    assert "Spawn [Downtown]" in out and "Riviera" in out
    await ws.command("say wake up", "You say")
    await tn.expect('Molly says, "wake up"')
    await tn.say("say \x1b[2Jno escapes", "You say")
    heard = await ws.text_until("no escapes")
    assert "\x1b" not in heard
    await ws.command("n", "Market")
    room = next(m for m in ws.seen if m["type"] == "room" and m["id"] == "market")
    assert room["exits"] == {"s": "spawn", "e": "bar"} and (room["x"], room["y"]) == (0, 1)
    await tn.expect("Molly leaves north")
    await ws.close()
    await tn.close()


async def test_text_is_styled_spans(gateways: Gateways) -> None:
    ws = await joined(gateways.web.port, "Armit")
    await ws.send({"type": "command", "line": "look", "id": 7})
    msg = await ws.expect("text", lambda m: m.get("id") == 7)
    spans = msg["spans"]
    assert any(s.get("fg") == "cyan" and s.get("bold") and "Spawn" in s["text"] for s in spans)
    assert any(s.get("fg") == "green" and s["text"].startswith("Exits:") for s in spans)
    await ws.close()


async def test_bad_frames_get_errors_not_a_drop(gateways: Gateways) -> None:
    ws = await WsClient.connect(gateways.web.port)
    cases = [("{nope", "bad_json"), (json.dumps({"type": "dance"}), "bad_message"),
             (json.dumps({"type": "command"}), "bad_message"), ("x" * 9000, "too_large"),
             ("[" * 50 + "]" * 50, "too_deep"), (json.dumps({"type": "command", "line": "look"}), "not_authenticated"),
             (b"\xff\xfe\x00binary", "bad_json")]
    for frame, code in cases:
        await ws.send(frame)
        err = await ws.expect("error")
        assert err["code"] == code, (frame[:40], err)
    ok = await ws.auth("register", "Wintermute", "secret12")
    assert ok["type"] == "auth_ok"
    await ws.send({"type": "command", "line": "x" * 600, "id": 3})
    assert (await ws.expect("error"))["code"] == "too_large"
    assert "Exits:" in await ws.command("look", "Exits:")
    await ws.send({"type": "ping", "id": 9})
    assert (await ws.expect("pong"))["id"] == 9
    await ws.close()


async def test_too_many_errors_close_with_policy_code(engine: Engine, gw_settings: GatewaySettings) -> None:
    gws = await open_gateways(engine.hub, gw_settings.model_copy(update={"errors_per_min": 5}))
    try:
        ws = await WsClient.connect(gws.web.port)
        with pytest.raises(ConnectionClosed) as info:
            for _ in range(50):
                with contextlib.suppress(ConnectionClosed):
                    await ws.send("garbage")
            await ws.expect("never")
        assert info.value.rcvd is not None and info.value.rcvd.code == 1008
        assert any(m["type"] == "bye" and m["code"] == "abuse" for m in ws.seen)
    finally:
        await gws.close()


async def test_rate_limit_per_connection(engine: Engine, gw_settings: GatewaySettings) -> None:
    gws = await open_gateways(engine.hub, gw_settings.model_copy(update={"commands_per_s": 0.001,
                                                                         "commands_burst": 2}))
    try:
        ws = await joined(gws.web.port, "Maelcum")
        replies = [await ws.command("look", "") for _ in range(3)]
        assert replies[2].startswith("ERROR:rate_limited")
        await ws.close()
    finally:
        await gws.close()


async def test_resume_token_and_takeover_across_transports(gateways: Gateways, engine: Engine) -> None:
    first = await WsClient.connect(gateways.web.port)
    ok = await first.auth("register", "Dixie", "secret12")
    await first.command("n", "Market")
    # Takeover by telnet: the WebSocket is told and closed with 4001.
    tn = await TelnetClient.connect(gateways.telnet.port)
    await tn.say("login Dixie secret12", "Your other connection was closed")
    bye = await first.expect("bye")
    assert bye["code"] == "taken_over"
    with pytest.raises(ConnectionClosed) as info:
        await first.expect("never")
    assert info.value.rcvd is not None and info.value.rcvd.code == 4001
    await tn.say("look", "Market")
    # Resume over WebSocket with the token: same character, same room; telnet is taken over in turn.
    again = await WsClient.connect(gateways.web.port)
    await again.send({"type": "auth", "action": "resume", "token": ok["token"]})
    resumed = await again.expect("auth_ok")
    assert resumed["resumed"] and resumed["player_id"] == "player:dixie"
    assert (await again.expect("room"))["id"] == "market"
    await tn.expect("someone logged in as you")
    await tn.wait_closed()
    bad = await WsClient.connect(gateways.web.port)
    await bad.send({"type": "auth", "action": "resume", "token": "nope"})
    assert (await bad.expect("error"))["code"] == "auth_failed"
    await again.close()
    await bad.close()
    await wait_for(lambda: _none_online(engine), what="everyone detached")


async def _none_online(engine: Engine) -> bool:
    return not engine.hub.sessions


async def test_idle_timeout_closes_the_websocket(engine: Engine, gw_settings: GatewaySettings) -> None:
    gws = await open_gateways(engine.hub, gw_settings.model_copy(update={"idle_timeout_s": 0.4, "idle_grace_s": 0.4}))
    try:
        ws = await joined(gws.web.port, "Lupus")
        warn = await ws.expect("error", lambda m: m["code"] == "idle")
        assert "idle" in warn["message"]
        bye = await ws.expect("bye")
        assert bye["code"] == "idle"
        await wait_for(lambda: _none_online(engine), what="idle session detached")
    finally:
        await gws.close()


async def test_http_routes(gateways: Gateways) -> None:
    base = f"http://127.0.0.1:{gateways.web.port}"
    async with httpx.AsyncClient() as client:
        r = await client.get(base + "/")
        assert r.status_code == 302 and r.headers["location"] == "/play"
        r = await client.get(base + "/play")
        assert r.status_code == 200 and "play.js" in r.text and "text/html" in r.headers["content-type"]
        r = await client.get(base + "/static/play.js")
        assert r.status_code == 200 and "WebSocket" in r.text
        assert (await client.get(base + "/nope")).status_code == 404
        assert (await client.get(base + "/healthz")).text == "ok\n"


async def test_connections_per_ip_limit(engine: Engine, gw_settings: GatewaySettings) -> None:
    gws = await open_gateways(engine.hub, gw_settings.model_copy(update={"conns_per_ip_per_s": 0.001,
                                                                         "conns_per_ip_burst": 2}))
    try:
        base = f"http://127.0.0.1:{gws.web.port}"
        async with httpx.AsyncClient() as client:
            codes = [(await client.get(base + "/healthz")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        tn = [await TelnetClient.connect(gws.telnet.port) for _ in range(3)]
        await tn[2].expect("Too many connections")
        for c in tn:
            await c.close()
    finally:
        await gws.close()


async def resume(port: int, token: str) -> tuple[WsClient, dict[str, object]]:
    c = await WsClient.connect(port)
    await c.send({"type": "auth", "action": "resume", "token": token})
    return c, await c.expect_any(("auth_ok", "error"))


async def test_quit_revokes_resume_tokens(gateways: Gateways, engine: Engine, redis: Redis) -> None:
    port = gateways.web.port
    first = await joined(port, "Flatline")
    old = (next(m for m in first.seen if m["type"] == "auth_ok"))["token"]
    await first.close()
    c = await WsClient.connect(port)
    ok = await c.auth("login", "Flatline", "secret12")
    assert ok["type"] == "auth_ok" and ok["token"] != old
    await c.send({"type": "command", "line": "quit", "id": 5})
    bye_text = await c.expect("text", lambda m: m.get("id") == 5)
    assert bye_text["spans"][0]["text"] == "Goodbye."
    bye = await c.expect("bye")
    assert bye["code"] == "logged_out"
    with pytest.raises(ConnectionClosed) as info:
        await c.expect("never")
    assert info.value.rcvd is not None and info.value.rcvd.code == 4003
    await wait_for(lambda: _none_online(engine), what="the character logged out")
    # Both the token of the connection that quit and the older one are void, with a clear reason.
    for token in (ok["token"], old):
        again, err = await resume(port, token)
        assert err["type"] == "error" and err["code"] == "logged_out", err
        assert "logged out" in str(err["message"])
        assert await redis.ttl(RESUME_KEY + str(token)) > 0, "the tombstone keeps the token's expiry"
        await again.close()
    assert not await redis.exists(RESUME_OF_KEY + "player:flatline")
    # The password still works, and its new token resumes.
    c = await WsClient.connect(port)
    fresh = await c.auth("login", "Flatline", "secret12")
    await c.close()
    again, back = await resume(port, str(fresh["token"]))
    assert back["type"] == "auth_ok" and back["resumed"]
    await again.close()


async def test_telnet_quit_revokes_the_characters_web_tokens(gateways: Gateways, engine: Engine) -> None:
    ws = await joined(gateways.web.port, "Finn")
    token = str(next(m for m in ws.seen if m["type"] == "auth_ok")["token"])
    await ws.close()  # a dropped connection, not a logout: the token still resumes
    again, ok = await resume(gateways.web.port, token)
    assert ok["type"] == "auth_ok"
    await again.close()
    await wait_for(lambda: _none_online(engine), what="web session gone")
    tn = await TelnetClient.connect(gateways.telnet.port)
    await tn.say("login Finn secret12", "Welcome")
    await tn.say("quit", "Goodbye")
    await tn.wait_closed()
    again, err = await resume(gateways.web.port, token)
    assert err["type"] == "error" and err["code"] == "logged_out"
    await again.close()
