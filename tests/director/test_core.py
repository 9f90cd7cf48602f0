"""The decision core: sliders change outcomes, throttles hold under a storm, STOP, trace, pacing."""

from __future__ import annotations

import statistics
from pathlib import Path

import msgspec

from ouro_director.core import DirectorCore, GlitchAreas
from ouro_director.settings import DirectorSettings
from ouro_director.summary import DistrictInfo, GrowthPointInfo, WorldSummary
from ouro_director.throttle import Memory
from ouro_schemas.messages import DirectorMode, DirectorState, EventKind, GenJob, Sliders
from ouro_schemas.proposal import ProposalType as T
from tests.director.conftest import ev

K = EventKind
T0 = 1_000_000.0
DISTRICTS = [f"d{i}" for i in range(20)]
SUMMARY = WorldSummary(
    districts={d: DistrictInfo(id=d, npcs=0, quests_open=0, quests_done=2, has_hq=False, faction_id=f"f-{d}",
                               threat_level=5) for d in DISTRICTS},
    money_supply=50_000, inflation=0.08,
    growth_points=tuple(GrowthPointInfo(room_id=f"{d}-edge", direction="e", x=19, y=i)
                        for i, d in enumerate(DISTRICTS)))


def open_settings(**kw) -> DirectorSettings:  # type: ignore[no-untyped-def]
    """Throttles wide open, so the sliders alone shape the outcome."""
    base = dict(jobs_per_minute=1e5, jobs_burst=10_000, rule_cooldown_s=0.0, data_dir=Path("/nonexistent"),
                relax_s=0.0)
    return DirectorSettings(**(base | kw))


def core(sliders: Sliders, settings: DirectorSettings | None = None) -> DirectorCore:
    return DirectorCore(settings or open_settings(), DirectorState(mode=DirectorMode.RUNNING, sliders=sliders), T0)


def stream(n: int = 300):  # type: ignore[no-untyped-def]
    """The same event stream every time (fixed ids → fixed seeds)."""
    out = []
    kinds = [K.NPC_KILLED, K.PLAYER_ENTERED_DISTRICT, K.DISTRICT_CROWDED, K.QUEST_COMPLETED]
    for i in range(n):
        d = DISTRICTS[i % len(DISTRICTS)]
        out.append(ev(kinds[i % 4], id=f"s-{i}", player_id=f"p{i % 7}", district_id=d, room_id=f"{d}-1",
                      quest_id="q", data={"boss": True, "population": 30}))
    return out


def run_stream(c: DirectorCore, events=None) -> list[GenJob]:  # type: ignore[no-untyped-def]
    jobs: list[GenJob] = []
    now = T0
    for e in events or stream():
        now += 1000.0  # past every rule's own cool-down
        out = c.digest(e, SUMMARY, now)
        for job in out.jobs:
            c.expansion_done(f"p-{job.id}")  # each expansion lands before the next event
        jobs += out.jobs
    return jobs


def threat_levels(jobs: list[GenJob]) -> list[int]:
    return [j.params["threat_level"] for j in jobs if "threat_level" in j.params]


def test_aggression_shifts_threat_level() -> None:
    low = run_stream(core(Sliders(chaos=0, aggression=0, expansion=0.5)))
    high = run_stream(core(Sliders(chaos=0, aggression=1, expansion=0.5)))
    assert statistics.mean(threat_levels(high)) >= statistics.mean(threat_levels(low)) + 4
    hostile = {"ganger", "corp_security", "drone", "boss"}
    npc_roles = lambda jobs: [j.params["role"] for j in jobs if j.type is T.NPC and "role" in j.params]  # noqa: E731
    assert not any(r in hostile for r in npc_roles(low)) or not npc_roles(low)
    assert sum(j.params.get("contenders", 0) for j in high) > sum(j.params.get("contenders", 0) for j in low)


def test_expansion_shifts_blocks_vs_fill() -> None:
    new_rooms = {T.BLOCK, T.WORLD_EXPANSION, T.BUILDING}
    fill = run_stream(core(Sliders(chaos=0, aggression=0.5, expansion=0)))
    sprawl = run_stream(core(Sliders(chaos=0, aggression=0.5, expansion=1)))
    count = lambda jobs, types: sum(j.type in types for j in jobs)  # noqa: E731
    assert count(sprawl, {T.BLOCK}) > 0 and count(fill, {T.BLOCK}) == 0
    assert count(fill, {T.NPC}) > count(sprawl, {T.NPC})
    share = lambda jobs: count(jobs, new_rooms) / len(jobs)  # noqa: E731
    assert share(sprawl) > share(fill) + 0.15
    # The fill-or-sprawl rules themselves: all fill at 0, all new rooms at 1.
    chooser = lambda jobs: [j for j in jobs if j.rule in ("residential_sprawl", "populate_empty")]  # noqa: E731
    assert chooser(fill) and all(j.type is T.NPC or j.params.get("storefront") == "apartment"
                                 for j in chooser(fill))
    assert chooser(sprawl) and all(j.type is T.BLOCK or (j.type is T.BUILDING and j.params["storefront"] == "bar")
                                   for j in chooser(sprawl))


