"""TTYPE with MTTS cycling (RFC 1091 + the MUD Terminal Type Standard, tintin.mudhalla.net/protocols/mtts).

After the client says WILL TTYPE the server sends `IAC SB TTYPE SEND IAC SE` and reads `IS <text>`
replies, asking again after each new one:
1. the client's name ("MUDLET", "TINTIN++"), 2. the terminal type ("ANSI-TRUECOLOR", "XTERM", "DUMB"),
3. "MTTS <bitvector>" (the flags below); then the client repeats its last reply, which ends the cycle.
The cycle also ends when a reply comes back round to the first one (an RFC 1091 client that restarts its
list) or after `MAX_REQUESTS` requests (a client that answers forever). A client that knows one type
repeats it at once: name = terminal type = that reply.

`Ttype` is pure state (no I/O): the telnet connection feeds it replies and sends another request when
`feed` says so; `defaults()` turns what was learned into the connection's presentation defaults.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_REQUESTS = 4
MAX_REPLY = 64

ANSI, VT100, UTF8, COLORS_256, MOUSE, OSC_PALETTE, SCREEN_READER, PROXY, TRUECOLOR, MNES, MSLP, SSL = (
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
FLAG_NAMES: dict[int, str] = {
    ANSI: "ANSI", VT100: "VT100", UTF8: "UTF-8", COLORS_256: "256 colours", MOUSE: "mouse tracking",
    OSC_PALETTE: "OSC colour palette", SCREEN_READER: "screen reader", PROXY: "proxy", TRUECOLOR: "truecolour",
    MNES: "MNES", MSLP: "MSLP", SSL: "SSL",
}
# Client names counted by name on /metrics; anything else is "other" (the label set stays bounded).
KNOWN_CLIENTS = frozenset({
    "mudlet", "tintin++", "mushclient", "blightmud", "zmud", "cmud", "mudjs", "axmud", "kbtin", "tinyfugue",
    "mudrammer", "beip", "fado", "gnome-mud", "kildclient", "lociterm", "atlantis", "potato", "proxiani",
    "mudslinger", "xterm", "ansi", "dumb", "vt100",
})
MTTS_RE = re.compile(r"^MTTS (\d{1,9})$")


class Defaults(NamedTuple):
    """Presentation defaults from what the client said (a player's own `color` command wins)."""

    color: bool
    utf8: bool
    wrap: bool


class Ttype:
    def __init__(self) -> None:
        self.replies: list[str] = []
        self.requests = 0  # SENDs sent
        self.done = False

    def request(self) -> bool:
        """Count one more SEND; False if the cycle is over (nothing to send)."""
        if self.done or self.requests >= MAX_REQUESTS:
            self.done = True
            return False
        self.requests += 1
        return True

    @property
    def waiting(self) -> bool:
        """A SEND is out without its reply (an unsolicited IS is ignored)."""
        return not self.done and self.requests > len(self.replies)

    def feed(self, reply: str) -> bool:
        """One `IS` reply; True if the server should ask again."""
        reply = reply[:MAX_REPLY]
        if self.replies and (reply == self.replies[-1] or reply == self.replies[0]):
            self.done = True  # the end of the list (a repeat), or a client that started over
            return False
        self.replies.append(reply)
        if self.requests >= MAX_REQUESTS:
            self.done = True
            return False
        return True

    @property
    def client(self) -> str:
        return self.replies[0] if self.replies else ""

    @property
    def terminal(self) -> str:
        if len(self.replies) > 1 and not MTTS_RE.match(self.replies[1]):
            return self.replies[1]
        return self.client

    @property
    def mtts(self) -> int | None:
        """The MTTS bitvector, if the client sent one (normally the 3rd reply)."""
        for reply in self.replies[1:]:
            m = MTTS_RE.match(reply)
            if m:
                return int(m.group(1))
        return None

    def defaults(self) -> Defaults:
        """Colour off for a client that says no ANSI (MTTS without bit 1, or terminal DUMB) or a screen
        reader; ASCII output for an MTTS client without the UTF-8 bit; no word wrap for a screen reader
        (hard line breaks mid-sentence are read out as pauses)."""
        flags = self.mtts
        dumb = self.terminal.upper() == "DUMB"
        if flags is None:
            return Defaults(color=not dumb, utf8=True, wrap=True)
        reader = bool(flags & SCREEN_READER)
        return Defaults(color=bool(flags & ANSI) and not reader and not dumb, utf8=bool(flags & UTF8),
                        wrap=not reader)


def flag_names(flags: int) -> list[str]:
    return [name for bit, name in FLAG_NAMES.items() if flags & bit]


def client_label(name: str) -> str:
    """A bounded label for /metrics: a known client's lower-case name (version dropped), else "other"."""
    word = name.strip().split(" ")[0].lower() if name.strip() else ""
    if not word:
        return "none"
    return word if word in KNOWN_CLIENTS else "other"
