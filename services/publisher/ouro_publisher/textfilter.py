"""Banned words and banned themes, found however they are disguised (gate step 3).

Every string is normalised before matching, in this order (each step undoes one disguise):

1. invisible characters dropped: zero-width spaces/joiners, soft hyphens, BOMs, bidi controls,
   variation selectors, Hangul fillers (everything of category Cf/Cc/Mn plus a few Lo fillers);
2. NFKD, then combining marks dropped: accents (é → e), fullwidth and mathematical letters (ｋ, 𝐤 → k);
3. casefold;
4. confusable homoglyphs mapped to Latin (Cyrillic а/е/о/р/с…, Greek ο/α/ε…; capitals before casefold);
5. leetspeak mapped to letters (0→o, 3→e, 4/@→a, 5/$→s, 7/+→t, 1/!/|→i or l).

A banned word then matches letter by letter with runs of up to `max_separator_run` separators
(spaces, punctuation, underscores) between letters and repeated letters ("k.i.i.l l"), and must not
sit inside a longer word (letters on either side), so "class" does not match "ass".
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from ouro_schemas.guardrails import Filters

_INVISIBLE_EXTRA = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x180E}
_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ɡ": "g", "һ": "h",
    "ӏ": "l", "ԛ": "q", "ԝ": "w", "ь": "b", "г": "r", "п": "n", "и": "u",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ς": "s", "σ": "o", "μ": "u", "λ": "l",
    # Latin lookalikes NFKD leaves alone
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ß": "ss", "æ": "ae", "œ": "oe",
    "ɑ": "a", "ɩ": "i", "ʀ": "r", "ꞵ": "b",
}
_LEET = {"0": "o", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t", "+": "t", "8": "b",
         "9": "g", "6": "g", "1": "i", "!": "i", "|": "l", "€": "e", "£": "l", "¢": "c"}
# Capitals first: a Greek capital Nu looks like N, but its lower case (ν) looks like v.
_UPPER = str.maketrans({
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o",
    "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h",
    "О": "o", "Р": "p", "С": "c", "Т": "t", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j",
})
_TABLE = str.maketrans({**_CONFUSABLES, **_LEET})
# The same map for ASCII text as a byte table (bytes.translate runs in C; str.translate looks up a dict
# per character): upper case to lower case and the leet digits and signs to letters, all 1:1.
_ASCII_TABLE = bytes(ord(_LEET.get(chr(b), chr(b).lower())) for b in range(128)) + bytes(range(128, 256))
# After the leet map "1", "!" and "|" became i or l: a banned i or l matches either.
_LETTER_CLASS = {"i": "[il]", "l": "[li]"}


def normalise(text: str) -> str:
    """The matching form of `text` (see the module docstring)."""
    if not text.isascii():
        out = []
        for ch in unicodedata.normalize("NFKD", text):
            cat = unicodedata.category(ch)
            if cat in ("Mn", "Me", "Cf", "Cc", "Cs", "Co") or ord(ch) in _INVISIBLE_EXTRA:
                continue
            if 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF:  # variation selectors
                continue
            out.append(ch)
        text = "".join(out).translate(_UPPER)
    return text.casefold().translate(_TABLE)


def _alternatives(word: str, sep: int) -> list[str]:
    """The regex alternatives for one term, each starting with a literal letter, so that the combined
    pattern opens with a branch of literals and `re` only tries the positions holding a first letter
    (a branch that opens with a group, a class or a look-behind makes it try every position).

    A term matches letter by letter, each letter repeated, up to `sep` separators between letters, and
    not after a letter: that look-behind sits right after the first letter, where it still looks at
    the character before it. A first letter i or l also stands for the other (after the leet map)."""
    letters = [c for c in normalise(word) if c.isalnum()]
    gap = f"[^a-z0-9]{{0,{sep}}}"
    rest = "".join(f"{gap}(?:{_LETTER_CLASS.get(c, re.escape(c))}+)" for c in letters[1:])
    first = letters[0]
    starts = sorted(_LETTER_CLASS[first].strip("[]")) if first in _LETTER_CLASS else [first]
    cls = _LETTER_CLASS.get(first, re.escape(first))
    return [f"{re.escape(c)}(?<![a-z]{re.escape(c)}){cls}*{rest}" for c in starts]


@dataclass(frozen=True)
class Hit:
    rule: str  # filter.banned_word | filter.banned_theme
    term: str  # the banned word or "<theme>: <keyword>"
    segment: int  # index of the text it was found in
    found: str  # the disguised original, as normalised


class TextFilter:
    """Compiled once per guardrails version; `scan` is pure and thread-safe."""

    def __init__(self, filters: Filters) -> None:
        self._terms: list[tuple[str, str]] = []
        for word in filters.banned_words:
            if any(c.isalnum() for c in normalise(word)):
                self._terms.append(("filter.banned_word", word))
        for theme, keywords in sorted(filters.banned_themes.items()):
            for kw in keywords:
                if any(c.isalnum() for c in normalise(kw)):
                    self._terms.append(("filter.banned_theme", f"{theme}: {kw}"))
        # One pattern per term (to name the term of a hit) and all of them in one (to find hits).
        self._each: list[re.Pattern[str]] = []
        alts: list[str] = []
        for _, term in self._terms:
            word = term.split(": ", 1)[1] if ": " in term else term
            mine = _alternatives(word, filters.max_separator_run)
            self._each.append(re.compile("(?:" + "|".join(mine) + r")(?![a-z])"))
            alts.extend(mine)
        self._regex = re.compile("(?:" + "|".join(alts) + r")(?![a-z])") if alts else None

    def _term_at(self, text: str, pos: int) -> int:
        """Which term the combined pattern matched at `pos`: the first one, in order, that matches there
        (alternatives are tried in order)."""
        return next(i for i, each in enumerate(self._each) if each.match(text, pos))

    def scan(self, texts: list[str]) -> list[Hit]:
        """Every banned term found in `texts` (one hit per term and text)."""
        if self._regex is None or not texts:
            return []
        # 16 newlines between texts: more than any separator run, so no match spans two texts.
        sep = "\n" * 16
        joined = sep.join(texts)
        if joined.isascii():
            # ASCII normalises letter for letter (casefold and the leet map are 1:1 there): normalising the
            # joined texts is joining the normalised texts, at the same offsets.
            joined = joined.encode().translate(_ASCII_TABLE).decode()
            normed = texts
        else:
            normed = [normalise(t) for t in texts]
            joined = sep.join(normed)
        if self._regex.search(joined) is None:  # the common case: one search, no iterator
            return []
        hits: list[Hit] = []
        seen: set[tuple[int, int]] = set()
        starts: list[int] = []
        for m in self._regex.finditer(joined):
            if not starts:  # offsets of the texts, worked out at the first hit
                pos = 0
                for t in normed:
                    starts.append(pos)
                    pos += len(t) + len(sep)
            idx = self._term_at(joined, m.start())
            seg = bisect.bisect_right(starts, m.start()) - 1
            if (idx, seg) in seen:
                continue
            seen.add((idx, seg))
            rule, term = self._terms[idx]
            hits.append(Hit(rule, term, seg, m.group(0)))
        return hits
