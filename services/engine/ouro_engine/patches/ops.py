"""Structural patch ops (templates, rooms, exits), each a pair: `check_<op>(plan, op)` (raises
Rejected, records the op's effect in the plan) and `apply_<op>(game, op, patch_id)` (changes the
world, returns its inverse ops). Entities and world events are in `live_ops.py`.

Compatibility rules (DESIGN §5): an existing exit is never removed or re-pointed except by the
inverse of the patch that added it; base rooms and templates are never removed; player-owned items
are never despawned (unless the patch being undone created them).
"""

from __future__ import annotations

from typing import Any

from ouro_engine import components as k
from ouro_engine.game import Game
from ouro_engine.patches.plan import Plan, Rejected
from ouro_engine.patches.prepare import validate_room
from ouro_engine.rooms import room_from_model, room_to_json
from ouro_engine.templates import TEMPLATE_MODELS
from ouro_schemas import content as c
from ouro_schemas import messages as m
from ouro_schemas.errors import ContentError, validate_model

PatchOp = Any  # one of messages.PatchOp
# Template types a patch may replace in place (the publisher adds stock to an existing shop this way;
# the inverse puts the old template back).
REPLACEABLE = frozenset({"shop"})


# --- templates ---------------------------------------------------------------------------------------
def check_add_template(plan: Plan, op: m.AddTemplate) -> None:
    if op.template_type not in TEMPLATE_MODELS:
        raise Rejected(f"unknown template type {op.template_type!r}")
    try:
        model = validate_model(TEMPLATE_MODELS[op.template_type], op.template, f"template {op.template_id}")
    except ContentError as exc:
        raise Rejected(str(exc)) from None
    if model.id != op.template_id:  # type: ignore[attr-defined]
        raise Rejected(f"template id {model.id!r} does not match {op.template_id!r}")  # type: ignore[attr-defined]
    existing = plan.template_type(op.template_id)
    if existing is not None and not (existing == op.template_type in REPLACEABLE):
        raise Rejected(f"template {op.template_id!r} already exists")
    plan.templates[op.template_id] = op.template_type
    district = getattr(model, "new_district", None)
    if isinstance(district, c.District):  # a block founding a district: its rooms may name it
        if plan.template_type(district.id) is not None:
            raise Rejected(f"block {op.template_id!r} founds district {district.id!r}, which exists")
        plan.templates[district.id] = "district"


def apply_add_template(game: Game, op: m.AddTemplate, patch_id: str) -> list[PatchOp]:
    inverse: list[PatchOp] = [m.RemoveTemplate(template_id=op.template_id)]
    if game.templates.has(op.template_id):  # a replaceable template (a shop's stock): keep who added it
        old = game.templates.to_json(op.template_id)
        added_by = game.templates.added_by.get(op.template_id)
        game.templates.remove(op.template_id)
        if added_by is not None:
            game.templates.added_by[op.template_id] = added_by
        inverse = [m.AddTemplate(template_type=old["type"], template_id=op.template_id, template=old["template"])]
    else:
        game.templates.added_by[op.template_id] = patch_id
    model = game.templates.add_raw(op.template_type, op.template, f"template {op.template_id}")
    _mark_template(game, op.template_id)
    district = getattr(model, "new_district", None)
    if isinstance(district, c.District):
        game.templates.add("district", district)
        game.templates.added_by[district.id] = patch_id
        _mark_template(game, district.id)
        game.dirty.districts = True
        inverse.append(m.RemoveTemplate(template_id=district.id))
    return inverse


def _mark_template(game: Game, tid: str) -> None:
    game.dirty.templates.add(tid)
    game.dirty.templates_removed.discard(tid)


