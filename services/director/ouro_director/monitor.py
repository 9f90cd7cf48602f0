"""The Questmaker monitor (DESIGN §7, Questmaker seed §3, §5): when does a Questmaker get a turn?

Per (player, quest) it keeps the last quest action time, the progress, and how many of the player's
actions since then had nothing to do with the quest. A turn is requested on:
- progress (quest_progressed), completion, failure (quest_failed / quest_abandoned);
- inactivity: no quest action for the Questmaker's idle threshold (checked by `due`, once a second from
  the service; re-requested after each further threshold of silence, not every second);
- deviation: `deviation_actions` consecutive player actions unrelated to the quest (once per streak).

The monitor is pure bookkeeping: `now` comes from the caller's clock. Whether a request becomes a turn
(mode, per-Questmaker cool-down, budget >= the cheapest tool) is decided by the service shell, which
calls `turn_sent` when one leaves.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ouro_schemas.messages import EventKind, TurnReason, WorldEvent


@dataclass
class QuestTrack:
    player_id: str
    quest_id: str
    questmaker_id: str | None
    started_at: float
    last_action_at: float
    progress: dict[str, Any] = field(default_factory=dict)
    unrelated: int = 0
    deviation_fired: bool = False
    last_idle_request_at: float | None = None


@dataclass(frozen=True, slots=True)
class TurnRequest:
    player_id: str
    quest_id: str
    questmaker_id: str | None
    reason: TurnReason
    trigger: str  # world event id, or "idle@<seconds>"
    at: float
    last_action_at: float = 0.0
    progress: dict[str, Any] = field(default_factory=dict)


_SPLIT = re.compile(r"[^a-z0-9]+")
QUEST_VERBS = frozenset({"quest"})  # looking at the quest log is about the quest


def terms(*ids: object) -> frozenset[str]:
    """Words of entity ids / names (3+ letters): 'spice_crate' -> {'spice', 'crate'}."""
    out: set[str] = set()
    for value in ids:
        if isinstance(value, str):
            out.update(w for w in _SPLIT.split(value.lower()) if len(w) >= 3)
    return frozenset(out)


def describe_action(event: WorldEvent) -> str:
    verb = event.data.get("verb") or event.kind.value
    target = event.data.get("target")
    return f"{verb} {target}" if target else str(verb)


class QuestmakerMonitor:
    def __init__(self, idle_threshold_s: float = 300.0, cooldown_s: float = 60.0, deviation_actions: int = 4,
                 recent: int = 10) -> None:
        self.idle_threshold_s = idle_threshold_s
        self.cooldown_s = cooldown_s
        self.deviation_actions = deviation_actions
        self.tracks: dict[str, dict[str, QuestTrack]] = {}  # player -> quest -> track
        self.recent: dict[str, deque[str]] = {}
        self.last_turn: dict[str, float] = {}
        self.idle_thresholds: dict[str, float] = {}  # per Questmaker, from its template
        self.cooldowns: dict[str, float] = {}
        self.quest_terms: dict[str, frozenset[str]] = {}  # quest id -> words of its targets (NPCs, items, rooms)

    # --- configuration from templates -------------------------------------------------------------
    def set_questmaker(self, questmaker_id: str, idle_threshold_s: float | None, cooldown_s: float | None) -> None:
        if idle_threshold_s:
            self.idle_thresholds[questmaker_id] = idle_threshold_s
        if cooldown_s is not None:
            self.cooldowns[questmaker_id] = cooldown_s

    def set_quest_terms(self, quest_id: str, words: frozenset[str]) -> None:
        self.quest_terms[quest_id] = words

    def related(self, event: WorldEvent, quest_id: str) -> bool:
        """Is a player action about this quest? Its quest id, the quest verb, or a quest target's word."""
        if (event.quest_id or event.data.get("quest_id")) == quest_id or event.data.get("verb") in QUEST_VERBS:
            return True
        return bool(terms(event.data.get("target")) & self.quest_terms.get(quest_id, frozenset()))

    def track(self, player_id: str, quest_id: str) -> QuestTrack | None:
        return self.tracks.get(player_id, {}).get(quest_id)

    def _ensure(self, event: WorldEvent, now: float) -> QuestTrack:
        assert event.player_id and event.quest_id
        quests = self.tracks.setdefault(event.player_id, {})
        tr = quests.get(event.quest_id)
        qm = event.data.get("questmaker_id")
        if tr is None:
            tr = quests[event.quest_id] = QuestTrack(event.player_id, event.quest_id,
                                                     qm if isinstance(qm, str) else None, now, now)
        elif tr.questmaker_id is None and isinstance(qm, str):
            tr.questmaker_id = qm
        return tr

    def _request(self, tr: QuestTrack, reason: TurnReason, trigger: str, now: float) -> TurnRequest:
        return TurnRequest(tr.player_id, tr.quest_id, tr.questmaker_id, reason, trigger, now, tr.last_action_at,
                           dict(tr.progress))

    # --- events ---------------------------------------------------------------------------------------
    def observe(self, event: WorldEvent, now: float) -> list[TurnRequest]:
        """Update the tracks from one world event; the turns it calls for."""
        if not event.player_id:
            return []
        if event.kind is EventKind.PLAYER_ACTION:
            return self._action(event, now)
        if not event.quest_id:
            return []
        kind = event.kind
        if kind is EventKind.QUEST_ACCEPTED:
            tr = self._ensure(event, now)
            tr.last_action_at = now
            return []
        if kind is EventKind.QUEST_PROGRESSED:
            tr = self._ensure(event, now)
            tr.progress = {**tr.progress, **event.data}
            request = self._request(tr, TurnReason.PROGRESS, event.id, now)  # time since the *previous* action
            tr.last_action_at, tr.unrelated, tr.deviation_fired = now, 0, False
            tr.last_idle_request_at = None
            return [request]
        if kind is EventKind.PLAYER_IDLE_ON_QUEST:
            tr = self._ensure(event, now)
            return [self._request(tr, TurnReason.IDLE, event.id, now)]
        if kind in (EventKind.QUEST_COMPLETED, EventKind.QUEST_FAILED, EventKind.QUEST_ABANDONED):
            tr = self._ensure(event, now)
            tr.progress = {**tr.progress, **event.data, "state": kind.value}
            del self.tracks[event.player_id][event.quest_id]
            reason = TurnReason.COMPLETION if kind is EventKind.QUEST_COMPLETED else TurnReason.FAILURE
            return [self._request(tr, reason, event.id, now)]
        return []

    def _action(self, event: WorldEvent, now: float) -> list[TurnRequest]:
        assert event.player_id
        self.recent.setdefault(event.player_id, deque(maxlen=10)).append(describe_action(event))
        out = []
        for tr in self.tracks.get(event.player_id, {}).values():
            if self.related(event, tr.quest_id):
                tr.last_action_at, tr.unrelated, tr.deviation_fired = now, 0, False
                tr.last_idle_request_at = None
                continue
            tr.unrelated += 1
            if tr.unrelated >= self.deviation_actions and not tr.deviation_fired:
                tr.deviation_fired = True
                out.append(self._request(tr, TurnReason.DEVIATION, event.id, now))
        return out

    # --- time -----------------------------------------------------------------------------------------
    def idle_threshold(self, questmaker_id: str | None) -> float:
        return self.idle_thresholds.get(questmaker_id or "", self.idle_threshold_s)

    def due(self, now: float) -> list[TurnRequest]:
        """Idle turns: quests with no action for the threshold (again after each further threshold)."""
        out = []
        for quests in self.tracks.values():
            for tr in quests.values():
                threshold = self.idle_threshold(tr.questmaker_id)
                since = tr.last_idle_request_at if tr.last_idle_request_at is not None else tr.last_action_at
                if now - since >= threshold:
                    tr.last_idle_request_at = now
                    out.append(self._request(tr, TurnReason.IDLE, f"idle@{int(now)}", now))
        return out

    def cooldown_left(self, questmaker_id: str, now: float) -> float:
        last = self.last_turn.get(questmaker_id)
        if last is None:
            return 0.0
        cooldown = max(self.cooldown_s, self.cooldowns.get(questmaker_id, 0.0))
        return max(0.0, last + cooldown - now)

    def turn_sent(self, questmaker_id: str, now: float) -> None:
        self.last_turn[questmaker_id] = now
