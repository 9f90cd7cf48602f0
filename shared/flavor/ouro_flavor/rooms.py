"""Rooms: names and descriptions for each room kind, coloured by the district theme.

Output is a single line (no newlines) so the engine can wrap it for any client width.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._name_tables import STREET_TYPE, STREET_WORD
from ._util import chance, finish, lookup, pick, with_article
from .themes import theme_words

Rng = np.random.Generator

ROOM_KINDS: tuple[str, ...] = (
    "street", "alley", "plaza", "shop", "bar", "clinic", "apartment", "warehouse", "rooftop", "subway", "lobby",
    "office", "glitch",
)


@dataclass(frozen=True, slots=True)
class RoomWords:
    nouns: tuple[str, ...]  # title-case, for room names
    openers: tuple[str, ...]  # may use {adj}, {a_adj}, {A_adj}
    details: tuple[str, ...]


_ROOMS: dict[str, RoomWords] = {
    "street": RoomWords(
        ("Street", "Avenue", "Crossing", "Boulevard", "Strip"),
        ("{A_adj} street runs between towers that vanish into the smog.", "Traffic hisses past on {a_adj} avenue.",
         "The street here is {adj}, lit by a hundred advertisements fighting for attention."),
        ("Puddles reflect the neon in broken colours.", "An autocab idles at the kerb, meter running.",
         "Holo-ads follow passers-by, whispering their names.", "Steam rises from a grate in the road."),
    ),
    "alley": RoomWords(
        ("Alley", "Backstreet", "Passage", "Gap", "Cut-Through"),
        ("{A_adj} alley squeezes between two buildings.", "This narrow, {adj} passage smells of things best left unnamed.",
         "{A_adj} backstreet where the neon doesn't reach."),
        ("Dumpsters overflow beneath a tangle of fire escapes.", "Rainwater pours from a broken gutter in a steady sheet.",
         "Someone has painted a warning in red across the brick.", "A fire escape ladder hangs just out of reach."),
    ),
    "plaza": RoomWords(
        ("Plaza", "Square", "Concourse", "Commons", "Court"),
        ("{A_adj} plaza opens up beneath the megastructures.", "The square is wide and {adj}, ringed by food stalls.",
         "{A_adj} concourse where a dozen walkways meet."),
        ("A dry fountain is crowned with a statue of a forgotten CEO.", "Giant screens loop the evening news on mute.",
         "Pigeons and drones fight over the same scraps.", "Benches here have spikes, to discourage sleeping."),
    ),
    "shop": RoomWords(
        ("Shop", "Store", "Stall", "Counter", "Showroom"),
        ("{A_adj} shop crammed floor to ceiling with merchandise.", "This cramped, {adj} store smells of cardboard and solder.",
         "{A_adj} little showroom with a grille half pulled down."),
        ("A security camera swivels to follow every customer.", "Price tags are handwritten and frequently crossed out.",
         "A bell over the door plays a warped jingle.", "Shelves of half-working gear lean against the walls."),
    ),
    "bar": RoomWords(
        ("Bar", "Lounge", "Dive", "Taproom", "Den"),
        ("{A_adj} bar, low-ceilinged and loud.", "This {adj} dive is packed with regulars and smoke.",
         "{A_adj} lounge where the music never quite stops."),
        ("A jukebox plays synth ballads nobody requested.", "Bottles glow on backlit shelves behind the counter.",
         "Knife marks scar the tables.", "A dancer flickers on a cheap holo-stage."),
    ),
    "clinic": RoomWords(
        ("Clinic", "Ripperdoc", "Medbay", "Surgery", "Ward"),
        ("{A_adj} clinic, too bright and not clean enough.", "{A_adj} back-room surgery behind a beaded curtain.",
         "This {adj} medbay hums with old machines."),
        ("A surgical chair sits under a bank of articulated arms.", "Jars of preserved cyberware line the shelves.",
         "The floor drain is stained a colour nobody mentions.", "A waiting list is scrawled on a whiteboard."),
    ),
    "apartment": RoomWords(
        ("Apartment", "Flat", "Unit", "Hab", "Room"),
        ("{A_adj} apartment barely larger than its bed.", "This {adj} hab unit has one window and a view of another wall.",
         "{A_adj} flat, cluttered with someone else's life."),
        ("Instant noodle cups stack up beside a cheap terminal.", "A screen plays a soap opera for nobody.",
         "The ceiling leaks into a bucket.", "A window looks out over an endless grid of lights."),
    ),
    "warehouse": RoomWords(
        ("Warehouse", "Depot", "Storehouse", "Loading Bay", "Godown"),
        ("{A_adj} warehouse of stacked crates and echoes.", "This {adj} depot is lit by a single swinging lamp.",
         "A cavernous, {adj} loading bay."),
        ("Forklifts sit abandoned mid-task.", "Crates are stencilled with a corp logo someone tried to sand off.",
         "Chains hang from a gantry overhead.", "Rats scatter from a split sack of synth-grain."),
    ),
    "rooftop": RoomWords(
        ("Rooftop", "Roof", "Helipad", "Ledge", "Terrace"),
        ("{A_adj} rooftop high above the street.", "Wind whips across this {adj} roof.",
         "{A_adj} ledge overlooking the sprawl."),
        ("Satellite dishes and water tanks crowd the edges.", "Far below, the city glows like a circuit board.",
         "A drone route passes close enough to touch.", "A makeshift garden grows in old tyres."),
    ),
    "subway": RoomWords(
        ("Platform", "Station", "Tunnel", "Subway", "Underpass"),
        ("{A_adj} subway platform under flickering tubes.", "This {adj} station smells of brakes and bodies.",
         "{A_adj} tunnel where the trains no longer stop."),
        ("The arrivals board has shown DELAYED for years.", "Buskers compete with the rumble of passing trains.",
         "Ticket gates hang open, their scanners smashed.", "Graffiti covers every inch of the tiles."),
    ),
    "lobby": RoomWords(
        ("Lobby", "Atrium", "Foyer", "Reception", "Entrance Hall"),
        ("{A_adj} lobby of polished stone and quiet money.", "This {adj} atrium rises ten floors under glass.",
         "{A_adj} foyer guarded by a receptionist hologram."),
        ("Security gates chime softly as employees pass.", "A water feature trickles beside leather sofas nobody sits on.",
         "A brass plaque lists the companies upstairs.", "An elevator bank waits behind a biometric scanner."),
    ),
    "office": RoomWords(
        ("Office", "Suite", "Cubicle Farm", "Boardroom", "Workspace"),
        ("{A_adj} office floor of identical desks.", "This {adj} suite overlooks the city through tinted glass.",
         "{A_adj} boardroom with a table longer than a subway car."),
        ("Screens glow with productivity metrics.", "A motivational poster reads SYNERGY IS SURVIVAL.",
         "A coffee machine grinds away in a corner.", "Shredders hum beside every desk."),
    ),
    "glitch": RoomWords(
        ("Glitch", "Null Space", "Fault", "Loop", "Error"),
        ("The {adj} street repeats here, slightly wrong.", "Space folds in on itself; the walls are {adj} and unfinished.",
         "Something {adj} renders half a second late."),
        ("The same pedestrian walks past every eleven seconds.", "Text drifts in the air: ROOM NOT FOUND.",
         "Shadows point the wrong way.", "Your reflection blinks before you do. ▒▒▒"),
    ),
}
_GENERIC_ROOM = RoomWords(
    ("Place", "Corner", "Spot", "Stretch"),
    ("{A_adj} corner of the city.", "{A_adj} space between other places."),
    ("Nothing here stays still for long.", "Rain finds its way in, as it always does."),
)
_THEME_LINES: tuple[str, ...] = (
    "The air smells of {smell}.", "You hear {sound}.", "{People} pass by without a second glance.",
    "Nearby: {noun}.", "Somewhere close: {sound}.", "A smell of {smell} hangs in the air.",
)


def _title(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


def room_description(rng: Rng, *, kind: str, district_theme: str) -> str:
    """Two to four sentences describing a room of ``kind`` in a ``district_theme`` district."""
    room = lookup(_ROOMS, kind, _GENERIC_ROOM)
    theme = theme_words(district_theme)
    people = pick(rng, theme.people)
    adj = pick(rng, theme.adjectives)
    opener = pick(rng, room.openers).format(adj=adj, a_adj=with_article(adj), A_adj=with_article(adj, capital=True))
    parts = [opener, pick(rng, room.details)]
    line = pick(rng, _THEME_LINES)
    parts.append(
        line.format(
            smell=pick(rng, theme.smells), sound=pick(rng, theme.sounds), noun=pick(rng, theme.nouns),
            People=people[0].upper() + people[1:],
        )
    )
    if chance(rng, 0.4):
        parts.append(pick(rng, room.details))
        if parts[-1] == parts[1]:
            parts.pop()
    return finish(" ".join(parts))


def room_name(rng: Rng, *, kind: str, district_theme: str) -> str:
    """A short room title, e.g. ``Rain-Slick Alley`` or ``Meridian Lobby``."""
    room = lookup(_ROOMS, kind, _GENERIC_ROOM)
    theme = theme_words(district_theme)
    noun = pick(rng, room.nouns)
    roll = rng.random()
    if room is _ROOMS["glitch"] and roll < 0.3:
        return f"{noun} 0x{int(rng.random() * 65536):04X}"
    if room is _ROOMS["street"] and roll < 0.4:
        return finish(f"{pick(rng, STREET_WORD)} {pick(rng, STREET_TYPE)}")
    if roll < 0.6:
        return finish(f"{_title(pick(rng, theme.adjectives))} {noun}")
    return finish(f"{pick(rng, theme.place_roots)} {noun}")
