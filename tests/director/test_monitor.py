"""The Questmaker monitor's timing (fake clock) and the turns the service sends (real Redis)."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from ouro_director.monitor import QuestmakerMonitor
from ouro_director.settings import DirectorSettings
from ouro_schemas import names
from ouro_schemas.messages import DirectorMode, DirectorState, EventKind, TurnReason
from ouro_schemas.questmaker import CHEAPEST_TOOL_COST
from tests.director.conftest import FakeClock, ev, logs, turns

K = EventKind


def accept(m: QuestmakerMonitor, now: float, player: str = "p1", quest: str = "q1") -> None:
    m.observe(ev(K.QUEST_ACCEPTED, player_id=player, quest_id=quest, data={"questmaker_id": "spice"}), now)


def test_idle_turn_after_threshold_then_each_further_threshold() -> None:
    m = QuestmakerMonitor(idle_threshold_s=300, cooldown_s=60, deviation_actions=3)
    accept(m, 0.0)
    assert m.due(299.9) == []
    [r] = m.due(300.0)
    assert r.reason is TurnReason.IDLE and r.questmaker_id == "spice" and r.last_action_at == 0.0
    assert m.due(301) == [] and m.due(599) == []
    assert [x.reason for x in m.due(600)] == [TurnReason.IDLE]
    # A quest action resets the clock.
    m.observe(ev(K.PLAYER_ACTION, player_id="p1", quest_id="q1", data={"verb": "search"}), 650)
    assert m.due(949) == [] and len(m.due(950)) == 1
    m.set_questmaker("spice", idle_threshold_s=30, cooldown_s=None)  # the template's own threshold
    assert len(m.due(980)) == 1


def test_progress_failure_completion_and_deviation() -> None:
    m = QuestmakerMonitor(idle_threshold_s=300, deviation_actions=3)
    accept(m, 0.0)
    [r] = m.observe(ev(K.QUEST_PROGRESSED, player_id="p1", quest_id="q1", data={"node": "n2"}), 10)
    assert r.reason is TurnReason.PROGRESS and r.progress["node"] == "n2"
    unrelated = [ev(K.PLAYER_ACTION, player_id="p1", data={"verb": v}) for v in ("kill", "talk", "buy", "buy")]
    assert m.observe(unrelated[0], 11) == [] and m.observe(unrelated[1], 12) == []
    [d] = m.observe(unrelated[2], 13)
    assert d.reason is TurnReason.DEVIATION
    assert m.observe(unrelated[3], 14) == []  # once per streak
    [f] = m.observe(ev(K.QUEST_FAILED, player_id="p1", quest_id="q1"), 20)
    assert f.reason is TurnReason.FAILURE and m.track("p1", "q1") is None
    accept(m, 30, quest="q2")
    [c] = m.observe(ev(K.QUEST_COMPLETED, player_id="p1", quest_id="q2"), 40)
    assert c.reason is TurnReason.COMPLETION and m.due(10_000) == []


def test_cooldown_per_questmaker() -> None:
    m = QuestmakerMonitor(cooldown_s=60)
    assert m.cooldown_left("spice", 0) == 0
    m.turn_sent("spice", 100)
    assert m.cooldown_left("spice", 130) == 30 and m.cooldown_left("other", 130) == 0
    m.set_questmaker("spice", None, cooldown_s=120)
    assert m.cooldown_left("spice", 200) == 20


async def seed_questmaker(redis: Redis, budget: float) -> None:
    quest = {"id": "q1", "name": "Spice run", "district_id": "docks", "questmaker_id": "spice",
             "giver_npc_id": "npc.broker", "nodes": [{"id": "n1", "kind": "fetch", "target": "crate"}]}
    await redis.set(names.WORLD_TEMPLATE + "npc.broker", json.dumps({"type": "npc", "template": {
        "id": "npc.broker", "name": "Broker Vale"}}))
    qm = {"id": "spice", "name": "The Spice Lord", "prompt_context": "A benevolent spirit of trade.",
          "personality_tags": ["patient"], "budget_max": 100, "budget_start": 50, "regen_per_minute": 1,
          "cooldown_s": 0, "idle_threshold_s": 120}
    await redis.set(names.WORLD_TEMPLATE + "q1", json.dumps({"type": "quest", "template": quest}))
    await redis.set(names.WORLD_TEMPLATE + "spice", json.dumps({"type": "questmaker", "template": qm}))
    await redis.set(names.WORLD_QUESTMAKER + "spice", json.dumps({"id": "spice", "budget_current": budget,
                                                                   "budget_max": 100}))
    await redis.set(names.WORLD_ENTITY + "p1", json.dumps({"id": "p1", "kind": "player", "name": "Neo",
                                                          "room_id": "forest", "health": 40}))


async def test_service_turns_carry_context_and_respect_budget_and_cooldown(
        redis: Redis, settings: DirectorSettings, make_director, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    await seed_questmaker(redis, budget=25)
    d = make_director(settings.model_copy(update={"qm_cooldown_s": 60.0}))
    await d.on_event(ev(K.QUEST_ACCEPTED, player_id="p1", quest_id="q1"))
    await d.on_event(ev(K.PLAYER_ACTION, player_id="p1", data={"verb": "killed_boar"}))
    clock.advance(5)
    await d.on_event(ev(K.QUEST_PROGRESSED, id="prog-1", player_id="p1", quest_id="q1", data={"node": "n1"}))
    [t] = await turns(redis)
    assert t.reason is TurnReason.PROGRESS and t.questmaker_id == "spice" and t.name == "The Spice Lord"
    assert t.prompt_context.startswith("A benevolent") and t.budget_current == 25 and t.budget_max == 100
    assert t.player_name == "Neo" and t.player_status["room_id"] == "forest"
    assert t.recent_actions == ["killed_boar"] and t.seconds_since_quest_action == 5.0
    assert t.quest_progress["node"] == "n1" and t.quest_entities[1]["target"] == "crate"
    # The giver comes first, by name: the Questmaker's messages go through the one who gave the job.
    assert t.quest_entities[0] == {"kind": "npc", "id": "npc.broker", "role": "giver", "name": "Broker Vale"}
    assert t.trace[0].stage == "director" and t.trace[0].data["event_id"] == "prog-1"

    # Idle: the template's 120 s threshold, checked by the periodic task's step; the cool-down holds it first.
    clock.advance(119)
    await d.check_once()
    assert len(await turns(redis)) == 1
    clock.advance(1)
    await d.check_once()
    assert len(await turns(redis)) == 2 and (await turns(redis))[1].reason is TurnReason.IDLE
    assert (await turns(redis))[1].seconds_since_quest_action == 120.0

    # Budget below the cheapest tool: no turn, and the log says why.
    await redis.set(names.WORLD_QUESTMAKER + "spice", json.dumps({"budget_current": CHEAPEST_TOOL_COST - 1}))
    clock.advance(100)
    await d.on_event(ev(K.QUEST_FAILED, player_id="p1", quest_id="q1"))
    assert len(await turns(redis)) == 2
    assert any(e.data.get("reason") == "budget" for e in await logs(redis))


async def test_turn_cooldown_and_paused(redis: Redis, settings: DirectorSettings, make_director,  # type: ignore[no-untyped-def]
                                        clock: FakeClock) -> None:
    await seed_questmaker(redis, budget=80)
    d = make_director(settings.model_copy(update={"qm_cooldown_s": 60.0}))
    await d.on_event(ev(K.QUEST_PROGRESSED, player_id="p1", quest_id="q1"))
    clock.advance(10)
    await d.on_event(ev(K.QUEST_PROGRESSED, player_id="p1", quest_id="q1"))
    assert len(await turns(redis)) == 1
    assert any(e.data.get("reason") == "cooldown" for e in await logs(redis))
    clock.advance(60)
    d.state.mode = DirectorMode.PAUSED
    await d.on_event(ev(K.QUEST_PROGRESSED, player_id="p1", quest_id="q1"))
    assert len(await turns(redis)) == 1
    d.core.state = DirectorState(mode=DirectorMode.RUNNING)
    await d.on_event(ev(K.QUEST_PROGRESSED, player_id="p1", quest_id="q1"))
    assert len(await turns(redis)) == 2


async def test_unaffordable_call_skipped_asks_again_once(redis: Redis, settings: DirectorSettings,  # type: ignore[no-untyped-def]
                                                          make_director, clock: FakeClock) -> None:
    from ouro_schemas.messages import PatchResult, PatchStatus

    await seed_questmaker(redis, budget=80)
    d = make_director(settings.model_copy(update={"qm_cooldown_s": 600.0}))
    await d.on_event(ev(K.QUEST_PROGRESSED, player_id="p1", quest_id="q1"))
    [first] = await turns(redis)
    await redis.set(names.WORLD_QUESTMAKER + "spice", json.dumps({"budget_current": 12, "budget_max": 100}))
    skipped = PatchResult(patch_id=f"{first.id}:0", proposal_id=f"{first.id}:0", status=PatchStatus.SKIPPED,
                          reason="cannot afford 40", budget_after=12)
    await d.on_applied(skipped)
    got = await turns(redis)
    assert len(got) == 2 and got[1].reason is TurnReason.RETRY_BUDGET and got[1].budget_current == 12
    await d.on_applied(PatchResult(patch_id=f"{got[1].id}:0", proposal_id=f"{got[1].id}:0",
                                   status=PatchStatus.SKIPPED))
    assert len(await turns(redis)) == 2  # a retry never retries


def test_actions_about_quest_targets_are_not_deviation() -> None:
    from ouro_director.monitor import terms

    m = QuestmakerMonitor(deviation_actions=2)
    m.set_quest_terms("q1", terms("spice_crate", "goblin_boss"))
    accept(m, 0.0)
    act = lambda verb, target: ev(K.PLAYER_ACTION, player_id="p1", data={"verb": verb, "target": target})  # noqa: E731
    assert m.observe(act("get", "crate"), 1) == [] and m.observe(act("attack", "goblin"), 2) == []
    assert m.observe(act("quest", ""), 3) == []
    assert m.track("p1", "q1").unrelated == 0 and m.track("p1", "q1").last_action_at == 3  # type: ignore[union-attr]
    assert m.observe(act("buy", "noodles"), 4) == []
    [d] = m.observe(act("say", "hello"), 5)
    assert d.reason is TurnReason.DEVIATION


async def test_periodic_task_finds_idle_players(redis: Redis, settings: DirectorSettings, make_director,  # type: ignore[no-untyped-def]
                                                clock: FakeClock) -> None:
    import asyncio
    import contextlib

    from tests.utils import wait_for

    await seed_questmaker(redis, budget=50)
    d = make_director(settings.model_copy(update={"qm_check_interval_s": 0.02}))
    await d.on_event(ev(K.QUEST_ACCEPTED, player_id="p1", quest_id="q1"))
    task = asyncio.create_task(d.periodic())
    try:
        clock.advance(119)  # the template's threshold is 120 s of *director* time, not of wall time
        await asyncio.sleep(0.1)
        assert await turns(redis) == []
        clock.advance(1)

        async def idle_turn() -> bool:
            return any(t.reason is TurnReason.IDLE for t in await turns(redis))

        await wait_for(idle_turn, timeout=10, what="an idle turn from the periodic task")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
