"""The Questmaker tool registry (DESIGN §7): each tool's parameters and cost range.

One registry serves three readers: the llm-worker (tool schemas for the model), the publisher
(rejects unknown tools, bad parameters, costs out of range) and the engine (applies them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ouro_schemas.content import Id, Strict

Message = Annotated[str, Field(min_length=1, max_length=400)]
BehaviorToPlayer = Literal["friendly", "hostile", "neutral", "fearful", "helpful"]
NpcBehaviorChange = Literal[
    "more_alert_and_aggressive", "patrol", "flee", "calm", "guard", "wander", "follow_player"
]


class SendMessage(Strict):
    target_player_id: Id
    message: Message
    via_npc_id: Id | None = None  # an NPC entity or template id in the world


class Memorize(Strict):
    player_id: Id
    memory_string: Annotated[str, Field(min_length=1, max_length=300)]


class ChangeNpcBehaviorToPlayer(Strict):
    npc_id: Id
    player_id: Id
    behavior_type: BehaviorToPlayer
    memory_entry: Annotated[str, Field(max_length=300)] | None = None


class ChangeNpcBehavior(Strict):
    npc_id: Id
    behavior: NpcBehaviorChange


class StatChanges(Strict):
    """Relative changes; the gate bounds them (guardrails) and the engine clamps to schema bounds."""

    max_health: Annotated[int, Field(ge=-500, le=500)] = 0
    damage: Annotated[int, Field(ge=-20, le=20)] = 0
    armor: Annotated[int, Field(ge=-20, le=20)] = 0
    accuracy: Annotated[float, Field(ge=-0.3, le=0.3)] = 0.0


class ChangeNpcStats(Strict):
    npc_id: Id
    stat_changes: StatChanges


class RoomPropertyChanges(Strict):
    lock_exit: Literal["n", "s", "e", "w", "ne", "nw", "se", "sw", "u", "d"] | None = None
    unlock_exit: Literal["n", "s", "e", "w", "ne", "nw", "se", "sw", "u", "d"] | None = None
    description_add: Annotated[str, Field(max_length=300)] | None = None


class ChangeRoomInfo(Strict):
    room_id: Id
    property_changes: RoomPropertyChanges


class TriggerWorldEvent(Strict):
    event_type: Id  # from content.EVENT_TYPES
    details: Annotated[str, Field(max_length=300)] | None = None
    district_id: Id | None = None


class SpawnEntity(Strict):
    entity_type: Id  # a known NPC or item template id
    location: Id  # room id
    quantity: Annotated[int, Field(ge=1, le=5)] = 1


class GrantPlayerReward(Strict):
    player_id: Id
    reward_type: Literal["skill", "spell", "item", "credits", "xp"]
    reward_id: Id
    quantity: Annotated[int, Field(ge=1, le=10)] = 1


@dataclass(frozen=True)
class ToolSpec:
    name: str
    params: type[BaseModel]
    cost_min: int
    cost_max: int
    summary: str


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec("send_message", SendMessage, 5, 15, "Send the player a message, optionally through an NPC."),
        ToolSpec("QUESTMAKER_memorize", Memorize, 5, 5, "Remember something about a player."),
        ToolSpec("change_npc_behavior_to_player", ChangeNpcBehaviorToPlayer, 10, 30,
                 "Change how one NPC treats one player."),
        ToolSpec("change_npc_behavior", ChangeNpcBehavior, 10, 30, "Change an NPC's general behaviour."),
        ToolSpec("change_npc_stats", ChangeNpcStats, 15, 40, "Adjust an NPC's stats within bounds."),
        ToolSpec("change_room_info", ChangeRoomInfo, 10, 30, "Lock/unlock an exit or add to a description."),
        ToolSpec("trigger_world_event", TriggerWorldEvent, 20, 50, "Start a registered world event."),
        ToolSpec("spawn_entity", SpawnEntity, 25, 60, "Spawn a known NPC or item template."),
        ToolSpec("grant_player_reward", GrantPlayerReward, 5, 50, "Reward a player."),
    )
}

CHEAPEST_TOOL_COST: int = min(spec.cost_min for spec in TOOLS.values())


class ToolCall(Strict):
    """One call as a model returns it (validated again against TOOLS[tool].params)."""

    tool_name: Annotated[str, Field(max_length=60)]
    parameters: dict[str, Any]
    cost: Annotated[int, Field(ge=0, le=1000)]
    reason: Annotated[str, Field(max_length=400)] = ""


class ToolCallList(Strict):
    questmaker_id: Id
    proposed_actions: list[ToolCall] = Field(max_length=5)


def check_tool_call(call: ToolCall) -> list[str]:
    """Problems with one call against the registry (empty = fine). Never raises."""
    spec = TOOLS.get(call.tool_name)
    if spec is None:
        return [f"unknown tool {call.tool_name!r}"]
    problems: list[str] = []
    if not spec.cost_min <= call.cost <= spec.cost_max:
        problems.append(f"cost {call.cost} outside {spec.cost_min}-{spec.cost_max} for {spec.name}")
    try:
        spec.params.model_validate(call.parameters)
    except Exception as exc:  # pydantic.ValidationError; kept broad so a hostile payload cannot escape
        from ouro_schemas.errors import describe_error

        problems.extend(describe_error(exc))
    return problems