def check_remove_template(plan: Plan, op: m.RemoveTemplate) -> None:
    plan.need_template(op.template_id)
    added_by = plan.game.templates.added_by.get(op.template_id)
    if op.template_id not in plan.templates and added_by is None:
        raise Rejected(f"template {op.template_id!r} is base content and cannot be removed")
    if op.template_id not in plan.templates and not plan.added_here(added_by):
        raise Rejected(f"template {op.template_id!r} was added by {added_by!r}; only its undo may remove it")
    for eid, (ident,) in plan.game.world.query(k.Identity):
        if ident.template_id == op.template_id and plan.has_entity(eid):
            raise Rejected(f"template {op.template_id!r} is still in use by entity {eid!r}")
    plan.templates[op.template_id] = None


def apply_remove_template(game: Game, op: m.RemoveTemplate, patch_id: str) -> list[PatchOp]:
    kind = game.templates.type_of[op.template_id]
    data = game.templates.to_json(op.template_id)["template"]
    game.templates.remove(op.template_id)
    game.dirty.templates.discard(op.template_id)
    game.dirty.templates_removed.add(op.template_id)
    return [m.AddTemplate(template_type=kind, template_id=op.template_id, template=data)]


# --- rooms and exits -----------------------------------------------------------------------------------
def check_add_rooms(plan: Plan, op: m.AddRooms) -> None:
    models = []
    prepared = plan.prepared.get(plan.op_index)  # validated before the pass (prepare.py), if it was
    for i, data in enumerate(op.rooms):
        room = prepared[i] if prepared is not None and i < len(prepared) else validate_room(data, i)
        if isinstance(room, ContentError):
            raise Rejected(str(room))
        if plan.has_room(room.id):
            raise Rejected(f"room {room.id!r} already exists")
        if plan.coord_taken((room.x, room.y, room.z)):
            raise Rejected(f"coordinates {(room.x, room.y, room.z)} are taken")
        if plan.template_type(room.district_id) != "district":
            raise Rejected(f"room {room.id!r}: unknown district {room.district_id!r}")
        plan.rooms[room.id] = (room.x, room.y, room.z)
        plan.coords.add((room.x, room.y, room.z))
        models.append(room)
    for room in models:
        if not room.exits:
            raise Rejected(f"room {room.id!r} has no exit")
        for ex in room.exits:
            if not plan.has_room(ex.to):
                raise Rejected(f"room {room.id!r} exit {ex.direction}: unknown room {ex.to!r}")
            plan.exits[(room.id, ex.direction)] = ex.to
    plan.room_models[plan.op_index] = models


def apply_add_rooms(game: Game, op: m.AddRooms, patch_id: str, models: list[c.Room] | None = None) -> list[PatchOp]:
    """`models`: the op's rooms as the check validated them (else validated here: a rollback's inverse)."""
    ids = []
    for model in models if models is not None else [c.Room.model_validate(data) for data in op.rooms]:
        state = room_from_model(model)
        state.added_by = patch_id
        game.map.add(state)
        game.mark_room(state.id)
        ids.append(state.id)
    return [m.RemoveRooms(room_ids=ids)]


def check_remove_rooms(plan: Plan, op: m.RemoveRooms) -> None:
    doomed = set(op.room_ids)
    for rid in op.room_ids:
        plan.need_room(rid)
        room = plan.game.map.get(rid)
        if room is not None and rid not in plan.rooms and room.added_by is None:
            raise Rejected(f"room {rid!r} is base content and cannot be removed")
        if room is not None and rid not in plan.rooms and not plan.added_here(room.added_by):
            raise Rejected(f"room {rid!r} was added by {room.added_by!r}; only its undo may remove it")
        if room is not None and room.owner_id is not None:
            raise Rejected(f"room {rid!r} is owned by player {room.owner_id!r}; player-owned rooms are never removed")
        for eid in plan.game.world.in_room(rid):
            if plan.game.world.has(eid, k.Player):
                raise Rejected(f"player {eid!r} stands in room {rid!r}")
            owned = plan.game.world.get(eid, k.PlayerOwned)
            if owned is not None:
                raise Rejected(f"room {rid!r} holds {eid!r}, owned by player {owned.owner_id!r}")
    for other in plan.game.map.rooms.values():
        if other.id in doomed:
            continue
        for direction, to in other.exits.items():
            if to in doomed and plan.exit_to(other.id, direction) is not None:
                raise Rejected(f"exit {other.id}:{direction} still leads into removed room {to!r}")
    for rid in op.room_ids:
        plan.rooms[rid] = None


