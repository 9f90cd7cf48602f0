"""The command registry: verbs and aliases to small functions, `help <cmd>` from docstrings,
"did you mean" for unknown verbs (difflib), and a dispatcher no player input can break.

Pipeline of one line:
1. strip control characters, cut to the line limit, split into verb and argument string;
2. look the verb up (exact, then unique prefix); unknown -> a suggestion;
3. run the function; a `CommandError` is the player's mistake (its message is the reply);
   any other exception is ours: logged with the player id and the line, reply "something went wrong".
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ouro_engine.game import Game
from ouro_engine.movement import DistrictTracker

log = logging.getLogger(__name__)


class CommandError(Exception):
    """A player's mistake; the message is shown to the player as is."""


@dataclass
class Ctx:
    game: Game
    pid: str
    tracker: DistrictTracker
    out: list[str] = field(default_factory=list)

    def reply(self, text: str) -> None:
        if text:
            self.game.tell(self.pid, text)


CommandFn = Callable[[Ctx, str], None]


@dataclass(frozen=True)
class Command:
    name: str
    fn: CommandFn
    aliases: tuple[str, ...] = ()
    action: bool = False  # reported to the Questmaker monitor as a player_action event

    @property
    def help(self) -> str:
        return (self.fn.__doc__ or "No help yet.").strip()


class Registry:
    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.lookup: dict[str, Command] = {}

    def add(self, name: str, *aliases: str, action: bool = False) -> Callable[[CommandFn], CommandFn]:
        def deco(fn: CommandFn) -> CommandFn:
            cmd = Command(name, fn, aliases, action)
            self.commands[name] = cmd
            for word in (name, *aliases):
                self.lookup[word] = cmd
            return fn

        return deco

    def find(self, verb: str) -> Command | None:
        cmd = self.lookup.get(verb)
        if cmd is not None:
            return cmd
        prefixed = {c.name for w, c in self.lookup.items() if w.startswith(verb)} if len(verb) >= 2 else set()
        return self.commands[prefixed.pop()] if len(prefixed) == 1 else None

    def suggest(self, verb: str) -> str:
        close = difflib.get_close_matches(verb, list(self.lookup), n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return f"Unknown command '{verb}'.{hint} Type 'help' for a list."


ANSI_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


def clean(line: str, limit: int) -> str:
    """Printable characters only (no ANSI escapes or control bytes reach other players), trimmed."""
    line = ANSI_ESCAPE.sub("", line[:limit])
    return "".join(ch for ch in line if ch.isprintable()).strip()


def split(line: str) -> tuple[str, str]:
    verb, _, rest = line.partition(" ")
    return verb.lower(), rest.strip()
