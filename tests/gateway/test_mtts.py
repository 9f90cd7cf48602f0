"""TTYPE with MTTS cycling over a raw telnet socket: the server asks until a reply repeats (or 4 times),
keeps client name, terminal type and MTTS flags, picks colour / charset / wrap defaults from them, shows
them in `client`, and counts clients on /metrics."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from ouro_engine.gateway import Gateways
from tests.gateway.clients import IAC, SB, SE, TTYPE, TelnetClient
from tests.utils import wait_for


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def joined(port: int, name: str, ttypes: list[str], sends: int, **kw: object) -> TelnetClient:
    c = await TelnetClient.connect(port, ttypes=ttypes, **kw)  # type: ignore[arg-type]
    await c.expect("What name do you go by?")

    async def asked() -> bool:
        return c.ttype_sends >= sends

    await wait_for(asked, what=f"{sends} TTYPE SEND requests")
    await c.say(f"register {name} secret12", f"Welcome, {name}")
    return c


async def test_mudlet_cycle_name_terminal_mtts_then_stop(gateways: Gateways) -> None:
    mudlets = sample("ouro_engine_telnet_clients_total", client="mudlet")
    truecolour = sample("ouro_engine_telnet_mtts_flags_total", flag="truecolour")
    c = await joined(gateways.telnet.port, "Mudder", ["MUDLET", "ANSI-TRUECOLOR", "MTTS 2831"], 4)
    report = await c.say("client", "MCCP2")
    assert "Client: MUDLET" in report and "Terminal: ANSI-TRUECOLOR" in report
    assert "MTTS 2831: ANSI, VT100, UTF-8, 256 colours, truecolour, MNES, SSL" in report
    assert "Colour: on" in report and "Charset: UTF-8" in report and "Width: 100" in report
    # The 4th reply repeated the 3rd: the cycle is over, no 5th request (the report came after it).
    assert c.ttype_sends == 4
    await c.say("look", "Exits:")
    assert "\x1b[32mExits:" in c.text
    # An IS nobody asked for changes nothing.
    c.writer.write(bytes((IAC, SB, TTYPE, 0)) + b"MTTS 0" + bytes((IAC, SE)))
    assert "MTTS 2831" in await c.say("client", "MCCP2")
    assert sample("ouro_engine_telnet_clients_total", client="mudlet") == mudlets + 1
    assert sample("ouro_engine_telnet_mtts_flags_total", flag="truecolour") == truecolour + 1
    await c.close()


async def test_no_ansi_no_utf8_client_gets_plain_ascii_until_it_asks_for_colour(gateways: Gateways) -> None:
    c = await joined(gateways.telnet.port, "Plain", ["OLDCLIENT", "VT100", "MTTS 2"], 4)
    start = len(c.raw)
    await c.say("look", "Exits:")
    await c.say("say café crème", "You say")
    out = bytes(c.raw[start:])
    assert b"\x1b" not in out, "MTTS without the ANSI bit: colour off by default"
    assert all(b < 128 for b in out), "MTTS without the UTF-8 bit: ASCII only"
    assert "caf? cr?me" in c.text
    report = await c.say("client", "MCCP2")
    assert "MTTS 2: VT100" in report and "Colour: off" in report and "Charset: ASCII" in report
    await c.say("color on", "Colour is on")
    await c.say("look", "Exits:")
    assert "\x1b[32mExits:" in c.text[-300:]
    assert "Colour: on (your choice)" in await c.say("client", "MCCP2")
    await c.close()


async def test_screen_reader_gets_no_colour_and_no_wrap(gateways: Gateways) -> None:
    c = await joined(gateways.telnet.port, "Reader", ["MUDLET", "ANSI", "MTTS 69"], 4, width=30)
    start = len(c.text)
    await c.say("say " + "word " * 20, "You say")
    await c.say("look", "Exits:")
    out = c.text[start:]
    assert "\x1b[" not in out
    assert any(len(line) > 60 for line in out.split("\r\n")), "a screen reader's lines are not wrapped"
    assert "screen reader" in await c.say("client", "MCCP2")
    await c.close()


@pytest.mark.parametrize(("ttypes", "cycle", "sends", "client", "terminal", "colour"), [
    (["xterm"], False, 2, "xterm", "xterm", "on"),  # one type, repeated at once
    (["DUMB"], False, 2, "DUMB", "DUMB", "off"),  # a dumb terminal: no colour
    (["ACLIENT", "XTERM"], True, 3, "ACLIENT", "XTERM", "on"),  # RFC 1091: starts over -> stop
    ([f"T{i}" for i in range(10)], False, 4, "T0", "T1", "on"),  # never repeats: 4 requests at most
])
async def test_cycle_ends_on_repeat_restart_or_limit(gateways: Gateways, ttypes: list[str], cycle: bool, sends: int,
                                                     client: str, terminal: str, colour: str) -> None:
    c = await joined(gateways.telnet.port, "Cycler", ttypes, sends, cycle=cycle)
    report = await c.say("client", "MCCP2")
    assert c.ttype_sends == sends
    assert f"Client: {client}   Terminal: {terminal}" in report and "MTTS: not sent" in report
    assert f"Colour: {colour}" in report
    await c.close()
