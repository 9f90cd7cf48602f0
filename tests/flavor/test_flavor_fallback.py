"""Unknown or malformed values from generated content fall back to generic text and never raise."""

from __future__ import annotations

from typing import Any

import ouro_flavor as fl

from ._cases import rng_for

ODD: tuple[Any, ...] = ("", "   ", "UNKNOWN", "Corp Security", "ganger\x00", "x" * 10_000, "ñandú", "{role}", None, 7)


def test_odd_values_never_raise() -> None:
    rng = rng_for(3)
    for value in ODD:
        outputs = [
            fl.person_name(rng, faction=value),
            fl.district_name(rng, value),
            fl.building_name(rng, value),
            fl.item_name(rng, kind=value, rarity=value, effects=[value, value]),
            fl.item_name(rng, kind="weapon", rarity="rare", effects=value),
            fl.npc_description(rng, role=value, district_theme=value, threat_level=value),
            *fl.npc_barks(rng, role=value, n=3),
            fl.item_description(rng, kind=value, rarity=value, effects=(value,)),
            fl.room_description(rng, kind=value, district_theme=value),
            fl.room_name(rng, kind=value, district_theme=value),
            fl.event_text(rng, event_type=value, district=value),
            fl.quest_title(rng, kind=value),
            fl.quest_text(rng, kind=value, target=value, location=value, giver=value),
            fl.questmaker_message(rng, tags=(value,), situation=value, player=value, npc=value),
        ]
        for text in outputs:
            assert isinstance(text, str) and text and text.isprintable() and len(text) <= 600, (value, text)


def test_enumerated_values_are_normalised() -> None:
    # "Corp Security" and "corp-security" are read as corp_security, not as unknown.
    a = fl.npc_description(rng_for(1), role="Corp Security", district_theme="Old Town", threat_level=3)
    b = fl.npc_description(rng_for(1), role="corp_security", district_theme="old_town", threat_level=3)
    assert a == b


def test_unknown_values_use_generic_words() -> None:
    generic = fl.theme_words("nowhere")
    assert generic is fl.theme_words("")
    assert generic is not fl.theme_words("docks")
    for theme in fl.THEMES:
        assert fl.theme_words(theme) is not generic


def test_public_api() -> None:
    assert fl.FLAVOR_VERSION == "1"
    for name in fl.__all__:
        assert hasattr(fl, name), name
    assert set(fl.THEMES) >= {"corporate", "slums", "market", "industrial", "nightlife", "docks", "old_town", "tech"}
