"""Moving and talking: the ten directions, go, flee is in fight.py; say, tell, emote."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine.commands import targets
from ouro_engine.commands.info import describe_room
from ouro_engine.commands.registry import CommandError, Ctx, Registry
from ouro_engine.movement import ALIASES, FULL, move_player, parse_direction

MAX_SAY = 300


def walk(ctx: Ctx, direction: str) -> None:
    problem = move_player(ctx.game, ctx.tracker, ctx.pid, direction)
    if problem is not None:
        raise CommandError(problem)
    ctx.reply(describe_room(ctx.game, ctx.pid))
    ctx.game.update_room(ctx.pid)


def _direction_command(reg: Registry, short: str) -> None:
    def fn(ctx: Ctx, args: str) -> None:
        walk(ctx, short)

    fn.__doc__ = f"{short} - walk {FULL[short]}."
    reg.add(short, FULL[short])(fn)


def register(reg: Registry) -> None:
    for short in ALIASES.values():
        _direction_command(reg, short)

    @reg.add("go")
    def go(ctx: Ctx, args: str) -> None:
        """go <direction> - walk that way (n, s, e, w, ne, nw, se, sw, u, d)."""
        direction = parse_direction(targets.need(args, "go <direction>"))
        if direction is None:
            raise CommandError(f"'{args}' is not a direction (n s e w ne nw se sw u d).")
        walk(ctx, direction)

    @reg.add("say", "'", action=True)
    def say(ctx: Ctx, args: str) -> None:
        """say <text> - speak to everyone in the room."""
        text = targets.need(args, "say <text>")[:MAX_SAY]
        room = ctx.game.room_of(ctx.pid)
        if room is not None:
            ctx.game.tell_room(room.id, f'{ctx.game.name_of(ctx.pid)} says, "{text}"', exclude=(ctx.pid,))
        ctx.reply(f'You say, "{text}"')

    @reg.add("tell", "whisper")
    def tell(ctx: Ctx, args: str) -> None:
        """tell <player> <text> - a private message to a player online anywhere."""
        name, _, text = targets.need(args, "tell <player> <text>").partition(" ")
        if not text.strip():
            raise CommandError("Usage: tell <player> <text>")
        target = ctx.game.players_by_name.get(name.lower())
        if target is None or not ctx.game.world.has(target, k.Online):
            raise CommandError(f"No player called '{name}' is online.")
        ctx.game.tell(target, f'{ctx.game.name_of(ctx.pid)} tells you, "{text.strip()[:MAX_SAY]}"')
        ctx.reply(f'You tell {ctx.game.name_of(target)}, "{text.strip()[:MAX_SAY]}"')

    @reg.add("emote", ":")
    def emote(ctx: Ctx, args: str) -> None:
        """emote <action> - show an action to the room ('emote grins' -> 'Ann grins')."""
        text = targets.need(args, "emote <action>")[:MAX_SAY]
        room = ctx.game.room_of(ctx.pid)
        line = f"{ctx.game.name_of(ctx.pid)} {text}"
        if room is not None:
            ctx.game.tell_room(room.id, line, exclude=(ctx.pid,))
        ctx.reply(line)
