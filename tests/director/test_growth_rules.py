"""Where the city grows and whose it is (issue 10 point 3): growth-point picks by the sliders, districts
continued or founded, and the cells the gen-worker is told are taken (read from the chunk indexes)."""

from __future__ import annotations

import random

from redis.asyncio import Redis

from ouro_director.growthplan import candidates, district_plan, pick_growth_point
from ouro_director.placement import WorldIndex, cells_near, place
from ouro_director.rules import build_registry
from ouro_director.summary import DistrictInfo, GrowthPointInfo, WorldSummary
from ouro_schemas import names
from ouro_schemas.messages import EventKind, GenJob, Sliders
from ouro_schemas.proposal import ProposalType
from tests.director.conftest import ev

ROAD = GrowthPointInfo(room_id="x09y19", direction="n", x=9, y=20, kind="road_end", district_id="velvet")
LOT_NEAR = GrowthPointInfo(room_id="x09y19", direction="e", x=10, y=19, kind="lot", district_id="velvet")
LOT_FAR = GrowthPointInfo(room_id="x12y19", direction="n", x=12, y=20, kind="lot", district_id="velvet")
SUMMARY = WorldSummary(
    districts={"velvet": DistrictInfo(id="velvet", threat_level=5, theme="nightlife", faction_id="choir",
                                      rooms=40, center=(9.5, 16.5)),
               "docks": DistrictInfo(id="docks", threat_level=7, theme="docks", faction_id="tide", rooms=60,
                                     center=(14.0, 3.0))},
    factions={"choir": 1, "tide": 1, "saints": 0}, growth_points=(LOT_FAR,))


def test_nearness_to_the_player_comes_first_then_expansion_picks_road_or_lot() -> None:
    points = [LOT_FAR, LOT_NEAR, ROAD]
    at = (9, 19)  # the player stands at the road end
    sprawl = Sliders(chaos=0, expansion=1.0)
    fill = Sliders(chaos=0, expansion=0.0)
    pick = pick_growth_point(points, *at, sprawl, random.Random(1))
    assert pick is not None and pick.point == ROAD and not pick.weird and pick.considered == 3
    assert pick_growth_point(points, *at, fill, random.Random(1)).point == LOT_NEAR  # type: ignore[union-attr]
    # a lot four cells away loses to the road end beside the player even when filling in
    assert pick_growth_point([LOT_FAR, ROAD], *at, fill, random.Random(1)).point == ROAD  # type: ignore[union-attr]
    assert pick_growth_point([], *at, fill, random.Random(1)) is None


def test_chaos_jolts_the_pick_and_marks_it_weird() -> None:
    points = [ROAD, LOT_NEAR]
    calm = [pick_growth_point(points, 9, 19, Sliders(chaos=0, expansion=0.6), random.Random(s)) for s in range(200)]
    wild = [pick_growth_point(points, 9, 19, Sliders(chaos=1, expansion=0.6), random.Random(s)) for s in range(200)]
    assert all(p is not None and p.point == ROAD and not p.weird for p in calm)
    weird = [p for p in wild if p is not None and p.weird]
    assert 10 < len(weird) < 150 and all(p.point == LOT_NEAR for p in weird)


def test_a_block_continues_its_neighbours_district_near_it() -> None:
    plan = district_plan(ROAD, None, SUMMARY, Sliders(aggression=0.5), random.Random(1), found_distance=24)
    assert plan == {"district_id": "velvet", "threat_level": 5, "theme": "nightlife"}
    hot = district_plan(ROAD, None, SUMMARY, Sliders(aggression=1.0), random.Random(1), found_distance=24)
    assert hot["threat_level"] == 8


