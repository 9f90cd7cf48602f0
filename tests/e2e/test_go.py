"""GO, end to end, on the whole stack as `./ourobouro up` starts it from compose.yaml (issue 11, first slice).

A bot plays over telnet; the operator presses GO through the admin API. The city must grow where the
bot is: the director asks for a block, the gen-worker drafts it, the llm-worker enriches it, the
publisher gates, files and signs it, the engine applies it, and the bot walks into it. Every step is
checked where a person would look: the snapshot GO takes first, the proposal's state and why-trace on
the admin API, the content file, the engine's world keys, and what the player sees.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis.asyncio import Redis

from ouro_schemas import names
from tests.e2e.conftest import Stack
from tests.engine.test_process import Client
from tests.utils import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


async def test_go_grows_the_city_where_the_player_is(stack: Stack) -> None:
    # The operator presses GO: the director snapshots the clean state first, then runs.
    assert stack.api("POST", "/api/control/go")["command"] == "go"
    async def running() -> dict[str, Any] | None:
        director: dict[str, Any] = stack.api("GET", "/api/director")
        return director if director["mode"] == "running" else None

    director = await wait_for(running, timeout=30, interval=0.2, what="the director running after GO")
    assert "snapshot snap-" in director["reason"]
    assert any((stack.data / "snapshots").iterdir())

    # A player walks north from the spawn plaza to the edge of the authored city.
    bot = await Client.connect(stack.telnet_port)
    await bot.expect("What name do you go by?")
    await bot.send("register Wanderer roads4ever", "Welcome, Wanderer")
    for _ in range(10):
        await bot.send("n", "Exits:")

    # The director's edge rule asks for a block; it passes every stage and is applied.
    def blocks() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = stack.api("GET", "/api/proposals?type=BLOCK")["items"]
        return [p for p in items if p["state"] == "applied"]

    async def applied() -> list[dict[str, Any]]:
        return blocks()

    block = (await wait_for(applied, timeout=60, interval=0.5, what="an applied BLOCK proposal"))[0]
    detail = stack.api("GET", f"/api/proposals/{block['id']}")
    stages = [t["stage"] for t in detail["proposal"]["trace"]]
    assert stages[0] == "director" and "gen-worker" in stages and "llm-worker" in stages
    assert detail["proposal"]["trace"][0]["data"]["rule"] == "edge_expansion"
    files = list((stack.data / "generated" / "block").glob("*.json"))
    assert files and json.loads(files[0].read_text())["proposal_id"] == block["id"]

    # The block was attached where the player is, and the player walks into it.
    redis = Redis.from_url(stack.redis_url)
    try:
        async def in_new_block() -> bool:
            await bot.send("n", "Exits:")
            entity = json.loads(await redis.get(f"{names.WORLD_ENTITY}player:wanderer") or b"{}")
            room = json.loads(await redis.get(f"{names.WORLD_ROOM}{entity.get('room_id')}") or b"{}")
            return bool(room.get("origin") == block["id"])

        await wait_for(in_new_block, timeout=30, interval=0.2, what="the player standing in the new block")
    finally:
        await redis.aclose()
        await bot.close()
