"""The hand-written places of the base city: landmarks on the grid, rooms above and below them, street
landmarks, frontier road ends, and the tables the builder draws ordinary buildings from."""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    """A landmark on a non-street grid cell; `door` is the direction from it to its street."""

    id: str
    x: int
    y: int
    name: str
    kind: str
    door: str
    description: str
    building: str | None = None
    shop: str | None = None
    tags: tuple[str, ...] = ()


class Level(NamedTuple):
    """A room above or below `parent` (same x, y), reached by `way` ("u" or "d") from it."""

    id: str
    parent: str
    way: str
    name: str
    kind: str
    description: str
    key: str | None = None  # locked from both sides with this key item
    tags: tuple[str, ...] = ()


PLACES: list[Place] = [
    # Cerulean Campus
    Place("campus.server_hall", 1, 16, "Synapse Server Hall", "office", "w",
          "Rows of liquid-cooled server stacks glow blue behind glass. A Synapse Dynamics banner promises that "
          "'Every Thought Is an Asset'. Students sleep at terminals, electrodes taped to their temples.",
          building="synapse_server_hall", tags=("hq",)),
    Place("campus.synaptic_boutique", 4, 17, "Synaptic Boutique", "shop", "w",
          "A spotless white clinic-shop where cyberware rests on velvet like jewellery. Soft voices explain the "
          "payment plans. A holographic spine rotates slowly over the counter.",
          building="synaptic_boutique", shop="shop.synaptic_boutique"),
    Place("campus.null_lab", 2, 14, "The Null Lab", "glitch", "n",
          "A decommissioned research lab where the walls flicker between concrete and wireframe. Your shadow "
          "lags half a second behind you. A door stencilled NULL hums in a key no instrument can play.",
          building="null_lab", tags=("glitch",)),
    Place("campus.pixel_dorm", 5, 19, "Dormitory 7, Room 404", "apartment", "s",
          "A cramped dorm room wallpapered with ripped schematics. Three decks run hot on the bunk, cooled by a "
          "desk fan and sheer stubbornness. A sign on the door reads: ROOM NOT FOUND.",
          building="dormitory_7"),
    Place("campus.ghostwire_den", 1, 19, "Ghostwire Den", "apartment", "s",
          "A basement common room turned netrunner squat: sleeping bags, energy-drink cans and a wall of stolen "
          "monitors showing other people's cameras.", building="dormitory_3"),
    # The Velvet Mile
    Place("velvet.cage", 10, 16, "The Velvet Cage", "bar", "w",
          "A nightclub built inside a gilded birdcage three storeys tall. Dancers hang in hoops above a floor "
          "that pulses with the bass. The Velvet Choir's sigil, a closed mouth, glows over the bar.",
          building="velvet_cage", tags=("hq",)),
    Place("velvet.kevlar_lace", 8, 17, "Kevlar & Lace", "shop", "e",
          "A boutique where armour is cut like couture. Mannequins in ballistic silk pose under pink spotlights; "
          "the changing rooms are also firing booths.", building="kevlar_lace", shop="shop.kevlar_lace"),
    Place("velvet.smoke_room", 11, 14, "The Smoke Room", "bar", "e",
          "A low, velvet-walled lounge where fixers meet clients in booths with scramblers under the tables. "
          "The smoke is mostly aesthetic. The deals are mostly real.", building="smoke_room"),
    # Helix Spires
    Place("spires.kv_lobby", 16, 16, "Kuroda-Vance Tower Lobby", "lobby", "w",
          "A cathedral of black marble and falling water. Reception is a wall of faces that all smile at once. "
          "Security turnstiles guard the lifts; a plaque lists the tower's seventy-one floors.",
          building="kv_tower", tags=("hq",)),
    # Jade Hollow
    Place("jade.teahouse", 2, 8, "Nine Lamps Teahouse", "bar", "e",
          "Nine paper lamps hang over low tables where old men drink oolong and young men wait for orders. The "
          "back room is always occupied and never discussed.", building="nine_lamps_teahouse", tags=("hq",)),
    Place("jade.quietus_clinic", 4, 10, "Quietus Clinic", "clinic", "w",
          "A back-alley clinic with surprisingly clean tiles: herbal tinctures on one shelf, military medgel on "
          "the next. An autodoc arm twitches in its cradle, waiting.",
          building="quietus_clinic", shop="shop.quietus_clinic"),
    Place("jade.counting_house", 5, 13, "Nine Lamps Counting House", "office", "e",
          "Ledgers in paper and in cold storage fill a windowless office. An abacus sits beside a quantum "
          "cashbox. Every debt in Jade Hollow is written here, in red ink.", building="counting_house"),
    Place("jade.static_shrine", 1, 11, "Shrine of Forgotten Frequencies", "glitch", "w",
          "A tiny shrine where a dead television plays a channel that was never broadcast. The incense smoke "
          "falls upward. The Saints of Static leave offerings of burnt-out chips.",
          building="static_shrine", tags=("glitch",)),
    # Lumen Bazaar
    Place("bazaar.hexwire_arms", 10, 10, "Hexwire Arms", "shop", "w",
          "A gun shop built into a shipping container, walls lined with pistols, shotguns and things without "
          "names. A sign says NO TEST FIRING. The ceiling is full of bullet holes.",
          building="hexwire_arms", shop="shop.hexwire_arms"),
    Place("bazaar.sato_noodles", 8, 10, "Lucky Sato's Noodle Bar", "bar", "e",
          "Eight stools around a steaming counter. Lucky Sato has served noodles here through two riots and a "
          "corporate war, and will tell you about both.", building="sato_noodles",
          shop="shop.sato_noodles"),
    Place("bazaar.guild_hall", 11, 11, "Lantern Guild Hall", "office", "e",
          "A hall hung with a thousand lanterns, one for every licensed stall. Wardens weigh disputes at a "
          "brass table; the guild's scales are said never to lie.", building="lantern_guild_hall", tags=("hq",)),
    # Foundry Row
    Place("foundry.union_hall", 14, 10, "Rustmouth Union Hall", "office", "e",
          "A converted smelter floor with folding chairs, strike banners and a bar made from a conveyor belt. "
          "A wall of names remembers the workers lost in the automation riots.",
          building="union_hall", tags=("hq",)),
    Place("foundry.company_store", 16, 8, "The Company Store", "shop", "w",
          "The old factory store, now run by the union: canned food, work gear, ammunition sold by weight. "
          "Prices are chalked on a board and rarely honest.",
          building="company_store", shop="shop.company_store"),
    Place("foundry.scrapyard", 17, 11, "Drone Scrapyard", "warehouse", "e",
          "Mountains of dead drones behind razor wire. Not all of them are dead. Red optics blink awake in the "
          "heaps as you pass.", building="drone_scrapyard"),
    # The Stacks
    Place("stacks.junk_cathedral", 4, 4, "The Junk Cathedral", "shop", "w",
          "A container chapel filled to the roof with salvage: cables coiled like rosaries, optics in jars, a "
          "neon crucifix made of bike lights. Old Tobiah buys anything and sells everything.",
          building="junk_cathedral", shop="shop.junk_cathedral"),
    Place("stacks.jackal_den", 7, 2, "Jackal Den", "warehouse", "w",
          "A gutted warehouse hung with chrome trophies ripped from the dead. Jackals sharpen blades around a "
          "burning tyre. A stairwell behind a grate glows furnace-red.", building="jackal_den", tags=("hq",)),
    Place("stacks.margo_clinic", 2, 5, "Sister Margo's Clinic", "clinic", "e",
          "A container clinic with a hand-painted red cross and a queue that never ends. Sister Margo stitches "
          "wounds for free and keeps a list of who made them.", building="margo_clinic"),
    Place("stacks.hollow_stair", 1, 1, "The Hollow Stair", "glitch", "w",
          "A staircase welded between two containers that climbs into nowhere. Each step echoes a different "
          "year. At the top, the air is full of static and someone whispering your name.",
          building="hollow_stair", tags=("glitch",)),
    # Saltgrave Docks
    Place("docks.rusty_anchor", 10, 4, "The Rusty Anchor", "bar", "w",
          "A dockside bar built from a beached trawler. Nets hang from the ceiling, the floor tilts, and Mags "
          "pours the strongest synth-rum on the coast. Tidewater business is done in the wheelhouse.",
          building="rusty_anchor", shop="shop.rusty_anchor", tags=("hq",)),
    Place("docks.warehouse_13", 14, 2, "Warehouse 13", "warehouse", "e",
          "A cavernous warehouse of unmarked crates under buzzing sodium lights. Tidewater smugglers run "
          "forklifts in the dark. Somebody has painted over the customs seals.", building="warehouse_13"),
    Place("docks.customs_shed", 17, 1, "Pier 9 Customs Shed", "warehouse", "e",
          "An abandoned customs shed with a stamp desk and a heavy hatch in the floor. The stamps all say "
          "CLEARED. The hatch has a Tidewater padlock the size of a fist.", building="pier_9"),
    Place("docks.drowned_terminal", 19, 4, "The Drowned Terminal", "glitch", "w",
          "A ferry terminal half under black water. Departure boards list destinations that do not exist and "
          "times that have not happened yet. The water here does not reflect you.",
          building="drowned_terminal", tags=("glitch",)),
]

