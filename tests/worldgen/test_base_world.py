"""The committed base world (data/base/): it validates, it is what the script builds, and it is sound."""

from __future__ import annotations

import importlib
import itertools
import json
from collections import Counter
from typing import Any

import pytest

from ouro_schemas.content import EFFECTS, OFFSET, RARITIES, BaseWorld
from ouro_schemas.integrity import check_base_world, check_exits_paired, obtainable_items, reachable
from tests.worldgen._world import BASE, FIELDS, load_committed, script


@pytest.fixture(scope="module")
def world() -> BaseWorld:
    return load_committed()


def test_every_file_is_a_json_list_and_the_set_validates() -> None:
    for field in FIELDS:
        assert isinstance(json.loads((BASE / f"{field}.json").read_text(encoding="utf-8")), list), field
    assert json.loads((BASE / "world.json").read_text(encoding="utf-8")) == {"spawn_room_id": "spawn"}
    assert isinstance(load_committed(), BaseWorld)


def test_the_build_is_deterministic_and_is_what_is_committed() -> None:
    build = script()
    first, second = build.render(build.build()), build.render(build.build())
    assert first == second
    assert sorted(first) == sorted([f"{f}.json" for f in FIELDS] + ["world.json"])
    stale = [name for name, text in first.items() if (BASE / name).read_text(encoding="utf-8") != text]
    assert not stale, f"data/base/ differs from the build script's output ({stale}); rerun the script"


def test_another_seed_gives_another_sound_city() -> None:
    build = script()
    other = build.build(7)
    assert check_base_world(other) == []
    assert build.render(other)["rooms.json"] != build.render(build.build())["rooms.json"]


def test_the_grid_is_twenty_by_twenty_with_unique_coordinates(world: BaseWorld) -> None:
    grid = [r for r in world.rooms if r.z == 0]
    assert len(grid) == 400
    assert {(r.x, r.y) for r in grid} == {(x, y) for x in range(20) for y in range(20)}
    coords = Counter((r.x, r.y, r.z) for r in world.rooms)
    assert [c for c, n in coords.items() if n > 1] == []
    assert len({r.id for r in world.rooms}) == len(world.rooms)
    assert {r.z for r in world.rooms} - {0}, "some interior rooms above or below the street"


def test_exits_are_paired_and_lead_to_rooms_one_step_away(world: BaseWorld) -> None:
    assert check_exits_paired(world.rooms) == []
    by_id = {r.id: r for r in world.rooms}
    for room in world.rooms:
        for ex in room.exits:
            dest = by_id[ex.to]
            assert (dest.x - room.x, dest.y - room.y, dest.z - room.z) == OFFSET[ex.direction]


def test_everything_is_reachable_from_spawn(world: BaseWorld) -> None:
    assert reachable(world.rooms, world.spawn_room_id) == {r.id for r in world.rooms}


def test_the_integrity_check_finds_nothing(world: BaseWorld) -> None:
    assert check_base_world(world) == []


def test_streets_form_a_connected_grid_with_buildings(world: BaseWorld) -> None:
    streets = [r for r in world.rooms if r.kind in ("street", "plaza") and r.z == 0]
    assert reachable(streets, world.spawn_room_id) == {r.id for r in streets}
    kinds = Counter(r.kind for r in world.rooms)
    for kind in ("shop", "bar", "clinic", "apartment", "warehouse", "office", "alley", "lobby"):
        assert kinds[kind] > 0, kind


def test_frontier_rooms_sit_on_the_edge_with_no_exit_outward(world: BaseWorld) -> None:
    frontier = [r for r in world.rooms if "frontier" in r.tags]
    assert 3 <= len(frontier) <= 12
    for room in frontier:
        (outward,) = [t.split(":")[1] for t in room.tags if t.startswith("frontier:")]
        dx, dy, _ = OFFSET[outward]
        assert not 0 <= room.x + dx < 20 or not 0 <= room.y + dy < 20, room.id
        assert outward not in {ex.direction for ex in room.exits}
    assert len({t for r in frontier for t in r.tags if t.startswith("frontier:")}) == 4, "on all four edges"


def test_glitch_door_rooms(world: BaseWorld) -> None:
    glitch = [r for r in world.rooms if r.glitch_door]
    assert 3 <= len(glitch) <= 5
    assert all(r.kind == "glitch" for r in glitch)
    assert {r.id for r in world.rooms if r.kind == "glitch"} == {r.id for r in glitch}
    assert len({r.district_id for r in glitch}) >= 3


def test_districts_have_their_own_theme_threat_faction_and_colour(world: BaseWorld) -> None:
    assert len(world.districts) >= 6
    assert len({d.theme for d in world.districts}) == len(world.districts)
    assert len({d.color for d in world.districts}) == len(world.districts)
    assert len({d.threat_level for d in world.districts}) >= 5
    assert {d.faction_id for d in world.districts} <= {f.id for f in world.factions}
    rooms_by_district = Counter(r.district_id for r in world.rooms)
    assert all(rooms_by_district[d.id] >= 30 for d in world.districts)


