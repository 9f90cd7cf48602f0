"""Applying signed patches atomically and idempotently (DESIGN §5, issue 3 point 8).

1. A patch id already applied returns the recorded result (the same patch twice = once).
2. The HMAC signature must verify (unsigned or forged -> rejected, and *not* recorded, so a forged
   copy cannot block the real patch). A refused undo is not recorded either: it may be sent again
   once what blocked it (a player in the block) has gone.
3. Every op is checked against a `Plan` (an overlay of the ops before it): the first failing op
   rejects (or, for an unaffordable Questmaker action, skips) the whole patch and nothing changes.
4. Only then are the ops applied, each returning its inverse; the result carries the inverse as
   applied (reversed), the spawned ids and the Questmaker budget after the deduct.
5. Should an apply step still fail (a bug), the inverses gathered so far are applied in reverse and
   the patch is rejected: the world stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import msgspec

from ouro_engine import growth
from ouro_engine.game import Game
from ouro_engine.patches import live_ops, ops, qm_tools, restore
from ouro_engine.patches.plan import IdSource, Plan, Rejected, Skipped
from ouro_engine.patches.prepare import Prepared
from ouro_schemas import messages as m

log = logging.getLogger(__name__)

CHECKS: dict[type[Any], Callable[[Plan, Any], None]] = {
    m.AddTemplate: ops.check_add_template, m.RemoveTemplate: ops.check_remove_template,
    m.AddRooms: ops.check_add_rooms, m.RemoveRooms: ops.check_remove_rooms,
    m.AddExit: ops.check_add_exit, m.RemoveExit: ops.check_remove_exit,
    m.Spawn: live_ops.check_spawn, m.Despawn: live_ops.check_despawn,
    m.StartEvent: live_ops.check_start_event, m.EndEvent: live_ops.check_end_event,
    m.QmAction: qm_tools.check_qm_action, m.Restore: restore.check_restore,
}
_encoder = msgspec.json.Encoder()


class Patcher:
    def __init__(self, game: Game, key: bytes) -> None:
        self.game = game
        self.key = key

    def apply(self, patch: m.Patch, prepared: Prepared | None = None) -> m.PatchResult:
        """`prepared`: its rooms validated before the pass (`prepare.prepare`); the same result without."""
        known = self.game.applied.get(patch.id)
        if known is not None:
            return msgspec.json.decode(known, type=m.PatchResult)
        if not m.verify_patch(patch, self.key):
            return self._result(patch, m.PatchStatus.REJECTED, "bad or missing signature", record=False)
        plan = Plan(self.game, patch.id, patch.proposal_id, prepared)
        try:
            for i, op in enumerate(patch.ops):
                check = CHECKS.get(type(op))
                if check is None:
                    raise Rejected(f"unknown op {type(op).__name__}")
                plan.op_index = i
                self._check(check, plan, op, i)
        except Rejected as exc:
            # An undo refused now (a player stands in the block, owns something there, a newer block
            # hangs from it) may be fine later: not recorded, so the same undo can be sent again.
            return self._result(patch, m.PatchStatus.REJECTED, str(exc), record=patch.kind != m.PatchKind.UNDO)
        except Skipped as exc:
            return self._result(patch, m.PatchStatus.SKIPPED, str(exc))
        return self._apply_all(patch, plan.room_models)

    @staticmethod
    def _check(check: Callable[[Plan, Any], None], plan: Plan, op: Any, i: int) -> None:
        try:
            check(plan, op)
        except Rejected as exc:
            raise Rejected(f"op {i + 1} ({type(op).__name__}): {exc}") from None
        except Skipped as exc:
            raise Skipped(f"op {i + 1} ({type(op).__name__}): {exc}") from None

    def _apply_one(self, op: Any, patch: m.Patch, ids: IdSource, models: list[Any] | None = None) -> list[Any]:
        game, pid, origin = self.game, patch.id, patch.proposal_id
        if isinstance(op, m.AddRooms):
            return ops.apply_add_rooms(game, op, pid, models)
        if isinstance(op, m.Spawn):
            return live_ops.apply_spawn(game, op, pid, origin)
        if isinstance(op, m.QmAction):
            return qm_tools.apply_qm_action(game, op, ids, origin)
        if isinstance(op, m.Restore):
            return restore.apply_restore(game, op)
        name = f"apply_{_tag(op)}"
        fn: Callable[[Game, Any, str], list[Any]] = getattr(ops, name, None) or getattr(live_ops, name)
        return fn(game, op, pid)

    def _apply_all(self, patch: m.Patch, room_models: dict[int, list[Any]]) -> m.PatchResult:
        done: list[list[Any]] = []
        ids = IdSource(patch.id)
        qm_ids = [op.questmaker_id for op in patch.ops if isinstance(op, m.QmAction)]
        qm = self.game.qms.get(qm_ids[-1]) if qm_ids else None
        before = qm.budget_current if qm else None
        try:
            for i, op in enumerate(patch.ops):
                done.append(self._apply_one(op, patch, ids, room_models.get(i)))
        except Exception as exc:
            log.exception("patch apply failed; rolling back", extra={"patch_id": patch.id})
            for inverse in reversed(done):
                for inv in inverse:
                    try:
                        self._apply_one(inv, patch, IdSource(patch.id + ":rollback"))
                    except Exception:
                        log.exception("rollback step failed", extra={"patch_id": patch.id})
            growth.refresh(self.game)
            return self._result(patch, m.PatchStatus.REJECTED, f"apply failed: {exc}", record=False)
        growth.refresh(self.game)  # the frontier as the new rooms and exits make it
        inverse = [inv for step in reversed(done) for inv in step]
        spawned = [eid for op in patch.ops if isinstance(op, m.Spawn) for eid in op.entity_ids]
        spawned += [eid for step in done for inv in step if isinstance(inv, m.Despawn) for eid in inv.entity_ids
                    if eid not in spawned]
        budget = self.game.qms[qm_ids[-1]].budget_current if qm_ids else None
        return self._result(patch, m.PatchStatus.APPLIED, "", spawned=spawned, inverse=inverse, budget=budget,
                            budget_before=before)

    def _result(self, patch: m.Patch, status: m.PatchStatus, reason: str, *, record: bool = True,
                spawned: list[str] | None = None, inverse: list[Any] | None = None,
                budget: float | None = None, budget_before: float | None = None) -> m.PatchResult:
        if budget is None:
            qm_ids = [op.questmaker_id for op in patch.ops if isinstance(op, m.QmAction)]
            qm = self.game.qms.get(qm_ids[-1]) if qm_ids else None
            budget = qm.budget_current if qm else None
        result = m.PatchResult(patch_id=patch.id, proposal_id=patch.proposal_id, status=status, reason=reason,
                               at=self.game.now, tick=self.game.world.tick, spawned=spawned or [],
                               inverse=inverse or [], budget_after=budget, budget_before=budget_before)
        if record:
            self.game.applied[patch.id] = _encoder.encode(result)
            self.game.dirty.applied.add(patch.id)
        if status != m.PatchStatus.APPLIED:
            log.info("patch not applied", extra={"patch_id": patch.id, "status": status, "reason": reason})
        return result


class _Envelope(msgspec.Struct):
    id: str = ""
    proposal_id: str = ""


_patch_decoder = msgspec.json.Decoder(m.Patch)
_envelope_decoder = msgspec.json.Decoder(_Envelope)


def decode_patch(raw: bytes) -> m.Patch | m.PatchResult:
    """A Patch, or — for one that does not decode (unknown op, bad field) — its rejection result."""
    try:
        return _patch_decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        try:
            env = _envelope_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError):
            env = _Envelope()
        return m.PatchResult(patch_id=env.id, proposal_id=env.proposal_id, status=m.PatchStatus.REJECTED,
                             reason=f"undecodable patch: {exc}")


def _tag(op: Any) -> str:
    return str(type(op).__struct_config__.tag)
