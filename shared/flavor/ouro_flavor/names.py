"""Names: people, gangs, corps, districts, streets, buildings and items.

Every function is ``(rng, params) -> str``, deterministic in the rng state, and never raises on an
unknown faction/theme/storefront/kind/rarity/effect: it falls back to generic words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from . import _item_tables as it
from . import _name_tables as nt
from ._util import chance, finish, key, known_keys, lookup, pick
from .themes import theme_words

Rng = np.random.Generator

_INITIALS = "ABCDEFGHJKLMNPRSTVWZ"


def _handle(rng: Rng) -> str:
    return pick(rng, nt.HANDLES)


def _net_handle(rng: Rng) -> str:
    return pick(rng, nt.NET_PREFIX) + pick(rng, nt.NET_SUFFIX)


def _plain(rng: Rng) -> str:
    return f"{pick(rng, nt.GIVEN)} {pick(rng, nt.SURNAMES)}"


def _initial(rng: Rng) -> str:
    return f"{pick(rng, nt.GIVEN)} {pick(rng, _INITIALS)}. {pick(rng, nt.SURNAMES)}"


def _surnames(rng: Rng) -> str:
    first, second = pick(rng, nt.SURNAMES), pick(rng, nt.SURNAMES)
    return first if first == second else f"{first}-{second}"


def _double(rng: Rng) -> str:
    return f"{pick(rng, nt.GIVEN)} {_surnames(rng)}"


def _given_handle(rng: Rng) -> str:
    return f'{pick(rng, nt.GIVEN)} "{_handle(rng)}" {pick(rng, nt.SURNAMES)}'


def _handle_double(rng: Rng) -> str:
    return f'"{_handle(rng)}" {_surnames(rng)}'


def _handle_surname(rng: Rng) -> str:
    return f'"{_handle(rng)}" {pick(rng, nt.SURNAMES)}'


def _net(rng: Rng) -> str:
    return f'{pick(rng, nt.GIVEN)} "{_net_handle(rng)}" {pick(rng, nt.SURNAMES)}'


_Form = Callable[[Rng], str]
# (cumulative probability, form): the last threshold is 1.0 so one rng draw always selects a form.
_FORMS: dict[str, tuple[tuple[float, _Form], ...]] = {
    "mixed": (
        (0.30, _plain), (0.52, _given_handle), (0.64, _handle_double), (0.72, _handle_surname),
        (0.84, _double), (0.93, _initial), (1.0, _net),
    ),
    "corp": ((0.25, _plain), (0.70, _initial), (1.0, _double)),
    "gang": ((0.45, _given_handle), (0.70, _handle_surname), (0.90, _handle_double), (1.0, _plain)),
    "net": ((0.70, _net), (0.85, _given_handle), (1.0, _handle_surname)),
}
_FACTION_STYLE: dict[str, str] = {
    "corp": "corp", "corporate": "corp", "corpo": "corp", "corp_security": "corp", "executive": "corp",
    "gang": "gang", "ganger": "gang", "gangs": "gang", "street": "gang", "boss": "gang",
    "netrunner": "net", "netrunners": "net", "runner": "net", "hacker": "net", "net": "net",
}

FACTIONS: tuple[str, ...] = ("corp", "gang", "netrunner")
"""Factions with a naming style of their own; any other value gets the mixed style."""


def person_name(rng: Rng, *, faction: str | None = None) -> str:
    """A person's name: given names, handles and surnames from many cultures, styled by ``faction``."""
    forms = _FORMS[lookup(_FACTION_STYLE, faction, "mixed")]
    roll = rng.random()
    for threshold, form in forms:
        if roll < threshold:
            return finish(form(rng))
    return finish(forms[-1][1](rng))


def gang_name(rng: Rng) -> str:
    """A street gang's name, e.g. ``The Chrome Jackals``."""
    form = pick(rng, nt.GANG_FORMS)
    return finish(form.format(adj=pick(rng, nt.GANG_ADJ), noun=pick(rng, nt.GANG_NOUN), street=pick(rng, nt.STREET_WORD)))


