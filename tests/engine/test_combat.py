"""Combat: the pure blow, death, loot, XP and credits, respawn, aggression, player death."""

from __future__ import annotations

from ouro_engine import combat
from ouro_engine import components as k
from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_schemas.messages import EventKind
from tests.engine.conftest import Player, tick_for

STATS = combat.Stats(damage_min=10, damage_max=10, accuracy=0.5, armor=0, crit_chance=0.1)


def test_blow_hit_miss_crit_and_armor() -> None:
    assert not combat.resolve(0.6, 10, 0.9, STATS, STATS).hit
    hit = combat.resolve(0.1, 10, 0.9, STATS, STATS)
    assert hit.hit and hit.damage == 10 and not hit.crit
    crit = combat.resolve(0.1, 10, 0.05, STATS, STATS)
    assert crit.crit and crit.damage == 20
    armored = combat.Stats(damage_min=0, damage_max=0, accuracy=0, armor=20, crit_chance=0)
    assert combat.resolve(0.1, 10, 0.9, STATS, armored).damage == 5
    assert combat.resolve(0.94, 10, 0.9, combat.Stats(1, 1, 5.0, 0, 0), STATS).hit  # capped at 95%


def test_kill_gives_loot_xp_credits_and_respawns(core: Core, ann: Player, clock: ManualClock) -> None:
    rat = "npc:rat:alley:0"
    ann.do("e")
    core.game.world.comp(ann.pid, k.CombatStats).accuracy = 5.0
    ann.do("kill rat")
    while core.game.world.has(ann.pid, k.Fighting):
        tick_for(core, clock, 2.0)
    assert core.game.world.has(rat, k.Dead)
    player = core.game.world.comp(ann.pid, k.Player)
    assert player.xp == 10 and player.kills == 1 and core.game.world.comp(ann.pid, k.Wallet).credits == 105
    assert "Rat Tail" in ann.do("look")
    killed = [e for e in core.game.take_events() if e.kind == EventKind.NPC_KILLED]
    assert killed[0].data == {"npc_id": rat, "template_id": "rat", "boss": False}
    tick_for(core, clock, 31, step=1.0)
    assert not core.game.world.has(rat, k.Dead)
    assert core.game.room_of(rat).id == "alley"  # type: ignore[union-attr]
    assert core.game.world.comp(rat, k.Health).current == 10


def test_hostile_attitude_makes_an_npc_attack(core: Core, ann: Player, clock: ManualClock) -> None:
    core.game.world.comp("npc:rat:alley:0", k.AI).attitudes[ann.pid] = "hostile"
    ann.do("e")
    tick_for(core, clock, 3.5)
    assert "Rat attacks you!" in ann.session.text()


def test_aggressive_npc_attacks_and_player_dies_and_respawns(core: Core, ann: Player, clock: ManualClock) -> None:
    core.game.world.comp("npc:thug:dead-end:0", k.AI).behavior = "aggressive"
    core.game.world.comp(ann.pid, k.Health).current = 5
    core.game.world.move(ann.pid, "dead-end")
    tick_for(core, clock, 20.0)
    assert "You wake up at the spawn point" in ann.session.text()
    assert core.game.room_of(ann.pid).id == "spawn"  # type: ignore[union-attr]
    assert core.game.world.comp(ann.pid, k.Player).deaths == 1
    assert EventKind.PLAYER_DIED in [e.kind for e in core.game.take_events()]


def test_wanderers_stay_in_their_district(core: Core, clock: ManualClock) -> None:
    drone = "npc:drone:bar:0"
    rooms = set()
    for _ in range(50):
        tick_for(core, clock, 1.0, step=0.5)
        rooms.add(core.game.room_of(drone).id)  # type: ignore[union-attr]
    assert rooms <= {"bar", "alley", "dead-end"} and len(rooms) > 1


def test_same_seed_same_fight(core: Core, settings: object) -> None:
    """The World's RNG is seeded: two identical worlds fight identically."""
    from ouro_engine.loader import load_base
    from ouro_engine.sessions import SessionHub

    logs = []
    for _ in range(2):
        c = Core(core.settings, ManualClock())
        c.load_base(load_base(core.settings.resolved_base_dir()))
        p = Player(c, SessionHub(c, None), "Cy")
        c.game.world.move(p.pid, "dead-end")
        p.do("kill thug")
        tick_for(c, c.game.world.clock, 10.0)  # type: ignore[arg-type]
        logs.append(p.session.text())
    assert logs[0] == logs[1]


def test_a_failing_system_is_contained(core: Core, clock: ManualClock) -> None:
    class Broken:
        name = "broken"

        def process(self, now: float) -> None:
            raise RuntimeError("content bug")

    core.game.world.systems.insert(0, Broken())
    tick_for(core, clock, 1.0)
    assert core.game.world.system_errors == 10 and core.game.world.tick == 10
