"""Admin decisions (`admin.commands`, group publisher), undo, and the engine's results (`world.applied`).

- approve: a held proposal is checked again against the world as it is now (its window usage was
  reserved when it was held), then committed;
- reject: held -> rejected with the admin's reason;
- edit: the new payload/flavor goes through validate, balance and filter again; if it passes it waits
  for approval again, if not the proposal stays as it was and the refusal is logged with the reasons;
- undo: the inverse patch (`undo:<id>`, kind undo) — the engine-computed inverse when it sent one —
  refused with the reason while a player holds a spawned item or stands in one of the added rooms;
- world.applied: published -> applied (the engine's inverse kept) or failed; `undo:<id>` applied ->
  undone (its files leave the content library); `undo:<id>` refused by the engine -> logged with the
  engine's reason, and the undo may be issued again.
"""

from __future__ import annotations

import json
import time
from typing import Any

import msgspec

from ouro_publisher import library_files
from ouro_publisher.app import Publisher, advance, commit_key, record_key
from ouro_publisher.gate import run_gate
from ouro_publisher.types import WindowState
from ouro_publisher.world import candidates
from ouro_runtime.bus import Delivery
from ouro_schemas import names
from ouro_schemas.messages import (
    AdminAction,
    AdminCommand,
    LogKind,
    Patch,
    PatchKind,
    PatchResult,
    PatchStatus,
    patch_signature,
)
from ouro_schemas.proposal import Proposal, ProposalState

_dec = msgspec.json.Decoder(Proposal)
_enc = msgspec.json.Encoder()
_patch_dec = msgspec.json.Decoder(Patch)


async def load(pub: Publisher, pid: str) -> Proposal | None:
    raw = await pub.redis.get(record_key(pid))
    return _dec.decode(raw) if raw else None


async def refuse(pub: Publisher, cmd: AdminCommand, reason: str) -> None:
    pub.count(f"admin_refused_{cmd.action}")
    await pub.svc.emit(names.LOG_PROPOSALS, LogKind.VERDICT,
                       f"admin {cmd.action} of {cmd.proposal_id} refused: {reason}",
                       proposal_id=cmd.proposal_id, data={"action": str(cmd.action), "by": cmd.by,
                                                          "command_id": cmd.id, "reason": reason})


async def on_admin(pub: Publisher, cmd: AdminCommand, delivery: Delivery | None = None) -> None:
    await pub.wait_open()
    proposal = await load(pub, cmd.proposal_id)
    if proposal is None:
        await refuse(pub, cmd, "no such proposal")
        return
    if cmd.action == AdminAction.UNDO:
        await undo(pub, cmd, proposal)
        return
    if proposal.state != ProposalState.AWAITING_APPROVAL:
        await refuse(pub, cmd, f"proposal is {proposal.state}, not awaiting approval")
        return
    if cmd.action == AdminAction.APPROVE:
        await approve(pub, cmd, proposal)
    elif cmd.action == AdminAction.REJECT:
        moves: list[str] = []
        advance(proposal, ProposalState.REJECTED, moves)
        proposal.reason = f"rejected by {cmd.by or 'admin'}: {cmd.reason}".strip()
        pipe = pub.redis.pipeline(transaction=True)
        pub._save(pipe, proposal, None, time.time())
        pipe.zrem(names.APPROVAL_QUEUE, proposal.id)
        await pipe.execute()
        await pub.log_now(proposal, moves, None, proposal.reason)
    elif cmd.action == AdminAction.EDIT:
        await edit(pub, cmd, proposal)


async def approve(pub: Publisher, cmd: AdminCommand, proposal: Proposal) -> None:
    now = time.time()
    ids, coords = candidates(proposal)
    view, _ = await pub.reader.view(ids, coords)
    # Windows were reserved when it was held: check the world again, not the windows.
    result = run_gate(proposal, view, pub.guardrails, WindowState())
    moves: list[str] = []
    proposal.trace.extend(_approve_trace(pub, cmd, now))
    if not result.ok:
        advance(proposal, ProposalState.REJECTED, moves)
        proposal.reason = f"no longer valid at approval: {result.reason}"[:4000]
        pipe = pub.redis.pipeline(transaction=True)
        pub._save(pipe, proposal, None, now)
        pipe.zrem(names.APPROVAL_QUEUE, proposal.id)
        await pipe.execute()
        await pub.log_now(proposal, moves, result, proposal.reason[:300])
        return
    async with pub.writes():
        pub.commit(proposal, result, view, None, moves, now, record_usage=False)


