"""Questmaker turns: prompt, schema, checks and the QM_ACTION proposals of one turn.

1. The system message holds what is trusted: identity and personality (authored), the tools with
   their parameters and cost ranges, the budget, the rules. Player status, recent actions, quest
   progress, world state and quest entities go into the delimited data block.
2. The schema is an enum-heavy list of tool calls: one branch per tool the budget can afford, ids
   narrowed to the turn's player, quest NPCs, known rooms and templates, costs to each range.
3. The answer is checked against the registry (`check_tool_call`), the turn's ids and the budget;
   a failing answer (over-spending included) is re-asked once with the budget restated, then the
   offline brain decides.
4. Call n becomes proposal `<turn id>:<n>`, type QM_ACTION, payload `QmActionPayload`.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import ValidationError

from ouro_llmworker import brain
from ouro_llmworker.llm import LLMResult, LLMService
from ouro_llmworker.prompts import DATA_RULES, bound, clip_text, user_message
from ouro_llmworker.qm_context import TurnContext, context_of
from ouro_llmworker.schema import inline
from ouro_schemas.errors import describe_error
from ouro_schemas.messages import QmTurn
from ouro_schemas.payloads import QmActionPayload
from ouro_schemas.proposal import GeneratorRef, Proposal, ProposalState, ProposalType, TraceEntry
from ouro_schemas.questmaker import TOOLS, ToolCall, ToolCallList, check_tool_call

TASK = "questmaker"
GENERATOR = GeneratorRef(name="llm-worker.questmaker", version="1")
PLAYER_FIELDS = ("player_id", "target_player_id")
NPC_FIELDS = ("npc_id", "via_npc_id")
ROOM_FIELDS = ("room_id", "location")


def affordable(budget: float) -> list[str]:
    return [name for name, spec in TOOLS.items() if spec.cost_min <= budget]


def _narrow(params: dict[str, Any], ctx: TurnContext) -> dict[str, Any]:
    props = params.get("properties", {})
    choices: dict[tuple[str, ...], tuple[str, ...]] = {
        PLAYER_FIELDS: (ctx.player_id,), NPC_FIELDS: ctx.npcs, ROOM_FIELDS: ctx.rooms,
        ("event_type",): ctx.event_types, ("entity_type",): ctx.templates,
        ("district_id",): (ctx.district_id,) if ctx.district_id else (),
    }
    for fields, values in choices.items():
        for name in fields:
            if name in props and values:
                props[name] = {"type": "string", "enum": list(values)}
    return params


def tool_schema(turn: QmTurn, ctx: TurnContext, max_actions: int) -> dict[str, Any]:
    budget = max(0.0, turn.budget_current)
    branches = []
    for name in affordable(budget):
        spec = TOOLS[name]
        branches.append({
            "type": "object",
            "properties": {
                "tool_name": {"type": "string", "enum": [name]},
                "parameters": _narrow(inline(spec.params), ctx),
                "cost": {"type": "integer", "minimum": spec.cost_min,
                         "maximum": min(spec.cost_max, int(budget))},
                "reason": {"type": "string", "maxLength": 200},
            },
            "required": ["tool_name", "parameters", "cost", "reason"],
            "additionalProperties": False,
        })
    return {
        "type": "object",
        "properties": {
            "questmaker_id": {"type": "string", "enum": [turn.questmaker_id]},
            "proposed_actions": {"type": "array", "maxItems": max_actions, "items": {"anyOf": branches}},
        },
        "required": ["questmaker_id", "proposed_actions"],
        "additionalProperties": False,
    }


def budget_line(turn: QmTurn) -> str:
    return (f"Your influence budget is {turn.budget_current:g} of {turn.budget_max:g}. The costs of all "
            f"proposed actions together must not exceed {turn.budget_current:g}; proposing nothing is allowed.")


def system_prompt(turn: QmTurn, max_actions: int) -> str:
    tools = "\n".join(f"- {name} (cost {TOOLS[name].cost_min}-{TOOLS[name].cost_max}): {TOOLS[name].summary}"
                      for name in affordable(turn.budget_current))
    return (
        f"You are {clip_text(turn.name, 120)}, a Questmaker in Ourobouro, a cyberpunk MUD. "
        f"Your personality: {clip_text(turn.prompt_context, 1500)}\n"
        f"Personality tags: {', '.join(clip_text(t, 40) for t in turn.personality_tags[:6]) or 'none'}.\n"
        f"Your turn was triggered by: {turn.reason.value}.\n{budget_line(turn)}\n"
        f"Propose at most {max_actions} actions using only these tools, each with a cost inside its "
        f"range and a one-line reason:\n{tools}\n"
        "Pressure players who idle or drift, praise progress, and make failure cost something. "
        "Target only the player and the ids listed in the schema. " + DATA_RULES
    )


# Every profile's context must hold the prompt (llama.cpp and Ollama are given 6,000 chars): the data
# block is bounded ever tighter until the whole prompt fits. The system message is bounded by itself.
PROMPT_CHARS = 5_500
_BOUNDS = ((200, 12), (120, 8), (80, 5), (50, 3), (30, 2))


def messages_for(turn: QmTurn, max_actions: int, max_chars: int = PROMPT_CHARS) -> list[dict[str, str]]:
    system = {"role": "system", "content": system_prompt(turn, max_actions)}
    data = {
        "player": {"id": turn.player_id, "name": turn.player_name, "status": turn.player_status,
                   "recent_actions": turn.recent_actions[-10:]},
        "minutes_since_last_quest_action": round(turn.seconds_since_quest_action / 60, 1),
        "quest": {"id": turn.quest_id, "progress": turn.quest_progress},
        "quest_entities": turn.quest_entities[:20],
        "world_state": turn.world_state,
    }
    for text, items in _BOUNDS:
        user = user_message("Decide your actions for this turn.", bound(data, text=text, items=items))
        if len(system["content"]) + len(user["content"]) <= max_chars:
            break
    return [system, user]


def check_answer(turn: QmTurn, ctx: TurnContext, max_actions: int):  # type: ignore[no-untyped-def]
    def check(data: Any) -> tuple[list[ToolCall] | None, list[str]]:
        try:
            answer = ToolCallList.model_validate(data)
        except ValidationError as exc:
            return None, describe_error(exc)
        problems: list[str] = []
        if answer.questmaker_id != turn.questmaker_id:
            problems.append(f"questmaker_id must be {turn.questmaker_id!r}")
        if len(answer.proposed_actions) > max_actions:
            problems.append(f"at most {max_actions} actions")
        for n, call in enumerate(answer.proposed_actions):
            problems += [f"proposed_actions[{n}]: {p}" for p in check_tool_call(call) + _ids(call, ctx)]
        total = sum(c.cost for c in answer.proposed_actions)
        if total > turn.budget_current:
            problems.append(f"total cost {total} exceeds the budget {turn.budget_current:g}")
        return (None, problems) if problems else (answer.proposed_actions, [])

    return check


def _ids(call: ToolCall, ctx: TurnContext) -> list[str]:
    """Ids outside what the turn offered (the schema's enums, re-checked on our side)."""
    allowed = {PLAYER_FIELDS: {ctx.player_id}, NPC_FIELDS: set(ctx.npcs), ROOM_FIELDS: set(ctx.rooms),
               ("entity_type",): set(ctx.templates),
               ("district_id",): {ctx.district_id} if ctx.district_id else set()}
    problems = []
    for fields, ok in allowed.items():
        for name in fields:
            value = call.parameters.get(name)
            if value is not None and ok and value not in ok:
                problems.append(f"parameters.{name}: {str(value)[:60]!r} is not one of the offered ids")
            elif value is not None and not ok and name in PLAYER_FIELDS:
                problems.append(f"parameters.{name}: must be {ctx.player_id!r}")
    return problems


class QuestmakerBrain:
    def __init__(self, llm: LLMService, *, instance: str, max_actions: int = 3, max_tokens: int = 800) -> None:
        self.llm = llm
        self.instance = instance
        self.max_actions = max_actions
        self.max_tokens = max_tokens

    async def decide(self, turn: QmTurn) -> LLMResult[list[ToolCall]]:
        ctx = context_of(turn)

        def offline() -> list[ToolCall]:
            return brain.decide(turn, ctx, max_actions=self.max_actions)

        if not affordable(turn.budget_current) or not self.llm.remote:
            # Offline by configuration, or nothing a model could afford: no call, and no "fallback".
            started = time.perf_counter()
            return LLMResult(offline(), "offline", latency=time.perf_counter() - started)
        return await self.llm.complete_json(
            TASK, messages_for(turn, self.max_actions), tool_schema(turn, ctx, self.max_actions),
            key=turn.id, check=check_answer(turn, ctx, self.max_actions), offline=offline,
            cap_key=turn.questmaker_id, max_tokens=self.max_tokens, restate=budget_line(turn))

    async def proposals(self, turn: QmTurn) -> tuple[list[Proposal], LLMResult[list[ToolCall]]]:
        result = await self.decide(turn)
        now = time.time()
        out = []
        for n, call in enumerate(result.data):
            payload = QmActionPayload(questmaker_id=turn.questmaker_id, quest_id=turn.quest_id,
                                      player_id=turn.player_id, tool=call.tool_name, params=call.parameters,
                                      cost=call.cost, reason=call.reason, turn_id=turn.id)
            entry = TraceEntry(stage="llm-worker", at=now, actor=self.instance,
                               verdict="fallback" if result.fell_back else "ok",
                               reason=(f"offline brain: {result.fallback_reason}" if result.fell_back
                                       else call.reason)[:500],
                               data={**result.trace_data(), "turn_reason": turn.reason.value,
                                     "budget_current": turn.budget_current, "budget_max": turn.budget_max})
            out.append(Proposal(
                id=f"{turn.id}:{n}", type=ProposalType.QM_ACTION, seed=turn.seed, generator=GENERATOR,
                params={"turn_id": turn.id, "turn_reason": turn.reason.value}, trigger=None,
                trace=[*turn.trace, entry], payload=payload.model_dump(mode="json"),
                tags={"questmaker_id": turn.questmaker_id, "quest_id": turn.quest_id},
                dependencies=[], state=ProposalState.ENRICHED, created_at=now))
        return out, result
