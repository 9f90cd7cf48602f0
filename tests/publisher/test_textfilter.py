"""The banned-word filter sees through case, accents, leetspeak, separators, invisibles and homoglyphs."""

from __future__ import annotations

import pytest

from ouro_publisher.textfilter import TextFilter, normalise
from ouro_schemas.guardrails import Filters

F = TextFilter(Filters(banned_words=["fuck", "bitch", "ass"],
                       banned_themes={"self_harm": ["kill yourself"], "extremism": ["nazi"]}))


@pytest.mark.parametrize("text", [
    "FUCK off",                      # case
    "fück off",                      # accent
    "f\u0308u\u0301ck",              # combining marks
    "ｆｕｃｋ",                        # fullwidth
    "𝐟𝐮𝐜𝐤",                          # mathematical bold
    "f.u.c.k this",                  # separators
    "f - u - c - k",                 # spaced separators
    "f\u200bu\u200cc\u200dk",        # zero-width space / non-joiner / joiner
    "f\u00adu\u2060c\ufeffk",        # soft hyphen, word joiner, BOM
    "fuuuuck",                       # repeated letters
    "b1tch", "b!tch", "b|tch", "8itch",  # leetspeak
    "bіtch",                         # Cyrillic і
    "nаzі",                          # Cyrillic а and і
    "Νazι", "ΝΑΖΙ",                  # Greek
    "k1ll y0urs3lf",                 # theme with leet
    "KILL\u200bYOURSELF",
    "a$$",
])
def test_disguised_terms_are_found(text: str) -> None:
    assert F.scan(["harmless words", text]), text


@pytest.mark.parametrize("text", [
    "a classic assassin passes the grass",
    "the bitcoin stall", "Pitch black alley", "skill yourselves? no",
    "Nazir the fixer", "", "🙂🙂",
])
def test_innocent_text_passes(text: str) -> None:
    hits = F.scan([text])
    assert not [h for h in hits if h.term in ("ass", "bitch")], hits


def test_hit_names_the_text_and_the_term() -> None:
    hits = F.scan(["fine", "fine too", "some n.a.z.i graffiti"])
    assert [(h.rule, h.term, h.segment) for h in hits] == [("filter.banned_theme", "extremism: nazi", 2)]


def test_no_match_across_texts() -> None:
    assert F.scan(["fu", "ck"]) == []


def test_normalise_is_stable_on_ascii() -> None:
    assert normalise("Hello") == "hello"
