"""Telnet with a raw socket that negotiates options: the login dialogue with the password not echoed,
GMCP on login and on movement, colour toggle, NAWS wrap, takeover, limits, MCCP2."""

from __future__ import annotations

from ouro_engine.engine import Engine
from ouro_engine.gateway import Gateways, GatewaySettings, open_gateways
from tests.gateway.clients import DO, ECHO, GMCP, IAC, MSSP, NAWS, SB, SE, TTYPE, WILL, WONT, TelnetClient
from tests.utils import wait_for


async def register(port: int, name: str, password: str = "secret12", **kw: object) -> TelnetClient:
    c = await TelnetClient.connect(port, **kw)  # type: ignore[arg-type]
    await c.expect("What name do you go by?")
    await c.say(name, "Choose a password")
    await c.say(password, "Repeat it")
    await c.say(password, f"Welcome, {name}")
    return c


async def test_register_login_wrong_password_duplicate_and_echo(gateways: Gateways, engine: Engine) -> None:
    port = gateways.telnet.port
    c = await TelnetClient.connect(port)
    await c.expect("What name do you go by?")
    assert (WILL, GMCP) in c.cmds and (DO, NAWS) in c.cmds and (DO, TTYPE) in c.cmds
    await c.say("Neo", "Choose a password")
    assert (WILL, ECHO) in c.cmds, "the server must take over echo while the password is typed"
    c.cmds.clear()
    await c.say("secret12", "Repeat it")
    await c.say("secret12", "Welcome, Neo")
    assert c.cmds.count((WONT, ECHO)) >= 1 and "secret12" not in c.text
    room = await c.expect_gmcp("Room.Info")
    assert room["id"] == "spawn" and room["exits"] == {"n": "market", "e": "alley"}
    assert room["area"] == "Downtown" and room["coords"] == "0,0,0" and isinstance(room["num"], int)
    vitals = await c.expect_gmcp("Char.Vitals")
    assert vitals["hp"] > 0 and vitals["maxhp"] >= vitals["hp"]
    status = await c.expect_gmcp("Char.Status")
    assert status["name"] == "Neo" and "credits" in status
    await c.say("quit", "Goodbye")
    await c.wait_closed()
    await wait_for(lambda: _no_sessions(engine), what="detach")

    c = await TelnetClient.connect(port)
    await c.expect("What name do you go by?")
    await c.say("neo", "Password:")
    await c.say("wrongpass", "Wrong name or password")
    await c.say("register Neo other123", "That name is taken")
    await c.say("Neo", "Password:")
    await c.say("secret12", "Welcome, Neo")
    assert "\r\n" in c.text and "\n" not in c.text.replace("\r\n", "")
    await c.close()


async def _no_sessions(engine: Engine) -> bool:
    return not engine.hub.sessions


async def test_gmcp_room_info_on_movement_and_two_players_see_say(gateways: Gateways) -> None:
    port = gateways.telnet.port
    a = await register(port, "Ann")
    b = await register(port, "Bob")
    await a.expect("Bob appears")
    await a.expect_gmcp("Room.Info")
    a.send("n")
    room = await a.expect_gmcp("Room.Info", lambda d: d["id"] == "market")
    assert room["exits"] == {"s": "spawn", "e": "bar"} and room["y"] == 1
    await b.say("n", "Ann")
    await b.say("say hello \x1b[31mred\x07 world", "You say")
    heard = await a.expect("hello red world")
    assert "\x1b[31m" not in heard and "\x07" not in heard
    await a.say("'hi back", "You say")
    await b.expect('Ann says, "hi back"')
    await a.close()
    await b.close()


async def test_color_toggle_and_naws_wrap(gateways: Gateways) -> None:
    c = await register(gateways.telnet.port, "Trin", width=30)
    await c.say("look", "Exits:")
    assert "\x1b[32mExits:" in c.text
    await c.say("color off", "Colour is off")
    pos = len(c.text)
    await c.say("look", "Exits:")
    assert "Exits:" in c.text[pos:] and "\x1b[" not in c.text[pos:]
    pos = len(c.text)
    await c.say("say " + "word " * 20, "You say")
    await c.say("look", "Exits:")
    lines = c.text[pos:].split("\r\n")
    assert len(lines) > 4 and all(len(line) <= 30 for line in lines), lines
    await c.close()


async def test_takeover_tells_the_old_connection(gateways: Gateways, engine: Engine) -> None:
    port = gateways.telnet.port
    first = await register(port, "Morph")
    second = await TelnetClient.connect(port)
    await second.say("login Morph secret12", "Your other connection was closed")
    await first.expect("someone logged in as you")
    await first.wait_closed()
    assert engine.hub.sessions["player:morph"] is not None
    await second.say("look", "Exits:")
    await second.close()


async def test_limits_long_line_rate_and_sub_garbage(engine: Engine, gw_settings: GatewaySettings) -> None:
    s = gw_settings.model_copy(update={"commands_per_s": 0.001, "commands_burst": 3, "max_line": 64})
    gws = await open_gateways(engine.hub, s)
    try:
        c = await register(gws.telnet.port, "Tank")
        c.writer.write(b"x" * 200 + b"\r\n")
        await c.expect("Line too long")
        c.writer.write(b"look\r\nlook\r\nlook\r\nlook\r\n")
        await c.expect("Slow down")
        c.writer.write(bytes((IAC, SB, GMCP)) + b"A" * 20000 + bytes((IAC, SE)))  # dropped whole
        c.writer.write(bytes((IAC, SB, MSSP, IAC, 42, IAC, IAC, IAC, 250, IAC, SE)))
        assert not c.closed
        await c.close()
    finally:
        await gws.close()


async def test_idle_timeout_warns_then_closes(engine: Engine, gw_settings: GatewaySettings) -> None:
    s = gw_settings.model_copy(update={"idle_timeout_s": 0.5, "idle_grace_s": 0.5})
    gws = await open_gateways(engine.hub, s)
    try:
        c = await register(gws.telnet.port, "Dozer")
        await c.expect("idle a while")
        await c.expect("Idle too long")
        await c.wait_closed()
        await wait_for(lambda: _no_sessions(engine), what="idle session detached")
    finally:
        await gws.close()


async def test_mccp2_and_mssp(gateways: Gateways) -> None:
    c = await register(gateways.telnet.port, "Zip", mccp=True)
    assert c.decomp is not None
    await c.say("look", "Exits:")
    c.writer.write(bytes((IAC, DO, MSSP)))
    mssp = await wait_for(lambda: _sub(c, MSSP), what="MSSP")
    assert b"\x01NAME\x02Ourobouro" in mssp
    await c.close()


async def _sub(c: TelnetClient, opt: int) -> bytes | None:
    return next((p for o, p in c.subs if o == opt), None)
