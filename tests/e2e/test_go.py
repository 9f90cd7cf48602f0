"""GO, end to end, on the whole stack as `./ourobouro up` starts it from compose.yaml (issue 11 point 1).

The operator authors a world (the base city, with one district whose people have moved out and a
Questmaker with a short fuse), starts the stack and presses GO through the admin API. Two players play:
Wanderer over telnet walks north to the edge of the city; Runner over WebSocket fights, takes a quest,
moves it forward, walks into the empty district, and then goes idle. The world must answer through
director, gen-worker, llm-worker (offline), publisher and engine with at least one NPC, item, quest,
event and block — each a JSON file in data/generated/, spawned in the world, seen by a player, and on
the dashboard's log with its why-trace — and the Questmaker must reach the idle Runner through an NPC,
paying for it from its budget.

The stack's thresholds are shortened through the environment (the director's settings), so that what
takes minutes on a live server takes seconds here; nothing else is special about this run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from ouro_engine.commands.moves import FULL
from ouro_schemas import names
from ouro_schemas.content import DIRECTIONS
from tests.e2e.bots import WsBot, entity
from tests.e2e.conftest import Stack
from tests.engine.test_process import Client
from tests.utils import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

EMPTY_DISTRICT = "jade_hollow"  # three rooms west of the spawn plaza
QUEST = "quest.leviathans_wake"  # given by Lucky Sato next to the spawn; first step: ask a dockworker
QUESTMAKER = "qm.the_drowned_saint"
DOCKWORKER_ROOM = "x12y06"
FIGHT_ROOM = "x12y05"  # another dockworker (idle: it stays put), a fair fight for a new character


@pytest.fixture
def stack_env() -> dict[str, str]:
    return {
        "OURO_FORCED_EVENT_QUIET_S": "15",  # a major event after 15 s of quiet (30 min live)
        "OURO_QUEST_STALE_S": "5",  # a district's quests count as stale after 5 s (30 min live)
        "OURO_RELAX_S": "0",  # no relax phase after a fight
        "OURO_JOBS_PER_MINUTE": "600",
        "OURO_JOBS_BURST": "40",
        "OURO_QM_COOLDOWN_S": "1",
        "OURO_RULE_COOLDOWN_S": "10",  # per rule and place: a rejected block may be asked for again soon
    }


@pytest.fixture
def prepare_data() -> Callable[[Path], None]:
    def author(data: Path) -> None:
        base = data / "base"
        district_of = {r["id"]: r["district_id"] for r in json.loads((base / "rooms.json").read_text())}
        spawns = json.loads((base / "npc_spawns.json").read_text())
        kept = [s for s in spawns if district_of[s["room_id"]] != EMPTY_DISTRICT]
        assert len(kept) < len(spawns)
        (base / "npc_spawns.json").write_text(json.dumps(kept, indent=1))
        qms = json.loads((base / "questmakers.json").read_text())
        for qm in qms:
            if qm["id"] == QUESTMAKER:
                qm.update(idle_threshold_s=8.0, cooldown_s=1.0)
        (base / "questmakers.json").write_text(json.dumps(qms, indent=1))
    return author


class Watch:
    """What the operator checks for one generated thing: the proposal, its file, its log entries."""

    def __init__(self, stack: Stack, redis: Redis) -> None:
        self.stack, self.redis = stack, redis

    async def applied(self, ptype: str, pred: Callable[[dict[str, Any]], bool] = lambda d: True,
                      timeout: float = 90) -> dict[str, Any]:
        async def find() -> dict[str, Any] | None:
            items = self.stack.api("GET", f"/api/proposals?type={ptype}&state=applied&limit=50")["items"]
            for item in items:
                detail: dict[str, Any] = self.stack.api("GET", f"/api/proposals/{item['id']}")
                if pred(detail):
                    return detail
            return None

        try:
            return await wait_for(find, timeout=timeout, interval=0.5, what=f"an applied {ptype} proposal")
        except AssertionError:
            seen = self.stack.api("GET", f"/api/proposals?type={ptype}&limit=20")["items"]
            decisions = [json.loads(f[b"d"]) for _, f in await self.redis.xrange(names.LOG_DIRECTOR)][-15:]
            raise AssertionError(f"no applied {ptype}: {[(p['id'], p['state'], p['reason']) for p in seen]}; "
                                 f"director's last decisions: {[d.get('message') for d in decisions]}") from None

    async def on_record(self, detail: dict[str, Any], ptype: str, rule: str) -> str:
        """The why-trace, the content file and the dashboard's log; returns the proposal id."""
        proposal = detail["proposal"]
        pid: str = proposal["id"]
        stages = [t["stage"] for t in proposal["trace"]]
        assert stages[0] == "director" and "gen-worker" in stages and "llm-worker" in stages, stages
        assert proposal["trace"][0]["data"]["rule"] == rule
        if rule != "forced_major_event":  # the one rule driven by the clock, not by a world event
            assert proposal["trigger"], "the triggering world event is named"
        folder = self.stack.data / "generated" / ptype.lower()
        files = [json.loads(f.read_text()) for f in folder.glob("*.json")]
        assert any(f.get("proposal_id") == pid for f in files), f"no file for {pid} in {folder}"
        logged = [json.loads(fields[b"d"]) for _, fields in await self.redis.xrange(names.LOG_PROPOSALS)]
        mine = [e for e in logged if e.get("proposal_id") == pid]
        assert any("applied" in json.dumps(e) for e in mine), f"{pid} not applied on the proposals log: {mine}"
        return pid

    async def spawned(self, origin: str) -> list[dict[str, Any]]:
        out = []
        async for key in self.redis.scan_iter(match=f"{names.WORLD_ENTITY}*"):
            rec = json.loads(await self.redis.get(key) or b"{}")
            if rec.get("origin") == origin:
                out.append(rec)
        return out


