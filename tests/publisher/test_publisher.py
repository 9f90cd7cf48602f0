"""The publisher against a real Redis: commit, idempotency, hot swap, approval, undo, results, control."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

import msgspec
import pytest
import redis as sync_redis
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError

from ouro_publisher import admin, app, library_files
from ouro_publisher.app import Publisher
from ouro_schemas import names
from ouro_schemas.guardrails import Guardrails
from ouro_schemas.messages import (
    AdminAction,
    AdminCommand,
    ControlCommand,
    ControlMessage,
    DirectorState,
    PatchKind,
    PatchResult,
    PatchStatus,
    Toggles,
    verify_patch,
)
from ouro_schemas.proposal import Proposal, ProposalState, verify_hash
from tests.publisher import factories as f
from tests.publisher.adversarial import adversarial
from tests.publisher.conftest import PublisherFactory, drain, patches_on_stream, write_guardrails
from tests.utils import wait_for


async def record(redis: Redis, pid: str) -> Proposal:
    raw = await redis.get(names.PROPOSAL + pid)
    assert raw is not None, f"no record for {pid}"
    return msgspec.json.decode(raw, type=Proposal)


async def proposal_log(redis: Redis) -> list[dict]:
    rows = await redis.xrange(names.LOG_PROPOSALS)
    return [json.loads(fields[b"d"]) for _, fields in rows]


async def test_end_to_end_file_and_signed_patch(publisher: Publisher, redis: Redis, data_dir: Path) -> None:
    """gen.enriched -> data/generated/npc/<id>.json + a signed patch on world.patches."""
    p = f.npc_proposal("p-job-e2e", qty=2)
    await publisher.svc.bus.publish(names.GEN_ENRICHED, p)
    assert await drain(publisher, names.GEN_ENRICHED) == 1
    [patch] = await patches_on_stream(redis)
    key = publisher.settings.hmac_key_bytes
    assert verify_patch(patch, key) and patch.kind == PatchKind.APPLY and patch.id == p.id
    spawn = next(op for op in patch.ops if type(op).__name__ == "Spawn")
    assert spawn.entity_ids == ["p-job-e2e:0", "p-job-e2e:1"]
    assert [type(op).__name__ for op in patch.inverse] == ["Despawn", "RemoveTemplate"]
    body = json.loads((data_dir / "generated/npc/npc_p-job-e2e.json").read_text())
    assert body["proposal_id"] == p.id and body["payload"]["archetype"]["origin"] == p.id
    rec = await record(redis, p.id)
    assert rec.state == ProposalState.PUBLISHED and verify_hash(rec, key) and body["hash"] == rec.hash
    assert [t.stage for t in rec.trace] == ["validate", "balance", "filter", "commit"]
    assert await redis.zscore(names.PROPOSAL_INDEX, p.id) is not None
    before = json.loads(await redis.get(names.PROPOSAL + p.id + names.PROPOSAL_BEFORE_SUFFIX))
    assert before["state"] == "enriched" and before["trace"] == []
    [entry] = await proposal_log(redis)
    assert entry["proposal_id"] == p.id and entry["data"]["transitions"] == [
        "enriched->validated", "validated->balanced", "balanced->approved", "approved->published"]


async def test_redelivery_commits_once(publisher: Publisher, redis: Redis, data_dir: Path) -> None:
    p = f.item_proposal("p-job-twice")
    assert await publisher.handle(f.item_proposal("p-job-twice")) == "committed"
    path = data_dir / "generated/item/item_p-job-twice.json"
    first = path.read_bytes()
    path.unlink()  # as if the crash came between the MULTI and the file write
    # Redelivered under different bus keys, so the bus's own dedupe cannot help: the publisher must.
    for key in ("k1", "k2"):
        await publisher.svc.bus.publish(names.GEN_ENRICHED, p, key=key)
    await drain(publisher, names.GEN_ENRICHED)
    assert len(await patches_on_stream(redis)) == 1
    assert path.read_bytes() == first
    assert publisher.counts["duplicate"] == 2


async def test_adversarial_proposals_none_committed(publisher: Publisher, redis: Redis, data_dir: Path) -> None:
    attacks = adversarial(1000, seed=99)
    for proposal, _ in attacks:
        stream = names.QM_ACTIONS if proposal.type == "QM_ACTION" else names.GEN_ENRICHED
        await publisher.svc.bus.publish(stream, proposal)
    await drain(publisher)
    assert await patches_on_stream(redis) == []
    assert not list((data_dir / "generated").rglob("*.json")) if (data_dir / "generated").exists() else True
    for proposal, rules in attacks:
        raw = await redis.get(names.PROPOSAL + proposal.id)
        if raw is None:  # an id that is not even a key-safe id is still recorded under its own id
            raise AssertionError(f"no record for {proposal.id!r}")
        rec = msgspec.json.decode(raw, type=Proposal)
        assert rec.state == ProposalState.REJECTED, proposal.id
        assert any(r in rec.reason for r in rules), (proposal.id, rules, rec.reason)
    # Attacks that reuse one evil id ("../../etc/passwd") are one message key: the bus dedupes them.
    assert publisher.counts == {"rejected": len({p.id for p, _ in attacks})}


async def test_hot_swapped_guardrails_apply_to_the_next_proposal(publisher: Publisher, redis: Redis,
                                                                 data_dir: Path) -> None:
    blade = {"damage_min": 3, "damage_max": 7}
    assert await publisher.handle(f.item_proposal("p-a", stats=blade)) == "committed"
    write_guardrails(data_dir, f.guardrails(**{"power.slot_caps": {"weapon": {"damage_max": 5}}}))
    await publisher.on_control(ControlMessage(id="c1", command=ControlCommand.GUARDRAILS_UPDATED, at=time.time()))
    assert await publisher.handle(f.item_proposal("p-b", stats=blade)) == "rejected"
    assert "power.slot_cap.damage_max" in (await record(redis, "p-b")).reason
    # From the admin API's key, too.
    g = f.guardrails(**{"power.slot_caps": {"weapon": {"damage_max": 50}}})
    await redis.set(names.GUARDRAILS, g.model_dump_json())
    await publisher.on_control(ControlMessage(id="c2", command=ControlCommand.GUARDRAILS_UPDATED, at=time.time(),
                                              args={"source": "redis"}))
    assert await publisher.handle(f.item_proposal("p-c", stats=blade)) == "committed"
    # An invalid file changes nothing and says why.
    (data_dir / "guardrails.json").write_text('{"power": {"max_item_level": -3}}')
    await publisher.on_control(ControlMessage(id="c3", command=ControlCommand.GUARDRAILS_UPDATED, at=time.time()))
    assert publisher.guardrails.power.slot_caps["weapon"].damage_max == 50
    errors = [e for e in await proposal_log(redis) if e["kind"] == "error"]
    assert errors and "refused" in errors[-1]["message"]


async def test_guardrails_file_mtime_reload(publisher: Publisher, data_dir: Path) -> None:
    publisher.settings = publisher.settings.model_copy(update={"guardrails_poll_s": 0.001})
    write_guardrails(data_dir, f.guardrails(**{"power.slot_caps": {"weapon": {"damage_max": 5}}}))
    import os
    os.utime(data_dir / "guardrails.json", (time.time() + 5, time.time() + 5))
    assert await publisher.handle(f.item_proposal("p-m", stats={"damage_min": 3, "damage_max": 7})) == "rejected"


async def test_approval_queue_survives_a_restart(make_publisher: PublisherFactory, world: object,
                                                 redis: Redis, data_dir: Path) -> None:
    await redis.set(names.DIRECTOR_STATE, msgspec.json.encode(
        DirectorState(toggles=Toggles(require_approval_types=["NPC"]))))
    pub = await make_publisher("pub-1")
    assert await pub.handle(f.npc_proposal("p-held")) == "held"
    assert await pub.handle(f.item_proposal("p-auto")) == "committed"
    assert await redis.zrange(names.APPROVAL_QUEUE, 0, -1) == [b"p-held"]
    assert (await record(redis, "p-held")).state == ProposalState.AWAITING_APPROVAL
    # The publisher restarts: a new instance, same Redis. The admin's approval arrives on the stream.
    pub2 = await make_publisher("pub-2")
    await pub2.svc.bus.publish(names.ADMIN_COMMANDS, AdminCommand(
        id="a1", action=AdminAction.APPROVE, proposal_id="p-held", at=time.time(), by="root"))
    await drain(pub2, names.ADMIN_COMMANDS)
    rec = await record(redis, "p-held")
    assert rec.state == ProposalState.PUBLISHED and rec.hash
    assert [p.id for p in await patches_on_stream(redis)] == ["p-auto", "p-held"]
    assert await redis.zcard(names.APPROVAL_QUEUE) == 0
    assert (data_dir / "generated/npc/npc_p-held.json").is_file()


async def test_edit_reruns_the_gate_and_reject(make_publisher: PublisherFactory, world: object,
                                               redis: Redis) -> None:
    pub = await make_publisher()
    await pub.on_control(ControlMessage(id="t", command=ControlCommand.SET_TOGGLES, at=0,
                                        args={"require_approval": True}))
    assert await pub.handle(f.item_proposal("p-e")) == "held"
    good = (await record(redis, "p-e")).payload
    bad = json.loads(json.dumps(good))
    bad["archetype"]["stats"]["damage_max"] = 500
    await admin.on_admin(pub, AdminCommand(id="e1", action=AdminAction.EDIT, proposal_id="p-e", at=0,
                                           payload=bad))
    assert (await record(redis, "p-e")).payload == good  # refused: unchanged
    assert "power.slot_cap.damage_max" in (await proposal_log(redis))[-1]["message"]
    better = json.loads(json.dumps(good))
    better["archetype"]["description"] = "Freshly sharpened."
    await admin.on_admin(pub, AdminCommand(id="e2", action=AdminAction.EDIT, proposal_id="p-e", at=0,
                                           payload=better, by="ada"))
    rec = await record(redis, "p-e")
    assert rec.state == ProposalState.AWAITING_APPROVAL and rec.payload["archetype"]["description"] == \
        "Freshly sharpened."
    await admin.on_admin(pub, AdminCommand(id="r1", action=AdminAction.REJECT, proposal_id="p-e", at=0,
                                           by="ada", reason="not today"))
    rec = await record(redis, "p-e")
    assert rec.state == ProposalState.REJECTED and rec.reason == "rejected by ada: not today"
    assert await patches_on_stream(redis) == []


async def test_undo_emits_the_inverse_and_refuses_while_a_player_holds_the_item(
        publisher: Publisher, redis: Redis, data_dir: Path) -> None:
    p = f.item_proposal("p-loot")
    assert await publisher.handle(p) == "committed"
    # The engine applied it and a player picked the item up.
    await admin.on_applied(publisher, PatchResult(patch_id=p.id, proposal_id=p.id, status=PatchStatus.APPLIED,
                                                  spawned=["p-loot:0"]))
    assert (await record(redis, p.id)).state == ProposalState.APPLIED
    await redis.set(names.WORLD_ENTITY + "p-loot:0", json.dumps(
        {"id": "p-loot:0", "kind": "item", "template_id": "item_p-loot", "room_id": None,
         "holder_id": "alice", "origin": p.id}))
    undo = AdminCommand(id="u1", action=AdminAction.UNDO, proposal_id=p.id, at=0, by="ada")
    await admin.on_admin(publisher, undo)
    assert len(await patches_on_stream(redis)) == 1
    last = (await proposal_log(redis))[-1]
    assert "refused" in last["message"] and "compat.player_holds_item" in last["message"]
    # Dropped on the floor: now it may go.
    await redis.set(names.WORLD_ENTITY + "p-loot:0", json.dumps(
        {"id": "p-loot:0", "kind": "item", "room_id": "plaza", "holder_id": None}))
    await admin.on_admin(publisher, undo)
    applied, inverse = await patches_on_stream(redis)
    assert inverse.id == "undo:p-loot" and inverse.kind == PatchKind.UNDO
    assert verify_patch(inverse, publisher.settings.hmac_key_bytes)
    assert inverse.ops == applied.inverse and inverse.inverse == applied.ops
    await admin.on_applied(publisher, PatchResult(patch_id="undo:p-loot", proposal_id=p.id,
                                                  status=PatchStatus.APPLIED))
    assert (await record(redis, p.id)).state == ProposalState.UNDONE
    assert not (data_dir / "generated/item/item_p-loot.json").exists()


async def test_undo_refused_while_a_player_stands_in_the_block(publisher: Publisher, redis: Redis) -> None:
    p = f.block_proposal("p-blk")
    assert await publisher.handle(p) == "committed"
    await redis.set(names.WORLD_ENTITY + "alice", json.dumps({"id": "alice", "kind": "player",
                                                              "room_id": "p-blk-b"}))
    await admin.on_admin(publisher, AdminCommand(id="u", action=AdminAction.UNDO, proposal_id=p.id, at=0))
    assert "compat.player_in_block" in (await proposal_log(redis))[-1]["message"]
    assert len(await patches_on_stream(redis)) == 1


async def test_an_undo_the_engine_refuses_is_logged_and_may_be_sent_again(publisher: Publisher,
                                                                         redis: Redis) -> None:
    p = f.block_proposal("p-blk")
    assert await publisher.handle(p) == "committed"
    await admin.on_applied(publisher, PatchResult(patch_id=p.id, proposal_id=p.id, status=PatchStatus.APPLIED))
    undo = AdminCommand(id="u", action=AdminAction.UNDO, proposal_id=p.id, at=0)
    await admin.on_admin(publisher, undo)
    assert len(await patches_on_stream(redis)) == 2
    # An offline player stands in the block: only the engine sees it, and says so.
    why = "op 2 (RemoveRooms): player 'player:bob' stands in room 'p-blk-b'"
    await admin.on_applied(publisher, PatchResult(patch_id="undo:" + p.id, proposal_id=p.id,
                                                  status=PatchStatus.REJECTED, reason=why))
    last = (await proposal_log(redis))[-1]
    assert last["message"] == f"undo of {p.id} refused by the engine: {why}"
    assert (await record(redis, p.id)).state == ProposalState.APPLIED
    await admin.on_admin(publisher, undo)  # once Bob has left, the admin tries again
    assert len(await patches_on_stream(redis)) == 3


async def test_engine_inverse_is_kept_and_used(publisher: Publisher, redis: Redis) -> None:
    p = f.qm_proposal("change_npc_behavior", {"npc_id": "thug_1", "behavior": "patrol"}, 10, "turn-9:0")
    assert await publisher.handle(p) == "committed"
    [patch] = await patches_on_stream(redis)
    assert [type(op).__name__ for op in patch.ops] == ["QmAction"] and patch.inverse == []
    restore = [{"op": "restore", "target": "thug_1", "fields": {"behavior": "aggressive"}}]
    await admin.on_applied(publisher, msgspec.convert(
        {"patch_id": p.id, "proposal_id": p.id, "status": "applied", "inverse": restore}, PatchResult))
    await admin.on_admin(publisher, AdminCommand(id="u", action=AdminAction.UNDO, proposal_id=p.id, at=0))
    undo = (await patches_on_stream(redis))[-1]
    assert msgspec.to_builtins(undo.ops) == restore


async def test_engine_rejection_marks_failed(publisher: Publisher, redis: Redis) -> None:
    p = f.qm_proposal("send_message", {"target_player_id": "alice", "message": "Docks. Midnight."}, 10, "t-2:0")
    assert await publisher.handle(p) == "committed"
    await admin.on_applied(publisher, PatchResult(patch_id=p.id, proposal_id=p.id, status=PatchStatus.SKIPPED,
                                                  reason="budget 3 < cost 10"))
    rec = await record(redis, p.id)
    assert rec.state == ProposalState.FAILED and "budget 3 < cost 10" in rec.reason


async def test_stop_pauses_after_the_proposal_in_hand(publisher: Publisher, redis: Redis) -> None:
    await publisher.on_control(ControlMessage(id="s", command=ControlCommand.STOP, at=0))
    gen = next(c for c in publisher.svc.consumers if c.stream == names.GEN_ENRICHED)
    applied = next(c for c in publisher.svc.consumers if c.stream == names.WORLD_APPLIED)
    assert not gen.active.is_set() and applied.active.is_set()
    await publisher.on_control(ControlMessage(id="g", command=ControlCommand.GO, at=0))
    assert gen.active.is_set()
    await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal("p-after-go"))
    await drain(publisher, names.GEN_ENRICHED)
    assert [p.id for p in await patches_on_stream(redis)] == ["p-after-go"]


async def test_windows_survive_a_restart(make_publisher: PublisherFactory, world: object, redis: Redis) -> None:
    pub = await make_publisher()
    legendary = {"damage_min": 28, "damage_max": 32}
    assert await pub.handle(f.item_proposal("p-l1", rarity="legendary", stats=legendary, value=100)) == "committed"
    pub2 = await make_publisher("pub-2")
    assert list(pub2.windows.rarities) == ["legendary"]
    assert await pub2.handle(f.item_proposal("p-l2", rarity="legendary", stats=legendary, value=100)) == "rejected"
    assert "rarity.window" in (await record(redis, "p-l2")).reason


async def test_stop_mid_batch_publishes_what_was_decided(publisher: Publisher, redis: Redis) -> None:
    """STOP arrives while a batch is in hand: the proposal in hand is published, the rest wait for GO."""
    gen = next(c for c in publisher.svc.consumers if c.stream == names.GEN_ENRICHED)
    for i in range(3):
        await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal(f"p-mid-{i}"))
    original = publisher.decide

    def decide_then_stop(proposal: Proposal, received: bytes = b"") -> str:
        outcome = original(proposal, received)
        publisher.pause()  # as if STOP came in while this one was in hand
        return outcome

    publisher.decide = decide_then_stop  # type: ignore[method-assign]
    burst = asyncio.create_task(gen.run_burst())
    await wait_for(lambda: _patch_count(redis, 1), what="the proposal in hand published")
    publisher.decide = original  # type: ignore[method-assign]
    assert await redis.xlen(names.WORLD_PATCHES) == 1 and not burst.done()
    publisher.resume()
    await burst
    assert [p.id for p in await patches_on_stream(redis)] == ["p-mid-0", "p-mid-1", "p-mid-2"]
    assert (await redis.xpending(names.GEN_ENRICHED, names.GROUP_PUBLISHER))["pending"] == 0


async def test_shutdown_while_stopped_finishes_what_was_decided(publisher: Publisher, redis: Redis) -> None:
    """STOP mid-batch, then SIGTERM: the decided proposal is published and acked; the rest stay pending
    (not failed) for the next start."""
    gen = next(c for c in publisher.svc.consumers if c.stream == names.GEN_ENRICHED)
    for i in range(3):
        await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal(f"p-down-{i}"))
    original = publisher.decide

    def decide_then_stop(proposal: Proposal, received: bytes = b"") -> str:
        outcome = original(proposal, received)
        publisher.pause()
        publisher.svc.request_stop()
        return outcome

    publisher.decide = decide_then_stop  # type: ignore[method-assign]
    await gen.run_burst()
    assert [p.id for p in await patches_on_stream(redis)] == ["p-down-0"]
    assert (await redis.xpending(names.GEN_ENRICHED, names.GROUP_PUBLISHER))["pending"] == 2
    assert gen.stats.handled == 1 and gen.stats.failed == 0


async def test_a_bug_on_one_proposal_discards_its_batch_and_the_rest_commit(publisher: Publisher, redis: Redis,
                                                                           data_dir: Path) -> None:
    """An unexpected error while deciding one proposal: nothing of its batch is committed (its queued
    writes and file are rolled back), the bus runs the entries one by one, the others commit and the
    bad one alone is left pending for a retry."""
    gen = next(c for c in publisher.svc.consumers if c.stream == names.GEN_ENRICHED)
    original = publisher.decide

    def decide(proposal: Proposal, received: bytes = b"") -> str:
        outcome = original(proposal, received)  # its writes are queued on the batch before the error
        if proposal.id == "p-bug-1":
            raise RuntimeError("a bug meets one proposal")
        return outcome

    publisher.decide = decide  # type: ignore[method-assign]
    for i in range(3):
        await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal(f"p-bug-{i}"))
    await gen.run_burst()
    assert [p.id for p in await patches_on_stream(redis)] == ["p-bug-0", "p-bug-2"]
    assert not (data_dir / "generated/npc/npc_p-bug-1.json").exists()
    assert await redis.get(names.PROPOSAL + "p-bug-1") is None
    assert gen.stats.handled == 2 and gen.stats.failed == 1
    assert (await redis.xpending(names.GEN_ENRICHED, names.GROUP_PUBLISHER))["pending"] == 1
    assert [e["proposal_id"] for e in await proposal_log(redis)] == ["p-bug-0", "p-bug-2"]


async def test_files_fsync_batch_flushes_the_files_before_the_patches_go_out(
        make_publisher: PublisherFactory, world: object, redis: Redis, redis_url: str, data_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """OURO_FILES_FSYNC=batch: the batch's files are on disk before its patches are on world.patches."""
    seen: list[tuple[bool, int]] = []
    flush = library_files.flush_to_disk

    def spy(path: Path) -> None:
        flush(path)  # the real syncfs, then look: files there, no patch yet
        client = sync_redis.Redis.from_url(redis_url)
        seen.append(((data_dir / "generated/npc/npc_p-dur-1.json").exists(), int(client.xlen(names.WORLD_PATCHES))))
        client.close()

    monkeypatch.setattr(library_files, "flush_to_disk", spy)
    pub = await make_publisher(OURO_FILES_FSYNC="batch")
    for i in range(2):
        await pub.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal(f"p-dur-{i}"))
    await drain(pub, names.GEN_ENRICHED)
    assert seen == [(True, 0)] and len(await patches_on_stream(redis)) == 2
    monkeypatch.setenv("OURO_FILES_FSYNC", "off")
    off = await make_publisher("pub-off")
    await off.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal("p-dur-9"))
    await drain(off, names.GEN_ENRICHED)
    assert len(seen) == 1 and len(await patches_on_stream(redis)) == 3


