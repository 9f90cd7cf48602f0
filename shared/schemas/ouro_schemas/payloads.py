"""Proposal payloads, one model per ProposalType: what the gate validates `Proposal.payload` against.

The stats in a payload are set by code (gen-worker, admin edits); an LLM only ever writes `flavor`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from ouro_schemas.content import (
    Block,
    Building,
    Id,
    ItemArchetype,
    NpcArchetype,
    QuestBlueprint,
    Questmaker,
    Strict,
    WorldEventInstance,
)
from ouro_schemas.proposal import ProposalType


class NpcPayload(Strict):
    archetype: NpcArchetype
    spawn_room_id: Id | None = None  # None: a template only
    quantity: Annotated[int, Field(ge=0, le=20)] = 1


class ItemPayload(Strict):
    archetype: ItemArchetype
    spawn_room_id: Id | None = None
    quantity: Annotated[int, Field(ge=0, le=20)] = 1
    shop_id: Id | None = None  # stock it in this shop


class QuestPayload(Strict):
    quest: QuestBlueprint
    questmaker: Questmaker
    giver: NpcArchetype | None = None  # a new giver NPC, spawned at giver_room_id
    giver_room_id: Id | None = None
    extra_npcs: list[NpcArchetype] = Field(default_factory=list, max_length=10)  # kill/talk targets
    extra_items: list[ItemArchetype] = Field(default_factory=list, max_length=10)  # fetch/deliver items
    placements: dict[Id, Id] = Field(default_factory=dict)  # template id -> room id to spawn it in


class BuildingPayload(Strict):
    building: Building
    npcs: list[NpcArchetype] = Field(default_factory=list, max_length=10)
    placements: dict[Id, Id] = Field(default_factory=dict)


class BlockPayload(Strict):
    block: Block
    buildings: list[Building] = Field(default_factory=list, max_length=20)


class EventPayload(Strict):
    event: WorldEventInstance


class WorldExpansionPayload(Strict):
    blocks: list[Block] = Field(min_length=1, max_length=25)


class QmActionPayload(Strict):
    questmaker_id: Id
    quest_id: Id
    player_id: Id
    tool: Annotated[str, Field(max_length=60)]
    params: dict[str, Any]
    cost: Annotated[int, Field(ge=0, le=1000)]
    reason: Annotated[str, Field(max_length=400)] = ""
    turn_id: Annotated[str, Field(max_length=100)] = ""


PAYLOAD_MODELS: dict[ProposalType, type[BaseModel]] = {
    ProposalType.NPC: NpcPayload,
    ProposalType.ITEM: ItemPayload,
    ProposalType.QUEST: QuestPayload,
    ProposalType.BUILDING: BuildingPayload,
    ProposalType.BLOCK: BlockPayload,
    ProposalType.EVENT: EventPayload,
    ProposalType.WORLD_EXPANSION: WorldExpansionPayload,
    ProposalType.QM_ACTION: QmActionPayload,
}
