"""Factions, districts and the region map of the 20×20 base city (hand-written)."""

from __future__ import annotations

from ouro_schemas.content import District, Faction

FACTIONS: list[Faction] = [
    Faction(id="kuroda_vance", name="Kuroda-Vance Consolidated", kind="corp",
            description="Arcology builders, water brokers and owners of the skyline. Their security contracts read "
                        "like scripture and are enforced like it."),
    Faction(id="synapse_dynamics", name="Synapse Dynamics", kind="corp",
            description="A research conglomerate that rents students, patents dreams and sells the results back "
                        "as cyberware. Polite, curious and utterly without shame."),
    Faction(id="velvet_choir", name="The Velvet Choir", kind="syndicate",
            description="Club owners, promoters and blackmailers who run the nightlife strip. Every secret in the "
                        "city passes through one of their bathrooms eventually."),
    Faction(id="nine_lamps", name="The Nine Lamps", kind="syndicate",
            description="An old-town triad older than the corporations, keeping ledgers of debts that span "
                        "three generations. They protect the neighbourhood and collect for it."),
    Faction(id="lantern_guild", name="The Lantern Guild", kind="civic",
            description="The stall-holders' guild of the Lumen Bazaar: fixes prices, settles disputes and keeps the "
                        "lights on when the grid fails."),
    Faction(id="rustmouth_union", name="Rustmouth Union", kind="civic",
            description="Foundry workers who took the factories back after the automation riots. Proud, broke and "
                        "armed with whatever the machines left behind."),
    Faction(id="chrome_jackals", name="The Chrome Jackals", kind="gang",
            description="A slum gang of chrome-addicted scavengers who strip the dead for implants. They answer to "
                        "whoever holds the Furnace Pit."),
    Faction(id="tidewater_syndicate", name="Tidewater Syndicate", kind="syndicate",
            description="Smugglers who own the night shift at every pier. Customs officers on their payroll and "
                        "bodies in the harbour mud."),
    Faction(id="saints_of_static", name="Saints of Static", kind="cult",
            description="A cult that hears voices in dead channels and worships the glitches where the city "
                        "forgets itself. Harmless, mostly. Watching, always."),
]

# (id, name, theme, threat, faction, colour, x range, y range, hq room id, description)
_DISTRICT_ROWS: list[tuple[str, str, str, int, str, str, tuple[int, int], tuple[int, int], str, str]] = [
    ("cerulean_campus", "Cerulean Campus", "tech", 2, "synapse_dynamics", "#5ce1e6", (0, 6), (14, 19),
     "campus.server_hall",
     "Glass lecture halls and server farms under perpetual blue light. Synapse Dynamics pays the tuition and "
     "owns the theses; students sell their sleep cycles to test firmware."),
    ("velvet_mile", "The Velvet Mile", "nightlife", 5, "velvet_choir", "#ff3fa4", (7, 12), (14, 19),
     "velvet.cage",
     "A strip of clubs, karaoke cells and love hotels that never turns its lights off. The Velvet Choir sells "
     "you the night and then sells what you did in it."),
    ("helix_spires", "Helix Spires", "corporate", 7, "kuroda_vance", "#8fb8ff", (13, 19), (14, 19),
     "spires.kv_lobby",
     "Arcology towers that spiral into the smog, linked by skybridges nobody below is allowed to cross. "
     "Kuroda-Vance security treats every pedestrian as a pending incident."),
    ("jade_hollow", "Jade Hollow", "old_town", 4, "nine_lamps", "#3fbf7f", (0, 6), (7, 13),
     "jade.teahouse",
     "The old town: tiled roofs under tangled cable, incense and solder, grandmothers playing mahjong beside "
     "back-room chop shops. The Nine Lamps keep the peace here, at a price."),
    ("lumen_bazaar", "Lumen Bazaar", "market", 3, "lantern_guild", "#ffd23f", (7, 12), (7, 13),
     "bazaar.guild_hall",
     "The neon market at the heart of the city: a thousand stalls under hologram canopies, where anything can "
     "be bought and most of it is even real. Lumen Station spills commuters into it all day."),
    ("foundry_row", "Foundry Row", "industrial", 6, "rustmouth_union", "#ff8a3d", (13, 19), (7, 13),
     "foundry.union_hall",
     "Smelters and drone works that still run three shifts. The Rustmouth Union owns the machines now; the "
     "machines have not entirely accepted it."),
    ("the_stacks", "The Stacks", "slums", 9, "chrome_jackals", "#c0392b", (0, 8), (0, 6),
     "stacks.jackal_den",
     "Container towers stacked twenty high, rope ladders and drip-fed cables, a hundred thousand people and "
     "no police. The Chrome Jackals rule the lower levels by saw and fire."),
    ("saltgrave_docks", "Saltgrave Docks", "docks", 7, "tidewater_syndicate", "#2e86c1", (9, 19), (0, 6),
     "docks.rusty_anchor",
     "Cranes, black water and container yards along the seawall. Half the city's contraband comes in on the "
     "night tide, and the Tidewater Syndicate counts every crate."),
]

