"""engine_pause / engine_reload: stop applying, rebuild from Redis (a rollback), resume."""

from __future__ import annotations

import asyncio
import json

from redis.asyncio import Redis

from ouro_engine import components as k
from ouro_engine.engine import Engine
from ouro_engine.sessions import MemorySession
from ouro_engine.settings import EngineSettings
from ouro_schemas import messages as m
from ouro_schemas import names
from tests.engine.conftest import signed
from tests.engine.test_patches import good_ops


async def test_pause_then_reload_from_redis(redis: Redis, settings: EngineSettings) -> None:
    engine = Engine(settings, redis)
    await engine.start()
    session = MemorySession()
    engine.hub.attach(session, "player:ann", "Ann")
    await engine.flush()
    runner = asyncio.create_task(engine.run())
    try:
        engine.pause()
        await engine.hub.receive(session, "n")
        assert "paused" in session.lines[-1]
        assert engine.core.game.room_of("player:ann").id == "spawn"  # type: ignore[union-attr]
        pending = asyncio.create_task(engine.submit_patch(signed(settings, "p-1", good_ops())))
        assert not engine.core.game.world.exists("p-1:0")
        # a rollback rewrites the world keys while the engine is paused
        key = names.WORLD_ENTITY + "player:ann"
        data = json.loads(await redis.get(key))
        data["wallet"]["credits"] = 777
        await redis.set(key, json.dumps(data))
        await engine.reload_and_resume()
        assert engine.core.game.world.comp("player:ann", k.Wallet).credits == 777
        assert engine.core.game.world.has("player:ann", k.Online)  # the session survived the reload
        result = await asyncio.wait_for(pending, 10)
        assert result.status == m.PatchStatus.APPLIED and engine.core.game.world.exists("p-1:0")
        await engine.hub.receive(session, "n")
        assert "Market" in session.text()
    finally:
        engine.stop()
        await runner
