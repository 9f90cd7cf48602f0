"""World events: a registered type (content.EVENT_TYPES), a duration and effect parameters.

Aggression makes hostile events likelier and stronger; `intensity` (0–1, else drawn) scales every
effect between its calm and its severe value.
"""

from __future__ import annotations

from typing import Any, Final

from ouro_flavor import event_text
from ouro_genworker.generators.common import jitter, uid, weighted
from ouro_genworker.params import p_choice, p_float, p_id, p_text
from ouro_genworker.types import Draft, Params, Rng
from ouro_schemas.content import EVENT_TYPES

NAME: Final = "world-event"
VERSION: Final = "1"

# type -> (base duration s, hostile?, {effect: (calm value, severe value)})
EVENTS: Final[dict[str, tuple[float, bool, dict[str, tuple[float, float]]]]] = {
    "market_fluctuation": (1800, False, {"price_multiplier": (1.1, 1.6), "sell_multiplier": (0.95, 0.6)}),
    "blackout": (600, False, {"light_level": (0.4, 0.0), "security_multiplier": (0.7, 0.2),
                              "shop_closed": (0.0, 1.0)}),
    "gang_war": (1200, True, {"hostile_spawn_multiplier": (1.3, 3.0), "npc_aggression": (0.1, 0.5),
                              "loot_multiplier": (1.1, 1.5)}),
    "corp_raid": (900, True, {"security_spawn_multiplier": (1.5, 3.5), "contraband_fine": (50.0, 500.0)}),
    "acid_storm": (600, True, {"damage_per_minute": (1.0, 8.0), "street_traffic": (0.6, 0.1)}),
    "power_vacuum": (2400, True, {"boss_respawn_s": (900.0, 300.0), "hostile_spawn_multiplier": (1.2, 2.0),
                                  "faction_influence_shift": (0.05, 0.3)}),
    "net_crash": (900, False, {"hack_difficulty": (1.2, 2.5), "drone_accuracy_multiplier": (0.9, 0.5)}),
    "festival": (3600, False, {"vendor_discount": (0.05, 0.25), "civilian_spawn_multiplier": (1.5, 3.0),
                               "pickpocket_chance": (0.01, 0.08)}),
    "lockdown": (900, True, {"exits_sealed": (1.0, 1.0), "security_multiplier": (1.5, 3.0)}),
    "invasion": (1200, True, {"hostile_spawn_multiplier": (2.0, 4.0), "threat_bonus": (1.0, 3.0)}),
}
assert set(EVENTS) == set(EVENT_TYPES)
_ORDER: Final = tuple(EVENTS)


def generate(params: Params, rng: Rng) -> Draft:
    aggression = p_float(params, "aggression", 0.3, 0.0, 1.0)
    chosen = p_choice(params, "event_type", _ORDER)
    if chosen is None:
        weights = [1.0 + 3.0 * aggression if EVENTS[t][1] else 2.0 - aggression for t in _ORDER]
        chosen = weighted(rng, _ORDER, weights)
    intensity = p_float(params, "intensity", -1.0, 0.0, 1.0)
    if intensity < 0:
        intensity = min(1.0, 0.6 * rng.random() + (0.4 * aggression if EVENTS[chosen][1] else 0.2))
    base_s, hostile, table = EVENTS[chosen]
    duration = p_float(params, "duration_s", 0.0, 0.0, 86_400.0) or round(
        min(86_400.0, base_s * (0.75 + 0.5 * intensity) * jitter(rng, 0.2)), 1)
    if duration <= 0:
        duration = 60.0
    effects = {name: round(calm + (severe - calm) * intensity, 3) for name, (calm, severe) in table.items()}
    district_id = p_id(params, "district_id")
    district_name = p_text(params, "district_name") or (district_id or "the city").replace("_", " ")
    text = event_text(rng, event_type=chosen, district=district_name)
    event: dict[str, Any] = {"id": f"event-{uid(rng)}", "event_type": chosen, "district_id": district_id,
                             "duration_s": duration, "effects": effects, "text": text}
    tags: dict[str, str | int | float] = {"event_type": chosen, "intensity": round(intensity, 3),
                                          "hostile": int(hostile)}
    if district_id:
        tags["district"] = district_id
    return Draft(payload={"event": event}, flavor={"text": text}, tags=tags, dependencies=[])
