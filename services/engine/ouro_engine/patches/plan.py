"""Validating a patch before anything changes: a `Plan` is an overlay of what the ops before this
one would add or remove, so op 5 sees the room op 2 adds — and a failing op 5 means nothing applies.

`Rejected` = the patch is wrong (unknown op, missing reference, forbidden change): nothing changes.
`Skipped` = it is fine but cannot be afforded now (a Questmaker budget): nothing changes either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ouro_engine import components as k
from ouro_engine.game import Game

if TYPE_CHECKING:
    from ouro_engine.patches.prepare import Prepared
    from ouro_schemas import content as c


class Rejected(Exception):
    """The patch is invalid; the message is the reason."""


class Skipped(Exception):
    """The patch is valid but cannot run now (e.g. a Questmaker cannot afford it)."""


class IdSource:
    """Ids for what tool calls create: `<patch id>:<n>`, numbered across the whole patch."""

    def __init__(self, patch_id: str) -> None:
        self.patch_id = patch_id
        self.n = 0

    def take(self, count: int) -> list[str]:
        ids = [f"{self.patch_id}:{self.n + i}" for i in range(count)]
        self.n += count
        return ids


class Plan:
    def __init__(self, game: Game, patch_id: str, proposal_id: str, prepared: Prepared | None = None) -> None:
        self.game = game
        self.patch_id = patch_id
        self.proposal_id = proposal_id
        self.prepared: Prepared = prepared or {}  # op index -> rooms validated before the pass
        self.op_index = 0  # the op being checked
        self.room_models: dict[int, list[c.Room]] = {}  # op index -> its rooms as checked (the apply uses them)
        self.templates: dict[str, str | None] = {}  # id -> type (None = removed)
        self.rooms: dict[str, tuple[int, int, int] | None] = {}  # id -> coords (None = removed)
        self.coords: set[tuple[int, int, int]] = set()
        self.exits: dict[tuple[str, str], str | None] = {}  # (room, dir) -> to (None = removed)
        self.entities: dict[str, str | None] = {}  # id -> template id (None = removed)
        self.events: dict[str, bool] = {}  # id -> active
        self.budget: dict[str, float] = {}  # questmaker id -> budget left after planned deducts
        self.ids = IdSource(patch_id)

    # --- templates ----------------------------------------------------------------------------------
    def template_type(self, tid: str) -> str | None:
        if tid in self.templates:
            return self.templates[tid]
        return self.game.templates.type_of.get(tid)

    def added_here(self, added_by: str | None) -> bool:
        """Was it added by this patch's proposal (so this patch, or its undo, may take it away)?"""
        return added_by is not None and added_by in (self.patch_id, self.proposal_id)

    def need_template(self, tid: str, *kinds: str) -> str:
        kind = self.template_type(tid)
        if kind is None or (kinds and kind not in kinds):
            raise Rejected(f"unknown {'/'.join(kinds) or 'template'} template {tid!r}")
        return kind

    # --- rooms and exits ------------------------------------------------------------------------------
    def has_room(self, rid: str) -> bool:
        if rid in self.rooms:
            return self.rooms[rid] is not None
        return rid in self.game.map.rooms

    def need_room(self, rid: str) -> None:
        if not self.has_room(rid):
            raise Rejected(f"unknown room {rid!r}")

    def coord_taken(self, xyz: tuple[int, int, int]) -> bool:
        return xyz in self.coords or xyz in self.game.map.coord

    def exit_to(self, rid: str, direction: str) -> str | None:
        if (rid, direction) in self.exits:
            return self.exits[(rid, direction)]
        room = self.game.map.get(rid)
        return room.exits.get(direction) if room is not None and rid not in self.rooms else None

    # --- entities -------------------------------------------------------------------------------------
    def has_entity(self, eid: str) -> bool:
        if eid in self.entities:
            return self.entities[eid] is not None
        return self.game.world.exists(eid)

    def need_entity(self, eid: str, kind: str | None = None) -> None:
        if not self.has_entity(eid):
            raise Rejected(f"unknown {kind or 'entity'} {eid!r}")
        if kind is not None and eid not in self.entities:
            ident = self.game.world.get(eid, k.Identity)
            if ident is None or ident.kind != kind:
                raise Rejected(f"{eid!r} is not a {kind}")

    def need_new_entity(self, eid: str) -> None:
        if self.has_entity(eid) or eid in self.entities:
            raise Rejected(f"entity {eid!r} already exists")

    def npc_entity(self, ref: str) -> str:
        """An NPC entity id, or the first live entity of an NPC template id."""
        if self.has_entity(ref):
            self.need_entity(ref, "npc")
            return ref
        for eid, (ident,) in self.game.world.query(k.Identity):
            if ident.kind == "npc" and ident.template_id == ref:
                return eid
        raise Rejected(f"unknown npc {ref!r}")

    # --- events and budgets ---------------------------------------------------------------------------
    def event_active(self, event_id: str) -> bool:
        if event_id in self.events:
            return self.events[event_id]
        return event_id in self.game.events_active

    def budget_left(self, qm_id: str) -> float:
        if qm_id not in self.budget:
            qm = self.game.qms.get(qm_id)
            if qm is None:
                raise Rejected(f"unknown questmaker {qm_id!r}")
            self.budget[qm_id] = qm.budget_current
        return self.budget[qm_id]