async def test_go_grows_a_living_world_around_its_players(stack: Stack) -> None:
    redis = Redis.from_url(stack.redis_url)
    watch = Watch(stack, redis)
    wanderer = runner = None
    try:
        # The operator presses GO: the director snapshots the clean state first, then runs. Sliders:
        # fill before sprawl, friendly people, no weirdness (what each asks for is then predictable).
        stack.api("PUT", "/api/director/sliders", {"chaos": 0.0, "aggression": 0.0, "expansion": 0.0})
        assert stack.api("POST", "/api/control/go")["command"] == "go"

        async def running() -> dict[str, Any] | None:
            director: dict[str, Any] = stack.api("GET", "/api/director")
            return director if director["mode"] == "running" else None

        director = await wait_for(running, timeout=30, interval=0.2, what="the director running after GO")
        assert "snapshot snap-" in director["reason"]
        assert any((stack.data / "snapshots").iterdir())

        # Wanderer (telnet) walks north from the spawn plaza to the edge of the authored city.
        wanderer = await Client.connect(stack.telnet_port)
        await wanderer.expect("What name do you go by?")
        await wanderer.send("register Wanderer roads4ever", "Welcome, Wanderer")
        for _ in range(10):
            await wanderer.send("n", "Exits:")

        # Runner (WebSocket) takes Lucky Sato's quest, asks a dockworker, and picks a fight with another.
        runner = await WsBot.connect(stack.play_port)
        await runner.register("Runner", "fast-feet-77")
        assert runner.room["id"] == "spawn"
        await runner.walk(redis, "bazaar.sato_noodles")
        assert "Quest accepted" in await runner.do(f"quest accept {QUEST}")
        await runner.walk(redis, DOCKWORKER_ROOM)
        await runner.do("talk dockworker")
        await wait_for(lambda: _on_node(redis, "player:runner", QUEST, "bosun"), timeout=10,
                       what="the quest to move on to its second step")
        await runner.walk(redis, FIGHT_ROOM)
        assert "You attack Dockworker" in await runner.do("kill dockworker")
        await runner.expect("You killed Dockworker", timeout=120)

        # ...then walks into the district nobody lives in any more.
        await runner.walk(redis, "x06y09")
        assert runner.room["district_id"] == EMPTY_DISTRICT

        # BLOCK: at the edge where Wanderer stands, and Wanderer walks into it and sees it on the map.
        # Two proposals may race for the same lot (a building off a street side, a block at the road end):
        # the gate rejects the second, and the player's next approach to the edge asks again.
        block = await _block_at_the_edge(watch, wanderer)
        block_id = await watch.on_record(block, "BLOCK", "edge_expansion")

        async def in_new_block() -> bool:
            await wanderer.send("n", "Exits:")
            here = (await entity(redis, "player:wanderer")).get("room_id")
            return bool((await _room(redis, here)).get("origin") == block_id)

        await wait_for(in_new_block, timeout=30, interval=0.2, what="Wanderer standing in the new block")
        await asyncio.sleep(1.5)  # Wanderer stops; the engine's next flush has the final position
        here = await _room(redis, (await entity(redis, "player:wanderer")).get("room_id"))
        here["exits_by_dir"] = _exits_of(here)
        assert here["y"] > 19, "beyond the authored 20x20 city"
        exits_line = "Exits: " + ", ".join(FULL[d] for d in DIRECTIONS if d in here["exits_by_dir"])
        seen = await wanderer.send("map", exits_line)  # the map's own exits line names them in full
        city_map = "\n".join(seen.splitlines()[-12:])
        assert "@" in city_map and city_map.count("#") >= 3, city_map

        # Undoing the block while Wanderer stands in it is refused, with the reason (issue 10).
        assert watch.stack.api("POST", f"/api/proposals/{block_id}/undo")["command"] == "undo"

        async def undo_refused() -> str | None:
            for _sid, fields in await redis.xrange(names.LOG_PROPOSALS):
                message = str(json.loads(fields[b"d"]).get("message", ""))
                if f"undo of {block_id} refused" in message:
                    return message
            return None

        refusal = await wait_for(undo_refused, timeout=20, interval=0.2, what="the undo refused")
        assert "compat.player_in_block" in refusal and "player:wanderer" in refusal
        assert watch.stack.api("GET", f"/api/proposals/{block_id}")["proposal"]["state"] == "applied"

        # NPC: people for the empty district, standing where Runner came in.
        npc = await watch.applied("NPC", lambda d: d["proposal"]["trace"][0]["data"].get("rule") == "populate_empty")
        npc_id = await watch.on_record(npc, "NPC", "populate_empty")
        [spawned_npc, *_] = await watch.spawned(npc_id)
        assert (await _room(redis, spawned_npc["room_id"]))["district_id"] == EMPTY_DISTRICT
        npc_name = npc["proposal"]["payload"]["archetype"]["name"]
        await runner.walk(redis, spawned_npc["room_id"])  # where Runner came into the district
        assert npc_name in await runner.do("look")

        # ITEM: what the dockworker's death turned up, lying where it fell.
        item = await watch.applied("ITEM")
        item_id = await watch.on_record(item, "ITEM", "salvage")
        [spawned_item] = await watch.spawned(item_id)
        assert spawned_item["room_id"] == FIGHT_ROOM
        item_name = item["proposal"]["payload"]["archetype"]["name"]

        # QUEST: the empty district's quests are stale, so a new one with its own giver and Questmaker.
        quest = await watch.applied("QUEST")
        quest_pid = await watch.on_record(quest, "QUEST", "fresh_dungeon")
        new_quest = quest["proposal"]["payload"]["quest"]
        givers = [e for e in await watch.spawned(quest_pid) if e.get("template_id") == new_quest["giver_npc_id"]]
        assert givers, "the new quest's giver is in the world"
        await runner.walk(redis, givers[0]["room_id"])
        assert new_quest["id"] in await runner.do("quests")

        # EVENT: after a quiet spell the director forces a major event where the players are.
        event = await watch.applied("EVENT")
        await watch.on_record(event, "EVENT", "forced_major_event")
        instance = event["proposal"]["payload"]["event"]
        title = instance["event_type"].replace("_", " ").title()
        if instance.get("district_id") not in (None, runner.room["district_id"]):
            await runner.walk(redis, await _a_room_in(redis, instance["district_id"], runner.room["id"]))
        assert f"Happening: {title}" in await runner.do("look")

        # Runner goes back to the fight, sees the salvage, and then goes idle.
        await runner.walk(redis, FIGHT_ROOM)
        assert item_name in await runner.do("look")

        def from_idle(d: dict[str, Any]) -> bool:
            p = d["proposal"]["payload"]
            return bool(p.get("questmaker_id") == QUESTMAKER and p.get("tool") == "send_message"
                        and "idle" in str(p.get("reason", "")))

        qm_action = await watch.applied("QM_ACTION", from_idle, timeout=90)
        message = qm_action["proposal"]["payload"]["params"]["message"]
        assert qm_action["proposal"]["payload"]["params"]["via_npc_id"] == "npc.lucky_sato"
        await wait_for(lambda: _told(runner, f'Lucky Sato tells you, "{message}"'), timeout=10,
                       what="the Questmaker's message through Lucky Sato")
        cost = float(qm_action["proposal"]["payload"]["cost"])
        assert 5 <= cost <= 15
        # Paid from its budget: the engine's result for the action shows the budget before and after it.
        result = await _patch_result(redis, qm_action["proposal"]["id"])
        assert result["status"] == "applied"
        assert result["budget_after"] == pytest.approx(result["budget_before"] - cost), result
        print(f"\n[go] block={block_id} npc={npc_id} item={item_id} quest={quest_pid} "
              f"event={event['proposal']['id']} qm_action={qm_action['proposal']['id']} cost={cost}")
    finally:
        await redis.aclose()
        for bot in (wanderer, runner):
            if bot is not None:
                await bot.close()