def hold_first_multi(monkeypatch: pytest.MonkeyPatch, until: asyncio.Event, events: list[str],
                     fail: BaseException | None = None) -> None:
    """The publisher's first batch MULTI waits for `until` (at most 5 s) before it runs — or fails with
    `fail` then, as if Redis went away. Every MULTI's start and end go to `events`."""
    original = app.execute_multi
    n = 0

    async def execute(pipe: Pipeline) -> list[Any]:
        nonlocal n
        mine, n = n, n + 1
        events.append(f"multi {mine} out")
        if mine == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until.wait(), 5)
            if fail is not None:
                await pipe.reset()
                events.append(f"multi {mine} failed")
                raise fail
        result = await original(pipe)
        events.append(f"multi {mine} ran")
        return result

    monkeypatch.setattr(app, "execute_multi", execute)


def note_decisions(publisher: Publisher, events: list[str], second: asyncio.Event, first_of_second: int) -> None:
    """Decisions go to `events`; `second` is set when the `first_of_second`-th (from 0) is taken."""
    original = publisher.decide
    taken = 0

    def decide(proposal: Proposal, received: bytes = b"") -> str:
        nonlocal taken
        if taken == first_of_second:
            second.set()
        taken += 1
        outcome = original(proposal, received)
        events.append(f"{proposal.id} {outcome}")
        return outcome

    publisher.decide = decide  # type: ignore[method-assign]


