"""Finding what a player means: 'rat', '2.rat', an entity id, or a template id."""

from __future__ import annotations

from collections.abc import Iterable

from ouro_engine import components as k
from ouro_engine.commands.registry import CommandError
from ouro_engine.game import Game


def _matches(game: Game, eid: str, word: str) -> bool:
    ident = game.world.get(eid, k.Identity)
    if ident is None:
        return False
    if eid == word or ident.template_id == word:
        return True
    name = ident.name.lower()
    return name.startswith(word) or any(part.startswith(word) for part in name.split())


def pick(game: Game, candidates: Iterable[str], word: str) -> str | None:
    word = word.strip().lower()
    if not word:
        return None
    index = 1
    head, dot, tail = word.partition(".")
    if dot and head.isdigit():
        index, word = int(head), tail
    seen = 0
    for eid in candidates:
        if _matches(game, eid, word):
            seen += 1
            if seen == index:
                return eid
    return None


def in_room(game: Game, pid: str, word: str, kind: str | None = None) -> str:
    """An entity in the player's room (not the player); raises CommandError if none matches."""
    room = game.room_of(pid)
    if room is None:
        raise CommandError("You are nowhere.")
    here = sorted(e for e in game.world.in_room(room.id) if e != pid and _visible(game, e, kind))
    found = pick(game, here, word)
    if found is None:
        raise CommandError(f"You don't see '{word}' here.")
    return found


def _visible(game: Game, eid: str, kind: str | None) -> bool:
    ident = game.world.get(eid, k.Identity)
    if ident is None or (kind is not None and ident.kind != kind):
        return False
    return ident.kind != "player" or game.world.has(eid, k.Online)


def carried(game: Game, pid: str, word: str) -> str:
    inv = game.world.comp(pid, k.Inventory)
    found = pick(game, inv.items, word)
    if found is None:
        raise CommandError(f"You aren't carrying '{word}'.")
    return found


def need(args: str, usage: str) -> str:
    if not args:
        raise CommandError(f"Usage: {usage}")
    return args