def corp_name(rng: Rng) -> str:
    """A corporation's name, e.g. ``Kessler-Mori Biotech``."""
    a = pick(rng, nt.CORP_ROOT)
    b = pick(rng, nt.CORP_ROOT + nt.SURNAMES[:40])
    if b == a:
        b = pick(rng, nt.SURNAMES)
    form = pick(rng, nt.CORP_FORMS)
    return finish(
        form.format(
            a=a, b=b, ind=pick(rng, nt.CORP_INDUSTRY), ent=pick(rng, nt.CORP_ENTITY), fuse=pick(rng, nt.CORP_FUSE)
        )
    )


_FUSED = ("side", "gate", "mouth", "water", "field", "point", "wick", "town", "haven", "reach")


def district_name(rng: Rng, theme: str) -> str:
    """A district's name coloured by its ``theme`` (generic words for an unknown theme)."""
    words = theme_words(theme)
    root = pick(rng, words.place_roots)
    suffix = pick(rng, words.place_suffixes)
    roll = rng.random()
    if roll < 0.5:
        text = f"{root} {suffix}"
    elif roll < 0.7 and root[-1].isalpha():
        text = root + pick(rng, _FUSED)
    elif roll < 0.85:
        text = f"The {root} {suffix}"
    else:
        text = f"{root} {suffix} {int(rng.random() * 12) + 1}"
    return finish(text)


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }".replace(" ", "")


def street_name(rng: Rng) -> str:
    """A street's name, e.g. ``Lantern Row`` or ``42nd Skyway``."""
    roll = rng.random()
    kind = pick(rng, nt.STREET_TYPE)
    if roll < 0.55:
        text = f"{pick(rng, nt.STREET_WORD)} {kind}"
    elif roll < 0.75:
        text = f"{_ordinal(int(rng.random() * 120) + 1)} {kind}"
    elif roll < 0.87:
        text = f"Old {pick(rng, nt.STREET_WORD)} {kind}"
    else:
        text = f"{pick(rng, nt.SURNAMES)} {kind}"
    return finish(text)


_STOREFRONT_NOUNS: dict[str, tuple[str, ...]] = {
    "bar": ("Bar", "Tavern", "Lounge", "Taproom", "Saloon", "Dive"),
    "club": ("Club", "Lounge", "Dancehall", "Bass Cathedral"),
    "clinic": ("Clinic", "Ripperdoc", "Chop Shop", "Medbay", "Infirmary"),
    "food": ("Noodle Bar", "Dumpling House", "Grill", "Canteen", "Ramen Counter", "Kebab Window"),
    "weapons": ("Armory", "Gun Shop", "Arms", "Hardware", "Firing Range"),
    "armor": ("Outfitters", "Tailors", "Armor Works", "Surplus"),
    "cyberware": ("Chrome Shop", "Cybernetics", "Implant Boutique", "Body Shop"),
    "pawn": ("Pawn", "Junk Emporium", "Salvage", "Swap Shop", "Trading Post"),
    "hotel": ("Hotel", "Capsule Hotel", "Inn", "Rooms", "Coffin Stack"),
    "arcade": ("Arcade", "Pachinko Hall", "Game Den", "VR Parlour"),
    "pharmacy": ("Pharmacy", "Apothecary", "Drugstore", "Meds"),
    "electronics": ("Electronics", "Repair", "Deck Shop", "Tech Bazaar"),
    "garage": ("Garage", "Motorworks", "Chop Yard", "Autobody"),
    "apartment": ("Towers", "Block", "Residences", "Stacks", "Megablock"),
    "office": ("Tower", "Plaza", "Center", "Building", "Campus"),
    "temple": ("Temple", "Shrine", "Chapel", "Church of the Signal"),
    "gym": ("Dojo", "Gym", "Fight Club", "Boxing Hall"),
    "casino": ("Casino", "Card Room", "Gaming House"),
    "tattoo": ("Ink", "Tattoo Parlour", "Skin Art"),
    "broker": ("Data Brokerage", "Info Exchange", "Mailbox Service"),
}
_STOREFRONT_ALIASES: dict[str, str] = {
    "noodle_shop": "food", "restaurant": "food", "noodles": "food", "street_food": "food", "diner": "food",
    "ripperdoc": "clinic", "medic": "clinic", "hospital": "clinic", "gun_shop": "weapons", "weapon": "weapons",
    "chrome": "cyberware", "junk": "pawn", "pawnshop": "pawn", "capsule_hotel": "hotel", "drugs": "pharmacy",
    "tech": "electronics", "residential": "apartment", "corp": "office", "corp_office": "office",
    "nightclub": "club", "dojo": "gym", "data_broker": "broker", "shop": "pawn", "store": "pawn",
}
_GENERIC_NOUNS = ("Emporium", "Place", "Shop", "Exchange", "Depot", "Outlet")
_BUILDING_ADJ = (
    "Lucky", "Golden", "Broken", "Blue", "Electric", "Midnight", "Red", "Last", "Hungry", "Silent", "Rusty",
    "Jade", "Crooked", "Happy", "Drowned", "Velvet", "Plastic", "Flying", "Sleepless", "Honest",
)
STOREFRONTS: tuple[str, ...] = tuple(_STOREFRONT_NOUNS)
"""Storefront kinds with their own vocabulary (plus aliases such as ``ripperdoc`` or ``noodle_shop``)."""


