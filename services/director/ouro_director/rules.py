"""The director's rules: small pure functions `(event, summary, sliders, rng, now) -> list[Decision]`.

A rule only says what it would like (a Decision with its reason); whether it happens is the core's
business (mode, pacing, restricted areas, cool-downs, the expansion slot, the jobs-per-minute bucket).
Rules never touch Redis, files or the clock: the same event, summary, sliders and seed give the same
decisions, which is what the slider tests and the trace rely on.

How the sliders act (issue 5 point 2):
- aggression shifts `threat_level` (district base -3 … +3) and the share of hostile picks;
- expansion is the chance a "make room" rule sprawls (new rooms: BLOCK / BUILDING / WORLD_EXPANSION)
  rather than fills (NPC / ITEM in existing rooms);
- chaos is the chance of a weird pick (another event type, an odd role, a threat jolt), marked
  `params["weird"] = True`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ouro_director.growthplan import candidates, district_plan, pick_growth_point
from ouro_director.summary import GrowthPointInfo, WorldSummary
from ouro_schemas.content import EVENT_TYPES, NPC_ROLES, OFFSET
from ouro_schemas.messages import EventKind, Sliders, WorldEvent
from ouro_schemas.proposal import ProposalType

EXPANSION_TYPES = frozenset({ProposalType.BLOCK, ProposalType.WORLD_EXPANSION})
NEW_ROOM_TYPES = frozenset({ProposalType.BLOCK, ProposalType.WORLD_EXPANSION, ProposalType.BUILDING})
MILD_EVENTS = ("festival", "market_fluctuation", "acid_storm", "net_crash")
HARSH_EVENTS = ("invasion", "gang_war", "corp_raid", "lockdown", "blackout")
HOSTILE_ROLES = ("ganger", "corp_security", "drone", "boss")
FRIENDLY_ROLES = ("vendor", "fixer", "civilian", "medic", "bartender", "netrunner")


@dataclass(frozen=True, slots=True)
class Decision:
    rule: str
    type: ProposalType
    params: dict[str, Any]
    reason: str
    scope: str = "*"  # cool-down scope: a district, a growth point, "economy", …
    high_risk: bool = False  # expansion or mass event: snapshot first
    threat: bool = False  # raises the danger for the player: waits during a relax phase

    @property
    def expansion(self) -> bool:
        return self.type in EXPANSION_TYPES


Rule = Callable[[WorldEvent, WorldSummary, Sliders, random.Random, float], list[Decision]]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    name: str
    kinds: frozenset[EventKind]
    fn: Rule
    cooldown_s: float | None = None  # None: the settings' default


@dataclass(frozen=True, slots=True)
class Thresholds:
    inflation: float = 0.05
    crowded_population: int = 10
    dead_end_hits: int = 3
    quest_stale_s: float = 1800.0
    found_district_distance: int = 24


# --- slider helpers ------------------------------------------------------------------------------
def threat_level(base: int, sliders: Sliders, rng: random.Random) -> tuple[int, bool]:
    """District base shifted by aggression (-3 … +3); chaos may jolt it by ±3 (a weird pick)."""
    level = base + round((sliders.aggression - 0.5) * 6)
    weird = rng.random() < sliders.chaos * 0.5
    if weird:
        level += rng.choice((-3, 3))
    return max(1, min(10, level)), weird


def sprawls(sliders: Sliders, rng: random.Random) -> bool:
    """True: make new rooms; False: fill existing ones. P(sprawl) = expansion."""
    return rng.random() < sliders.expansion


def pick_role(sliders: Sliders, rng: random.Random) -> tuple[str, bool]:
    if rng.random() < sliders.chaos * 0.3:
        return rng.choice(NPC_ROLES), True
    pool = HOSTILE_ROLES if rng.random() < sliders.aggression else FRIENDLY_ROLES
    return rng.choice(pool), False


def _base_threat(event: WorldEvent, summary: WorldSummary) -> int:
    info = summary.district(event.district_id)
    raw = event.data.get("threat_level")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return max(1, min(10, raw))
    return info.threat_level if info else 3


def _growth_point(event: WorldEvent, summary: WorldSummary) -> GrowthPointInfo | None:
    """The event's own growth point (its first candidate), else the summary's nearest to the event's x/y."""
    points = candidates(event, summary)
    x, y = event.data.get("x"), event.data.get("y")
    if (points and points[0] not in summary.growth_points) or not isinstance(x, int) or not isinstance(y, int):
        return points[0] if points else None
    return min(points, key=lambda g: (abs(g.x - x) + abs(g.y - y), g.room_id, g.direction))


