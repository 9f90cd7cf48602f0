"""The committed base city (data/base/, written by tools/worldgen) loads and plays without errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_engine.loader import load_base
from ouro_engine.sessions import MemorySession, SessionHub
from ouro_engine.settings import EngineSettings

BASE = Path(__file__).resolve().parents[2] / "data" / "base"
pytestmark = pytest.mark.skipif(not (BASE / "rooms.json").exists(), reason="data/base not built yet")

VERBS = ["n", "s", "e", "w", "ne", "nw", "se", "sw", "u", "d", "look", "list", "quests", "map", "score", "i"]
TARGETED = ["talk", "attack", "consider", "get", "buy", "examine"]


def test_base_city_loads_and_a_long_random_walk_never_errors() -> None:
    base = load_base(BASE)
    assert len(base.rooms) >= 400 and len(base.quests) >= 6
    core = Core(EngineSettings(seed=3), ManualClock())
    core.load_base(base)
    session = MemorySession()
    SessionHub(core, None).attach(session, "player:ann", "Ann")
    assert session.data or session.lines
    rng = np.random.default_rng(1)
    for _ in range(2000):
        verb = (VERBS + TARGETED)[int(rng.integers(len(VERBS) + len(TARGETED)))]
        if verb in TARGETED:
            room = core.game.room_of("player:ann")
            here = [e for e in core.game.world.in_room(room.id) if e != "player:ann"] if room else []
            verb += " " + (core.game.name_of(here[int(rng.integers(len(here)))]).split()[0].lower() if here else "x")
        core.execute("player:ann", verb)
        core.game.world.clock.advance(0.5)  # type: ignore[attr-defined]
        core.tick()
    assert core.command_errors == 0


def test_walking_to_the_north_edge_names_the_road_end_to_grow_at() -> None:
    """The near-edge event carries the nearest growth point: a road ending at the edge the player walks
    towards, not some lot on the far side of the map."""
    from ouro_schemas.messages import EventKind

    core = Core(EngineSettings(seed=3), ManualClock())
    core.load_base(load_base(BASE))
    SessionHub(core, None).attach(MemorySession(), "player:ann", "Ann")
    core.game.take_events()
    for _ in range(12):
        core.execute("player:ann", "n")
    near = [e for e in core.game.take_events() if e.kind == EventKind.PLAYER_NEAR_EDGE]
    assert near, "walking north from the spawn plaza reaches the northern edge"
    gp = near[-1].data["growth_point"]
    x, y = near[-1].data["x"], near[-1].data["y"]
    room = core.game.map.get(gp["room_id"])
    assert room is not None and room.data["kind"] == "street"
    assert gp["direction"] not in room.exits  # an exit to nowhere
    assert gp["y"] == core.game.map.bounds[3] + 1  # beyond the northern edge...
    assert abs(gp["x"] - x) + abs(gp["y"] - y) <= 8  # ...and near the player
