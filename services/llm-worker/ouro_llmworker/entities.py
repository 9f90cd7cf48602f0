"""What in a draft gets flavour: one entity per template in the payload, with the facts a writer needs.

The primary entity (the NPC of an NPC draft, the quest of a QUEST draft, …) writes plain flavour
keys (`name`, `description`, …); every other entity writes `<template id>.<field>` (the field is
after the last dot). Facts are read from the payload defensively: a draft is checked by the gate
later, so a missing or odd field here only means a vaguer prompt, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ouro_schemas.proposal import Proposal, ProposalType

NPC_FIELDS = ("name", "description", "barks", "dialogue")
PLAIN_FIELDS = ("name", "description")


@dataclass(frozen=True)
class Entity:
    prefix: str  # "" for the primary entity, else "<template id>."
    kind: str  # npc | item | quest | building | block | event | expansion
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.prefix.rstrip(".") or "primary"

    @property
    def fields(self) -> tuple[str, ...]:
        return NPC_FIELDS if self.kind == "npc" else PLAIN_FIELDS


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _theme(p: Proposal) -> str:
    for key in ("theme", "district_theme"):
        value = p.tags.get(key, p.params.get(key))
        if isinstance(value, str):
            return value
    return ""


def _npc(a: dict[str, Any], theme: str) -> dict[str, Any]:
    return {"role": a.get("role", ""), "behavior": a.get("behavior", ""), "level": a.get("level"),
            "threat_level": a.get("threat_level"), "faction_id": a.get("faction_id"),
            "boss": a.get("boss", False), "district_theme": theme, "draft_name": a.get("name", ""),
            "draft_description": a.get("description", ""), "draft_barks": _l(a.get("barks"))[:3],
            "draft_dialogue": _l(a.get("dialogue"))[:3]}


def _item(a: dict[str, Any]) -> dict[str, Any]:
    return {"item_kind": a.get("kind", ""), "slot": a.get("slot", ""), "rarity": a.get("rarity", ""),
            "level": a.get("level"), "effects": [e.get("id") for e in _l(a.get("effects")) if isinstance(e, dict)],
            "draft_name": a.get("name", ""), "draft_description": a.get("description", "")}


def _quest(payload: dict[str, Any], theme: str) -> dict[str, Any]:
    quest = _d(payload.get("quest"))
    nodes = [n for n in _l(quest.get("nodes")) if isinstance(n, dict)]
    start = next((n for n in nodes if n.get("id") == quest.get("start_node")), nodes[0] if nodes else {})
    giver = _d(payload.get("giver"))
    qm = _d(payload.get("questmaker"))
    return {"quest_kind": start.get("kind", ""), "target": start.get("target", ""),
            "location": quest.get("district_id", ""), "giver": giver.get("name") or quest.get("giver_npc_id", ""),
            "difficulty": quest.get("difficulty"), "steps": [n.get("kind") for n in nodes][:10],
            "questmaker": qm.get("name", ""), "questmaker_tags": _l(qm.get("personality_tags"))[:4],
            "district_theme": theme, "draft_name": quest.get("name", ""),
            "draft_description": quest.get("description", "")}


def _building(b: dict[str, Any], theme: str) -> dict[str, Any]:
    return {"storefront": b.get("storefront", ""), "district_id": b.get("district_id", ""),
            "rooms": len(_l(b.get("rooms"))), "district_theme": theme, "draft_name": b.get("name", "")}


def _sub(prefix_id: Any, kind: str, facts: dict[str, Any]) -> Entity | None:
    return Entity(f"{prefix_id}.", kind, facts) if isinstance(prefix_id, str) and prefix_id else None


def _npc_draft(payload: dict[str, Any], theme: str) -> list[Entity | None]:
    return [Entity("", "npc", _npc(_d(payload.get("archetype")), theme))]


def _item_draft(payload: dict[str, Any], theme: str) -> list[Entity | None]:
    return [Entity("", "item", _item(_d(payload.get("archetype"))))]


def _quest_draft(payload: dict[str, Any], theme: str) -> list[Entity | None]:
    giver = _d(payload.get("giver"))
    out = [Entity("", "quest", _quest(payload, theme)), _sub(giver.get("id"), "npc", _npc(giver, theme))]
    out += [_sub(_d(n).get("id"), "npc", _npc(_d(n), theme)) for n in _l(payload.get("extra_npcs"))]
    out += [_sub(_d(i).get("id"), "item", _item(_d(i))) for i in _l(payload.get("extra_items"))]
    return out


def _building_draft(payload: dict[str, Any], theme: str) -> list[Entity | None]:
    out = [Entity("", "building", _building(_d(payload.get("building")), theme))]
    return out + [_sub(_d(n).get("id"), "npc", _npc(_d(n), theme)) for n in _l(payload.get("npcs"))]


def _block_draft(payload: dict[str, Any], theme: str) -> list[Entity | None]:
    block = _d(payload.get("block"))
    out = [Entity("", "block", {"district_id": block.get("district_id", ""), "district_theme": theme,
                                "rooms": len(_l(block.get("rooms")))})]
    return out + [_sub(_d(b).get("id"), "building", _building(_d(b), theme))
                  for b in _l(payload.get("buildings"))]


def _event_draft(payload: dict[str, Any], theme: str) -> list[Entity | None]:
    event = _d(payload.get("event"))
    return [Entity("", "event", {"event_type": event.get("event_type", ""),
                                 "district_id": event.get("district_id") or "",
                                 "draft_description": event.get("text", "")})]


def _expansion_draft(payload: dict[str, Any], theme: str) -> list[Entity | None]:
    return [Entity("", "expansion", {"blocks": len(_l(payload.get("blocks"))), "district_theme": theme})]


_BY_TYPE = {
    ProposalType.NPC: _npc_draft,
    ProposalType.ITEM: _item_draft,
    ProposalType.QUEST: _quest_draft,
    ProposalType.BUILDING: _building_draft,
    ProposalType.BLOCK: _block_draft,
    ProposalType.EVENT: _event_draft,
    ProposalType.WORLD_EXPANSION: _expansion_draft,
}


def entities_of(p: Proposal) -> list[Entity]:
    """The entities of a draft, primary first (none for a QM_ACTION)."""
    build = _BY_TYPE.get(p.type)
    if build is None:
        return []
    return [e for e in build(p.payload, _theme(p)) if e is not None]