def building_name(rng: Rng, storefront: str) -> str:
    """A building or shop's name for a ``storefront`` kind (generic shop words for an unknown kind)."""
    k = key(storefront)
    nouns = _STOREFRONT_NOUNS.get(_STOREFRONT_ALIASES.get(k, k), _GENERIC_NOUNS)
    noun = pick(rng, nouns)
    roll = rng.random()
    if roll < 0.35:
        text = f"The {pick(rng, _BUILDING_ADJ)} {noun}"
    elif roll < 0.6:
        text = f"{pick(rng, nt.GIVEN)}'s {noun}"
    elif roll < 0.8:
        text = f"{pick(rng, nt.STREET_WORD)} {noun}"
    elif roll < 0.9:
        text = f"{noun} {int(rng.random() * 98) + 2}"
    else:
        text = f"{pick(rng, _BUILDING_ADJ)} {pick(rng, nt.HANDLES)} {noun}"
    return finish(text)


def _model(rng: Rng) -> str:
    return f"{pick(rng, it.MODEL_LETTERS)}-{int(rng.random() * 90) + 10}"


def item_name(rng: Rng, *, kind: str, rarity: str, effects: Sequence[str] = ()) -> str:
    """An item's name: the base noun from ``kind``, grander with ``rarity``, coloured by ``effects`` ids."""
    base = pick(rng, lookup(it.BASES, kind, it.GENERIC_BASES))
    known = known_keys(effects, it.EFFECT_ADJ)
    effect = pick(rng, known) if known else ""
    adj = pick(rng, it.EFFECT_ADJ[effect]) if effect else ""
    maker = pick(rng, it.MAKERS)
    tier = key(rarity)
    if tier == "uncommon":
        text = f"{adj or maker} {maker if adj else _model(rng)} {base}"
    elif tier == "rare":
        text = f"{adj or pick(rng, it.RARE_ADJ)} {maker} {_model(rng)} {base}"
    elif tier == "epic":
        others = [e for e in known if e != effect]
        tail = f" of {pick(rng, it.EFFECT_NOUN[pick(rng, others)])}" if others else ""
        text = f'{adj or pick(rng, it.RARE_ADJ)} {base} "{pick(rng, it.EPITHETS)}"{tail}'
    elif tier == "legendary":
        if chance(rng, 0.5):
            text = f'"{pick(rng, it.EPITHETS)}", {adj or maker} {base} of {pick(rng, it.LEGEND_TAILS)}'
        else:
            text = f"{pick(rng, it.EPITHETS)}, {maker}'s {adj + ' ' if adj else ''}{base}"
    else:  # common, or an unknown rarity
        text = f"{adj or pick(rng, it.CONDITIONS)} {base}" if chance(rng, 0.6) else f"{maker} {base}"
    return finish(text)
