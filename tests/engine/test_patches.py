"""Patches: atomicity, idempotency, undo, rejection reasons, compatibility rules, Questmaker budgets."""

from __future__ import annotations

from typing import Any

import msgspec

from ouro_engine import components as k
from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_engine.patches import decode_patch
from ouro_engine.persistence import entity_json
from ouro_engine.rooms import room_to_json
from ouro_engine.settings import EngineSettings
from ouro_schemas import messages as m
from tests.engine.conftest import Player, signed, tick_for

NEW_ROOM = {"id": "annex", "name": "Annex", "description": "New.", "district_id": "slums", "x": 3, "y": 0,
            "exits": [{"direction": "w", "to": "dead-end"}], "origin": "p-1"}
NPC_TPL = {"id": "rat-king", "name": "Rat King", "role": "boss", "behavior": "idle", "level": 5, "threat_level": 5,
           "stats": {"max_health": 80, "damage_min": 4, "damage_max": 9, "accuracy": 0.7, "armor": 3},
           "description": "A crown of tails.", "boss": True, "origin": "p-1"}


def snapshot(core: Core) -> dict[str, Any]:
    g = core.game
    return {
        "entities": {e: entity_json(g, e) for e in g.world.entities()},
        "rooms": {r: room_to_json(room) for r, room in g.map.rooms.items()},
        "templates": sorted(g.templates.type_of),
        "qms": {q: msgspec.to_builtins(s) for q, s in g.qms.items()},
        "events": sorted(g.events_active),
    }


def good_ops() -> list[Any]:
    return [
        m.AddTemplate(template_type="npc", template_id="rat-king", template=NPC_TPL),
        m.AddRooms(rooms=[NEW_ROOM]),
        m.AddExit(room_id="dead-end", direction="e", to_room_id="annex"),
        m.Spawn(template_id="rat-king", room_id="annex", entity_ids=["p-1:0"]),
    ]


def test_patch_applies_and_reports(core: Core, settings: EngineSettings) -> None:
    result = core.patcher.apply(signed(settings, "p-1", good_ops()))
    assert result.status == m.PatchStatus.APPLIED, result.reason
    assert result.spawned == ["p-1:0"]
    assert core.game.map.rooms["dead-end"].exits["e"] == "annex"
    assert core.game.world.comp("p-1:0", k.Identity).template_id == "rat-king"
    assert [type(op).__name__ for op in result.inverse] == ["Despawn", "RemoveExit", "RemoveRooms", "RemoveTemplate"]


def test_fifth_op_failing_leaves_no_trace(core: Core, settings: EngineSettings) -> None:
    before = snapshot(core)
    ops = [*good_ops(), m.Spawn(template_id="no-such-template", room_id="annex", entity_ids=["p-1:1"])]
    result = core.patcher.apply(signed(settings, "p-1", ops))
    assert result.status == m.PatchStatus.REJECTED
    assert "op 5 (Spawn)" in result.reason and "no-such-template" in result.reason
    assert snapshot(core) == before


def test_same_patch_twice_applies_once(core: Core, settings: EngineSettings) -> None:
    patch = signed(settings, "p-1", good_ops())
    first = core.patcher.apply(patch)
    after_first = snapshot(core)
    second = core.patcher.apply(patch)
    assert second == first
    assert snapshot(core) == after_first


def test_undo_restores_the_world(core: Core, settings: EngineSettings) -> None:
    before = snapshot(core)
    result = core.patcher.apply(signed(settings, "p-1", good_ops()))
    undo = core.patcher.apply(signed(settings, "undo:p-1", result.inverse, m.PatchKind.UNDO, "p-1"))
    assert undo.status == m.PatchStatus.APPLIED, undo.reason
    core.tick()  # deferred deletions purge at the tick boundary
    assert snapshot(core) == before


def test_bad_signature_rejected_and_not_recorded(core: Core, settings: EngineSettings) -> None:
    patch = signed(settings, "p-1", good_ops())
    forged = msgspec.structs.replace(patch, ops=[*patch.ops, m.Despawn(entity_ids=["npc:fixer:spawn:0"])])
    result = core.patcher.apply(forged)
    assert result.status == m.PatchStatus.REJECTED and "signature" in result.reason
    unsigned = msgspec.structs.replace(patch, signature="")
    assert core.patcher.apply(unsigned).status == m.PatchStatus.REJECTED
    assert core.patcher.apply(patch).status == m.PatchStatus.APPLIED  # the real one still goes through


