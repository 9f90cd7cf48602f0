"""NPC behaviour on its own pulse: each NPC acts every `ai_min_s`..`ai_max_s` (staggered at random).

A heap of (due time, entity id) makes a tick cost O(NPCs due), not O(NPCs). Behaviours:
wander/patrol move through an unlocked exit within their home district; aggressive NPCs (and any NPC
whose attitude toward a player is hostile) attack an online player in the room; fearful/fleeing NPCs
run when hurt; the rest idle and now and then bark when players are near.
"""

from __future__ import annotations

import heapq

from ouro_engine import combat
from ouro_engine import components as k
from ouro_engine.game import Game
from ouro_engine.movement import npc_step
from ouro_engine.rooms import RoomState

MOVERS = {"wander", "patrol", "follow_player"}
AGGRESSIVE = {"aggressive", "more_alert_and_aggressive"}
BARK_CHANCE = 0.05


class AISystem:
    name = "ai"

    def __init__(self, game: Game) -> None:
        self.game = game
        self.heap: list[tuple[float, str]] = []
        # entity -> its next pulse; a heap entry whose time differs is stale (the NPC left memory with its
        # chunk and came back, and was scheduled again), so an NPC never pulses twice as often.
        self.next_at: dict[str, float] = {}
        self.acted = 0  # for the benchmark and metrics
        # (room id, district) -> open exits staying in the district; rebuilt when any room changes.
        self._routes: dict[tuple[str, str | None], list[str]] = {}
        self._routes_version = -1

    def _delay(self) -> float:
        s = self.game.settings
        return float(self.game.world.schedule_rng.uniform(s.ai_min_s, s.ai_max_s))

    def schedule_new(self, now: float) -> None:
        """Schedule NPCs new to memory (spawned, or loaded with their chunk); forget the ones that left."""
        world = self.game.world
        for eid in [e for e in self.next_at if not world.has(e, k.AI)]:
            del self.next_at[eid]
        for eid, _ in world.query(k.AI):
            if eid not in self.next_at:
                due = now + self._delay()
                self.next_at[eid] = due
                heapq.heappush(self.heap, (due, eid))

    def process(self, now: float) -> None:
        world = self.game.world
        if len(self.next_at) != world.count(k.AI):
            self.schedule_new(now)
        while self.heap and self.heap[0][0] <= now:
            due, eid = heapq.heappop(self.heap)
            if self.next_at.get(eid) != due:
                continue  # stale: rescheduled since, or gone
            if not world.exists(eid) or not world.has(eid, k.AI):
                del self.next_at[eid]
                continue
            due = now + self._delay()
            self.next_at[eid] = due
            heapq.heappush(self.heap, (due, eid))
            if world.has(eid, k.Dead):
                continue
            self.acted += 1
            self.act(eid)

    def _players_here(self, room_id: str) -> list[str]:
        return sorted(self.game.world.listeners_in(room_id))

    def act(self, eid: str) -> None:
        game = self.game
        ai = game.world.comp(eid, k.AI)
        room = game.room_of(eid)
        if room is None:
            return
        if game.world.has(eid, k.Fighting):
            self._maybe_flee(eid, ai)
            return
        players = self._players_here(room.id)
        target = self._pick_target(ai, players)
        if target is not None:
            game.tell(target, f"{game.name_of(eid)} attacks you!")
            combat.start_fight(game, eid, target, first_round_now=True)
            return
        if ai.behavior in MOVERS:
            self._wander(eid, ai)
        elif players and game.world.rng.random() < BARK_CHANCE:
            dialogue = game.world.get(eid, k.Dialogue)
            if dialogue and dialogue.barks:
                line = dialogue.barks[int(game.world.rng.integers(len(dialogue.barks)))]
                game.tell_room(room.id, f"{game.name_of(eid)}: {line}")

    @staticmethod
    def _pick_target(ai: k.AI, players: list[str]) -> str | None:
        for pid in players:
            attitude = ai.attitudes.get(pid)
            if attitude == "hostile" or (ai.behavior in AGGRESSIVE and attitude not in ("friendly", "helpful")):
                return pid
        return None

    def _routes_from(self, room: RoomState, district_id: str | None) -> list[str]:
        if self._routes_version != self.game.map.version:
            self._routes, self._routes_version = {}, self.game.map.version
        key = (room.id, district_id)
        options = self._routes.get(key)
        if options is None:
            options = []
            for direction, to in room.exits.items():
                dest = self.game.map.rooms.get(to)
                if dest is not None and direction not in room.locked_exits and (
                        district_id is None or dest.district_id == district_id):
                    options.append(direction)
            self._routes[key] = options
        return options

    def _wander(self, eid: str, ai: k.AI) -> None:
        game = self.game
        room = game.room_of(eid)
        if room is None or not room.exits:
            return
        options = self._routes_from(room, ai.district_id)
        if options:
            npc_step(game, eid, room, options[int(game.world.rng.integers(len(options)))])

    def _maybe_flee(self, eid: str, ai: k.AI) -> None:
        game = self.game
        hp = game.world.comp(eid, k.Health)
        fearful = ai.behavior == "flee" or "fearful" in ai.attitudes.values()
        if not fearful or hp.current * 3 > hp.maximum:
            return
        room = game.room_of(eid)
        exits = [d for d in (room.exits if room else {}) if d not in room.locked_exits] if room else []
        if room is not None and exits:
            game.world.remove(eid, k.Fighting)
            npc_step(game, eid, room, exits[int(game.world.rng.integers(len(exits)))])
