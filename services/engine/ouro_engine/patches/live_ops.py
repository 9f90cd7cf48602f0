"""Patch ops on what lives in the world: spawn and despawn entities, start and end world events.

Same shape as `ops.py`: `check_<op>(plan, op)` raises Rejected and records the effect in the plan;
`apply_<op>(game, op, patch_id)` changes the world and returns the inverse ops.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ouro_engine import components as k
from ouro_engine.game import ActiveEvent, Game
from ouro_engine.patches.plan import Plan, Rejected
from ouro_engine.spawning import drop_at, spawn_item, spawn_npc, take_away
from ouro_engine.systems import end_event
from ouro_schemas import content as c
from ouro_schemas import messages as m

PatchOp = Any  # one of messages.PatchOp


# --- entities ----------------------------------------------------------------------------------------
def check_spawn(plan: Plan, op: m.Spawn) -> None:
    plan.need_template(op.template_id, "npc", "item")
    plan.need_room(op.room_id)
    if not op.entity_ids:
        raise Rejected("spawn with no entity ids")
    for eid in op.entity_ids:
        if not c.is_safe_id(eid):
            raise Rejected(f"bad entity id {eid!r}")
        plan.need_new_entity(eid)
        plan.entities[eid] = op.template_id


def apply_spawn(game: Game, op: m.Spawn, patch_id: str, origin: str) -> list[PatchOp]:
    npc = game.templates.npc(op.template_id)
    item = game.templates.item(op.template_id)
    for eid in op.entity_ids:
        if npc is not None:
            spawn_npc(game, npc, op.room_id, eid, origin=origin)
        elif item is not None:
            spawn_item(game, item, eid, room_id=op.room_id, origin=origin)
        game.emit(m.EventKind.ENTITY_SPAWNED, room_id=op.room_id,
                  data={"entity_id": eid, "template_id": op.template_id, "patch_id": patch_id})
    return [m.Despawn(entity_ids=list(op.entity_ids))]


def check_despawn(plan: Plan, op: m.Despawn) -> None:
    world = plan.game.world
    for eid in op.entity_ids:
        plan.need_entity(eid)
        if world.has(eid, k.Player):
            raise Rejected(f"{eid!r} is a player; players are never despawned")
        origin = world.get(eid, k.Origin)
        created_here = origin is not None and origin.source == plan.proposal_id
        if world.has(eid, k.PlayerOwned) and not created_here:
            raise Rejected(f"{eid!r} is player-owned and cannot be despawned")
        plan.entities[eid] = None


def apply_despawn(game: Game, op: m.Despawn, patch_id: str) -> list[PatchOp]:
    inverse: list[PatchOp] = []
    for eid in op.entity_ids:
        ident = game.world.comp(eid, k.Identity)
        pos = game.world.get(eid, k.Position)
        ai = game.world.get(eid, k.AI)
        room = pos.room_id if pos else (ai.home_room_id if ai else game.spawn_room_id)
        inv = game.world.get(eid, k.Inventory)
        for item in list(inv.items if inv else []):  # what it carried falls to the floor
            drop_at(game, item, room)
        take_away(game, eid)
        game.world.delete(eid, now=True)
        inverse.append(m.Spawn(template_id=ident.template_id, room_id=room, entity_ids=[eid]))
    return inverse


# --- world events --------------------------------------------------------------------------------------
def check_start_event(plan: Plan, op: m.StartEvent) -> None:
    if op.event_type not in c.EVENT_TYPES:
        raise Rejected(f"unknown event type {op.event_type!r}")
    if op.district_id is not None and plan.template_type(op.district_id) != "district":
        raise Rejected(f"unknown district {op.district_id!r}")
    if not 0 < op.duration_s <= 86_400:
        raise Rejected(f"event duration {op.duration_s} outside 0-86400 s")
    if plan.event_active(op.event_id):
        raise Rejected(f"event {op.event_id!r} is already active")
    plan.events[op.event_id] = True


def apply_start_event(game: Game, op: m.StartEvent, patch_id: str) -> list[PatchOp]:
    now = game.now
    game.events_active[op.event_id] = ActiveEvent(
        id=op.event_id, event_type=op.event_type, district_id=op.district_id, started_at=now,
        ends_at=now + op.duration_s, effects=dict(op.effects), origin=patch_id, text=op.text)
    game.dirty.events.add(op.event_id)
    game.dirty.events_removed.discard(op.event_id)
    game.emit(m.EventKind.WORLD_EVENT_STARTED, district_id=op.district_id,
              data={"event_id": op.event_id, "event_type": op.event_type, "duration_s": op.duration_s,
                    "effects": msgspec.to_builtins(op.effects)})
    event = game.events_active[op.event_id]
    where = "across the city" if op.district_id is None else "around you"
    game.tell_district(op.district_id, f"World event {where}: {event.title}. {op.text}".rstrip())
    return [m.EndEvent(event_id=op.event_id)]


def check_end_event(plan: Plan, op: m.EndEvent) -> None:
    if not plan.event_active(op.event_id):
        raise Rejected(f"event {op.event_id!r} is not active")
    plan.events[op.event_id] = False


def apply_end_event(game: Game, op: m.EndEvent, patch_id: str) -> list[PatchOp]:
    ev = game.events_active[op.event_id]
    left = max(1.0, ev.ends_at - game.now)
    end_event(game, op.event_id)
    return [m.StartEvent(event_id=ev.id, event_type=ev.event_type, district_id=ev.district_id,
                         duration_s=left, effects=dict(ev.effects), text=ev.text)]
