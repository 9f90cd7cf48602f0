"""Each rule fires on its trigger and not otherwise (pure functions, no Redis)."""

from __future__ import annotations

import random

from ouro_director.rules import build_registry, by_kind
from ouro_director.summary import EMPTY, DistrictInfo, GrowthPointInfo, WorldSummary, parse_summary
from ouro_schemas.messages import EventKind, Sliders
from ouro_schemas.proposal import ProposalType as T
from tests.director.conftest import ev

K = EventKind
REG = build_registry()
CALM = Sliders(chaos=0.0, aggression=0.5, expansion=0.5)


def run(rule: str, event, summary=EMPTY, sliders=CALM, now=10_000.0):  # type: ignore[no-untyped-def]
    return REG[rule].fn(event, summary, sliders, random.Random(1), now)


def district(**kw) -> WorldSummary:  # type: ignore[no-untyped-def]
    kw.setdefault("id", "docks")
    return WorldSummary(districts={kw["id"]: DistrictInfo(**kw)},
                        growth_points=(GrowthPointInfo(room_id="docks-3", direction="e", x=19, y=3),))


def test_registry_names_and_dispatch() -> None:
    assert set(REG) == {"edge_expansion", "power_vacuum", "gold_sink", "residential_sprawl", "extend_road",
                        "faction_hq", "fresh_dungeon", "populate_empty", "salvage"}
    kinds = by_kind(REG)
    assert kinds[K.PLAYER_ENTERED_ROOM] == [] and kinds[K.PLAYER_CONNECTED] == []
    assert {s.name for s in kinds[K.PLAYER_ENTERED_DISTRICT]} == {"faction_hq", "fresh_dungeon", "populate_empty"}


def test_edge_expansion() -> None:
    e = ev(K.PLAYER_NEAR_EDGE, player_id="p1", district_id="docks", data={"x": 18, "y": 3})
    [d] = run("edge_expansion", e, district())
    assert d.type in (T.BLOCK, T.WORLD_EXPANSION) and d.high_risk and d.expansion
    assert d.params["growth_point"]["room_id"] == "docks-3"
    assert run("edge_expansion", e, WorldSummary()) == []  # no growth point known, none in the event
    [d] = run("edge_expansion", ev(K.PLAYER_NEAR_EDGE, room_id="r9", data={"direction": "n"}))
    assert d.params["growth_point"] == {"room_id": "r9", "direction": "n", "x": 0, "y": 1, "z": 0}  # the lot north


def test_power_vacuum() -> None:
    [d] = run("power_vacuum", ev(K.NPC_KILLED, district_id="docks", data={"boss": True, "npc_id": "rat_king"}))
    assert d.type is T.EVENT and d.params["event_type"] == "power_vacuum" and d.high_risk
    assert run("power_vacuum", ev(K.NPC_KILLED, district_id="docks", data={"role": "ganger"})) == []


def test_salvage() -> None:
    e = ev(K.NPC_KILLED, player_id="p1", district_id="docks", room_id="docks-7",
           data={"template_id": "npc.commuter", "role": "civilian"})
    [d] = run("salvage", e, district(threat_level=6))
    assert d.type is T.ITEM and d.params["spawn_room_id"] == "docks-7" and d.scope == "docks"
    assert d.params["threat_level"] == 6 and "npc.commuter" in d.reason
    assert run("salvage", ev(K.NPC_KILLED, district_id="docks", room_id="r", data={"boss": True})) == []
    assert run("salvage", ev(K.NPC_KILLED, district_id="docks")) == []  # nowhere to put it
    high = run("salvage", e, district(threat_level=6), Sliders(chaos=0.0, aggression=1.0, expansion=0.5))
    assert high[0].params["threat_level"] == 9  # aggression raises what turns up
    wild = Sliders(chaos=1.0, aggression=0.5, expansion=0.5)
    picks = [REG["salvage"].fn(e, district(), wild, random.Random(seed), 0.0)[0].params for seed in range(40)]
    assert any(p["weird"] for p in picks) and not all(p["weird"] for p in picks)
    assert all(p["weird"] == (p.get("rarity") in ("rare", "epic")) for p in picks)  # chaos: rarer than due