def _gp_params(gp: GrowthPointInfo) -> dict[str, Any]:
    return {"growth_point": gp.params()}


# --- the rules -----------------------------------------------------------------------------------
def edge_expansion(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
                   now: float, *, found_distance: int = 24) -> list[Decision]:
    """A player near the frontier: a new block at the growth point the sliders pick among those near the
    player (a sprawl when expansion is high), in the neighbour's district or, far out, a new one."""
    x, y = event.data.get("x"), event.data.get("y")
    pick = pick_growth_point(candidates(event, summary), x if isinstance(x, int) else None,
                             y if isinstance(y, int) else None, sliders, rng)
    if pick is None:
        return []
    gp = pick.point
    plan = district_plan(gp, event.district_id, summary, sliders, rng, found_distance)
    params = {**plan, **_gp_params(gp), "rooms": 4 + round(sliders.expansion * 12), "growth_kind": gp.kind}
    if pick.weird:
        params["weird"] = True
    if rng.random() < sliders.expansion ** 2:
        params["blocks"] = 2 + round(sliders.expansion * 2)
        kind = ProposalType.WORLD_EXPANSION
    else:
        kind = ProposalType.BLOCK
    founding = f"; founds a district (from {plan['founded_from']})" if plan.get("new_district") else ""
    reason = (f"player {event.player_id} near the edge; growing at {gp.kind} {gp.room_id}:{gp.direction} "
              f"(of {pick.considered}){founding}")
    return [Decision("edge_expansion", kind, params, reason, scope=f"{gp.room_id}:{gp.direction}", high_risk=True)]


def power_vacuum(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
                 now: float) -> list[Decision]:
    """A boss died: a power-vacuum event in its district; chaos may pick another event type."""
    if not (event.data.get("boss") is True or event.data.get("role") == "boss"):
        return []
    level, weird = threat_level(_base_threat(event, summary), sliders, rng)
    event_type = "power_vacuum"
    if rng.random() < sliders.chaos * 0.5:
        event_type, weird = rng.choice(sorted(EVENT_TYPES)), True
    params = {"event_type": event_type, "district_id": event.district_id, "threat_level": level,
              "contenders": 1 + round(sliders.aggression * 3), "duration_s": 600 + round(sliders.aggression * 1200),
              "killed": event.data.get("npc_id") or event.data.get("template_id"), "weird": weird}
    return [Decision("power_vacuum", ProposalType.EVENT, params, "boss killed", scope=event.district_id or "*",
                     high_risk=True, threat=True)]


def salvage(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
            now: float) -> list[Decision]:
    """A fight ended with a kill (not a boss: that is a power vacuum): something new turns up in the
    wreckage, spawned where the NPC fell. Its level follows the district's threat and aggression; chaos
    may make it rarer than it should be."""
    if event.data.get("boss") is True or event.data.get("role") == "boss" or not event.room_id:
        return []
    level, weird = threat_level(_base_threat(event, summary), sliders, rng)
    params: dict[str, Any] = {"district_id": event.district_id, "spawn_room_id": event.room_id,
                              "threat_level": level, "quantity": 1, "weird": weird,
                              "killed": event.data.get("template_id") or event.data.get("npc_id")}
    if weird:
        params["rarity"] = rng.choice(("rare", "epic"))
    return [Decision("salvage", ProposalType.ITEM, params,
                     f"{params['killed'] or 'an NPC'} killed by {event.player_id or 'someone'}",
                     scope=event.district_id or "*")]


def gold_sink(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
              now: float, *, threshold: float = 0.05) -> list[Decision]:
    """Inflation above the threshold: a merchant whose wares soak up credits."""
    raw = event.data.get("inflation", summary.inflation)
    inflation = float(raw) if isinstance(raw, int | float) else summary.inflation
    if inflation <= threshold:
        return []
    district = event.district_id
    if district is None and summary.districts:  # the busiest district: where the money is spent
        district = max(summary.districts.values(), key=lambda d: (d.players, d.id)).id
    params = {"role": "vendor", "behavior": "merchant", "gold_sink": True, "district_id": district,
              "price_multiplier": round(1 + inflation * 4, 3), "inflation": inflation}
    return [Decision("gold_sink", ProposalType.NPC, params, f"inflation {inflation:.1%} > {threshold:.0%}",
                     scope="economy")]


