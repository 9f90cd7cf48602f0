"""Player gateways: telnet (MUD clients, GMCP) and the web (play page + JSON WebSocket).

They run inside the engine process and call the `SessionHub` directly (see docs/gateway.md for the
measured reason). The lead wires `start_gateways(hub, settings)` into the engine's start-up in place of
the plain line server; it returns an async closer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ouro_engine.sessions import SessionHub

from .frontdoor import FrontDoor
from .settings import GatewaySettings
from .telnet import TelnetGateway
from .web import WebGateway

log = logging.getLogger(__name__)
__all__ = ["FrontDoor", "GatewaySettings", "Gateways", "TelnetGateway", "WebGateway", "start_gateways"]


class Gateways:
    def __init__(self, telnet: TelnetGateway, web: WebGateway) -> None:
        self.telnet, self.web = telnet, web

    @property
    def ports(self) -> dict[str, int]:
        return {"telnet_port": self.telnet.port, "play_port": self.web.port}

    async def close(self) -> None:
        await self.web.close()
        await self.telnet.close()


def gateway_settings(settings: Any) -> GatewaySettings:
    """The gateway's settings from the environment, with the engine's telnet host/port and line limit."""
    inherited = {name: getattr(settings, name) for name in ("telnet_host", "telnet_port", "max_line")
                 if hasattr(settings, name)}
    return GatewaySettings(**inherited)


async def open_gateways(hub: SessionHub, gw: GatewaySettings) -> Gateways:
    door = FrontDoor(hub, gw)
    telnet, web = TelnetGateway(door, gw), WebGateway(door, gw)
    await telnet.start()
    try:
        await web.start()
    except Exception:
        await telnet.close()
        raise
    log.info("player gateways listening", extra={"telnet_port": telnet.port, "play_port": web.port})
    return Gateways(telnet, web)


async def start_gateways(hub: SessionHub, settings: Any,
                         gw: GatewaySettings | None = None) -> Callable[[], Awaitable[None]]:
    """Start telnet and web; returns the async closer. `settings` is the EngineSettings (telnet host/port,
    max_line are taken from it); `gw` overrides everything (tests). Raises OSError if a port is taken."""
    gateways = await open_gateways(hub, gw or gateway_settings(settings))
    return gateways.close
