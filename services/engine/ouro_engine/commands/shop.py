"""Shops: list, buy, sell. Prices are template value × markup × active event price multipliers."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine import quests
from ouro_engine.commands import targets
from ouro_engine.commands.items import template_of
from ouro_engine.commands.registry import CommandError, Ctx, Registry
from ouro_engine.game import Game
from ouro_engine.progression import add_credits, pay
from ouro_engine.spawning import spawn_item, take_away
from ouro_schemas import content as c


def shop_here(game: Game, pid: str) -> c.Shop:
    room = game.room_of(pid)
    if room is None:
        raise CommandError("You are nowhere.")
    shop_id = room.data.get("shop_id")
    if not shop_id:
        for eid in game.world.in_room(room.id):
            merchant = game.world.get(eid, k.Merchant)
            if merchant is not None and not game.world.has(eid, k.Dead):
                shop_id = merchant.shop_id
                break
    shop = game.templates.shop(shop_id) if shop_id else None
    if shop is None:
        raise CommandError("There is no shop here.")
    return shop


def buy_price(game: Game, shop: c.Shop, item: c.ItemArchetype, district_id: str | None) -> int:
    return max(1, round(item.value * shop.buy_markup * game.event_effect("price_multiplier", district_id)))


def sell_price(game: Game, shop: c.Shop, item: c.ItemArchetype, district_id: str | None) -> int:
    return max(0, round(item.value * shop.sell_ratio * game.event_effect("price_multiplier", district_id)))


def _district(game: Game, pid: str) -> str | None:
    room = game.room_of(pid)
    return room.district_id if room else None


def register(reg: Registry) -> None:
    @reg.add("list", "wares")
    def list_(ctx: Ctx, args: str) -> None:
        """list - what the shop here sells, and for how much."""
        game = ctx.game
        shop = shop_here(game, ctx.pid)
        lines = [f"{shop.name} sells:"]
        for tid in shop.stock:
            item = game.templates.item(tid)
            if item is not None:
                lines.append(f"  {item.name} ({tid}) - {buy_price(game, shop, item, _district(game, ctx.pid))} cr")
        ctx.reply("\n".join(lines))

    @reg.add("buy", action=True)
    def buy(ctx: Ctx, args: str) -> None:
        """buy <item> - buy from the shop here."""
        game = ctx.game
        word = targets.need(args, "buy <item>").lower()
        shop = shop_here(game, ctx.pid)
        stock = [t for t in (game.templates.item(tid) for tid in shop.stock) if t is not None]
        item = next((t for t in stock if t.id == word), None) or next(
            (t for t in stock if t.name.lower().startswith(word)
             or any(p.startswith(word) for p in t.name.lower().split())), None)
        if item is None:
            raise CommandError(f"{shop.name} doesn't sell '{word}'. Type 'list'.")
        price = buy_price(game, shop, item, _district(game, ctx.pid))
        if not pay(game, ctx.pid, price):
            raise CommandError(f"{item.name} costs {price} credits; you have "
                               f"{game.world.comp(ctx.pid, k.Wallet).credits}.")
        spawn_item(game, item, game.world.new_id("bought"), holder_id=ctx.pid, owner_id=ctx.pid)
        ctx.reply(f"You buy {item.name} for {price} credits.")
        quests.on_items_changed(game, ctx.pid)

    @reg.add("sell", action=True)
    def sell(ctx: Ctx, args: str) -> None:
        """sell <item> - sell something you carry to the shop here."""
        game = ctx.game
        shop = shop_here(game, ctx.pid)
        eid = targets.carried(game, ctx.pid, targets.need(args, "sell <item>"))
        item = game.templates.item(template_of(game, eid))
        if item is None:
            raise CommandError("Nobody would buy that.")
        price = sell_price(game, shop, item, _district(game, ctx.pid))
        take_away(game, eid)
        game.world.delete(eid)
        add_credits(game, ctx.pid, price)
        ctx.reply(f"You sell {item.name} for {price} credits.")
        quests.on_item_lost(game, ctx.pid, item.id)
