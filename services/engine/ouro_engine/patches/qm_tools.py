"""Questmaker tool calls (`QmAction` ops) and `Restore`, their engine-computed inverse.

A QmAction is checked like any op (known Questmaker, known tool, parameters valid for the tool,
cost within the tool's range, every referenced id exists: otherwise Rejected) and then against the
Questmaker's budget — what cannot be afforded is Skipped. Apply deducts the cost and does the thing.
Ids of what a tool creates derive from the patch id (`<patch>:<n>`), so a re-applied patch cannot
create twice.
"""

from __future__ import annotations

from typing import Any

import msgspec
from pydantic import BaseModel

from ouro_engine import components as k
from ouro_engine.game import ActiveEvent, Game
from ouro_engine.patches.plan import IdSource, Plan, Rejected, Skipped
from ouro_engine.progression import add_credits, gain_xp
from ouro_engine.spawning import spawn_item, spawn_npc
from ouro_schemas import content as c
from ouro_schemas import messages as m
from ouro_schemas import questmaker as q
from ouro_schemas.errors import ContentError, validate_model

MAX_MEMORIES = 50
DEFAULT_EVENT_S = 600.0
PatchOp = Any


def _params(op: m.QmAction) -> BaseModel:
    spec = q.TOOLS.get(op.tool)
    if spec is None:
        raise Rejected(f"unknown tool {op.tool!r}")
    if not spec.cost_min <= op.cost <= spec.cost_max:
        raise Rejected(f"cost {op.cost} outside {spec.cost_min}-{spec.cost_max} for {op.tool}")
    params = {key: value for key, value in op.params.items() if key != "entity_ids"}
    try:
        return validate_model(spec.params, params, op.tool)
    except ContentError as exc:
        raise Rejected(str(exc)) from None


def _given_ids(op: m.QmAction, count: int) -> list[str] | None:
    """Ids the publisher pre-assigned (`params.entity_ids`, spawn_entity); None if it did not."""
    ids = op.params.get("entity_ids")
    if ids is None:
        return None
    if not isinstance(ids, list) or len(ids) != count or not all(c.is_safe_id(i) for i in ids):
        raise Rejected(f"entity_ids must be {count} valid ids")
    return [str(i) for i in ids]


def _check_refs(plan: Plan, p: BaseModel) -> None:  # noqa: C901 - one flat branch per tool's params
    if isinstance(p, q.SendMessage):
        plan.need_entity(p.target_player_id, "player")
        if p.via_npc_id:
            plan.npc_entity(p.via_npc_id)
    elif isinstance(p, q.Memorize):
        plan.need_entity(p.player_id, "player")
    elif isinstance(p, q.ChangeNpcBehaviorToPlayer):
        plan.npc_entity(p.npc_id)
        plan.need_entity(p.player_id, "player")
    elif isinstance(p, q.ChangeNpcBehavior | q.ChangeNpcStats):
        plan.npc_entity(p.npc_id)
    elif isinstance(p, q.ChangeRoomInfo):
        plan.need_room(p.room_id)
        for direction in (p.property_changes.lock_exit, p.property_changes.unlock_exit):
            if direction and plan.exit_to(p.room_id, direction) is None:
                raise Rejected(f"room {p.room_id!r} has no exit {direction!r}")
    elif isinstance(p, q.TriggerWorldEvent):
        if p.event_type not in c.EVENT_TYPES:
            raise Rejected(f"unknown event type {p.event_type!r}")
        if p.district_id and plan.template_type(p.district_id) != "district":
            raise Rejected(f"unknown district {p.district_id!r}")
    elif isinstance(p, q.SpawnEntity):
        plan.need_template(p.entity_type, "npc", "item")
        plan.need_room(p.location)
    elif isinstance(p, q.GrantPlayerReward):
        plan.need_entity(p.player_id, "player")
        if p.reward_type == "item":
            plan.need_template(p.reward_id, "item")


