"""Combat: rounds from stats and equipment, death, loot, XP and credits.

Each fighter carries a `Fighting` component with its own next round time, so a fight is two
independent pulses (`combat_round_s` apart). The first round of a player's `attack` runs at once
(commands run as they arrive); later rounds run in `CombatSystem` at tick boundaries.
Random numbers come only from the World's seeded RNG, so a fight replays exactly in tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from ouro_engine import components as k
from ouro_engine import quests
from ouro_engine.game import Game
from ouro_engine.progression import add_credits, gain_xp
from ouro_engine.spawning import drop_at, spawn_item
from ouro_schemas.messages import EventKind

MIN_HIT, MAX_HIT = 0.05, 0.95
CRIT_MULTIPLIER = 2.0


@dataclass(frozen=True)
class Stats:
    damage_min: int
    damage_max: int
    accuracy: float
    armor: int
    crit_chance: float


@dataclass(frozen=True)
class Blow:
    hit: bool
    damage: int
    crit: bool


def effective_stats(game: Game, eid: str) -> Stats:
    """Base combat stats plus equipped items: a weapon replaces bare-hand damage; bonuses add."""
    base = game.world.comp(eid, k.CombatStats)
    dmin, dmax, acc, armor, crit = base.damage_min, base.damage_max, base.accuracy, base.armor, base.crit_chance
    eq = game.world.get(eid, k.Equipment)
    for item_id in (eq.slots.values() if eq else ()):
        ident = game.world.get(item_id, k.Identity)
        tpl = game.templates.item(ident.template_id) if ident else None
        if tpl is None:
            continue
        st = tpl.stats
        if tpl.slot == "weapon" and st.damage_max > 0:
            dmin, dmax = st.damage_min, st.damage_max
        acc += st.accuracy
        armor += st.armor
        crit += st.crit_chance
    return Stats(dmin, dmax, acc, armor, crit)


def resolve(rng_random: float, rng_damage: int, rng_crit: float, att: Stats, dfn: Stats) -> Blow:
    """Pure: one blow from three random draws. Armour scales damage by 100 / (100 + 5 × armour)."""
    chance = min(MAX_HIT, max(MIN_HIT, att.accuracy))
    if rng_random >= chance:
        return Blow(False, 0, False)
    crit = rng_crit < att.crit_chance
    raw = rng_damage * (CRIT_MULTIPLIER if crit else 1.0)
    return Blow(True, max(1, round(raw * 100 / (100 + 5 * dfn.armor))), crit)


def strike(game: Game, attacker: str, target: str) -> Blow:
    att, dfn = effective_stats(game, attacker), effective_stats(game, target)
    rng = game.world.rng
    blow = resolve(float(rng.random()), int(rng.integers(att.damage_min, att.damage_max + 1)),
                   float(rng.random()), att, dfn)
    name_a, name_t = game.name_of(attacker), game.name_of(target)
    if not blow.hit:
        game.tell(attacker, f"You miss {name_t}.")
        game.tell(target, f"{name_a} misses you.")
        return blow
    hp = game.world.comp(target, k.Health)
    hp.current -= blow.damage
    game.world.dirty.add(target)
    game.update_vitals(target)
    crit = " Critical hit!" if blow.crit else ""
    game.tell(attacker, f"You hit {name_t} for {blow.damage}.{crit}")
    game.tell(target, f"{name_a} hits you for {blow.damage}.{crit} ({max(0, hp.current)}/{hp.maximum})")
    if hp.current <= 0:
        die(game, target, attacker)
    return blow


def start_fight(game: Game, attacker: str, target: str, *, first_round_now: bool) -> None:
    now = game.now
    delay = 0.0 if first_round_now else game.settings.combat_round_s
    game.world.add(attacker, k.Fighting(target_id=target, next_round_at=now + delay))
    if not game.world.has(target, k.Fighting):
        game.world.add(target, k.Fighting(target_id=attacker, next_round_at=now + game.settings.combat_round_s))
    if first_round_now:
        round_for(game, attacker)


def stop_fighting(game: Game, eid: str) -> None:
    game.world.remove(eid, k.Fighting)


def round_for(game: Game, eid: str) -> None:
    """One round for one fighter, if its target is still here and alive; else the fight ends."""
    fight = game.world.get(eid, k.Fighting)
    if fight is None:
        return
    target = fight.target_id
    mine, theirs = game.world.get(eid, k.Position), game.world.get(target, k.Position)
    if (mine is None or theirs is None or mine.room_id != theirs.room_id or game.world.has(target, k.Dead)
            or not game.world.exists(target)):
        stop_fighting(game, eid)
        return
    fight.next_round_at = game.now + game.settings.combat_round_s
    strike(game, eid, target)


def die(game: Game, victim: str, killer: str) -> None:
    for eid, (fight,) in list(game.world.query(k.Fighting)):
        if fight.target_id == victim or eid == victim:
            stop_fighting(game, eid)
    if game.world.has(victim, k.Player):
        _player_died(game, victim, killer)
    else:
        _npc_died(game, victim, killer)


def _player_died(game: Game, victim: str, killer: str) -> None:
    room = game.room_of(victim)
    player = game.world.comp(victim, k.Player)
    player.deaths += 1
    hp = game.world.comp(victim, k.Health)
    hp.current = hp.maximum
    game.tell(victim, "Everything goes dark... You wake up at the spawn point.")
    game.world.move(victim, game.spawn_room_id)
    game.emit(EventKind.PLAYER_DIED, player_id=victim, room_id=room.id if room else None,
              district_id=room.district_id if room else None, data={"killer": game.name_of(killer)})


def _npc_died(game: Game, victim: str, killer: str) -> None:
    room = game.room_of(victim)
    ident = game.world.comp(victim, k.Identity)
    loot = game.world.get(victim, k.Loot) or k.Loot()
    rng = game.world.rng
    if room is not None:
        game.tell_room(room.id, f"{ident.name} collapses.", exclude=(killer,))
        _drop_loot(game, ident.template_id, room.id, victim)
    if game.world.has(killer, k.Player):
        _reward_killer(game, killer, loot, int(rng.integers(loot.credits_min, loot.credits_max + 1)), ident.name)
        quests.on_kill(game, killer, ident.template_id)
    game.world.remove(victim, k.Position)
    hp = game.world.comp(victim, k.Health)
    hp.current = 0
    if loot.respawn_s > 0:
        game.world.add(victim, k.Dead(respawn_at=game.now + loot.respawn_s))
    else:
        game.world.delete(victim)
    game.emit(EventKind.NPC_KILLED, player_id=killer if game.world.has(killer, k.Player) else None,
              room_id=room.id if room else None, district_id=room.district_id if room else None,
              data={"npc_id": victim, "template_id": ident.template_id, "boss": loot.boss})


def _drop_loot(game: Game, template_id: str, room_id: str, victim: str) -> None:
    tpl = game.templates.npc(template_id)
    rng = game.world.rng
    for entry in tpl.loot if tpl else []:
        item_tpl = game.templates.item(entry.item_id)
        if item_tpl is None or float(rng.random()) >= entry.chance:
            continue
        for _ in range(int(rng.integers(entry.min_qty, entry.max_qty + 1))):
            spawn_item(game, item_tpl, game.world.new_id("loot"), room_id=room_id, origin="base")
    inv = game.world.get(victim, k.Inventory)
    for item_id in list(inv.items if inv else []):
        drop_at(game, item_id, room_id)


def _reward_killer(game: Game, killer: str, loot: k.Loot, credits: int, name: str) -> None:
    add_credits(game, killer, credits)
    player = game.world.comp(killer, k.Player)
    player.kills += 1
    gain_xp(game, killer, loot.xp)
    game.tell(killer, f"You killed {name}. +{loot.xp} xp, +{credits} credits.")


class CombatSystem:
    name = "combat"

    def __init__(self, game: Game) -> None:
        self.game = game

    def process(self, now: float) -> None:
        for eid, (fight,) in list(self.game.world.query(k.Fighting)):
            if fight.next_round_at <= now and self.game.world.has(eid, k.Fighting):
                self.game.world.dirty.add(eid)
                round_for(self.game, eid)