def residential_sprawl(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
                       now: float, *, threshold: int = 12) -> list[Decision]:
    """An overcrowded district: a residential block nearby (sprawl) or apartments in it (fill)."""
    info = summary.district(event.district_id)
    pop = event.data.get("population", event.data.get("players"))  # the engine sends "players"
    population = int(pop) if isinstance(pop, int) else (info.players if info else threshold)
    if population < threshold or not event.district_id:
        return []
    reason = f"district {event.district_id} crowded ({population})"
    gp = _growth_point(event, summary)
    if gp is not None and sprawls(sliders, rng):
        params = {"district_id": event.district_id, "theme": "residential", **_gp_params(gp),
                  "rooms": 4 + round(sliders.expansion * 8)}
        return [Decision("residential_sprawl", ProposalType.BLOCK, params, reason, scope=event.district_id,
                         high_risk=True)]
    params = {"district_id": event.district_id, "storefront": "apartment",
              "rooms": 2 + round(sliders.expansion * 4)}
    return [Decision("residential_sprawl", ProposalType.BUILDING, params, reason, scope=event.district_id)]


def extend_road(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
                now: float, *, threshold: int = 3, found_distance: int = 24) -> list[Decision]:
    """Players keep hitting the same dead end: extend the road there (a block at that growth point)."""
    hits = event.data.get("hits", 1)
    if not isinstance(hits, int) or hits < threshold or not event.room_id:
        return []
    gp = _growth_point(event, summary)
    if gp is None or gp.room_id != event.room_id:
        direction = str(event.data.get("direction", "n"))
        dx, dy, dz = OFFSET.get(direction, (0, 0, 0))  # the event has the room's cell; the lot is next to it
        gp = GrowthPointInfo(room_id=event.room_id, direction=direction, x=int(event.data.get("x", 0)) + dx,
                             y=int(event.data.get("y", 0)) + dy, z=int(event.data.get("z", 0)) + dz,
                             district_id=event.district_id or "")
    plan = district_plan(gp, event.district_id, summary, sliders, rng, found_distance)
    params = {**plan, **_gp_params(gp), "theme": "road", "rooms": 2 + round(sliders.expansion * 4)}
    players = event.data.get("players")
    who = f" by {players} players" if isinstance(players, int) else ""
    return [Decision("extend_road", ProposalType.BLOCK, params, f"dead end hit {hits} times{who}",
                     scope=f"{gp.room_id}:{gp.direction}", high_risk=True)]


def faction_hq(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
               now: float) -> list[Decision]:
    """A faction without a headquarters in its district: build one there."""
    info = summary.district(event.district_id)
    if info is None or info.has_hq or not info.faction_id:
        return []
    params = {"district_id": info.id, "storefront": "hq", "faction_id": info.faction_id,
              "rooms": 3 + round(sliders.expansion * 5)}
    return [Decision("faction_hq", ProposalType.BUILDING, params, f"faction {info.faction_id} has no HQ",
                     scope=info.id)]


def fresh_dungeon(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
                  now: float, *, stale_s: float = 1800.0) -> list[Decision]:
    """A district's quests are all done or stale: a new dungeon (building) with fresh quests."""
    info = summary.district(event.district_id)
    if info is None:
        return []
    stale = info.last_quest_at is not None and now - info.last_quest_at > stale_s
    exhausted = info.quests_open == 0 and info.quests_done > 0
    if not (exhausted or stale):
        return []
    level, weird = threat_level(info.threat_level, sliders, rng)
    building = f"dungeon-{info.id}"
    reason = f"quests in {info.id} exhausted or stale"
    decisions = [Decision("fresh_dungeon", ProposalType.BUILDING,
                          {"district_id": info.id, "storefront": "dungeon", "threat_level": level,
                           "rooms": 3 + round(sliders.expansion * 6), "weird": weird, "hint": building},
                          reason, scope=info.id, threat=True)]
    for n in range(1 + round(sliders.aggression)):
        decisions.append(Decision("fresh_dungeon", ProposalType.QUEST,
                                  {"district_id": info.id, "difficulty": level, "threat_level": level, "location_hint": building,
                                   "n": n}, reason, scope=info.id, threat=True))
    return decisions


