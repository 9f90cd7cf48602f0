"""District themes: the vocabulary every other flavour module colours its text with.

A theme is a plain value from generated content, so lookups never raise: an unknown theme gets the
generic city words (``theme_words``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._util import lookup

THEMES: tuple[str, ...] = (
    "corporate",
    "slums",
    "market",
    "industrial",
    "nightlife",
    "docks",
    "old_town",
    "tech",
)
"""The known district themes."""


@dataclass(frozen=True, slots=True)
class ThemeWords:
    """Words for one theme. Each field is a non-empty tuple of lower-case fragments."""

    adjectives: tuple[str, ...]
    nouns: tuple[str, ...]  # things you see there, usable after "a"/"the"
    smells: tuple[str, ...]
    sounds: tuple[str, ...]
    people: tuple[str, ...]  # plural: who passes by
    place_roots: tuple[str, ...]  # capitalised, for district and room names
    place_suffixes: tuple[str, ...]


GENERIC = ThemeWords(
    adjectives=("rain-slick", "neon-lit", "grimy", "flickering", "crowded", "humming"),
    nouns=("a dead holo-billboard", "a tangle of cables overhead", "a drone charging post", "a shuttered kiosk"),
    smells=("wet concrete and ozone", "frying oil and exhaust", "burnt plastic"),
    sounds=("the drone of traffic far above", "rain drumming on sheet metal", "a distant siren"),
    people=("hurried commuters", "hooded strangers", "delivery drones"),
    place_roots=("Gray", "Neon", "Cinder", "Low", "Iron", "Lantern", "Static"),
    place_suffixes=("Quarter", "Blocks", "Reach", "Sprawl", "Ward"),
)

_THEMES: dict[str, ThemeWords] = {
    "corporate": ThemeWords(
        adjectives=("glass-walled", "immaculate", "climate-controlled", "mirror-bright", "surveilled", "sterile"),
        nouns=(
            "a security checkpoint with idle turrets", "an atrium fountain of recycled rain",
            "a wall-sized stock ticker", "a row of sleek autocabs", "a corporate shrine to quarterly growth",
            "a gene-modded bonsai under glass",
        ),
        smells=("filtered air and lemon disinfectant", "expensive synthetic coffee", "nothing at all"),
        sounds=(
            "soft ambient music piped from nowhere", "the murmur of a hundred earpiece calls",
            "the click of expensive shoes on marble", "a drone announcing the share price",
        ),
        people=("salarymen in identical suits", "security in matte armour", "executives flanked by bodyguards"),
        place_roots=("Meridian", "Apex", "Halcyon", "Sterling", "Zenith", "Aurum", "Crystal", "Summit"),
        place_suffixes=("Heights", "Spires", "Plaza", "Terrace", "Crown", "Arcology"),
    ),
    "slums": ThemeWords(
        adjectives=("sagging", "patched-together", "rust-streaked", "overcrowded", "half-flooded", "squalid"),
        nouns=(
            "a shanty stack of shipping containers", "a burning oil drum", "a shrine of melted candles",
            "laundry strung between dead streetlights", "a water seller's leaking tank", "a wall of gang tags",
        ),
        smells=("open drains and cheap incense", "rot and frying krill", "wet cardboard and mould"),
        sounds=(
            "a baby crying somewhere above", "a pirate radio preacher", "dogs barking at drones",
            "the hiss of a stolen power tap",
        ),
        people=("scavenger kids", "tired day-labourers", "gangers on a stoop", "squatters"),
        place_roots=("Rust", "Mud", "Tin", "Ash", "Drowned", "Broken", "Cinder", "Rat"),
        place_suffixes=("Hollow", "Stacks", "Warrens", "Flats", "Bottoms", "Shanties"),
    ),
    "market": ThemeWords(
        adjectives=("bustling", "tarp-covered", "noisy", "lantern-hung", "haggling", "cramped"),
        nouns=(
            "a stall of refurbished cyberdecks", "a noodle cart wreathed in steam", "crates of grey-market meds",
            "a fortune-telling vending machine", "racks of counterfeit designer jackets", "a fish tank of live eels",
        ),
        smells=("soy, chilli and hot grease", "durian and engine oil", "roasting synth-pork"),
        sounds=(
            "vendors shouting prices in six languages", "a haggling match turning ugly",
            "the clatter of woks", "a cheap speaker looping a jingle",
        ),
        people=("bargain hunters", "pickpockets", "porters with loaded trolleys", "tourists slumming it"),
        place_roots=("Lantern", "Jade", "Copper", "Saffron", "Thousand", "Bazaar", "Silk", "Red"),
        place_suffixes=("Market", "Bazaar", "Row", "Exchange", "Souk", "Arcade"),
    ),
    "industrial": ThemeWords(
        adjectives=("smog-choked", "clanging", "soot-black", "oil-stained", "floodlit", "corroded"),
        nouns=(
            "a fabricator belching steam", "a stack of cooling slag", "a loading crane frozen mid-swing",
            "a chemical runoff channel glowing faintly", "an abandoned exoskeleton", "a pipe leaking vapour",
        ),
        smells=("hot metal and solvent", "sulphur and diesel", "scorched rubber"),
        sounds=(
            "the thud of a press line", "alarms no one answers", "the whine of cargo haulers",
            "steam vents shrieking",
        ),
        people=("shift workers in respirators", "maintenance drones", "union enforcers"),
        place_roots=("Foundry", "Slag", "Cobalt", "Furnace", "Smelter", "Anvil", "Black", "Kiln"),
        place_suffixes=("Works", "Yards", "Line", "Mills", "Sprawl", "Belt"),
    ),
    "nightlife": ThemeWords(
        adjectives=("neon-drenched", "pulsing", "glittering", "sleepless", "sticky", "holo-lit"),
        nouns=(
            "a holographic dancer twenty metres tall", "a queue outside an unmarked club", "a pachinko parlour",
            "a karaoke booth with a cracked door", "a braindance den's pink glow", "an overturned scooter",
        ),
        smells=("spilled soju and perfume", "vape cherry and sweat", "street-grill smoke"),
        sounds=(
            "bass bleeding through every wall", "drunk laughter", "a busker's distorted guitar",
            "an autocab honking at revellers",
        ),
        people=("clubbers in LED makeup", "bouncers with chrome arms", "hustlers", "off-duty corpos"),
        place_roots=("Velvet", "Neon", "Pink", "Glitter", "Midnight", "Electric", "Violet", "Halo"),
        place_suffixes=("Strip", "Mile", "Row", "District", "Lights", "Boulevard"),
    ),
    "docks": ThemeWords(
        adjectives=("fog-bound", "salt-rusted", "crane-shadowed", "tide-stained", "windswept", "container-walled"),
        nouns=(
            "a stack of unmarked shipping containers", "a drowned autotruck", "a smuggler's skiff",
            "a customs drone with a broken camera", "a net of plastic debris", "a gantry crane blinking red",
        ),
        smells=("brine and bunker fuel", "dead fish and diesel", "wet rope and rust"),
        sounds=("foghorns", "gulls fighting over garbage", "waves slapping pylons", "container locks clanging"),
        people=("dockhands", "customs bribe-takers", "smugglers", "fishers selling from buckets"),
        place_roots=("Saltwater", "Anchor", "Brine", "Pier", "Harbor", "Gull", "Tide", "Kraken"),
        place_suffixes=("Docks", "Wharf", "Quay", "Landing", "Basin", "Terminal"),
    ),
    "old_town": ThemeWords(
        adjectives=("crumbling", "pre-collapse", "ivy-choked", "narrow", "lantern-lit", "sunken"),
        nouns=(
            "a temple older than the arcologies", "a tiled fountain gone dry", "a tram line nobody repaired",
            "a hand-painted shop sign", "a statue wearing a traffic cone", "a mahjong table under an awning",
        ),
        smells=("old stone and incense", "tea and rain", "mildew and jasmine"),
        sounds=("wind chimes", "an old radio playing pre-war songs", "temple bells", "pigeons on the eaves"),
        people=("old-timers playing cards", "monks in rain capes", "families who never left"),
        place_roots=("Old", "Temple", "Lantern", "Willow", "Stone", "Jade", "Bell", "Founders'"),
        place_suffixes=("Town", "Quarter", "Lanes", "Hill", "Gate", "Square"),
    ),
    "tech": ThemeWords(
        adjectives=("server-humming", "fibre-strung", "hyper-connected", "blue-lit", "startup-glossy", "wired"),
        nouns=(
            "a coolant stack venting vapour", "a wall of status LEDs", "a drone delivery hub",
            "an open-air data-broker kiosk", "a 3D-printed sculpture of a unicorn logo", "a free wifi shrine",
        ),
        smells=("ozone and warm silicon", "cold brew and solder", "coolant"),
        sounds=(
            "the hum of a thousand servers", "drone rotors", "notification chimes",
            "someone pitching a startup into a phone",
        ),
        people=("netrunners with glassy eyes", "coders in hoodies", "venture scouts", "courier drones"),
        place_roots=("Silicon", "Quantum", "Fibre", "Lambda", "Vector", "Cache", "Kernel", "Bright"),
        place_suffixes=("Valley", "Park", "Campus", "Grid", "Hub", "Node"),
    ),
}


def theme_words(theme: str) -> ThemeWords:
    """The words for ``theme``; the generic city words for an unknown theme."""
    return lookup(_THEMES, theme, GENERIC)
