"""Admin API fixtures: the app in-process over ASGI (its lifespan run), with fixed test tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from ouro_admin.app import create_app
from ouro_admin.settings import AdminSettings
from tests.admin.factories import OPERATOR, VIEWER, auth


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(redis_url: str, data_dir: Path) -> AdminSettings:
    return AdminSettings(redis_url=redis_url, data_dir=data_dir, admin_token=OPERATOR, viewer_token=VIEWER,
                         auth_max_failures=5, auth_window_s=60, rollback_pause_timeout_s=2,
                         rollback_engine_settle_s=0.01, feed_block_ms=100, instance="admin-test")


@pytest.fixture
async def app(settings: AdminSettings, redis: Redis) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


def make_client(app: FastAPI, token: str | None = OPERATOR, ip: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://admin.test",
                             headers=auth(token) if token else {})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


@pytest.fixture
async def viewer(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app, VIEWER) as c:
        yield c