def populate_empty(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
                   now: float) -> list[Decision]:
    """A player entered a district with no NPCs: people for it (or, sprawling, a building full of them)."""
    info = summary.district(event.district_id)
    npcs = event.data.get("npcs", info.npcs if info else None)
    if npcs != 0 or not event.district_id:
        return []
    reason = f"player {event.player_id} entered empty district {event.district_id}"
    if sprawls(sliders, rng):
        role, weird = pick_role(sliders, rng)
        return [Decision("populate_empty", ProposalType.BUILDING,
                         {"district_id": event.district_id, "storefront": "bar", "npc_roles": [role],
                          "rooms": 2 + round(sliders.expansion * 3), "weird": weird},
                         reason, scope=event.district_id)]
    out = []
    base = _base_threat(event, summary)
    for n in range(2):
        role, weird = pick_role(sliders, rng)
        level, jolt = threat_level(base, sliders, rng)
        out.append(Decision("populate_empty", ProposalType.NPC,
                            {"district_id": event.district_id, "role": role, "threat_level": level,
                             "room_id": event.room_id, "weird": weird or jolt, "n": n},
                            reason, scope=event.district_id, threat=role in HOSTILE_ROLES))
    return out


def forced_major_event(now: float, sliders: Sliders, rng: random.Random, district_id: str | None,
                       quiet_s: float, base_threat: int = 3) -> Decision:
    """After a long quiet, a major event (RimWorld's forced event); aggression picks harsh over mild."""
    pool = HARSH_EVENTS if rng.random() < sliders.aggression else MILD_EVENTS
    weird = rng.random() < sliders.chaos * 0.5
    event_type = rng.choice(sorted(EVENT_TYPES)) if weird else rng.choice(pool)
    level, _ = threat_level(base_threat, sliders, rng)
    return Decision("forced_major_event", ProposalType.EVENT,
                    {"event_type": event_type, "district_id": district_id, "threat_level": level,
                     "mass": True, "weird": weird, "duration_s": 900},
                    f"no major event for {quiet_s:.0f}s", scope="world", high_risk=True)


def _bind(fn: Callable[..., list[Decision]], **kw: Any) -> Rule:
    def rule(event: WorldEvent, summary: WorldSummary, sliders: Sliders, rng: random.Random,
             now: float) -> list[Decision]:
        return fn(event, summary, sliders, rng, now, **kw)
    rule.__name__ = fn.__name__
    return rule


def build_registry(th: Thresholds | None = None) -> dict[str, RuleSpec]:
    """Every rule by name, thresholds bound in."""
    th = th or Thresholds()
    K = EventKind
    specs = [
        RuleSpec("edge_expansion", frozenset({K.PLAYER_NEAR_EDGE}),
                 _bind(edge_expansion, found_distance=th.found_district_distance)),
        RuleSpec("power_vacuum", frozenset({K.NPC_KILLED}), power_vacuum),
        RuleSpec("salvage", frozenset({K.NPC_KILLED}), salvage, 120.0),
        RuleSpec("gold_sink", frozenset({K.ECONOMY_STATS}), _bind(gold_sink, threshold=th.inflation), 300.0),
        RuleSpec("residential_sprawl", frozenset({K.DISTRICT_CROWDED}),
                 _bind(residential_sprawl, threshold=th.crowded_population)),
        RuleSpec("extend_road", frozenset({K.DEAD_END_HIT}),
                 _bind(extend_road, threshold=th.dead_end_hits, found_distance=th.found_district_distance)),
        RuleSpec("faction_hq", frozenset({K.PLAYER_ENTERED_DISTRICT, K.DISTRICT_POPULATED}), faction_hq, 600.0),
        RuleSpec("fresh_dungeon", frozenset({K.QUEST_COMPLETED, K.QUEST_ABANDONED, K.PLAYER_ENTERED_DISTRICT}),
                 _bind(fresh_dungeon, stale_s=th.quest_stale_s), 300.0),
        RuleSpec("populate_empty", frozenset({K.PLAYER_ENTERED_DISTRICT}), populate_empty),
    ]
    return {s.name: s for s in specs}


def by_kind(registry: dict[str, RuleSpec]) -> dict[EventKind, list[RuleSpec]]:
    out: dict[EventKind, list[RuleSpec]] = {k: [] for k in EventKind}
    for spec in registry.values():
        for kind in spec.kinds:
            out[kind].append(spec)
    return out


