"""Edge and pressure detection (issue 10 point 2) and the growth points they name (point 3), in-process."""

from __future__ import annotations

from pathlib import Path

from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_engine.loader import load_base
from ouro_engine.sessions import MemorySession, SessionHub
from ouro_engine.settings import EngineSettings
from ouro_engine.spawning import spawn_item
from ouro_schemas import messages as m
from ouro_schemas.messages import EventKind, WorldEvent
from tests.engine.conftest import Player, signed
from tests.engine.growth_support import road_ops

BASE = Path(__file__).resolve().parents[2] / "data" / "base"


def events(core: Core, kind: EventKind) -> list[WorldEvent]:
    return [e for e in core.game.take_events() if e.kind == kind]


def base_city(**settings: object) -> tuple[Core, SessionHub]:
    core = Core(EngineSettings(seed=3, **settings), ManualClock())  # type: ignore[arg-type]
    core.load_base(load_base(BASE))
    return core, SessionHub(core, None)


def test_growth_points_of_the_base_city_are_its_road_ends_and_edge_lots() -> None:
    core, _ = base_city()
    points = {(gp.room_id, gp.direction): gp for by_dir in core.game.map.growth.values() for gp in by_dir.values()}
    roads = sorted(f"{rid}:{d}" for (rid, d), gp in points.items() if gp.kind == "road_end")
    # the eight authored frontier road ends (docs/world.md), and nothing else is a road end
    assert roads == ["x00y04:w", "x00y10:w", "x03y19:n", "x06y00:s", "x09y19:n", "x15y19:n", "x19y09:e",
                     "x19y15:e"]
    assert all(gp.kind == "lot" for gp in points.values() if f"{gp.room_id}:{gp.direction}" not in roads)
    # lots face outwards only (the interior is built up), never from a building or over the sea
    assert all(not (0 <= gp.x <= 19 and 0 <= gp.y <= 19) for gp in points.values())
    assert all(core.game.map.rooms[gp.room_id].data["kind"] in ("street", "alley", "plaza") for gp in points.values())
    assert not any("waterfront" in core.game.map.rooms[gp.room_id].data.get("tags", ()) for gp in points.values())


def test_near_the_frontier_counts_moves_and_names_candidates() -> None:
    core, hub = base_city()
    hub.attach(MemorySession(), "player:ann", "Ann")
    core.game.take_events()
    seen = []
    for _ in range(10):  # spawn (9,9) north to the road end x09y19
        core.execute("player:ann", "n")
        seen += [(e.room_id, e.data["distance"]) for e in events(core, EventKind.PLAYER_NEAR_EDGE)]
    assert seen == [("x09y17", 2), ("x09y18", 1), ("x09y19", 0)]
    core.execute("player:ann", "s")
    core.execute("player:ann", "n")
    assert events(core, EventKind.PLAYER_NEAR_EDGE)[0].data["distance"] == 0  # closer again: reported again
    core.execute("player:ann", "look")
    ev = core.game.take_events()
    assert not [e for e in ev if e.kind == EventKind.PLAYER_NEAR_EDGE]


def test_the_frontier_moves_out_when_the_road_is_extended() -> None:
    core, hub = base_city(edge_distance=2)
    ops = road_ops("x09y19", "n", (9, 20), 6, "velvet_mile", "ext")
    assert core.patcher.apply(signed(core.settings, "p-ext", ops)).status == m.PatchStatus.APPLIED
    grow = core.game.map.growth
    assert "n" not in grow.get("x09y19", {}) and grow["ext-5"]["n"].kind == "road_end"
    assert grow["ext-0"]["e"].kind == "lot" and (grow["ext-0"]["e"].x, grow["ext-0"]["e"].y) == (10, 20)
    hub.attach(MemorySession(), "player:ann", "Ann")
    core.game.take_events()
    seen = []
    for _ in range(16):
        core.execute("player:ann", "n")
        seen += [(e.room_id, e.data["distance"]) for e in events(core, EventKind.PLAYER_NEAR_EDGE)]
    # The lots beside the new road are frontier too: the first report comes two moves before it, and
    # walking on along the new road keeps it at the frontier (no repeats while the distance holds).
    assert seen == [("x09y18", 2), ("x09y19", 1), ("ext-0", 0)]
    assert core.game.room_of("player:ann").id == "ext-5"  # type: ignore[union-attr]


def test_near_edge_event_carries_its_figures() -> None:
    core, hub = base_city()
    hub.attach(MemorySession(), "player:ann", "Ann")
    core.game.take_events()
    for _ in range(10):
        core.execute("player:ann", "n")
    ev = [e for e in core.game.take_events() if e.kind == EventKind.PLAYER_NEAR_EDGE][-1]
    d = ev.data
    assert d["growth_point"] == {"room_id": "x09y19", "direction": "n", "x": 9, "y": 20, "z": 0,
                                 "kind": "road_end", "district_id": "velvet_mile", "chunk": "0,1"}
    assert d["chunk"] == "0,0" and d["chunks"] == 1 and d["bounds"] == [0, 19, 0, 19]
    assert d["growth_points"][0] == d["growth_point"] and 1 < len(d["growth_points"]) <= 12
    assert all(gp["x"] < 0 or gp["x"] > 19 or gp["y"] < 0 or gp["y"] > 19 for gp in d["growth_points"])