LEVELS: list[Level] = [
    Level("bazaar.lumen_platform", "spawn", "d", "Lumen Station Platform", "subway",
          "A tiled subway platform under flickering ads. Trains howl through without stopping; the timetable "
          "has said DELAYED for eleven years. A maintenance stair leads further down."),
    Level("bazaar.platform_zero", "bazaar.lumen_platform", "d", "Platform Zero", "glitch",
          "A platform that appears on no map. A train of light idles at the edge, doors open, destination "
          "blank. The tiles spell words when you are not looking at them.", tags=("glitch",)),
    Level("velvet.cage_vip", "velvet.cage", "u", "The Gilded Perch", "bar",
          "The VIP balcony at the top of the cage. Velvet Choir patrons watch the floor below through one-way "
          "glass and trade secrets like cocktail recipes."),
    Level("spires.kv_security", "spires.kv_lobby", "u", "Kuroda-Vance Security Floor", "office",
          "A floor of holding cells, drone charging racks and screens showing every street in the Spires. The "
          "executive lift at the back needs a keycard."),
    Level("spires.kv_penthouse", "spires.kv_security", "u", "Executive Overwatch Suite", "office",
          "A penthouse of glass and white leather above the clouds. From here, Director Marrow watches the city "
          "through a thousand stolen eyes.", key="item.kv_exec_keycard", tags=("lair",)),
    Level("jade.quietus_theatre", "jade.quietus_clinic", "d", "Quietus Surgery", "clinic",
          "A basement operating theatre, immaculate and cold. Implants in labelled trays. Doc Sable's real work "
          "happens here."),
    Level("foundry.union_roof", "foundry.union_hall", "u", "Union Hall Rooftop", "rooftop",
          "A tar roof among smokestacks where the union keeps pigeons and a rusted anti-drone cannon. The whole "
          "of Foundry Row glows orange below."),
    Level("stacks.furnace_pit", "stacks.jackal_den", "d", "The Furnace Pit", "warehouse",
          "A sunken boiler room turned arena. Chains, cages and a throne welded from engine blocks. Saw Voss "
          "holds court here among the coals.", tags=("lair",)),
    Level("docks.cargo_hold", "docks.customs_shed", "d", "Tidewater Cargo Hold", "warehouse",
          "A flooded smuggling tunnel under the pier, stacked with contraband. Black water laps at the crates. "
          "Leviathan waits at the far end, harpoon in hand.", key="item.tidewater_hold_key", tags=("lair",)),
]

