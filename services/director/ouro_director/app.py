"""The director service shell: the only part that touches Redis, files and the clock.

1. Start: restore DirectorState from `ouro:director:state` (a paused director comes back paused).
2. `world.events` (group director): core.digest → publish jobs / log decisions; the Questmaker
   monitor observes the same event → turns.
3. `world.applied` and `log.proposals`: free the expansion slot when its proposal lands or is rejected.
4. `control`: GO (snapshot first, then run), pause/resume, STOP, sliders, toggles; state persisted.
5. Once a second (`check_once`): core.tick (folded logs, forced event, expansion timeout) and idle turns.
6. Hot reload of data/generated/ and data/guardrails.json (see hotreload.py).

STOP is enforced at the last moment: the mode is checked right before every XADD of a job or turn,
after any snapshot wait, so nothing leaves once the STOP has been read.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_director import metrics
from ouro_director.core import DirectorCore, LogRecord, Outcome
from ouro_director.monitor import QuestmakerMonitor, TurnRequest, terms
from ouro_director.placement import WorldIndex, place, read_world_index
from ouro_director.settings import DirectorSettings
from ouro_director.summary import EMPTY, WorldSummary, parse_summary
from ouro_runtime import snapshots
from ouro_runtime.bus import REDIS_ERRORS, Delivery
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.messages import (
    ControlCommand,
    ControlMessage,
    DirectorMode,
    DirectorState,
    EventKind,
    GenJob,
    LogEntry,
    LogKind,
    PatchResult,
    PatchStatus,
    Sliders,
    Toggles,
    TurnReason,
    WorldEvent,
)
from ouro_schemas.proposal import TraceEntry
from ouro_schemas.questmaker import CHEAPEST_TOOL_COST

log = logging.getLogger(__name__)
Clock = Callable[[], float]
_state_decoder = msgspec.json.Decoder(DirectorState)
_encoder = msgspec.json.Encoder()


async def load_state(redis: Redis) -> tuple[DirectorState, str]:
    """The persisted state, or a fresh IDLE one (with why)."""
    raw = await redis.get(names.DIRECTOR_STATE)
    if not raw:
        return DirectorState(), "no saved state"
    try:
        return _state_decoder.decode(raw), "restored"
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return DirectorState(), f"saved state unreadable ({exc}); starting idle"


def _loads(raw: Any) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


class Director:
    def __init__(self, svc: Service, settings: DirectorSettings, state: DirectorState,
                 clock: Clock = time.time) -> None:
        self.svc = svc
        self.redis = svc.redis
        self.settings = settings
        self.clock = clock
        self.data_dir = Path(settings.data_dir)
        self.core = DirectorCore(settings, state, clock(), instance=svc.instance)
        self.monitor = QuestmakerMonitor(settings.qm_idle_threshold_s, settings.qm_cooldown_s,
                                         settings.qm_deviation_actions)
        self.summary: WorldSummary = EMPTY
        self._summary_at = float("-inf")
        self._index_at = float("-inf")
        self.index = WorldIndex()
        self.players_online = 0
        self.turns_sent = 0
        self.snapshots_taken: list[str] = []
        self._sent_turns: dict[str, TurnRequest] = {}  # turn id -> its request, for budget retries

    @property
    def state(self) -> DirectorState:
        return self.core.state

    def wire(self) -> None:
        svc = self.svc
        # Big batches: most events end in a counter bump, so round trips dominate (see bench_director).
        svc.consume(names.WORLD_EVENTS, names.GROUP_DIRECTOR, WorldEvent, self.on_event, batch=512)
        svc.consume(names.WORLD_APPLIED, names.GROUP_DIRECTOR, PatchResult, self.on_applied)
        svc.on_control(self.on_control)
        svc.task(self.periodic)
        svc.task(self.watch_proposal_log)
        svc.health_detail["director"] = self.core.counters
        svc.health_detail["suppressed"] = self.core.suppressed

    async def note_start(self, why: str) -> None:
        await self.note(LogKind.CONTROL, f"director started {self.state.mode.value} ({why})",
                        mode=self.state.mode.value)

    # --- logging ------------------------------------------------------------------------------------
    async def emit(self, rec: LogRecord) -> None:
        await self.svc.emit(names.LOG_DIRECTOR, rec.kind, rec.message, rule=rec.rule, event_id=rec.event_id,
                            job_id=rec.job_id, data=rec.data)

    async def note(self, kind: LogKind, message: str, **data: Any) -> None:
        await self.emit(LogRecord(kind, message, data=data))

    # --- world reads --------------------------------------------------------------------------------
    async def refresh(self, now: float, *, force: bool = False) -> None:
        """Re-read the summary (and glitch-door areas while restricted) when stale. Never raises."""
        try:
            if force or now - self._summary_at >= self.settings.summary_refresh_s:
                self._summary_at = now
                self.summary = parse_summary(await self.redis.get(names.WORLD_SUMMARY))
            if self.state.toggles.restricted_generation and (
                    force or now - self._index_at >= self.settings.glitch_refresh_s):
                self.core.glitch = (await self.world_index(now, force=True)).glitch_areas()
        except REDIS_ERRORS as exc:
            log.warning("world summary unavailable", extra={"error": str(exc)})

    async def world_index(self, now: float, *, force: bool = False) -> WorldIndex:
        """The cached room index (sites, glitch doors), re-read every `glitch_refresh_s`."""
        if force or now - self._index_at >= self.settings.glitch_refresh_s:
            self._index_at = now
            self.index = await read_world_index(self.redis)
        return self.index

    # --- events -------------------------------------------------------------------------------------
    async def on_event(self, event: WorldEvent, delivery: Delivery | None = None) -> None:
        now = self.clock()
        await self.refresh(now)
        outcome = self.core.digest(event, self.summary, now)
        await self.deliver(outcome)
        for request in self.monitor.observe(event, now):
            await self.turn(request)
        if event.kind is EventKind.QUEST_ACCEPTED and event.player_id and event.quest_id:
            await self.learn_questmaker(event.player_id, event.quest_id)

    async def learn_questmaker(self, player_id: str, quest_id: str) -> None:
        """Find a new quest's Questmaker and its idle threshold / cool-down now, not at its first turn."""
        track = self.monitor.track(player_id, quest_id)
        if track is None:
            return
        try:
            quest = _loads(await self.redis.get(names.WORLD_TEMPLATE + quest_id))
            quest = quest.get("template", quest) if isinstance(quest, dict) else {}
            raw_nodes = quest.get("nodes")
            nodes: list[Any] = raw_nodes if isinstance(raw_nodes, list) else []
            self.monitor.set_quest_terms(quest_id, terms(*(n.get(f) for n in nodes if isinstance(n, dict)
                                                           for f in ("target", "to"))))
            qm_id = track.questmaker_id or quest.get("questmaker_id")
            if not isinstance(qm_id, str):
                return
            track.questmaker_id = qm_id
            qm = _loads(await self.redis.get(names.WORLD_TEMPLATE + qm_id))
            qm = qm.get("template", qm) if isinstance(qm, dict) else {}
            self.monitor.set_questmaker(qm_id, qm.get("idle_threshold_s"), qm.get("cooldown_s"))
        except REDIS_ERRORS as exc:
            log.warning("questmaker lookup failed", extra={"quest_id": quest_id, "error": str(exc)})

    async def deliver(self, outcome: Outcome) -> None:
        for rec in outcome.logs:
            await self.emit(rec)
        for job in outcome.jobs:
            await self.publish_job(job)

    async def publish_job(self, job: GenJob) -> bool:
        """Site, then snapshot when high-risk; then, if still running, the job leaves. True if it did."""
        only = self.core.glitch.rooms if self.state.toggles.restricted_generation else None
        params, why = place(job, await self.world_index(self.clock()), self.summary, only)
        if params is None:
            self.core.gate.clear(job.id)
            await self.emit(LogRecord(LogKind.NO_ACTION, f"{job.rule}: not acting (no site: {why})", rule=job.rule,
                                      event_id=job.trigger, job_id=job.id, data={"reason": "no_site"}))
            return False
        job = msgspec.structs.replace(job, params=params)
        if job.high_risk and self.state.toggles.auto_snapshot and self.state.mode is DirectorMode.RUNNING:
            try:
                manifest = await snapshots.create_snapshot(self.redis, self.data_dir,
                                                           f"auto before {job.id} ({job.rule})")
            except (OSError, *REDIS_ERRORS) as exc:
                self.core.gate.clear(job.id)
                await self.emit(LogRecord(LogKind.NO_ACTION, f"{job.rule}: not acting (snapshot failed: {exc})",
                                          rule=job.rule, event_id=job.trigger, job_id=job.id,
                                          data={"reason": "snapshot_failed"}))
                return False
            self.snapshots_taken.append(manifest.id)
            metrics.SNAPSHOTS.labels("high_risk").inc()
            job = msgspec.structs.replace(job, snapshot_id=manifest.id)
        # The last moment: a STOP (or pause) read while we waited means this job never leaves.
        if self.state.mode is not DirectorMode.RUNNING:
            self.core.gate.clear(job.id)
            await self.emit(LogRecord(LogKind.NO_ACTION, f"{job.rule}: not acting ({self.state.mode.value} "
                                      "before publish)", rule=job.rule, event_id=job.trigger, job_id=job.id,
                                      data={"reason": self.state.mode.value}))
            return False
        await self.svc.bus.publish(names.GEN_JOBS, job)
        metrics.JOBS.labels(job.type.value, job.rule).inc()
        await self.emit(LogRecord(LogKind.DECISION, f"{job.rule}: requested {job.type.value}", rule=job.rule,
                                  event_id=job.trigger, job_id=job.id,
                                  data={"type": job.type.value, "params": job.params, "high_risk": job.high_risk,
                                        "snapshot_id": job.snapshot_id, "trace": job.trace[0].data}))
        return True

    async def on_applied(self, result: PatchResult, delivery: Delivery | None = None) -> None:
        if result.status is PatchStatus.SKIPPED:  # a Questmaker call it could not afford: ask again
            req = self._sent_turns.pop(result.proposal_id.rpartition(":")[0], None)
            if req is not None:
                retry = dataclasses.replace(req, reason=TurnReason.RETRY_BUDGET, trigger=result.patch_id,
                                            at=self.clock())
                await self.turn(retry, retry=True)
        if self.core.expansion_done(result.proposal_id):
            await self.note(LogKind.INFO, f"expansion {result.proposal_id} {result.status.value}; slot freed",
                            proposal_id=result.proposal_id, status=result.status.value)

    async def on_proposal_log(self, entry: LogEntry) -> None:
        held = self.core.gate.current
        if held is None or entry.proposal_id not in (held.proposal_id, held.job_id):
            return
        state = str(entry.data.get("state", "")) + " " + str(entry.data.get("verdict", ""))
        if "rejected" in state or "failed" in state or "rejected" in entry.message.lower():
            self.core.gate.clear(held.proposal_id)
            await self.note(LogKind.INFO, f"expansion {held.proposal_id} rejected; slot freed",
                            proposal_id=held.proposal_id)

    async def watch_proposal_log(self) -> None:
        decoder = msgspec.json.Decoder(LogEntry)
        last = "$"
        while not self.svc.stopping:
            try:
                reply: Any = await self.redis.xread({names.LOG_PROPOSALS: last}, count=200, block=1000)
            except REDIS_ERRORS:
                await asyncio.sleep(0.5)
                continue
            for _, entries in reply or []:
                for eid, fields in entries:
                    last = eid.decode()
                    try:
                        await self.on_proposal_log(decoder.decode(fields.get(b"d", b"")))
                    except (msgspec.DecodeError, msgspec.ValidationError):
                        continue

    # --- Questmaker turns ----------------------------------------------------------------------------
    async def _decline(self, req: TurnRequest, reason: str, message: str, **data: Any) -> bool:
        metrics.TURNS_DECLINED.labels(reason).inc()
        await self.note(LogKind.NO_ACTION, message, reason=reason, quest_id=req.quest_id, player_id=req.player_id,
                        turn_reason=req.reason.value, **data)
        return False

    async def turn(self, req: TurnRequest, *, retry: bool = False) -> bool:
        """Give a Questmaker a turn unless the mode, its cool-down or its budget says no (logged).

        `retry`: the engine skipped a call it could not afford; ask again at once with the lower budget
        (no cool-down, and a retry never retries).
        """
        from ouro_director.turns import build_turn  # the context reads; kept out of the event hot path

        if self.state.mode is not DirectorMode.RUNNING:
            return await self._decline(req, self.state.mode.value,
                                       f"questmaker turn not given ({self.state.mode.value})")
        ctx = await build_turn(self.redis, req, self.summary, self.monitor, self.settings.seed)
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
        trace = TraceEntry(stage="director", at=req.at, actor=self.svc.instance, verdict="ok",
                           reason=f"questmaker turn: {req.reason.value}",
                           data={"rule": f"qm_{req.reason.value}", "event_id": req.trigger, "rng_seed": turn.seed,
                                 "sliders": msgspec.structs.asdict(self.state.sliders)})
        turn = msgspec.structs.replace(turn, trace=[trace])
        if self.state.mode is not DirectorMode.RUNNING:  # STOP read while we gathered the context
            return await self._decline(req, self.state.mode.value, "questmaker turn not given (stopped)")
        await self.svc.bus.publish(names.QM_TURNS, turn)
        self.monitor.turn_sent(qm, req.at)
        self.turns_sent += 1
        metrics.TURNS.labels(req.reason.value).inc()
        if not retry:
            self._sent_turns[turn.id] = req
            while len(self._sent_turns) > 2000:
                self._sent_turns.pop(next(iter(self._sent_turns)))
        await self.note(LogKind.DECISION, f"questmaker {qm}: turn ({req.reason.value})", questmaker_id=qm,
                        turn_id=turn.id, quest_id=req.quest_id, player_id=req.player_id)
        return True

    # --- periodic ------------------------------------------------------------------------------------
    async def check_once(self) -> None:
        now = self.clock()
        await self.refresh(now)
        try:
            self.players_online = int(await self.redis.scard(names.WORLD_PLAYERS_ONLINE))
        except REDIS_ERRORS:
            pass
        await self.deliver(self.core.tick(self.summary, now, self.players_online))
        for request in self.monitor.due(now):
            await self.turn(request)

    async def periodic(self) -> None:
        while not self.svc.stopping:
            try:
                await self.check_once()
            except REDIS_ERRORS as exc:
                log.warning("periodic check failed", extra={"error": str(exc)})
            except Exception:
                log.exception("periodic check failed")
            await asyncio.sleep(self.settings.qm_check_interval_s)

    # --- control -------------------------------------------------------------------------------------
    async def save_state(self, reason: str) -> None:
        self.state.updated_at = self.clock()
        self.state.reason = reason
        await self.redis.set(names.DIRECTOR_STATE, _encoder.encode(self.state))

    async def set_mode(self, mode: DirectorMode, reason: str) -> None:
        before = self.state.mode
        self.state.mode = mode
        await self.save_state(reason)
        await self.note(LogKind.CONTROL, f"director {before.value} -> {mode.value}: {reason}",
                        mode=mode.value, previous=before.value)

    async def on_control(self, msg: ControlMessage) -> None:
        cmd = msg.command
        if cmd is ControlCommand.STOP:
            self.state.mode = DirectorMode.STOPPED  # at once, before any await
            await self.set_mode(DirectorMode.STOPPED, f"emergency stop by {msg.issued_by or 'unknown'}")
        elif cmd is ControlCommand.PAUSE:
            if self.state.mode is DirectorMode.RUNNING:
                self.state.mode = DirectorMode.PAUSED
                await self.set_mode(DirectorMode.PAUSED, f"paused by {msg.issued_by or 'unknown'}")
        elif cmd is ControlCommand.RESUME:
            if self.state.mode is DirectorMode.PAUSED:
                await self.set_mode(DirectorMode.RUNNING, f"resumed by {msg.issued_by or 'unknown'}")
            else:
                await self.note(LogKind.CONTROL, f"resume ignored: director is {self.state.mode.value} "
                                "(GO starts it)", mode=self.state.mode.value)
        elif cmd is ControlCommand.GO:
            await self.go(msg)
        elif cmd is ControlCommand.SET_SLIDERS:
            await self.set_struct("sliders", Sliders, msg)
        elif cmd is ControlCommand.SET_TOGGLES:
            await self.set_struct("toggles", Toggles, msg)
            await self.refresh(self.clock(), force=True)

    async def go(self, msg: ControlMessage) -> None:
        """GO: snapshot the clean state first, then run."""
        try:
            manifest = await snapshots.create_snapshot(self.redis, self.data_dir, "go")
        except (OSError, *REDIS_ERRORS) as exc:
            await self.note(LogKind.ERROR, f"GO refused: snapshot failed: {exc}", reason="snapshot_failed")
            return
        self.snapshots_taken.append(manifest.id)
        metrics.SNAPSHOTS.labels("go").inc()
        await self.note(LogKind.INFO, f"snapshot {manifest.id} taken before GO", snapshot_id=manifest.id,
                        key_count=manifest.key_count)
        self.svc.resume_consuming()
        await self.set_mode(DirectorMode.RUNNING, f"GO by {msg.issued_by or 'unknown'} (snapshot {manifest.id})")

    async def set_struct(self, name: str, kind: type[Any], msg: ControlMessage) -> None:
        current = msgspec.to_builtins(getattr(self.state, name))
        try:
            value = msgspec.convert({**current, **msg.args}, kind)
        except msgspec.ValidationError as exc:
            await self.note(LogKind.ERROR, f"{msg.command.value} refused: {exc}", args=msg.args)
            return
        setattr(self.state, name, value)
        await self.save_state(f"{msg.command.value} by {msg.issued_by or 'unknown'}")
        await self.note(LogKind.CONTROL, f"{name} set: {msgspec.to_builtins(value)}", **{name: msgspec.to_builtins(value)})