DISTRICTS: list[District] = [
    District(id=row[0], name=row[1], theme=row[2], threat_level=row[3], faction_id=row[4], color=row[5],
             hq_room_id=row[8], description=row[9])
    for row in _DISTRICT_ROWS
]
THREAT: dict[str, int] = {row[0]: row[3] for row in _DISTRICT_ROWS}


def district_at(x: int, y: int) -> str:
    """The district id of grid cell (x, y); the rectangles tile the 20×20 grid exactly."""
    for row in _DISTRICT_ROWS:
        (x0, x1), (y0, y1) = row[6], row[7]
        if x0 <= x <= x1 and y0 <= y <= y1:
            return row[0]
    raise ValueError(f"({x},{y}) is outside the city")


# Streets run along every third column (avenues, north-south) and every third row (streets, east-west).
AVENUES: dict[int, str] = {0: "Fallow Ave", 3: "Kessler Ave", 6: "Ninefold Ave", 9: "Meridian Ave",
                           12: "Harrow Ave", 15: "Vantablack Ave", 18: "Seawall Ave"}
STREETS: dict[int, str] = {0: "Brine St", 3: "Cinder St", 6: "Ossuary St", 9: "Lantern St",
                           12: "Sable St", 15: "Halcyon St", 18: "Zenith St"}


def is_street(x: int, y: int) -> bool:
    return x % 3 == 0 or y % 3 == 0


