"""The Game: everything the engine owns in memory — the ECS World, the map, the templates in force,
Questmaker budgets and memories, active world events, applied patch ids — plus the outbox of
`WorldEvent`s and the "dirty" bookkeeping the persistence layer flushes every tick.

Game logic (commands, systems, patches) mutates a Game synchronously; only the engine shell awaits.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

import msgspec

from ouro_engine.chunks import ChunkStore
from ouro_engine.clock import Clock
from ouro_engine.components import Health, Identity, Online, Position
from ouro_engine.ecs import World
from ouro_engine.rooms import Map, RoomState
from ouro_engine.settings import EngineSettings
from ouro_engine.templates import Templates
from ouro_schemas.messages import EventKind, WorldEvent

# Events every move or action command emits: bookkeeping (the Questmaker monitor counts actions) that
# waits for the tick's flush. Any other kind — a district entered, the edge near, a kill, a quest step —
# is what the director reacts to, so the engine flushes it within `event_flush_ms`: flushing for every
# move too cost the director ~6% and Redis ~3% of a core more at 500 players, for no decision sooner.
ROUTINE_EVENTS = frozenset({EventKind.PLAYER_ENTERED_ROOM, EventKind.PLAYER_ACTION})


class QmState(msgspec.Struct, kw_only=True):
    id: str
    budget_current: float
    budget_max: float
    regen_per_minute: float
    memories: dict[str, list[str]] = msgspec.field(default_factory=dict)
    influence_total: float = 0.0


class ActiveEvent(msgspec.Struct, kw_only=True):
    id: str
    event_type: str
    district_id: str | None
    started_at: float
    ends_at: float
    effects: dict[str, Any] = msgspec.field(default_factory=dict)
    origin: str = ""
    text: str = ""

    @property
    def title(self) -> str:
        return self.event_type.replace("_", " ").title()


class Dirty:
    """What changed since the last flush, by kind (entities are tracked by the World itself)."""

    def __init__(self) -> None:
        self.rooms: set[str] = set()
        self.rooms_removed: set[str] = set()
        self.coords_removed: set[str] = set()  # "x,y,z" of removed rooms
        self.templates: set[str] = set()
        self.templates_removed: set[str] = set()
        self.qms: set[str] = set()
        self.events: set[str] = set()
        self.events_removed: set[str] = set()
        self.applied: set[str] = set()
        self.removed_cells: dict[str, tuple[int, int, int]] = {}  # removed room id -> its cell
        self.chunk_meta: set[tuple[int, int]] = set()  # chunks whose figures must be written again
        # Growth points (growth.refresh): cells changed since the last refresh, rooms removed since,
        # and the changes to write: (chunk, "room:dir") -> point (None: gone).
        self.growth_cells: set[tuple[int, int, int]] = set()
        self.growth_removed: dict[str, tuple[int, int, int]] = {}
        self.growth: dict[tuple[tuple[int, int], str], Any] = {}
        self.online = False
        self.districts = False


class Game:
    def __init__(self, settings: EngineSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.world = World(settings.seed, clock, listener=Online)
        self.map = Map()
        self.chunks = ChunkStore(self)  # which chunks are in memory (no Redis here: the shell sets `io`)
        self.templates = Templates()
        self.qms: dict[str, QmState] = {}
        self.events_active: dict[str, ActiveEvent] = {}
        self.applied: dict[str, bytes] = {}  # patch id -> PatchResult JSON
        self.spawn_room_id = "spawn"
        self.outbox: list[WorldEvent] = []
        # Called at the first event since the last flush that is not routine (the engine then flushes
        # soon, not at the next tick); `prompt_waiting` is cleared when the outbox is taken.
        self.on_prompt_event: Callable[[], None] | None = None
        self.prompt_waiting = False
        # Event ids: 64 random bits each from a generator seeded once from the OS. uuid4 read the OS per
        # event (a system call on every command that emits one); consumers dedupe by id, so ids only
        # need to be unique across processes and restarts, which 64 bits from an OS-seeded stream are.
        # Not the world's RNG: ids never change what the game does.
        self._event_ids = random.Random(int.from_bytes(os.urandom(16), "big"))
        self.dirty = Dirty()
        self.players_by_name: dict[str, str] = {}  # lower-case name -> player id
        # Delivery to a player's session; the session hub replaces it (no-op when nobody listens).
        self.send: Callable[[str, str], None] = lambda _pid, _text: None
        self.send_data: Callable[[str, str, dict[str, Any]], None] = lambda _pid, _kind, _data: None
        self.money_created = 0  # credits entering the economy (loot, rewards) since start
        self.money_destroyed = 0  # credits leaving it (shop purchases)
        self.loaded_at = self.world.clock.now()  # when this process built or restored the world
        # District id -> when a quest of that district was last accepted, advanced, completed or given up
        # (the director's "stale quests" rule reads it from the summary; never active: since `loaded_at`).
        self.quest_activity: dict[str, float] = {}
        # While a command runs, what the acting player is told is captured in order with its replies.
        self.capture_pid: str | None = None
        self.captured: list[str] = []

    @property
    def now(self) -> float:
        return self.world.clock.now()

    # --- events out ------------------------------------------------------------------------------
    def emit(self, kind: EventKind, **fields: Any) -> WorldEvent:
        event = WorldEvent(id=f"ev-{self._event_ids.getrandbits(64):016x}", kind=kind, at=self.now,
                           tick=self.world.tick, **fields)
        self.outbox.append(event)
        if kind not in ROUTINE_EVENTS and not self.prompt_waiting:
            self.prompt_waiting = True
            if self.on_prompt_event is not None:
                self.on_prompt_event()
        return event

    def take_events(self) -> list[WorldEvent]:
        out, self.outbox = self.outbox, []
        self.prompt_waiting = False
        return out

    # --- talking to players --------------------------------------------------------------------
    def tell(self, eid: str, text: str) -> None:
        if eid == self.capture_pid:
            self.captured.append(text)
        elif self.world.has(eid, Online):
            self.send(eid, text)

    def tell_room(self, room_id: str, text: str, exclude: tuple[str, ...] = ()) -> None:
        for eid in list(self.world.listeners_in(room_id)):
            if eid not in exclude:
                self.tell(eid, text)

    def tell_district(self, district_id: str | None, text: str) -> None:
        """Every online player in the district (None: the whole city)."""
        for eid, (_online,) in list(self.world.query(Online)):
            room = self.room_of(eid)
            if district_id is None or (room is not None and room.district_id == district_id):
                self.tell(eid, text)

    def events_here(self, district_id: str | None) -> list[ActiveEvent]:
        """Active events in this district, and city-wide ones."""
        return [ev for ev in self.events_active.values() if ev.district_id in (None, district_id)]

    def update_room(self, pid: str) -> None:
        """A structured room update for clients with a map (GMCP Room.Info in issue 4)."""
        room = self.room_of(pid)
        if room is not None and self.world.has(pid, Online):
            x, y, z = room.coords
            self.send_data(pid, "room", {"id": room.id, "name": room.name, "district_id": room.district_id,
                                         "x": x, "y": y, "z": z, "exits": dict(room.exits)})

    def update_vitals(self, eid: str) -> None:
        """A structured health update (GMCP Char.Vitals in issue 4)."""
        hp = self.world.get(eid, Health)
        if hp is not None and self.world.has(eid, Online):
            self.send_data(eid, "vitals", {"hp": hp.current, "max_hp": hp.maximum})

    # --- lookups --------------------------------------------------------------------------------
    def name_of(self, eid: str) -> str:
        ident = self.world.get(eid, Identity)
        return ident.name if ident else eid

    def room_of(self, eid: str) -> RoomState | None:
        pos = self.world.get(eid, Position)
        return None if pos is None else self.map.get(pos.room_id)

    def mark_room(self, room_id: str) -> None:
        """Every change to a room goes through here (persistence and the map's caches)."""
        self.map.version += 1
        self.dirty.rooms.add(room_id)
        self.dirty.rooms_removed.discard(room_id)
        room = self.map.get(room_id)
        if room is not None:
            self.dirty.growth_cells.add(room.coords)

    def mark_qm(self, qm_id: str) -> None:
        self.dirty.qms.add(qm_id)

    def event_effect(self, key: str, district_id: str | None, default: float = 1.0) -> float:
        """The product of `key` over active events in this district (or city-wide ones)."""
        value = default
        for ev in self.events_here(district_id):
            if key in ev.effects:
                value *= float(ev.effects[key])
        return value
