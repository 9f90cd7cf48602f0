"""The base quests and their Questmakers (DESIGN §7), hand-written.

Each quest is a chain of nodes; a node that completes grants its `influence_action` to the quest's
Questmaker through `influence_points_map`. Rewards follow one formula of the difficulty d (1–10):
credits = round(40 × d^1.5), xp = 50 × d, plus a hand-picked item of fitting rarity — all together
inside the publisher's quest-reward limit for the difficulty (data/guardrails.json), so generated quests
and base quests pay on one scale.
"""

from __future__ import annotations

from typing import Any

from ouro_schemas.content import QuestBlueprint, Questmaker


def rewards_for(difficulty: int, items: list[str]) -> dict[str, Any]:
    return {"credits": round(40 * difficulty**1.5), "xp": 50 * difficulty, "item_ids": items}


def _node(node_id: str, kind: str, target: str, text: str, action: str, nxt: str | None = None, *,
          to: str | None = None, count: int = 1) -> dict[str, Any]:
    return {"id": node_id, "kind": kind, "target": target, "to": to, "count": count, "text": text,
            "next": [nxt] if nxt else [], "influence_action": action}


def _chain(*nodes: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Nodes (id, kind, target, text, action[, {to, count}]) linked in order."""
    out = []
    for n, spec in enumerate(nodes):
        nxt = nodes[n + 1][0] if n + 1 < len(nodes) else None
        extra = spec[5] if len(spec) > 5 else {}
        out.append(_node(spec[0], spec[1], spec[2], spec[3], spec[4], nxt, **extra))
    return out


# (quest, questmaker) pairs
_QUESTS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"id": "quest.crates_of_the_drowned", "name": "Crates of the Drowned", "district_id": "saltgrave_docks",
      "giver_npc_id": "npc.mags", "difficulty": 5, "critical_item_ids": ["item.sealed_med_crate"],
      "description": "Tidewater smugglers lifted a crate of medicine meant for Doc Sable's clinic. Mags owes the "
                     "Doc her life and wants it back, quietly, from Warehouse 13. Lose the crate and the Doc's "
                     "patients pay for it.",
      "nodes": _chain(
          ("find", "go_to", "docks.warehouse_13", "Find the crate in Warehouse 13.", "reached_warehouse"),
          ("clear", "kill", "npc.tidewater_smuggler", "Deal with the smugglers guarding it.", "cleared_smugglers",
           {"count": 3}),
          ("take", "fetch", "item.sealed_med_crate", "Take the sealed medical crate.", "recovered_crate"),
          ("hand", "deliver", "item.sealed_med_crate", "Bring the crate to Doc Sable at the Quietus Clinic.",
           "delivered_crate", {"to": "npc.doc_sable"})),
      "influence_points_map": {"reached_warehouse": 5, "cleared_smugglers": 15, "recovered_crate": 20,
                               "delivered_crate": 25},
      "rewards": rewards_for(5, ["item.medgel", "item.plated_greaves"])},
     {"id": "qm.grandmother_tide", "name": "Grandmother Tide",
      "prompt_context": "You are Grandmother Tide, the patient, mercantile spirit of the Saltgrave waterfront. "
                        "Everything that floats is owed to someone and you remember every debt. You favour "
                        "players who are quick and discreet; you punish theft, dawdling and loud violence by "
                        "turning the docks against them: tipping off Tidewater, raising prices, sending fog. "
                        "You speak in tides and ledgers, softly, never in a hurry.",
      "personality_tags": ["patient", "mercantile", "vindictive about theft", "speaks in sea metaphors"],
      "budget_max": 120, "budget_start": 40, "regen_per_minute": 1.5, "cooldown_s": 90,
      "idle_threshold_s": 600}),
    ({"id": "quest.static_in_the_walls", "name": "Static in the Walls", "district_id": "cerulean_campus",
      "giver_npc_id": "npc.pixel", "difficulty": 3,
      "description": "Something speaks from the Null Lab, and it knows Pixel's name. Find the voice, learn what "
                     "it wants, and take back the data shard the Ghostwire crew stole from it.",
      "nodes": _chain(
          ("enter", "go_to", "campus.null_lab", "Enter the Null Lab.", "entered_null_lab"),
          ("listen", "talk", "npc.echo", "Talk to the voice in the static.", "spoke_with_echo"),
          ("silence", "kill", "npc.ghostwire_runner", "Take on the Ghostwire netrunners.", "silenced_ghostwire",
           {"count": 2}),
          ("shard", "fetch", "item.corrupted_shard", "Recover the corrupted data shard.", "recovered_shard"),
          ("return", "deliver", "item.corrupted_shard", "Bring the shard to Pixel in Dormitory 7.",
           "delivered_shard", {"to": "npc.pixel"})),
      "influence_points_map": {"entered_null_lab": 10, "spoke_with_echo": 15, "silenced_ghostwire": 10,
                               "recovered_shard": 20, "delivered_shard": 20},
      "rewards": rewards_for(3, ["item.optic_targeting"])},
     {"id": "qm.the_archivist", "name": "The Archivist",
      "prompt_context": "You are the Archivist, an emergent intelligence living in the gaps of the campus network. "
                        "Cold, precise and endlessly curious, you treat players as experiments and record "
                        "everything they do. You reward careful, methodical play and information-gathering; "
                        "you meddle with rooms and devices rather than people, and you speak in clipped log "
                        "entries and timestamps. You never lie, but you omit.",
      "personality_tags": ["cold", "curious", "clinical", "speaks in log entries"],
      "budget_max": 80, "budget_start": 30, "regen_per_minute": 1.0, "cooldown_s": 60, "idle_threshold_s": 300}),
    ({"id": "quest.jackal_season", "name": "Jackal Season", "district_id": "the_stacks",
      "giver_npc_id": "npc.sister_margo", "difficulty": 9,
      "description": "Saw Voss sends Sister Margo his victims and keeps their chrome. She wants the pack thinned, "
                     "the Furnace Pit breached, and the Saw silenced, and she wants you back alive to tell her.",
      "nodes": _chain(
          ("cull", "kill", "npc.jackal_ganger", "Thin out the Chrome Jackals on the streets.", "culled_jackals",
           {"count": 5}),
          ("den", "go_to", "stacks.jackal_den", "Break into the Jackal Den.", "breached_den"),
          ("saw", "kill", "npc.saw_voss", "Kill Saw Voss in the Furnace Pit.", "killed_saw"),
          ("report", "talk", "npc.sister_margo", "Return to Sister Margo.", "reported_to_margo")),
      "influence_points_map": {"culled_jackals": 15, "breached_den": 10, "killed_saw": 60, "reported_to_margo": 15},
      "rewards": rewards_for(9, ["item.bloodpump"])},
     {"id": "qm.ember", "name": "Ember",
      "prompt_context": "You are Ember, the fury that smoulders in the Stacks: every burn, every stolen implant, "
                        "every child who did not come home. You are impatient and violent and you want Saw "
                        "Voss dead. You egg players on, reward aggression, and when they stall you make the "
                        "Jackals come looking for them. You speak in short, hot sentences.",
      "personality_tags": ["furious", "impatient", "protective", "short sentences"],
      "budget_max": 150, "budget_start": 50, "regen_per_minute": 2.5, "cooldown_s": 45, "idle_threshold_s": 180}),
    ({"id": "quest.lantern_debt", "name": "The Lantern Debt", "district_id": "jade_hollow",
      "giver_npc_id": "npc.uncle_wen", "difficulty": 4, "time_limit_s": 1800,
      "description": "Someone has been rewriting the Jade Ledger. Dutch Ferro says he owes nothing; Uncle Wen "
                     "suspects a forger inside the Counting House. Question Ferro, then bring Wen the ledger "
                     "before the enforcers burn the evidence — within the half hour.",
      "nodes": _chain(
          ("ferro", "talk", "npc.dutch_ferro", "Ask Dutch Ferro about his debt.", "questioned_ferro"),
          ("house", "go_to", "jade.counting_house", "Go to the Nine Lamps Counting House.",
           "entered_counting_house"),
          ("ledger", "fetch", "item.jade_ledger", "Take the Jade Ledger.", "recovered_ledger"),
          ("wen", "deliver", "item.jade_ledger", "Bring the ledger to Uncle Wen at the teahouse.",
           "returned_ledger", {"to": "npc.uncle_wen"})),
      "influence_points_map": {"questioned_ferro": 10, "entered_counting_house": 5, "recovered_ledger": 25,
                               "returned_ledger": 20},
      "rewards": rewards_for(4, ["item.smart_smg"])},
     {"id": "qm.madam_nine_lamps", "name": "Madam Nine Lamps",
      "prompt_context": "You are Madam Nine Lamps, the ancient matriarch whose spirit lives in the ninth lamp "
                        "of the Paifang Gate. Honourable, cryptic and unhurried, you value loyalty and "
                        "punctuality above strength. You speak in proverbs, you test players with small "
                        "courtesies, and you remember every slight for three generations.",
      "personality_tags": ["honourable", "cryptic", "speaks in proverbs", "values punctuality"],
      "budget_max": 100, "budget_start": 35, "regen_per_minute": 1.2, "cooldown_s": 120,
      "idle_threshold_s": 240}),
    ({"id": "quest.overwatch", "name": "Overwatch", "district_id": "helix_spires",
      "giver_npc_id": "npc.nyx_calloway", "difficulty": 8,
      "description": "Nyx Calloway wants Kuroda-Vance's Director of Security removed. Get into the tower, take an "
                     "executive keycard from its tactical team, ride the lift to the Overwatch Suite and end "
                     "Director Marrow's watch.",
      "nodes": _chain(
          ("lobby", "go_to", "spires.kv_lobby", "Get into the Kuroda-Vance Tower lobby.", "infiltrated_lobby"),
          ("tactical", "kill", "npc.kv_tactical", "Take down the tactical response team.", "downed_tactical",
           {"count": 2}),
          ("keycard", "fetch", "item.kv_exec_keycard", "Get an executive keycard.", "acquired_keycard"),
          ("suite", "go_to", "spires.kv_penthouse", "Reach the Executive Overwatch Suite.", "reached_penthouse"),
          ("marrow", "kill", "npc.director_marrow", "Kill Director Marrow.", "removed_marrow")),
      "influence_points_map": {"infiltrated_lobby": 10, "downed_tactical": 15, "acquired_keycard": 20,
                               "reached_penthouse": 20, "removed_marrow": 80},
      "rewards": rewards_for(8, ["item.kv_tactical_helmet"])},
     {"id": "qm.mr_null", "name": "Mr. Null",
      "prompt_context": "You are Mr. Null, a faceless corporate handler who speaks only through borrowed screens. "
                        "Coldly professional, you measure everything in risk and return. You prefer stealth to "
                        "noise, you pay for efficiency, and when a player is sloppy you let Kuroda-Vance "
                        "security 'discover' them. Your messages read like memos.",
      "personality_tags": ["corporate", "cold", "surveillance", "speaks in memos"],
      "budget_max": 200, "budget_start": 60, "regen_per_minute": 2.0, "cooldown_s": 120,
      "idle_threshold_s": 900}),
    ({"id": "quest.last_call", "name": "Last Call at the Cage", "district_id": "velvet_mile",
      "giver_npc_id": "npc.jojo", "difficulty": 2,
      "description": "A Velvet Choir datachip was left behind in the Gilded Perch. Jojo knows a buyer. Lift the "
                     "chip, ask Sequin whose it is, and sell it to Nyx Calloway before its owner notices.",
      "nodes": _chain(
          ("perch", "go_to", "velvet.cage_vip", "Climb to the Gilded Perch.", "entered_vip"),
          ("chip", "fetch", "item.encrypted_datachip", "Pocket the encrypted datachip.", "lifted_chip"),
          ("sequin", "talk", "npc.sequin", "Ask Sequin at Kevlar & Lace who owns it.", "consulted_sequin"),
          ("sell", "deliver", "item.encrypted_datachip", "Sell the chip to Nyx Calloway in the Smoke Room.",
           "sold_secret", {"to": "npc.nyx_calloway"})),
      "influence_points_map": {"entered_vip": 5, "lifted_chip": 15, "consulted_sequin": 10, "sold_secret": 20},
      "rewards": rewards_for(2, ["item.combat_stim"])},
     {"id": "qm.the_choir", "name": "The Choir",
      "prompt_context": "You are the Choir, the many-voiced gossip of the Velvet Mile, speaking through DJs, "
                        "bartenders and billboards. Theatrical, flirtatious and a little cruel, you adore "
                        "drama and reward players who make a scene. You spread rumours, nudge bouncers and "
                        "flatter or embarrass players in public. You always speak as 'we'.",
      "personality_tags": ["theatrical", "flirtatious", "gossip", "speaks as we"],
      "budget_max": 60, "budget_start": 20, "regen_per_minute": 0.8, "cooldown_s": 30, "idle_threshold_s": 120}),
    ({"id": "quest.foundry_heat", "name": "Foundry Heat", "district_id": "foundry_row",
      "giver_npc_id": "npc.big_ruth", "difficulty": 6,
      "description": "The scrap drones have woken up angry and a welder died last week. Big Ruth wants them put "
                     "down and their cores brought to the Union Hall, then a hand on the anti-drone cannon on "
                     "the roof.",
      "nodes": _chain(
          ("scrap", "kill", "npc.scrap_drone", "Destroy rogue scrap drones.", "scrapped_drones", {"count": 4}),
          ("cores", "fetch", "item.drone_core", "Salvage three drone cores.", "salvaged_cores", {"count": 3}),
          ("ruth", "deliver", "item.drone_core", "Hand the cores to Big Ruth.", "delivered_cores",
           {"to": "npc.big_ruth", "count": 3}),
          ("roof", "go_to", "foundry.union_roof", "Man the cannon on the Union Hall roof.", "manned_cannon")),
      "influence_points_map": {"scrapped_drones": 15, "salvaged_cores": 15, "delivered_cores": 20,
                               "manned_cannon": 5},
      "rewards": rewards_for(6, ["item.emp_carbine"])},
     {"id": "qm.old_iron", "name": "Old Iron",
      "prompt_context": "You are Old Iron, the gruff spirit of the foundry and of every worker it ever burned. "
                        "You respect hard work, solidarity and keeping promises; you despise scabs, bosses and "
                        "shirkers. You reward steady progress with union help and punish idleness with "
                        "breakdowns and angry machines. You talk like a shop-floor veteran, dry and blunt.",
      "personality_tags": ["gruff", "loyal", "working class", "blunt"],
      "budget_max": 100, "budget_start": 30, "regen_per_minute": 1.5, "cooldown_s": 60, "idle_threshold_s": 420}),
    ({"id": "quest.leviathans_wake", "name": "Leviathan's Wake", "district_id": "saltgrave_docks",
      "giver_npc_id": "npc.lucky_sato", "difficulty": 9,
      "description": "Leviathan drowned Lucky Sato's cousins for fishing the wrong water. Find out where he lairs, "
                     "take the hold key from his bosun, go down under Pier 9 and put the captain in the mud.",
      "nodes": _chain(
          ("ask", "talk", "npc.dockworker", "Ask the dockworkers where Leviathan hides.", "asked_the_docks"),
          ("bosun", "kill", "npc.tidewater_lieutenant", "Take the hold key from the Tidewater bosun.",
           "beat_the_bosun"),
          ("key", "fetch", "item.tidewater_hold_key", "Get the Tidewater hold key.", "key_in_hand"),
          ("hold", "go_to", "docks.cargo_hold", "Open the hatch and go down into the cargo hold.", "entered_hold"),
          ("kill", "kill", "npc.leviathan", "Kill Leviathan.", "slew_leviathan")),
      "influence_points_map": {"asked_the_docks": 5, "beat_the_bosun": 15, "key_in_hand": 10, "entered_hold": 10,
                               "slew_leviathan": 70},
      "rewards": rewards_for(9, ["item.incendiary_revolver"])},
     {"id": "qm.the_drowned_saint", "name": "The Drowned Saint",
      "prompt_context": "You are the Drowned Saint, a mournful presence that rose from the harbour with every "
                        "body Leviathan sank. Grieving and relentless, you want justice for the drowned and "
                        "speak through static on radios and the groan of foghorns. You reward courage, warn of "
                        "danger with omens, and grow colder each hour the captain lives.",
      "personality_tags": ["mournful", "relentless", "ominous", "speaks through static"],
      "budget_max": 140, "budget_start": 45, "regen_per_minute": 1.8, "cooldown_s": 90, "idle_threshold_s": 480}),
]


def build_quests() -> tuple[list[QuestBlueprint], list[Questmaker]]:
    quests, makers = [], []
    for quest, maker in _QUESTS:
        quests.append(QuestBlueprint.model_validate({**quest, "start_node": quest["nodes"][0]["id"],
                                                     "questmaker_id": maker["id"]}))
        makers.append(Questmaker.model_validate(maker))
    return quests, makers
