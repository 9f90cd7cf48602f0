"""`Restore`: put named fields of an entity, room or Questmaker back (the inverse of tool calls)."""

from __future__ import annotations

from typing import Any

import msgspec

from ouro_engine import components as k
from ouro_engine.game import Game
from ouro_engine.patches.plan import Plan, Rejected

ENTITY_FIELDS: dict[str, type[Any]] = {"ai": k.AI, "stats": k.CombatStats, "health": k.Health}
PLAYER_FIELDS = {"credits", "xp", "skills"}
ROOM_FIELDS = {"locked_exits", "description_add"}
QM_FIELDS = {"memories"}


def _allowed(plan: Plan, target: str) -> set[str]:
    if target in plan.game.qms:
        return QM_FIELDS
    if plan.has_room(target):
        return ROOM_FIELDS
    if plan.has_entity(target):
        return set(ENTITY_FIELDS) | (PLAYER_FIELDS if plan.game.world.has(target, k.Player) else set())
    raise Rejected(f"restore: unknown target {target!r}")


def check_restore(plan: Plan, op: Any) -> None:
    allowed = _allowed(plan, op.target)
    unknown = set(op.fields) - allowed
    if unknown:
        raise Rejected(f"restore {op.target!r}: fields {sorted(unknown)} cannot be restored")
    for name, kind in ENTITY_FIELDS.items():
        if name in op.fields:
            try:
                msgspec.convert(op.fields[name], kind)
            except msgspec.ValidationError as exc:
                raise Rejected(f"restore {op.target!r}.{name}: {exc}") from None


def apply_restore(game: Game, op: Any) -> list[Any]:
    from ouro_schemas.messages import Restore

    target, fields = op.target, op.fields
    if target in game.qms:
        qm = game.qms[target]
        before = {"memories": {p: list(v) for p, v in qm.memories.items()}}
        qm.memories = {p: list(v) for p, v in fields["memories"].items()}
        game.mark_qm(target)
        return [Restore(target=target, fields=before)]
    room = game.map.get(target)
    if room is not None:
        room_before: dict[str, Any] = {f: list(getattr(room, f)) for f in fields}
        for f, value in fields.items():
            setattr(room, f, list(value))
        game.mark_room(target)
        return [Restore(target=target, fields=room_before)]
    return [Restore(target=target, fields=_restore_entity(game, target, fields))]


def _restore_entity(game: Game, eid: str, fields: dict[str, Any]) -> dict[str, Any]:
    before: dict[str, Any] = {}
    for name, kind in ENTITY_FIELDS.items():
        if name in fields:
            before[name] = msgspec.to_builtins(game.world.get(eid, kind))
            game.world.add(eid, msgspec.convert(fields[name], kind))
    if PLAYER_FIELDS & set(fields):
        player, wallet = game.world.comp(eid, k.Player), game.world.comp(eid, k.Wallet)
        if "credits" in fields:
            before["credits"] = wallet.credits
            wallet.credits = int(fields["credits"])
        if "xp" in fields:
            before["xp"] = player.xp
            player.xp = int(fields["xp"])
        if "skills" in fields:
            before["skills"] = dict(player.skills)
            player.skills = {str(s): int(n) for s, n in fields["skills"].items()}
    game.world.dirty.add(eid)
    return before
