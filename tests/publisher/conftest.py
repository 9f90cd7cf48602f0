"""Publisher fixtures: an in-process publisher on the test Redis, a seeded world, a data dir."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_publisher.__main__ import start
from ouro_publisher.app import Publisher
from ouro_publisher.settings import PublisherSettings
from ouro_publisher.types import WorldView
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.guardrails import Guardrails
from ouro_schemas.messages import Patch
from tests.publisher import factories


async def seed_world(redis: Redis, view: WorldView) -> None:
    """Write a WorldView as the engine's world keys (docs/contracts.md formats)."""
    pipe = redis.pipeline(transaction=False)
    for rid, room in view.rooms.items():
        pipe.set(names.WORLD_ROOM + rid, json.dumps(room))
        pipe.sadd(names.WORLD_ROOM_INDEX, rid)
    if view.coords:
        pipe.hset(names.WORLD_COORD, mapping=view.coords)
    for tid, entry in view.templates.items():
        pipe.set(names.WORLD_TEMPLATE + tid, json.dumps(entry))
        pipe.sadd(names.WORLD_TEMPLATE_INDEX, tid)
    for eid, ent in view.entities.items():
        pipe.set(names.WORLD_ENTITY + eid, json.dumps(ent))
    if view.players:
        pipe.sadd(names.WORLD_PLAYERS_ONLINE, *view.players)
    for did, d in view.districts.items():
        pipe.hset(names.WORLD_DISTRICTS, did, json.dumps(d))
    for qid, q in view.questmakers.items():
        pipe.set(names.WORLD_QUESTMAKER + qid, json.dumps(q))
    pipe.set(names.WORLD_SUMMARY, json.dumps({"economy": view.economy}))
    await pipe.execute()


def write_guardrails(data_dir: Path, g: Guardrails) -> Path:
    path = data_dir / "guardrails.json"
    path.write_text(g.model_dump_json(indent=2))
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    write_guardrails(d, factories.guardrails())
    return d


PublisherFactory = Callable[..., Coroutine[Any, Any, Publisher]]


@pytest.fixture
async def make_publisher(redis: Redis, redis_url: str, data_dir: Path,
                         monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[PublisherFactory]:
    """Start publishers (setup only, consumers driven by the test with run_burst)."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    made: list[Service] = []

    async def make(instance: str = "pub-test", **env: str) -> Publisher:
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        settings = PublisherSettings(data_dir=data_dir, instance=instance, claim_idle_ms=200)
        svc = Service(names.SERVICE_PUBLISHER, settings, redis=redis)
        pub = await start(svc)
        made.append(svc)
        return pub

    yield make


@pytest.fixture
async def world(redis: Redis) -> WorldView:
    view = factories.world()
    await seed_world(redis, view)
    return view


@pytest.fixture
async def publisher(make_publisher: PublisherFactory, world: WorldView) -> Publisher:
    return await make_publisher()


async def patches_on_stream(redis: Redis) -> list[Patch]:
    rows = await redis.xrange(names.WORLD_PATCHES)
    return [msgspec.json.decode(fields[b"d"], type=Patch) for _, fields in rows]


async def drain(pub: Publisher, stream: str | None = None) -> int:
    """Run the publisher's consumers (or the one on `stream`) until their streams are empty."""
    n = 0
    for c in pub.svc.consumers:
        if stream is None or c.stream == stream:
            n += await c.run_burst()
    return n
