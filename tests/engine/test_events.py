"""World events: economy statistics, district crowding, world-event durations (near the edge and dead
ends: tests/engine/test_growth.py)."""

from __future__ import annotations

import os
import re

import pytest

from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_engine.game import Game
from ouro_engine.sessions import SessionHub
from ouro_engine.settings import EngineSettings
from ouro_schemas import messages as m
from ouro_schemas.messages import EventKind
from tests.engine.conftest import Player, signed, tick_for


def test_economy_stats_every_n_ticks(settings: EngineSettings, base_dir: object) -> None:
    from ouro_engine.loader import load_base

    s = settings.model_copy(update={"economy_every_ticks": 10})
    clock = ManualClock()
    core = Core(s, clock)
    core.load_base(load_base(s.resolved_base_dir()))
    p = Player(core, SessionHub(core, None), "Ann")
    tick_for(core, clock, 1.0)
    p.do("n")
    p.do("buy pipe")
    tick_for(core, clock, 1.0)
    stats = [e for e in core.game.take_events() if e.kind == EventKind.ECONOMY_STATS]
    assert [e.data["money_supply"] for e in stats] == [100, 80]
    assert stats[1].data["inflation"] == -0.2 and stats[1].data["destroyed"] == 20


def test_district_crowded(core: Core, hub: SessionHub) -> None:
    s = core.settings.model_copy(update={"crowded_players": 3})
    core.game.settings = s
    core.tracker.game.settings = s
    for name in ("Aa", "Bb", "Cc"):
        Player(core, hub, name)
    crowded = [e for e in core.game.take_events() if e.kind == EventKind.DISTRICT_CROWDED]
    assert len(crowded) == 1 and crowded[0].district_id == "downtown"


def test_world_event_runs_for_its_duration_and_moves_prices(core: Core, settings: EngineSettings, ann: Player,
                                                             clock: ManualClock) -> None:
    r = core.patcher.apply(signed(settings, "ev-1", [m.StartEvent(
        event_id="ev-1:festival", event_type="festival", district_id="downtown", duration_s=60,
        effects={"price_multiplier": 1.5})]))
    assert r.status == m.PatchStatus.APPLIED
    ann.do("n")
    assert "Lead Pipe (pipe) - 30 cr" in ann.do("list")
    tick_for(core, clock, 61, step=1.0)
    assert "ev-1:festival" not in core.game.events_active
    assert EventKind.WORLD_EVENT_ENDED in [e.kind for e in core.game.take_events()]
    assert "Lead Pipe (pipe) - 20 cr" in ann.do("list")


def test_a_world_event_is_told_to_the_players_it_touches_and_shown_on_look(
        core: Core, settings: EngineSettings, ann: Player, clock: ManualClock) -> None:
    ann.do("n")  # into downtown
    r = core.patcher.apply(signed(settings, "ev-2", [m.StartEvent(
        event_id="ev-2:acid", event_type="acid_storm", district_id="downtown", duration_s=300,
        text="Yellow rain hisses on every awning.")]))
    assert r.status == m.PatchStatus.APPLIED
    assert "World event around you: Acid Storm. Yellow rain hisses on every awning." in ann.session.text()
    assert "Happening: Acid Storm (5 min left) - Yellow rain hisses" in ann.do("look")
    told = ann.session.text()
    elsewhere = core.patcher.apply(signed(settings, "ev-3", [m.StartEvent(
        event_id="ev-3:fest", event_type="festival", district_id="slums", duration_s=60)]))
    assert elsewhere.status == m.PatchStatus.APPLIED
    assert "Festival" not in ann.session.text()[len(told):] and "Festival" not in ann.do("look")
    # Ending it (an undo) and restarting it from the inverse keeps the text.
    end = core.patcher.apply(signed(settings, "ev-2:end", [m.EndEvent(event_id="ev-2:acid")]))
    assert end.status == m.PatchStatus.APPLIED and "Happening" not in ann.do("look")
    [again] = end.inverse
    assert isinstance(again, m.StartEvent) and again.text == "Yellow rain hisses on every awning."


def test_event_ids_unique_without_a_system_call_each(core: Core, settings: EngineSettings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Event ids are 'ev-' + 16 hex digits, unique within a process and across restarts (consumers dedupe
    by id), and emitting one does not ask the OS for randomness (uuid4 did, per event)."""
    ids = set()
    with monkeypatch.context() as mp:
        mp.setattr(os, "urandom", lambda n: (_ for _ in ()).throw(AssertionError("urandom per event")))
        for _ in range(50_000):
            ids.add(core.game.emit(EventKind.PLAYER_ACTION, player_id="p").id)
    assert len(ids) == 50_000
    assert all(re.fullmatch(r"ev-[0-9a-f]{16}", i) for i in ids)
    restarted = Game(settings)  # a new process (or a reload): a fresh stream, not the same ids again
    assert not ids & {restarted.emit(EventKind.PLAYER_ACTION, player_id="p").id for _ in range(50_000)}