def _approve_trace(pub: Publisher, cmd: AdminCommand, now: float) -> list[Any]:
    from ouro_schemas.proposal import TraceEntry

    return [TraceEntry(stage="approve", at=now, actor=cmd.by or "admin", verdict=str(cmd.action),
                       reason=cmd.reason, data={"command_id": cmd.id, "publisher": pub.svc.instance})]


async def edit(pub: Publisher, cmd: AdminCommand, proposal: Proposal) -> None:
    now = time.time()
    edited = msgspec.structs.replace(
        proposal, payload=cmd.payload if cmd.payload is not None else proposal.payload,
        flavor=cmd.flavor if cmd.flavor is not None else proposal.flavor, trace=list(proposal.trace))
    ids, coords = candidates(edited)
    view, _ = await pub.reader.view(ids, coords)
    result = run_gate(edited, view, pub.guardrails, pub.windows.state(pub.guardrails, now))
    if not result.ok:
        await refuse(pub, cmd, f"edit fails the gate, proposal unchanged: {result.reason}"[:2000])
        return
    moves: list[str] = []
    pub.trace(edited, result, now)
    advance(edited, ProposalState.VALIDATED, moves)
    advance(edited, ProposalState.BALANCED, moves)
    advance(edited, ProposalState.AWAITING_APPROVAL, moves)
    assert result.payload is not None
    edited.payload = result.payload
    edited.reason = f"edited by {cmd.by or 'admin'}"
    async with pub.lock:  # window counters: not while a batch has unwritten ones
        await pub.settle()  # nor while one in flight could still be rolled back
        pipe = pub.redis.pipeline(transaction=True)
        pub._save(pipe, edited, None, now)
        pipe.set(record_key(edited.id) + ":edit_before", _enc.encode(proposal))
        pub.windows.record(pipe, str(edited.type), result.usage, now)
        await pipe.execute()
    await pub.log_now(edited, moves, result, f"edited by {cmd.by or 'admin'}; awaiting approval")


# --- undo ---------------------------------------------------------------------------------------------
async def undo(pub: Publisher, cmd: AdminCommand, proposal: Proposal) -> None:
    if proposal.state not in (ProposalState.PUBLISHED, ProposalState.APPLIED):
        await refuse(pub, cmd, f"proposal is {proposal.state}; only published or applied ones can be undone")
        return
    raw = await pub.redis.get(commit_key(proposal.id))
    if raw is None:
        await refuse(pub, cmd, "no commit record")
        return
    record = json.loads(raw)
    if record.get("undo_issued"):
        await refuse(pub, cmd, "undo already issued")
        return
    patch = msgspec.convert(record["patch"], Patch)
    blockers = await undo_blockers(pub, patch)
    if blockers:
        await refuse(pub, cmd, "; ".join(blockers))
        return
    engine_inverse = record.get("engine_inverse")
    ops = msgspec.convert(engine_inverse, type(patch.inverse)) if engine_inverse else patch.inverse
    now = time.time()
    inv_patch = Patch(id=f"undo:{proposal.id}", proposal_id=proposal.id, kind=PatchKind.UNDO, ops=ops,
                      inverse=patch.ops, issued_at=now)
    inv_patch = msgspec.structs.replace(inv_patch, signature=patch_signature(inv_patch, pub.key))
    record["undo_issued"] = now
    record["undo_by"] = cmd.by
    pipe = pub.redis.pipeline(transaction=True)
    pipe.xadd(names.WORLD_PATCHES, pub.svc.bus.fields(inv_patch, None),  # type: ignore[arg-type]
              maxlen=pub.settings.stream_maxlen, approximate=True)
    pipe.set(commit_key(proposal.id), json.dumps(record))
    await pipe.execute()
    pub.count("undo_issued")
    await pub.svc.emit(names.LOG_PROPOSALS, LogKind.STATE, f"undo of {proposal.id} issued by {cmd.by or 'admin'}",
                       proposal_id=proposal.id, data={"patch_id": inv_patch.id, "ops": len(ops)})


