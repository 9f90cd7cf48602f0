"""Items: a power budget in points, spent on a primary stat and affixes, inside the rarity's range.

Pipeline: 1. kind, slot, rarity, item level (params, else drawn)  2. target points drawn inside
`budget.item_point_range(rarity, level)` (times the slot modifier: small slots carry less)
3. affixes: rarity sets how many, the kind sets the pool, the item level gates each affix's tier
(Path of Exile: higher tiers only drop on higher-level items) and the tier caps its value
4. points are split into shares; each affix spends `R · share^(2/3)` so the parts recombine to R under
the stat-budget formula; whatever the caps leave goes to the primary stat (damage, armour or heal)
5. integer rounding is corrected step by step until `budget.stat_points` lies inside the range — the
gate scores the same way (`budget.item_power_points`); a primary stat stopped by a slot cap of the
default guardrails (weapon damage_max 50) hands the rest to the affixes, up to their tier caps — a
high-level legendary weapon may still score under its range's floor (the gate's floor check is off by
default)  6. value from points and rarity, under the guardrails' value cap  7. flavour.
"""

from __future__ import annotations

from typing import Any, Final

from ouro_flavor import item_description, item_name
from ouro_genworker.generators.common import clamp, pick, uid, weighted
from ouro_genworker.params import p_choice, p_id, p_int
from ouro_genworker.types import Draft, Flavor, ParamError, Params, Rng
from ouro_schemas.budget import (
    EFFECT_WEIGHTS,
    SLOT_MODIFIERS,
    STAT_WEIGHTS,
    STATLESS_KINDS,
    item_point_range,
    stat_points,
)
from ouro_schemas.content import RARITIES
from ouro_schemas.guardrails import Guardrails

NAME: Final = "item"
VERSION: Final = "1"

# What the generator aims under: the default guardrails (the gate may run stricter ones, hot-swapped).
_GUARDRAILS: Final = Guardrails()
SLOT_CAPS: Final = _GUARDRAILS.power.slot_caps  # e.g. weapon damage_max 50
MAX_ITEM_LEVEL: Final = _GUARDRAILS.power.max_item_level
MAX_ITEM_VALUE: Final = _GUARDRAILS.economy.max_item_value

KINDS: Final = ("weapon", "armor", "cyberware", "consumable", "junk", "key")
_KIND_WEIGHTS: Final = (4.0, 3.0, 2.0, 2.0, 0.6, 0.0)
RARITY_WEIGHTS: Final = (55.0, 27.0, 12.0, 5.0, 1.0)
AFFIX_COUNT: Final = {"common": 1, "uncommon": 2, "rare": 3, "epic": 4, "legendary": 5}
ARMOR_SLOTS: Final = ("head", "body", "legs", "hands")
VALUE_MULT: Final = {"common": 1.0, "uncommon": 1.3, "rare": 1.8, "epic": 2.6, "legendary": 4.0}

PRIMARY: Final = {"weapon": "damage", "armor": "armor", "cyberware": "armor", "consumable": "heal"}
# Secondary affixes per kind: a stat name from budget.STAT_WEIGHTS or "fx:<effect id>".
POOLS: Final[dict[str, tuple[str, ...]]] = {
    "weapon": ("crit_chance", "accuracy", "ammo_efficiency", "fx:burn", "fx:shock", "fx:bleed", "fx:emp",
               "fx:armor_shred", "fx:lifesteal", "fx:stun", "fx:crit_boost"),
    "armor": ("accuracy", "fx:regen", "fx:dodge", "fx:stealth"),
    "cyberware": ("crit_chance", "accuracy", "fx:hack_boost", "fx:crit_boost", "fx:stealth", "fx:regen", "fx:dodge"),
    "consumable": ("fx:regen", "fx:hack_boost", "fx:stealth", "fx:crit_boost"),
}

