"""Looking around: look, examine, who, inventory, score (the maps are in citymap.py)."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine.commands import targets
from ouro_engine.commands.registry import Ctx, Registry
from ouro_engine.game import Game
from ouro_schemas import content as c


def describe_room(game: Game, pid: str) -> str:
    room = game.room_of(pid)
    if room is None:
        return "You float in a void."
    district = game.templates.district(room.district_id)
    lines = [f"{room.name} [{district.name if district else room.district_id}]", str(room.data["description"])]
    lines += room.description_add
    exits = [d + ("(locked)" if d in room.locked_exits else "") for d in c.DIRECTIONS if d in room.exits]
    lines.append("Exits: " + (" ".join(exits) if exits else "none"))
    for ev in game.events_here(room.district_id):
        left = max(0, round((ev.ends_at - game.now) / 60))
        lines.append(f"Happening: {ev.title} ({left} min left)" + (f" - {ev.text}" if ev.text else ""))
    people: dict[str, int] = {}
    things: dict[str, int] = {}
    listeners = game.world.listeners_in(room.id)
    for eid in game.world.in_room(room.id):
        ident = game.world.get(eid, k.Identity)
        if eid == pid or ident is None:
            continue
        if ident.kind == "item":
            things[ident.name] = things.get(ident.name, 0) + 1
        elif ident.kind == "npc" or eid in listeners:
            people[ident.name] = people.get(ident.name, 0) + 1
    if people:
        lines.append("Here: " + _counted(people))
    if things:
        lines.append("On the ground: " + _counted(things))
    return "\n".join(lines)


def _counted(names: dict[str, int]) -> str:
    return ", ".join(f"{n} (x{c})" if c > 1 else n for n, c in sorted(names.items()))


def register(reg: Registry) -> None:
    @reg.add("look", "l")
    def look(ctx: Ctx, args: str) -> None:
        """look [thing] - describe the room, or examine something."""
        if args:
            examine(ctx, args)
            return
        ctx.reply(describe_room(ctx.game, ctx.pid))

    @reg.add("examine", "x", action=True)
    def examine(ctx: Ctx, args: str) -> None:
        """examine <thing> - look closely at someone or something here or in your pack."""
        word = targets.need(args, "examine <thing>")
        game = ctx.game
        inv = game.world.comp(ctx.pid, k.Inventory)
        eid = targets.pick(game, inv.items, word) or targets.in_room(game, ctx.pid, word)
        ident = game.world.comp(eid, k.Identity)
        tpl = game.templates.get(ident.template_id)
        desc = getattr(tpl, "description", "") if tpl is not None else ""
        hp = game.world.get(eid, k.Health)
        health = f" ({hp.current}/{hp.maximum} hp)" if hp else ""
        ctx.reply(f"{ident.name}{health}: {desc}".rstrip(": "))

    @reg.add("who")
    def who(ctx: Ctx, args: str) -> None:
        """who - list the players online."""
        names = sorted(ctx.game.name_of(e) for e, _ in ctx.game.world.query(k.Online))
        ctx.reply(f"{len(names)} online: " + ", ".join(names))

    @reg.add("inventory", "i", "inv")
    def inventory(ctx: Ctx, args: str) -> None:
        """inventory - what you carry and wear."""
        game = ctx.game
        inv, eq = game.world.comp(ctx.pid, k.Inventory), game.world.comp(ctx.pid, k.Equipment)
        worn = {v: s for s, v in eq.slots.items()}
        lines = [f"{game.name_of(i)}" + (f" (worn: {worn[i]})" if i in worn else "") for i in inv.items]
        credits = game.world.comp(ctx.pid, k.Wallet).credits
        ctx.reply("You carry: " + (", ".join(lines) if lines else "nothing") + f". Credits: {credits}.")

    @reg.add("score", "sc")
    def score(ctx: Ctx, args: str) -> None:
        """score - your level, health, stats and credits."""
        from ouro_engine.combat import effective_stats

        game, pid = ctx.game, ctx.pid
        p, hp = game.world.comp(pid, k.Player), game.world.comp(pid, k.Health)
        st = effective_stats(game, pid)
        ctx.reply(f"{p.name}: level {p.level}, {p.xp} xp, {hp.current}/{hp.maximum} hp, "
                  f"damage {st.damage_min}-{st.damage_max}, accuracy {st.accuracy:.2f}, armor {st.armor}, "
                  f"credits {game.world.comp(pid, k.Wallet).credits}, kills {p.kills}, deaths {p.deaths}.")
