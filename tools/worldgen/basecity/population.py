"""Shops, and where NPCs and items stand when the world starts: keepers in their shops, givers in their
haunts, bosses in their lairs, gangs and patrols on their own district's streets."""

from __future__ import annotations

from ouro_schemas.content import ItemSpawn, NpcSpawn, Room, Shop

from .rng import Rng

# id, name, room, keeper, stock, buy markup, sell ratio
_SHOPS: list[tuple[str, str, str, str, list[str], float, float]] = [
    ("shop.hexwire_arms", "Hexwire Arms", "bazaar.hexwire_arms", "npc.dutch_ferro",
     ["item.scrap_pistol", "item.kessler_9mm", "item.smart_smg", "item.riot_shotgun", "item.combat_knife",
      "item.incendiary_revolver"], 1.2, 0.4),
    ("shop.synaptic_boutique", "Synaptic Boutique", "campus.synaptic_boutique", "npc.ines_takahara",
     ["item.cheap_optics", "item.optic_targeting", "item.subdermal_mesh", "item.reflex_booster",
      "item.neural_deck"], 1.5, 0.3),
    ("shop.kevlar_lace", "Kevlar & Lace", "velvet.kevlar_lace", "npc.sequin",
     ["item.padded_hood", "item.ballistic_visor", "item.synthleather_jacket", "item.armored_trench",
      "item.lace_corset", "item.reinforced_cargos", "item.plated_greaves", "item.grip_gloves",
      "item.nanoweave_gloves"], 1.3, 0.35),
    ("shop.quietus_clinic", "Quietus Clinic", "jade.quietus_clinic", "npc.doc_sable",
     ["item.stim_pack", "item.medgel", "item.combat_stim", "item.nano_regen", "item.trauma_kit", "item.bloodpump"],
     1.4, 0.3),
    ("shop.rusty_anchor", "The Rusty Anchor", "docks.rusty_anchor", "npc.mags",
     ["item.synth_rum", "item.stim_pack", "item.tidewater_hold_key"], 1.5, 0.4),
    ("shop.junk_cathedral", "The Junk Cathedral", "stacks.junk_cathedral", "npc.old_tobiah",
     ["item.rusted_pipe", "item.scrap_pistol", "item.synthleather_jacket", "item.cheap_optics", "item.stim_pack",
      "item.maintenance_key"], 1.0, 0.55),
    ("shop.company_store", "The Company Store", "foundry.company_store", "npc.dray_okafor",
     ["item.kessler_9mm", "item.emp_carbine", "item.plated_greaves", "item.grip_gloves", "item.stim_pack",
      "item.medgel"], 1.1, 0.45),
    ("shop.sato_noodles", "Lucky Sato's Noodle Bar", "bazaar.sato_noodles", "npc.lucky_sato",
     ["item.noodle_cup", "item.synth_rum", "item.stim_pack"], 1.0, 0.2),
]


def build_shops() -> list[Shop]:
    return [Shop(id=i, name=n, room_id=r, keeper_npc_id=k, stock=s, buy_markup=m, sell_ratio=sr)
            for i, n, r, k, s, m, sr in _SHOPS]


# Fixed placements: (npc, room, count).
_FIXED: list[tuple[str, str, int]] = [
    *((keeper, room, 1) for _, _, room, keeper, _, _, _ in _SHOPS),
    ("npc.nyx_calloway", "velvet.smoke_room", 1), ("npc.uncle_wen", "jade.teahouse", 1),
    ("npc.big_ruth", "foundry.union_hall", 1), ("npc.sister_margo", "stacks.margo_clinic", 1),
    ("npc.jojo", "velvet.cage", 1), ("npc.pixel", "campus.pixel_dorm", 1), ("npc.echo", "campus.null_lab", 1),
    ("npc.saw_voss", "stacks.furnace_pit", 1), ("npc.jackal_ripper", "stacks.furnace_pit", 2),
    ("npc.jackal_ripper", "stacks.jackal_den", 2), ("npc.jackal_ganger", "stacks.jackal_den", 3),
    ("npc.leviathan", "docks.cargo_hold", 1), ("npc.tidewater_smuggler", "docks.cargo_hold", 2),
    ("npc.director_marrow", "spires.kv_penthouse", 1), ("npc.kv_sentinel_drone", "spires.kv_penthouse", 2),
    ("npc.kv_tactical", "spires.kv_security", 3), ("npc.kv_officer", "spires.kv_lobby", 2),
    ("npc.kv_sentinel_drone", "spires.helix_plaza", 1),
    ("npc.tidewater_smuggler", "docks.warehouse_13", 3), ("npc.tidewater_lieutenant", "docks.customs_shed", 1),
    ("npc.tidewater_lieutenant", "docks.warehouse_13", 1), ("npc.dockworker", "docks.rusty_anchor", 2),
    ("npc.nine_lamps_enforcer", "jade.counting_house", 2), ("npc.nine_lamps_enforcer", "jade.teahouse", 1),
    ("npc.choir_bouncer", "velvet.cage", 2), ("npc.reveller", "velvet.cage", 3), ("npc.choir_bouncer",
                                                                                  "velvet.cage_vip", 1),
    ("npc.scrap_drone", "foundry.scrapyard", 4), ("npc.union_welder", "foundry.union_hall", 2),
    ("npc.ghostwire_runner", "campus.ghostwire_den", 2), ("npc.ghostwire_runner", "campus.null_lab", 1),
    ("npc.synapse_guard", "campus.server_hall", 2), ("npc.student", "campus.server_hall", 2),
    ("npc.commuter", "spawn", 3), ("npc.guild_warden", "spawn", 1), ("npc.guild_warden", "bazaar.guild_hall", 2),
    ("npc.commuter", "bazaar.lumen_platform", 2),
    ("npc.static_saint", "jade.static_shrine", 2), ("npc.static_saint", "stacks.hollow_stair", 1),
    ("npc.static_saint", "docks.drowned_terminal", 1), ("npc.static_saint", "bazaar.platform_zero", 1),
    ("npc.street_kid", "stacks.barrel_square", 2), ("npc.jackal_ganger", "stacks.barrel_square", 2),
]