def check_qm_action(plan: Plan, op: m.QmAction) -> None:
    params = _params(op)
    left = plan.budget_left(op.questmaker_id)  # raises Rejected for an unknown Questmaker
    _check_refs(plan, params)
    made = params.quantity if isinstance(params, q.SpawnEntity) or (
        isinstance(params, q.GrantPlayerReward) and params.reward_type == "item") else 0
    for eid in _given_ids(op, made) or plan.ids.take(made):
        plan.need_new_entity(eid)
        plan.entities[eid] = op.tool
    if left < op.cost:
        raise Skipped(f"questmaker {op.questmaker_id} cannot afford {op.tool} (cost {op.cost}, budget {left:.1f})")
    plan.budget[op.questmaker_id] = left - op.cost


def apply_qm_action(game: Game, op: m.QmAction, ids: IdSource, origin: str) -> list[PatchOp]:
    qm = game.qms[op.questmaker_id]
    qm.budget_current -= op.cost
    game.mark_qm(qm.id)
    params = _params(op)
    if isinstance(params, q.SpawnEntity):
        given = _given_ids(op, params.quantity)
        if given is not None:
            ids = _Given(ids.patch_id, given)
    handler = _APPLY[type(params)]
    inverse: list[PatchOp] = handler(game, params, ids, origin, op.questmaker_id)
    return inverse


class _Given(IdSource):
    """Hands out the publisher's pre-assigned ids instead of numbering."""

    def __init__(self, patch_id: str, given: list[str]) -> None:
        super().__init__(patch_id)
        self.given = list(given)

    def take(self, count: int) -> list[str]:
        out, self.given = self.given[:count], self.given[count:]
        return out


def _npc(game: Game, ref: str) -> str:
    if game.world.exists(ref):
        return ref
    return next(e for e, (i,) in game.world.query(k.Identity) if i.kind == "npc" and i.template_id == ref)


def _builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)