def hold_second_batch(publisher: Publisher, monkeypatch: pytest.MonkeyPatch, batch: int,
                      fail: BaseException | None = None) -> tuple[Any, list[str]]:
    """The proposal consumer with batches of `batch`, its first MULTI held (`hold_first_multi`) until the
    first proposal of the second batch is decided; MULTIs and decisions noted in the returned events."""
    gen = next(c for c in publisher.svc.consumers if c.stream == names.GEN_ENRICHED)
    gen.config.batch = batch
    events: list[str] = []
    second = asyncio.Event()
    hold_first_multi(monkeypatch, second, events, fail=fail)
    note_decisions(publisher, events, second, batch)
    return gen, events


async def test_the_next_batch_is_gated_while_a_multi_is_out_and_sent_after_it(
        publisher: Publisher, redis: Redis, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch N+1 is decided while batch N's MULTI is out; its own MULTI goes out only after N's ran, so
    patches keep the order of decisions; each batch is acked only once its files are written."""
    gen, events = hold_second_batch(publisher, monkeypatch, batch=2)
    ack = gen._ack
    acked_without_file: list[str] = []

    async def check_files_then_ack(acks: list[bytes], done_keys: list[str]) -> None:
        for pid in done_keys:
            if not (data_dir / f"generated/npc/npc_{pid}.json").exists():
                acked_without_file.append(pid)
        events.append(f"ack {sorted(done_keys)}")
        await ack(acks, done_keys)

    monkeypatch.setattr(gen, "_ack", check_files_then_ack)
    for i in range(5):
        await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal(f"p-pipe-{i}"))
    await gen.run_burst()
    assert [p.id for p in await patches_on_stream(redis)] == [f"p-pipe-{i}" for i in range(5)]
    assert events[:6] == ["p-pipe-0 committed", "p-pipe-1 committed", "multi 0 out",
                          "p-pipe-2 committed", "p-pipe-3 committed",  # gated while multi 0 is out
                          "multi 0 ran"]
    at = events.index
    assert at("multi 0 ran") < at("multi 1 out") < at("multi 1 ran") < at("multi 2 out")
    assert at("multi 0 ran") < at("ack ['p-pipe-0', 'p-pipe-1']") < at("ack ['p-pipe-2', 'p-pipe-3']")
    assert acked_without_file == [] and gen.stats.handled == 5
    assert (await redis.xpending(names.GEN_ENRICHED, names.GROUP_PUBLISHER))["pending"] == 0


async def test_a_failed_multi_rolls_back_the_batch_decided_on_top_of_it(
        publisher: Publisher, redis: Redis, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch N's MULTI fails after batch N+1 was decided on top of it (an NPC in a room N adds):
    nothing of either is committed, both are rolled back (library, windows, files, newest first), and
    after recovery both commit once, in order."""
    gen, events = hold_second_batch(publisher, monkeypatch, batch=1, fail=RedisConnectionError("redis went away"))
    await publisher.svc.bus.publish(names.GEN_ENRICHED, f.block_proposal("p-grow"))
    await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal("p-on-top", spawn="p-grow-a"))
    with pytest.raises(RedisConnectionError):
        await gen.run_burst()
    assert events == ["p-grow committed", "multi 0 out", "p-on-top committed", "multi 0 failed"]
    assert await redis.xlen(names.WORLD_PATCHES) == 0 and await redis.get(names.PROPOSAL + "p-grow") is None
    assert "p-grow-a" not in publisher.library.rooms and "npc_p-on-top" not in publisher.library.templates
    assert publisher.windows.throttle == {} and publisher.batch is None and publisher.sent is None
    assert list((data_dir / "generated").rglob("*.json")) == []
    assert (await redis.xpending(names.GEN_ENRICHED, names.GROUP_PUBLISHER))["pending"] == 2
    await gen.run_burst()  # after recovery: the own pending list, in order
    assert [p.id for p in await patches_on_stream(redis)] == ["p-grow", "p-on-top"]
    assert sum(publisher.windows.throttle.values()) == 2
    assert (data_dir / "generated/block/block-p-grow.json").exists()
    assert (data_dir / "generated/npc/npc_p-on-top.json").exists()


