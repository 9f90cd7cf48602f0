"""The director's decision core: no Redis, no files, no clock of its own (`now` is passed in).

Per event (`digest`):
1. pacing observes it (intensity, last major event);
2. dead-end hits are counted per (room, direction) and put on the event (`data.hits`);
3. every rule registered for the event's kind runs with an rng seeded from (base seed, event id);
4. each decision passes, in order: mode (idle/paused/stopped) → relax phase (threat decisions only)
   → restricted generation (glitch-door areas only) → rule cool-down → one expansion in flight →
   the gate's throttle pause for the type (`gate_throttled`) → jobs-per-minute bucket. The first that says no is the logged reason.
5. an accepted decision becomes a GenJob whose id and seed derive from the event id, carrying a
   director TraceEntry (event id, rule, sliders, rng seed, phase, threat points).

"Decided not to" is logged for every rule-matched-but-suppressed decision; repeats of the same
(rule, reason, scope) within `quiet_window_s` are folded into one later line with a count, so an event
storm cannot turn the log into the bottleneck.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ouro_director import metrics
from ouro_director.pacing import Pacer, Phase, threat_points
from ouro_director.rules import Decision, RuleSpec, Thresholds, build_registry, by_kind, forced_major_event
from ouro_director.settings import DirectorSettings
from ouro_director.summary import WorldSummary
from ouro_director.throttle import Cooldowns, ExpansionGate, Memory, TokenBucket
from ouro_schemas.messages import DirectorMode, DirectorState, EventKind, GenJob, LogKind, WorldEvent
from ouro_schemas.proposal import TraceEntry

GATE_THROTTLE = "gate_throttle"  # the reason "not acting" names while the gate's throttle pauses a type


@dataclass(frozen=True, slots=True)
class LogRecord:
    kind: LogKind
    message: str
    rule: str | None = None
    event_id: str | None = None
    job_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    jobs: list[GenJob] = field(default_factory=list)
    logs: list[LogRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GlitchAreas:
    """Where restricted generation may still act: rooms with a glitch door, and their districts."""

    rooms: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()

    def allows(self, params: dict[str, Any]) -> bool:
        gp = params.get("growth_point")
        room = gp.get("room_id") if isinstance(gp, dict) else params.get("room_id")
        if room:
            return room in self.rooms
        return params.get("district_id") in self.districts


def derive_seed(base: int, *parts: str) -> int:
    digest = hashlib.blake2b("|".join((str(base), *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # fits a signed 64-bit int


class DirectorCore:
    def __init__(self, settings: DirectorSettings, state: DirectorState, now: float, instance: str = "director",
                 registry: dict[str, RuleSpec] | None = None) -> None:
        self.settings = settings
        self.state = state
        self.instance = instance
        self.registry = registry or build_registry(Thresholds(
            inflation=settings.inflation_threshold, crowded_population=settings.crowded_population,
            dead_end_hits=settings.dead_end_hits, quest_stale_s=settings.quest_stale_s,
            found_district_distance=settings.found_district_distance))
        self._by_kind = by_kind(self.registry)
        self.bucket = TokenBucket(settings.jobs_per_minute / 60.0, settings.jobs_burst, now)
        self.cooldowns = Cooldowns()
        self.gate_pauses = Cooldowns()  # (GATE_THROTTLE, proposal type) -> until
        self.gate = ExpansionGate(settings.expansion_timeout_s)
        self.pacer = Pacer(settings.intensity_half_life_s, settings.intensity_peak, settings.relax_s,
                           settings.forced_event_quiet_s, now)
        self.glitch = GlitchAreas()
        self.quiet_window_s = 1.0
        self._quiet: dict[tuple[str, str, str], list[float]] = {}  # key -> [count, first_at]
        self._dead_ends: dict[tuple[str, str], int] = {}
        self.counters: dict[str, int] = {"events": 0, "decisions": 0, "jobs": 0}
        self.suppressed: dict[str, int] = {}

    # --- per event ---------------------------------------------------------------------------------
    def digest(self, event: WorldEvent, summary: WorldSummary, now: float) -> Outcome:
        self.counters["events"] += 1
        self.pacer.observe(event, now)
        specs = self._by_kind.get(event.kind)
        if not specs:
            return Outcome()
        if event.kind is EventKind.DEAD_END_HIT:
            event = self._count_dead_end(event)
        seed = derive_seed(self.settings.seed, event.id)
        rng = random.Random(seed)
        out = Outcome()
        for spec in specs:
            try:
                decisions = spec.fn(event, summary, self.state.sliders, rng, now)
            except Exception as exc:  # a malformed event must not stall the stream: log it, go on
                self.counters["rule_errors"] = self.counters.get("rule_errors", 0) + 1
                out.logs.append(LogRecord(LogKind.ERROR, f"rule {spec.name} failed on {event.id}: "
                                          f"{type(exc).__name__}: {exc}", rule=spec.name, event_id=event.id,
                                          data={"event_kind": event.kind.value}))
                continue
            if decisions:
                self._decide(spec, decisions, event, summary, seed, now, out)
        return out

    def _count_dead_end(self, event: WorldEvent) -> WorldEvent:
        key = (event.room_id or "", str(event.data.get("direction", "")))
        count = self._dead_ends.get(key, 0) + 1
        self._dead_ends[key] = count
        given = event.data.get("hits")
        hits = max(count, given if isinstance(given, int) else 0)
        return msgspec.structs.replace(event, data={**event.data, "hits": hits})

    def _decide(self, spec: RuleSpec, decisions: list[Decision], event: WorldEvent, summary: WorldSummary,
                seed: int, now: float, out: Outcome) -> None:
        cooldown = self.settings.rule_cooldown_s if spec.cooldown_s is None else spec.cooldown_s
        started: set[str] = set()
        for index, decision in enumerate(decisions):
            self.counters["decisions"] += 1
            why = self._why_not(decision, event.player_id, now, started)
            if why is not None:
                self._suppress(decision, why, event.id, now, out)
                continue
            if decision.expansion:
                job_id = self._job_id(event.id, decision.rule, index)
                self.gate.begin(job_id, now)
            started.add(decision.scope)
            out.jobs.append(self._job(decision, event, summary, seed, index, now))
            if decision.rule == "extend_road" and event.room_id:
                self._dead_ends.pop((event.room_id, str(event.data.get("direction", ""))), None)
        for scope in started:
            self.cooldowns.start(spec.name, scope, now, cooldown)

    def _why_not(self, d: Decision, player_id: str | None, now: float, started: set[str]) -> str | None:
        mode = self.state.mode
        if mode is not DirectorMode.RUNNING:
            return mode.value  # idle | paused | stopped
        if d.threat and self.pacer.phase(player_id, now) is Phase.RELAX:
            return "relax"
        if self.state.toggles.restricted_generation and not self.glitch.allows(d.params):
            return "restricted"
        if d.scope not in started and self.cooldowns.remaining(d.rule, d.scope, now) > 0:
            return "cooldown"
        if d.expansion and self.gate.busy(now) is not None:
            return "expansion_in_flight"
        if self.gate_pauses.remaining(GATE_THROTTLE, d.type.value, now) > 0:
            return GATE_THROTTLE
        if not self.bucket.take(now):
            return "throttled"
        return None

    def _suppress(self, d: Decision, why: str, event_id: str | None, now: float, out: Outcome) -> None:
        self.suppressed[why] = self.suppressed.get(why, 0) + 1
        metrics.NO_ACTION.labels(d.rule, why).inc()
        key = (d.rule, why, d.scope)
        seen = self._quiet.get(key)
        if seen is not None:
            seen[0] += 1
            return
        self._quiet[key] = [0, now]
        out.logs.append(LogRecord(LogKind.NO_ACTION, f"{d.rule}: not acting ({why}): {d.reason}", rule=d.rule,
                                  event_id=event_id, data={"reason": why, "type": d.type.value,
                                                           "scope": d.scope, "params": d.params}))

    @staticmethod
    def _job_id(event_id: str, rule: str, index: int) -> str:
        return "job-" + hashlib.blake2b(f"{event_id}|{rule}|{index}".encode(), digest_size=8).hexdigest()

    def _job(self, d: Decision, event: WorldEvent | None, summary: WorldSummary, seed: int, index: int,
             now: float) -> GenJob:
        event_id = event.id if event else f"tick-{int(now)}"
        job_id = self._job_id(event_id, d.rule, index)
        sliders = msgspec.structs.asdict(self.state.sliders)
        points = threat_points(summary, self.state.sliders)
        phase = self.pacer.phase(event.player_id if event else None, now)
        trace = TraceEntry(stage="director", at=now, actor=self.instance, verdict="ok", reason=d.reason,
                           data={"rule": d.rule, "event_id": event_id, "event_kind": event.kind.value if event
                                 else "tick", "sliders": sliders, "rng_seed": seed, "phase": phase.value,
                                 "threat_points": points, "decision_index": index})
        params = {"aggression": self.state.sliders.aggression, **d.params, "threat_points": points}
        self.counters["jobs"] += 1
        return GenJob(id=job_id, type=d.type, seed=derive_seed(seed, str(index)), params=params, rule=d.rule,
                      trigger=event.id if event else None, high_risk=d.high_risk, requested_at=now,
                      trace=[trace])

    # --- periodic ------------------------------------------------------------------------------------
    def tick(self, summary: WorldSummary, now: float, players_online: int) -> Outcome:
        """Once a second: fold suppressed repeats into log lines, expire the expansion slot, force an event."""
        out = Outcome()
        for key, (count, first) in list(self._quiet.items()):
            if now - first >= self.quiet_window_s:
                del self._quiet[key]
                if count:
                    rule, why, scope = key
                    out.logs.append(LogRecord(LogKind.NO_ACTION, f"{rule}: not acting ({why}) {int(count)} more "
                                              f"times in {now - first:.1f}s", rule=rule,
                                              data={"reason": why, "scope": scope, "repeats": int(count)}))
        held = self.gate.current
        if held and self.gate.busy(now) is None:
            out.logs.append(LogRecord(LogKind.INFO, f"expansion {held.job_id} timed out; slot freed",
                                      job_id=held.job_id))
        if self.pacer.forced_due(now, players_online):
            self.pacer.note_major(now)  # the attempt counts: no retry storm while suppressed
            seed = derive_seed(self.settings.seed, "forced", str(int(now)))
            rng = random.Random(seed)
            district: str | None = None
            if summary.districts:
                district = max(summary.districts.values(), key=lambda d: (d.players, d.id)).id
            base = summary.districts[district].threat_level if district is not None else 3
            decision = forced_major_event(now, self.state.sliders, rng, district,
                                          self.settings.forced_event_quiet_s, base)
            refusal = self._why_not(decision, None, now, set())
            if refusal is not None:
                self._suppress(decision, refusal, None, now, out)
            else:
                out.jobs.append(self._job(decision, None, summary, seed, 0, now))
                self.cooldowns.start(decision.rule, decision.scope, now, self.settings.rule_cooldown_s)
        return out

    def memory(self, now: float) -> Memory:
        """What a restarted director must not forget (live cool-downs and pauses, the expansion in flight)."""
        return Memory(cooldowns=self.cooldowns.live(now), gate_pauses=self.gate_pauses.live(now),
                      expansion=self.gate.busy(now))

    def restore(self, memory: Memory, now: float) -> None:
        """Take a saved Memory back (what expired meanwhile stays forgotten)."""
        self.cooldowns.restore(memory.cooldowns, now)
        self.gate_pauses.restore(memory.gate_pauses, now)
        if memory.expansion is not None:
            self.gate.current = memory.expansion
            self.gate.busy(now)  # a timed-out one is dropped here

    def expansion_done(self, proposal_id: str) -> bool:
        return self.gate.clear(proposal_id)

    def gate_throttled(self, ptype: str, rule: str, now: float) -> LogRecord | None:
        """The gate rejected a proposal of `ptype` by throttle `rule`: ask for no more of that type for
        `gate_throttle_pause_s` (the log line when a pause starts; None while one runs or when off)."""
        pause = self.settings.gate_throttle_pause_s
        if pause <= 0 or self.gate_pauses.remaining(GATE_THROTTLE, ptype, now) > 0:
            return None
        self.gate_pauses.start(GATE_THROTTLE, ptype, now, pause)
        return LogRecord(LogKind.DECISION, f"the gate throttles {ptype} ({rule}): no {ptype} jobs for {pause:g} s",
                         rule=GATE_THROTTLE, data={"type": ptype, "gate_rule": rule, "pause_s": pause})
