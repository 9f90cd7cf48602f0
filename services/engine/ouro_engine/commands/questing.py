"""Quests and talking: quests, quest accept/abandon, talk."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine import quests
from ouro_engine.commands import targets
from ouro_engine.commands.registry import CommandError, Ctx, Registry


def register(reg: Registry) -> None:
    @reg.add("quests", "journal")
    def quests_(ctx: Ctx, args: str) -> None:
        """quests - your active quests, and quests offered by NPCs here."""
        game = ctx.game
        player = game.world.comp(ctx.pid, k.Player)
        lines = []
        for progress in player.quests.values():
            quest = game.templates.quest(progress.quest_id)
            if quest is not None:
                node = next(n for n in quest.nodes if n.id == progress.node_id)
                lines.append(f"  [{quest.id}] {quest.name}: {node.text or node.kind + ' ' + node.target}")
        offered = _offered_here(ctx)
        out = ["Active quests:", *(lines or ["  none"])]
        if offered:
            out += ["Offered here:", *offered]
        ctx.reply("\n".join(out))

    @reg.add("quest", action=True)
    def quest(ctx: Ctx, args: str) -> None:
        """quest accept <id> | quest abandon <id> - take on or give up a quest."""
        sub, _, qid = targets.need(args, "quest accept <id> | quest abandon <id>").partition(" ")
        qid = qid.strip().lower()
        if sub not in ("accept", "abandon") or not qid:
            raise CommandError("Usage: quest accept <id> | quest abandon <id>")
        msg = quests.accept(ctx.game, ctx.pid, qid) if sub == "accept" else quests.abandon(ctx.game, ctx.pid, qid)
        if msg:
            ctx.reply(msg)

    @reg.add("talk", "ask", action=True)
    def talk(ctx: Ctx, args: str) -> None:
        """talk <npc> - hear what someone has to say (and which quests they offer)."""
        game = ctx.game
        npc = targets.in_room(game, ctx.pid, targets.need(args, "talk <npc>"), kind="npc")
        ident = game.world.comp(npc, k.Identity)
        dialogue = game.world.get(npc, k.Dialogue)
        ai = game.world.get(npc, k.AI)
        attitude = ai.attitudes.get(ctx.pid) if ai else None
        if attitude == "hostile":
            ctx.reply(f"{ident.name} glares at you and says nothing.")
        elif dialogue and dialogue.lines:
            line = dialogue.lines[int(game.world.rng.integers(len(dialogue.lines)))]
            ctx.reply(f'{ident.name} says, "{line}"')
        else:
            ctx.reply(f"{ident.name} has nothing to say.")
        giver = game.world.get(npc, k.QuestGiver)
        for qid in giver.quest_ids if giver else []:
            q = game.templates.quest(qid)
            if q is not None:
                ctx.reply(f"{ident.name} offers: [{q.id}] {q.name} - {q.description} (quest accept {q.id})")
        quests.on_talk(game, ctx.pid, ident.template_id)


def _offered_here(ctx: Ctx) -> list[str]:
    game = ctx.game
    room = game.room_of(ctx.pid)
    player = game.world.comp(ctx.pid, k.Player)
    out = []
    for eid in game.world.in_room(room.id) if room else ():
        giver = game.world.get(eid, k.QuestGiver)
        for qid in giver.quest_ids if giver else []:
            q = game.templates.quest(qid)
            if q is not None and qid not in player.completed:
                out.append(f"  [{q.id}] {q.name} (from {game.name_of(eid)})")
    return out
