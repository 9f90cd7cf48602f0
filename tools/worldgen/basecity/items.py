"""Item templates of the base city (hand-written), with budget points and values from one formula.

budget_points = mean damage + 2 × armour + 0.2 × heal + 100 × crit chance + 50 × accuracy bonus
                + 20 × ammo efficiency + Σ over effects (2 × magnitude × chance)
value (credits) = RARITY_BASE[rarity] + budget_points × RARITY_PER_POINT[rarity], for equipment and
                  consumables; junk and keys carry a hand-set value (they are sell fodder and access).
"""

from __future__ import annotations

from typing import Any

from ouro_schemas.content import ItemArchetype

RARITY_BASE: dict[str, int] = {"common": 5, "uncommon": 40, "rare": 180, "epic": 700, "legendary": 2500}
RARITY_PER_POINT: dict[str, int] = {"common": 2, "uncommon": 4, "rare": 8, "epic": 15, "legendary": 30}


def budget_points(stats: dict[str, Any], effects: list[dict[str, Any]]) -> float:
    mean_damage = (stats.get("damage_min", 0) + stats.get("damage_max", 0)) / 2
    points = (mean_damage + 2 * stats.get("armor", 0) + 0.2 * stats.get("heal", 0)
              + 100 * stats.get("crit_chance", 0.0) + 50 * stats.get("accuracy", 0.0)
              + 20 * stats.get("ammo_efficiency", 0.0))
    points += sum(2 * e["magnitude"] * e.get("chance", 1.0) for e in effects)
    return round(float(points), 2)


def _fx(effect_id: str, magnitude: float, chance: float = 1.0) -> dict[str, Any]:
    return {"id": effect_id, "magnitude": magnitude, "chance": chance}


# (id, name, kind, slot, rarity, level, stats, effects, value or None (= formula), description)
Row = tuple[str, str, str, str, str, int, dict[str, Any], list[dict[str, Any]], int | None, str]

