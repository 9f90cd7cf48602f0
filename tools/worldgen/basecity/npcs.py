"""NPC templates of the base city. Names, words and loot are hand-written; stats come from one formula,
scaled by threat level (1–10) and by role:

    max_health = (20 + 14 × threat) × hp      damage = (1 + 0.9 × threat … 3 + 1.8 × threat) × dmg
    accuracy   = 0.5 + 0.035 × threat (×1.1 for bosses, at most 0.95)       armour = threat × arm
    level      = 2 × threat (+ 4 for bosses)   xp = max_health / 2 + 3 × damage_max
    credits    = 3 × threat … 12 × threat, × the role's credit factor
"""

from __future__ import annotations

from typing import Any

from ouro_schemas.content import NpcArchetype

# role -> (hp, dmg, arm, credit factor, respawn seconds)
ROLE_SCALE: dict[str, tuple[float, float, float, float, float]] = {
    "civilian": (0.6, 0.3, 0.0, 0.5, 90.0),
    "vendor": (1.5, 0.8, 1.0, 2.0, 600.0),
    "bartender": (1.5, 0.8, 1.0, 1.5, 600.0),
    "medic": (1.4, 0.6, 0.8, 1.5, 600.0),
    "fixer": (1.8, 1.0, 1.2, 3.0, 600.0),
    "netrunner": (0.8, 1.1, 0.3, 1.5, 180.0),
    "ganger": (1.0, 1.0, 0.5, 1.0, 120.0),
    "corp_security": (1.3, 1.1, 1.2, 1.2, 150.0),
    "drone": (0.8, 0.9, 1.5, 0.3, 120.0),
    "boss": (9.0, 2.2, 2.5, 4.0, 1800.0),
}


def stats_for(role: str, threat: int) -> dict[str, Any]:
    hp, dmg, arm, credit, respawn = ROLE_SCALE[role]
    boss = role == "boss"
    max_health = round((20 + 14 * threat) * hp)
    damage_max = round((3 + 1.8 * threat) * dmg)
    return {
        "level": min(100, 2 * threat + (4 if boss else 0)),
        "stats": {
            "max_health": max_health,
            "damage_min": min(round((1 + 0.9 * threat) * dmg), damage_max),
            "damage_max": damage_max,
            "accuracy": round(min(0.95, (0.5 + 0.035 * threat) * (1.1 if boss else 1.0)), 3),
            "armor": round(threat * arm),
            "crit_chance": 0.12 if boss else 0.05,
        },
        "xp": round(max_health / 2 + 3 * damage_max),
        "credits_min": round(3 * threat * credit),
        "credits_max": round(12 * threat * credit),
        "respawn_s": respawn,
    }


def _loot(*entries: tuple[str, float] | tuple[str, float, int, int]) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        item_id, chance = entry[0], entry[1]
        lo, hi = (entry[2], entry[3]) if len(entry) == 4 else (1, 1)
        out.append({"item_id": item_id, "chance": chance, "min_qty": lo, "max_qty": hi})
    return out


# id, name, role, behaviour, threat, faction, shop, loot, description, dialogue, barks
Row = tuple[str, str, str, str, int, str | None, str | None, list[dict[str, Any]], str, list[str], list[str]]

