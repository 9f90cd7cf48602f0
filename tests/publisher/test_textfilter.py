"""The banned-word filter sees through case, accents, leetspeak, separators, invisibles and homoglyphs."""

from __future__ import annotations

import bisect
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ouro_publisher.textfilter import _ASCII_TABLE, TextFilter, normalise
from ouro_schemas.guardrails import Filters, Guardrails

F_FILTERS = Filters(banned_words=["fuck", "bitch", "ass", "lil"],
                    banned_themes={"self_harm": ["kill yourself"], "extremism": ["nazi"]})
F = TextFilter(F_FILTERS)


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


def _reference_scan(filters: Filters, texts: list[str]) -> list[tuple[str, str, int, str]]:
    """The filter in its plain form — one named group per term, the look-behind in front — which `re`
    has to try at every position: the fast form must find exactly what this finds."""
    terms = [("filter.banned_word", w) for w in filters.banned_words if any(c.isalnum() for c in normalise(w))]
    terms += [("filter.banned_theme", f"{t}: {kw}") for t, kws in sorted(filters.banned_themes.items())
              for kw in kws if any(c.isalnum() for c in normalise(kw))]
    gap = f"[^a-z0-9]{{0,{filters.max_separator_run}}}"
    alts = []
    for i, (_, term) in enumerate(terms):
        word = term.split(": ", 1)[1] if ": " in term else term
        letters = [c for c in normalise(word) if c.isalnum()]
        parts = [f"(?:{ {'i': '[il]', 'l': '[li]'}.get(c, re.escape(c))}+)" for c in letters]
        alts.append(f"(?P<t{i}>{gap.join(parts)})")
    regex = re.compile(r"(?<![a-z])(?:" + "|".join(alts) + r")(?![a-z])")
    normed = [normalise(t) for t in texts]
    starts, pos = [], 0
    for t in normed:
        starts.append(pos)
        pos += len(t) + 16
    out, seen = [], set()
    for m in regex.finditer(("\n" * 16).join(normed)):
        idx, seg = int((m.lastgroup or "t0")[1:]), bisect.bisect_right(starts, m.start()) - 1
        if (idx, seg) not in seen:
            seen.add((idx, seg))
            out.append((*terms[idx], seg, m.group(0)))
    return out


DEFAULT_FILTERS = Guardrails().filters
PIECES = ["fuck", "f.u.c.k", "b1tch", "ass", "class", "nazi", "n a z i", "kill yourself", "k1ll y0urself",
          "lil", "ill", "i", "l", "1", "|", " ", ".", "-", "é", "\u200b", "Ν", "аss", "grass", "sh!t",
          "shit", "bitcoin", "suicide", "x", "yo", "urself"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=8).map("".join),
                min_size=1, max_size=4))
def test_fast_form_finds_exactly_what_the_plain_form_finds(texts: list[str]) -> None:
    for filters in (F_FILTERS, DEFAULT_FILTERS):
        fast = [(h.rule, h.term, h.segment, h.found) for h in TextFilter(filters).scan(texts)]
        assert fast == _reference_scan(filters, texts), texts


def test_ascii_fast_path_is_normalise() -> None:
    """ASCII text is normalised through a byte table: the same as `normalise`, for every character."""
    every_ascii = "".join(chr(i) for i in range(128))
    assert every_ascii.encode().translate(_ASCII_TABLE).decode() == normalise(every_ascii)
    assert [h.term for h in F.scan(["x" * 100_000 + " N4Z! " + "y" * 10])] == ["extremism: nazi"]
