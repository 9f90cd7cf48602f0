"""The ECS core: a `World` of entities and components, with a per-type index and a room index.

Lessons from esper: components are plain data; a query walks the smallest component set first, so it
costs O(result) rather than O(entities); deletions are deferred to the start of the next `process`,
so systems may delete while iterating. Unlike esper, nothing lives in module globals: a test may hold
two worlds side by side.

The World also owns the seeded numpy RNG (reproducible fights and wandering) and the clock.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Protocol, TypeVar, overload

import numpy as np

from ouro_engine.clock import Clock
from ouro_engine.components import Position

log = logging.getLogger(__name__)
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")


_EMPTY: set[str] = set()


class System(Protocol):
    """A periodic processor; `process` runs once per tick, in the order systems were added."""

    name: str

    def process(self, now: float) -> None: ...


class World:
    def __init__(self, seed: int = 1, clock: Clock | None = None, listener: type[Any] | None = None) -> None:
        self.clock = clock or Clock()
        self.rng = np.random.default_rng(seed)  # game outcomes; persisted with the world
        # AI pulse staggering only: kept apart so re-scheduling after a restart does not shift `rng`.
        self.schedule_rng = np.random.default_rng([seed, 1])
        self.tick = 0
        self.serial = 0  # for runtime entity ids; persisted in the world meta
        self._entities: dict[str, dict[type[Any], Any]] = {}
        self._by_type: dict[type[Any], dict[str, Any]] = defaultdict(dict)
        self._rooms: dict[str, set[str]] = defaultdict(set)
        # A second room index for entities carrying the `listener` component (online players), so
        # "tell everyone here" and "is a player here?" cost O(listeners), not O(occupants).
        self.listener = listener
        self._listeners: dict[str, set[str]] = defaultdict(set)
        self._pending_delete: set[str] = set()
        self.systems: list[System] = []
        self.system_errors = 0
        self.dirty: set[str] = set()  # entities to write at the next flush
        self.removed: set[str] = set()  # entities to delete from Redis at the next flush

    # --- entities ---------------------------------------------------------------------------------
    def new_id(self, prefix: str = "e") -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def create(self, eid: str, *components: Any) -> str:
        if eid in self._entities:
            raise KeyError(f"entity {eid!r} exists")
        self._entities[eid] = {}
        for comp in components:
            self.add(eid, comp)
        self.dirty.add(eid)
        self.removed.discard(eid)
        return eid

    def exists(self, eid: str) -> bool:
        return eid in self._entities and eid not in self._pending_delete

    def delete(self, eid: str, *, now: bool = False) -> None:
        """Schedule deletion at the next `process` (or at once with now=True, at a tick boundary)."""
        if eid not in self._entities:
            return
        if now:
            self._purge(eid)
        else:
            self._pending_delete.add(eid)

    def _purge(self, eid: str) -> None:
        for kind in list(self._entities.get(eid, {})):
            self.remove(eid, kind)
        self._entities.pop(eid, None)
        self._pending_delete.discard(eid)
        self.dirty.discard(eid)
        self.removed.add(eid)

    def insert(self, eid: str, *components: Any) -> bool:
        """An entity read back from storage (a chunk loading): not dirty, nothing to write. False when an
        entity with that id is already in memory (the one in memory is newer)."""
        if eid in self._entities:
            return False
        was_dirty = eid in self.dirty
        self.create(eid, *components)
        if not was_dirty:
            self.dirty.discard(eid)
        return True

    def evict(self, eid: str) -> None:
        """Forget an entity that stays in storage (its chunk unloads): not a deletion, nothing is written."""
        store = self._entities.pop(eid, None)
        if store is None:
            return
        for kind, comp in store.items():
            self._by_type[kind].pop(eid, None)
            if kind is Position:
                self._rooms[comp.room_id].discard(eid)
                self._listeners[comp.room_id].discard(eid)
                if not self._rooms[comp.room_id]:
                    del self._rooms[comp.room_id]
                if not self._listeners.get(comp.room_id, True):
                    del self._listeners[comp.room_id]
        self._pending_delete.discard(eid)
        self.dirty.discard(eid)

    def entities(self) -> list[str]:
        return [eid for eid in self._entities if eid not in self._pending_delete]

    def __len__(self) -> int:
        return len(self._entities) - len(self._pending_delete)

    # --- components -------------------------------------------------------------------------------
    def add(self, eid: str, comp: Any) -> None:
        kind = type(comp)
        store = self._entities[eid]
        if kind is Position:
            old = store.get(Position)
            if old is not None:
                self._rooms[old.room_id].discard(eid)
                self._listeners[old.room_id].discard(eid)
            self._rooms[comp.room_id].add(eid)
            if self.listener in store:
                self._listeners[comp.room_id].add(eid)
        elif kind is self.listener and Position in store:
            self._listeners[store[Position].room_id].add(eid)
        store[kind] = comp
        self._by_type[kind][eid] = comp
        self.dirty.add(eid)

    def remove(self, eid: str, kind: type[Any]) -> None:
        comp = self._entities.get(eid, {}).pop(kind, None)
        if comp is None:
            return
        self._by_type[kind].pop(eid, None)
        if kind is Position:
            self._rooms[comp.room_id].discard(eid)
            self._listeners[comp.room_id].discard(eid)
        elif kind is self.listener and Position in self._entities[eid]:
            self._listeners[self._entities[eid][Position].room_id].discard(eid)
        self.dirty.add(eid)

    def get(self, eid: str, kind: type[A]) -> A | None:
        store = self._entities.get(eid)
        return None if store is None else store.get(kind)

    def comp(self, eid: str, kind: type[A]) -> A:
        """The component; raises KeyError if the entity lacks it."""
        return self._entities[eid][kind]  # type: ignore[no-any-return]

    def has(self, eid: str, kind: type[Any]) -> bool:
        return kind in self._entities.get(eid, {})

    def components_of(self, eid: str) -> dict[type[Any], Any]:
        return self._entities.get(eid, {})

    def count(self, kind: type[Any]) -> int:
        return len(self._by_type[kind])

    @overload
    def query(self, a: type[A], /) -> Iterator[tuple[str, tuple[A]]]: ...
    @overload
    def query(self, a: type[A], b: type[B], /) -> Iterator[tuple[str, tuple[A, B]]]: ...
    @overload
    def query(self, a: type[A], b: type[B], c: type[C], /) -> Iterator[tuple[str, tuple[A, B, C]]]: ...
    def query(self, *kinds: type[Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """Entities having every kind, walking the smallest component set (cost O(smallest set))."""
        stores = sorted((self._by_type[k] for k in kinds), key=len)
        for eid in list(stores[0]):
            if eid in self._pending_delete:
                continue
            ent = self._entities.get(eid)
            if ent is not None and all(k in ent for k in kinds):
                yield eid, tuple(ent[k] for k in kinds)

    # --- rooms --------------------------------------------------------------------------------------
    def move(self, eid: str, room_id: str) -> None:
        self.add(eid, Position(room_id=room_id))

    def in_room(self, room_id: str) -> list[str]:
        return [e for e in self._rooms.get(room_id, ()) if e not in self._pending_delete]

    def listeners_in(self, room_id: str) -> set[str]:
        """Entities with the listener component in the room (a live view: copy before mutating)."""
        return self._listeners.get(room_id) or _EMPTY

    # --- the tick --------------------------------------------------------------------------------------
    def process(self) -> None:
        """One tick: purge deferred deletions, then every system in order."""
        for eid in list(self._pending_delete):
            self._purge(eid)
        self.tick += 1
        now = self.clock.now()
        for system in self.systems:
            try:
                system.process(now)
            except Exception:  # a content bug in one system must not stop the world; the next tick retries
                self.system_errors += 1
                log.exception("system failed", extra={"system": system.name, "tick": self.tick})