def apply_remove_rooms(game: Game, op: m.RemoveRooms, patch_id: str) -> list[PatchOp]:
    doomed = set(op.room_ids)
    for eid, (ai, _dead) in list(game.world.query(k.AI, k.Dead)):
        if ai.home_room_id in doomed:
            game.world.delete(eid, now=True)  # it would respawn into a room that is gone
    saved = []
    for rid in op.room_ids:
        room = game.map.remove(rid)
        if room is None:
            continue
        data = room_to_json(room)
        for key in ("locked_exits", "description_add", "added_exits", "added_by", "owner_id"):
            data.pop(key, None)
        saved.append(data)
        for eid in game.world.in_room(rid):
            game.world.delete(eid, now=True)  # NPCs and unowned items placed there
        game.dirty.rooms.discard(rid)
        game.dirty.rooms_removed.add(rid)
        game.dirty.removed_cells[rid] = room.coords
        game.dirty.growth_removed[rid] = room.coords
        game.dirty.coords_removed.add(",".join(map(str, room.coords)))
    return [m.AddRooms(rooms=saved)]


def check_add_exit(plan: Plan, op: m.AddExit) -> None:
    if op.direction not in c.DIRECTIONS:
        raise Rejected(f"unknown direction {op.direction!r}")
    plan.need_room(op.room_id)
    plan.need_room(op.to_room_id)
    existing = plan.exit_to(op.room_id, op.direction)
    if existing is not None:
        raise Rejected(f"exit {op.room_id}:{op.direction} exists (to {existing!r}); exits are never re-pointed")
    plan.exits[(op.room_id, op.direction)] = op.to_room_id


def apply_add_exit(game: Game, op: m.AddExit, patch_id: str) -> list[PatchOp]:
    room = game.map.rooms[op.room_id]
    room.exits[op.direction] = op.to_room_id
    room.exit_data[op.direction] = c.Exit.model_validate(
        {"direction": op.direction, "to": op.to_room_id}).model_dump(mode="json")
    room.added_exits[op.direction] = patch_id
    game.mark_room(op.room_id)
    return [m.RemoveExit(room_id=op.room_id, direction=op.direction)]


def check_remove_exit(plan: Plan, op: m.RemoveExit) -> None:
    plan.need_room(op.room_id)
    if plan.exit_to(op.room_id, op.direction) is None:
        raise Rejected(f"no exit {op.room_id}:{op.direction}")
    room = plan.game.map.get(op.room_id)
    added_by = room.added_exits.get(op.direction) if room else None
    if (op.room_id, op.direction) not in plan.exits and added_by is None:
        raise Rejected(f"exit {op.room_id}:{op.direction} was not added by a patch; exits are never removed")
    if (op.room_id, op.direction) not in plan.exits and not plan.added_here(added_by):
        raise Rejected(f"exit {op.room_id}:{op.direction} was added by {added_by!r}; only its undo may remove it")
    plan.exits[(op.room_id, op.direction)] = None


def apply_remove_exit(game: Game, op: m.RemoveExit, patch_id: str) -> list[PatchOp]:
    room = game.map.rooms[op.room_id]
    to = room.exits.pop(op.direction)
    room.exit_data.pop(op.direction, None)
    room.added_exits.pop(op.direction, None)
    if op.direction in room.locked_exits:
        room.locked_exits.remove(op.direction)
    game.mark_room(op.room_id)
    return [m.AddExit(room_id=op.room_id, direction=op.direction, to_room_id=to)]
