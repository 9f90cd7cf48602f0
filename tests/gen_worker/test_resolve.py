"""Params the director leaves to the world (where a building stands, which cells are taken, which rooms
a quest uses) are filled from the engine's world keys and recorded in the proposal."""

from __future__ import annotations

import json

import msgspec
from redis.asyncio import Redis

from ouro_genworker.drafting import draft
from ouro_genworker.resolve import World, resolve
from ouro_schemas import names
from ouro_schemas.content import OFFSET
from ouro_schemas.messages import GenJob
from ouro_schemas.payloads import BlockPayload, BuildingPayload, QuestPayload
from ouro_schemas.proposal import ProposalState, ProposalType
from tests.gen_worker.conftest import StartWorker, drafts
from tests.utils import wait_for


def city(n: int = 6, district: str = "docks") -> World:
    """An n×n grid of street rooms, every neighbour linked, all in one district."""
    world = World()
    for x in range(n):
        for y in range(n):
            exits = [{"direction": d, "to": f"r-{x + dx}-{y + dy}"} for d, (dx, dy, _) in OFFSET.items()
                     if d in ("n", "s", "e", "w") and 0 <= x + dx < n and 0 <= y + dy < n]
            rid = f"r-{x}-{y}"
            world.rooms[rid] = {"id": rid, "name": "Street", "description": "A street.", "district_id": district,
                                "kind": "street", "x": x, "y": y, "z": 0, "exits": exits}
            world.coords[(x, y, 0)] = rid
    return world


def test_a_building_without_a_place_gets_a_free_street_side_in_its_district() -> None:
    world = city()
    for seed in range(50):
        job = GenJob(id=f"job-{seed}", type=ProposalType.BUILDING, seed=seed,
                     params={"district_id": "docks", "storefront": "apartments", "rooms": 4})
        p = draft(job, world=world)
        assert p.state == ProposalState.DRAFTED, p.reason
        b = BuildingPayload.model_validate(p.payload).building
        street = world.rooms[b.street_room_id]
        assert (p.params["x"], p.params["y"]) == (street["x"], street["y"])
        entrance = next(r for r in b.rooms if r.id == b.entrance_room_id)
        assert (entrance.x, entrance.y, entrance.z) not in world.coords  # the city edge: a free side
        assert b.storefront == "apartment" and len(b.rooms) <= 4
        assert draft(job, world=world).payload == p.payload  # reproducible from the same world


def test_no_free_side_is_a_rejection_naming_the_param() -> None:
    world = city(3)
    for room in world.rooms.values():  # wall the city in: every side used
        room["exits"] = [{"direction": d, "to": "x"} for d in ("n", "e", "s", "w")]
    p = draft(GenJob(id="job-x", type=ProposalType.BUILDING, seed=1, params={"district_id": "docks"}), world=world)
    assert p.state == ProposalState.REJECTED
    assert p.reason == "params.street_room_id: not given, and no street room in district 'docks' has a free side"


def test_a_block_without_occupied_avoids_every_room_in_the_world() -> None:
    world = city(8)
    gp = {"room_id": "r-7-3", "direction": "e", "x": 8, "y": 3, "z": 0}
    for seed in range(50):
        p = draft(GenJob(id=f"job-{seed}", type=ProposalType.BLOCK, seed=seed,
                         params={"district_id": "docks", "growth_point": gp, "rooms": 12}), world=world)
        assert p.state == ProposalState.DRAFTED, p.reason
        payload = BlockPayload.model_validate(p.payload)
        cells = {(r.x, r.y, r.z) for r in payload.block.rooms} | {
            (r.x, r.y, r.z) for b in payload.buildings for r in b.rooms}
        assert not cells & set(world.coords)
        assert len(p.params["occupied"]) == 64


def test_a_quest_without_rooms_uses_rooms_of_its_district() -> None:
    world = city()
    world.rooms["elsewhere"] = {"id": "elsewhere", "district_id": "uptown", "x": 50, "y": 50}
    for seed in range(30):
        p = draft(GenJob(id=f"job-{seed}", type=ProposalType.QUEST, seed=seed,
                         params={"district_id": "docks", "difficulty": 4}), world=world)
        q = QuestPayload.model_validate(p.payload)
        assert 1 <= len(p.params["room_ids"]) <= 4 and "elsewhere" not in p.params["room_ids"]
        assert set(q.placements.values()) <= set(p.params["room_ids"])


def test_quest_givers_and_npcs_are_never_placed_behind_a_locked_door() -> None:
    world = city(3)
    # A vault off r-0-0 behind a locked door, and a back room only the vault leads to.
    world.rooms["r-0-0"]["exits"].append({"direction": "d", "to": "vault", "locked": True})
    world.rooms["vault"] = {"id": "vault", "district_id": "docks", "kind": "room", "x": 0, "y": 0, "z": -1,
                            "exits": [{"direction": "u", "to": "r-0-0"}, {"direction": "e", "to": "back"}]}
    world.rooms["back"] = {"id": "back", "district_id": "docks", "kind": "room", "x": 1, "y": 0, "z": -1,
                           "exits": [{"direction": "w", "to": "vault"}]}
    # A shop whose door the engine locked at run time (a runtime `locked_exits` entry).
    world.rooms["r-2-2"]["exits"].append({"direction": "u", "to": "loft"})
    world.rooms["r-2-2"]["locked_exits"] = ["u"]
    world.rooms["loft"] = {"id": "loft", "district_id": "docks", "kind": "room", "x": 2, "y": 2, "z": 1,
                           "exits": [{"direction": "d", "to": "r-2-2"}]}
    assert set(world.district_rooms("docks")) >= {"vault", "back", "loft"}
    assert not {"vault", "back", "loft"} & set(world.open_rooms("docks"))
    for seed in range(40):
        quest, _ = resolve(ProposalType.QUEST, {"district_id": "docks"}, world, seed)
        npc, _ = resolve(ProposalType.NPC, {"district_id": "docks"}, world, seed)
        assert not {"vault", "back", "loft"} & {*quest["room_ids"], npc["spawn_room_id"]}


