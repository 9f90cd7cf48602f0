"""Colour for game text: the engine sends plain text; the gateway marks it up by line shape (room
header, exits, speech) as ANSI SGR codes, which telnet sends as is (or strips when `color off`) and the
WebSocket sends as style spans (`spans_json`: the same spans as `ansi_to_spans(colorize(text))`, built
straight from the line rules and cached, since 500 players are told the same lines over and over)."""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

import msgspec

from ouro_schemas.protocol import Span

RESET = "\x1b[0m"
COLORS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
SGR = re.compile(r"\x1b\[([0-9;]*)m")
ANY_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")

# (pattern, SGR parameters): the first match colours the whole line.
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[^\[\]\n]{1,80} \[[^\]\n]{1,60}\]$"), "1;36"),  # "Room Name [District]"
    (re.compile(r"^Exits: "), "32"),
    (re.compile(r"^Here: "), "33"),
    (re.compile(r"^On the ground: "), "37"),
    (re.compile(r'^\S.{0,40} (says|yells|shouts), "'), "1;33"),
    (re.compile(r'^\S.{0,40} tells you, "'), "1;35"),
    (re.compile(r"^(You hit|You miss|.{1,40} hits you|.{1,40} misses you)"), "31"),
    (re.compile(r"^(Unknown command|You can't|Slow down|Wrong name)"), "1;31"),
)


def _style(params: str) -> tuple[str | None, bool]:
    codes = [int(c) for c in params.split(";")]
    fg = next((COLORS[c - 30] for c in codes if 30 <= c <= 37), None)
    return fg, 1 in codes


# All rules in one anchored alternation, tried in order (the first alternative that matches wins, as
# in `colorize`); inner groups are non-capturing so `lastindex` names the rule.
_LINE = re.compile("|".join("(" + re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern.pattern.removeprefix("^")) + ")"
                            for pattern, _ in RULES))
assert _LINE.groups == len(RULES) and all(pattern.pattern.startswith("^") for pattern, _ in RULES)
_STYLES = [_style(params) for _, params in RULES]
_spans_encoder = msgspec.json.Encoder()


def line_style(line: str) -> tuple[str | None, bool] | None:
    """(fg, bold) of a line by the colour rules, or None for plain text."""
    m = _LINE.match(line)
    return _STYLES[m.lastindex - 1] if m is not None and m.lastindex is not None else None


def text_spans(text: str) -> list[Span]:
    """`ansi_to_spans(colorize(text))` without the round trip through escape codes."""
    if "\x1b" in text:
        return ansi_to_spans(colorize(text))
    spans: list[Span] = []
    plain: list[str] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            plain.append("\n")
        style = line_style(line) if line else None
        if style is None:
            plain.append(line)
            continue
        chunk = "".join(plain)
        if chunk:
            spans.append(Span(text=chunk))
        plain = []
        spans.append(Span(text=line, fg=style[0], bold=style[1]))
    chunk = "".join(plain)
    if chunk:
        spans.append(Span(text=chunk))
    return spans


@lru_cache(maxsize=8192)
def spans_json(text: str) -> bytes:
    """The JSON array of `text`'s spans, encoded once per distinct text."""
    return _spans_encoder.encode(text_spans(text))


def colorize(text: str) -> str:
    out = []
    for line in text.split("\n"):
        for pattern, params in RULES:
            if pattern.search(line):
                line = f"\x1b[{params}m{line}{RESET}"
                break
        out.append(line)
    return "\n".join(out)


def strip_ansi(text: str) -> str:
    return ANY_ESCAPE.sub("", text)


def wrap(text: str, width: int) -> str:
    """Word-wrap plain text to `width` columns (NAWS); 0 = no wrapping."""
    if width < 20:
        return text
    return "\n".join(textwrap.fill(line, width - 1, break_on_hyphens=False) if len(line) >= width else line
                     for line in text.split("\n"))


def ansi_to_spans(text: str) -> list[Span]:
    """Split ANSI-coloured text into spans (foreground colour and bold; other codes are dropped)."""
    spans: list[Span] = []
    fg: str | None = None
    bold = False
    pos = 0
    for m in SGR.finditer(text):
        if m.start() > pos:
            spans.append(Span(text=strip_ansi(text[pos:m.start()]), fg=fg, bold=bold))
        pos = m.end()
        for code in (m.group(1) or "0").split(";"):
            n = int(code) if code.isdigit() else 0
            if n == 0:
                fg, bold = None, False
            elif n == 1:
                bold = True
            elif n == 22:
                bold = False
            elif 30 <= n <= 37:
                fg = COLORS[n - 30]
            elif 90 <= n <= 97:
                fg = "bright-" + COLORS[n - 90]
            elif n == 39:
                fg = None
    if pos < len(text):
        spans.append(Span(text=strip_ansi(text[pos:]), fg=fg, bold=bold))
    return [s for s in spans if s.text]