def _send(game: Game, p: q.SendMessage, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    if p.via_npc_id:
        game.tell(p.target_player_id, f'{game.name_of(_npc(game, p.via_npc_id))} tells you, "{p.message}"')
    else:
        game.tell(p.target_player_id, f"A message flickers across your HUD: {p.message}")
    return []


def _memorize(game: Game, p: q.Memorize, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    qm = game.qms[qm_id]
    before = {pid: list(v) for pid, v in qm.memories.items()}
    qm.memories.setdefault(p.player_id, []).append(p.memory_string)
    del qm.memories[p.player_id][:-MAX_MEMORIES]
    return [m.Restore(target=qm_id, fields={"memories": before})]


def _behavior_to_player(game: Game, p: q.ChangeNpcBehaviorToPlayer, ids: IdSource, origin: str,
                        qm_id: str) -> list[PatchOp]:
    eid = _npc(game, p.npc_id)
    ai = game.world.comp(eid, k.AI)
    before = _builtins(ai)
    ai.attitudes[p.player_id] = p.behavior_type
    if p.memory_entry:
        ai.memories.setdefault(p.player_id, []).append(p.memory_entry)
    game.world.dirty.add(eid)
    return [m.Restore(target=eid, fields={"ai": before})]


def _behavior(game: Game, p: q.ChangeNpcBehavior, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    eid = _npc(game, p.npc_id)
    ai = game.world.comp(eid, k.AI)
    before = _builtins(ai)
    ai.behavior = p.behavior
    game.world.dirty.add(eid)
    return [m.Restore(target=eid, fields={"ai": before})]


def _stats(game: Game, p: q.ChangeNpcStats, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    eid = _npc(game, p.npc_id)
    st, hp = game.world.comp(eid, k.CombatStats), game.world.comp(eid, k.Health)
    inverse = [m.Restore(target=eid, fields={"stats": _builtins(st), "health": _builtins(hp)})]
    ch = p.stat_changes
    hp.maximum = max(1, hp.maximum + ch.max_health)
    hp.current = max(1, min(hp.maximum, hp.current + ch.max_health)) if hp.current > 0 else 0
    st.damage_max = max(0, st.damage_max + ch.damage)
    st.damage_min = max(0, min(st.damage_max, st.damage_min + ch.damage))
    st.armor = max(0, st.armor + ch.armor)
    st.accuracy = min(1.0, max(0.0, st.accuracy + ch.accuracy))
    game.world.dirty.add(eid)
    return inverse


def _room_info(game: Game, p: q.ChangeRoomInfo, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    room = game.map.rooms[p.room_id]
    inverse = [m.Restore(target=room.id, fields={"locked_exits": list(room.locked_exits),
                                                 "description_add": list(room.description_add)})]
    ch = p.property_changes
    if ch.lock_exit and ch.lock_exit not in room.locked_exits:
        room.locked_exits.append(ch.lock_exit)
    if ch.unlock_exit and ch.unlock_exit in room.locked_exits:
        room.locked_exits.remove(ch.unlock_exit)
    if ch.description_add:
        room.description_add.append(ch.description_add)
    game.mark_room(room.id)
    return inverse


def _world_event(game: Game, p: q.TriggerWorldEvent, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    tpl = game.templates.get(p.event_type)
    duration = float(getattr(tpl, "default_duration_s", DEFAULT_EVENT_S))
    event_id = f"{ids.patch_id}:event"
    now = game.now
    game.events_active[event_id] = ActiveEvent(id=event_id, event_type=p.event_type, district_id=p.district_id,
                                               started_at=now, ends_at=now + duration, origin=ids.patch_id,
                                               effects={"details": p.details} if p.details else {})
    game.dirty.events.add(event_id)
    game.emit(m.EventKind.WORLD_EVENT_STARTED, district_id=p.district_id,
              data={"event_id": event_id, "event_type": p.event_type, "questmaker_id": qm_id})
    return [m.EndEvent(event_id=event_id)]


def _spawn(game: Game, p: q.SpawnEntity, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    made = ids.take(p.quantity)
    npc, item = game.templates.npc(p.entity_type), game.templates.item(p.entity_type)
    for eid in made:
        if npc is not None:
            spawn_npc(game, npc, p.location, eid, origin=origin)
        elif item is not None:
            spawn_item(game, item, eid, room_id=p.location, origin=origin)
    return [m.Despawn(entity_ids=made)]


def _reward(game: Game, p: q.GrantPlayerReward, ids: IdSource, origin: str, qm_id: str) -> list[PatchOp]:
    pid = p.player_id
    if p.reward_type == "item":
        tpl = game.templates.item(p.reward_id)
        assert tpl is not None  # checked
        made = ids.take(p.quantity)
        for eid in made:
            spawn_item(game, tpl, eid, holder_id=pid, origin=origin, owner_id=pid)
        game.tell(pid, f"You receive {tpl.name} x{p.quantity}.")
        return [m.Despawn(entity_ids=made)]
    player, wallet = game.world.comp(pid, k.Player), game.world.comp(pid, k.Wallet)
    before: dict[str, Any] = {"credits": wallet.credits, "xp": player.xp, "skills": dict(player.skills)}
    if p.reward_type == "credits":
        add_credits(game, pid, p.quantity)
    elif p.reward_type == "xp":
        gain_xp(game, pid, p.quantity)
    else:
        player.skills[p.reward_id] = player.skills.get(p.reward_id, 0) + p.quantity
        game.world.dirty.add(pid)
    game.tell(pid, f"You gain {p.reward_type} {p.reward_id} x{p.quantity}.")
    return [m.Restore(target=pid, fields=before)]


_APPLY: dict[type[BaseModel], Any] = {
    q.SendMessage: _send, q.Memorize: _memorize, q.ChangeNpcBehaviorToPlayer: _behavior_to_player,
    q.ChangeNpcBehavior: _behavior, q.ChangeNpcStats: _stats, q.ChangeRoomInfo: _room_info,
    q.TriggerWorldEvent: _world_event, q.SpawnEntity: _spawn, q.GrantPlayerReward: _reward,
}
