"""World events: the line players see when the director triggers an event in a district."""

from __future__ import annotations

import numpy as np

from ._util import clean, finish, lookup, pick

Rng = np.random.Generator

EVENT_TYPES: tuple[str, ...] = (
    "market_fluctuation", "blackout", "gang_war", "corp_raid", "acid_storm", "power_vacuum", "net_crash",
    "festival", "lockdown", "invasion",
)

# (headlines, follow-ups); {district} is the cleaned district name.
_EVENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "market_fluctuation": (
        ("Prices in {district} lurch as a rumour tears through the trading feeds.",
         "Every ticker in {district} turns red at once.", "A corp buyout sends {district}'s street prices spinning.",
         "Vendors in {district} scramble to rewrite their price tags."),
        ("Smart money is buying; everyone else is panicking.", "Some stalls double their prices; others close.",
         "Fixers smell opportunity.", "Credchips change hands fast and nervously."),
    ),
    "blackout": (
        ("The grid fails and {district} drops into darkness.", "Every light in {district} dies with a thunk.",
         "A substation blows and {district} goes black.", "Neon gutters out across {district}, block by block."),
        ("Emergency lights glow red; looters are already moving.", "Only the corp towers stay lit, on private power.",
         "In the dark, people remember old grudges.", "Drones hang dead in the air, then start to fall."),
    ),
    "gang_war": (
        ("Gunfire rattles through {district} as two gangs go to war.", "Colours clash in the streets of {district}.",
         "A truce breaks in {district}, loudly.", "Burning cars block the roads into {district}."),
        ("Civilians bolt their doors and pray.", "Every corner has a lookout and every lookout has a gun.",
         "Nobody is calling the cops; the cops are hiding.", "Word is, somebody paid for this to start."),
    ),
    "corp_raid": (
        ("Corporate strike teams pour into {district}.", "Black vans and armed drones seal off {district}.",
         "A corp security convoy rolls through {district}, doors open, guns out.",
         "Tiltrotors thunder over {district}, dropping armoured squads."),
        ("They are looking for something, or someone.", "Residents are ordered to stay inside and keep their IDs ready.",
         "Anyone who runs is a suspect.", "Somewhere, a data broker is packing very quickly."),
    ),
    "acid_storm": (
        ("An acid storm rolls over {district}, hissing on every surface.", "Yellow clouds break open over {district}.",
         "The rain over {district} turns caustic.", "Sirens wail as a toxic front settles on {district}."),
        ("Exposed skin blisters; exposed chrome pits.", "Street vendors haul tarps and vanish.",
         "Respirator prices triple in minutes.", "Only the desperate stay out in it."),
    ),
    "power_vacuum": (
        ("With its boss gone, {district} holds its breath.", "Nobody runs {district} now, and everybody wants to.",
         "The throne in {district} sits empty.", "Old loyalties in {district} are for sale."),
        ("Lieutenants circle each other.", "Every crew is recruiting.", "The smart ones pick a side early; the smarter ones wait.",
         "Somebody will fill the gap. Soon."),
    ),
    "net_crash": (
        ("The local net in {district} crashes hard.", "Every screen in {district} shows the same frozen frame.",
         "A rogue worm tears through {district}'s network.", "Signal dies across {district}."),
        ("Payments fail, doors stick and drones wander.", "Netrunners are either panicking or smiling.",
         "Nobody can call for help, or for backup.", "Something is moving in the dead net."),
    ),
    "festival": (
        ("Lanterns and holograms fill {district} for the festival.", "Drums and firecrackers shake {district} awake.",
         "{district} throws a street party nobody authorised.", "Paper dragons dance through {district}."),
        ("Food carts line every street.", "For one night, the gangs call a truce. Mostly.",
         "Pickpockets have their best night of the year.", "Even the corp drones wear party lights."),
    ),
    "lockdown": (
        ("Barriers slam down around {district}: lockdown.", "{district} is sealed by order of the city.",
         "Checkpoints spring up on every road out of {district}.", "A curfew drops over {district} without warning."),
        ("Nobody in, nobody out, no exceptions for the poor.", "Drones scan every face on every street.",
         "Black market smugglers raise their prices.", "The official reason changes every hour."),
    ),
    "invasion": (
        ("Something pours into {district} from below.", "An army of hostile drones descends on {district}.",
         "Raiders from beyond the wall storm {district}.", "The sewers under {district} break open, and things crawl out."),
        ("Anyone with a gun is suddenly popular.", "The corps are watching, and not helping.",
         "The streets empty in seconds.", "Nobody knows who sent them."),
    ),
}
_GENERIC_EVENT: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("Something is happening in {district}.", "The mood in {district} shifts.", "{district} is restless tonight."),
    ("Word spreads fast on the street.", "People are talking, quietly.", "Nobody is sure what it means yet."),
)


def event_text(rng: Rng, *, event_type: str, district: str) -> str:
    """Two sentences announcing an ``event_type`` in ``district`` (generic words for an unknown type)."""
    headlines, followups = lookup(_EVENTS, event_type, _GENERIC_EVENT)
    text = f"{pick(rng, headlines)} {pick(rng, followups)}"
    return finish(text.format(district=clean(district, "the district")))
