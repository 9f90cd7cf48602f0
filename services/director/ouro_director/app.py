"""The director service shell: the only part that touches Redis, files and the clock.

1. Start: restore DirectorState from `ouro:director:state` (a paused director comes back paused).
2. `world.events` (group director): core.digest → publish jobs / log decisions; the Questmaker
   monitor observes the same event → turns.
3. `world.applied` and `log.proposals`: free the expansion slot when its proposal lands or is rejected;
   a rejection by the gate's throttle pauses jobs of that type (`core.gate_throttled`).
4. `control`: GO (snapshot first, then run), pause/resume, STOP, sliders, toggles; state persisted.
   The throttles' memory (live cool-downs, gate pauses, the expansion in flight) is saved when it
   changes and taken back at start (`ouro:director:throttles`), so a restarted director is not free.
5. Once a second (`check_once`): core.tick (folded logs, forced event, expansion timeout) and idle turns.
6. Hot reload of data/generated/ and data/guardrails.json (see hotreload.py).

STOP is enforced at the last moment: the mode is checked right before every XADD of a job or turn,
after any snapshot wait, so nothing leaves once the STOP has been read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_director import controls, metrics
from ouro_director.core import DirectorCore, LogRecord, Outcome
from ouro_director.monitor import QuestmakerMonitor
from ouro_director.placement import WorldIndex, cells_near, place, read_world_index
from ouro_director.questmakers import TurnGiver
from ouro_director.rules import EXPANSION_TYPES
from ouro_director.settings import DirectorSettings
from ouro_director.summary import EMPTY, WorldSummary, parse_summary
from ouro_director.throttle import Memory
from ouro_runtime import snapshots
from ouro_runtime.bus import REDIS_ERRORS, Delivery
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.messages import (
    ControlMessage,
    DirectorMode,
    DirectorState,
    EventKind,
    GenJob,
    LogEntry,
    LogKind,
    PatchResult,
    PatchStatus,
    WorldEvent,
)

log = logging.getLogger(__name__)
Clock = Callable[[], float]
_state_decoder = msgspec.json.Decoder(DirectorState)
_memory_decoder = msgspec.json.Decoder(Memory)


def throttle_rejection(entry: LogEntry) -> tuple[str, str] | None:
    """(proposal type, rule) when a log.proposals line is a rejection by one of the gate's throttles."""
    if entry.data.get("state") != "rejected" or not isinstance(entry.data.get("type"), str):
        return None
    for verdict in entry.data.get("verdicts") or []:
        if isinstance(verdict, dict) and verdict.get("ok") is False \
                and str(verdict.get("rule", "")).startswith("throttle."):
            return entry.data["type"], str(verdict["rule"])
    return None


