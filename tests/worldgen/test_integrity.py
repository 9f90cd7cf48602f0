"""ouro_schemas.integrity names each kind of broken reference (on a sound world broken one way at a time)."""

from __future__ import annotations

import pytest

from ouro_schemas.content import BaseWorld, Exit, NpcSpawn, Room
from ouro_schemas.integrity import check_base_world, check_exits_paired, reachable
from tests.worldgen._world import load_committed


@pytest.fixture
def world() -> BaseWorld:
    return load_committed().model_copy(deep=True)


def _room(world: BaseWorld, room_id: str) -> Room:
    return next(r for r in world.rooms if r.id == room_id)


def _one(problems: list[str], *needles: str) -> None:
    assert any(all(n in p for n in needles) for p in problems), problems


def test_a_one_way_exit_is_reported_from_the_side_that_has_it(world: BaseWorld) -> None:
    spawn = _room(world, "spawn")
    north = next(ex for ex in spawn.exits if ex.direction == "n")
    dest = _room(world, north.to)
    dest.exits = [ex for ex in dest.exits if ex.direction != "s"]
    _one(check_exits_paired(world.rooms), "rooms.json spawn.exits[n]", "no exit s back")


def test_an_exit_that_skips_a_cell_or_goes_nowhere(world: BaseWorld) -> None:
    spawn = _room(world, "spawn")
    spawn.exits.append(Exit(direction="ne", to="x19y19"))
    spawn.exits.append(Exit(direction="sw", to="nowhere"))
    problems = check_exits_paired(world.rooms)
    _one(problems, "spawn.exits[ne]", "not one step ne")
    _one(problems, "spawn.exits[sw]", "unknown room 'nowhere'")


def test_a_lock_on_one_side_only(world: BaseWorld) -> None:
    spawn = _room(world, "spawn")
    spawn.exits[0].locked = True
    _one(check_exits_paired(world.rooms), "the lock differs")


def test_a_cut_off_room_and_a_shared_coordinate(world: BaseWorld) -> None:
    world.rooms.append(Room(id="island", name="Island", description="Alone.", district_id="lumen_bazaar",
                            x=9, y=9, z=0))
    problems = check_base_world(world)
    _one(problems, "rooms.json island", "not reachable from the spawn room")
    _one(problems, "rooms.json island", "shares (9,9,0) with 'spawn'")
    assert "island" not in reachable(world.rooms, "spawn")
    assert reachable(world.rooms, "no-such-room") == set()


def test_unknown_references_are_named_with_their_file_and_field(world: BaseWorld) -> None:
    world.npcs[0].loot[0].item_id = "item.vapourware"
    world.shops[0].stock.append("item.unobtainium")
    world.npc_spawns.append(NpcSpawn(npc_id="npc.ghost", room_id="spawn"))
    world.districts[0].faction_id = "nobody"
    world.spawn_room_id = "limbo"
    problems = check_base_world(world)
    _one(problems, f"npcs.json {world.npcs[0].id}.loot[0].item_id", "unknown item 'item.vapourware'")
    _one(problems, f"shops.json {world.shops[0].id}.stock", "unknown item 'item.unobtainium'")
    _one(problems, "npc_spawns.json", "unknown NPC 'npc.ghost'")
    _one(problems, f"districts.json {world.districts[0].id}.faction_id", "unknown faction 'nobody'")
    _one(problems, "world.json spawn_room_id", "unknown room 'limbo'")


def test_a_quest_that_cannot_be_done(world: BaseWorld) -> None:
    quest = world.quests[0]
    kill = next(n for n in quest.nodes if n.kind == "kill")
    world.npc_spawns = [s for s in world.npc_spawns if s.npc_id != kill.target]
    quest.giver_npc_id = "npc.nobody"
    quest.questmaker_id = "qm.nobody"
    problems = check_base_world(world)
    _one(problems, f"quests.json {quest.id}.nodes[{kill.id}].target", "is not a spawned NPC")
    _one(problems, f"quests.json {quest.id}.giver_npc_id")
    _one(problems, f"quests.json {quest.id}.questmaker_id", "unknown Questmaker")


def test_a_shopkeeper_elsewhere_and_a_door_key_that_is_not_a_key(world: BaseWorld) -> None:
    shop = world.shops[0]
    world.npc_spawns = [s for s in world.npc_spawns if s.npc_id != shop.keeper_npc_id]
    locked = next(r for r in world.rooms if any(ex.locked for ex in r.exits))
    door = next(ex for ex in locked.exits if ex.locked)
    door.key_item_id = "item.soy_tin"
    problems = check_base_world(world)
    _one(problems, f"shops.json {shop.id}.keeper_npc_id", "not spawned in the shop")
    _one(problems, f"rooms.json {locked.id}.exits[{door.direction}].key_item_id", "is not a key item")


def test_duplicate_ids(world: BaseWorld) -> None:
    world.items.append(world.items[0].model_copy())
    _one(check_base_world(world), f"items.json {world.items[0].id}", "appears 2 times")
