"""Descriptions vary by role, district theme and threat; rooms by kind; events by type."""

from __future__ import annotations

import ouro_flavor as fl
from ouro_flavor import _npc_tables as nt

from ._cases import rng_for


def _opener_role(text: str) -> set[str]:
    return {role for role, words in nt.ROLE_WORDS.items() if any(text.startswith(o.split("{")[0]) for o in words.openers)}


def test_npc_description_opens_with_its_role() -> None:
    for role in fl.ROLES:
        for seed in range(40):
            text = fl.npc_description(rng_for(seed), role=role, district_theme="slums", threat_level=2)
            assert role in _opener_role(text), (role, text)


def test_npc_description_reflects_threat() -> None:
    for tier, levels in enumerate(((0, 1), (2, 3), (4, 5, 6), (7, 10, 99))):
        markers = [line.split("{")[0] for line in nt.THREAT_LINES[tier]]
        for level in levels:
            for seed in range(30):
                text = fl.npc_description(rng_for(seed), role="ganger", district_theme="docks", threat_level=level)
                assert any(marker in text for marker in markers), (level, text)


def test_npc_description_reflects_theme() -> None:
    seen_theme_words = 0
    for seed in range(100):
        text = fl.npc_description(rng_for(seed), role="civilian", district_theme="docks", threat_level=0)
        words = fl.theme_words("docks")
        pool = (*words.adjectives, *words.smells, *words.sounds, *words.nouns)
        seen_theme_words += any(w in text or w in text.lower() for w in pool) or any(
            p.capitalize() in text for p in words.people
        )
    assert seen_theme_words > 60


def test_drone_is_it() -> None:
    for seed in range(100):
        text = fl.npc_description(rng_for(seed), role="drone", district_theme="tech", threat_level=8)
        assert " them" not in text, text


def test_room_descriptions_differ_by_kind() -> None:
    per_kind = {
        kind: {fl.room_description(rng_for(s), kind=kind, district_theme="market") for s in range(50)}
        for kind in fl.ROOM_KINDS
    }
    for kind, texts in per_kind.items():
        assert len(texts) > 30, kind
        for other, other_texts in per_kind.items():
            if other != kind:
                assert texts.isdisjoint(other_texts), (kind, other)


def test_room_names_are_short_titles() -> None:
    for kind in fl.ROOM_KINDS:
        for theme in fl.THEMES:
            for seed in range(10):
                name = fl.room_name(rng_for(seed), kind=kind, district_theme=theme)
                assert len(name) <= 40 and name[0].isupper(), name


def test_event_text_names_the_district() -> None:
    for event in fl.EVENT_TYPES:
        for seed in range(20):
            text = fl.event_text(rng_for(seed), event_type=event, district="Saltwater Docks")
            assert "Saltwater Docks" in text, text


def test_item_description_mentions_each_effect() -> None:
    from ouro_flavor import _item_tables as it

    for effect in fl.EFFECTS:
        for seed in range(20):
            text = fl.item_description(rng_for(seed), kind="weapon", rarity="rare", effects=[effect])
            assert any(line in text for line in it.EFFECT_DESC[effect]), (effect, text)