_ROWS: list[Row] = [
    # --- melee weapons
    ("item.rusted_pipe", "Rusted Pipe", "weapon", "weapon", "common", 1, {"damage_min": 2, "damage_max": 5}, [],
     None, "A length of water pipe with a duct-tape grip. The Stacks' first argument."),
    ("item.combat_knife", "Combat Knife", "weapon", "weapon", "common", 2, {"damage_min": 3, "damage_max": 7},
     [_fx("bleed", 2, 0.2)], None, "A matte-black blade with a serrated spine, army surplus of some dead army."),
    ("item.shock_baton", "Shock Baton", "weapon", "weapon", "uncommon", 4, {"damage_min": 4, "damage_max": 9},
     [_fx("shock", 1, 0.25)], None, "Standard Kuroda-Vance crowd control: it crackles blue and smells of ozone."),
    ("item.monowire", "Monowire Whip", "weapon", "weapon", "rare", 8,
     {"damage_min": 8, "damage_max": 16, "crit_chance": 0.1}, [_fx("bleed", 4, 0.35)], None,
     "A filament one molecule thick on a glowing spool. It does not cut; it disagrees with matter."),
    ("item.thermal_katana", "Thermal Katana", "weapon", "weapon", "epic", 14,
     {"damage_min": 14, "damage_max": 26, "crit_chance": 0.12, "accuracy": 0.05}, [_fx("burn", 5, 0.3)], None,
     "A blade that glows cherry-red along its edge. Nine Lamps smiths fold carbon nanotubes like steel."),
    ("item.saw_chainblade", "Saw's Chainblade", "weapon", "weapon", "legendary", 22,
     {"damage_min": 28, "damage_max": 50, "crit_chance": 0.15}, [_fx("bleed", 8, 0.5), _fx("lifesteal", 5, 0.3)],
     None, "Saw Voss's arm-mounted chainsaw, teeth sharpened from implant alloy. It still smells of the Pit."),
    # --- guns
    ("item.scrap_pistol", "Scrap Pistol", "weapon", "weapon", "common", 1, {"damage_min": 4, "damage_max": 8}, [],
     None, "A zip gun printed in a bathtub. It fires. Usually forward."),
    ("item.kessler_9mm", "Kessler 9mm", "weapon", "weapon", "common", 3,
     {"damage_min": 5, "damage_max": 10, "accuracy": 0.05}, [], None,
     "The city's most common handgun: reliable, ugly and available at every counter."),
    ("item.smart_smg", "Tanaka Smart SMG", "weapon", "weapon", "uncommon", 6,
     {"damage_min": 6, "damage_max": 12, "crit_chance": 0.08, "accuracy": 0.1, "ammo_efficiency": 0.2}, [], None,
     "Smart-linked rounds that curve towards anything your optics mark as hostile."),
    ("item.riot_shotgun", "Riot Shotgun", "weapon", "weapon", "uncommon", 6, {"damage_min": 8, "damage_max": 16},
     [_fx("stun", 1, 0.1)], None, "A pump-action scattergun loaded with rubber slugs and bad intentions."),
    ("item.incendiary_revolver", "Dragonbreath Revolver", "weapon", "weapon", "rare", 10,
     {"damage_min": 12, "damage_max": 20}, [_fx("burn", 4, 0.4)], None,
     "A heavy revolver firing magnesium rounds. Jade Hollow fireworks makers swear by it."),
    ("item.emp_carbine", "EMP Carbine", "weapon", "weapon", "rare", 10,
     {"damage_min": 10, "damage_max": 18, "accuracy": 0.05}, [_fx("emp", 6, 0.5)], None,
     "A union-built carbine whose rounds discharge a pulse on impact. Drones hate it."),
    ("item.kv_railgun", "Kuroda M9 Railgun", "weapon", "weapon", "epic", 16,
     {"damage_min": 20, "damage_max": 38, "accuracy": 0.1, "crit_chance": 0.1}, [_fx("armor_shred", 5, 0.4)], None,
     "A corporate rail rifle that punches through walls, armour and quarterly forecasts."),
    ("item.leviathan_harpoon", "Leviathan's Harpoon Gun", "weapon", "weapon", "legendary", 20,
     {"damage_min": 26, "damage_max": 50, "accuracy": 0.1}, [_fx("bleed", 6, 0.5), _fx("stun", 2, 0.25)], None,
     "A pneumatic harpoon gun with a barbed tungsten bolt. Leviathan named every one of its victims."),
    ("item.marrow_overwatch", "Overwatch Smart Rifle", "weapon", "weapon", "legendary", 24,
     {"damage_min": 30, "damage_max": 48, "accuracy": 0.2, "crit_chance": 0.2, "ammo_efficiency": 0.4},
     [_fx("crit_boost", 5)], None,
     "Director Marrow's personal rifle, linked to every camera in the Spires. It never misses twice."),
    # --- armour
    ("item.padded_hood", "Padded Hood", "armor", "head", "common", 1, {"armor": 1}, [], None,
     "A quilted hood that keeps off acid rain and the occasional bottle."),
    ("item.ballistic_visor", "Ballistic Visor", "armor", "head", "uncommon", 5, {"armor": 3, "accuracy": 0.02}, [],
     None, "A polycarbonate visor with a cracked heads-up display. Still shows ammo counts."),
    ("item.kv_tactical_helmet", "KV Tactical Helmet", "armor", "head", "rare", 12, {"armor": 6}, [], None,
     "A full-face corporate helmet, its serial number scratched off."),
    ("item.synthleather_jacket", "Synthleather Jacket", "armor", "body", "common", 1, {"armor": 2}, [], None,
     "Cracked synthetic leather with a faded band logo on the back."),
    ("item.armored_trench", "Armoured Trenchcoat", "armor", "body", "uncommon", 5, {"armor": 5}, [], None,
     "A long coat lined with kevlar plates. Every fixer owns one; few admit it is hot."),
    ("item.lace_corset", "Kevlar-Lace Corset", "armor", "body", "rare", 9, {"armor": 7}, [_fx("dodge", 3, 0.5)],
     None, "Ballistic silk woven into black lace. Stops a 9mm and turns heads doing it."),
    ("item.kv_riot_plate", "KV Riot Plate", "armor", "body", "epic", 15, {"armor": 12}, [_fx("dodge", 2, 0.5)],
     None, "Ceramic-composite body armour issued to tactical response teams."),
    ("item.reinforced_cargos", "Reinforced Cargo Pants", "armor", "legs", "common", 1, {"armor": 1}, [], None,
     "Canvas trousers with knee plates and eleven pockets."),
    ("item.plated_greaves", "Plated Greaves", "armor", "legs", "uncommon", 6, {"armor": 4}, [], None,
     "Dockworker leg guards repurposed for harder work."),
    ("item.grip_gloves", "Grip Gloves", "armor", "hands", "common", 2, {"armor": 1, "accuracy": 0.02}, [], None,
     "Fingerless gloves with tacky palms. Good for climbing and for triggers."),
    ("item.nanoweave_gloves", "Nanoweave Gloves", "armor", "hands", "rare", 10,
     {"armor": 3, "crit_chance": 0.05}, [_fx("crit_boost", 2)], None,
     "Gloves that stiffen on impact and guide your hand to the weak point."),
    # --- cyberware
    ("item.cheap_optics", "Bargain-Bin Optics", "cyberware", "implant", "common", 2, {"accuracy": 0.03}, [], None,
     "Second-hand eyes with a dead pixel in the middle of everything."),
    ("item.optic_targeting", "Targeting Optics Mk1", "cyberware", "implant", "uncommon", 6,
     {"accuracy": 0.08, "crit_chance": 0.03}, [], None,
     "Campus-grade optics that paint range and wind on your vision."),
    ("item.subdermal_mesh", "Subdermal Mesh", "cyberware", "implant", "rare", 10, {"armor": 5}, [], None,
     "A weave of polymer fibre under the skin. You feel nothing; neither do bullets, much."),
    ("item.reflex_booster", "Reflex Booster", "cyberware", "implant", "rare", 12, {"crit_chance": 0.04},
     [_fx("dodge", 5, 0.6)], None, "A spinal co-processor that moves you before you decide to move."),
    ("item.neural_deck", "Neural Deck Mk2", "cyberware", "implant", "epic", 15, {"accuracy": 0.05},
     [_fx("hack_boost", 10)], None, "A Synapse Dynamics cortex deck. Netrunners would sell a kidney; some have."),
    ("item.bloodpump", "Bloodpump Regenerator", "cyberware", "implant", "epic", 16, {"armor": 2},
     [_fx("regen", 6)], None, "An artificial second heart that floods you with repair nanites."),
    ("item.ghost_skin", "Ghost Skin", "cyberware", "implant", "legendary", 22, {"armor": 4},
     [_fx("stealth", 12), _fx("dodge", 6, 0.7)], None,
     "Prototype optical camouflage, lost somewhere between a lab and a legend."),
    # --- consumables
    ("item.noodle_cup", "Cup of Sato's Noodles", "consumable", "none", "common", 1, {"heal": 8}, [], None,
     "Spicy synth-pork broth. Heals the body, scalds the tongue."),
    ("item.synth_rum", "Mags' Synth-Rum", "consumable", "none", "common", 1, {"heal": 5}, [_fx("crit_boost", 1)],
     None, "Tastes of petrol and regret. Courage in a dented can."),
    ("item.stim_pack", "Stim Pack", "consumable", "none", "common", 1, {"heal": 25}, [], None,
     "An auto-injector of synthetic adrenaline and painkillers."),
    ("item.medgel", "Medgel Tube", "consumable", "none", "uncommon", 4, {"heal": 50}, [], None,
     "Military wound gel. Squeeze, seal, stop screaming."),
    ("item.combat_stim", "Combat Stim", "consumable", "none", "uncommon", 5, {"heal": 10}, [_fx("crit_boost", 4)],
     None, "A red inhaler that slows the world down for a few heartbeats."),
    ("item.nano_regen", "Nano-Regen Shot", "consumable", "none", "rare", 8, {"heal": 30}, [_fx("regen", 5)], None,
     "A syringe of repair nanites that keep working long after the needle is out."),
    ("item.trauma_kit", "Trauma Kit", "consumable", "none", "rare", 10, {"heal": 120}, [], None,
     "A full field-surgery kit with a self-guiding suture drone."),
    # --- junk
    ("item.spent_casings", "Handful of Spent Casings", "junk", "none", "common", 1, {}, [], 2,
     "Brass casings, still warm. Someone collects these by the kilo."),
    ("item.scrap_circuit", "Scrap Circuit Board", "junk", "none", "common", 1, {}, [], 6,
     "A scorched board with a few salvageable chips."),
    ("item.soy_tin", "Dented Soy Tin", "junk", "none", "common", 1, {}, [], 1, "Expired before you were born."),
    ("item.neon_tube", "Cracked Neon Tube", "junk", "none", "common", 1, {}, [], 4,
     "A bent tube of pink neon, still faintly glowing."),
    ("item.jackal_tag", "Jackal Tag", "junk", "none", "common", 2, {}, [], 8,
     "A chrome dog tag stamped with a snarling jackal. Proof of a kill, or of a theft."),
    ("item.broken_optic", "Broken Optic", "junk", "none", "uncommon", 3, {}, [], 25,
     "A ripped-out cybernetic eye. The iris still twitches."),
    ("item.copper_coil", "Copper Coil", "junk", "none", "common", 1, {}, [], 10, "Heavy, clean, very sellable."),
    ("item.drone_core", "Drone Core", "junk", "none", "uncommon", 4, {}, [], 35,
     "The sealed brain of a scrap drone. The union pays for every one taken off the streets."),
    ("item.corrupted_shard", "Corrupted Data Shard", "junk", "none", "rare", 6, {}, [], 60,
     "A data shard whose contents rewrite themselves each time you read them."),
    ("item.sealed_med_crate", "Sealed Medical Crate", "junk", "none", "uncommon", 5, {}, [], 120,
     "A Tidewater-stolen crate of clinic supplies, stamped QUIETUS and heavier than it looks."),
    ("item.jade_ledger", "The Jade Ledger", "junk", "none", "rare", 5, {}, [], 150,
     "A jade-bound book of debts owed to the Nine Lamps. Some of the names are in very fresh ink."),
    ("item.encrypted_datachip", "Encrypted Datachip", "junk", "none", "uncommon", 3, {}, [], 45,
     "A gold-banded chip with the Velvet Choir's closed-mouth sigil. Do not read it."),
    # --- keys
    ("item.kv_exec_keycard", "KV Executive Keycard", "key", "none", "rare", 10, {}, [], 300,
     "A black keycard with a holographic helix. Opens the executive lift of the Kuroda-Vance tower."),
    ("item.tidewater_hold_key", "Tidewater Hold Key", "key", "none", "uncommon", 6, {}, [], 150,
     "A heavy brass key on a knotted cord. Opens the hatch under the Pier 9 customs shed."),
    ("item.maintenance_key", "Maintenance Key", "key", "none", "common", 1, {}, [], 15,
     "A generic utility key. It opens more doors in this city than it should."),
]


def build_items() -> list[ItemArchetype]:
    out = []
    for item_id, name, kind, slot, rarity, level, stats, effects, value, text in _ROWS:
        points = budget_points(stats, effects)
        if value is None:
            value = RARITY_BASE[rarity] + round(points * RARITY_PER_POINT[rarity])
        out.append(ItemArchetype.model_validate({
            "id": item_id, "name": name, "kind": kind, "slot": slot, "rarity": rarity, "level": level,
            "stats": stats, "effects": effects, "value": value, "budget_points": points, "description": text,
        }))
    return out
