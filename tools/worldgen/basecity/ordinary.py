"""Tables for the city's ordinary buildings: per district, what stands on a block cell.

Each entry is (kind, weight, names, descriptions). `{n}` in a name becomes a number, `{l}` a letter.
An "alley" cell opens onto both of its streets (a shortcut); every other kind has one door.
"""

from __future__ import annotations

Entry = tuple[str, int, list[str], list[str]]

ORDINARY: dict[str, list[Entry]] = {
    "cerulean_campus": [
        ("office", 3, ["Lecture Hall {l}", "Synapse Research Block {n}", "Patent Office Annex"],
         ["Tiered seats face a hologram lectern looping a lecture on neural compression.",
          "Glass-walled labs full of robotic arms practising handwriting.",
          "Quiet corridors, motion-sensing lights and posters about intellectual property law."]),
        ("apartment", 2, ["Dormitory {n}", "Grad Housing Pod {n}"],
         ["Stacked sleep pods, a shared kitchen and a fridge full of labelled energy drinks.",
          "A hallway of identical doors, each with a QR code instead of a name."]),
        ("shop", 1, ["Campus Vending Atrium"],
         ["A room of vending machines selling noodles, cables and overclocked batteries."]),
        ("alley", 1, ["Quad Footpath", "Server Vent Passage"],
         ["A narrow path between buildings, warm with exhaust from the cooling systems."]),
    ],
    "velvet_mile": [
        ("bar", 3, ["Karaoke Cells {n}", "The Neon Lotus", "Bar Sumire", "Club Heliotrope"],
         ["Private booths with screens and sticky microphones; songs leak through the walls.",
          "A narrow bar under pink strip lights, its bartender polishing the same glass for an hour.",
          "A dance floor of glowing tiles, half of them cracked."]),
        ("apartment", 2, ["Love Hotel Mirage, Floor {n}", "Capsule Hotel Starlet"],
         ["A corridor of themed rooms rented by the hour, doors humming with privacy fields.",
          "Capsules stacked three high, each with a screen and a lock that does not work."]),
        ("alley", 2, ["Stage Door Alley", "Smokers' Passage"],
         ["A back alley of stage doors and dumpsters where dancers take their breaks.",
          "A narrow passage full of smoke, gossip and discarded flyers."]),
    ],
    "helix_spires": [
        ("office", 4, ["Kuroda-Vance Annex {n}", "Helix Tower {l} Atrium", "Vance Capital Offices"],
         ["A marble atrium with a receptionist hologram and lifts that need authorisation.",
          "An open-plan floor of standing desks and sleep-deprived analysts.",
          "A glass lobby where every surface is a display showing share prices."]),
        ("lobby", 2, ["Executive Residences {l}", "Skybridge Terminal {n}"],
         ["A concierge desk staffed by a drone in a tuxedo; the residents never come down.",
          "A lift lobby serving the skybridges, guarded and scrubbed clean."]),
        ("shop", 1, ["Helix Atrium Café"],
         ["A café where coffee costs a day's wages and the pastries are printed."]),
    ],
    "jade_hollow": [
        ("shop", 3, ["Herbalist Wu", "Jade Repair Stall", "Golden Carp Chop Shop", "Old Lin's Antiques"],
         ["Jars of roots and drawers of chips share the shelves; the herbalist sells both.",
          "A stall of disassembled phones and implants, soldered back together by lamplight.",
          "A cramped shop where antiques and stolen cyberware are hard to tell apart."]),
        ("apartment", 3, ["Walk-up {n}", "Courtyard House {n}", "Balcony Tenement"],
         ["A steep stairwell, family photos, shoes at every door and a smell of cooking rice.",
          "A courtyard of potted plants and satellite dishes, watched by a cat and a camera."]),
        ("alley", 2, ["Lantern Lane", "Mahjong Alley", "Incense Passage"],
         ["A lane so narrow the balconies touch overhead, strung with lanterns and wires.",
          "A passage heavy with incense, where a fortune-teller reads circuit boards."]),
    ],
    "lumen_bazaar": [
        ("shop", 4, ["Stall Row {l}", "Optics & Oddities", "Chip Alley Stalls", "Ma Reyes' Bootleg Braindance",
                     "Second-Hand Limbs"],
         ["Dozens of stalls under one tarpaulin, each vendor louder than the last.",
          "A shop of mismatched optics blinking from glass jars.",
          "Racks of chips, cables and decks with hand-written price tags."]),
        ("bar", 1, ["Street Food Court", "Dumpling Cart Corner"],
         ["Plastic stools around grills and steaming carts; the smell alone is worth the trip."]),
        ("alley", 2, ["Canopy Passage", "Tarpaulin Alley"],
         ["A passage under layered tarps where the neon turns everything a different colour every few steps."]),
    ],
    "foundry_row": [
        ("warehouse", 4, ["Smelter No. {n}", "Drone Works {l}", "Press Shop {n}", "Scrap Sorting Shed"],
         ["A cavernous hall of furnaces and cooling ingots, the heat like a wall.",
          "Assembly lines of half-built drones twitching on hooks.",
          "Hydraulic presses slam down in rhythm; the floor shakes with each strike."]),
        ("apartment", 1, ["Worker Barracks {n}"],
         ["Bunk beds, lockers and union posters; a shift sleeps here while another works."]),
        ("alley", 2, ["Slag Alley", "Conveyor Underpass"],
         ["A passage under a rattling conveyor belt, glowing slag cooling in the gutters."]),
    ],
    "the_stacks": [
        ("apartment", 5, ["Stack {l}-{n}", "Container Row {n}", "The Hive, Level {n}", "Squat {n}"],
         ["A corridor of welded containers, each a home for a family of six.",
          "A stairwell of scrap where every landing is someone's bedroom.",
          "A squat full of mattresses, drip-fed cables and a single flickering screen."]),
        ("warehouse", 1, ["Chop Yard {n}", "Scrap Stockpile"],
         ["A yard where cars and cyborgs are taken apart with equal care."]),
        ("alley", 2, ["Drip Alley", "Rat Run", "Ladder Lane"],
         ["A sunless gap between containers, ankle-deep in runoff.",
          "A twisting run of gangways where ambushes are a local sport."]),
    ],
    "saltgrave_docks": [
        ("warehouse", 4, ["Container Yard {l}", "Cold Store {n}", "Bonded Warehouse {n}", "Net Loft"],
         ["Stacked containers in faded corporate colours, some of them humming.",
          "A cold store full of fish, and some crates that are not fish.",
          "A warehouse of shrink-wrapped pallets under a leaking roof."]),
        ("office", 1, ["Harbourmaster's Office", "Shipping Agency {n}"],
         ["A cluttered office of tide charts and bribe ledgers."]),
        ("alley", 2, ["Bollard Walk", "Crane Underpass"],
         ["A walkway between crane legs, slick with spray and fish scales."]),
    ],
}

# A second sentence for an ordinary building, by kind (alleys are outdoors and get none).
KIND_DETAILS: dict[str, list[str]] = {
    "apartment": ["Through the thin walls a neighbour's feed drones the news.",
                  "A broken lift wears an OUT OF ORDER sign older than the tenants.",
                  "Someone has chalked a warning in gang glyphs by the stairs."],
    "office": ["A receptionist drone asks whether you have an appointment, then forgets you.",
               "Security cameras swivel to follow you across the floor.",
               "Stale recycled air and the glow of a hundred idle screens."],
    "shop": ["The shopkeeper watches your hands more than your face.",
             "Price tags flicker as the market feed updates them.",
             "A bell of salvaged wind-chimes announces every customer."],
    "bar": ["The music is loud enough to make secrets safe.",
            "Regulars glance up, weigh you, and go back to their drinks.",
            "Steam and smoke hang under a ceiling of coloured lights."],
    "warehouse": ["Forklift tracks scar the concrete floor.",
                  "Something skitters in the dark between the stacks.",
                  "Sodium lamps buzz high above, most of them dead."],
    "lobby": ["Polished floors reflect the lights like still water.",
              "A guard looks up from a bank of monitors, then back down."],
}
