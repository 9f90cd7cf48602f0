"""Names: variety (>= 990 distinct person names of 1,000 draws), faction styles, item effect colouring."""

from __future__ import annotations

import pytest

import ouro_flavor as fl
from ouro_flavor import _item_tables as it

from ._cases import rng_for


@pytest.mark.parametrize("seed", [0, 1, 42, 2026, 99991])
@pytest.mark.parametrize("faction", [None, *fl.FACTIONS, "Tiger Claws"])
def test_1000_consecutive_person_names_rarely_repeat(seed: int, faction: str | None) -> None:
    rng = rng_for(seed)
    names = [fl.person_name(rng, faction=faction) for _ in range(1000)]
    assert len(set(names)) >= 990


def test_gang_corp_street_names_vary() -> None:
    rng = rng_for(5)
    for fn in (fl.gang_name, fl.corp_name, fl.street_name):
        assert len({fn(rng) for _ in range(500)}) >= 350, fn.__name__


def test_district_names_follow_theme() -> None:
    for theme in fl.THEMES:
        words = fl.theme_words(theme)
        for seed in range(50):
            name = fl.district_name(rng_for(seed), theme)
            assert any(root in name for root in words.place_roots), (theme, name)


def test_handle_styles() -> None:
    rng = rng_for(11)
    gang = [fl.person_name(rng, faction="gang") for _ in range(200)]
    corp = [fl.person_name(rng, faction="corp") for _ in range(200)]
    assert sum('"' in name for name in gang) > 150
    assert not any('"' in name for name in corp)


def test_item_name_is_coloured_by_effect() -> None:
    for effect, adjectives in it.EFFECT_ADJ.items():
        for rarity in ("uncommon", "rare", "epic"):
            for seed in range(30):
                name = fl.item_name(rng_for(seed), kind="weapon", rarity=rarity, effects=[effect])
                assert any(adj in name for adj in adjectives), (effect, rarity, name)


def test_unknown_effects_are_ignored() -> None:
    for seed in range(100):
        for rarity in fl.RARITIES:
            plain = fl.item_name(rng_for(seed), kind="armor", rarity=rarity)
            odd = fl.item_name(rng_for(seed), kind="armor", rarity=rarity, effects=["teleport", ""])
            assert plain == odd


def test_item_name_uses_kind_noun() -> None:
    for kind in fl.KINDS:
        for rarity in fl.RARITIES:
            for seed in range(20):
                name = fl.item_name(rng_for(seed), kind=kind, rarity=rarity)
                assert any(base in name for base in it.BASES[kind]), (kind, rarity, name)


def test_legendary_names_are_grander_than_common() -> None:
    common = [fl.item_name(rng_for(s), kind="weapon", rarity="common") for s in range(200)]
    legendary = [fl.item_name(rng_for(s), kind="weapon", rarity="legendary") for s in range(200)]
    assert all(any(ep in name for ep in it.EPITHETS) for name in legendary)
    assert not any(any(ep in name for ep in it.EPITHETS) for name in common)


def test_building_name_follows_storefront() -> None:
    bars = {fl.building_name(rng_for(s), "bar") for s in range(100)}
    clinics = {fl.building_name(rng_for(s), "ripperdoc") for s in range(100)}
    assert any("Bar" in b or "Tavern" in b or "Saloon" in b for b in bars)
    assert any("Clinic" in c or "Ripperdoc" in c for c in clinics)
    assert bars.isdisjoint(clinics)