async def test_a_redelivery_of_a_proposal_in_flight_commits_once(
        publisher: Publisher, redis: Redis, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same proposal again (another bus key) in the batch after its own, whose world read ran
    before its MULTI: a duplicate, not a second commit."""
    gen, events = hold_second_batch(publisher, monkeypatch, batch=2)
    p = f.npc_proposal("p-twice")
    await publisher.svc.bus.publish(names.GEN_ENRICHED, p, key="k1")
    await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal("p-other"))
    await publisher.svc.bus.publish(names.GEN_ENRICHED, p, key="k2")
    await gen.run_burst()
    assert events[:4] == ["p-twice committed", "p-other committed", "multi 0 out", "p-twice duplicate"]
    assert [p.id for p in await patches_on_stream(redis)] == ["p-twice", "p-other"]
    assert (data_dir / "generated/npc/npc_p-twice.json").exists() and publisher.counts["duplicate"] == 1


async def test_a_batch_is_acked_only_after_the_files_of_the_batch_sent_before_it(
        publisher: Publisher, redis: Redis, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """STOP mid-batch sends what was decided (p-orphan-0); then a bug on p-orphan-1 fails the rest of
    the batch, so that send belongs to no outcome, and the bus runs the entries one by one: p-orphan-0
    comes back as a duplicate of the batch in flight. If that batch's file write failed, the duplicate
    must not be acked either: it comes back once more and its file is rewritten — nothing is lost."""
    gen = next(c for c in publisher.svc.consumers if c.stream == names.GEN_ENRICHED)
    original_decide = publisher.decide
    write_files = library_files.write_files
    failed_once: list[bool] = []

    def decide(proposal: Proposal, received: bytes = b"") -> str:
        if proposal.id == "p-orphan-1":
            raise RuntimeError("a bug meets one proposal")
        outcome = original_decide(proposal, received)
        if proposal.id == "p-orphan-0" and not failed_once:
            publisher.pause()  # STOP while it is in hand; GO a moment later
            asyncio.get_running_loop().call_later(0.05, publisher.resume)
        return outcome

    def write_once_failing(files: list[tuple[str, bytes]]) -> None:
        if not failed_once:
            failed_once.append(True)
            raise OSError(28, "No space left on device")
        write_files(files)

    publisher.decide = decide  # type: ignore[method-assign]
    monkeypatch.setattr(library_files, "write_files", write_once_failing)
    for i in range(3):
        await publisher.svc.bus.publish(names.GEN_ENRICHED, f.npc_proposal(f"p-orphan-{i}"))
    with pytest.raises(OSError, match="No space left"):
        await gen.run_burst()
    pending = await redis.xpending_range(names.GEN_ENRICHED, names.GROUP_PUBLISHER, "-", "+", 10)
    assert len(pending) == 3  # p-orphan-0 not acked as a duplicate while its file was missing
    await gen.run_burst()  # after recovery: the own pending list
    assert [p.id for p in await patches_on_stream(redis)] == ["p-orphan-0", "p-orphan-2"]
    assert (data_dir / "generated/npc/npc_p-orphan-0.json").exists()
    assert (data_dir / "generated/npc/npc_p-orphan-2.json").exists()


async def _patch_count(redis: Redis, n: int) -> bool:
    return int(await redis.xlen(names.WORLD_PATCHES)) >= n


def test_default_guardrails_are_the_committed_file() -> None:
    committed = Path(__file__).resolve().parents[2] / "data" / "guardrails.json"
    assert json.loads(committed.read_text()) == Guardrails().model_dump(mode="json")


async def test_missing_guardrails_file_means_defaults_written(make_publisher: PublisherFactory, world: object,
                                                             data_dir: Path, redis: Redis) -> None:
    (data_dir / "guardrails.json").unlink()
    pub = await make_publisher()
    assert json.loads((data_dir / "guardrails.json").read_text()) == Guardrails().model_dump(mode="json")
    assert await pub.handle(f.npc_proposal("p-def", description="A thug who yells f.u.c.k.")) == "rejected"
    assert "filter.banned_word" in (await record(redis, "p-def")).reason