def test_unknown_op_and_missing_references_rejected(core: Core, settings: EngineSettings) -> None:
    before = snapshot(core)
    cases = [
        ([m.AddExit(room_id="nowhere", direction="n", to_room_id="spawn")], "unknown room 'nowhere'"),
        ([m.Spawn(template_id="rat", room_id="spawn", entity_ids=["npc:rat:alley:0"])], "already exists"),
        ([m.QmAction(questmaker_id="qm-fixer", tool="summon_dragon", params={}, cost=5)], "unknown tool"),
        ([m.QmAction(questmaker_id="qm-nobody", tool="QUESTMAKER_memorize",
                     params={"player_id": "player:ann", "memory_string": "x"}, cost=5)], "unknown questmaker"),
        ([m.StartEvent(event_id="ev1", event_type="alien_invasion", duration_s=10)], "unknown event type"),
    ]
    for i, (ops, reason) in enumerate(cases):
        result = core.patcher.apply(signed(settings, f"bad-{i}", ops))
        assert result.status == m.PatchStatus.REJECTED and reason in result.reason, result.reason
    assert snapshot(core) == before


def test_unknown_op_does_not_decode_and_is_rejected_with_reason() -> None:
    raw = b'{"id": "p-x", "proposal_id": "p-x", "kind": "apply", "ops": [{"op": "frobnicate"}], "signature": "s"}'
    result = decode_patch(raw)
    assert isinstance(result, m.PatchResult)
    assert result.status == m.PatchStatus.REJECTED and result.patch_id == "p-x"
    assert "frobnicate" in result.reason and "ops[0]" in result.reason


def test_forbidden_changes_rejected(core: Core, settings: EngineSettings) -> None:
    cases = [
        ([m.AddExit(room_id="spawn", direction="n", to_room_id="bar")], "never re-pointed"),
        ([m.RemoveExit(room_id="spawn", direction="n")], "never removed"),
        ([m.RemoveRooms(room_ids=["dead-end"])], "base content"),
        ([m.RemoveTemplate(template_id="rat")], "base content"),
        ([m.Despawn(entity_ids=["player:ann"])], "unknown"),
    ]
    for i, (ops, reason) in enumerate(cases):
        result = core.patcher.apply(signed(settings, f"forbidden-{i}", ops))
        assert result.status == m.PatchStatus.REJECTED and reason in result.reason, result.reason


def test_players_and_player_owned_items_are_never_despawned(core: Core, settings: EngineSettings,
                                                           ann: Player) -> None:
    ann.do("n")
    ann.do("buy pipe")
    pipe = core.game.world.comp(ann.pid, k.Inventory).items[0]
    r1 = core.patcher.apply(signed(settings, "d1", [m.Despawn(entity_ids=[ann.pid])]))
    r2 = core.patcher.apply(signed(settings, "d2", [m.Despawn(entity_ids=[pipe])]))
    assert "players are never despawned" in r1.reason
    assert "player-owned" in r2.reason


def qm(tool: str, cost: int, **params: Any) -> m.QmAction:
    return m.QmAction(questmaker_id="qm-fixer", tool=tool, params=params, cost=cost)


def test_questmaker_budget_check_and_deduct(core: Core, settings: EngineSettings, ann: Player) -> None:
    state = core.game.qms["qm-fixer"]
    assert state.budget_current == 50
    r = core.patcher.apply(signed(settings, "t:0", [qm("send_message", 10, target_player_id=ann.pid,
                                                       message="Watch the alley.", via_npc_id="fixer")]))
    assert r.status == m.PatchStatus.APPLIED and (r.budget_before, r.budget_after) == (50, 40)
    assert 'Fixer tells you, "Watch the alley."' in ann.session.text()
    r = core.patcher.apply(signed(settings, "t:1", [qm("spawn_entity", 45, entity_type="rat", location="alley")]))
    assert r.status == m.PatchStatus.SKIPPED and "cannot afford" in r.reason and r.budget_after == 40
    assert not core.game.world.exists("t:1:0")
    r = core.patcher.apply(signed(settings, "t:2", [qm("spawn_entity", 40, entity_type="rat", location="alley",
                                                       quantity=2)]))
    assert r.status == m.PatchStatus.APPLIED and (r.budget_before, r.budget_after) == (40, 0) and r.spawned == ["t:2:0", "t:2:1"]
    r = core.patcher.apply(signed(settings, "t:3", [qm("send_message", 99, target_player_id=ann.pid, message="x")]))
    assert r.status == m.PatchStatus.REJECTED and "outside 5-15" in r.reason