async def load_state(redis: Redis) -> tuple[DirectorState, str]:
    """The persisted state, or a fresh IDLE one (with why)."""
    raw = await redis.get(names.DIRECTOR_STATE)
    if not raw:
        return DirectorState(), "no saved state"
    try:
        return _state_decoder.decode(raw), "restored"
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return DirectorState(), f"saved state unreadable ({exc}); starting idle"


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
        self.snapshots_taken: list[str] = []
        self._last_auto_snapshot: tuple[float, str] | None = None  # (when, id) of the last automatic one
        self._memory_saved: bytes | None = None  # the throttles' Memory as last written
        self._log_from = "$"  # where watch_proposal_log starts reading
        self.turns = TurnGiver(self)

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

    async def note_start(self, why: str, throttles: str = "") -> None:
        await self.note(LogKind.CONTROL, f"director started {self.state.mode.value} ({why})"
                        + (f"; {throttles}" if throttles else ""), mode=self.state.mode.value)

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
            await self.turns.give(request)
        if event.kind is EventKind.QUEST_ACCEPTED and event.player_id and event.quest_id:
            await self.turns.learn_questmaker(event.player_id, event.quest_id)

    async def deliver(self, outcome: Outcome) -> None:
        for rec in outcome.logs:
            await self.emit(rec)
        for job in outcome.jobs:
            await self.publish_job(job)
        if outcome.jobs:  # a cool-down started, maybe an expansion: a SIGKILL now must not forget them
            await self.save_throttles()

    async def publish_job(self, job: GenJob) -> bool:
        """Site, then snapshot when high-risk; then, if still running, the job leaves. True if it did."""
        only = self.core.glitch.rooms if self.state.toggles.restricted_generation else None
        gp = job.params.get("growth_point")
        if job.type in EXPANSION_TYPES and isinstance(gp, dict) and "occupied" not in job.params:
            try:  # the cells around the growth point as they are now (not the cached index)
                cells = await cells_near(self.redis, (int(gp.get("x", 0)), int(gp.get("y", 0)), 0))
                job = msgspec.structs.replace(job, params={**job.params, "occupied": cells})
            except REDIS_ERRORS as exc:
                log.warning("cells near the growth point unreadable", extra={"error": str(exc)})
        params, why = place(job, await self.world_index(self.clock()), self.summary, only)
        if params is None:
            self.release(job)
            await self.emit(LogRecord(LogKind.NO_ACTION, f"{job.rule}: not acting (no site: {why})", rule=job.rule,
                                      event_id=job.trigger, job_id=job.id, data={"reason": "no_site"}))
            return False
        job = msgspec.structs.replace(job, params=params)
        recent = self._recent_snapshot()
        if job.high_risk and self.state.toggles.auto_snapshot and self.state.mode is DirectorMode.RUNNING \
                and recent is not None:
            metrics.SNAPSHOTS.labels("reused").inc()
            job = msgspec.structs.replace(job, snapshot_id=recent)
        elif job.high_risk and self.state.toggles.auto_snapshot and self.state.mode is DirectorMode.RUNNING:
            try:
                manifest = await snapshots.create_snapshot(self.redis, self.data_dir,
                                                           f"auto before {job.id} ({job.rule})")
            except (OSError, *REDIS_ERRORS) as exc:
                self.release(job)
                await self.emit(LogRecord(LogKind.NO_ACTION, f"{job.rule}: not acting (snapshot failed: {exc})",
                                          rule=job.rule, event_id=job.trigger, job_id=job.id,
                                          data={"reason": "snapshot_failed"}))
                return False
            self.snapshots_taken.append(manifest.id)
            self._last_auto_snapshot = (self.clock(), manifest.id)
            metrics.SNAPSHOTS.labels("high_risk").inc()
            job = msgspec.structs.replace(job, snapshot_id=manifest.id)
        # The last moment: a STOP (or pause) read while we waited means this job never leaves.
        if self.state.mode is not DirectorMode.RUNNING:
            self.release(job)
            await self.emit(LogRecord(LogKind.NO_ACTION, f"{job.rule}: not acting ({self.state.mode.value} "
                                      "before publish)", rule=job.rule, event_id=job.trigger, job_id=job.id,
                                      data={"reason": self.state.mode.value}))
            return False
        await self.svc.bus.publish(names.GEN_JOBS, job)
        metrics.JOBS.labels(job.type.value, job.rule).inc()
        await self.emit(LogRecord(LogKind.DECISION, f"{job.rule}: requested {job.type.value}", rule=job.rule,
                                  event_id=job.trigger, job_id=job.id,
                                  data={"type": job.type.value, "high_risk": job.high_risk,
                                        "params": {k: v for k, v in job.params.items() if k != "occupied"},
                                        "snapshot_id": job.snapshot_id, "trace": job.trace[0].data}))
        return True

    def _recent_snapshot(self) -> str | None:
        """The last automatic snapshot if it is younger than the minimum interval (a storm of expansions
        must not snapshot the whole world every few seconds: each one is a full DUMP of it)."""
        last = self._last_auto_snapshot
        if last is None or self.clock() - last[0] >= self.settings.auto_snapshot_min_interval_s:
            return None
        return last[1]

    def release(self, job: GenJob) -> None:
        """A job that will not leave gives back its expansion slot and its token (its cool-down stays)."""
        self.core.gate.clear(job.id)
        self.core.bucket.refund()

    async def on_applied(self, result: PatchResult, delivery: Delivery | None = None) -> None:
        if result.status is PatchStatus.SKIPPED:  # a Questmaker call it could not afford: ask again
            await self.turns.retry(result)
        if self.core.expansion_done(result.proposal_id):
            await self.note(LogKind.INFO, f"expansion {result.proposal_id} {result.status.value}; slot freed",
                            proposal_id=result.proposal_id, status=result.status.value)

    async def on_proposal_log(self, entry: LogEntry) -> None:
        throttled = throttle_rejection(entry)
        if throttled is not None:
            record = self.core.gate_throttled(*throttled, self.clock())
            if record is not None:
                await self.emit(record)
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
        last = self._log_from
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

    # --- the throttles' memory (a restart keeps cool-downs, pauses, the expansion in flight) -----------
    async def restore_throttles(self) -> str:
        """Take back the throttles' Memory a previous run saved; why, for the start line."""
        try:
            raw = await self.redis.get(names.DIRECTOR_THROTTLES)
        except REDIS_ERRORS as exc:
            return f"throttles not restored ({exc})"
        if not raw:
            return "no saved throttles"
        try:
            memory = _memory_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return f"saved throttles unreadable ({exc}); starting free"
        now = self.clock()
        self.core.restore(memory, now)
        kept = self.core.memory(now)
        held = ""
        if kept.expansion is not None:  # its verdict may have been logged while we were down: read from then
            self._log_from = f"{max(0, int(kept.expansion.since * 1000))}-0"
            held = f", expansion {kept.expansion.job_id} in flight"
        return f"throttles restored: {len(kept.cooldowns)} cool-downs, {len(kept.gate_pauses)} gate pauses{held}"

    async def save_throttles(self) -> None:
        """Write the throttles' Memory when it changed (after a job leaves, and once a second)."""
        encoded = msgspec.json.encode(self.core.memory(self.clock()))
        if encoded == self._memory_saved:
            return
        try:
            await self.redis.set(names.DIRECTOR_THROTTLES, encoded)
            self._memory_saved = encoded
        except REDIS_ERRORS as exc:
            log.warning("throttles not saved", extra={"error": str(exc)})

    # --- periodic ------------------------------------------------------------------------------------
    async def check_once(self) -> None:
        now = self.clock()
        await self.refresh(now)
        try:
            online = int(await self.redis.scard(names.WORLD_PLAYERS_ONLINE))
        except REDIS_ERRORS:
            online = 0
        # The set, or the summary's per-district counts when the engine keeps only those.
        self.players_online = max(online, sum(d.players for d in self.summary.districts.values()))
        await self.deliver(self.core.tick(self.summary, now, self.players_online))
        for request in self.monitor.due(now):
            await self.turns.give(request)
        await self.save_throttles()

    async def periodic(self) -> None:
        while not self.svc.stopping:
            try:
                await self.check_once()
            except REDIS_ERRORS as exc:
                log.warning("periodic check failed", extra={"error": str(exc)})
            except Exception:
                log.exception("periodic check failed")
            await asyncio.sleep(self.settings.qm_check_interval_s)

    # --- control (controls.py) -----------------------------------------------------------------------
    async def on_control(self, msg: ControlMessage) -> None:
        await controls.handle(self, msg)

    async def save_state(self, reason: str) -> None:
        await controls.save_state(self, reason)
