"""Player commands against the tiny world: movement, shops, equipment, quests, help, bad input."""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_engine.sessions import SessionHub
from ouro_schemas.messages import EventKind
from tests.engine.conftest import Player, tick_for


def test_movement_through_exits(core: Core, ann: Player) -> None:
    assert core.game.room_of(ann.pid).id == "spawn"  # type: ignore[union-attr]
    assert "Market" in ann.do("n")
    assert "Bar" in ann.do("go east")
    assert "can't go that way" in ann.do("n")
    assert core.game.room_of(ann.pid).id == "bar"  # type: ignore[union-attr]
    assert "not a direction" in ann.do("go sideways")
    assert "Usage: go <direction>" in ann.do("go")


def test_move_events_entered_district_and_dead_end(core: Core, ann: Player) -> None:
    core.game.take_events()
    ann.do("e")  # spawn (downtown) -> alley (slums)
    kinds = [e.kind for e in core.game.take_events()]
    assert EventKind.PLAYER_ENTERED_ROOM in kinds and EventKind.PLAYER_ENTERED_DISTRICT in kinds
    assert EventKind.DISTRICT_EMPTY in kinds and EventKind.DISTRICT_POPULATED in kinds
    ann.do("s")  # nothing south of the alley: the city's edge
    dead = [e for e in core.game.take_events() if e.kind == EventKind.DEAD_END_HIT]
    assert dead and dead[0].data["direction"] == "s" and dead[0].room_id == "alley"


def test_shop_buy_and_sell_move_credits(core: Core, ann: Player) -> None:
    ann.do("n")
    assert "Lead Pipe (pipe) - 20 cr" in ann.do("list")
    wallet = core.game.world.comp(ann.pid, k.Wallet)
    assert wallet.credits == 100
    assert "You buy Lead Pipe for 20 credits" in ann.do("buy pipe")
    assert wallet.credits == 80
    assert "Lead Pipe" in ann.do("i")
    assert "You sell Lead Pipe for 10 credits" in ann.do("sell pipe")
    assert wallet.credits == 90
    assert "aren't carrying" in ann.do("sell pipe")
    for _ in range(3):
        ann.do("buy vest")
    assert "costs 30 credits; you have 0" in ann.do("buy vest")
    assert "doesn't sell" in ann.do("buy unicorn")
    ann.do("s")
    assert "There is no shop here" in ann.do("list")


def test_equip_changes_combat_outcome(core: Core, hub: SessionHub, clock: ManualClock) -> None:
    """Same seed, same thug: bare hands need many rounds, a lead pipe far fewer."""

    def rounds_to_kill(equip: bool) -> int:
        c2 = Core(core.settings, ManualClock())
        from ouro_engine.loader import load_base

        c2.load_base(load_base(core.settings.resolved_base_dir()))
        p = Player(c2, SessionHub(c2, None), "Bo")
        p.do("n")
        if equip:
            p.do("buy pipe")
            p.do("equip pipe")
        c2.game.world.comp(p.pid, k.Health).maximum = 10_000
        c2.game.world.comp(p.pid, k.Health).current = 10_000
        c2.game.world.move(p.pid, "dead-end")
        p.do("attack thug")
        rounds = 1
        while c2.game.world.has(p.pid, k.Fighting):
            tick_for(c2, c2.game.world.clock, 2.0)  # type: ignore[arg-type]
            rounds += 1
        assert c2.game.world.has("npc:thug:dead-end:0", k.Dead)
        return rounds

    bare, armed = rounds_to_kill(False), rounds_to_kill(True)
    assert armed * 2 < bare, (armed, bare)


def test_quest_from_accept_to_reward(core: Core, ann: Player) -> None:
    assert "Rat Problem" in ann.do("talk fixer")
    assert "Quest accepted: Rat Problem" in ann.do("quest accept q-rats")
    assert "Quest updated" in ann.do("e")  # go_to alley
    assert "You killed Rat" in ann.do("kill rat") or _finish_rat(core, ann)
    ann.do("n")
    assert "Quest updated" in ann.do("get datachip")  # fetch
    ann.do("s")
    ann.do("w")
    out = ann.do("give datachip fixer")
    assert "Quest complete: Rat Problem" in out
    player = core.game.world.comp(ann.pid, k.Player)
    assert "q-rats" in player.completed and not player.quests
    assert "Kevlar Vest" in ann.do("inventory")
    assert player.xp >= 100
    assert "already completed" in ann.do("quest accept q-rats")


def _finish_rat(core: Core, ann: Player) -> bool:
    clock = core.game.world.clock
    while core.game.world.has(ann.pid, k.Fighting):
        tick_for(core, clock, 2.0)  # type: ignore[arg-type]
    return core.game.world.has("npc:rat:alley:0", k.Dead)


def test_use_a_medkit(core: Core, ann: Player) -> None:
    ann.do("n")
    ann.do("buy medkit")
    core.game.world.comp(ann.pid, k.Health).current = 50
    assert "You use Medkit. +30 hp (80/100)" in ann.do("use medkit")
    assert "aren't carrying" in ann.do("use medkit")
    ann.do("buy pipe")
    assert "can't use Lead Pipe" in ann.do("use pipe")


def test_help_and_did_you_mean(ann: Player) -> None:
    assert "look [thing]" in ann.do("help look")
    assert "Did you mean 'look'" in ann.do("lokk")
    assert "Commands:" in ann.do("help")
    assert "Unknown command" in ann.do("help frobnicate")


def test_bad_arguments_get_clear_messages(ann: Player) -> None:
    assert "Usage: get <item>" in ann.do("get")
    assert "don't see 'unicorn'" in ann.do("attack unicorn")
    assert "Usage: give" in ann.do("give pipe")
    assert "Usage: quest accept" in ann.do("quest dance q-rats")
    assert "no quest called" in ann.do("quest accept nope")
    assert "not on a quest" in ann.do("quest abandon q-rats")
    assert "not fighting" in ann.do("flee")
    assert ann.do("   ") == ""


def test_social_and_info(core: Core, hub: SessionHub, ann: Player) -> None:
    bo = Player(core, hub, "Bo")
    ann.do("say hello there")
    assert 'Ann says, "hello there"' in bo.session.text()
    ann.do("tell bo psst")
    assert 'Ann tells you, "psst"' in bo.session.text()
    assert "No player called 'zed'" in ann.do("tell zed hi")
    ann.do("emote grins")
    assert "Ann grins" in bo.session.text()
    assert "2 online: Ann, Bo" in ann.do("who")
    assert "level 1" in ann.do("score")
    assert "@" in ann.do("map")
    assert "looks like" in ann.do("consider rat") or "don't see" in ann.do("consider rat")
    assert "Fixer" in ann.do("examine fixer")


def test_control_characters_are_stripped(core: Core, hub: SessionHub, ann: Player) -> None:
    bo = Player(core, hub, "Bo")
    ann.do("say \x1b[31mred\x07")
    assert "\x1b" not in bo.session.text() and "\x07" not in bo.session.text()