_ROWS: list[Row] = [
    # --- shopkeepers
    ("npc.dutch_ferro", "Dutch Ferro", "vendor", "merchant", 3, "lantern_guild", "shop.hexwire_arms",
     _loot(("item.kessler_9mm", 0.5)),
     "A heavyset gunsmith with a cybernetic jaw and reading glasses pushed up on his forehead.",
     ["Everything here shoots. Most of it shoots where you point it.",
      "The Nine Lamps think I owe them. I think their ledger's been cooked."],
     ["No test firing!", "Ammo's extra.", "You break it, you've bought it. Twice."]),
    ("npc.ines_takahara", "Ines Takahara", "vendor", "merchant", 2, "synapse_dynamics",
     "shop.synaptic_boutique", _loot(("item.cheap_optics", 0.3)),
     "A serene cyber-surgeon-turned-saleswoman with silver tracery under her skin.",
     ["Every upgrade is a conversation between you and your future self.",
      "Financing is available. Repossession is also available."],
     ["Have you considered a better spine?", "Upgrades, darling. Upgrades."]),
    ("npc.old_tobiah", "Old Tobiah", "vendor", "merchant", 6, None, "shop.junk_cathedral",
     _loot(("item.scrap_circuit", 0.8, 1, 3), ("item.maintenance_key", 0.2)),
     "A stooped old scavenger with one good eye, one bad optic and a voice like gravel in a can.",
     ["I buy anything. I sell everything. I ask nothing.",
      "The Jackals leave me be. I fix their toys, and I know where they sleep."],
     ["Junk is just treasure with bad timing.", "Sell, sell! Old Tobiah pays fair. Fairish."]),
    ("npc.sequin", "Sequin", "vendor", "merchant", 5, "velvet_choir", "shop.kevlar_lace",
     _loot(("item.lace_corset", 0.1)),
     "A tailor with mirrored nails and a measuring tape that reads your heartbeat.",
     ["Armour should stop bullets and conversations.",
      "That chip? Darling, that's Choir business. You should ask Nyx what it's worth."],
     ["Fabulous and bulletproof.", "Don't bleed on the silk."]),
    ("npc.dray_okafor", "Dray Okafor", "vendor", "merchant", 6, "rustmouth_union", "shop.company_store",
     _loot(("item.copper_coil", 0.6, 1, 2)),
     "The union's storekeeper: a broad welder with a clipboard and a shotgun under the counter.",
     ["Union members get a discount. You're not a union member.",
      "Ruth pays for drone cores. Bring them to the hall, not here."],
     ["Everything by weight.", "Cash only. Credits are cash."]),
    ("npc.lucky_sato", "Lucky Sato", "bartender", "merchant", 3, "lantern_guild", "shop.sato_noodles",
     _loot(("item.noodle_cup", 0.8)),
     "A wiry old cook with burn-scarred forearms and an endless supply of stories.",
     ["I survived two riots and a corporate war. I'll survive your order.",
      "My cousins fish off Saltgrave. Fished. Leviathan doesn't like competition."],
     ["Noodles! Hot noodles!", "Extra spicy? Everyone says yes. Everyone regrets."]),
    ("npc.mags", "Marguerite 'Mags' Lune", "bartender", "merchant", 7, "tidewater_syndicate", "shop.rusty_anchor",
     _loot(("item.synth_rum", 0.8, 1, 2)),
     "A one-armed former smuggler who pours with the arm she has and shoots with the one she had installed.",
     ["Tidewater took a crate that wasn't theirs to take. Doc Sable's medicine. I owe the Doc my life.",
      "You want the hold key, you pay Tidewater prices."],
     ["Drink or leave.", "The tide's turning. Watch your back."]),
    ("npc.doc_sable", "Doc Sable Ayodele", "medic", "merchant", 4, None, "shop.quietus_clinic",
     _loot(("item.medgel", 0.5)),
     "A calm surgeon in a blood-spotted apron whose optics glow the soft green of a heart monitor.",
     ["I patch up triads, Jackals and corps alike. Blood is blood.",
      "My supply crate never arrived. Tidewater again."],
     ["Next!", "Sit still. This will hurt, and then it won't."]),
    # --- fixers and quest givers
    ("npc.nyx_calloway", "Nyx Calloway", "fixer", "quest_giver", 5, "velvet_choir", None,
     _loot(("item.encrypted_datachip", 0.2)),
     "A fixer in a long white coat, smoke curling from a holo-cigarette, eyes that price everything.",
     ["Kuroda-Vance has an eye in every camera. I want it closed. Permanently.",
      "Bring me Choir secrets and I'll make you rich. Bring me trouble and I'll make you famous."],
     ["Everything has a price.", "Sit. Talk. Quickly."]),
    ("npc.uncle_wen", "Uncle Wen", "fixer", "quest_giver", 4, "nine_lamps", None, [],
     "An elderly triad accountant who smiles like a grandfather and counts like a machine.",
     ["A ledger is a promise. Someone has been rewriting our promises.",
      "Bring the Jade Ledger to me before the hour of the rat."],
     ["Patience is a currency.", "Tea? It is already poured."]),
    ("npc.big_ruth", "Big Ruth Castellanos", "fixer", "quest_giver", 6, "rustmouth_union", None, [],
     "The Rustmouth Union's shop steward: two metres of muscle, welding goggles and a booming laugh.",
     ["The scrap drones woke up and decided they don't like us. Put them back to sleep.",
      "Every core you bring me is a machine that won't kill a welder tonight."],
     ["Solidarity!", "Shift's not over till I say so."]),
    ("npc.sister_margo", "Sister Margo", "medic", "quest_giver", 9, None, None, [],
     "A tattooed ex-nun with a surgeon's hands and a shotgun leaning against the stitching table.",
     ["Saw Voss sends me his victims and keeps their chrome. Enough.",
      "Cull his pack, kill the Saw, and come back to me alive."],
     ["Hold still.", "Another one of Voss's."]),
    ("npc.jojo", "Jojo", "bartender", "quest_giver", 5, "velvet_choir", None, _loot(("item.synth_rum", 0.5)),
     "The Cage's bartender, all glitter and gossip, who hears everything said over the bar and remembers more.",
     ["Somebody up in the Perch left a chip behind. Somebody else would pay a lot for it.",
      "Ask Sequin who it belongs to. Then take it to Nyx."],
     ["Last call's a lie, honey.", "What'll it be?"]),
    ("npc.pixel", "Pixel", "netrunner", "quest_giver", 2, None, None, [],
     "A teenage netrunner with a shaved head full of ports and a hoodie three sizes too big.",
     ["Something's talking in the Null Lab. It knows my name. It knows YOUR name.",
      "The Ghostwire crew took a shard out of there. I need it back."],
     ["404, room not found.", "Don't touch the decks."]),
    ("npc.echo", "Echo", "netrunner", "idle", 3, "saints_of_static", None, [],
     "A translucent figure in the Null Lab: a netrunner whose body died years ago and whose mind did not.",
     ["I... was... Echo. I went in. I did not come out.",
      "The shard holds the way back. The Ghostwire took it."],
     ["...hello? ...hello?", "Static. Only static."]),
    # --- gangs
    ("npc.jackal_ganger", "Chrome Jackal", "ganger", "aggressive", 7, "chrome_jackals", None,
     _loot(("item.jackal_tag", 0.7), ("item.rusted_pipe", 0.2), ("item.scrap_pistol", 0.15),
           ("item.broken_optic", 0.15), ("item.stim_pack", 0.1)),
     "A scrawny ganger with chrome teeth and a jacket of stolen implant plates.",
     ["Nice eyes. Mine now."], ["Fresh chrome!", "Strip 'em!", "Saw wants teeth!"]),
    ("npc.jackal_ripper", "Jackal Ripper", "ganger", "aggressive", 9, "chrome_jackals", None,
     _loot(("item.jackal_tag", 0.9, 1, 2), ("item.combat_knife", 0.3), ("item.monowire", 0.05),
           ("item.reinforced_cargos", 0.2)),
     "A hulking Jackal lieutenant with saw-blade forearms, wired on stims.",
     ["Saw's Pit is hungry."], ["RIP AND TEAR!", "You'll fit in the furnace."]),
    ("npc.tidewater_smuggler", "Tidewater Smuggler", "ganger", "patrol", 6, "tidewater_syndicate", None,
     _loot(("item.kessler_9mm", 0.15), ("item.spent_casings", 0.5), ("item.synth_rum", 0.3),
           ("item.armored_trench", 0.05)),
     "A smuggler in oilskins and mirrorshades, pistol tucked into a life vest.",
     ["Nothing to see. Just fish."], ["Move along.", "Night tide's coming."]),
    ("npc.tidewater_lieutenant", "Tidewater Bosun", "ganger", "aggressive", 7, "tidewater_syndicate", None,
     _loot(("item.tidewater_hold_key", 0.35), ("item.riot_shotgun", 0.15), ("item.plated_greaves", 0.1)),
     "Leviathan's bosun: a barrel-chested brawler with a brass key on a cord around her neck.",
     ["Nobody goes down to the hold. Nobody comes up."], ["Back to work!", "You lost, dryfoot?"]),
    ("npc.nine_lamps_enforcer", "Nine Lamps Enforcer", "ganger", "patrol", 4, "nine_lamps", None,
     _loot(("item.combat_knife", 0.2), ("item.stim_pack", 0.2), ("item.thermal_katana", 0.02)),
     "A quiet triad enforcer in a pressed suit, knuckles tattooed with nine small flames.",
     ["The Lamps see all debts."], ["Walk on.", "Pay what you owe."]),
    ("npc.choir_bouncer", "Choir Bouncer", "ganger", "idle", 5, "velvet_choir", None,
     _loot(("item.shock_baton", 0.1), ("item.grip_gloves", 0.2)),
     "A mountain of a bouncer in a sequinned suit, earpiece glowing magenta.",
     ["You're not on the list. Nobody's on the list."], ["Step back.", "No cameras inside."]),
    # --- corporate security and drones
    ("npc.kv_officer", "KV Security Officer", "corp_security", "patrol", 6, "kuroda_vance", None,
     _loot(("item.shock_baton", 0.2), ("item.ballistic_visor", 0.1), ("item.stim_pack", 0.2)),
     "A Kuroda-Vance officer in grey armour and a faceless visor, shock baton at the hip.",
     ["Citizen, your presence has been logged."], ["Keep moving.", "Identification.", "Incident recorded."]),
    ("npc.kv_tactical", "KV Tactical Response", "corp_security", "aggressive", 8, "kuroda_vance", None,
     _loot(("item.kv_exec_keycard", 0.25), ("item.kv_tactical_helmet", 0.1), ("item.smart_smg", 0.15),
           ("item.kv_railgun", 0.05),
           ("item.medgel", 0.2)),
     "A tactical trooper in ceramic plate with a smart SMG and no visible face.",
     ["Hostile identified."], ["Contact!", "Engaging.", "Flank left."]),
    ("npc.synapse_guard", "Synapse Campus Guard", "corp_security", "patrol", 2, "synapse_dynamics", None,
     _loot(("item.padded_hood", 0.1), ("item.noodle_cup", 0.3)),
     "A bored campus guard with a taser and a tablet full of unread incident reports.",
     ["Student ID? No? Whatever."], ["Campus closes at never.", "Please stay on the path."]),
    ("npc.kv_sentinel_drone", "KV Sentinel Drone", "drone", "patrol", 7, "kuroda_vance", None,
     _loot(("item.scrap_circuit", 0.6), ("item.copper_coil", 0.4)),
     "A chrome quadrotor with a rotating lens and a compact rifle slung underneath.",
     [], ["SCANNING.", "CITIZEN SCORE: INSUFFICIENT.", "PLEASE REMAIN STILL."]),
    ("npc.scrap_drone", "Rogue Scrap Drone", "drone", "aggressive", 5, None, None,
     _loot(("item.drone_core", 0.7), ("item.copper_coil", 0.5), ("item.scrap_circuit", 0.3)),
     "A welded-together salvage drone with cutting torches for arms and a grudge against people.",
     [], ["RECLAIM.", "RECYCLE. RECYCLE.", "*grinding servos*"]),
    ("npc.harbour_drone", "Harbour Drone", "drone", "wander", 4, None, None, _loot(("item.soy_tin", 0.4)),
     "A battered harbour-cleaning drone trailing a net of plastic and something that might be a hand.",
     [], ["*whirr*", "DEBRIS COLLECTED."]),
    # --- netrunners and civilians
    ("npc.ghostwire_runner", "Ghostwire Netrunner", "netrunner", "aggressive", 3, None, None,
     _loot(("item.corrupted_shard", 0.6), ("item.cheap_optics", 0.1), ("item.scrap_circuit", 0.4)),
     "A twitchy netrunner with a cable harness and eyes full of scrolling code.",
     ["The Null Lab is ours. The ghost is ours."], ["Your firewall's showing.", "Ghostwire owns this node."]),
    ("npc.commuter", "Commuter", "civilian", "wander", 1, None, None, _loot(("item.soy_tin", 0.1)),
     "A tired commuter in a rain poncho, eyes glued to a flickering feed.",
     ["Sorry, I'm late. I'm always late."], ["Excuse me.", "Ugh, the trains."]),
    ("npc.student", "Campus Student", "civilian", "wander", 1, None, None, _loot(("item.scrap_circuit", 0.2)),
     "A sleep-deprived student with electrode marks on the temples.",
     ["I sold my REM cycles for tuition. Worth it? Ask me when I wake up."], ["Deadline's at midnight.",
                                                                               "Anyone got a charger?"]),
    ("npc.street_kid", "Stacks Street Kid", "civilian", "wander", 2, None, None,
     _loot(("item.spent_casings", 0.5), ("item.neon_tube", 0.2)),
     "A barefoot kid with a slingshot and a very old face.",
     ["Gimme a cred and I'll tell you where the Jackals sleep."], ["Spare a cred?", "Ha! Can't catch me!"]),
    ("npc.dockworker", "Dockworker", "civilian", "idle", 3, None, None, _loot(("item.spent_casings", 0.3)),
     "A weathered dockworker in a hi-vis vest, smoking on an upturned crate.",
     ["Leviathan? Lives under Pier 9. The Bosun keeps the key. You didn't hear it from me."],
     ["Long shift.", "Don't look at the water too long."]),
    ("npc.reveller", "Velvet Reveller", "civilian", "wander", 1, None, None, _loot(("item.neon_tube", 0.2)),
     "A reveller in glitter and holographic fur, halfway through a very long night.",
     ["Have you seen my friend? She's wearing light."], ["Woooo!", "One more club!"]),
    ("npc.union_welder", "Union Welder", "civilian", "idle", 3, "rustmouth_union", None,
     _loot(("item.copper_coil", 0.3)), "A soot-faced welder with a mask pushed up and a thermos in hand.",
     ["Drones got Marcus last week. Ruth'll pay you to make it stop."], ["Solidarity.", "Mind the sparks."]),
    ("npc.guild_warden", "Lantern Guild Warden", "civilian", "patrol", 3, "lantern_guild", None,
     _loot(("item.stim_pack", 0.2)),
     "A Lantern Guild warden with a brass scale on a chain and a stun lantern on a pole.",
     ["Fair weight, fair price. The Guild keeps the peace."], ["Keep it honest.", "Lanterns up!"]),
    ("npc.static_saint", "Saint of Static", "civilian", "wander", 3, "saints_of_static", None,
     _loot(("item.corrupted_shard", 0.1), ("item.scrap_circuit", 0.3)),
     "A cultist in a robe of shredded cable, ears pressed to a dead radio.",
     ["The city dreams in the glitches. Listen."], ["Hsssssh... listen.", "The static knows."]),
    # --- bosses
    ("npc.saw_voss", "Kaine 'Saw' Voss", "boss", "aggressive", 10, "chrome_jackals", None,
     _loot(("item.saw_chainblade", 0.35), ("item.jackal_tag", 1.0, 2, 4), ("item.reflex_booster", 0.25),
           ("item.trauma_kit", 0.5)),
     "The warlord of the Chrome Jackals: three metres of scar tissue and chrome, a chainsaw grafted where his "
     "right arm used to be.",
     ["Everyone down here is meat and metal. I just sort them."], ["SAW WANTS TEETH!", "Into the furnace!"]),
    ("npc.leviathan", "Captain Oyelaran 'Leviathan'", "boss", "aggressive", 8, "tidewater_syndicate", None,
     _loot(("item.leviathan_harpoon", 0.35), ("item.subdermal_mesh", 0.3), ("item.trauma_kit", 0.5)),
     "The Tidewater Syndicate's enforcer-captain, half-submerged in the hold, skin grafted with shark-grey "
     "armour plates.",
     ["The sea takes everything eventually. I just help."], ["Down with the tide!", "You'll feed the crabs."]),
    ("npc.director_marrow", "Director Ilse Marrow", "boss", "aggressive", 8, "kuroda_vance", None,
     _loot(("item.marrow_overwatch", 0.3), ("item.kv_riot_plate", 0.3), ("item.ghost_skin", 0.1)),
     "Kuroda-Vance's Director of Security: a silver-haired woman wired into every camera in the Spires, "
     "flanked by holographic decoys.",
     ["I have watched you since you stepped off the train. You were always going to end up here."],
     ["Overwatch online.", "Terminate the anomaly."]),
]


def build_npcs() -> list[NpcArchetype]:
    out = []
    for npc_id, name, role, behavior, threat, faction, shop, loot, text, dialogue, barks in _ROWS:
        out.append(NpcArchetype.model_validate({
            "id": npc_id, "name": name, "role": role, "behavior": behavior, "threat_level": threat,
            "faction_id": faction, "shop_id": shop, "loot": loot, "description": text, "dialogue": dialogue,
            "barks": barks, "boss": role == "boss", **stats_for(role, threat),
        }))
    return out