def test_chaos_adds_weird_picks() -> None:
    calm = run_stream(core(Sliders(chaos=0, aggression=0.5, expansion=0.5)))
    wild = run_stream(core(Sliders(chaos=1, aggression=0.5, expansion=0.5)))
    assert sum(bool(j.params.get("weird")) for j in calm) == 0
    assert sum(bool(j.params.get("weird")) for j in wild) > 20
    assert {j.params["event_type"] for j in wild if j.type is T.EVENT} - {"power_vacuum"}


def test_same_seed_same_stream_same_jobs() -> None:
    a = run_stream(core(Sliders(chaos=0.7, aggression=0.4, expansion=0.6)))
    b = run_stream(core(Sliders(chaos=0.7, aggression=0.4, expansion=0.6)))
    assert [(j.id, j.seed, j.type, j.params) for j in a] == [(j.id, j.seed, j.type, j.params) for j in b]


def test_storm_of_10000_events_in_a_second_obeys_throttles() -> None:
    settings = DirectorSettings(jobs_per_minute=30, jobs_burst=5, rule_cooldown_s=60, data_dir=Path("/x"))
    c = DirectorCore(settings, DirectorState(mode=DirectorMode.RUNNING), T0)
    kinds = [K.PLAYER_NEAR_EDGE, K.NPC_KILLED, K.ECONOMY_STATS, K.DISTRICT_CROWDED, K.DEAD_END_HIT,
             K.PLAYER_ENTERED_DISTRICT, K.QUEST_COMPLETED]
    jobs: list[GenJob] = []
    logs = 0
    for i in range(10_000):
        d = DISTRICTS[i % len(DISTRICTS)]
        e = ev(kinds[i % len(kinds)], id=f"storm-{i}", player_id=f"p{i % 50}", district_id=d,
               room_id=f"{d}-{i % 13}", data={"boss": True, "population": 99, "direction": "n", "hits": 9})
        out = c.digest(e, SUMMARY, T0 + i / 10_000)  # all within one second
        jobs += out.jobs
        logs += len(out.logs)
    assert c.counters["decisions"] > 10_000  # the rules did match: the throttles held them back
    assert len(jobs) <= c.bucket.max_jobs(1.0) == 5
    assert sum(j.type in (T.BLOCK, T.WORLD_EXPANSION) for j in jobs) <= 1
    assert sum(c.suppressed.values()) == c.counters["decisions"] - len(jobs)  # every one has a reason
    assert {"throttled", "cooldown", "expansion_in_flight"} <= set(c.suppressed)
    assert logs < 2_000  # repeats are folded, not one log line per suppressed decision
    out = c.tick(SUMMARY, T0 + 2, players_online=0)
    assert any("more times" in r.message for r in out.logs)


def test_stop_stops_within_one_event() -> None:
    c = core(Sliders(chaos=0, aggression=0.5, expansion=0))
    first = c.digest(ev(K.ECONOMY_STATS, id="e1", data={"inflation": 0.2}), SUMMARY, T0 + 1)
    assert len(first.jobs) == 1
    c.state.mode = DirectorMode.STOPPED
    second = c.digest(ev(K.ECONOMY_STATS, id="e2", data={"inflation": 0.2}), SUMMARY, T0 + 2000)
    assert second.jobs == [] and [r.data["reason"] for r in second.logs] == ["stopped"]
    c.state.mode = DirectorMode.PAUSED
    third = c.digest(ev(K.NPC_KILLED, id="e3", data={"boss": True}, district_id="d1"), SUMMARY, T0 + 4000)
    assert third.jobs == [] and third.logs[0].data["reason"] == "paused"


def test_trace_carries_event_rule_sliders_seed() -> None:
    sliders = Sliders(chaos=0.1, aggression=0.9, expansion=0.2)
    c = core(sliders)
    [job] = c.digest(ev(K.ECONOMY_STATS, id="ev-trace", data={"inflation": 0.3}), SUMMARY, T0 + 1).jobs
    [t] = job.trace
    assert t.stage == "director" and t.verdict == "ok"
    assert t.data["rule"] == job.rule == "gold_sink" and t.data["event_id"] == job.trigger == "ev-trace"
    assert t.data["sliders"] == {"chaos": 0.1, "aggression": 0.9, "expansion": 0.2}
    assert isinstance(t.data["rng_seed"], int) and job.id.startswith("job-")
    assert job.params["threat_points"] == round(50_000 / 100 * (0.25 + 1.5 * 0.9), 2)


