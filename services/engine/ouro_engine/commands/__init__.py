"""Player commands: the default registry with every command module, and `help`."""

from __future__ import annotations

from ouro_engine.commands import citymap, fight, info, items, moves, questing, shop
from ouro_engine.commands.registry import CommandError, Ctx, Registry


def build_registry() -> Registry:
    reg = Registry()
    for module in (info, citymap, moves, items, fight, questing, shop):
        module.register(reg)

    @reg.add("help", "?")
    def help_(ctx: Ctx, args: str) -> None:
        """help [command] - list commands, or explain one."""
        if not args:
            names = sorted(reg.commands)
            ctx.reply("Commands: " + ", ".join(names) + ". Type 'help <command>' for more.")
            return
        cmd = reg.find(args.split()[0].lower())
        if cmd is None:
            raise CommandError(reg.suggest(args.split()[0].lower()))
        aliases = f" (also: {', '.join(cmd.aliases)})" if cmd.aliases else ""
        ctx.reply(cmd.help + aliases)

    return reg


__all__ = ["CommandError", "Ctx", "Registry", "build_registry"]