# Affix tiers gated by item level: tier index i (0 = lowest) needs TIER_LEVELS[i].
TIER_LEVELS: Final = (1, 10, 25, 45, 70)
TIER_CAPS: Final[dict[str, tuple[float, ...]]] = {
    "crit_chance": (0.04, 0.07, 0.10, 0.14, 0.20),
    "accuracy": (0.05, 0.08, 0.12, 0.16, 0.22),
    "ammo_efficiency": (0.10, 0.18, 0.28, 0.40, 0.55),
    "fx": (3.0, 5.0, 8.0, 12.0, 18.0),  # magnitude × chance
}


def max_tier(level: int) -> int:
    return max(i for i, need in enumerate(TIER_LEVELS) if level >= need)


def _slot_for(rng: Rng, kind: str, params: Params) -> str:
    wanted = p_choice(params, "slot", ("weapon", "head", "body", "legs", "hands", "implant", "none"))
    fitting = {"weapon": ("weapon",), "armor": ARMOR_SLOTS, "cyberware": ("implant",)}.get(kind, ("none",))
    if wanted is not None:
        if wanted not in fitting:
            raise ParamError("slot", f"{wanted!r} does not fit kind {kind!r} (fits: {', '.join(fitting)})")
        return wanted
    return pick(rng, fitting)


Spent = tuple[dict[str, float], list[list[Any]], list[int], dict[str, float]]


def _spend(rng: Rng, kind: str, rarity: str, level: int, slot: str, raw: float) -> Spent:
    """Split `raw` points over the primary stat and the affixes; returns stats, effects, tiers and each
    affix's cap (stat name, or "fx:<index>" for an effect's magnitude)."""
    pool = list(POOLS[kind])
    n = min(AFFIX_COUNT[rarity] - 1, len(pool))
    if rarity == "common" and rng.random() < 0.3:
        n = 1
    chosen = [pool.pop(int(rng.random() * len(pool))) for _ in range(n)]
    shares = [1.5 + rng.random()] + [0.5 + rng.random() for _ in chosen]
    total = sum(shares)
    top = max_tier(level)
    stats: dict[str, float] = {}
    effects: list[list[Any]] = []  # [id, magnitude, chance]
    tiers: list[int] = []
    caps: dict[str, float] = {}
    spent = 0.0
    for affix, share in zip(chosen, shares[1:], strict=True):
        part = raw * (share / total) ** (2.0 / 3.0)
        tier = max(0, top - (1 if rng.random() < 0.35 else 0))
        tiers.append(tier)
        if affix.startswith("fx:"):
            eid = affix[3:]
            chance = round(0.1 + 0.25 * rng.random(), 2) if kind == "weapon" else 1.0
            caps[f"fx:{len(effects)}"] = min(100.0, round(TIER_CAPS["fx"][tier] / chance, 2))
            expected = min(part / EFFECT_WEIGHTS[eid], TIER_CAPS["fx"][tier])
            magnitude = round(min(100.0, expected / chance), 2)
            effects.append([eid, magnitude, chance])
            spent += (magnitude * chance * EFFECT_WEIGHTS[eid]) ** 1.5
        else:
            caps[affix] = min(TIER_CAPS[affix][tier], _slot_cap(slot, affix) or 1.0)
            value = round(min(part / STAT_WEIGHTS[affix], caps[affix]), 3)
            stats[affix] = value
            spent += (value * STAT_WEIGHTS[affix]) ** 1.5
    primary = PRIMARY[kind]
    left = max(0.0, raw**1.5 - spent) ** (2.0 / 3.0)
    stats[primary] = left / STAT_WEIGHTS[primary]
    return stats, effects, tiers, caps


def _slot_cap(slot: str, name: str) -> float | None:
    caps = SLOT_CAPS.get(slot)
    value = getattr(caps, name, None) if caps is not None else None
    return float(value) if value is not None else None


