"""Player progression: XP and levels, credits in and out (counted for the economy statistics)."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine.game import Game

XP_PER_LEVEL = 100
HEALTH_PER_LEVEL = 10


def gain_xp(game: Game, pid: str, xp: int) -> None:
    player = game.world.comp(pid, k.Player)
    player.xp += xp
    level = 1 + player.xp // XP_PER_LEVEL
    while player.level < level:
        player.level += 1
        game.world.comp(pid, k.Health).maximum += HEALTH_PER_LEVEL
        game.world.comp(pid, k.CombatStats).level = player.level
        game.tell(pid, f"You reach level {player.level}.")
    game.world.dirty.add(pid)


def add_credits(game: Game, eid: str, amount: int) -> None:
    """Credits created (loot, rewards) — a source in the economy statistics."""
    game.world.comp(eid, k.Wallet).credits += amount
    game.money_created += amount
    game.world.dirty.add(eid)


def pay(game: Game, eid: str, amount: int) -> bool:
    """Take credits out of circulation (a shop purchase); False if the wallet is short."""
    wallet = game.world.comp(eid, k.Wallet)
    if wallet.credits < amount:
        return False
    wallet.credits -= amount
    game.money_destroyed += amount
    game.world.dirty.add(eid)
    return True