def test_two_actions_in_one_patch_share_the_budget(core: Core, settings: EngineSettings, ann: Player) -> None:
    ops = [qm("QUESTMAKER_memorize", 5, player_id=ann.pid, memory_string="likes rats"),
           qm("change_npc_stats", 40, npc_id="rat", stat_changes={"armor": 5}),
           qm("change_npc_stats", 15, npc_id="rat", stat_changes={"armor": 5})]
    r = core.patcher.apply(signed(settings, "t:9", ops))
    assert r.status == m.PatchStatus.SKIPPED and "op 3" in r.reason
    assert core.game.qms["qm-fixer"].budget_current == 50 and not core.game.qms["qm-fixer"].memories


def test_influence_accrues_and_budget_regenerates(core: Core, ann: Player, clock: ManualClock) -> None:
    state = core.game.qms["qm-fixer"]
    ann.do("quest accept q-rats")
    ann.do("e")  # go_to alley completes: influence "reached" = 5
    assert state.budget_current == 55 and state.influence_total == 5
    tick_for(core, clock, 60.0, step=1.0)  # 6 per minute
    assert 60.9 < state.budget_current <= 61.0 + 1e-9
    tick_for(core, clock, 600.0, step=5.0)
    assert state.budget_current == state.budget_max == 100


def test_every_questmaker_tool_applies_and_undoes(core: Core, settings: EngineSettings, ann: Player) -> None:
    core.game.qms["qm-fixer"].budget_current = 1000
    core.game.qms["qm-fixer"].budget_max = 1000
    before = snapshot(core)
    ops = [
        qm("QUESTMAKER_memorize", 5, player_id=ann.pid, memory_string="took the job"),
        qm("change_npc_behavior_to_player", 10, npc_id="npc:rat:alley:0", player_id=ann.pid,
           behavior_type="hostile", memory_entry="stepped on my tail"),
        qm("change_npc_behavior", 10, npc_id="drone", behavior="patrol"),
        qm("change_npc_stats", 15, npc_id="thug", stat_changes={"max_health": 20, "damage": 2}),
        qm("change_room_info", 10, room_id="alley", property_changes={"lock_exit": "e",
                                                                      "description_add": "Rats everywhere."}),
        qm("trigger_world_event", 20, event_type="blackout", district_id="slums"),
        qm("spawn_entity", 25, entity_type="rat", location="alley"),
        qm("grant_player_reward", 5, player_id=ann.pid, reward_type="credits", reward_id="credits", quantity=10),
        qm("grant_player_reward", 5, player_id=ann.pid, reward_type="item", reward_id="medkit"),
    ]
    r = core.patcher.apply(signed(settings, "tools", ops))
    assert r.status == m.PatchStatus.APPLIED, r.reason
    game = core.game
    assert game.world.comp("npc:rat:alley:0", k.AI).attitudes[ann.pid] == "hostile"
    assert game.map.rooms["alley"].locked_exits == ["e"] and "tools:event" in game.events_active
    assert game.world.comp(ann.pid, k.Wallet).credits == 110
    ann.do("e")
    assert "locked" in ann.do("e")
    undo = core.patcher.apply(signed(settings, "undo:tools", r.inverse, m.PatchKind.UNDO, "tools"))
    assert undo.status == m.PatchStatus.APPLIED, undo.reason
    core.tick()
    after = snapshot(core)
    # the budget was spent (no refund); the player walked; everything else is back
    for snap in (before, after):
        snap["qms"]["qm-fixer"].pop("budget_current")
        snap["entities"].pop(ann.pid)
    assert after == before