def _to_item_stats(rng: Rng, slot: str, stats: dict[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in stats.items() if k not in ("damage", "armor", "heal")}
    if "damage" in stats:
        avg, spread = stats["damage"], 0.15 + 0.2 * rng.random()
        top = _primary_cap(slot, "damage_max")
        out["damage_max"] = int(min(top, max(1, round(avg * (1 + spread)))))
        out["damage_min"] = int(min(out["damage_max"], max(0, round(avg * (1 - spread)))))
    for name in ("armor", "heal"):
        if name in stats:
            out[name] = int(min(_primary_cap(slot, name), max(0, round(stats[name]))))
    return out


def _primary_cap(slot: str, name: str) -> float:
    cap = _slot_cap(slot, name)
    return cap if cap is not None else 10_000.0


def _points(slot: str, s: dict[str, Any], effects: list[list[Any]]) -> float:
    flat = {k: v for k, v in s.items() if k not in ("damage_min", "damage_max")}
    if "damage_max" in s:
        flat["damage"] = (s["damage_min"] + s["damage_max"]) / 2.0
    return stat_points(slot, flat, ((e[0], e[1], e[2]) for e in effects))


def _fit(kind: str, slot: str, s: dict[str, Any], effects: list[list[Any]], lo: float, hi: float) -> float:
    """Nudge the integer primary stat (within its slot cap) until the points lie in [lo, hi]."""
    field = {"weapon": "damage_max", "armor": "armor", "cyberware": "armor", "consumable": "heal"}[kind]
    top = _primary_cap(slot, field)
    points = _points(slot, s, effects)
    for _ in range(40):
        if points > hi and s[field] > 0 and (field != "damage_max" or s["damage_max"] > s["damage_min"]):
            s[field] -= 1
        elif points > hi and field == "damage_max" and s["damage_min"] > 0:
            s["damage_min"] -= 1
        elif points < lo and s[field] < top:
            s[field] += 1
        elif points < lo and field == "damage_max" and s["damage_min"] < s["damage_max"]:
            s["damage_min"] += 1
        else:
            break
        points = _points(slot, s, effects)
    return points


def _top_up(slot: str, s: dict[str, Any], effects: list[list[Any]], caps: dict[str, float], lo: float,
            hi: float) -> float:
    """When the primary stat hit its slot cap short of the range, raise the affixes towards their tier
    caps, one at a time, bisecting the last one so the points land inside [lo, hi]. May stay short."""
    points = _points(slot, s, effects)
    for key, cap in caps.items():
        if points >= lo:
            break
        is_fx = key.startswith("fx:")
        target: list[Any] = effects[int(key[3:])] if is_fx else [None, s[key]]
        low, high = float(target[1]), cap
        for _ in range(20):
            target[1] = round(high, 2 if is_fx else 3)
            if not is_fx:
                s[key] = target[1]
            points = _points(slot, s, effects)
            if points <= hi:
                break
            high = (low + high) / 2
    return points


# The flavour library names armour by kind only; these keep a helmet from being called gloves.
_ARMOR_BASES: Final = ("Armored Jacket", "Ballistic Vest", "Trenchcoat", "Riot Helmet", "Plated Gloves",
                       "Subdermal Weave", "Kevlar Hoodie", "Combat Boots", "Tactical Rig", "Ceramic Plates",
                       "Biker Leathers", "Rain Poncho", "Face Shield", "Exo-Frame Harness")
SLOT_BASES: Final[dict[str, tuple[str, ...]]] = {
    "head": ("Riot Helmet", "Face Shield", "Smart Visor", "Armored Hood", "Rebreather Mask"),
    "hands": ("Plated Gloves", "Grip Gauntlets", "Knuckle Gloves", "Shock Gauntlets"),
    "legs": ("Combat Boots", "Kevlar Leggings", "Armored Cargo Pants", "Mag-Boots", "Shin Guards"),
    "body": ("Armored Jacket", "Ballistic Vest", "Trenchcoat", "Kevlar Hoodie", "Tactical Rig",
             "Ceramic Plates", "Biker Leathers", "Rain Poncho", "Exo-Frame Harness", "Subdermal Weave"),
}


def _fit_name(rng: Rng, name: str, slot: str) -> str:
    fitting = SLOT_BASES.get(slot)
    if not fitting:
        return name
    for base in _ARMOR_BASES:
        if base in name:
            return name if base in fitting else name.replace(base, pick(rng, fitting))
    return name


def build_item(rng: Rng, *, kind: str, rarity: str, level: int, slot: str) -> tuple[dict[str, Any], Flavor]:
    """One item archetype dict (content.ItemArchetype shape) and its flavour."""
    stats: dict[str, Any] = {}
    effects: list[list[Any]] = []
    tiers: list[int] = []
    points = 0.0
    if kind not in STATLESS_KINDS:
        lo, hi = item_point_range(rarity, level)
        lo, hi = lo * 1.0001, hi * 0.9999  # float safety: the gate's `lo <= points <= hi` holds
        target = lo + (hi - lo) * (0.05 + 0.9 * rng.random())
        raw_stats, effects, tiers, caps = _spend(rng, kind, rarity, level, slot, target * SLOT_MODIFIERS[slot])
        stats = _to_item_stats(rng, slot, raw_stats)
        points = _fit(kind, slot, stats, effects, lo, hi)
        if points < lo:
            points = _top_up(slot, stats, effects, caps, lo, hi)
        value = round(5 + points * 8 * VALUE_MULT[rarity] * (0.5 if kind == "consumable" else 1.0))
        value = min(value, MAX_ITEM_VALUE.get(rarity, value))
    else:
        value = 1 + int(rng.random() * 30)
    effect_ids = [e[0] for e in effects]
    name = item_name(rng, kind=kind, rarity=rarity, effects=effect_ids)
    if kind == "armor":
        name = _fit_name(rng, name, slot)
    description = item_description(rng, kind=kind, rarity=rarity, effects=effect_ids)
    item: dict[str, Any] = {
        "id": f"item-{uid(rng)}",
        "name": name,
        "kind": kind,
        "slot": slot,
        "rarity": rarity,
        "level": level,
        "stats": stats,
        "effects": [{"id": e[0], "magnitude": e[1], "chance": e[2]} for e in effects],
        "value": int(clamp(value, 0, 10_000_000)),
        "budget_points": round(points, 6),
        "description": description,
    }
    if tiers:
        item["_tiers"] = tiers  # popped by the caller into tags
    return item, {"name": name, "description": description}


def generate(params: Params, rng: Rng) -> Draft:
    threat = p_int(params, "threat_level", 3, 1, 10)
    kind = p_choice(params, "kind", KINDS) or weighted(rng, KINDS, _KIND_WEIGHTS)
    slot = _slot_for(rng, kind, params)
    rarity = p_choice(params, "rarity", RARITIES)
    if rarity is None:
        rarity = "common" if kind in STATLESS_KINDS else weighted(rng, RARITIES, RARITY_WEIGHTS)
    level = p_int(params, "level", 0, 0, 100) or int(
        clamp(threat * 5 - 4 + int(rng.random() * 5), 1, MAX_ITEM_LEVEL))
    item, flavor = build_item(rng, kind=kind, rarity=rarity, level=level, slot=slot)
    tiers = item.pop("_tiers", [])
    tags: dict[str, str | int | float] = {"rarity": rarity, "kind": kind, "slot": slot, "level": level,
                                          "budget_points": item["budget_points"], "threatLevel": threat}
    if tiers:
        tags["affix_tiers"] = ",".join(f"T{len(TIER_LEVELS) - t}" for t in tiers)
    district_id = p_id(params, "district_id")
    if district_id:
        tags["district"] = district_id
    payload = {"archetype": item, "spawn_room_id": p_id(params, "spawn_room_id"),
               "quantity": p_int(params, "quantity", 1, 0, 20), "shop_id": p_id(params, "shop_id")}
    return Draft(payload=payload, flavor=flavor, tags=tags, dependencies=[e["id"] for e in item["effects"]])
