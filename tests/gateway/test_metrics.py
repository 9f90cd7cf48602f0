"""Logins through both gateways are counted in the engine's `ouro_engine_logins_total{outcome}`, read
from the engine's `/metrics` text (the same registry its HTTP endpoint serves)."""

from __future__ import annotations

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from ouro_engine.gateway import Gateways
from tests.gateway.clients import TelnetClient, WsClient


def logins() -> dict[str, float]:
    """outcome -> count, parsed from the Prometheus text exposition."""
    text = generate_latest(REGISTRY).decode()
    return {s.labels["outcome"]: s.value for fam in text_string_to_metric_families(text)
            if fam.name == "ouro_engine_logins" for s in fam.samples if s.name == "ouro_engine_logins_total"}


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after if after.get(k, 0.0) != before.get(k, 0.0)}


async def test_gateway_logins_are_counted_by_outcome(gateways: Gateways) -> None:
    before = logins()
    ws = await WsClient.connect(gateways.web.port)
    ok = await ws.auth("register", "Counted", "secret12")  # register
    assert (await ws.auth("login", "Counted", "secret12"))["code"] == "already_authenticated"  # not an attempt
    await ws.close()
    bad = await WsClient.connect(gateways.web.port)
    assert (await bad.auth("login", "Counted", "wrongpass"))["code"] == "auth_failed"  # refused
    assert (await bad.auth("register", "Counted", "secret12"))["code"] == "auth_failed"  # refused (taken)
    await bad.send({"type": "auth", "action": "resume", "token": ok["token"]})  # resume
    assert (await bad.expect("auth_ok"))["resumed"]
    await bad.close()
    tn = await TelnetClient.connect(gateways.telnet.port)
    await tn.expect("What name do you go by?")
    await tn.say("Counted", "Password:")
    await tn.say("secret12", "Welcome")  # login (the dialogue)
    await tn.say("quit", "Goodbye")
    await tn.wait_closed()
    tn = await TelnetClient.connect(gateways.telnet.port)
    await tn.say("register Telly secret12", "Welcome, Telly")  # register (one line)
    await tn.say("quit", "Goodbye")
    await tn.wait_closed()
    gone = await WsClient.connect(gateways.web.port)
    await gone.send({"type": "auth", "action": "resume", "token": ok["token"]})  # refused (logged out)
    assert (await gone.expect("error"))["code"] == "logged_out"
    await gone.close()
    assert delta(before, logins()) == {"register": 2, "login": 1, "resume": 1, "refused": 3}
