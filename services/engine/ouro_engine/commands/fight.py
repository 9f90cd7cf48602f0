"""Fighting: attack/kill, flee, consider."""

from __future__ import annotations

from ouro_engine import combat
from ouro_engine import components as k
from ouro_engine.commands import targets
from ouro_engine.commands.moves import walk
from ouro_engine.commands.registry import CommandError, Ctx, Registry


def register(reg: Registry) -> None:
    @reg.add("attack", "kill", "k", "hit", action=True)
    def attack(ctx: Ctx, args: str) -> None:
        """attack <npc> - start fighting (a round every few seconds until one of you falls or flees)."""
        game = ctx.game
        target = targets.in_room(game, ctx.pid, targets.need(args, "attack <npc>"), kind="npc")
        if not game.world.has(target, k.Health):
            raise CommandError("You can't fight that.")
        current = game.world.get(ctx.pid, k.Fighting)
        if current is not None and current.target_id == target:
            raise CommandError(f"You are already fighting {game.name_of(target)}.")
        ctx.reply(f"You attack {game.name_of(target)}!")
        combat.start_fight(game, ctx.pid, target, first_round_now=True)

    @reg.add("flee", "escape", action=True)
    def flee(ctx: Ctx, args: str) -> None:
        """flee - run through a random open exit (you may fail)."""
        game = ctx.game
        if not game.world.has(ctx.pid, k.Fighting):
            raise CommandError("You are not fighting anyone.")
        room = game.room_of(ctx.pid)
        exits = sorted(d for d in (room.exits if room else {}) if room and d not in room.locked_exits)
        if not exits or game.world.rng.random() < 0.25:
            raise CommandError("You try to flee but can't get away!")
        ctx.reply("You flee!")
        walk(ctx, exits[int(game.world.rng.integers(len(exits)))])

    @reg.add("consider", "con")
    def consider(ctx: Ctx, args: str) -> None:
        """consider <npc> - how a fight with them would likely go."""
        game = ctx.game
        target = targets.in_room(game, ctx.pid, targets.need(args, "consider <npc>"), kind="npc")
        mine, theirs = combat.effective_stats(game, ctx.pid), combat.effective_stats(game, target)
        my_hp, their_hp = game.world.comp(ctx.pid, k.Health), game.world.comp(target, k.Health)
        my_dpr = _per_round(mine, theirs)
        their_dpr = _per_round(theirs, mine)
        mine_rounds = their_hp.current / my_dpr if my_dpr else float("inf")
        their_rounds = my_hp.current / their_dpr if their_dpr else float("inf")
        ratio = their_rounds / mine_rounds if mine_rounds else float("inf")
        verdict = ("an easy kill" if ratio > 3 else "a fair fight you should win" if ratio > 1.2
                   else "a coin toss" if ratio > 0.8 else "likely to kill you" if ratio > 0.3 else "suicide")
        ctx.reply(f"{game.name_of(target)} looks like {verdict}.")


def _per_round(att: combat.Stats, dfn: combat.Stats) -> float:
    chance = min(combat.MAX_HIT, max(combat.MIN_HIT, att.accuracy))
    avg = (att.damage_min + att.damage_max) / 2 * (1 + att.crit_chance)
    return chance * max(1.0, avg * 100 / (100 + 5 * dfn.armor))
