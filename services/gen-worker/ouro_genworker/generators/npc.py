"""NPC archetypes: stats scaled by the district's threat level and the director's aggression slider.

Pipeline: 1. role (param, else drawn; aggression favours fighters)  2. behaviour (param, else the role's
table, aggression pushing fighters towards `aggressive`)  3. stats: the role's shape, scaled so that
`budget.npc_threat_points` lands on a target — a share of the default guardrails' cap for the threat
level (bosses: times the boss multiplier), the share growing with aggression and the role's power
4. XP from the threat points, credits from them too but never over the guardrails' credit drop
5. loot from the item template ids the job lists  6. offline flavour (name, description, barks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ouro_flavor import npc_barks, npc_description, person_name
from ouro_genworker.generators.common import clamp, jitter, pick, theme_of, uid, weighted
from ouro_genworker.params import p_bool, p_choice, p_float, p_id, p_ids, p_int
from ouro_genworker.types import Draft, Flavor, Params, Rng
from ouro_schemas.budget import npc_threat_points_from
from ouro_schemas.content import NPC_ROLES
from ouro_schemas.guardrails import Guardrails

NAME: Final = "npc-archetype"
VERSION: Final = "1"

BEHAVIORS: Final = ("idle", "patrol", "wander", "aggressive", "merchant", "quest_giver")


@dataclass(frozen=True, slots=True)
class RoleBase:
    health: float
    damage: float  # average damage per hit at threat 1
    accuracy: float
    armor: float
    crit: float
    fighter: float  # 0..1: how much aggression turns it hostile
    money: float  # credits carried per threat point
    behaviors: tuple[tuple[str, float], ...]


ROLES: Final[dict[str, RoleBase]] = {
    "vendor": RoleBase(40, 3, 0.50, 2, 0.02, 0.0, 1.5, (("merchant", 8), ("idle", 2))),
    "fixer": RoleBase(60, 6, 0.65, 5, 0.05, 0.2, 2.0, (("quest_giver", 6), ("idle", 3), ("merchant", 1))),
    "ganger": RoleBase(55, 8, 0.60, 4, 0.05, 1.0, 1.0, (("aggressive", 4), ("patrol", 3), ("wander", 3))),
    "corp_security": RoleBase(80, 9, 0.70, 10, 0.05, 0.8, 0.8, (("patrol", 5), ("idle", 3), ("aggressive", 2))),
    "drone": RoleBase(35, 7, 0.75, 12, 0.03, 0.9, 0.2, (("patrol", 6), ("aggressive", 3), ("wander", 1))),
    "boss": RoleBase(220, 16, 0.75, 15, 0.10, 1.0, 3.0, (("aggressive", 6), ("idle", 3), ("patrol", 1))),
    "civilian": RoleBase(30, 2, 0.40, 0, 0.01, 0.0, 0.6, (("idle", 5), ("wander", 5))),
    "netrunner": RoleBase(45, 7, 0.70, 3, 0.08, 0.6, 1.2, (("idle", 4), ("aggressive", 3), ("quest_giver", 1))),
    "medic": RoleBase(45, 3, 0.55, 3, 0.02, 0.0, 1.5, (("merchant", 6), ("idle", 4))),
    "bartender": RoleBase(50, 4, 0.55, 3, 0.02, 0.1, 1.5, (("merchant", 6), ("idle", 3), ("quest_giver", 1))),
}
assert set(ROLES) == set(NPC_ROLES)

# What the generator aims under: the default guardrails (the gate may run stricter ones, hot-swapped).
_GUARDRAILS: Final = Guardrails()
THREAT_CAPS: Final = _GUARDRAILS.threat.max_points_by_level
BOSS_MULTIPLIER: Final = _GUARDRAILS.threat.boss_multiplier
MAX_CREDIT_DROP: Final = _GUARDRAILS.economy.max_credit_drop
# A role's share of the threat budget.
ROLE_POWER: Final = {"vendor": 0.4, "fixer": 0.6, "ganger": 0.9, "corp_security": 0.95, "drone": 0.85,
                     "boss": 1.0, "civilian": 0.3, "netrunner": 0.8, "medic": 0.4, "bartender": 0.45}

# Role draw weights at aggression 0 and at aggression 1 (interpolated).
_ROLE_ORDER: Final = NPC_ROLES
_CALM: Final = (10, 5, 6, 5, 3, 0.2, 14, 4, 4, 5)
_WILD: Final = (3, 3, 16, 10, 8, 2.0, 3, 7, 1, 2)

_NAME_STYLE: Final = {"corp_security": "corp", "ganger": "gang", "boss": "gang", "netrunner": "netrunner"}
_DRONE_MODELS: Final = ("Sentinel", "Hornet", "Mantis", "Warden", "Kestrel", "Gnat", "Argus", "Wasp", "Vulture")
_DRONE_LETTERS: Final = "ABCDEFGHKMNPRSTVXZ"


def target_points(rng: Rng, role: str, threat_level: int, aggression: float, boss: bool) -> float:
    """The threat points to aim for: a share of the guardrails' cap for the threat level, growing with
    aggression (40% of the cap at 0, 90% at 1), scaled by the role, never over the cap."""
    cap = THREAT_CAPS[threat_level] * (BOSS_MULTIPLIER if boss else 1.0)
    return cap * ROLE_POWER[role] * (0.4 + 0.5 * aggression) * jitter(rng, 0.08)


def _stats(rng: Rng, base: RoleBase, role: str, threat: int, aggression: float,
           boss: bool) -> tuple[int, int, int, float, int, float]:
    """The role's shape at this threat level, scaled so its threat points hit `target_points`.
    Points are sqrt(health × damage), so health × k^0.9 and damage × k^1.1 scale them by k."""
    accuracy = round(clamp(base.accuracy + 0.02 * (threat - 1) + 0.08 * aggression, 0.05, 0.95), 3)
    armor = max(0, round(base.armor * (1.0 + 0.15 * (threat - 1)) * jitter(rng, 0.15)))
    crit = round(clamp(base.crit + 0.01 * threat + 0.04 * aggression, 0.0, 0.5), 3)
    health0 = base.health * (1.0 + 0.1 * (threat - 1)) * jitter(rng, 0.1)
    spread = 0.2 + 0.2 * rng.random()
    p0 = npc_threat_points_from(health0, armor, base.damage, base.damage, accuracy, crit)
    target = target_points(rng, role, threat, aggression, boss)
    k = target / p0
    health = max(1, round(health0 * k**0.9))
    avg = base.damage * k**1.1
    dmin, dmax = max(0, round(avg * (1 - spread))), max(1, round(avg * (1 + spread)))
    cap = THREAT_CAPS[threat] * (BOSS_MULTIPLIER if boss else 1.0) * 0.98
    while health > 1 and npc_threat_points_from(health, armor, dmin, dmax, accuracy, crit) > cap:
        health = max(1, int(health * 0.95))  # rounding pushed it over: trim health
    return health, dmin, dmax, accuracy, armor, crit


def draw_role(rng: Rng, aggression: float) -> str:
    weights = [c + (w - c) * aggression for c, w in zip(_CALM, _WILD, strict=True)]
    return weighted(rng, _ROLE_ORDER, weights)


def draw_behavior(rng: Rng, role: str, aggression: float) -> str:
    base = ROLES[role]
    names = [b for b, _ in base.behaviors]
    weights = [w for _, w in base.behaviors]
    if base.fighter > 0 and "aggressive" in names:
        i = names.index("aggressive")
        weights[i] *= 0.4 + 2.4 * aggression * base.fighter
    return weighted(rng, names, weights)


def npc_name(rng: Rng, role: str) -> str:
    if role == "drone":
        return f"{pick(rng, _DRONE_MODELS)} drone {pick(rng, _DRONE_LETTERS)}{pick(rng, _DRONE_LETTERS)}-" \
               f"{int(rng.random() * 900) + 100}"
    return person_name(rng, faction=_NAME_STYLE.get(role))


def build_npc(
    rng: Rng,
    *,
    role: str,
    behavior: str,
    threat_level: int,
    aggression: float,
    theme: str = "",
    faction_id: str | None = None,
    loot_ids: list[str] | None = None,
    boss: bool = False,
    shop_id: str | None = None,
) -> tuple[dict[str, Any], Flavor]:
    """One NPC archetype dict (content.NpcArchetype shape) and its flavour."""
    base = ROLES[role]
    health, dmin, dmax, accuracy, armor, crit = _stats(rng, base, role, threat_level, aggression, boss)
    points = npc_threat_points_from(health, armor, dmin, dmax, accuracy, crit)
    level = int(clamp(threat_level * 5 - 4 + round(aggression * 4) + (5 if boss else 0), 1, 100))
    purse = base.money * 4.0 * points**0.6
    credits_max = int(min(MAX_CREDIT_DROP, round(purse * (1.0 + rng.random()))))
    credits_min = min(credits_max, round(purse * 0.5))
    loot: list[dict[str, Any]] = []
    for item_id in _pick_loot(rng, loot_ids or [], boss):
        chance = round(clamp((0.05 + 0.3 * rng.random()) * (2.0 if boss else 1.0), 0.01, 1.0), 3)
        loot.append({"item_id": item_id, "chance": chance, "min_qty": 1, "max_qty": 1 + int(rng.random() * 2)})
    name = npc_name(rng, role)
    description = npc_description(rng, role=role, district_theme=theme, threat_level=threat_level)
    barks = npc_barks(rng, role=role, n=3)
    npc: dict[str, Any] = {
        "id": f"npc-{uid(rng)}",
        "name": name,
        "role": role,
        "behavior": behavior,
        "level": level,
        "threat_level": threat_level,
        "faction_id": faction_id,
        "stats": {"max_health": health, "damage_min": dmin, "damage_max": dmax, "accuracy": accuracy,
                  "armor": armor, "crit_chance": crit},
        "loot": loot,
        "credits_min": credits_min,
        "credits_max": credits_max,
        "xp": round(points * 2.0 * (1.5 if boss else 1.0)),
        "boss": boss,
        "respawn_s": 1800.0 if boss else 120.0,
        "description": description,
        "dialogue": [],
        "barks": barks,
        "shop_id": shop_id if behavior == "merchant" else None,
    }
    return npc, {"name": name, "description": description, "barks": barks}


def _pick_loot(rng: Rng, ids: list[str], boss: bool) -> list[str]:
    if not ids:
        return []
    k = min(len(ids), (2 if boss else 1) + int(rng.random() * 2))
    pool = list(ids)
    out = []
    for _ in range(k):
        out.append(pool.pop(int(rng.random() * len(pool))))
    return out


def generate(params: Params, rng: Rng) -> Draft:
    threat = p_int(params, "threat_level", 3, 1, 10)
    aggression = p_float(params, "aggression", 0.3, 0.0, 1.0)
    role = p_choice(params, "role", NPC_ROLES) or draw_role(rng, aggression)
    behavior = p_choice(params, "behavior", BEHAVIORS) or draw_behavior(rng, role, aggression)
    boss_default = role == "boss"
    boss = p_bool(params, "boss", boss_default)
    faction_id = p_id(params, "faction_id")
    district_id = p_id(params, "district_id")
    spawn_room_id = p_id(params, "spawn_room_id") or p_id(params, "room_id")
    loot_ids = p_ids(params, "item_ids")
    quantity = p_int(params, "quantity", 1, 0, 20)
    npc, flavor = build_npc(rng, role=role, behavior=behavior, threat_level=threat, aggression=aggression,
                            theme=theme_of(params), faction_id=faction_id, loot_ids=loot_ids, boss=boss,
                            shop_id=p_id(params, "shop_id"))
    tags: dict[str, str | int | float] = {"threatLevel": threat, "role": role, "behavior": behavior,
                                          "aggression": aggression}
    if district_id:
        tags["district"] = district_id
    if faction_id:
        tags["faction"] = faction_id
    if p_bool(params, "weird", False):
        tags["weird"] = 1
    deps = [entry["item_id"] for entry in npc["loot"]]
    return Draft(payload={"archetype": npc, "spawn_room_id": spawn_room_id, "quantity": quantity},
                 flavor=flavor, tags=tags, dependencies=deps)
