"""Instantiating templates as entities: NPCs, items, players. Pure functions over a Game."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine.game import Game
from ouro_schemas import content as c

PLAYER_BASE = k.CombatStats(damage_min=2, damage_max=5, accuracy=0.7, armor=0, crit_chance=0.05, level=1)
PLAYER_HEALTH = 100
PLAYER_START_CREDITS = 100


def spawn_npc(game: Game, tpl: c.NpcArchetype, room_id: str, eid: str, origin: str = "base") -> str:
    room = game.map.get(room_id)
    s = tpl.stats
    comps: list[object] = [
        k.Identity(kind="npc", template_id=tpl.id, name=tpl.name),
        k.Origin(source=origin),
        k.Position(room_id=room_id),
        k.Health(current=s.max_health, maximum=s.max_health),
        k.CombatStats(damage_min=s.damage_min, damage_max=s.damage_max, accuracy=s.accuracy, armor=s.armor,
                      crit_chance=s.crit_chance, level=tpl.level),
        k.Inventory(),
        k.Wallet(credits=0),
        k.AI(behavior=tpl.behavior, home_room_id=room_id, district_id=room.district_id if room else None),
        k.Dialogue(lines=list(tpl.dialogue), barks=list(tpl.barks)),
        k.Loot(xp=tpl.xp, credits_min=tpl.credits_min, credits_max=tpl.credits_max, boss=tpl.boss,
               respawn_s=tpl.respawn_s),
    ]
    if tpl.faction_id:
        comps.append(k.Faction(faction_id=tpl.faction_id))
    if tpl.shop_id:
        comps.append(k.Merchant(shop_id=tpl.shop_id))
    quests = game.templates.quests_by_giver.get(tpl.id)
    if quests:
        comps.append(k.QuestGiver(quest_ids=list(quests)))
    return game.world.create(eid, *comps)


def spawn_item(game: Game, tpl: c.ItemArchetype, eid: str, *, room_id: str | None = None,
               holder_id: str | None = None, origin: str = "base", owner_id: str | None = None) -> str:
    """An item on the floor of `room_id`, or carried by `holder_id` (added to its inventory)."""
    comps: list[object] = [k.Identity(kind="item", template_id=tpl.id, name=tpl.name), k.Origin(source=origin)]
    if owner_id:
        comps.append(k.PlayerOwned(owner_id=owner_id))
    game.world.create(eid, *comps)
    if holder_id is not None:
        give_to(game, eid, holder_id)
    elif room_id is not None:
        game.world.move(eid, room_id)
    return eid


def give_to(game: Game, item_id: str, holder_id: str) -> None:
    """Move an item into `holder_id`'s inventory (from the floor or from another holder)."""
    take_away(game, item_id)
    game.world.remove(item_id, k.Position)
    game.world.add(item_id, k.Held(holder_id=holder_id))
    inv = game.world.get(holder_id, k.Inventory)
    if inv is not None:
        inv.items.append(item_id)
        game.world.dirty.add(holder_id)


def take_away(game: Game, item_id: str) -> None:
    """Detach an item from whoever holds it (inventory and equipment slots)."""
    held = game.world.get(item_id, k.Held)
    if held is None:
        return
    holder = held.holder_id
    inv = game.world.get(holder, k.Inventory)
    if inv is not None and item_id in inv.items:
        inv.items.remove(item_id)
    eq = game.world.get(holder, k.Equipment)
    if eq is not None:
        for slot, eid in list(eq.slots.items()):
            if eid == item_id:
                del eq.slots[slot]
    game.world.remove(item_id, k.Held)
    game.world.dirty.add(holder)


def drop_at(game: Game, item_id: str, room_id: str) -> None:
    take_away(game, item_id)
    game.world.move(item_id, room_id)


def create_player(game: Game, pid: str, name: str) -> str:
    game.world.create(
        pid,
        k.Identity(kind="player", template_id="player", name=name),
        k.Origin(source="base"),
        k.Position(room_id=game.spawn_room_id),
        k.Health(current=PLAYER_HEALTH, maximum=PLAYER_HEALTH),
        k.CombatStats(**{f: getattr(PLAYER_BASE, f) for f in PLAYER_BASE.__struct_fields__}),
        k.Inventory(),
        k.Equipment(),
        k.Wallet(credits=PLAYER_START_CREDITS),
        k.Player(name=name),
    )
    game.players_by_name[name.lower()] = pid
    return pid


def spawn_base(game: Game, base: c.BaseWorld) -> None:
    """The initial population of a fresh world: NPC and item spawns, with stable ids."""
    for sp in base.npc_spawns:
        tpl = game.templates.npc(sp.npc_id)
        assert tpl is not None  # integrity-checked by the loader
        for n in range(sp.count):
            spawn_npc(game, tpl, sp.room_id, f"npc:{sp.npc_id}:{sp.room_id}:{n}")
    for isp in base.item_spawns:
        itpl = game.templates.item(isp.item_id)
        assert itpl is not None
        for n in range(isp.count):
            spawn_item(game, itpl, f"item:{isp.item_id}:{isp.room_id}:{n}", room_id=isp.room_id)
