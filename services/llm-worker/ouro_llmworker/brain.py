"""The offline Questmaker brain: rules over the turn's situation and the personality tags.

Pressure when idle, praise on progress, consequences on failure; harsh tags (cruel, vengeful,
impatient, paranoid) escalate, kind tags (benevolent, mercantile, playful) reward. Costs sit inside
each tool's range, scaled by intensity; the plan is cut to the budget and to `max_actions`. Only the
message text uses player-written text (the player's name, cleaned by `ouro_flavor`); which tools,
which targets and what they cost depend only on trusted fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import ouro_flavor as fl
from ouro_llmworker.prompts import clip_text
from ouro_llmworker.qm_context import SITUATION, TurnContext
from ouro_schemas.messages import QmTurn
from ouro_schemas.questmaker import TOOLS, ToolCall, check_tool_call

HARSH = frozenset({"cruel", "vengeful", "impatient", "paranoid"})
KIND = frozenset({"benevolent", "mercantile", "playful"})
BASE_INTENSITY = {"idle": 0.3, "deviation": 0.4, "progress": 0.3, "failure": 0.8, "completion": 0.5}
EVENT_BY_TAG = {"vengeful": "gang_war", "cruel": "lockdown", "paranoid": "corp_raid",
                "impatient": "market_fluctuation"}
MEMORY = {
    "idle": "went quiet on the job for {minutes} minutes",
    "deviation": "drifted off the job",
    "progress": "moved the job forward",
    "failure": "failed the job",
    "completion": "finished the job",
}
Plan = list[tuple[str, dict[str, Any], str]]  # tool, parameters, reason


def _tags(turn: QmTurn) -> set[str]:
    return {t.strip().lower() for t in turn.personality_tags if isinstance(t, str)}


def intensity(turn: QmTurn, situation: str, tags: set[str]) -> float:
    value = BASE_INTENSITY.get(situation, 0.3)
    if tags & HARSH and situation in ("idle", "deviation", "failure"):
        value += 0.2
    if situation == "idle":
        value += min(0.3, max(0.0, turn.seconds_since_quest_action) / 3600 * 0.1)
    return min(1.0, value)


def _message(rng: np.random.Generator, turn: QmTurn, ctx: TurnContext, situation: str) -> Plan:
    names = {e.get("id"): e.get("name") for e in turn.quest_entities if isinstance(e.get("name"), str)}
    npc_name = names.get(ctx.giver) if ctx.giver else None
    # Not wrapped in "X relays: ..." here: the engine frames a relayed message ("X tells you, ...").
    text = fl.questmaker_message(rng, tags=turn.personality_tags, situation=situation,
                                 player=turn.player_name or turn.player_id)
    params: dict[str, Any] = {"target_player_id": ctx.player_id, "message": clip_text(text, 400)}
    if ctx.giver and npc_name:
        params["via_npc_id"] = ctx.giver
    return [("send_message", params, f"{situation}: word to the player")]


def _memorize(turn: QmTurn, ctx: TurnContext, situation: str) -> Plan:
    minutes = int(max(0.0, turn.seconds_since_quest_action) // 60)
    memory = f"{ctx.player_id} {MEMORY[situation].format(minutes=minutes)} on {turn.quest_id}."
    return [("QUESTMAKER_memorize", {"player_id": ctx.player_id, "memory_string": memory[:300]},
             f"{situation}: remember it")]


def _follow_ups(turn: QmTurn, ctx: TurnContext, situation: str, tags: set[str]) -> Plan:
    harsh, kind = bool(tags & HARSH), bool(tags & KIND)
    plan: Plan = []
    if situation == "idle":
        if harsh and ctx.npcs:
            plan.append(("change_npc_behavior", {"npc_id": ctx.npcs[-1], "behavior": "more_alert_and_aggressive"},
                         "idle: the opposition gets ready"))
        plan += _memorize(turn, ctx, situation)
    elif situation == "deviation":
        plan += _memorize(turn, ctx, situation)
        if harsh and ctx.giver:
            plan.append(("change_npc_behavior_to_player", {"npc_id": ctx.giver, "player_id": ctx.player_id,
                                                           "behavior_type": "neutral"},
                         "deviation: the giver cools"))
    elif situation == "progress":
        plan += _memorize(turn, ctx, situation)
        if kind:
            plan.append(("grant_player_reward", {"player_id": ctx.player_id, "reward_type": "credits",
                                                 "reward_id": "credits", "quantity": 1},
                         "progress: a small bonus"))
    elif situation == "failure":
        if ctx.giver:
            plan.append(("change_npc_behavior_to_player", {"npc_id": ctx.giver, "player_id": ctx.player_id,
                                                           "behavior_type": "hostile"},
                         "failure: the giver turns"))
        event = next((EVENT_BY_TAG[t] for t in sorted(tags) if t in EVENT_BY_TAG), None)
        if harsh and event:
            params: dict[str, Any] = {"event_type": event}
            if ctx.district_id:
                params["district_id"] = ctx.district_id
            plan.append(("trigger_world_event", params, "failure: the district pays"))
        if harsh and ctx.templates and ctx.player_room:
            plan.append(("spawn_entity", {"entity_type": ctx.templates[0], "location": ctx.player_room},
                         "failure: something comes for the player"))
        plan += _memorize(turn, ctx, situation)
    else:  # completion
        plan.append(("grant_player_reward", {"player_id": ctx.player_id, "reward_type": "xp",
                                             "reward_id": "xp", "quantity": 1}, "completion: a reward"))
        plan += _memorize(turn, ctx, situation)
    return plan


def _cost(tool: str, level: float) -> int:
    spec = TOOLS[tool]
    return spec.cost_min + round(level * (spec.cost_max - spec.cost_min))


def decide(turn: QmTurn, ctx: TurnContext, *, max_actions: int = 3,
           rng_factory: Callable[[int], np.random.Generator] = np.random.default_rng) -> list[ToolCall]:
    """The offline decision for a turn: valid calls, each cost in range, the total within budget."""
    situation = SITUATION[turn.reason]
    tags = _tags(turn)
    level = intensity(turn, situation, tags)
    rng = rng_factory(turn.seed & 0xFFFFFFFFFFFFFFFF)
    plan = _message(rng, turn, ctx, situation) + _follow_ups(turn, ctx, situation, tags)
    budget = int(max(0.0, turn.budget_current))
    calls: list[ToolCall] = []
    spent = 0
    for tool, params, reason in plan:
        if len(calls) >= max_actions:
            break
        cost = _cost(tool, level)
        if spent + cost > budget:
            cost = TOOLS[tool].cost_min
        if spent + cost > budget:
            continue
        call = ToolCall(tool_name=tool, parameters=params, cost=cost, reason=reason)
        if check_tool_call(call):
            continue  # defensive: a rule built something the registry refuses; drop it
        calls.append(call)
        spent += cost
    return calls
