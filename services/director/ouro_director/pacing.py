"""Pacing, after Left 4 Dead's director and RimWorld's storytellers.

- Per-player intensity in [0, 1]: combat, deaths and failures push it up; it decays with a half-life.
  When it reaches the peak, the player enters a RELAX phase: threat-raising decisions for them wait
  (logged as "relax") until it ends. BUILD_UP is everything else.
- Threat points from world wealth (RimWorld): money supply scaled by aggression; sent with the jobs so
  the gen-worker can size the danger.
- A forced major event after a long quiet while players are online.

Intensity is computed lazily when someone looks (stored value + time), not ticked per player.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from ouro_director.summary import WorldSummary
from ouro_schemas.messages import EventKind, Sliders, WorldEvent

BUMPS: dict[EventKind, float] = {
    EventKind.NPC_KILLED: 0.15,
    EventKind.PLAYER_DIED: 0.5,
    EventKind.QUEST_FAILED: 0.25,
    EventKind.QUEST_PROGRESSED: 0.05,
    EventKind.QUEST_COMPLETED: 0.1,
}
MAJOR_KINDS = frozenset({EventKind.WORLD_EVENT_STARTED})


class Phase(enum.StrEnum):
    BUILD_UP = "build_up"
    RELAX = "relax"


@dataclass
class _Pace:
    intensity: float = 0.0
    at: float = 0.0
    relax_until: float = 0.0


class Pacer:
    def __init__(self, half_life_s: float, peak: float, relax_s: float, quiet_s: float, now: float) -> None:
        self.decay = math.log(2) / half_life_s
        self.peak = peak
        self.relax_s = relax_s
        self.quiet_s = quiet_s
        self.last_major_at = now
        self._players: dict[str, _Pace] = {}

    def intensity(self, player_id: str, now: float) -> float:
        pace = self._players.get(player_id)
        if pace is None:
            return 0.0
        return pace.intensity * math.exp(-self.decay * max(0.0, now - pace.at))

    def observe(self, event: WorldEvent, now: float) -> None:
        if event.kind in MAJOR_KINDS:
            self.last_major_at = now
        bump = BUMPS.get(event.kind)
        if bump is None or not event.player_id:
            return
        if event.kind is EventKind.NPC_KILLED and (event.data.get("boss") or event.data.get("role") == "boss"):
            bump = 0.45
        pace = self._players.setdefault(event.player_id, _Pace())
        pace.intensity = min(1.0, self.intensity(event.player_id, now) + bump)
        pace.at = now
        if pace.intensity >= self.peak and now >= pace.relax_until:
            pace.relax_until = now + self.relax_s
        if len(self._players) > 50_000:
            self._players = {p: v for p, v in self._players.items() if v.relax_until > now or
                             self.intensity(p, now) > 0.01}

    def phase(self, player_id: str | None, now: float) -> Phase:
        pace = self._players.get(player_id) if player_id else None
        return Phase.RELAX if pace and now < pace.relax_until else Phase.BUILD_UP

    def note_major(self, now: float) -> None:
        self.last_major_at = now

    def forced_due(self, now: float, players_online: int) -> bool:
        return players_online > 0 and now - self.last_major_at >= self.quiet_s


def threat_points(summary: WorldSummary, sliders: Sliders) -> float:
    """RimWorld-style: wealth buys danger. 1 point per 100 credits in circulation, scaled 0.25×…1.75×."""
    return round(summary.money_supply / 100 * (0.25 + 1.5 * sliders.aggression), 2)