def test_cooldown_and_expansion_gate() -> None:
    c = DirectorCore(DirectorSettings(jobs_per_minute=1e4, jobs_burst=100, rule_cooldown_s=60, data_dir=Path("/x")),
                     DirectorState(mode=DirectorMode.RUNNING), T0)
    edge = lambda i, room: ev(K.PLAYER_NEAR_EDGE, id=f"edge-{i}", room_id=room, data={"direction": "n"})  # noqa: E731
    [job] = c.digest(edge(1, "r1"), SUMMARY, T0).jobs
    out = c.digest(edge(2, "r1"), SUMMARY, T0 + 1)
    assert out.jobs == [] and out.logs[0].data["reason"] == "cooldown"
    out = c.digest(edge(3, "r2"), SUMMARY, T0 + 2)  # another growth point: the one slot is taken
    assert out.jobs == [] and out.logs[0].data["reason"] == "expansion_in_flight"
    assert c.expansion_done(f"p-{job.id}")
    assert len(c.digest(edge(4, "r2"), SUMMARY, T0 + 3).jobs) == 1
    assert c.digest(edge(5, "r3"), SUMMARY, T0 + 4).jobs == []
    assert len(c.digest(edge(6, "r3"), SUMMARY, T0 + 4 + 600).jobs) == 1  # the slot timed out


def test_a_gate_throttle_pauses_that_type_only_for_its_time() -> None:
    c = DirectorCore(DirectorSettings(jobs_per_minute=1e4, jobs_burst=100, rule_cooldown_s=0,
                                      gate_throttle_pause_s=30, data_dir=Path("/x")),
                     DirectorState(mode=DirectorMode.RUNNING), T0)
    edge = lambda i, room: ev(K.PLAYER_NEAR_EDGE, id=f"edge-{i}", room_id=room, data={"direction": "n"})  # noqa: E731
    [job] = c.digest(edge(1, "r1"), SUMMARY, T0).jobs
    assert job.type is T.BLOCK
    c.expansion_done(f"p-{job.id}")  # the gate rejected it (throttle.per_minute): the slot is free again
    record = c.gate_throttled("BLOCK", "throttle.per_minute", T0 + 1)
    assert record is not None and record.data == {"type": "BLOCK", "gate_rule": "throttle.per_minute", "pause_s": 30}
    assert c.gate_throttled("BLOCK", "throttle.per_minute", T0 + 2) is None  # one line per pause
    out = c.digest(edge(2, "r2"), SUMMARY, T0 + 3)
    assert out.jobs == [] and out.logs[0].data["reason"] == "gate_throttle"
    # Other types go on: an NPC for an empty district is not paused by the BLOCK throttle.
    empty = ev(K.PLAYER_ENTERED_DISTRICT, id="enter-1", player_id="p1", district_id=DISTRICTS[0],
               room_id=f"{DISTRICTS[0]}-1")
    assert any(j.type is T.NPC for j in c.digest(empty, SUMMARY, T0 + 4).jobs)
    assert [j.type for j in c.digest(edge(3, "r3"), SUMMARY, T0 + 1 + 30).jobs] == [T.BLOCK]
    # 0 turns the pause off.
    off = DirectorCore(DirectorSettings(gate_throttle_pause_s=0, data_dir=Path("/x")),
                       DirectorState(mode=DirectorMode.RUNNING), T0)
    assert off.gate_throttled("BLOCK", "throttle.per_minute", T0) is None
    assert off.gate_pauses.remaining("gate_throttle", "BLOCK", T0) == 0


