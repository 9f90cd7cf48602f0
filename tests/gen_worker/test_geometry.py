"""Blocks, expansions and buildings: never on a taken cell, always connected, exits paired."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import pytest

from ouro_genworker.registry import GENERATORS
from ouro_genworker.types import new_rng
from ouro_schemas.content import OFFSET, OPPOSITE, Room
from ouro_schemas.payloads import BlockPayload, BuildingPayload, WorldExpansionPayload
from ouro_schemas.proposal import ProposalType
from tests.gen_worker.cases import GROWTH_POINT

Cell = tuple[int, int, int]


def obstacles(seed: int) -> list[list[int]]:
    """The 20×20 city plus random junk east of it, never on the growth point's link cell."""
    rng = np.random.default_rng(seed + 10_000)
    cells = [[x, y, 0] for x in range(20) for y in range(20)]
    for _ in range(60):
        c = [20 + int(rng.integers(0, 12)), int(rng.integers(-4, 20)), 0]
        if c[:2] != [20, 7]:
            cells.append(c)
    cells.append([20, 7, 1])  # and something above the link cell
    return cells


def check_rooms(rooms: list[Room], outside: dict[str, Cell], link_id: str, gp_room: str,
                taken: set[Cell]) -> None:
    """No cell taken or shared; exits inside the set paired and pointing at the neighbour cell;
    every room reachable from the link room; only the link room leaves the set (to gp_room)."""
    by_id = {r.id: r for r in rooms}
    cells = [(r.x, r.y, r.z) for r in rooms]
    assert len(set(cells)) == len(cells), "two rooms share a cell"
    assert not set(cells) & taken, f"rooms on taken cells: {set(cells) & taken}"
    for r in rooms:
        for e in r.exits:
            if e.to in by_id:
                other = by_id[e.to]
                dx, dy, dz = OFFSET[e.direction]
                assert (other.x, other.y, other.z) == (r.x + dx, r.y + dy, r.z + dz), (r.id, e)
                assert any(b.direction == OPPOSITE[e.direction] and b.to == r.id for b in other.exits), (r.id, e)
            else:
                assert e.to in outside, f"{r.id} exits to unknown {e.to}"
                if e.to == gp_room:
                    assert r.id == link_id
    seen = {link_id}
    queue = deque([link_id])
    while queue:
        for e in by_id[queue.popleft()].exits:
            if e.to in by_id and e.to not in seen:
                seen.add(e.to)
                queue.append(e.to)
    assert seen == set(by_id), f"unreachable from the growth point: {set(by_id) - seen}"


@pytest.mark.parametrize("seed_block", range(4))
def test_blocks_never_overlap_and_always_connect_to_the_growth_point(seed_block: int) -> None:
    gen = GENERATORS[ProposalType.BLOCK]
    for seed in range(seed_block * 100, seed_block * 100 + 100):
        occupied = obstacles(seed)
        params: dict[str, Any] = {"growth_point": GROWTH_POINT, "district_id": "docks", "occupied": occupied,
                                  "size": 4 + seed % 20, "buildings": seed % 5}
        p = BlockPayload.model_validate(gen.generate(params, new_rng(seed)).payload)
        link = p.block.rooms[0]
        assert (link.x, link.y, link.z) == (GROWTH_POINT["x"], GROWTH_POINT["y"], GROWTH_POINT["z"])
        assert any(e.to == GROWTH_POINT["room_id"] and e.direction == OPPOSITE[GROWTH_POINT["direction"]]
                   for e in link.exits)
        rooms = list(p.block.rooms) + [r for b in p.buildings for r in b.rooms]
        check_rooms(rooms, {GROWTH_POINT["room_id"]: (19, 7, 0)}, link.id, GROWTH_POINT["room_id"],
                    {tuple(c) for c in occupied})  # type: ignore[misc]
        for b in p.buildings:
            street = next(r for r in p.block.rooms if r.id == b.street_room_id)
            assert any(e.to == b.entrance_room_id and e.direction == b.entrance_direction for e in street.exits)


def test_bounds_count_as_taken_and_a_new_district_is_founded() -> None:
    gen = GENERATORS[ProposalType.BLOCK]
    bounds = {"min_x": 0, "max_x": 19, "min_y": 0, "max_y": 19}
    for seed in range(100):
        params = {"growth_point": GROWTH_POINT, "bounds": bounds, "new_district": True, "faction_id": "tide-rats"}
        p = BlockPayload.model_validate(gen.generate(params, new_rng(seed)).payload)
        assert p.block.new_district is not None
        assert {r.district_id for r in p.block.rooms} == {p.block.new_district.id} == {p.block.district_id}
        for r in p.block.rooms:
            assert not (0 <= r.x <= 19 and 0 <= r.y <= 19 and r.z == 0), (seed, r.id, r.x, r.y)


def test_expansion_chains_blocks_without_overlap() -> None:
    gen = GENERATORS[ProposalType.WORLD_EXPANSION]
    for seed in range(100):
        occupied = obstacles(seed)
        params = {"growth_point": GROWTH_POINT, "district_id": "docks", "occupied": occupied, "blocks": 4}
        p = WorldExpansionPayload.model_validate(gen.generate(params, new_rng(seed)).payload)
        rooms = [r for b in p.blocks for r in b.rooms]
        first = p.blocks[0].rooms[0]
        check_rooms(rooms, {GROWTH_POINT["room_id"]: (19, 7, 0)}, first.id, GROWTH_POINT["room_id"],
                    {tuple(c) for c in occupied})  # type: ignore[misc]
        ids = {r.id for r in rooms}
        for b in p.blocks[1:]:
            assert b.growth_point.room_id in ids  # chained off an earlier block of this proposal


def test_buildings_stay_off_taken_cells_and_open_onto_their_street() -> None:
    gen = GENERATORS[ProposalType.BUILDING]
    for seed in range(300):
        occupied = [[3, 4, 0], [3, 5, 1], [3, 5, 2], [2, 5, 1], [4, 5, 1], [3, 6, 1]]
        params = {"street_room_id": "r-3-4", "x": 3, "y": 4, "direction": "n", "district_id": "docks",
                  "occupied": occupied, "storefront": ["hq", "dungeon", "apartment", "bar"][seed % 4]}
        p = BuildingPayload.model_validate(gen.generate(params, new_rng(seed)).payload)
        b = p.building
        entrance = next(r for r in b.rooms if r.id == b.entrance_room_id)
        assert (entrance.x, entrance.y, entrance.z) == (3, 5, 0)
        check_rooms(list(b.rooms), {"r-3-4": (3, 4, 0)}, entrance.id, "r-3-4",
                    {tuple(c) for c in occupied})  # type: ignore[misc]
        assert not any(r.z == 0 and r.id != entrance.id for r in b.rooms)  # streets stay free
        room_ids = {r.id for r in b.rooms}
        assert set(p.placements.values()) <= room_ids
        assert {n.id for n in p.npcs} == set(p.placements)
        assert all(h.split(":", 1)[1] in {n.id for n in p.npcs} for h in b.hooks if h.startswith("spawn:"))