# Street cells with their own identity: (x, y) -> (id, name, kind, description).
LANDMARK_STREETS: dict[tuple[int, int], tuple[str, str, str, str]] = {
    (9, 9): ("spawn", "Lumen Station Plaza", "plaza",
             "The heart of the city: a plaza under a storm of hologram adverts, where the subway spits out "
             "commuters, pilgrims and the newly arrived. Lantern Guild wardens keep the peace around a dry "
             "fountain full of coins. Stairs lead down to the platforms; every direction leads to trouble."),
    (15, 15): ("spires.helix_plaza", "Helix Plaza", "plaza",
               "A vast plaza around a spiral sculpture of chrome DNA. Holographic stock tickers scroll across "
               "the pavement. Kuroda-Vance guards stand at every corner, hands resting on their rifles."),
    (3, 9): ("jade.paifang_gate", "The Paifang Gate", "plaza",
             "A carved gate of red lacquer and fibre-optic dragons marks the entrance to the old town. Nine "
             "lamps burn on its beam; one of them has not gone out in ninety years."),
    (6, 3): ("stacks.barrel_square", "Burning Barrel Square", "plaza",
             "A muddy square ringed by container towers, lit by oil-drum fires. Jackals hold their fights here "
             "and sell what the losers leave behind."),
    (9, 15): ("velvet.crossing", "Velvet Crossing", "plaza",
              "The intersection where the Mile begins: a scramble crossing under forty storeys of animated "
              "billboards, crowded at every hour with revellers and pickpockets."),
}

# Frontier: road ends on the city's edge where the director may grow the city. (x, y) -> outward direction.
FRONTIER: dict[tuple[int, int], str] = {
    (3, 19): "n", (9, 19): "n", (15, 19): "n", (19, 9): "e", (19, 15): "e", (0, 4): "w", (0, 10): "w", (6, 0): "s",
}
FRONTIER_TEXT: dict[str, str] = {
    "n": "To the north the road ends at a barricade of concrete blocks; beyond it, unbuilt lots vanish into smog.",
    "s": "To the south the track sinks into the Sump, a drowned wasteland of half-built foundations.",
    "e": "To the east the street stops at a chain-link fence and a sign: DEVELOPMENT ZONE, NO ENTRY.",
    "w": "To the west the road crumbles into the Outskirts, a fog of scrap fields and dead highways.",
}
