"""Every proposal type through the gate and the patch builder; every Questmaker tool; commit-level budgets."""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_publisher import patches
from ouro_publisher.app import Publisher
from ouro_publisher.gate import run_gate
from ouro_publisher.inventory import inventory
from ouro_publisher.types import WindowState
from ouro_publisher.world import candidates
from ouro_schemas import budget, names
from ouro_schemas.content import ItemArchetype
from ouro_schemas.messages import AddTemplate, Spawn
from ouro_schemas.proposal import ProposalType
from tests.publisher import factories as f
from tests.publisher.conftest import drain, patches_on_stream

G = f.guardrails()


def test_quest_passes_and_its_patch_adds_and_spawns_everything() -> None:
    p = f.proposal(ProposalType.QUEST, f.quest_payload(), "p-quest")
    result = run_gate(p, f.world(), G, WindowState())
    assert result.ok, result.reason
    ops, inverse = patches.build_patch(p, result.model, inventory(p.type, result.model), f.world())
    added = [op.template_id for op in ops if isinstance(op, AddTemplate)]
    assert added == ["crate_run", "qm_crate_run", "crate_run_giver", "crate_run_thief", "crate_run_crate"]
    spawns = [(op.template_id, op.room_id, op.entity_ids) for op in ops if isinstance(op, Spawn)]
    assert spawns == [("crate_run_giver", "plaza", ["p-quest:0"]), ("crate_run_thief", "north_st", ["p-quest:1"]),
                      ("crate_run_crate", "east_st", ["p-quest:2"])]
    assert len(inverse) == len(ops)


def test_quest_with_missing_references_names_them() -> None:
    payload = f.quest_payload()
    payload["quest"]["nodes"][0]["target"] = "ghost_npc"
    payload["quest"]["rewards"]["item_ids"] = ["street_thug"]  # an NPC, not an item
    payload["placements"]["crate_run_thief"] = "nowhere"
    result = run_gate(f.proposal(ProposalType.QUEST, payload), f.world(), G, WindowState())
    reasons = [(v.rule, v.path) for v in result.failures]
    assert ("integrity.template", "payload.quest.nodes[0].target") in reasons
    assert ("integrity.template", "payload.quest.rewards.item_ids[0]") in reasons
    assert ("integrity.room", "payload.placements.crate_run_thief") in reasons


def test_building_passes_with_entrance_and_way_back() -> None:
    p = f.proposal(ProposalType.BUILDING, f.building_payload(), "p-bld")
    world = f.world()
    result = run_gate(p, world, G, WindowState())
    assert result.ok, result.reason
    ops, inverse = patches.build_patch(p, result.model, inventory(p.type, result.model), world)
    names_ = [type(op).__name__ for op in ops]
    assert names_ == ["AddTemplate", "AddTemplate", "AddRooms", "AddExit", "Spawn"]
    assert [type(op).__name__ for op in inverse] == ["Despawn", "RemoveExit", "RemoveRooms", "RemoveTemplate",
                                                     "RemoveTemplate"]


def test_world_read_names_ids_not_field_names() -> None:
    """What the publisher fetches for a proposal: the ids and coordinates in it (placement keys are
    template ids), not the payload's field names."""
    ids, coords = candidates(f.proposal(ProposalType.QUEST, f.quest_payload(), "p-q"))
    assert {"crate_run_thief", "crate_run_crate", "north_st", "east_st", "plaza", "medkit", "market"} <= set(ids)
    assert not {"stats", "quest", "nodes", "rewards", "placements", "damage_max", "budget_max"} & set(ids)
    assert coords == []
    ids, coords = candidates(f.block_proposal("p-b"))
    assert ids == ["block-p-b", "east_st", "market", "p-b-a", "p-b-b"] and coords == ["2,0,0", "2,1,0"]


def test_building_cannot_repoint_an_existing_exit() -> None:
    payload = f.building_payload()
    payload["building"]["entrance_direction"] = "n"  # plaza already has n -> north_st
    result = run_gate(f.proposal(ProposalType.BUILDING, payload), f.world(), G, WindowState())
    assert "compat.exit_repointed" in {v.rule for v in result.failures}


def test_event_and_shop_stock() -> None:
    ev = f.proposal(ProposalType.EVENT, {"event": {"id": "blackout-1", "event_type": "blackout",
                                                  "district_id": "market", "duration_s": 600,
                                                  "text": "The grid goes dark, block by block."}})
    r = run_gate(ev, f.world(), G, WindowState())
    assert r.ok, r.reason
    ops, inverse = patches.build_patch(ev, r.model, inventory(ev.type, r.model), f.world())
    assert [type(o).__name__ for o in ops] == ["StartEvent"] and [type(o).__name__ for o in inverse] == ["EndEvent"]
    assert ops[0].text == "The grid goes dark, block by block."  # the players it touches are told this
    bad = f.proposal(ProposalType.EVENT, {"event": {"id": "x", "event_type": "alien_invasion", "duration_s": 6}})
    assert not run_gate(bad, f.world(), G, WindowState()).ok
    item = f.item_proposal("p-stock", value=30)
    item.payload["shop_id"] = "noodle_shop"
    r = run_gate(item, f.world(), G, WindowState())
    assert r.ok and r.usage.sinks == 30
    ops, inverse = patches.build_patch(item, r.model, inventory(item.type, r.model), f.world())
    shop = next(o for o in ops if isinstance(o, AddTemplate) and o.template_id == "noodle_shop")
    assert shop.template["stock"] == ["medkit", "item_p-stock"]
    assert next(o for o in inverse if isinstance(o, AddTemplate)).template["stock"] == ["medkit"]