def test_gold_sink() -> None:
    [d] = run("gold_sink", ev(K.ECONOMY_STATS, data={"inflation": 0.06}), district())
    assert d.type is T.NPC and d.params["gold_sink"] and d.params["district_id"] == "docks"
    assert run("gold_sink", ev(K.ECONOMY_STATS, data={"inflation": 0.04})) == []
    assert run("gold_sink", ev(K.ECONOMY_STATS), WorldSummary(inflation=0.051))  # from the summary
    assert run("gold_sink", ev(K.ECONOMY_STATS), WorldSummary(inflation=0.05)) == []


def test_residential_sprawl() -> None:
    e = ev(K.DISTRICT_CROWDED, district_id="docks", data={"population": 20})
    [d] = run("residential_sprawl", e, district())
    assert d.type in (T.BLOCK, T.BUILDING) and d.params["district_id"] == "docks"
    assert run("residential_sprawl", ev(K.DISTRICT_CROWDED, district_id="docks", data={"population": 5})) == []
    assert run("residential_sprawl", ev(K.DISTRICT_CROWDED, district_id="docks"), district(players=3, npcs=20)) == []
    assert run("residential_sprawl", ev(K.DISTRICT_CROWDED, district_id="docks", data={"players": 10}))


def test_extend_road() -> None:
    e = ev(K.DEAD_END_HIT, room_id="alley-9", data={"direction": "w", "hits": 3, "x": 4, "y": 7, "z": 0})
    [d] = run("extend_road", e)  # the engine's data: the room's coordinates and the direction tried
    assert d.type is T.BLOCK and d.scope == "alley-9:w"
    assert d.params["growth_point"] == {"room_id": "alley-9", "direction": "w", "x": 3, "y": 7, "z": 0}
    assert run("extend_road", ev(K.DEAD_END_HIT, room_id="alley-9", data={"direction": "w", "hits": 2})) == []


def test_faction_hq() -> None:
    e = ev(K.PLAYER_ENTERED_DISTRICT, player_id="p1", district_id="docks")
    [d] = run("faction_hq", e, district(has_hq=False, faction_id="tide-rats"))
    assert d.type is T.BUILDING and d.params["storefront"] == "hq" and d.params["faction_id"] == "tide-rats"
    assert run("faction_hq", e, district(has_hq=True, faction_id="tide-rats")) == []
    assert run("faction_hq", e, WorldSummary()) == []


def test_fresh_dungeon() -> None:
    e = ev(K.QUEST_COMPLETED, player_id="p1", district_id="docks", quest_id="q1")
    out = run("fresh_dungeon", e, district(quests_open=0, quests_done=3))
    assert [d.type for d in out][:2] == [T.BUILDING, T.QUEST] and out[0].params["storefront"] == "dungeon"
    assert run("fresh_dungeon", e, district(quests_open=2, quests_done=3)) == []
    assert run("fresh_dungeon", e, district(quests_open=0, quests_done=0)) == []
    stale = district(quests_open=2, quests_done=1, last_quest_at=0.0)
    assert run("fresh_dungeon", e, stale, now=10_000.0)
    assert run("fresh_dungeon", e, stale, now=100.0) == []


def test_populate_empty() -> None:
    e = ev(K.PLAYER_ENTERED_DISTRICT, player_id="p1", district_id="docks", room_id="docks-1")
    out = run("populate_empty", e, district(npcs=0), sliders=Sliders(chaos=0, aggression=0.5, expansion=0))
    assert out and all(d.type is T.NPC for d in out)
    assert run("populate_empty", e, district(npcs=4)) == []
    assert run("populate_empty", e, WorldSummary()) == []  # unknown district: not known to be empty


def test_summary_is_read_defensively() -> None:
    assert parse_summary(None) == WorldSummary()
    assert parse_summary(b"not json") == WorldSummary()
    s = parse_summary(b'{"districts": {"docks": {"players": "x", "npcs": 2}}, "economy": {"inflation": 0.07},'
                      b' "growth_points": [{"room_id": "r1", "direction": "e", "x": 1, "y": 2}, 5]}')
    assert s.districts["docks"].players == 0 and s.districts["docks"].npcs == 2 and s.inflation == 0.07
    assert s.growth_points == (GrowthPointInfo(room_id="r1", direction="e", x=1, y=2),)