def test_only_the_adding_patch_may_take_its_additions_away(core: Core, settings: EngineSettings) -> None:
    assert core.patcher.apply(signed(settings, "p-1", good_ops())).status == m.PatchStatus.APPLIED
    cases = [
        [m.RemoveExit(room_id="dead-end", direction="e")],
        [m.Despawn(entity_ids=["p-1:0"]), m.RemoveRooms(room_ids=["annex"])],
        [m.Despawn(entity_ids=["p-1:0"]), m.RemoveTemplate(template_id="rat-king")],
    ]
    for i, ops in enumerate(cases):
        r = core.patcher.apply(signed(settings, f"p-other-{i}", ops))
        assert r.status == m.PatchStatus.REJECTED and "only its undo may remove it" in r.reason, r.reason
    r = core.patcher.apply(signed(settings, "undo:p-1", [m.RemoveExit(room_id="dead-end", direction="e")],
                                  m.PatchKind.UNDO, "p-1"))
    assert r.status == m.PatchStatus.APPLIED, r.reason


def test_publisher_shapes_shop_restock_new_district_and_given_ids(core: Core, settings: EngineSettings,
                                                                  ann: Player) -> None:
    """What the publisher emits: an AddTemplate replacing a shop (new stock), a block founding a
    district whose rooms name it, and spawn_entity with pre-assigned `entity_ids`."""
    shop = core.game.templates.to_json("shop-market")["template"]
    restock = m.AddTemplate(template_type="shop", template_id="shop-market",
                            template={**shop, "stock": [*shop["stock"], "datachip"]})
    block = {"id": "blk-1", "district_id": "slums", "origin": "p-9",
             "new_district": {"id": "glowtown", "name": "Glowtown", "theme": "tech", "threat_level": 2,
                              "faction_id": "rust", "description": "New."},
             "growth_point": {"room_id": "dead-end", "direction": "e", "x": 3, "y": 0},
             "rooms": [{**NEW_ROOM, "district_id": "glowtown"}]}
    ops = [restock, m.AddTemplate(template_type="block", template_id="blk-1", template=block),
           m.AddRooms(rooms=[{**NEW_ROOM, "district_id": "glowtown"}]),
           m.AddExit(room_id="dead-end", direction="e", to_room_id="annex")]
    r = core.patcher.apply(signed(settings, "p-9", ops))
    assert r.status == m.PatchStatus.APPLIED, r.reason
    assert core.game.templates.district("glowtown") is not None
    ann.do("n")
    assert "Datachip" in ann.do("list")
    undo = core.patcher.apply(signed(settings, "undo:p-9", r.inverse, m.PatchKind.UNDO, "p-9"))
    assert undo.status == m.PatchStatus.APPLIED, undo.reason
    assert core.game.templates.district("glowtown") is None and "Datachip" not in ann.do("list")
    spawn = qm("spawn_entity", 30, entity_type="rat", location="alley", quantity=2,
               entity_ids=["qm-p:0", "qm-p:1"])
    r = core.patcher.apply(signed(settings, "qm-p", [spawn]))
    assert r.status == m.PatchStatus.APPLIED and r.spawned == ["qm-p:0", "qm-p:1"], r.reason


async def test_a_prepared_patch_checks_and_applies_as_an_unprepared_one(settings: EngineSettings,
                                                                      base_dir: object) -> None:
    """Rooms validated before the pass (prepare.py) give the same world and result — and a room that does
    not validate rejects the patch at the same room with the same reason."""
    from ouro_engine.loader import load_base
    from ouro_engine.patches.prepare import SLICE, prepare
    from tests.engine.growth_support import road_ops

    def fresh() -> Core:
        core = Core(settings, ManualClock())
        core.load_base(load_base(settings.resolved_base_dir()))
        return core

    good = signed(settings, "p-road", road_ops("dead-end", "e", (3, 0), SLICE * 3 + 7, "slums", "road"))
    bad_ops = road_ops("dead-end", "e", (3, 0), SLICE * 3 + 7, "slums", "road")
    bad_ops[0].rooms[SLICE * 2 + 3]["exits"] = "north"  # not a list of exits
    bad = signed(settings, "p-bad", bad_ops)
    for patch in (good, bad):
        plain, ready = fresh(), fresh()
        expected = plain.patcher.apply(patch)
        got = ready.patcher.apply(patch, await prepare(patch))
        assert msgspec.to_builtins(got) == msgspec.to_builtins(expected)
        assert snapshot(ready) == snapshot(plain)
    assert expected.status == m.PatchStatus.REJECTED and f"rooms[{SLICE * 2 + 3}]" in expected.reason
