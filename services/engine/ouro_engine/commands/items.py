"""Things: get, drop, give, equip, remove. Items a player picks up become player-owned."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine import quests
from ouro_engine.commands import targets
from ouro_engine.commands.registry import CommandError, Ctx, Registry
from ouro_engine.game import Game
from ouro_engine.spawning import drop_at, give_to, take_away

MAX_CARRY = 50


def template_of(game: Game, eid: str) -> str:
    return game.world.comp(eid, k.Identity).template_id


def lost(game: Game, pid: str, item_id: str) -> None:
    """After an item left a player: critical quest items fail their quests."""
    quests.on_item_lost(game, pid, template_of(game, item_id))



def get(ctx: Ctx, args: str) -> None:
    """get <item> - pick something up."""
    game = ctx.game
    item = targets.in_room(game, ctx.pid, targets.need(args, "get <item>"), kind="item")
    if len(game.world.comp(ctx.pid, k.Inventory).items) >= MAX_CARRY:
        raise CommandError("You can't carry any more.")
    give_to(game, item, ctx.pid)
    game.world.add(item, k.PlayerOwned(owner_id=ctx.pid))
    ctx.reply(f"You pick up {game.name_of(item)}.")
    room = game.room_of(ctx.pid)
    if room is not None:
        game.tell_room(room.id, f"{game.name_of(ctx.pid)} picks up {game.name_of(item)}.", exclude=(ctx.pid,))
    quests.on_items_changed(game, ctx.pid)


def drop(ctx: Ctx, args: str) -> None:
    """drop <item> - put something down here."""
    game = ctx.game
    item = targets.carried(game, ctx.pid, targets.need(args, "drop <item>"))
    room = game.room_of(ctx.pid)
    if room is None:
        raise CommandError("You are nowhere.")
    drop_at(game, item, room.id)
    ctx.reply(f"You drop {game.name_of(item)}.")
    lost(game, ctx.pid, item)


def give(ctx: Ctx, args: str) -> None:
    """give <item> <someone> - hand an item to a player or NPC here (quest deliveries too)."""
    game = ctx.game
    word, _, whom = targets.need(args, "give <item> <someone>").partition(" ")
    whom = whom.removeprefix("to ").strip()
    if not whom:
        raise CommandError("Usage: give <item> <someone>")
    item = targets.carried(game, ctx.pid, word)
    target = targets.in_room(game, ctx.pid, whom)
    ident = game.world.comp(target, k.Identity)
    if ident.kind == "item":
        raise CommandError("You can't give things to things.")
    item_tpl = template_of(game, item)
    delivery = ident.kind == "npc" and quests.delivery_wanted(game, ctx.pid, item_tpl, ident.template_id)
    give_to(game, item, target)
    game.world.remove(item, k.PlayerOwned)
    if ident.kind == "player":
        game.world.add(item, k.PlayerOwned(owner_id=target))
        game.tell(target, f"{game.name_of(ctx.pid)} gives you {game.name_of(item)}.")
    ctx.reply(f"You give {game.name_of(item)} to {ident.name}.")
    if delivery:
        quests.on_deliver(game, ctx.pid, item_tpl, ident.template_id)
    else:
        lost(game, ctx.pid, item)


def equip(ctx: Ctx, args: str) -> None:
    """equip <item> - wield a weapon or wear armour and cyberware."""
    game = ctx.game
    item = targets.carried(game, ctx.pid, targets.need(args, "equip <item>"))
    tpl = game.templates.item(template_of(game, item))
    if tpl is None or tpl.slot == "none":
        raise CommandError(f"You can't equip {game.name_of(item)}.")
    eq = game.world.comp(ctx.pid, k.Equipment)
    old = eq.slots.get(tpl.slot)
    if old == item:
        raise CommandError(f"You already have {tpl.name} equipped.")
    eq.slots[tpl.slot] = item
    game.world.dirty.add(ctx.pid)
    swap = f" (instead of {game.name_of(old)})" if old else ""
    ctx.reply(f"You equip {tpl.name} [{tpl.slot}]{swap}.")


def remove(ctx: Ctx, args: str) -> None:
    """remove <item> - take off something you have equipped."""
    game = ctx.game
    item = targets.carried(game, ctx.pid, targets.need(args, "remove <item>"))
    eq = game.world.comp(ctx.pid, k.Equipment)
    slot = next((s for s, v in eq.slots.items() if v == item), None)
    if slot is None:
        raise CommandError(f"You don't have {game.name_of(item)} equipped.")
    del eq.slots[slot]
    game.world.dirty.add(ctx.pid)
    ctx.reply(f"You remove {game.name_of(item)}.")


def use(ctx: Ctx, args: str) -> None:
    """use <item> - use a consumable (a medkit heals you)."""
    game = ctx.game
    item = targets.carried(game, ctx.pid, targets.need(args, "use <item>"))
    tpl = game.templates.item(template_of(game, item))
    if tpl is None or tpl.kind != "consumable":
        raise CommandError(f"You can't use {game.name_of(item)}.")
    hp = game.world.comp(ctx.pid, k.Health)
    healed = min(tpl.stats.heal, hp.maximum - hp.current)
    hp.current += healed
    take_away(game, item)
    game.world.delete(item)
    ctx.reply(f"You use {tpl.name}. +{healed} hp ({hp.current}/{hp.maximum}).")
    game.update_vitals(ctx.pid)
    lost(game, ctx.pid, item)


def register(reg: Registry) -> None:
    reg.add("get", "take", "pick", action=True)(get)
    reg.add("drop", action=True)(drop)
    reg.add("give", action=True)(give)
    reg.add("equip", "wear", "wield", action=True)(equip)
    reg.add("remove", "unequip", "unwield")(remove)
    reg.add("use", "quaff", "apply", action=True)(use)