def test_patch_from_the_gates_payload_is_the_patch_from_the_model() -> None:
    """The commit builds the patch from the payload JSON the gate already made; the same ops as dumping
    every template and room again, for every payload type."""
    world_exp = {"blocks": [f.block_proposal("p-w1").payload["block"]]}
    cases = [f.npc_proposal("p-n"), f.item_proposal("p-i"), f.block_proposal("p-b"),
             f.proposal(ProposalType.QUEST, f.quest_payload(), "p-q"),
             f.proposal(ProposalType.BUILDING, f.building_payload(), "p-bd"),
             f.proposal(ProposalType.WORLD_EXPANSION, world_exp, "p-w")]
    for p in cases:
        result = run_gate(p, f.world(), G, WindowState())
        assert result.model is not None and result.payload is not None, result.reason
        inv = inventory(p.type, result.model)
        fast = patches.build_patch(p, result.model, inv, f.world(), result.payload)
        slow = patches.build_patch(p, result.model, inv, f.world())
        assert msgspec.json.encode(fast) == msgspec.json.encode(slow), p.type
        assert any(isinstance(op, AddTemplate) for op in fast[0]), p.type
        if p.type == ProposalType.NPC:  # taken from the payload, not dumped again
            assert next(op for op in fast[0] if isinstance(op, AddTemplate)).template is result.payload["archetype"]


VALID_CALLS: list[tuple[str, dict[str, Any], int]] = [
    ("send_message", {"target_player_id": "alice", "message": "The docks. Midnight.", "via_npc_id": "thug_1"}, 10),
    ("QUESTMAKER_memorize", {"player_id": "alice", "memory_string": "Paid in full, on time."}, 5),
    ("change_npc_behavior_to_player", {"npc_id": "thug_1", "player_id": "alice", "behavior_type": "hostile"}, 15),
    ("change_npc_behavior", {"npc_id": "street_thug", "behavior": "patrol"}, 10),
    ("change_npc_stats", {"npc_id": "thug_1", "stat_changes": {"max_health": 20, "damage": 2}}, 20),
    ("change_room_info", {"room_id": "plaza", "property_changes": {"lock_exit": "n",
                                                                   "description_add": "Sirens wail."}}, 15),
    ("trigger_world_event", {"event_type": "gang_war", "district_id": "market"}, 30),
    ("spawn_entity", {"entity_type": "street_thug", "location": "north_st", "quantity": 2}, 30),
    ("grant_player_reward", {"player_id": "alice", "reward_type": "item", "reward_id": "rusty_blade"}, 10),
]


@pytest.mark.parametrize(("tool", "params", "cost"), VALID_CALLS, ids=[c[0] for c in VALID_CALLS])
def test_every_questmaker_tool_passes_with_valid_ids(tool: str, params: dict[str, Any], cost: int) -> None:
    p = f.qm_proposal(tool, params, cost)
    result = run_gate(p, f.world(), G, WindowState())
    assert result.ok, result.reason
    ops, inverse = patches.build_patch(p, result.model, None, f.world())
    assert [type(o).__name__ for o in ops] == ["QmAction"]
    if tool == "spawn_entity":
        assert ops[0].params["entity_ids"] == ["turn-1:0:0", "turn-1:0:1"]  # type: ignore[union-attr]
        assert [type(o).__name__ for o in inverse] == ["Despawn"]


def test_qm_unknown_ids_are_named() -> None:
    cases = [
        ("change_room_info", {"room_id": "plaza", "property_changes": {"lock_exit": "w"}}, 15, "has no exit w"),
        ("trigger_world_event", {"event_type": "alien_invasion"}, 30, "unknown event type"),
        ("change_npc_behavior", {"npc_id": "ghost", "behavior": "patrol"}, 10, "unknown NPC 'ghost'"),
        ("grant_player_reward", {"player_id": "alice", "reward_type": "item", "reward_id": "nope"}, 10,
         "unknown item template"),
    ]
    for tool, params, cost, why in cases:
        result = run_gate(f.qm_proposal(tool, params, cost), f.world(), G, WindowState())
        assert why in result.reason, (tool, result.reason)


async def test_committed_items_and_npcs_never_exceed_their_budgets(publisher: Publisher, redis: Redis) -> None:
    """300 random items and NPCs through the real consumer: everything on world.patches is within budget."""
    rnd = random.Random(3)
    g = publisher.guardrails
    for i in range(150):
        dmg = rnd.randrange(0, 90)
        await publisher.svc.bus.publish(names.GEN_ENRICHED, f.item_proposal(
            f"p-ri-{i}", rarity=rnd.choice(["common", "uncommon", "rare", "epic"]), level=rnd.randrange(1, 40),
            stats={"damage_min": dmg // 2, "damage_max": dmg, "crit_chance": rnd.random() * 0.3},
            value=rnd.randrange(0, 3000)))
        await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal(
            f"p-rn-{i}", credits_max=rnd.randrange(0, 1200), qty=rnd.randrange(0, 3)))
    await drain(publisher, names.GEN_ENRICHED)
    committed = await patches_on_stream(redis)
    assert 50 < len(committed) < 300  # some pass, some do not
    for patch in committed:
        for op in patch.ops:
            if isinstance(op, AddTemplate) and op.template_type == "item":
                item = ItemArchetype.model_validate(op.template)
                assert budget.item_power_points(item) <= budget.item_point_range(item.rarity, item.level)[1]
                assert item.stats.damage_max <= 50
            if isinstance(op, AddTemplate) and op.template_type == "npc":
                assert op.template["credits_max"] <= g.economy.max_credit_drop
    _ = msgspec