# Street patrols drawn at random from a district's streets: (npc, district, how many rooms, count per room).
_ROAMING: list[tuple[str, str, int, int]] = [
    ("npc.jackal_ganger", "the_stacks", 8, 2), ("npc.street_kid", "the_stacks", 4, 1),
    ("npc.tidewater_smuggler", "saltgrave_docks", 6, 1), ("npc.dockworker", "saltgrave_docks", 4, 1),
    ("npc.harbour_drone", "saltgrave_docks", 3, 1),
    ("npc.kv_officer", "helix_spires", 6, 1), ("npc.kv_sentinel_drone", "helix_spires", 4, 1),
    ("npc.nine_lamps_enforcer", "jade_hollow", 4, 1), ("npc.commuter", "jade_hollow", 3, 1),
    ("npc.commuter", "lumen_bazaar", 6, 2), ("npc.guild_warden", "lumen_bazaar", 3, 1),
    ("npc.scrap_drone", "foundry_row", 5, 1), ("npc.union_welder", "foundry_row", 3, 1),
    ("npc.reveller", "velvet_mile", 6, 2), ("npc.choir_bouncer", "velvet_mile", 2, 1),
    ("npc.student", "cerulean_campus", 5, 1), ("npc.synapse_guard", "cerulean_campus", 3, 1),
    ("npc.ghostwire_runner", "cerulean_campus", 2, 1),
]


def _streets(rooms: list[Room], district: str) -> list[str]:
    return [r.id for r in rooms if r.district_id == district and r.kind == "street"]


def _draw(rng: Rng, pool: list[str], n: int) -> list[str]:
    """n different rooms from pool (in draw order)."""
    pool = list(pool)
    out = []
    for _ in range(min(n, len(pool))):
        out.append(pool.pop(rng.between(0, len(pool) - 1)))
    return out


def build_npc_spawns(rng: Rng, rooms: list[Room]) -> list[NpcSpawn]:
    spawns = [NpcSpawn(npc_id=n, room_id=r, count=c) for n, r, c in _FIXED]
    for npc_id, district, n_rooms, count in _ROAMING:
        spawns += [NpcSpawn(npc_id=npc_id, room_id=r, count=count)
                   for r in _draw(rng, _streets(rooms, district), n_rooms)]
    return spawns


_FIXED_ITEMS: list[tuple[str, str, int]] = [
    ("item.sealed_med_crate", "docks.warehouse_13", 1), ("item.jade_ledger", "jade.counting_house", 1),
    ("item.encrypted_datachip", "velvet.cage_vip", 1), ("item.corrupted_shard", "campus.null_lab", 1),
    ("item.maintenance_key", "bazaar.lumen_platform", 1), ("item.stim_pack", "stacks.margo_clinic", 2),
    ("item.drone_core", "foundry.scrapyard", 1), ("item.copper_coil", "foundry.scrapyard", 2),
    ("item.broken_optic", "stacks.jackal_den", 1), ("item.neon_tube", "velvet.crossing", 1),
]
_LITTER: list[tuple[str, str]] = [
    ("item.spent_casings", "the_stacks"), ("item.soy_tin", "the_stacks"), ("item.scrap_circuit", "foundry_row"),
    ("item.spent_casings", "saltgrave_docks"), ("item.neon_tube", "velvet_mile"), ("item.soy_tin", "lumen_bazaar"),
    ("item.scrap_circuit", "cerulean_campus"), ("item.spent_casings", "helix_spires"),
    ("item.copper_coil", "jade_hollow"), ("item.rusted_pipe", "the_stacks"),
]


def build_item_spawns(rng: Rng, rooms: list[Room]) -> list[ItemSpawn]:
    spawns = [ItemSpawn(item_id=i, room_id=r, count=c) for i, r, c in _FIXED_ITEMS]
    for item_id, district in _LITTER:
        spawns += [ItemSpawn(item_id=item_id, room_id=r) for r in _draw(rng, _streets(rooms, district), 2)]
    return spawns
