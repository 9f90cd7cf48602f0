"""Questmaker personas and messages: tags from the vocabulary, tone by situation first, then by tag."""

from __future__ import annotations

import dataclasses
import re

import pytest

import ouro_flavor as fl
from ouro_flavor import _qm_tables as qt
from ouro_flavor.questmaker import message_pool

from ._cases import rng_for

PLAYER = "Kestrel"


def _bodies(situation: str, tone: str) -> tuple[str, ...]:
    return tuple(t.format(player=PLAYER) for t in message_pool(situation, tone))


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


def test_persona_shape() -> None:
    for seed in range(300):
        persona = fl.questmaker_persona(rng_for(seed))
        assert 2 <= len(persona.tags) <= 3
        assert set(persona.tags) <= set(fl.QM_TAGS)
        assert len(set(persona.tags)) == len(persona.tags)
        for conflict in qt.CONFLICTS:
            assert not conflict <= set(persona.tags), persona.tags
        assert 2 <= _sentences(persona.prompt_context.replace(persona.name, "Q")) <= 4, persona.prompt_context
        assert persona.name and persona.name in persona.prompt_context
    with pytest.raises(dataclasses.FrozenInstanceError):
        persona.name = "x"  # type: ignore[misc]


def test_personas_vary() -> None:
    personas = [fl.questmaker_persona(rng_for(s)) for s in range(200)]
    assert len({p.name for p in personas}) > 150
    assert len({p.tags for p in personas}) > 20


def test_situation_pools_are_disjoint() -> None:
    for tone in (*fl.QM_TAGS, qt.NEUTRAL):
        for situation in fl.SITUATIONS:
            for other in fl.SITUATIONS:
                if other != situation:
                    assert set(message_pool(situation, tone)).isdisjoint(message_pool(other, tone)), (tone, situation, other)


@pytest.mark.parametrize("situation", fl.SITUATIONS)
def test_message_comes_from_its_situation_pool(situation: str) -> None:
    for tags in [(t,) for t in fl.QM_TAGS] + [()]:
        tone = tags[0] if tags else qt.NEUTRAL
        own = _bodies(situation, tone)
        others = [b for s in fl.SITUATIONS if s != situation for b in _bodies(s, tone)]
        for seed in range(40):
            text = fl.questmaker_message(rng_for(seed), tags=tags, situation=situation, player=PLAYER, npc=None)
            assert any(text.startswith(body) for body in own), (situation, tags, text)
            assert not any(text.startswith(body) for body in others), (situation, tags, text)


def test_idle_pressures_and_progress_praises() -> None:
    idle = {fl.questmaker_message(rng_for(s), tags=("impatient",), situation="idle", player=PLAYER, npc=None) for s in range(60)}
    progress = {
        fl.questmaker_message(rng_for(s), tags=("impatient",), situation="progress", player=PLAYER, npc=None) for s in range(60)
    }
    assert idle.isdisjoint(progress)


def test_tone_follows_the_tags() -> None:
    for seed in range(50):
        for tags in (("cruel", "mercantile"), ("playful",), ("benevolent", "cryptic")):
            text = fl.questmaker_message(rng_for(seed), tags=tags, situation="failure", player=PLAYER, npc=None)
            allowed = [b for t in tags for b in _bodies("failure", t)]
            assert any(text.startswith(b) for b in allowed), (tags, text)


def test_unknown_tags_and_situation_fall_back() -> None:
    for seed in range(30):
        text = fl.questmaker_message(rng_for(seed), tags=("sleepy", "???"), situation="idle", player=PLAYER, npc=None)
        assert any(text.startswith(b) for b in _bodies("idle", qt.NEUTRAL)), text
        text = fl.questmaker_message(rng_for(seed), tags=("cruel",), situation="stalemate", player=PLAYER, npc=None)
        assert text in {g.format(player=PLAYER) for g in qt.GENERIC_MESSAGES} or PLAYER in text


def test_message_via_npc_names_the_npc_and_the_player() -> None:
    for seed in range(30):
        text = fl.questmaker_message(rng_for(seed), tags=("paranoid",), situation="progress", player=PLAYER, npc="Mama Okafor")
        assert "Mama Okafor" in text and PLAYER in text


def test_quest_text_names_everyone() -> None:
    for kind in fl.QUEST_KINDS:
        for seed in range(30):
            text = fl.quest_text(rng_for(seed), kind=kind, target="the Rat King", location="Lantern Row", giver="Mama Okafor")
            assert "Mama Okafor" in text and "Lantern Row" in text, text
            if kind != "go_to":
                assert "the Rat King" in text or "The Rat King" in text, text


def test_quest_titles_vary_by_kind() -> None:
    titles = {kind: {fl.quest_title(rng_for(s), kind=kind) for s in range(60)} for kind in fl.QUEST_KINDS}
    for kind, found in titles.items():
        assert len(found) > 30, kind
        for other in fl.QUEST_KINDS:
            if other != kind:
                assert len(found & titles[other]) < 5, (kind, other)
