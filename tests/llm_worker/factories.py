"""Drafts and Questmaker turns for the llm-worker tests, valid against the shared payload models."""

from __future__ import annotations

from typing import Any

from ouro_schemas.messages import QmTurn, TurnReason
from ouro_schemas.payloads import ItemPayload, NpcPayload, QuestPayload
from ouro_schemas.proposal import GeneratorRef, Proposal, ProposalState, ProposalType

GEN = GeneratorRef(name="gen-worker.npc", version="1")


def npc_archetype(ident: str = "npc_ganger_1", role: str = "ganger", threat: int = 4) -> dict[str, Any]:
    return {
        "id": ident, "name": "Draft Name", "role": role, "behavior": "aggressive", "level": 5,
        "threat_level": threat, "faction_id": "gang_chrome_jackals",
        "stats": {"max_health": 80, "damage_min": 4, "damage_max": 9, "accuracy": 0.6, "armor": 3,
                  "crit_chance": 0.05},
        "description": "A draft description.", "barks": ["Draft bark."],
    }


def item_archetype(ident: str = "item_blade_1") -> dict[str, Any]:
    return {"id": ident, "name": "Draft Blade", "kind": "weapon", "slot": "weapon", "rarity": "rare",
            "level": 4, "stats": {"damage_min": 5, "damage_max": 12}, "effects": [{"id": "bleed", "magnitude": 2}],
            "value": 300, "description": "A draft blade."}


def npc_draft(seed: int = 7, ident: str = "p-job-npc1", **kw: Any) -> Proposal:
    payload = NpcPayload.model_validate({"archetype": npc_archetype(), "spawn_room_id": "room_1_1"})
    fields: dict[str, Any] = {"state": ProposalState.DRAFTED, **kw}
    return Proposal(id=ident, type=ProposalType.NPC, seed=seed, generator=GEN, job_id=ident[2:],
                    payload=payload.model_dump(mode="json"), tags={"district": "neon_row", "theme": "slums"},
                    **fields)


def item_draft(seed: int = 8, ident: str = "p-job-item1") -> Proposal:
    payload = ItemPayload.model_validate({"archetype": item_archetype()})
    return Proposal(id=ident, type=ProposalType.ITEM, seed=seed, generator=GEN, job_id=ident[2:],
                    payload=payload.model_dump(mode="json"), state=ProposalState.DRAFTED)


def quest_draft(seed: int = 9, ident: str = "p-job-quest1") -> Proposal:
    quest = {
        "id": "quest_crates", "name": "Draft Quest", "description": "Draft quest text.",
        "giver_npc_id": "npc_fixer_1", "district_id": "neon_row", "difficulty": 3,
        "nodes": [{"id": "n1", "kind": "fetch", "target": "item_blade_1", "next": ["n2"],
                   "influence_action": "recovered_crate"},
                  {"id": "n2", "kind": "kill", "target": "npc_ganger_1"}],
        "start_node": "n1", "rewards": {"credits": 100, "xp": 50}, "questmaker_id": "qm_spice",
        "influence_points_map": {"recovered_crate": 20},
    }
    qm = {"id": "qm_spice", "name": "The Spice Lord", "prompt_context": "A spirit of trade.",
          "personality_tags": ["impatient", "mercantile"], "budget_max": 100, "budget_start": 30,
          "regen_per_minute": 1}
    payload = QuestPayload.model_validate({
        "quest": quest, "questmaker": qm, "giver": npc_archetype("npc_fixer_1", "fixer", 2),
        "giver_room_id": "room_1_1", "extra_npcs": [npc_archetype()], "extra_items": [item_archetype()],
    })
    return Proposal(id=ident, type=ProposalType.QUEST, seed=seed, generator=GEN, job_id=ident[2:],
                    payload=payload.model_dump(mode="json"), state=ProposalState.DRAFTED)


def turn(reason: TurnReason = TurnReason.IDLE, *, seed: int = 11, budget: float = 60.0,
         tags: tuple[str, ...] = ("impatient", "cruel"), player_name: str = "Vex",
         ident: str = "turn-1", **kw: Any) -> QmTurn:
    fields: dict[str, Any] = {
        "id": ident, "questmaker_id": "qm_spice", "quest_id": "quest_crates", "player_id": "player_123",
        "reason": reason, "seed": seed, "at": 1000.0, "name": "The Spice Lord",
        "prompt_context": "A benevolent spirit of trade, angered by delays.", "personality_tags": list(tags),
        "budget_current": budget, "budget_max": 100.0, "player_name": player_name,
        "player_status": {"room_id": "forest_path", "health": 80},
        "recent_actions": ["killed_boar", "talked_to_farmer"], "seconds_since_quest_action": 3600.0,
        "quest_progress": {"crates": "0/3"}, "world_state": {"spawnable_templates": ["goblin_patrol"]},
        "quest_entities": [
            {"id": "captain_elias", "kind": "npc", "role": "giver", "name": "Captain Elias",
             "room_id": "port_market"},
            {"id": "goblin_scout_1", "kind": "npc", "room_id": "cave_mouth", "template_id": "goblin_scout"},
        ],
    }
    fields.update(kw)
    return QmTurn(**fields)
