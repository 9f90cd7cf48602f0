"""Issue 10's test: a bot walks to the frontier again and again and the city grows where it walks.

The whole growth pipeline runs in this process over a real Redis (tests/worldgrowth/pipeline.py: the
engine, the director's core and placement, the gen-worker's generators, the publisher's gate and patch).
The bot walks like a player (one move per command) to the far end of the city in turn north, east,
south and west, twice round. Then:
- the world spans at least 5 chunks, and the engine holds only the chunks around the bot;
- every room is reachable from the spawn point, no two rooms share a cell, every exit is one step long
  and has its way back; no expansion ever removed or re-pointed an exit that existed before it;
- the last expansion cannot be undone while the bot stands in it (the reason names the bot); once the
  bot has walked out, its undo restores the world keys of the graph exactly as they were before it.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from ouro_engine.clock import ManualClock
from ouro_engine.engine import Engine
from ouro_engine.sessions import MemorySession
from ouro_engine.settings import EngineSettings
from ouro_schemas import names
from ouro_schemas.chunks import chunk_of, neighbourhood
from ouro_schemas.messages import PatchStatus, Sliders
from tests.engine.growth_support import dump_world, graph_problems, stored_graph
from tests.worldgrowth.pipeline import Pipeline

pytestmark = pytest.mark.timeout(120)
BASE = Path(__file__).resolve().parents[2] / "data" / "base"
BOT = "player:walker"
LEGS = ("n", "e", "s", "w") * 2


async def growth_points(redis: Redis) -> list[dict[str, Any]]:
    out = []
    for ck in await redis.hkeys(names.WORLD_CHUNKS):
        out += [json.loads(v) for v in await redis.hvals(names.WORLD_GROWTH + ck.decode())]
    return out


def path(graph: dict[str, dict[str, Any]], start: str, goal: str) -> list[str]:
    """Directions from start to goal over exits (breadth first)."""
    back: dict[str, tuple[str, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == goal:
            break
        for d, to in graph[here]["exits"].items():
            if to not in back and to in graph:
                back[to] = (here, d)
                queue.append(to)
    steps: list[str] = []
    node = goal
    while back.get(node) is not None:
        node, d = back[node]  # type: ignore[misc]
        steps.append(d)
    return steps[::-1]


def farthest(points: list[dict[str, Any]], direction: str) -> dict[str, Any]:
    """The road end farthest out in `direction` (a lot when the city has no road end that way)."""
    sign = {"n": (0, 1), "s": (0, -1), "e": (1, 0), "w": (-1, 0)}[direction]
    return max(points, key=lambda g: (g["kind"] == "road_end", g["x"] * sign[0] + g["y"] * sign[1],
                                      g["room_id"], g["direction"]))


async def walk_to(pipe: Pipeline, redis: Redis, goal: str, *, grow: bool = True) -> None:
    graph = await stored_graph(redis)
    here = pipe.engine.core.game.room_of(BOT)
    assert here is not None
    for n, d in enumerate(path(graph, here.id, goal)):
        out = "\n".join(pipe.engine.core.execute(BOT, d))
        assert "Exits:" in out, out
        if grow:
            await pipe.pump()
        else:
            await pipe.engine.flush()
        if n % 5 == 0:
            await pipe.engine.maintain_chunks()


async def test_a_bot_at_the_frontier_again_and_again_grows_the_city(redis: Redis, tmp_path: Path) -> None:
    settings = EngineSettings(base_dir=BASE, data_dir=tmp_path, seed=5, chunk_idle_s=0.0, edge_distance=2)
    engine = Engine(settings, redis, clock=ManualClock())
    await engine.start()
    pipe = Pipeline(engine, redis, sliders=Sliders(chaos=0.1, aggression=0.3, expansion=0.9))  # sprawl
    engine.hub.attach(bot := MemorySession(), BOT, "Walker")
    await pipe.pump()

    grown = 0
    for leg, direction in enumerate(LEGS):
        target = farthest(await growth_points(redis), direction)
        if leg == len(LEGS) - 1:
            pipe.keep_before = True
            grown = len(pipe.done)
        graph_before = await stored_graph(redis)
        await walk_to(pipe, redis, target["room_id"])
        graph_after = await stored_graph(redis)
        for rid, room in graph_before.items():  # only routes are ever added
            assert rid in graph_after and graph_after[rid]["cell"] == room["cell"], rid
            assert room["exits"].items() <= graph_after[rid]["exits"].items(), rid
    assert not [e.reason for e in pipe.failed], [e.reason for e in pipe.failed]
    assert len(pipe.done) >= 6 and len(pipe.done) > grown

    # The city grew into at least five chunks, and the engine holds only the chunks around the bot.
    game = engine.core.game
    await engine.maintain_chunks()
    chunks = await redis.hlen(names.WORLD_CHUNKS)
    assert chunks >= 5, chunks
    here = game.room_of(BOT)
    assert here is not None
    around = set(neighbourhood(chunk_of(here.coords[0], here.coords[1]))) | {(0, 0)}
    assert game.map.loaded & set(game.map.meta) <= around
    assert len(game.map.rooms) == sum(m.rooms for ch, m in game.map.meta.items() if ch in game.map.loaded)

    # The bot's own map of the city shows it grown.
    city = "\n".join(engine.core.execute(BOT, "map city"))
    assert f"The city: {chunks} chunks, {game.map.room_count()} rooms" in city
    assert sum(row.count("#") + row.count("+") + row.count("o") + row.count("@") for row in city.splitlines()[:7]) >= 5

    # The graph: reachable from spawn, one room per cell, exits one step long with their way back.
    graph = await stored_graph(redis)
    assert len(graph) == game.map.room_count() > 409
    assert graph_problems(graph, "spawn") == []
    # Far from their neighbours' centres, blocks founded districts of their own: a name, a faction, a
    # threat level and rooms of their own.
    founded = [e for e in pipe.done if e.job.params.get("new_district")]
    await engine.flush(summary=True)
    districts = json.loads((await redis.get(names.WORLD_SUMMARY)) or b"{}")["districts"]
    assert founded
    for e in founded:
        mine = [(i, d) for i, d in districts.items() if d["origin"] == e.proposal_id]
        assert len(mine) == 1, (e.proposal_id, e.job.type, {i: d["origin"] for i, d in districts.items()})
        [(did, d)] = mine
        stored = json.loads(await redis.hget(names.WORLD_DISTRICTS, did))
        assert stored["name"] and stored["faction_id"] == e.job.params["faction_id"]
        assert stored["threat_level"] == e.job.params["threat_level"] and d["rooms"] > 0

    # The last expansion: the bot walks into it (the director looks away: no block may hang from it
    # now, or its undo would be refused for that: an exit into it); its undo is refused with the reason.
    last = pipe.done[-1]
    new_rooms = [r["id"] for op in last.patch.ops for r in getattr(op, "rooms", [])]  # type: ignore[union-attr]
    await walk_to(pipe, redis, new_rooms[0], grow=False)
    refused = await engine.submit_patch_now(pipe.undo_patch(last))
    assert refused.status == PatchStatus.REJECTED and f"player {BOT!r} stands in room" in refused.reason
    # It walks back out; the same undo now restores the graph exactly.
    await walk_to(pipe, redis, last.job.params["growth_point"]["room_id"], grow=False)
    undone = await engine.submit_patch_now(pipe.undo_patch(last))
    assert undone.status == PatchStatus.APPLIED, undone.reason
    await engine.flush(summary=True)
    after = await dump_world(redis)
    before_last = last.before
    assert before_last is not None
    for d in (before_last, after):
        for key in [k for k in d if BOT in k or k.startswith(names.WORLD_ENTITY)]:
            d.pop(key)  # the bot moved; NPCs keep their places but carry derived fields
        for key in (names.WORLD_PLAYERS_ONLINE, names.WORLD_APPLIED_PATCHES, names.WORLD_DISTRICTS,
                    names.WORLD_ENTITIES_GLOBAL):
            d.pop(key, None)
    assert after == before_last
    assert graph_problems(await stored_graph(redis), "spawn") == []
    bot.close("done")