def test_far_out_a_new_district_is_founded_with_its_own_faction_theme_and_threat() -> None:
    far = GrowthPointInfo(room_id="b-s9", direction="n", x=9, y=44, kind="road_end", district_id="velvet")
    plans = [district_plan(far, None, SUMMARY, Sliders(aggression=0.5), random.Random(s), found_distance=24)
             for s in range(50)]
    assert all(p["new_district"] is True and p["district_id"] == "" and p["founded_from"] == "velvet" for p in plans)
    assert {p["faction_id"] for p in plans} == {"saints"}  # the faction holding no district
    assert {p["theme"] for p in plans} <= {"docks"} and all(3 <= p["threat_level"] <= 7 for p in plans)
    even = WorldSummary(districts=SUMMARY.districts, factions={"choir": 1, "tide": 1})
    assert {district_plan(far, None, even, Sliders(), random.Random(s), 24)["faction_id"] for s in range(50)} == \
        {"choir", "tide"}  # ties broken by the rng
    assert district_plan(far, None, SUMMARY, Sliders(), random.Random(1), found_distance=40)["district_id"] == "velvet"


def test_edge_expansion_uses_the_engines_candidates_and_says_why() -> None:
    rule = build_registry()["edge_expansion"].fn
    event = ev(EventKind.PLAYER_NEAR_EDGE, player_id="p1", room_id="x09y19", district_id="velvet",
               data={"x": 9, "y": 19, "distance": 0, "growth_point": {**ROAD.params(), "kind": "road_end",
                                                                       "district_id": "velvet"},
                     "growth_points": [{**LOT_NEAR.params(), "kind": "lot", "district_id": "velvet"}]})
    assert [gp.room_id + ":" + gp.direction for gp in candidates(event, SUMMARY)] == ["x09y19:n", "x09y19:e"]
    [d] = rule(event, SUMMARY, Sliders(chaos=0, expansion=0.5), random.Random(3), 0.0)
    assert d.params["growth_point"] == ROAD.params() and d.params["growth_kind"] == "road_end"
    assert d.params["district_id"] == "velvet" and d.params["theme"] == "nightlife"
    assert "growing at road_end x09y19:n (of 2)" in d.reason and d.scope == "x09y19:n"
    far = ev(EventKind.PLAYER_NEAR_EDGE, player_id="p1", room_id="b-s9", district_id="velvet",
             data={"x": 9, "y": 43, "growth_point": {"room_id": "b-s9", "direction": "n", "x": 9, "y": 44,
                                                     "kind": "road_end", "district_id": "velvet"}})
    [d] = rule(far, SUMMARY, Sliders(chaos=0, expansion=0.5), random.Random(3), 0.0)
    assert d.params["new_district"] is True and "founds a district (from velvet)" in d.reason


def test_extend_road_takes_the_dead_ends_growth_point_and_counts_players() -> None:
    rule = build_registry()["extend_road"].fn
    event = ev(EventKind.DEAD_END_HIT, player_id="p1", room_id="x09y19", district_id="velvet",
               data={"direction": "n", "x": 9, "y": 19, "hits": 3, "players": 2,
                     "growth_point": {**ROAD.params(), "kind": "road_end", "district_id": "velvet"}})
    [d] = rule(event, SUMMARY, Sliders(chaos=0), random.Random(1), 0.0)
    assert d.params["growth_point"] == ROAD.params() and d.params["district_id"] == "velvet"
    assert d.reason == "dead end hit 3 times by 2 players"


async def test_cells_near_reads_only_the_chunks_around(redis: Redis) -> None:
    await redis.hset(names.WORLD_CHUNK + "0,1", mapping={"a": "9,20,0", "b": "9,21,1", "c": "30,39,0"})
    await redis.hset(names.WORLD_CHUNK + "0,0", mapping={"d": "9,19,0"})
    await redis.hset(names.WORLD_CHUNK + "5,5", mapping={"far": "100,100,0"})
    assert await cells_near(redis, (9, 20, 0), radius=10) == [[9, 19, 0], [9, 20, 0], [9, 21, 1]]
    assert [30, 39, 0] in await cells_near(redis, (9, 20, 0), radius=24)


def test_block_jobs_get_no_bounds_and_keep_the_cells_they_were_given() -> None:
    job = GenJob(id="j1", type=ProposalType.BLOCK, seed=1,
                 params={"district_id": "", "new_district": True, "growth_point": ROAD.params(),
                         "occupied": [[9, 19, 0]]})
    params, why = place(job, WorldIndex(), SUMMARY)
    assert why == "" and params is not None
    assert "bounds" not in params and params["occupied"] == [[9, 19, 0]] and params["district_id"] == ""
