"""Questmaker turns: from a monitor's request to a `QmTurn` on qm.turns, or a logged "not given".

A turn is given only while RUNNING, after the Questmaker's cool-down, and when its budget is at least
the cheapest tool's cost; the context comes from turns.build_turn. When the engine skips a call the
Questmaker could not afford, it is asked once more at once with the lower budget (`retry_budget`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import TYPE_CHECKING, Any

import msgspec

from ouro_director import metrics
from ouro_director.monitor import TurnRequest, terms
from ouro_director.turns import build_turn
from ouro_runtime.bus import REDIS_ERRORS
from ouro_schemas import names
from ouro_schemas.messages import DirectorMode, LogKind, PatchResult, TurnReason
from ouro_schemas.proposal import TraceEntry
from ouro_schemas.questmaker import CHEAPEST_TOOL_COST

if TYPE_CHECKING:
    from ouro_director.app import Director

log = logging.getLogger(__name__)
MAX_REMEMBERED = 2000


def _template(raw: Any) -> dict[str, Any]:
    try:
        doc = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(doc, dict):
        return {}
    inner = doc.get("template", doc)
    return inner if isinstance(inner, dict) else {}


class TurnGiver:
    def __init__(self, director: Director) -> None:
        self.d = director
        self.monitor = director.monitor
        self.sent: dict[str, TurnRequest] = {}  # turn id -> its request, for budget retries
        self.count = 0

    async def learn_questmaker(self, player_id: str, quest_id: str) -> None:
        """Find a new quest's Questmaker, its thresholds and its target words now, not at its first turn."""
        track = self.monitor.track(player_id, quest_id)
        if track is None:
            return
        redis = self.d.redis
        try:
            quest = _template(await redis.get(names.WORLD_TEMPLATE + quest_id))
            raw_nodes = quest.get("nodes")
            nodes: list[Any] = raw_nodes if isinstance(raw_nodes, list) else []
            self.monitor.set_quest_terms(quest_id, terms(*(n.get(f) for n in nodes if isinstance(n, dict)
                                                           for f in ("target", "to"))))
            qm_id = track.questmaker_id or quest.get("questmaker_id")
            if not isinstance(qm_id, str):
                return
            track.questmaker_id = qm_id
            qm = _template(await redis.get(names.WORLD_TEMPLATE + qm_id))
            self.monitor.set_questmaker(qm_id, qm.get("idle_threshold_s"), qm.get("cooldown_s"))
        except REDIS_ERRORS as exc:
            log.warning("questmaker lookup failed", extra={"quest_id": quest_id, "error": str(exc)})

    async def _decline(self, req: TurnRequest, reason: str, message: str, **data: Any) -> bool:
        metrics.TURNS_DECLINED.labels(reason).inc()
        await self.d.note(LogKind.NO_ACTION, message, reason=reason, quest_id=req.quest_id,
                          player_id=req.player_id, turn_reason=req.reason.value, **data)
        return False

    async def give(self, req: TurnRequest, *, retry: bool = False) -> bool:
        """Give a Questmaker a turn unless the mode, its cool-down or its budget says no (logged).

        `retry`: the engine skipped a call it could not afford; ask again at once with the lower budget
        (no cool-down, and a retry never retries).
        """
        d = self.d
        if d.state.mode is not DirectorMode.RUNNING:
            return await self._decline(req, d.state.mode.value, f"questmaker turn not given ({d.state.mode.value})")
        ctx = await build_turn(d.redis, req, d.summary, self.monitor, d.settings.seed)
        if ctx is None:
            return await self._decline(req, "unknown_questmaker", "questmaker turn not given (unknown questmaker)")
        turn, qm_template = ctx
        qm = turn.questmaker_id
        track = self.monitor.track(req.player_id, req.quest_id)
        if track is not None and track.questmaker_id is None:
            track.questmaker_id = qm
        if qm_template:
            self.monitor.set_questmaker(qm, qm_template.get("idle_threshold_s"), qm_template.get("cooldown_s"))
        wait = 0.0 if retry else self.monitor.cooldown_left(qm, req.at)
        if wait > 0:
            return await self._decline(req, "cooldown", f"questmaker {qm}: no turn (cooldown {wait:.0f}s)",
                                       questmaker_id=qm)
        if turn.budget_current < CHEAPEST_TOOL_COST:
            return await self._decline(req, "budget", f"questmaker {qm}: no turn (budget {turn.budget_current:g} "
                                       f"< {CHEAPEST_TOOL_COST})", questmaker_id=qm)
        trace = TraceEntry(stage="director", at=req.at, actor=d.svc.instance, verdict="ok",
                           reason=f"questmaker turn: {req.reason.value}",
                           data={"rule": f"qm_{req.reason.value}", "event_id": req.trigger, "rng_seed": turn.seed,
                                 "sliders": msgspec.structs.asdict(d.state.sliders)})
        turn = msgspec.structs.replace(turn, trace=[trace])
        if d.state.mode is not DirectorMode.RUNNING:  # STOP read while we gathered the context
            return await self._decline(req, d.state.mode.value, f"questmaker turn not given ({d.state.mode.value})")
        await d.svc.bus.publish(names.QM_TURNS, turn)
        self.monitor.turn_sent(qm, req.at)
        self.count += 1
        metrics.TURNS.labels(req.reason.value).inc()
        if not retry:
            self.sent[turn.id] = req
            while len(self.sent) > MAX_REMEMBERED:
                self.sent.pop(next(iter(self.sent)))
        await d.note(LogKind.DECISION, f"questmaker {qm}: turn ({req.reason.value})", questmaker_id=qm,
                     turn_id=turn.id, quest_id=req.quest_id, player_id=req.player_id)
        return True

    async def retry(self, result: PatchResult) -> bool:
        """The engine skipped call `<turn id>:<n>`: ask that Questmaker again, once."""
        req = self.sent.pop(result.proposal_id.rpartition(":")[0], None)
        if req is None:
            return False
        again = dataclasses.replace(req, reason=TurnReason.RETRY_BUDGET, trigger=result.patch_id, at=self.d.clock())
        return await self.give(again, retry=True)
