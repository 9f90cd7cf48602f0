"""Gateway fixtures: the engine's tiny test world in a real Engine over real Redis, and both gateways
listening on free ports in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from ouro_engine.engine import Engine
from ouro_engine.gateway import Gateways, GatewaySettings, open_gateways
from ouro_engine.settings import EngineSettings
from tests.engine.world_fixture import write_base


@pytest.fixture
def engine_settings(tmp_path: Path) -> EngineSettings:
    base = write_base(tmp_path / "data" / "base")
    return EngineSettings(base_dir=base, data_dir=tmp_path / "data", seed=7, telnet_port=0, http_port=0,
                          telnet_host="127.0.0.1", argon2_time_cost=1, argon2_memory_kib=8192)


@pytest.fixture
def gw_settings() -> GatewaySettings:
    return GatewaySettings(telnet_host="127.0.0.1", telnet_port=0, play_host="127.0.0.1", play_port=0,
                           conns_per_ip_per_s=1000, conns_per_ip_burst=1000, commands_per_s=100,
                           commands_burst=100)


@pytest.fixture
async def engine(redis: Redis, engine_settings: EngineSettings) -> Engine:
    eng = Engine(engine_settings, redis)
    await eng.start()
    return eng


@pytest.fixture
async def gateways(engine: Engine, gw_settings: GatewaySettings) -> AsyncIterator[Gateways]:
    gws = await open_gateways(engine.hub, gw_settings)
    yield gws
    await gws.close()
