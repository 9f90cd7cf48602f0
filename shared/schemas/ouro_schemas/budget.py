"""Budget scoring shared by the gen-worker (which spends a budget) and the publisher's gate (which checks it).

One formula, two readers: a draft that the generator built inside its point range scores inside that
range at the gate too, because both call these functions.

Items follow WoW's stat-budget idea: each stat is worth `value × weight` points, and the points combine
as `(Σ (value × weight)^1.5)^(2/3)` — so stacking one stat costs more than spreading the same points —
then divided by the slot modifier, so a helmet (modifier 0.7) with the same stats as a chest piece
scores higher: small slots get fewer stats for the same rarity. Effects (procs) spend points by
`magnitude × chance × effect weight`. The rarity sets the point range; the item level stretches it
(`level_multiplier`).

NPCs score threat as the geometric mean of effective health and damage per round. Quest rewards score
in credits, with XP at `XP_CREDIT_VALUE` credits each.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final

from ouro_schemas.content import ItemArchetype, NpcArchetype, QuestRewards

BUDGET_VERSION: Final = "1"

# Points per unit of each item stat. Damage counts by its average ((min + max) / 2).
STAT_WEIGHTS: Final[Mapping[str, float]] = {
    "damage": 1.0,
    "crit_chance": 80.0,  # 0.10 crit = 8 points
    "accuracy": 60.0,  # +0.10 to hit = 6 points
    "ammo_efficiency": 30.0,
    "armor": 1.5,
    "heal": 0.25,
}

# Points per unit of effect magnitude × chance.
EFFECT_WEIGHTS: Final[Mapping[str, float]] = {
    "armor_shred": 1.2,
    "burn": 1.0,
    "shock": 1.4,
    "bleed": 1.0,
    "emp": 0.9,
    "lifesteal": 1.5,
    "stun": 2.0,
    "hack_boost": 0.8,
    "regen": 1.2,
    "stealth": 0.8,
    "crit_boost": 1.3,
    "dodge": 1.4,
}
DEFAULT_EFFECT_WEIGHT: Final = 1.0

# WoW-style slot modifiers: the share of a full budget a slot carries.
SLOT_MODIFIERS: Final[Mapping[str, float]] = {
    "weapon": 1.0,
    "body": 1.0,
    "head": 0.75,
    "legs": 0.85,
    "hands": 0.6,
    "implant": 0.8,
    "none": 1.0,
}

# (min, max) points for a level-1 item of each rarity; `item_point_range` scales them by level.
RARITY_POINT_RANGES: Final[Mapping[str, tuple[float, float]]] = {
    "common": (4.0, 12.0),
    "uncommon": (10.0, 20.0),
    "rare": (18.0, 32.0),
    "epic": (30.0, 48.0),
    "legendary": (45.0, 70.0),
}

# Kinds whose items carry no stats: their points are 0 whatever the rarity, and the range does not apply.
STATLESS_KINDS: Final = frozenset({"junk", "key"})

XP_CREDIT_VALUE: Final = 0.5  # one XP point is worth this many credits when scoring a reward

# Reward value (credits + XP × XP_CREDIT_VALUE, item values excluded) for a quest of each difficulty.
QUEST_REWARD_RANGES: Final[Mapping[int, tuple[float, float]]] = {
    d: (40.0 * d**1.5, 90.0 * d**1.5) for d in range(1, 11)
}


def level_multiplier(level: int) -> float:
    """How much an item level stretches its rarity's point range: 1.0 at level 1, 2.0 at level 51."""
    return 1.0 + (max(1, level) - 1) / 50.0


def item_point_range(rarity: str, level: int) -> tuple[float, float]:
    """The (min, max) points an item of `rarity` and `level` may score. Raises KeyError on an unknown rarity."""
    lo, hi = RARITY_POINT_RANGES[rarity]
    m = level_multiplier(level)
    return lo * m, hi * m


def combine(parts: Iterable[float]) -> float:
    """The stat-budget sum: (Σ part^1.5)^(2/3) over non-negative parts."""
    total = 0.0
    for part in parts:
        if part > 0.0:
            total += part**1.5
    return total ** (2.0 / 3.0) if total > 0.0 else 0.0


def stat_points(
    slot: str,
    stats: Mapping[str, float],
    effects: Iterable[tuple[str, float, float]] = (),
) -> float:
    """Points of raw stats on `slot`: `stats` by STAT_WEIGHTS name ("damage" = average damage),
    `effects` as (effect id, magnitude, chance). The form the generator uses while it spends a budget."""
    parts = [abs(float(value)) * STAT_WEIGHTS[name] for name, value in stats.items() if name in STAT_WEIGHTS]
    parts.extend(
        magnitude * chance * EFFECT_WEIGHTS.get(eid, DEFAULT_EFFECT_WEIGHT) for eid, magnitude, chance in effects
    )
    return combine(parts) / SLOT_MODIFIERS.get(slot, 1.0)


def item_power_points(item: ItemArchetype) -> float:
    """An item's power points (what the gate compares with `item_point_range(rarity, level)`).

    `stat_points(item.slot, stats, effects)` with the stats below, unrolled (the gate scores every item;
    the dict, list and generator cost more than the sums): the same operations in the same order, so
    the same float (tests/publisher/test_gate_fast_paths.py compares the two)."""
    s = item.stats
    w = STAT_WEIGHTS
    total = 0.0
    for part in (
        abs((s.damage_min + s.damage_max) / 2.0) * w["damage"],
        abs(float(s.crit_chance)) * w["crit_chance"],
        abs(float(max(0.0, s.accuracy))) * w["accuracy"],  # a penalty buys nothing
        abs(float(s.ammo_efficiency)) * w["ammo_efficiency"],
        abs(float(s.armor)) * w["armor"],
        abs(float(s.heal)) * w["heal"],
    ):
        if part > 0.0:
            total += part**1.5
    for e in item.effects:
        part = e.magnitude * e.chance * EFFECT_WEIGHTS.get(e.id, DEFAULT_EFFECT_WEIGHT)
        if part > 0.0:
            total += part**1.5
    return (total ** (2.0 / 3.0) if total > 0.0 else 0.0) / SLOT_MODIFIERS.get(item.slot, 1.0)


def npc_threat_points_from(
    max_health: float, armor: float, damage_min: float, damage_max: float, accuracy: float, crit_chance: float
) -> float:
    """Threat of raw NPC stats: sqrt(effective health × expected damage per round)."""
    effective_health = max_health * (1.0 + armor / 50.0)
    per_round = (damage_min + damage_max) / 2.0 * accuracy * (1.0 + crit_chance)
    return math.sqrt(max(0.0, effective_health * per_round))


def npc_threat_points(npc: NpcArchetype) -> float:
    """An NPC's threat points (scales XP and credits; the gate bounds them by threat level)."""
    s = npc.stats
    return npc_threat_points_from(s.max_health, s.armor, s.damage_min, s.damage_max, s.accuracy, s.crit_chance)


def quest_reward_value(rewards: QuestRewards, item_values: Mapping[str, float] | None = None) -> float:
    """A reward's worth in credits: credits + XP × XP_CREDIT_VALUE + the value of each item (when known)."""
    value = float(rewards.credits) + rewards.xp * XP_CREDIT_VALUE
    if item_values:
        value += sum(float(item_values.get(item_id, 0.0)) for item_id in rewards.item_ids)
    return value