# Street text per district: (openings, details, ambience); the builder picks one of each.
STREET_TEXT: dict[str, tuple[list[str], list[str], list[str]]] = {
    "cerulean_campus": (
        ["A clean walkway of blue-lit glass tiles runs between lecture halls.",
         "Lawn-green turf mats line a pedestrian boulevard under server-farm vents.",
         "A covered promenade hums with the cooling fans of the research blocks."],
        ["Students in haptic gloves argue about compiler bugs on a bench.",
         "A delivery drone waits politely at a crossing light.",
         "Posters offer credits for sleep-study volunteers, no questions asked.",
         "A Synapse Dynamics recruitment kiosk smiles at everyone who passes."],
        ["The air smells of ozone and oat-milk coffee.",
         "Somewhere a fire alarm test chirps, and nobody moves.",
         "Soft synth music leaks from a dormitory window."]),
    "velvet_mile": (
        ["The strip glows magenta and gold; every doorway has a bouncer or a hologram of one.",
         "Wet asphalt reflects a river of neon club signs.",
         "A canopy of paper lanterns and LED strips sags over a crowded sidewalk."],
        ["A promoter presses a glowing flyer into your hand.",
         "Two dancers in mirrored coats share a cigarette outside a stage door.",
         "A karaoke booth blares a song everybody pretends to hate.",
         "Velvet Choir street-callers count the crowd with flickering eyes."],
        ["Bass thumps through the soles of your boots.",
         "The air tastes of spilled synth-gin and perfume.",
         "Laughter, a shattered glass, then more laughter."]),
    "helix_spires": (
        ["Polished ferrocrete stretches between towers that vanish into the smog.",
         "A pristine boulevard, swept by machines every ninety seconds.",
         "Mirrored facades throw your reflection back from every side."],
        ["A Kuroda-Vance checkpoint scans your face and logs you as 'tolerated'.",
         "A skybridge passes overhead, lit like an aquarium.",
         "Executives in rain-repellent suits step out of silent cars.",
         "A sentinel drone pauses above you a little too long."],
        ["The only sound is the whisper of air filtration.",
         "Subliminal jingles murmur from hidden speakers.",
         "The rain never seems to reach the ground here."]),
    "jade_hollow": (
        ["A narrow lane winds between tiled roofs strung with a web of old cables.",
         "Red lanterns sway over a street of shuttered herbalists and repair stalls.",
         "Worn stone steps climb between balconies hung with laundry and antennas."],
        ["A grandmother fans a charcoal grill of skewered synth-pork.",
         "Incense smoke curls from a tiny shrine wedged into a wall.",
         "A Nine Lamps runner watches from a doorway, counting.",
         "Mahjong tiles clatter behind a bead curtain."],
        ["The smell of star anise and hot solder fills the lane.",
         "A radio plays an opera older than the city.",
         "Rain drums on corrugated awnings."]),
    "lumen_bazaar": (
        ["Stalls crowd both sides of the street under rippling hologram canopies.",
         "A river of shoppers flows between stacks of crates and glowing price tags.",
         "The street is a maze of tarps, cables and vending carts."],
        ["A vendor swears his optics are 'barely used, mostly legal'.",
         "Noodle steam billows from a cart wrapped in fairy lights.",
         "A Lantern Guild warden weighs a dispute on a pocket scale.",
         "Bootleg brain-dance chips spill from a cardboard box."],
        ["Haggling in six languages rises over the hiss of frying oil.",
         "The smell of fried dough, ozone and wet cardboard.",
         "Somewhere a street band plays on salvaged synths."]),
    "foundry_row": (
        ["A soot-black road runs between smelter walls that radiate heat.",
         "Rail tracks cut across a cracked industrial street.",
         "Conveyor gantries pass overhead, rattling with scrap."],
        ["A Rustmouth Union banner hangs from a crane, slogan half burned away.",
         "A malfunctioning scrap drone twitches in a gutter.",
         "Workers in welding masks share a thermos at a shift gate.",
         "Sparks shower from a cutting line behind a chain-link fence."],
        ["The air is thick with metal dust and diesel.",
         "A shift whistle shrieks across the rooftops.",
         "The ground trembles with every stamp of a press."]),
    "the_stacks": (
        ["Container towers lean over a mud track littered with cable and trash.",
         "A gangway of welded scrap runs between stacked shipping containers.",
         "Rope ladders and drip lines hang over a crowded, sunless lane."],
        ["A burning barrel lights a ring of hollow-eyed faces.",
         "Chrome Jackal tags glow on every container door.",
         "Children chase a rat the size of a drone.",
         "A stripped body lies face down, its implant ports empty."],
        ["Everything smells of rust, sewage and frying fat.",
         "Somebody is screaming several levels up; nobody looks.",
         "Rain drips through a hundred rusted gaps."]),
    "saltgrave_docks": (
        ["A wind-whipped quay runs along the black water.",
         "Container yards stretch between idle cranes.",
         "A road of cracked concrete runs past customs sheds and bollards."],
        ["Dockworkers load crates that nobody has inspected.",
         "A Tidewater lookout flicks a cigarette into the harbour.",
         "Floodlights sweep the water for boats that are not supposed to be there.",
         "A harbour drone drags a net of plastic out of the tide."],
        ["The air is salt, diesel and rotting kelp.",
         "Foghorns groan somewhere out in the murk.",
         "Waves slap against the seawall."]),
}