def test_given_params_are_never_overridden() -> None:
    params = {"district_id": "docks", "street_room_id": "r-0-0", "x": 0, "y": 0, "direction": "w",
              "occupied": []}
    out, filled = resolve(ProposalType.BUILDING, params, city(), 1)
    assert out == params and filled == []


async def test_the_service_reads_the_world_keys(redis: Redis, start_worker: StartWorker) -> None:
    world = city(4)
    for rid, room in world.rooms.items():
        await redis.set(names.WORLD_ROOM + rid, json.dumps(room))
        await redis.sadd(names.WORLD_ROOM_INDEX, rid)
        await redis.hset(names.WORLD_COORD, f"{room['x']},{room['y']},0", rid)
    await start_worker()
    job = GenJob(id="job-hq", type=ProposalType.BUILDING, seed=9,
                 params={"district_id": "docks", "storefront": "hq", "faction_id": "tide-rats"})
    await redis.xadd(names.GEN_JOBS, {b"d": msgspec.json.encode(job), b"k": b"job-hq"})

    async def one() -> bool:
        return len(await drafts(redis)) == 1

    await wait_for(one, timeout=20, what="the hq draft")
    (p,) = await drafts(redis)
    assert p.state == ProposalState.DRAFTED, p.reason
    assert p.params["street_room_id"] in world.rooms
    assert p.trace[-1].data["resolved_from_world"] == ["direction", "occupied", "street_room_id", "x", "y", "z"]


def test_district_threat_theme_and_growth_district_come_from_the_world() -> None:
    world = city()
    world.districts["docks"] = {"id": "docks", "threat_level": 2, "theme": "docks"}
    p = draft(GenJob(id="job-npc", type=ProposalType.NPC, seed=3, params={"district_id": "docks"}), world=world)
    assert p.params["threat_level"] == 2 and p.params["theme"] == "docks"
    assert p.payload["archetype"]["threat_level"] == 2 and p.payload["spawn_room_id"] in world.rooms
    gp = {"room_id": "r-5-3", "direction": "e", "x": 6, "y": 3, "z": 0}
    p = draft(GenJob(id="job-blk", type=ProposalType.BLOCK, seed=3, params={"district_id": "", "growth_point": gp}),
              world=world)
    assert p.state == ProposalState.DRAFTED, p.reason
    assert p.payload["block"]["district_id"] == "docks"


def test_the_shell_reads_only_the_parts_a_job_needs() -> None:
    from ouro_genworker.resolve import needs

    assert needs({"type": "ITEM", "params": {"threat_level": 3, "theme": "docks"}}) == frozenset()
    assert needs({"type": "EVENT", "params": {}}) == {"districts"}
    assert needs({"type": "BUILDING", "params": {"district_id": "d"}}) == {"rooms", "coords", "districts"}
    assert needs({"type": "BLOCK", "params": {"district_id": "d", "occupied": [], "threat_level": 2,
                                              "theme": "x"}}) == frozenset()
    assert needs({"type": "BLOCK", "params": {"district_id": ""}}) == {"rooms", "coords", "districts"}
    assert needs({"type": "DRAGON", "params": {}}) == frozenset()


def test_a_block_founding_a_district_takes_nothing_of_its_neighbours() -> None:
    """Far out, the director asks for a new district (its faction, theme, threat): the resolver fills in no
    neighbour's district or theme, and the block founds its own, named by the generator."""
    from ouro_genworker.resolve import needs

    world = city()
    world.districts["docks"] = {"id": "docks", "theme": "docks", "threat_level": 7}
    gp = {"room_id": "r-5-5", "direction": "n", "x": 5, "y": 6, "z": 0}
    params = {"district_id": "", "new_district": True, "faction_id": "saints", "theme": "tech", "threat_level": 4,
              "growth_point": gp, "occupied": [list(c) for c in world.coords]}
    assert needs({"type": "BLOCK", "params": params}) == frozenset()
    out, filled = resolve(ProposalType.BLOCK, params, world, 1)
    assert filled == [] and out["district_id"] == ""
    p = draft(GenJob(id="job-found", type=ProposalType.BLOCK, seed=3, params=params), world=world)
    assert p.state == ProposalState.DRAFTED, p.reason
    block = BlockPayload.model_validate(p.payload).block
    assert block.new_district is not None and block.new_district.faction_id == "saints"
    assert block.new_district.theme == "tech" and block.new_district.threat_level == 4
    assert block.district_id == block.new_district.id and block.new_district.name
    assert all(r.district_id == block.new_district.id for r in block.rooms)