def test_dead_end_hits_are_counted_per_place_with_players_and_a_window(core: Core, hub: SessionHub,
                                                                       clock: ManualClock) -> None:
    ann, bob = Player(core, hub, "Ann"), Player(core, hub, "Bob")
    for p in (ann, bob):
        p.do("e")
        p.do("e")  # dead-end (2,0): nothing north, east or south
    core.game.take_events()
    ann.do("n")
    ann.do("n")
    bob.do("n")
    hits = [e.data for e in events(core, EventKind.DEAD_END_HIT)]
    assert [(h["hits"], h["players"]) for h in hits] == [(1, 1), (2, 1), (3, 2)]
    assert hits[0]["direction"] == "n" and hits[0]["window_s"] == 600
    assert hits[0]["growth_point"]["kind"] == "lot" and (hits[0]["growth_point"]["x"], hits[0]["growth_point"]["y"]) == (2, 1)
    ann.do("e")
    assert events(core, EventKind.DEAD_END_HIT)[0].data["hits"] == 1  # another direction, another dead end
    clock.advance(601)
    ann.do("n")
    assert events(core, EventKind.DEAD_END_HIT)[0].data["hits"] == 1  # the old hits left the window
    ann.do("w")
    ann.do("s")  # the alley's south: a lot too
    ann.do("u")  # up and down never count
    assert [e.data["direction"] for e in events(core, EventKind.DEAD_END_HIT)] == ["s"]


def test_crowding_carries_size_density_and_where_to_grow(core: Core, hub: SessionHub) -> None:
    s = core.settings.model_copy(update={"crowded_players": 3})
    core.game.settings = s
    for name in ("Aa", "Bb", "Cc"):
        Player(core, hub, name)
    crowded = events(core, EventKind.DISTRICT_CROWDED)
    assert len(crowded) == 1 and crowded[0].district_id == "downtown"
    d = crowded[0].data
    assert d["players"] == 3 and d["threshold"] == 3 and d["rooms"] == 2 and d["density"] == 150.0
    gp = d["growth_point"]
    assert gp["district_id"] == "downtown" and gp["room_id"] == "spawn" and gp["kind"] == "lot"


def test_the_maps_show_the_grown_city() -> None:
    core, hub = base_city()
    ops = road_ops("x09y19", "n", (9, 20), 30, "velvet_mile", "ext")  # y 20..49: chunks (0,1), (0,2)
    assert core.patcher.apply(signed(core.settings, "p-ext", ops)).status == m.PatchStatus.APPLIED
    core.game.map.refresh_meta()
    hub.attach(MemorySession(), "player:ann", "Ann")
    for _ in range(12):
        core.execute("player:ann", "n")  # ext-1 at (9, 21)
    local = "\n".join(core.execute("player:ann", "map"))
    rows = local.splitlines()
    assert rows[3].strip() == ": @ :"  # the open lots beside the road, where the city may grow
    assert "(chunk 0,1;" in local and "#" in local
    city = "\n".join(core.execute("player:ann", "map city"))
    grid = city.splitlines()[:7]
    middle = grid[3].split(" ")
    assert middle[7] == "@" and grid[4].split(" ")[7] == "o" and grid[2].split(" ")[7] == "+"
    assert "The city: 3 chunks, 439 rooms" in city and "You are in chunk 0,1 (The Velvet Mile)" in city
    assert "Usage" in "\n".join(core.execute("player:ann", "map everything"))


def test_an_expansion_is_never_undone_over_what_players_own_or_what_hangs_from_it() -> None:
    core, hub = base_city()
    applied = core.patcher.apply(signed(core.settings, "p-ext", road_ops("x09y19", "n", (9, 20), 4, "velvet_mile",
                                                                         "ext")))
    later = core.patcher.apply(signed(core.settings, "p-more", road_ops("ext-3", "n", (9, 24), 2, "velvet_mile",
                                                                        "more")))
    assert applied.status == later.status == m.PatchStatus.APPLIED
    undo = signed(core.settings, "undo:p-ext", applied.inverse, kind=m.PatchKind.UNDO)
    refused = core.patcher.apply(undo)
    assert refused.status == m.PatchStatus.REJECTED and "exit more-0:s still leads into removed room" in refused.reason
    assert core.patcher.apply(signed(core.settings, "undo:p-more", later.inverse,
                                     kind=m.PatchKind.UNDO)).status == m.PatchStatus.APPLIED
    core.game.map.rooms["ext-2"].owner_id = "player:ann"  # rented, bought: a player's room
    refused = core.patcher.apply(undo)
    assert "room 'ext-2' is owned by player 'player:ann'" in refused.reason
    core.game.map.rooms["ext-2"].owner_id = None
    hub.attach(MemorySession(), "player:ann", "Ann")
    core.game.world.move("player:ann", "ext-1")
    assert "player 'player:ann' stands in room 'ext-1'" in core.patcher.apply(undo).reason
    core.game.world.move("player:ann", "x09y19")
    tpl = next(iter(core.game.templates.by_type["item"].values()))
    spawn_item(core.game, tpl, "dropped-1", room_id="ext-3", owner_id="player:ann")  # hers, lying there
    assert "room 'ext-3' holds 'dropped-1', owned by player 'player:ann'" in core.patcher.apply(undo).reason
    core.game.world.delete("dropped-1", now=True)
    assert core.patcher.apply(undo).status == m.PatchStatus.APPLIED
    assert "n" not in core.game.map.rooms["x09y19"].exits and "ext-0" not in core.game.map.rooms
