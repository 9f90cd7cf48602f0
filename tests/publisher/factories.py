"""Factories for the publisher tests: a small world view and proposals of every type."""

from __future__ import annotations

import copy
from typing import Any

from ouro_publisher.types import WorldView
from ouro_schemas.guardrails import Filters, Guardrails
from ouro_schemas.proposal import GeneratorRef, Proposal, ProposalState, ProposalType

GEN = GeneratorRef(name="test", version="1")

BANNED = ["fuck", "shit", "bitch"]
THEMES = {"self_harm": ["suicide", "kill yourself"], "extremism": ["nazi"]}


def guardrails(**overrides: Any) -> Guardrails:
    g = Guardrails(filters=Filters(banned_words=BANNED, banned_themes=THEMES))
    data = g.model_dump(mode="json")
    for dotted, value in overrides.items():
        node = data
        parts = dotted.split(".")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
    return Guardrails.model_validate(data)


def room(rid: str, x: int, y: int, exits: list[tuple[str, str]], district: str = "market") -> dict[str, Any]:
    return {"id": rid, "name": rid.replace("_", " ").title(), "description": f"The {rid}.",
            "district_id": district, "kind": "street", "x": x, "y": y, "z": 0,
            "exits": [{"direction": d, "to": t} for d, t in exits]}


def npc_template(nid: str = "street_thug", **kw: Any) -> dict[str, Any]:
    t = {"id": nid, "name": "Street Thug", "role": "ganger", "behavior": "aggressive", "level": 2,
         "threat_level": 2, "stats": {"max_health": 30, "damage_min": 2, "damage_max": 5, "accuracy": 0.6,
                                      "armor": 1, "crit_chance": 0.05},
         "credits_min": 1, "credits_max": 20, "xp": 10, "description": "A thug in a cheap jacket."}
    t.update(kw)
    return t


def item_template(iid: str = "rusty_blade", **kw: Any) -> dict[str, Any]:
    t = {"id": iid, "name": "Rusty Blade", "kind": "weapon", "slot": "weapon", "rarity": "common",
         "level": 1, "stats": {"damage_min": 3, "damage_max": 7}, "value": 20,
         "description": "A blade with more rust than edge."}
    t.update(kw)
    return t


def world() -> WorldView:
    rooms = {
        "plaza": room("plaza", 0, 0, [("n", "north_st"), ("e", "east_st")]),
        "north_st": room("north_st", 0, 1, [("s", "plaza")]),
        "east_st": room("east_st", 1, 0, [("w", "plaza")]),
    }
    coords = {f"{r['x']},{r['y']},0": rid for rid, r in rooms.items()}
    return WorldView(
        rooms=rooms, coords=coords,
        templates={
            "street_thug": {"type": "npc", "template": npc_template()},
            "rusty_blade": {"type": "item", "template": item_template()},
            "medkit": {"type": "item", "template": item_template("medkit", kind="consumable", slot="none",
                                                                 stats={"heal": 20}, value=30)},
            "legend_gun": {"type": "item", "template": item_template(
                "legend_gun", rarity="legendary", stats={"damage_min": 40, "damage_max": 50}, value=9000)},
            "noodle_shop": {"type": "shop", "template": {"id": "noodle_shop", "name": "Noodles",
                                                         "room_id": "plaza", "stock": ["medkit"]}},
            "find_the_crate": {"type": "quest", "template": {"id": "find_the_crate"}},
        },
        entities={"thug_1": {"id": "thug_1", "kind": "npc", "template_id": "street_thug", "room_id": "plaza",
                             "holder_id": None, "origin": "base"},
                  "alice": {"id": "alice", "kind": "player", "room_id": "plaza", "holder_id": None}},
        players={"alice"},
        districts={"market": {"id": "market", "name": "Market", "threat_level": 2, "theme": "market",
                              "faction_id": "vendors", "description": "Stalls."}},
        questmakers={"qm_fixer": {"id": "qm_fixer", "budget_current": 100.0, "budget_max": 200.0}},
        economy={"inflation": 0.0},
    )


def proposal(ptype: ProposalType, payload: dict[str, Any], pid: str = "p-job-1",
             flavor: dict[str, Any] | None = None, **kw: Any) -> Proposal:
    return Proposal(id=pid, type=ptype, seed=1, generator=GEN, payload=copy.deepcopy(payload),
                    flavor=flavor or {}, state=ProposalState.ENRICHED, created_at=kw.pop("created_at", 1.0), **kw)


def npc_proposal(pid: str = "p-job-npc", spawn: str | None = "plaza", qty: int = 2, **kw: Any) -> Proposal:
    return proposal(ProposalType.NPC, {"archetype": npc_template(f"npc_{pid.replace(':', '_')}", **kw),
                                       "spawn_room_id": spawn, "quantity": qty}, pid)


def item_proposal(pid: str = "p-job-item", **kw: Any) -> Proposal:
    spawn = kw.pop("spawn_room_id", "plaza")
    return proposal(ProposalType.ITEM, {"archetype": item_template(f"item_{pid.replace(':', '_')}", **kw),
                                        "spawn_room_id": spawn, "quantity": 1}, pid)


def block_proposal(pid: str = "p-job-block") -> Proposal:
    a = room(f"{pid}-a", 2, 0, [("w", "east_st"), ("n", f"{pid}-b")])
    b = room(f"{pid}-b", 2, 1, [("s", f"{pid}-a")])
    block = {"id": f"block-{pid}", "district_id": "market",
             "growth_point": {"room_id": "east_st", "direction": "e", "x": 2, "y": 0},
             "rooms": [a, b]}
    return proposal(ProposalType.BLOCK, {"block": block}, pid)


def qm_proposal(tool: str, params: dict[str, Any], cost: int, pid: str = "turn-1:0") -> Proposal:
    return proposal(ProposalType.QM_ACTION, {"questmaker_id": "qm_fixer", "quest_id": "find_the_crate",
                                             "player_id": "alice", "tool": tool, "params": params,
                                             "cost": cost}, pid)