def test_npc_types(world: BaseWorld) -> None:
    assert len(world.npcs) >= 15
    roles = Counter(n.role for n in world.npcs)
    for role in ("vendor", "fixer", "ganger", "corp_security", "drone", "boss", "medic", "bartender", "netrunner",
                 "civilian"):
        assert roles[role] > 0, role
    bosses = [n for n in world.npcs if n.boss]
    assert 2 <= len(bosses) <= 3 and all(n.role == "boss" for n in bosses)
    strongest = max(n.stats.max_health for n in world.npcs if not n.boss)
    assert all(b.stats.max_health > 3 * strongest for b in bosses)
    behaviors = {n.behavior for n in world.npcs}
    assert behaviors == {"idle", "patrol", "wander", "aggressive", "merchant", "quest_giver"}
    for npc in world.npcs:
        assert npc.dialogue or npc.barks, npc.id
    # stats rise with threat within a role
    gangers = sorted((n for n in world.npcs if n.role == "ganger"), key=lambda n: n.threat_level)
    assert [n.stats.max_health for n in gangers] == sorted(n.stats.max_health for n in gangers)


def test_items(world: BaseWorld) -> None:
    assert len(world.items) >= 40
    kinds = Counter(i.kind for i in world.items)
    assert set(kinds) == {"weapon", "armor", "cyberware", "consumable", "junk", "key"}
    assert {i.slot for i in world.items if i.kind == "armor"} == {"head", "body", "legs", "hands"}
    assert {i.slot for i in world.items if i.kind == "cyberware"} == {"implant"}
    assert {i.rarity for i in world.items} == set(RARITIES)
    assert all(i.stats.heal > 0 for i in world.items if i.kind == "consumable")
    weapons = [i for i in world.items if i.kind == "weapon"]
    assert any(i.stats.damage_max > 0 for i in weapons)
    assert all(i.stats.damage_max <= 50 for i in weapons if i.rarity != "legendary")
    assert all(e.id in EFFECTS for i in world.items for e in i.effects)


def test_budget_points_and_values_follow_the_stated_formula(world: BaseWorld) -> None:
    script()  # puts tools/worldgen on sys.path
    formula = importlib.import_module("basecity.items")
    for item in world.items:
        stats: dict[str, Any] = item.stats.model_dump()
        points = formula.budget_points(stats, [e.model_dump() for e in item.effects])
        assert item.budget_points == pytest.approx(points), item.id
        if item.kind not in ("junk", "key"):
            base, per_point = formula.RARITY_BASE[item.rarity], formula.RARITY_PER_POINT[item.rarity]
            assert item.value == base + round(points * per_point), item.id
    priced = [i for i in world.items if i.kind not in ("junk", "key")]
    for low, high in itertools.pairwise(RARITIES):
        assert max(i.value for i in priced if i.rarity == low) < min(i.value for i in priced if i.rarity == high)


def test_every_item_can_be_had(world: BaseWorld) -> None:
    assert {i.id for i in world.items} - obtainable_items(world) == set()


def test_shops(world: BaseWorld) -> None:
    assert len(world.shops) >= 5
    rooms = {r.id: r for r in world.rooms}
    spawns = {(s.npc_id, s.room_id) for s in world.npc_spawns}
    npcs = {n.id: n for n in world.npcs}
    for shop in world.shops:
        assert rooms[shop.room_id].shop_id == shop.id
        assert shop.keeper_npc_id is not None and (shop.keeper_npc_id, shop.room_id) in spawns
        assert npcs[shop.keeper_npc_id].shop_id == shop.id
        assert npcs[shop.keeper_npc_id].behavior == "merchant"
        assert len(shop.stock) >= 3


def test_npcs_are_placed_where_they_belong(world: BaseWorld) -> None:
    rooms = {r.id: r for r in world.rooms}
    npcs = {n.id: n for n in world.npcs}
    for spawn in world.npc_spawns:
        npc, room = npcs[spawn.npc_id], rooms[spawn.room_id]
        if npc.boss:
            assert "lair" in room.tags, (npc.id, room.id)
        if npc.faction_id == "chrome_jackals":
            assert room.district_id == "the_stacks"
        if npc.role == "corp_security" and npc.faction_id == "kuroda_vance":
            assert room.district_id == "helix_spires"
        if npc.role == "vendor":
            assert room.shop_id is not None
    assert {s.npc_id for s in world.npc_spawns} == set(npcs), "every NPC type is placed somewhere"
    assert len(world.item_spawns) >= 10


def test_quests_and_questmakers(world: BaseWorld) -> None:
    assert len(world.quests) >= 6
    makers = {q.id: q for q in world.questmakers}
    assert len({q.questmaker_id for q in world.quests}) == len(world.quests), "one Questmaker per quest"
    assert {q.questmaker_id for q in world.quests} <= set(makers)
    assert len({m.prompt_context for m in world.questmakers}) == len(world.questmakers)
    assert all(m.personality_tags and 0 < m.budget_start <= m.budget_max for m in world.questmakers)
    assert {n.kind for q in world.quests for n in q.nodes} == {"go_to", "kill", "fetch", "deliver", "talk"}
    assert any(q.time_limit_s for q in world.quests)
    assert any(q.critical_item_ids for q in world.quests)
    spawned = {s.npc_id for s in world.npc_spawns}
    for quest in world.quests:
        assert quest.giver_npc_id in spawned
        actions = {n.influence_action for n in quest.nodes}
        assert actions == set(quest.influence_points_map), quest.id
    by_difficulty = sorted(world.quests, key=lambda q: q.difficulty)
    credits = [q.rewards.credits for q in by_difficulty]
    assert credits == sorted(credits) and credits[0] < credits[-1]