async def _block_at_the_edge(watch: Watch, wanderer: Client) -> dict[str, Any]:
    for _ in range(6):
        try:
            return await watch.applied("BLOCK", timeout=20)
        except AssertionError:
            for step in ("s", "s", "n", "n"):  # step back and approach the edge again
                await wanderer.send(step, "Exits:")
    raise AssertionError("no BLOCK applied after six approaches to the edge")


async def _patch_result(redis: Redis, proposal_id: str) -> dict[str, Any]:
    for _, fields in await redis.xrange(names.WORLD_APPLIED):
        result: dict[str, Any] = json.loads(fields[b"d"])
        if result.get("proposal_id") == proposal_id:
            return result
    raise AssertionError(f"no result for {proposal_id} on {names.WORLD_APPLIED}")


async def _told(bot: WsBot, text: str) -> bool:
    return any(text in line for line in bot.lines)


async def _on_node(redis: Redis, player: str, quest: str, node: str) -> bool:
    rec = await entity(redis, player)
    progress = rec.get("player", {}).get("quests", {}).get(quest, {})
    return bool(progress.get("node_id") == node)


async def _room(redis: Redis, room_id: Any) -> dict[str, Any]:
    raw = await redis.get(f"{names.WORLD_ROOM}{room_id}") if room_id else None
    return json.loads(raw) if raw else {}


async def _a_room_in(redis: Redis, district_id: str, near: str) -> str:
    async for key in redis.scan_iter(match=f"{names.WORLD_ROOM}*"):
        rec = json.loads(await redis.get(key) or b"{}")
        if rec.get("district_id") == district_id:
            return str(rec["id"])
    raise AssertionError(f"no room in district {district_id} (from {near})")


def _exits_of(rec: dict[str, Any]) -> set[str]:
    exits = rec.get("exits", {})
    return {e["direction"] for e in exits} if isinstance(exits, list) else set(exits)
