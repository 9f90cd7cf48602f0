"""`python -m tests.gateway.shim_engine`: the engine's own entry point with its plain line server swapped
for the gateways — exactly the wiring docs/gateway.md asks for — so the process test can run before the
lead wires `start_gateways` into `ouro_engine.__main__`."""

from __future__ import annotations

from typing import Any

import ouro_engine.__main__ as engine_main
from ouro_engine.gateway import Gateways, gateway_settings, open_gateways
from ouro_engine.settings import EngineSettings


class GatewayShim:
    """Stands in for `LineServer(hub, host, port, max_line, lines_per_s, lines_burst)`."""

    def __init__(self, hub: Any, host: str, port: int, *_: Any) -> None:
        self.hub = hub
        self.settings = EngineSettings().model_copy(update={"telnet_host": host, "telnet_port": port})
        self.gateways: Gateways | None = None

    async def start(self) -> int:
        self.gateways = await open_gateways(self.hub, gateway_settings(self.settings))
        return self.gateways.telnet.port

    async def close(self) -> None:
        if self.gateways is not None:
            await self.gateways.close()


engine_main.LineServer = GatewayShim  # type: ignore[attr-defined,misc]

if __name__ == "__main__":
    engine_main.main()
