"""Small helpers shared by the flavour modules: picking from tables, cleaning caller text, bounding output.

Every random choice goes through ``pick``/``chance``, which call ``rng.random()`` once: it is several
times cheaper than ``rng.integers`` for a scalar, and one call per choice keeps the draw sequence (and so
the text for a given seed) easy to reason about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

MAX_LEN = 600
"""No flavour string is longer than this."""

PARAM_LEN = 60
"""Caller-supplied names (player, npc, target, location, giver, district) are cut to this length."""


def pick(rng: np.random.Generator, seq: Sequence[T]) -> T:
    """One uniformly chosen element of a non-empty sequence."""
    return seq[int(rng.random() * len(seq))]


def chance(rng: np.random.Generator, p: float) -> bool:
    """True with probability ``p``."""
    return rng.random() < p


def sample(rng: np.random.Generator, seq: Sequence[T], k: int) -> list[T]:
    """``k`` distinct elements (by position) of ``seq``; all of them, shuffled, when ``k >= len(seq)``."""
    pool = list(seq)
    k = max(0, min(k, len(pool)))
    # Partial Fisher-Yates: only the first k slots are settled.
    for i in range(k):
        j = i + int(rng.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def key(value: object) -> str:
    """Normalise an enumerated value from generated content: ``"Corp Security"`` -> ``"corp_security"``."""
    if not isinstance(value, str):
        return ""
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def known_keys(values: object, table: Mapping[str, object]) -> list[str]:
    """The normalised values found in ``table``, deduplicated in order; a lone string counts as one value.

    Anything that is not a string or an iterable (``None``, a number) gives no keys.
    """
    items: Iterable[object]
    if isinstance(values, str):
        items = (values,)
    elif isinstance(values, Iterable):
        items = values
    else:
        return []
    found: list[str] = []
    for value in items:
        k = key(value)
        if k in table and k not in found:
            found.append(k)
    return found


def lookup(table: Mapping[str, T], value: object, default: T) -> T:
    """``table[key(value)]``, or ``default`` for an unknown or malformed value (never raises)."""
    return table.get(key(value), default)


def clean(text: object, fallback: str, limit: int = PARAM_LEN) -> str:
    """Caller text made safe to interpolate: printable, single-line, at most ``limit`` characters."""
    if not isinstance(text, str):
        return fallback
    if not text.isprintable() or "  " in text:
        text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or fallback


def with_article(word: str, *, capital: bool = False) -> str:
    """``word`` after "a" or "an" by its first letter (``"an oil-stained"``, ``"a humming"``)."""
    lower = word.lower()
    vowel = lower[:1] in ("a", "e", "i", "o", "u") and not lower.startswith(("one", "uni", "use", "eu"))
    article = "an" if vowel else "a"
    return f"{article.capitalize() if capital else article} {word}"


def finish(text: str) -> str:
    """Final pass on an output string: first letter capitalised, bounded to ``MAX_LEN`` at a word break."""
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if len(text) > MAX_LEN:
        cut = text.rfind(" ", 0, MAX_LEN - 1)
        text = text[: cut if cut > 0 else MAX_LEN - 1].rstrip(" ,;:") + "…"
    return text
