"""The line server in-process: greeting, login dialogue, rate limit, quit."""

from __future__ import annotations

from redis.asyncio import Redis

from ouro_engine.engine import Engine
from ouro_engine.lineserver import LineServer, TokenBucket
from ouro_engine.settings import EngineSettings
from tests.engine.test_process import Client
from tests.utils import wait_for


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=0.001, burst=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


async def test_login_dialogue_rate_limit_and_quit(redis: Redis, settings: EngineSettings) -> None:
    s = settings.model_copy(update={"argon2_time_cost": 1, "argon2_memory_kib": 8192})
    engine = Engine(s, redis)
    await engine.start()
    server = LineServer(engine.hub, "127.0.0.1", 0, s.max_line, lines_per_s=0.001, lines_burst=4)
    port = await server.start()
    try:
        client = await Client.connect(port)
        await client.expect("register <name> <password>")
        await client.send("dance", "Type 'register <name> <password>'")
        await client.send("register Dee pw", "Passwords are 6-128")
        await client.send("register Dee secret12", "Welcome, Dee")
        client.writer.write(b"score\r\nscore\r\n")
        await client.expect("Slow down")
        await client.close()
        client = await Client.connect(port)
        await client.expect("login <name> <password>")
        await client.send("login Dee secret12", "Welcome, Dee")
        await client.send("quit", "Goodbye")
        await client.close()
        await wait_for(lambda: _offline(engine), what="the session to detach")
    finally:
        await server.close()


async def _offline(engine: Engine) -> bool:
    return not engine.hub.sessions
