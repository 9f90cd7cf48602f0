"""Bad input becomes a rejected proposal whose reason names the param and the problem."""

from __future__ import annotations

from typing import Any

import pytest

from ouro_genworker.drafting import BadJob, draft_raw
from ouro_schemas.proposal import ProposalState, ProposalType
from tests.gen_worker.cases import GROWTH_POINT, PARAMS


def raw_job(ptype: str, params: dict[str, Any], seed: Any = 7) -> dict[str, Any]:
    return {"id": "job-bad", "type": ptype, "seed": seed, "params": params, "rule": "test"}


@pytest.mark.parametrize(
    ("ptype", "params", "expected"),
    [
        ("NPC", {"threat_level": 15}, "params.threat_level: must be an integer 1-10, got 15"),
        ("NPC", {"threat_level": "high"}, "params.threat_level: must be an integer 1-10, got 'high'"),
        ("NPC", {"aggression": 2.5}, "params.aggression: must be a number 0.0-1.0, got 2.5"),
        ("NPC", {"role": "wizard"}, "params.role: must be one of"),
        ("NPC", {"item_ids": ["ok", "../etc/passwd"]}, "params.item_ids[1]: must be an id"),
        ("ITEM", {"rarity": "mythic"}, "params.rarity: must be one of common, uncommon"),
        ("ITEM", {"kind": "weapon", "slot": "head"}, "params.slot: 'head' does not fit kind 'weapon'"),
        ("ITEM", {"level": 0.5}, "params.level: must be an integer 0-100, got 0.5"),
        ("QUEST", {}, "params.district_id: is required"),
        ("QUEST", {"district_id": "docks", "difficulty": 11}, "params.difficulty: must be an integer 1-10"),
        ("BUILDING", {"x": 1, "y": 1, "direction": "n", "district_id": "d"}, "params.street_room_id: is required"),
        ("BUILDING", {**PARAMS[ProposalType.BUILDING], "direction": "up"}, "params.direction: must be a direction"),
        ("BUILDING", {**PARAMS[ProposalType.BUILDING], "occupied": [[3, 5, 0]]},
         "params.direction: the entrance cell [3, 5, 0] is occupied"),
        ("BLOCK", {"district_id": "docks"}, "params.growth_point: is required"),
        ("BLOCK", {"district_id": "docks", "growth_point": {**GROWTH_POINT, "x": "far"}},
         "params.growth_point.x: must be an integer coordinate, got 'far'"),
        ("BLOCK", {"district_id": "docks", "growth_point": GROWTH_POINT, "occupied": [[20, 7, 0]]},
         "params.growth_point: the link cell [20, 7, 0] is occupied"),
        ("BLOCK", {"district_id": "docks", "growth_point": GROWTH_POINT, "occupied": [[1, 2, 3, 4]]},
         "params.occupied[0]: must be [x, y] or [x, y, z]"),
        ("BLOCK", {"growth_point": GROWTH_POINT, "new_district": True},
         "params.faction_id: is required when new_district is true"),
        ("BLOCK", {"growth_point": GROWTH_POINT}, "params.district_id: is required unless new_district"),
        ("EVENT", {"event_type": "alien_landing"}, "params.event_type: must be one of market_fluctuation"),
        ("EVENT", {"duration_s": -5}, "params.duration_s: must be a number"),
        ("WORLD_EXPANSION", {"district_id": "d"}, "params.growth_points: is required"),
        ("WORLD_EXPANSION", {"district_id": "d", "growth_points": [GROWTH_POINT, {"room_id": "x"}]},
         "params.growth_points[1].direction: is required"),
    ],
)
def test_invalid_params_are_rejected_with_the_param_named(ptype: str, params: dict[str, Any], expected: str) -> None:
    p = draft_raw(raw_job(ptype, params))
    assert p.state == ProposalState.REJECTED
    assert p.reason.startswith(expected), p.reason
    assert p.id == "p-job-bad" and p.job_id == "job-bad" and p.type == ProposalType(ptype)
    assert p.payload == {}


def test_unknown_type_is_rejected_and_the_raw_type_kept() -> None:
    p = draft_raw(raw_job("DRAGON", {}))
    assert p.state == ProposalState.REJECTED
    assert p.reason.startswith("bad job: type: Invalid enum value 'DRAGON'"), p.reason
    assert p.tags["requested_type"] == "DRAGON"


def test_a_type_without_a_generator_is_rejected() -> None:
    p = draft_raw(raw_job("QM_ACTION", {}))
    assert p.state == ProposalState.REJECTED
    assert p.reason.startswith("type: no generator for 'QM_ACTION' (known: NPC, ITEM"), p.reason


@pytest.mark.parametrize(("seed", "expected"), [(-1, "seed: must be an integer 0-"),
                                                ("abc", "bad job: seed: Expected `int`, got `str`")])
def test_bad_seeds_are_rejected(seed: Any, expected: str) -> None:
    p = draft_raw(raw_job("NPC", {}, seed=seed))
    assert p.state == ProposalState.REJECTED and p.reason.startswith(expected), p.reason


def test_params_that_are_not_an_object_are_rejected() -> None:
    p = draft_raw(raw_job("NPC", ["threat_level", 3]))  # type: ignore[arg-type]
    assert p.state == ProposalState.REJECTED and p.reason.startswith("bad job: params: Expected `object`")


def test_a_job_without_an_id_cannot_be_named() -> None:
    with pytest.raises(BadJob, match="id: must be a non-empty string"):
        draft_raw({"type": "NPC", "seed": 1})


def test_float_ints_from_json_are_accepted() -> None:
    p = draft_raw(raw_job("NPC", {"threat_level": 4.0, "aggression": 1}))
    assert p.state == ProposalState.DRAFTED and p.payload["archetype"]["threat_level"] == 4


def test_a_generator_bug_is_a_rejection_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from ouro_genworker import registry
    from ouro_genworker.types import Generator

    def broken(params: dict[str, Any], rng: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(registry.GENERATORS, ProposalType.NPC, Generator("npc-archetype", "1", broken))
    p = draft_raw(raw_job("NPC", {}))
    assert p.state == ProposalState.REJECTED
    assert p.reason == "generator error: ZeroDivisionError: division by zero"
