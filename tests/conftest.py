"""Fixtures for the whole suite: a real redis-server (never a fake), clients, and a wait helper."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from ouro_runtime.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """A clean database on the shared server; tests that restart Redis use their own server."""
    import redis as sync_redis

    if not redis_server.running:
        redis_server.start()
    client = sync_redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    yield redis_server.url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, socket_timeout=15)
    yield client
    await client.aclose()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A private server for tests that kill or restart Redis."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def service_env(redis_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for starting a service process against the test Redis."""
    env = dict(os.environ)
    env.update({"REDIS_URL": redis_url, "OURO_DATA_DIR": str(tmp_path / "data"), "OURO_HTTP_PORT": "0",
                "OURO_TELNET_PORT": "0", "OURO_PLAY_PORT": "0", "OURO_LOG_LEVEL": "INFO"})
    return env
