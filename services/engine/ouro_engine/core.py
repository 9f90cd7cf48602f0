"""The synchronous heart of the engine: a Game, its systems in order, the command registry and the
patcher. No I/O here — the async shell (`engine.py`) feeds it lines, patches and ticks.

Tick order (each a System, see `World.process`):
1. AI (due NPCs only)  2. combat rounds  3. regeneration  4. respawn  5. quest timers and idling
6. world-event durations  7. Questmaker budget regeneration  8. economy statistics.
Patches are applied by the shell *before* `tick()`, i.e. at a tick boundary.
"""

from __future__ import annotations

import logging

from ouro_engine import components as k
from ouro_engine import growth
from ouro_engine.ai import AISystem
from ouro_engine.clock import Clock
from ouro_engine.combat import CombatSystem
from ouro_engine.commands import build_registry
from ouro_engine.commands.registry import CommandError, Ctx, clean, split
from ouro_engine.game import Game, QmState
from ouro_engine.movement import DistrictTracker, entered
from ouro_engine.patches import Patcher
from ouro_engine.quests import QuestSystem
from ouro_engine.rooms import room_from_model
from ouro_engine.settings import EngineSettings
from ouro_engine.spawning import create_player, spawn_base
from ouro_engine.systems import (
    EconomySystem,
    EventDurationSystem,
    QmRegenSystem,
    RegenSystem,
    RespawnSystem,
)
from ouro_schemas import content as c
from ouro_schemas.messages import EventKind

log = logging.getLogger(__name__)
SHORT_VERBS = ("'", ":")  # "'hello" = say hello, ":grins" = emote grins


class Core:
    def __init__(self, settings: EngineSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.game = Game(settings, clock)
        self.tracker = DistrictTracker(self.game)
        self.registry = build_registry()
        self.patcher = Patcher(self.game, settings.hmac_key_bytes)
        self.ai = AISystem(self.game)
        self.economy = EconomySystem(self.game)
        self.game.world.systems = [
            self.ai, CombatSystem(self.game), RegenSystem(self.game), RespawnSystem(self.game),
            QuestSystem(self.game), EventDurationSystem(self.game), QmRegenSystem(self.game), self.economy,
        ]
        self.commands_run = 0
        self.command_errors = 0

    # --- content ---------------------------------------------------------------------------------
    def load_base(self, base: c.BaseWorld) -> None:
        """A fresh world from validated base content (first start, or a test fixture)."""
        game = self.game
        groups = (("faction", base.factions), ("district", base.districts), ("npc", base.npcs),
                  ("item", base.items), ("shop", base.shops), ("questmaker", base.questmakers),
                  ("quest", base.quests))
        for kind, models in groups:
            for model in models:
                game.templates.add(kind, model)
                game.dirty.templates.add(model.id)
        for room in base.rooms:
            game.map.add(room_from_model(room))
            game.mark_room(room.id)
        for qm in base.questmakers:
            game.qms[qm.id] = QmState(id=qm.id, budget_current=qm.budget_start, budget_max=qm.budget_max,
                                      regen_per_minute=qm.regen_per_minute)
            game.mark_qm(qm.id)
        game.spawn_room_id = base.spawn_room_id
        spawn_base(game, base)
        growth.refresh(game)
        game.map.refresh_meta()
        game.dirty.districts = True

    # --- players ------------------------------------------------------------------------------------
    def ensure_player(self, pid: str, name: str) -> None:
        if not self.game.world.exists(pid):
            create_player(self.game, pid, name)
        self.game.players_by_name[name.lower()] = pid

    def connect(self, pid: str) -> None:
        game = self.game
        game.world.add(pid, k.Online(since=game.now))
        pos = game.world.get(pid, k.Position)
        if pos is not None and game.room_of(pid) is None:
            game.chunks.ensure_room(pos.room_id)  # where the player left off, in a chunk not in memory
        if pos is None or game.room_of(pid) is None:
            game.world.move(pid, game.spawn_room_id)
        game.dirty.online = True
        room = game.room_of(pid)
        game.emit(EventKind.PLAYER_CONNECTED, player_id=pid, room_id=room.id if room else None,
                  district_id=room.district_id if room else None)
        if room is not None:
            game.tell_room(room.id, f"{game.name_of(pid)} appears.", exclude=(pid,))
            entered(game, self.tracker, pid, None, room)

    def disconnect(self, pid: str) -> None:
        game = self.game
        if not game.world.has(pid, k.Online):
            return
        room = game.room_of(pid)
        game.world.remove(pid, k.Online)
        game.world.remove(pid, k.Fighting)
        game.dirty.online = True
        if room is not None:
            self.tracker.change(room.district_id, -1)
            game.tell_room(room.id, f"{game.name_of(pid)} fades away.")
        game.emit(EventKind.PLAYER_DISCONNECTED, player_id=pid, room_id=room.id if room else None)

    # --- commands -----------------------------------------------------------------------------------
    def execute(self, pid: str, line: str) -> list[str]:
        """Run one command line for a player; never raises (errors become a reply)."""
        line = clean(line, self.settings.max_line)
        if not line:
            return []
        if line[0] in SHORT_VERBS:
            line = f"{line[0]} {line[1:]}"
        verb, args = split(line)
        ctx = Ctx(self.game, pid, self.tracker)
        self.commands_run += 1
        self.game.capture_pid, self.game.captured = pid, ctx.out
        try:
            cmd = self.registry.find(verb)
            if cmd is None:
                return [self.registry.suggest(verb[:30])]
            cmd.fn(ctx, args)
            if cmd.action:
                self._report_action(pid, cmd.name, args)
        except CommandError as exc:
            ctx.reply(str(exc))
        except Exception:
            self.command_errors += 1
            log.exception("command failed", extra={"player_id": pid, "line": line[:200]})
            ctx.reply("Something went wrong.")
        finally:
            self.game.capture_pid, self.game.captured = None, []
        return ctx.out

    def _report_action(self, pid: str, verb: str, args: str) -> None:
        room = self.game.room_of(pid)
        self.game.emit(EventKind.PLAYER_ACTION, player_id=pid, room_id=room.id if room else None,
                       district_id=room.district_id if room else None,
                       data={"verb": verb, "target": args[:100]})

    # --- the tick -------------------------------------------------------------------------------------
    def tick(self) -> None:
        self.game.world.process()
