"""Claims: two spatial drafts in flight never build on the same cell (real Redis, real workers)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_genworker.claims import Claims, room_cells
from ouro_genworker.drafting import draft_raw, with_occupied
from ouro_genworker.resolve import World
from ouro_genworker.service import CLAIM_CLASHES, GenWorker, GenWorkerSettings
from ouro_runtime.bus import Bus
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.content import OFFSET
from ouro_schemas.messages import GenJob, LogEntry, LogKind
from ouro_schemas.proposal import ProposalState, ProposalType
from tests.gen_worker.cases import PARAMS
from tests.gen_worker.conftest import StartWorker, drafts
from tests.utils import wait_for

T = ProposalType
Cell = tuple[int, int, int]


def job(jid: str, ptype: ProposalType, params: dict[str, Any], seed: int = 7) -> dict[str, Any]:
    return {"id": jid, "type": ptype.value, "seed": seed, "params": params}


def every_room(payload: dict[str, Any]) -> set[Cell]:
    """The rooms of a spatial payload, by its documented shape (not by room_cells' walk)."""
    rooms = [*payload.get("block", {}).get("rooms", []), *payload.get("building", {}).get("rooms", [])]
    rooms += [r for b in payload.get("buildings", []) for r in b["rooms"]]
    rooms += [r for b in payload.get("blocks", []) for r in b["rooms"]]
    return {(r["x"], r["y"], r["z"]) for r in rooms}


def test_room_cells_are_every_new_room_of_each_spatial_type() -> None:
    for ptype in (T.BLOCK, T.BUILDING, T.WORLD_EXPANSION):
        proposal = draft_raw(job(f"j-{ptype.value}", ptype, PARAMS[ptype]))
        assert proposal.state == ProposalState.DRAFTED, proposal.reason
        cells = room_cells(proposal.payload)
        assert cells == every_room(proposal.payload) and len(cells) >= 2
        # The growth point (an existing room's cell, not a new room) is not claimed.
        gp = PARAMS[ptype].get("growth_point")
        if gp:
            dx, dy, _ = OFFSET[gp["direction"]]
            assert (gp["x"] - dx, gp["y"] - dy, 0) not in cells


def test_with_occupied_adds_each_cell_once_and_leaves_bad_params_to_the_generator() -> None:
    params = {"occupied": [[1, 1, 0], [2, 2, 0]]}
    assert with_occupied(params, frozenset({(2, 2, 0), (3, 3, 1)}))["occupied"] == [[1, 1, 0], [2, 2, 0], [3, 3, 1]]
    assert with_occupied({}, frozenset({(5, 5, 0)})) == {"occupied": [[5, 5, 0]]}
    assert with_occupied({"occupied": "nope"}, frozenset({(5, 5, 0)})) == {"occupied": "nope"}


async def test_claims_are_all_or_nothing_own_claims_renew_and_they_expire(redis: Redis) -> None:
    claims = Claims(redis, ttl_s=0.5)
    assert await claims.claim("p-a", {(1, 1, 0), (2, 1, 0)}) == set()
    assert await claims.claim("p-b", {(2, 1, 0), (3, 1, 0)}) == {(2, 1, 0)}
    assert await claims.held_by_others("p-c") == {(1, 1, 0), (2, 1, 0)}  # p-b took nothing
    assert await claims.held_by_others("p-a") == set()
    assert await claims.claim("p-a", {(1, 1, 0), (2, 1, 0)}) == set()  # a redelivered job: its own cells
    await asyncio.sleep(0.7)
    assert await claims.held_by_others("p-c") == set()
    assert await redis.hlen(names.GEN_CLAIMS) == 0  # expired claims are dropped, not only ignored
    assert await claims.claim("p-b", {(2, 1, 0), (3, 1, 0)}) == set()


def building_onto(block_cells: set[Cell], street: set[Cell]) -> tuple[dict[str, Any], Cell]:
    """BUILDING params whose entrance is one of the block's street cells (from a free neighbour cell)."""
    for target in sorted(block_cells):
        for d in ("n", "s", "e", "w"):
            dx, dy, _ = OFFSET[d]
            at = (target[0] - dx, target[1] - dy, 0)
            if target[2] == 0 and at not in block_cells and at not in street:
                return ({"street_room_id": "r-lot", "x": at[0], "y": at[1], "z": 0, "direction": d,
                         "district_id": "docks", "occupied": [], "rooms": 3}, target)
    raise AssertionError("no cell to build onto")


async def test_a_block_drafted_while_a_building_is_in_flight_goes_around_it(
        redis: Redis, start_worker: StartWorker) -> None:
    block_params = PARAMS[T.BLOCK]
    alone = draft_raw(job("job-block", T.BLOCK, block_params))
    block_alone = room_cells(alone.payload)
    building_params, target = building_onto(block_alone, {tuple(c) for c in block_params["occupied"]})
    assert target in room_cells(draft_raw(job("job-bldg", T.BUILDING, building_params)).payload)  # a clash, unclaimed

    await start_worker()
    bus = Bus(redis)
    await bus.publish(names.GEN_JOBS, GenJob(id="job-bldg", type=T.BUILDING, seed=7, params=building_params))
    await wait_for(lambda: _drafted(redis, 1), timeout=30, what="the building drafted")
    await bus.publish(names.GEN_JOBS, GenJob(id="job-block", type=T.BLOCK, seed=7, params=block_params))
    await wait_for(lambda: _drafted(redis, 2), timeout=30, what="the block drafted")
    out = {p.id: p for p in await drafts(redis)}
    building, block = out["p-job-bldg"], out["p-job-block"]
    assert building.state == block.state == ProposalState.DRAFTED, (building.reason, block.reason)
    assert room_cells(building.payload).isdisjoint(room_cells(block.payload))
    assert room_cells(block.payload) != block_alone  # it went around the building's cells
    assert [*target] in block.params["occupied"]  # and says so: the draft reproduces from its params
    assert draft_raw(job("job-block", T.BLOCK, block.params)).payload == block.payload


async def _drafted(redis: Redis, n: int) -> bool:
    return len(await drafts(redis)) >= n


class ClaimAfterRead(Claims):
    """Another replica claims `cells` right after this one read the claims: the race the script closes."""

    def __init__(self, redis: Redis, cells: set[Cell]) -> None:
        super().__init__(redis, ttl_s=60)
        self.other = Claims(redis, ttl_s=60)
        self.cells = cells

    async def held_by_others(self, proposal_id: str) -> set[Cell]:
        seen = await super().held_by_others(proposal_id)
        if self.cells:
            assert await self.other.claim("p-other-replica", self.cells) == set()
            self.cells = set()
        return seen


async def test_losing_a_cell_to_another_replica_drafts_again_around_it(redis: Redis, tmp_path: Path) -> None:
    svc = Service(names.SERVICE_GEN_WORKER, GenWorkerSettings(instance="gw-race", http_port=0, data_dir=tmp_path),
                  redis=redis)
    worker = GenWorker(svc)
    block_params = PARAMS[T.BLOCK]
    alone = room_cells(draft_raw(job("job-race", T.BLOCK, block_params)).payload)
    taken = sorted(alone)[len(alone) // 2]
    worker.claims = ClaimAfterRead(redis, {taken})
    before = CLAIM_CLASHES._value.get()
    proposal = await worker.draft(job("job-race", T.BLOCK, block_params), World())
    assert proposal.state == ProposalState.DRAFTED, proposal.reason
    assert CLAIM_CLASHES._value.get() == before + 1
    assert taken not in room_cells(proposal.payload) and [*taken] in proposal.params["occupied"]
    assert await Claims(redis, 60).held_by_others("p-someone") == {taken} | room_cells(proposal.payload)


async def test_a_rejected_spatial_proposal_gives_its_cells_back(redis: Redis, start_worker: StartWorker) -> None:
    await start_worker()
    bus = Bus(redis)
    for jid, gp in (("job-north", {"room_id": "r-7-19", "direction": "n", "x": 7, "y": 20, "z": 0}),
                    ("job-south", {"room_id": "r-7-0", "direction": "s", "x": 7, "y": -1, "z": 0})):
        await bus.publish(names.GEN_JOBS, GenJob(id=jid, type=T.BLOCK, seed=3,
                                                 params={**PARAMS[T.BLOCK], "growth_point": gp}))
    await wait_for(lambda: _drafted(redis, 2), timeout=30, what="two blocks drafted")
    out = {p.id: room_cells(p.payload) for p in await drafts(redis)}
    claims = Claims(redis, 60)
    assert await claims.held_by_others("p-x") == out["p-job-north"] | out["p-job-south"]
    # The publisher's lines: one applied (its cells stay held until they expire), one rejected.
    for pid, state in (("p-job-north", "applied"), ("p-job-south", "rejected")):
        entry = LogEntry(at=0, service="publisher", instance="publisher", kind=LogKind.VERDICT,
                         message=f"proposal {pid} {state}", proposal_id=pid, data={"type": "BLOCK", "state": state})
        await redis.xadd(names.LOG_PROPOSALS, {"d": msgspec.json.encode(entry)})

    async def given_back() -> bool:
        return await claims.held_by_others("p-x") == out["p-job-north"]
    await wait_for(given_back, timeout=10, what="the rejected block's cells given back")