def test_a_restarted_core_remembers_cooldowns_pauses_and_the_expansion_in_flight() -> None:
    settings = DirectorSettings(jobs_per_minute=1e4, jobs_burst=100, rule_cooldown_s=60, data_dir=Path("/x"))
    first = DirectorCore(settings, DirectorState(mode=DirectorMode.RUNNING), T0)
    edge = lambda i, room: ev(K.PLAYER_NEAR_EDGE, id=f"edge-{i}", room_id=room, data={"direction": "n"})  # noqa: E731
    [job] = first.digest(edge(1, "r1"), SUMMARY, T0).jobs
    assert first.gate_throttled("NPC", "throttle.per_minute", T0) is not None
    saved = msgspec.json.encode(first.memory(T0 + 1))  # what the shell writes to Redis

    again = DirectorCore(settings, DirectorState(mode=DirectorMode.RUNNING), T0 + 2)
    again.restore(msgspec.json.decode(saved, type=Memory), T0 + 2)
    assert again.gate.current is not None and again.gate.current.job_id == job.id
    out = again.digest(edge(2, "r2"), SUMMARY, T0 + 3)
    assert out.jobs == [] and out.logs[0].data["reason"] == "expansion_in_flight"
    assert again.expansion_done(f"p-{job.id}")
    out = again.digest(edge(3, "r1"), SUMMARY, T0 + 4)  # the same growth point: its cool-down holds
    assert out.jobs == [] and out.logs[0].data["reason"] == "cooldown"
    enter = ev(K.PLAYER_ENTERED_DISTRICT, id="enter-1", player_id="p1", district_id=DISTRICTS[0],
               room_id=f"{DISTRICTS[0]}-1")
    assert not any(j.type is T.NPC for j in again.digest(enter, SUMMARY, T0 + 5).jobs)
    # Restored long after: everything had expired, nothing is held.
    late = DirectorCore(settings, DirectorState(mode=DirectorMode.RUNNING), T0 + 700)
    late.restore(msgspec.json.decode(saved, type=Memory), T0 + 700)
    assert late.memory(T0 + 700) == Memory()
    assert [j.type for j in late.digest(edge(4, "r2"), SUMMARY, T0 + 700).jobs] == [T.BLOCK]


def test_restricted_generation_only_in_glitch_areas() -> None:
    c = core(Sliders(chaos=0, aggression=0.5, expansion=0))
    c.state.toggles.restricted_generation = True
    c.glitch = GlitchAreas(rooms=frozenset({"d3-edge"}), districts=frozenset({"d3"}))
    out = c.digest(ev(K.ECONOMY_STATS, district_id="d1", data={"inflation": 0.2}), SUMMARY, T0 + 1)
    assert out.jobs == [] and out.logs[0].data["reason"] == "restricted"
    assert len(c.digest(ev(K.ECONOMY_STATS, district_id="d3", data={"inflation": 0.2}), SUMMARY, T0 + 2).jobs) == 1


def test_dead_end_hits_are_counted() -> None:
    c = core(Sliders(chaos=0, aggression=0.5, expansion=0))
    hit = lambda i: ev(K.DEAD_END_HIT, id=f"de-{i}", room_id="alley", data={"direction": "w"})  # noqa: E731
    assert c.digest(hit(1), SUMMARY, T0).jobs == [] and c.digest(hit(2), SUMMARY, T0).jobs == []
    [job] = c.digest(hit(3), SUMMARY, T0).jobs
    assert job.type is T.BLOCK and job.rule == "extend_road" and job.params["growth_point"]["room_id"] == "alley"


def test_relax_phase_holds_threats_and_forced_event_after_quiet() -> None:
    s = open_settings(relax_s=300.0, forced_event_quiet_s=1800.0)
    c = core(Sliders(chaos=0, aggression=0.5, expansion=0), s)
    for i in range(3):  # a death and two boss kills: intensity peaks
        c.pacer.observe(ev(K.PLAYER_DIED, id=f"die-{i}", player_id="hero"), T0)
    boss = ev(K.NPC_KILLED, id="boss", player_id="hero", district_id="d1", data={"boss": True})
    out = c.digest(boss, SUMMARY, T0 + 1)
    assert out.jobs == [] and out.logs[0].data["reason"] == "relax"
    other = ev(K.NPC_KILLED, id="boss2", player_id="calm-player", district_id="d2", data={"boss": True})
    assert len(c.digest(other, SUMMARY, T0 + 2).jobs) == 1  # pacing is per player
    assert c.tick(SUMMARY, T0 + 1000, players_online=1).jobs == []
    calm = DirectorCore(s, DirectorState(mode=DirectorMode.RUNNING), T0)
    assert calm.tick(SUMMARY, T0 + 1799, players_online=1).jobs == []
    assert calm.tick(SUMMARY, T0 + 1800, players_online=0).jobs == []  # nobody to entertain
    [forced] = calm.tick(SUMMARY, T0 + 1801, players_online=2).jobs
    assert forced.rule == "forced_major_event" and forced.type is T.EVENT and forced.high_risk
    assert calm.tick(SUMMARY, T0 + 1802, players_online=2).jobs == []


def test_a_malformed_event_is_logged_and_the_rest_goes_on() -> None:
    c = core(Sliders(chaos=0, aggression=0.5, expansion=0.5))
    bad = ev(K.DEAD_END_HIT, id="bad", room_id="r1", data={"direction": "w", "x": "not a number", "hits": 9})
    out = c.digest(bad, SUMMARY, T0)
    assert out.jobs == [] and out.logs[0].kind.value == "error" and "extend_road failed on bad" in out.logs[0].message
    assert len(c.digest(ev(K.ECONOMY_STATS, data={"inflation": 0.5}), SUMMARY, T0 + 1).jobs) == 1
