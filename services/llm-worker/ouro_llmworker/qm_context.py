"""What a Questmaker turn lets a call refer to: the turn's player, quest NPCs, rooms, templates.

These come from the engine and the director (trusted), never from player text; they become enums in
the schema and membership checks on the answer, so a model cannot aim a tool at anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ouro_schemas.content import EVENT_TYPES, is_safe_id
from ouro_schemas.messages import QmTurn, TurnReason

SITUATION: dict[TurnReason, str] = {
    TurnReason.PROGRESS: "progress",
    TurnReason.IDLE: "idle",
    TurnReason.DEVIATION: "deviation",
    TurnReason.FAILURE: "failure",
    TurnReason.COMPLETION: "completion",
    TurnReason.RETRY_BUDGET: "idle",
}


def _ids(values: Any) -> list[str]:
    out: list[str] = []
    for value in values if isinstance(values, list | tuple | set) else []:
        if is_safe_id(value) and value not in out:
            out.append(value)
    return out[:30]


@dataclass(frozen=True)
class TurnContext:
    player_id: str
    npcs: tuple[str, ...]  # NPC entity ids (or template ids) tied to the quest
    giver: str | None  # the quest giver's id if known: messages are relayed through it
    rooms: tuple[str, ...]  # the player's room first
    templates: tuple[str, ...]  # spawnable NPC/item template ids
    items: tuple[str, ...]  # item template ids (rewards)
    event_types: tuple[str, ...]
    district_id: str | None = None  # where a triggered event happens

    @property
    def player_room(self) -> str | None:
        return self.rooms[0] if self.rooms else None


def context_of(turn: QmTurn) -> TurnContext:
    npcs: list[str] = []
    items: list[str] = []
    rooms = _ids([turn.player_status.get("room_id")])
    templates: list[str] = []
    giver: str | None = None
    for entity in turn.quest_entities[:30]:
        kind = entity.get("kind")
        ident = _ids([entity.get("id")])
        target = _ids([entity.get("target")])
        if kind == "npc" and ident:
            npcs += ident
            if entity.get("role") == "giver" and giver is None:
                giver = ident[0]
        elif kind == "item":
            items += _ids([entity.get("template_id", entity.get("id"))])
        elif kind == "room":
            rooms += ident
        # The director's shape: one entry per quest node {node, kind, target, to}.
        elif kind in ("kill", "talk"):
            npcs += target
            templates += target if kind == "kill" else []
        elif kind in ("fetch", "deliver"):
            items += target
            npcs += _ids([entity.get("to")])
        elif kind == "go_to":
            rooms += target
        rooms += _ids([entity.get("room_id")])
        templates += _ids([entity.get("template_id")])
    rooms += _ids(turn.world_state.get("room_ids"))
    district = turn.world_state.get("district")
    district_id = district.get("id") if isinstance(district, dict) else None
    templates += _ids(turn.world_state.get("spawnable_templates"))
    return TurnContext(
        player_id=turn.player_id,
        npcs=tuple(dict.fromkeys(npcs)),
        giver=giver or (npcs[0] if npcs else None),
        rooms=tuple(dict.fromkeys(rooms)),
        templates=tuple(dict.fromkeys(templates)),
        items=tuple(dict.fromkeys(items)),
        event_types=tuple(EVENT_TYPES),
        district_id=district_id if is_safe_id(district_id) else None,
    )
