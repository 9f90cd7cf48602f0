"""Descriptions: NPCs and their barks, items; rooms and events come from ``rooms`` and ``events``.

The text changes with role, district theme and threat; unknown values fall back to generic text.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from . import _item_tables as it
from ._name_tables import HANDLES
from ._npc_tables import GENERIC_ROLE, ROLE_WORDS, ROLES, THEME_LINES, THREAT_LINES
from ._util import chance, finish, known_keys, lookup, pick, sample, with_article
from .events import EVENT_TYPES, event_text
from .rooms import ROOM_KINDS, room_description, room_name
from .themes import theme_words

__all__ = [
    "EVENT_TYPES",
    "ROLES",
    "ROOM_KINDS",
    "event_text",
    "item_description",
    "npc_barks",
    "npc_description",
    "room_description",
    "room_name",
]

Rng = np.random.Generator

MAX_BARKS = 20
"""``npc_barks`` returns at most this many lines."""


def _threat_tier(threat_level: object) -> int:
    try:
        level = operator.index(threat_level)  # type: ignore[arg-type]
    except TypeError:
        level = 0
    return 0 if level <= 1 else 1 if level <= 3 else 2 if level <= 6 else 3


def npc_description(rng: Rng, *, role: str, district_theme: str, threat_level: int) -> str:
    """A few sentences on how an NPC of ``role`` looks in a district of ``district_theme`` at ``threat_level``."""
    words = lookup(ROLE_WORDS, role, GENERIC_ROLE)
    theme = theme_words(district_theme)
    people = pick(rng, theme.people)
    adj = pick(rng, theme.adjectives)
    fields = {
        "adj": adj,
        "a_adj": with_article(adj),
        "smell": pick(rng, theme.smells),
        "sound": pick(rng, theme.sounds),
        "People": people[0].upper() + people[1:],
        "noun": pick(rng, theme.nouns),
        "them": words.them,
    }
    parts = [pick(rng, words.openers), pick(rng, words.details)]
    if chance(rng, 0.75):
        parts.append(pick(rng, THEME_LINES))
    parts.append(pick(rng, THREAT_LINES[_threat_tier(threat_level)]))
    return finish(" ".join(parts).format(**fields))


def npc_barks(rng: Rng, *, role: str, n: int = 3) -> list[str]:
    """``n`` distinct short lines an NPC of ``role`` says (fewer when the role has fewer; at most ``MAX_BARKS``)."""
    words = lookup(ROLE_WORDS, role, GENERIC_ROLE)
    try:
        count = min(operator.index(n), MAX_BARKS)
    except TypeError:
        count = 3
    return [finish(b) for b in sample(rng, words.barks, count)]


def item_description(rng: Rng, *, kind: str, rarity: str, effects: Sequence[str] = ()) -> str:
    """A few sentences on an item of ``kind`` and ``rarity``, one per known effect id (at most three)."""
    parts = [
        pick(rng, lookup(it.KIND_DESC, kind, it.GENERIC_DESC)),
        pick(rng, lookup(it.RARITY_DESC, rarity, it.RARITY_DESC["common"])),
    ]
    parts.extend(pick(rng, it.EFFECT_DESC[e]) for e in known_keys(effects, it.EFFECT_DESC)[:3])
    if chance(rng, 0.3):
        parts.append(pick(rng, it.MARKS))
    maker = pick(rng, it.MAKERS)
    text = " ".join(parts).format(
        maker=maker,
        A_maker=with_article(maker, capital=True),
        a_maker=with_article(maker),
        handle=pick(rng, HANDLES).upper(),
        colour=pick(rng, it.COLOURS),
    )
    return finish(text)
