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


# The publisher benchmark's mix (bench/bench_publisher.py, and the gate's golden cases): 40 % NPC with a
# spawn, 40 % item, 20 % block of two rooms, each block on its own growth-point room far east.


def growth_point_world(n: int) -> WorldView:
    """`world()` with the growth-point rooms of `bench_proposals(n, …)`'s blocks."""
    view = world()
    for i in range(n):
        if i % 5 == 4:
            x = 100 + i * 3 - 1
            view.rooms[f"gp-{i}"] = room(f"gp-{i}", x, 0, [("w", "plaza")])
            view.coords[f"{x},0,0"] = f"gp-{i}"
    return view


def bench_proposals(n: int, prefix: str) -> list[Proposal]:
    """`n` proposals of the mix, ids `<prefix>-<i>`; all pass the gate in `growth_point_world(n)`."""
    out = []
    for i in range(n):
        pid = f"{prefix}-{i}"
        kind = i % 5
        if kind in (0, 1):
            out.append(npc_proposal(pid, qty=1))
        elif kind in (2, 3):
            out.append(item_proposal(pid))
        else:
            p = block_proposal(pid)
            x = 100 + i * 3
            p.payload["block"]["growth_point"] = {"room_id": f"gp-{i}", "direction": "e", "x": x, "y": 0}
            rooms = p.payload["block"]["rooms"]
            rooms[0].update(x=x, y=0, exits=[{"direction": "w", "to": f"gp-{i}"},
                                             {"direction": "n", "to": rooms[1]["id"]}])
            rooms[1].update(x=x, y=1)
            out.append(p)
    return out


def open_guardrails() -> Guardrails:
    """Throttles, the rarity window and the economy opened up: the benchmark's mix all passes."""
    return guardrails(**{"throttles.default_per_minute": 10**6,
                         "throttles.per_minute": {t: 10**6 for t in ("NPC", "ITEM", "BLOCK", "QM_ACTION")},
                         "rarity_window.max_per_window": {}, "economy.free_sources": 1e12})


def quest_payload(qid: str = "crate_run") -> dict[str, Any]:
    giver = npc_template(f"{qid}_giver", role="fixer", behavior="quest_giver", credits_min=0, credits_max=0)
    target = npc_template(f"{qid}_thief")
    crate = item_template(f"{qid}_crate", kind="junk", slot="none", stats={}, value=5)
    return {
        "quest": {"id": qid, "name": "Crate Run", "description": "Get the crate back.",
                  "giver_npc_id": giver["id"], "district_id": "market", "difficulty": 2,
                  "nodes": [{"id": "n1", "kind": "kill", "target": target["id"], "next": ["n2"]},
                            {"id": "n2", "kind": "fetch", "target": crate["id"], "next": ["n3"],
                             "influence_action": "recovered_crate"},
                            {"id": "n3", "kind": "deliver", "target": crate["id"], "to": giver["id"]}],
                  "start_node": "n1", "rewards": {"credits": 100, "xp": 50, "item_ids": ["medkit"]},
                  "questmaker_id": f"qm_{qid}", "influence_points_map": {"recovered_crate": 20}},
        "questmaker": {"id": f"qm_{qid}", "name": "The Broker", "prompt_context": "A patient fixer.",
                       "budget_max": 100, "budget_start": 40, "regen_per_minute": 1},
        "giver": giver, "giver_room_id": "plaza", "extra_npcs": [target], "extra_items": [crate],
        "placements": {target["id"]: "north_st", crate["id"]: "east_st"},
    }


def building_payload(bid: str = "noodle_bar") -> dict[str, Any]:
    lobby = room(f"{bid}_lobby", 0, -1, [("n", "plaza"), ("d", f"{bid}_cellar")])
    lobby["kind"] = "lobby"
    cellar = room(f"{bid}_cellar", 0, -1, [("u", f"{bid}_lobby")])
    cellar["z"] = -1
    cook = npc_template(f"{bid}_cook", role="vendor", behavior="merchant", credits_max=10)
    return {"building": {"id": bid, "name": "Noodle Bar", "district_id": "market", "storefront": "bar",
                         "rooms": [lobby, cellar], "entrance_room_id": f"{bid}_lobby", "street_room_id": "plaza",
                         "entrance_direction": "s"},
            "npcs": [cook], "placements": {f"{bid}_cook": f"{bid}_lobby"}}