async def undo_blockers(pub: Publisher, patch: Patch) -> list[str]:
    """Why the compatibility rules forbid undoing `patch` now (empty: it may be undone)."""
    spawned: list[str] = []
    rooms: set[str] = set()
    for op in patch.ops:
        ids = getattr(op, "entity_ids", None) or (op.params.get("entity_ids") if hasattr(op, "params") else None)
        if ids:
            spawned.extend(ids)
        for room in getattr(op, "rooms", []) or []:
            rooms.add(room["id"])
    out: list[str] = []
    members: Any = await pub.redis.smembers(names.WORLD_PLAYERS_ONLINE)
    online = {m.decode() if isinstance(m, bytes) else str(m) for m in members}
    if spawned:
        raws = await pub.redis.mget([names.WORLD_ENTITY + e for e in spawned])
        holders = {}
        for eid, raw in zip(spawned, raws, strict=True):
            ent = json.loads(raw) if raw else None
            if ent and ent.get("holder_id"):
                holders[eid] = ent["holder_id"]
        if holders:
            hraws = await pub.redis.mget([names.WORLD_ENTITY + h for h in holders.values()])
            for (eid, holder), hraw in zip(holders.items(), hraws, strict=True):
                hent = json.loads(hraw) if hraw else {}
                if holder in online or hent.get("kind") == "player":
                    out.append(f"compat.player_holds_item: player {holder!r} holds {eid!r}")
    if rooms and online:
        players = sorted(online)
        praws = await pub.redis.mget([names.WORLD_ENTITY + p for p in players])
        for pid, praw in zip(players, praws, strict=True):
            pent = json.loads(praw) if praw else {}
            if pent.get("room_id") in rooms:
                out.append(f"compat.player_in_block: player {pid!r} stands in {pent['room_id']!r}")
    return out


# --- engine results ---------------------------------------------------------------------------------
async def on_applied(pub: Publisher, result: PatchResult, delivery: Delivery | None = None) -> None:
    is_undo = result.patch_id.startswith("undo:")
    proposal = await load(pub, result.proposal_id)
    if proposal is None:
        return
    moves: list[str] = []
    raw = await pub.redis.get(commit_key(proposal.id))
    record = json.loads(raw) if raw else {}
    refused = ""
    if is_undo:
        if result.status == PatchStatus.APPLIED and proposal.state in (ProposalState.PUBLISHED,
                                                                       ProposalState.APPLIED):
            advance(proposal, ProposalState.UNDONE, moves)
            proposal.reason = "undone"
            for folder, tid in record.get("files", []):
                library_files.remove(pub.settings.generated_dir, folder, tid)
            pub.library.remove(proposal.id)
        elif result.status != PatchStatus.APPLIED:
            # The engine refused it (a player, or something a player owns, is in the block; a newer block
            # hangs from it): the admin may undo again once that is gone (the engine did not record it).
            record.pop("undo_issued", None)
            refused = f"undo of {proposal.id} refused by the engine: {result.reason}"
        record["undo_result"] = {"status": str(result.status), "reason": result.reason}
    elif proposal.state == ProposalState.PUBLISHED:
        if result.status == PatchStatus.APPLIED:
            advance(proposal, ProposalState.APPLIED, moves)
            if result.inverse:
                record["engine_inverse"] = msgspec.to_builtins(result.inverse)
        else:
            advance(proposal, ProposalState.FAILED, moves)
            proposal.reason = f"engine {result.status}: {result.reason}"
    if not moves and not is_undo:
        return  # a redelivered result: already recorded
    pipe = pub.redis.pipeline(transaction=True)
    pub._save(pipe, proposal, None, time.time())
    if record:
        pipe.set(commit_key(proposal.id), json.dumps(record))
    await pipe.execute()
    if moves:
        await pub.log_now(proposal, moves, None, f"{proposal.state} ({result.status} {result.reason})".strip(),
                      kind=LogKind.STATE)
    if refused:
        await pub.svc.emit(names.LOG_PROPOSALS, LogKind.VERDICT, refused[:500], proposal_id=proposal.id,
                           data={"action": "undo", "reason": result.reason})
