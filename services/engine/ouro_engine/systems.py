"""The periodic systems besides AI, combat and quests, in tick order:
regeneration, respawn, world-event durations, Questmaker budget regeneration, economy statistics.

Slow change is computed from elapsed time (Evennia's on-demand idea): each system keeps the time it
last ran and applies `rate × elapsed`, so a late tick loses nothing.
"""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine.game import Game
from ouro_schemas.messages import EventKind


class RegenSystem:
    """Players out of combat regain health (`player_regen_per_s`), once a second."""

    name = "regen"

    def __init__(self, game: Game) -> None:
        self.game = game
        self.last: float | None = None

    def process(self, now: float) -> None:
        if self.last is None:
            self.last = now
        elapsed = now - self.last
        if elapsed < 1.0:
            return
        self.last = now
        amount = int(self.game.settings.player_regen_per_s * elapsed)
        world = self.game.world
        for eid, (hp, _player) in world.query(k.Health, k.Player):
            if hp.current < hp.maximum and not world.has(eid, k.Fighting):
                hp.current = min(hp.maximum, hp.current + amount)
                world.dirty.add(eid)


class RespawnSystem:
    """Dead NPCs come back at full health in their home room when their timer runs out."""

    name = "respawn"

    def __init__(self, game: Game) -> None:
        self.game = game

    def process(self, now: float) -> None:
        world = self.game.world
        for eid, (dead, ai, hp) in list(world.query(k.Dead, k.AI, k.Health)):
            if dead.respawn_at <= now:
                if ai.home_room_id not in self.game.map.rooms:
                    # Its home chunk is not in memory (it respawns when it is), or the room was removed
                    # by a patch (which deletes the dead NPCs homed there: apply_remove_rooms).
                    continue
                world.remove(eid, k.Dead)
                hp.current = hp.maximum
                world.move(eid, ai.home_room_id)
                self.game.tell_room(ai.home_room_id, f"{self.game.name_of(eid)} shows up.", exclude=(eid,))


class EventDurationSystem:
    """Active world events end when their time is up."""

    name = "events"

    def __init__(self, game: Game) -> None:
        self.game = game

    def process(self, now: float) -> None:
        for ev in list(self.game.events_active.values()):
            if ev.ends_at <= now:
                end_event(self.game, ev.id)


def end_event(game: Game, event_id: str) -> None:
    ev = game.events_active.pop(event_id, None)
    if ev is None:
        return
    game.dirty.events.discard(event_id)
    game.dirty.events_removed.add(event_id)
    game.emit(EventKind.WORLD_EVENT_ENDED, district_id=ev.district_id,
              data={"event_id": ev.id, "event_type": ev.event_type})


class QmRegenSystem:
    """Questmaker budgets regenerate at regen_per_minute, capped at budget_max (once a second)."""

    name = "qm_regen"

    def __init__(self, game: Game) -> None:
        self.game = game
        self.last: float | None = None

    def process(self, now: float) -> None:
        if self.last is None:
            self.last = now
        elapsed = now - self.last
        if elapsed < 1.0:
            return
        self.last = now
        for qm in self.game.qms.values():
            if qm.budget_current < qm.budget_max and qm.regen_per_minute > 0:
                qm.budget_current = min(qm.budget_max, qm.budget_current + qm.regen_per_minute * elapsed / 60)
                self.game.mark_qm(qm.id)


class EconomySystem:
    """Every `economy_every_ticks`: money supply, price index and inflation as a world event."""

    name = "economy"

    def __init__(self, game: Game) -> None:
        self.game = game
        self.previous_supply: int | None = None
        self.latest: dict[str, float] = {"money_supply": 0, "inflation": 0.0, "price_index": 1.0}

    def process(self, now: float) -> None:
        game = self.game
        if game.world.tick % game.settings.economy_every_ticks:
            return
        supply = sum(w.credits for _, (w, _p) in game.world.query(k.Wallet, k.Player))
        multipliers = [game.event_effect("price_multiplier", d) for d in game.templates.by_type["district"]]
        price_index = sum(multipliers) / len(multipliers) if multipliers else 1.0
        prev = self.previous_supply
        inflation = 0.0 if not prev else (supply - prev) / prev
        self.previous_supply = supply
        self.latest = {"money_supply": supply, "inflation": round(inflation, 4),
                       "price_index": round(price_index, 4)}
        game.emit(EventKind.ECONOMY_STATS, data={**self.latest, "created": game.money_created,
                                                 "destroyed": game.money_destroyed})
