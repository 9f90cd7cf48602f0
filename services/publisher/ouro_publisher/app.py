"""The publisher's shell: the only service that commits (DESIGN §5).

For each proposal on `gen.enriched` / `qm.actions`:

1. already committed (commit record under its id)? rewrite its files identically, done — a redelivered
   proposal commits once; already decided (a record past `enriched`)? done;
2. fetch the world view of the ids it names (one pipelined round trip, with the record lookup);
3. `run_gate` (pure): validate, balance, filter — every verdict with rule, value and limit;
4. rejected -> record + log with the reasons; held for approval when the toggles say so (the gate's
   window usage is reserved then); else
5. commit: hash the approved proposal, build the signed patch with its inverse, and in one MULTI:
   XADD world.patches + the commit record + the proposal record + the window counters; then write the
   template file(s) (temp file + os.replace) and log.

The proposals come in batches (`on_batch`: one world read, one MULTI, the files), and batches are
pipelined: the next batch is gated while the previous one's MULTI runs and its files are written; it
is sent only after that MULTI ran (`send`, `_after_previous`, `_complete`; docs/publisher.md).

Admin commands, undo and engine results are in `admin.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec

from ouro_publisher import library_files, metrics, patches
from ouro_publisher.batch import Batch, Sent
from ouro_publisher.gate import run_gate
from ouro_publisher.inventory import inventory
from ouro_publisher.settings import PublisherSettings
from ouro_publisher.types import GateResult, Usage, WindowState, describe, fail
from ouro_publisher.windows import Windows
from ouro_publisher.world import Library, Snapshot, WorldReader, candidates
from ouro_runtime.bus import FIELD_DATA, BatchOutcome, Delivery
from ouro_runtime.resp import execute_multi
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.errors import ContentError
from ouro_schemas.guardrails import Guardrails, load_guardrails, parse_guardrails
from ouro_schemas.messages import (
    ControlCommand,
    ControlMessage,
    DirectorState,
    LogEntry,
    LogKind,
    Patch,
    PatchKind,
    Toggles,
    patch_signature,
)
from ouro_schemas.proposal import Proposal, ProposalState, TraceEntry, can_transition, proposal_hash

log = logging.getLogger(__name__)
_enc = msgspec.json.Encoder()
_dec_proposal = msgspec.json.Decoder(Proposal)
FILE_STEP = 8  # template files written per loop pass while a batch's MULTI is out
DECIDED = frozenset({ProposalState.AWAITING_APPROVAL, ProposalState.APPROVED, ProposalState.PUBLISHED,
                     ProposalState.APPLIED, ProposalState.REJECTED, ProposalState.FAILED,
                     ProposalState.UNDONE})


class TransitionError(RuntimeError):
    """A state change the proposal lifecycle forbids (a bug, not a bad proposal)."""


def advance(proposal: Proposal, new: ProposalState, moves: list[str]) -> None:
    if not can_transition(proposal.state, new):
        raise TransitionError(f"{proposal.id}: {proposal.state} -> {new} is not allowed")
    moves.append(f"{proposal.state}->{new}")
    proposal.state = new


def record_key(pid: str) -> str:
    return names.PROPOSAL + pid


def commit_key(pid: str) -> str:
    return names.PUBLISHER_COMMIT + pid


class Publisher:
    def __init__(self, svc: Service, settings: PublisherSettings) -> None:
        self.svc = svc
        self.redis = svc.redis
        self.settings = settings
        self.key = settings.hmac_key_bytes
        self.library = Library()
        self.reader = WorldReader(self.redis, self.library)
        self.windows = Windows()
        self.guardrails = Guardrails()
        self.guardrails_source = "defaults"
        self._gr_mtime: float | None = None
        self._gr_checked = 0.0
        self.toggles = Toggles()
        self.paused = False
        self._open = asyncio.Event()
        self._open.set()
        self.counts: dict[str, int] = {}
        self._counters: dict[tuple[str, str], Any] = {}
        self.batch: Batch | None = None  # the open batch: one MULTI for every write of its proposals
        self.sent: Sent | None = None  # the batch sent last (its output may still be completing)
        self.generated = settings.generated_dir
        self.lock = asyncio.Lock()  # one open batch at a time (gen.enriched, qm.actions, approvals)

    # --- start-up ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Load guardrails (exit on an invalid file), library, windows and toggles."""
        path = self.settings.guardrails_file
        if path.is_file():
            self.guardrails = load_guardrails(path)  # ContentError: fail fast, naming the field
            self._gr_mtime = path.stat().st_mtime
            self.guardrails_source = str(path)
        else:
            # Built-in defaults (the same as the committed data/guardrails.json), written out so the
            # operator has a file to edit and the mtime reload has something to watch.
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.guardrails.model_dump_json(indent=2) + "\n", encoding="utf-8")
            self._gr_mtime = path.stat().st_mtime
            self.guardrails_source = f"{path} (defaults written)"
            log.warning("no guardrails file; built-in defaults written and in force", extra={"path": str(path)})
        await self.redis.set(names.GUARDRAILS, self.guardrails.model_dump_json())
        n = await asyncio.to_thread(self.library.load, self.settings.base_dir, self.settings.generated_dir)
        await self.windows.load(self.redis)
        raw = await self.redis.get(names.DIRECTOR_STATE)
        if raw:
            try:
                self.toggles = msgspec.json.decode(raw, type=DirectorState).toggles
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                log.warning("director state unreadable; default toggles", extra={"error": str(exc)})
        self.svc.health_detail["guardrails"] = self.guardrails_source
        log.info("publisher ready", extra={"library_entries": n, "rarity_window": len(self.windows.rarities)})

    async def close(self) -> None:
        """At shutdown: the output of the batch sent last completes (its entries are acked by the bus
        only if it did; else they are redelivered)."""
        sent = self.sent
        if sent is not None:
            with contextlib.suppress(Exception):
                await sent.task

    # --- guardrails hot swap -----------------------------------------------------------------------
    def poll_guardrails_file(self, now: float) -> None:
        """Reload the file when its mtime changed (checked at most every guardrails_poll_s)."""
        if now - self._gr_checked < self.settings.guardrails_poll_s:
            return
        self._gr_checked = now
        path = self.settings.guardrails_file
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return
        if mtime != self._gr_mtime:
            self._gr_mtime = mtime
            if self.reload_from_file(path) and self.batch is not None:
                self.batch.pipe.set(names.GUARDRAILS, self.guardrails.model_dump_json())  # in force

    def reload_from_file(self, path: Path) -> bool:
        try:
            self.set_guardrails(load_guardrails(path), str(path))
            return True
        except (ContentError, OSError) as exc:
            log.error("guardrails refused; previous ones stay in force", extra={"error": str(exc)[:500]})
            return False

    def set_guardrails(self, g: Guardrails, source: str) -> None:
        self.guardrails = g
        self.guardrails_source = source
        self.svc.health_detail["guardrails"] = source
        log.info("guardrails in force", extra={"source": source, "version": g.version})

    async def reload_guardrails(self, source: str) -> None:
        """Control `guardrails_updated`: from the `ouro:guardrails` key (args source=redis) or the file."""
        if source == "redis":
            raw = await self.redis.get(names.GUARDRAILS)
            try:
                g = parse_guardrails(msgspec.json.decode(raw or b"null"), names.GUARDRAILS)
            except (ContentError, msgspec.DecodeError) as exc:
                await self.svc.emit(names.LOG_PROPOSALS, LogKind.ERROR, f"guardrails refused: {exc}"[:1000])
                return
            self.set_guardrails(g, names.GUARDRAILS)
        else:
            path = self.settings.guardrails_file
            if not self.reload_from_file(path):
                await self.svc.emit(names.LOG_PROPOSALS, LogKind.ERROR, f"guardrails file {path} refused")
                return
            self._gr_mtime = path.stat().st_mtime
            await self.redis.set(names.GUARDRAILS, self.guardrails.model_dump_json())
        await self.svc.emit(names.LOG_PROPOSALS, LogKind.CONTROL, "guardrails reloaded",
                            data={"source": self.guardrails_source, "version": self.guardrails.version})

    # --- control -----------------------------------------------------------------------------------
    async def on_control(self, msg: ControlMessage) -> None:
        if msg.command == ControlCommand.STOP:
            self.pause()
        elif msg.command in (ControlCommand.GO, ControlCommand.RESUME):
            self.resume()
        elif msg.command == ControlCommand.SET_TOGGLES:
            data = msgspec.to_builtins(self.toggles) | {k: v for k, v in msg.args.items()
                                                        if k in Toggles.__struct_fields__}
            self.toggles = msgspec.convert(data, Toggles)
        elif msg.command == ControlCommand.GUARDRAILS_UPDATED:
            await self.reload_guardrails(str(msg.args.get("source", "file")))

    def pause(self) -> None:
        """Stop taking work; the proposal in hand finishes (world.applied keeps flowing)."""
        self.paused = True
        self._open.clear()
        for c in self.svc.consumers:
            if c.stream != names.WORLD_APPLIED:
                c.active.clear()

    def resume(self) -> None:
        self.paused = False
        self._open.set()
        for c in self.svc.consumers:
            c.active.set()

    async def wait_open(self) -> None:
        """Hold an admin command while stopped; on shutdown leave it pending for redelivery."""
        if not await self._opened():
            raise RuntimeError("publisher stopped while paused; entry left pending")

    async def _opened(self) -> bool:
        """Wait while stopped: True once open again, False if the service is shutting down meanwhile."""
        while not self._open.is_set():
            if self.svc.stopping:
                return False
            try:
                await asyncio.wait_for(self._open.wait(), timeout=0.25)
            except TimeoutError:
                pass
        return True

    # --- proposals -----------------------------------------------------------------------------------
    async def on_batch(self, items: list[tuple[Proposal, Delivery]]) -> BatchOutcome:
        """The batch handler of `gen.enriched` and `qm.actions` (`bus.BatchConsumer`): one world read,
        the proposals decided one by one in order, one MULTI and the files, then all are finished.

        Returns once the batch's MULTI is sent: its completion (MULTI reply, log lines, files) is the
        outcome's `after`, so the bus acks the entries only then and meanwhile hands over the next
        batch, which is gated while this one's output completes (`send`).

        STOP mid-batch: what was decided is published at once, the rest waits for GO; a shutdown while
        stopped finishes what was decided and leaves the rest pending. An unexpected error discards the
        whole batch (nothing of it committed) and propagates: the bus then runs each entry alone."""
        outcome = BatchOutcome()
        decided: list[Delivery] = []
        async with self.lock:
            await self.begin([p for p, _ in items])
            try:
                for proposal, delivery in items:
                    if not self._open.is_set():
                        outcome.after(await self.send(partial=True))
                        if not await self._opened():
                            break
                    self.decide(proposal, delivery.data)
                    decided.append(delivery)
                outcome.after(await self.send())
            finally:
                self.discard()
        for delivery in decided:
            outcome.finish(delivery)
        return outcome

    def count(self, outcome: str, ptype: str = "") -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        counter = self._counters.get((ptype, outcome))
        if counter is None:  # a labelled child, looked up once (labels() is not free per proposal)
            counter = metrics.PROPOSALS.labels(ptype, outcome) if ptype else metrics.ADMIN.labels(outcome)
            self._counters[(ptype, outcome)] = counter
        counter.inc()

    async def begin(self, proposals: list[Proposal]) -> Batch:
        """Open a batch: one read of every world key the proposals name, their records and commits.

        The batch sent last may still be in flight (its MULTI not run yet when this read runs): what it
        decided is carried over, so a proposal in both is still seen as a duplicate."""
        ids: set[str] = set()
        coords: set[str] = set()
        extra: list[str] = []
        cands: dict[str, tuple[list[str], list[str]]] = {}
        for p in proposals:
            i, c = cands[p.id] = candidates(p)
            ids.update(i)
            coords.update(c)
            extra += [record_key(p.id), commit_key(p.id)]
        # Taken before the read: if the last batch's MULTI had run by then, the read sees its records.
        last = self.sent.batch if self.sent is not None and not self.sent.published.done() else None
        snap = await self.reader.fetch(sorted(ids), sorted(coords), extra) if proposals else Snapshot()
        self.batch = Batch(snap, self.redis.pipeline(transaction=True), self.windows.backup(), cands=cands,
                           prior_decided=last.decided if last else frozenset())
        return self.batch

    async def send(self, *, partial: bool = False) -> asyncio.Task[None]:
        """Send the open batch's MULTI and return what completes its output (`Sent.task`). With
        `partial` (STOP mid-batch) an empty batch goes on with the same snapshot. Raises what made the
        batch sent before this one fail (both are rolled back then; see `_after_previous`)."""
        batch, self.batch = self.batch, None
        assert batch is not None
        task = await self._send(batch)
        if partial:
            self.batch = Batch(batch.snap, self.redis.pipeline(transaction=True), self.windows.backup(),
                               committed=batch.committed, decided=batch.decided, cands=batch.cands,
                               prior_decided=batch.prior_decided)
        return task

    async def _send(self, batch: Batch) -> asyncio.Task[None]:
        """Queue the batch's last writes on its MULTI and start `_complete` (which sends it). Called under
        `lock`: batches are sent in the order they were decided, each after the one before succeeded."""
        await self._after_previous(batch)
        if len(batch.pipe) or batch.mset:
            now = time.time()
            if batch.mset:
                batch.pipe.mset(batch.mset)
            if batch.index:
                batch.pipe.zadd(names.PROPOSAL_INDEX, batch.index, nx=True)
            self.windows.write(batch.pipe)
            self.windows.prune(batch.pipe, self.guardrails, now)
        loop = asyncio.get_running_loop()
        sent = Sent(batch, loop.create_future(), loop.create_future(),
                    previous=self.sent.written if self.sent is not None else None)
        sent.task = asyncio.create_task(self._complete(sent))
        # Its error reaches whoever awaits it (the bus) or the batch sent next (`previous`); a batch sent
        # at STOP mid-batch whose handler then failed has no one else: retrieved here, not logged by asyncio.
        sent.task.add_done_callback(_retrieved)
        self.sent = sent
        return sent.task

    async def _after_previous(self, batch: Batch | None) -> None:
        """Wait until the batch sent before `batch` has published (its MULTI ran). If it failed, `batch`
        was decided on top of what never happened: roll back `batch`, then that one (newest first, so
        the windows end where they were before both), and raise its error."""
        prev = self.sent
        if prev is None or (prev.published.done() and prev.published.exception() is None):
            return
        with contextlib.suppress(BaseException):
            await asyncio.shield(prev.published)
        if not prev.published.done():
            raise asyncio.CancelledError  # we were cancelled (shutdown), not the batch before
        error = prev.published.exception()
        if error is None:
            return
        if batch is not None:
            self._rollback(batch)
        self._roll_back_sent(prev)
        raise error

    async def _complete(self, sent: Sent) -> None:
        """The output of a sent batch: its MULTI (patches, records, windows, log entries), the log lines
        and its template files, written between loop passes while Redis runs the MULTI. `published`
        resolves once the MULTI ran and the log lines are appended (or with its error, after the files).
        With `files_fsync=batch` the files are written and flushed to disk first, then the MULTI is
        sent: a published patch never outlives its file (docs/publisher.md, Durability).

        Files not in a writer thread: a thread needs the GIL back after each system call, which a busy
        loop hands over only every switch interval (5 ms), so it wrote little while the next batch was
        gated and the loop then waited for it (A/B in docs/publisher.md: the loop idle 7-11 % of the
        time instead of 0-1 %, no faster)."""
        batch = sent.batch
        try:
            if self.settings.files_fsync == "batch" and batch.files:
                library_files.write_files(batch.files)
                await asyncio.to_thread(library_files.flush_to_disk, self.generated)
                batch.files = []
            multi = asyncio.ensure_future(execute_multi(batch.pipe)) if len(batch.pipe) else None
            file_error: OSError | None = None
            try:
                for i in range(0, len(batch.files), FILE_STEP):
                    await asyncio.sleep(0)
                    library_files.write_files(batch.files[i:i + FILE_STEP])
            except OSError as exc:
                file_error = exc  # the MULTI may still go through: then the redelivered proposals rewrite them
            if multi is not None:
                await multi
        except BaseException as exc:
            _fail(sent.published, exc)
            _fail(sent.written, exc)
            async with self.lock:  # after a batch decided on top of this one has rolled itself back
                self._roll_back_sent(sent)
            raise
        if batch.logs:
            self.svc.log_dir.mkdir(parents=True, exist_ok=True)
            with (self.svc.log_dir / f"{names.LOG_PROPOSALS}.jsonl").open("ab") as fh:
                fh.write(b"".join(line + b"\n" for line in batch.logs))
        sent.published.set_result(None)
        if file_error is not None:
            _fail(sent.written, file_error)
            raise file_error
        sent.written.set_result(None)
        if sent.previous is not None:
            # Not complete before the files of the batch sent before it: a proposal of that one
            # redelivered into this one is a duplicate here, acked with this batch (and a batch sent at
            # STOP mid-batch has no outcome of its own if the rest of its batch then fails).
            await asyncio.shield(sent.previous)

    def _roll_back_sent(self, sent: Sent) -> None:
        """Undo a sent batch whose MULTI failed (once; under `lock`)."""
        if not sent.rolled_back:
            sent.rolled_back = True
            self._rollback(sent.batch)
        if self.sent is sent:
            self.sent = None

    async def settle(self) -> None:
        """Under `lock`: wait until the batch sent last has published (or is rolled back), before a
        write outside the batches (an admin's edit records window usage)."""
        with contextlib.suppress(Exception):
            await self._after_previous(None)

    def discard(self) -> None:
        """Forget an unsent batch (an error before its MULTI was sent): undo its in-memory effects."""
        batch, self.batch = self.batch, None
        if batch is not None:
            self._rollback(batch)

    def _rollback(self, batch: Batch) -> None:
        """Undo a batch in memory and on disk (files of proposals it did not commit)."""
        for folder, tid in batch.new_files:
            with contextlib.suppress(OSError, library_files.UnsafePath):
                library_files.remove(self.generated, folder, tid)
        for pid in batch.added:
            self.library.remove(pid)
        self.windows.restore(batch.windows_backup)

    async def handle(self, proposal: Proposal) -> str:
        """Gate and commit one proposal on its own batch (tests, tools); the consumers batch instead.
        Returns the outcome: committed | held | rejected | duplicate."""
        async with self.lock:
            await self.begin([proposal])
            try:
                outcome = self.decide(proposal)
                task = await self.send()
            finally:
                self.discard()
        await task  # outside the lock: a failed MULTI rolls back under it
        return outcome

    @contextlib.asynccontextmanager
    async def writes(self) -> AsyncIterator[Batch]:
        """An empty batch for writes outside the proposal consumers (an admin's approval)."""
        async with self.lock:
            batch = await self.begin([])
            try:
                yield batch
                task = await self.send()
            finally:
                self.discard()
        await task

    def decide(self, proposal: Proposal, received: bytes = b"") -> str:
        """The gate and the outcome of one proposal, its writes queued on the open batch. `received` is
        its JSON as it came off the stream (kept as the before-validation version; else encoded here)."""
        batch = self.batch
        assert batch is not None
        now = time.time()
        self.poll_guardrails_file(now)
        commit_raw = batch.snap.extra.get(commit_key(proposal.id))
        if commit_raw is not None or proposal.id in batch.committed:
            self.rewrite_files(batch, commit_raw, proposal.id)
            self.count("duplicate", str(proposal.type))
            return "duplicate"
        record_raw = batch.snap.extra.get(record_key(proposal.id))
        if proposal.id in batch.decided or proposal.id in batch.prior_decided or (
                record_raw is not None and _dec_proposal.decode(record_raw).state in DECIDED):
            self.count("duplicate", str(proposal.type))
            return "duplicate"
        batch.decided.add(proposal.id)
        before = received or _enc.encode(proposal)
        if proposal.state not in (ProposalState.DRAFTED, ProposalState.ENRICHED):
            proposal.state = ProposalState.ENRICHED  # as received from the gate's point of view
        ids, coords = batch.cands.get(proposal.id) or candidates(proposal)
        view = self.reader.build(batch.snap, ids, coords)
        g = self.guardrails
        started = time.perf_counter()
        result = run_gate(proposal, view, g, self.windows.state(g, now))
        metrics.GATE_SECONDS.observe(time.perf_counter() - started)
        moves: list[str] = []
        self.trace(proposal, result, now)
        if not result.ok:
            self.reject(proposal, result, before, moves, now)
            return "rejected"
        advance(proposal, ProposalState.VALIDATED, moves)
        advance(proposal, ProposalState.BALANCED, moves)
        assert result.payload is not None
        proposal.payload = result.payload
        if self.needs_approval(proposal):
            self.hold(proposal, result, before, moves, now)
            return "held"
        return self.commit(proposal, result, view, before, moves, now, record_usage=True)

    def needs_approval(self, proposal: Proposal) -> bool:
        return self.toggles.require_approval or proposal.type in self.toggles.require_approval_types

    def trace(self, proposal: Proposal, result: GateResult, now: float) -> None:
        for stage, verdicts in result.stages.items():
            bad = [v for v in verdicts if not v.ok]
            proposal.trace.append(TraceEntry(
                stage=stage, at=now, actor=self.svc.instance, verdict="rejected" if bad else "ok",
                reason="; ".join(describe(v) for v in bad)[:2000],
                data={"verdicts": list(verdicts)}))  # Verdict structs: encoded as objects

    def reject(self, proposal: Proposal, result: GateResult, before: bytes | None, moves: list[str],
               now: float) -> None:
        stages_ok = {s: all(v.ok for v in vs) for s, vs in result.stages.items()}
        if stages_ok.get("validate") and proposal.state in (ProposalState.DRAFTED, ProposalState.ENRICHED):
            advance(proposal, ProposalState.VALIDATED, moves)
        advance(proposal, ProposalState.REJECTED, moves)
        proposal.reason = result.reason[:4000]
        pipe = self._pipe()
        self._save(pipe, proposal, before, now)
        if before is None:  # an approval that failed its re-check
            pipe.zrem(names.APPROVAL_QUEUE, proposal.id)
        self.count("rejected", str(proposal.type))
        for v in result.failures:
            metrics.RULE_FAILURES.labels(v.rule).inc()
        self.log(proposal, moves, result, f"rejected: {proposal.reason[:300]}")

    def hold(self, proposal: Proposal, result: GateResult, before: bytes | None, moves: list[str],
             now: float) -> None:
        advance(proposal, ProposalState.AWAITING_APPROVAL, moves)
        pipe = self._pipe()
        self._save(pipe, proposal, before, now)
        pipe.zadd(names.APPROVAL_QUEUE, {proposal.id: proposal.created_at or now})
        self.windows.record(None, str(proposal.type), result.usage, now)  # reserved while it waits
        self.count("held", str(proposal.type))
        self.log(proposal, moves, result, "awaiting approval")

    def _xadd(self, stream: str, fields: dict[bytes, bytes]) -> None:
        """`pipe.xadd(stream, fields, maxlen=…, approximate=True)` on the batch's MULTI, queued as the raw
        command (redis-py's xadd checks and rebuilds its arguments: twice per committed proposal)."""
        args: list[Any] = ["XADD", stream, "MAXLEN", "~", self.settings.stream_maxlen, "*"]
        for name, value in fields.items():
            args += (name, value)
        self._pipe().execute_command(*args)

    def _pipe(self) -> Any:
        assert self.batch is not None, "writes go through a batch"
        return self.batch.pipe

    def _save(self, pipe: Any, proposal: Proposal, before: bytes | None, now: float) -> None:
        """The proposal's record (latest), its as-received version (first time only) and its index entry."""
        batch = self.batch
        if batch is not None and pipe is batch.pipe:
            # In a batch: one MSET and one ZADD for all (a proposal reaches here once per batch, and only
            # when it had no record yet, so "first time only" holds without NX).
            batch.mset[record_key(proposal.id)] = _enc.encode(proposal)
            if before is not None:
                batch.mset[record_key(proposal.id) + names.PROPOSAL_BEFORE_SUFFIX] = before
            batch.index[proposal.id] = proposal.created_at or now
            return
        pipe.set(record_key(proposal.id), _enc.encode(proposal))
        if before is not None:
            pipe.set(record_key(proposal.id) + names.PROPOSAL_BEFORE_SUFFIX, before, nx=True)
        pipe.zadd(names.PROPOSAL_INDEX, {proposal.id: proposal.created_at or now}, nx=True)

    def commit(self, proposal: Proposal, result: GateResult, view: Any, before: bytes | None,
               moves: list[str], now: float, *, record_usage: bool) -> str:
        """Approve, sign and publish: patch + records queued on the batch's MULTI, files on its list."""
        model = result.model
        batch = self.batch
        assert model is not None and result.payload is not None and batch is not None
        specs = patches.files(proposal, model, result.payload)
        try:
            paths = [library_files.file_name(self.generated, folder, tid) for folder, tid, _ in specs]
        except library_files.UnsafePath as exc:
            bad = GateResult(ok=False, verdicts=[fail("commit.file_name", str(exc))], stages={})
            self.reject(proposal, bad, before, moves, now)
            return "rejected"
        advance(proposal, ProposalState.APPROVED, moves)
        proposal.hash = proposal_hash(proposal, self.key)
        inv = None if proposal.type == "QM_ACTION" else (result.inventory or inventory(proposal.type, model,
                                                                                      proposal.tags))
        ops, inverse = patches.build_patch(proposal, model, inv, view, result.payload)
        patch = Patch(id=proposal.id, proposal_id=proposal.id, kind=PatchKind.APPLY, ops=ops, inverse=inverse,
                      issued_at=now)
        patch = msgspec.structs.replace(patch, signature=patch_signature(patch, self.key))
        advance(proposal, ProposalState.PUBLISHED, moves)
        proposal.trace.append(TraceEntry(stage="commit", at=now, actor=self.svc.instance, verdict="ok",
                                         data={"ops": len(ops), "files": [f"{f}/{t}.json" for f, t, _ in specs]}))
        fields = self.svc.bus.fields(patch, None)
        # The patch's JSON goes into the commit record as it went on the stream (encoded once).
        record = {"proposal_id": proposal.id, "type": str(proposal.type), "committed_at": now,
                  "patch": msgspec.Raw(fields[FIELD_DATA]), "files": [[f, t] for f, t, _ in specs]}
        pipe = batch.pipe
        self._xadd(names.WORLD_PATCHES, fields)
        batch.mset[commit_key(proposal.id)] = _enc.encode(record)
        self._save(pipe, proposal, before, now)
        if not record_usage:  # it was held: it leaves the approval queue
            pipe.zrem(names.APPROVAL_QUEUE, proposal.id)
        if record_usage:
            self.windows.record(None, str(proposal.type), result.usage, now)
        for (folder, tid, body), path in zip(specs, paths, strict=True):
            body["hash"] = proposal.hash
            self.write_file(batch, folder, tid, body, new=True, path=path)
        self.library.add_ops(proposal.id, ops)
        batch.added.append(proposal.id)
        batch.committed.add(proposal.id)
        self.count("committed", str(proposal.type))
        self.log(proposal, moves, result, "published")
        return "committed"

    def rewrite_files(self, batch: Batch, commit_raw: bytes | None, pid: str) -> None:
        """A redelivered, already committed proposal: its files again, byte for byte; no second patch."""
        if commit_raw is None:
            return  # committed earlier in this very batch: its files are queued already
        record = msgspec.json.decode(commit_raw)
        files = record.get("files") or []
        raw = batch.snap.extra.get(record_key(pid))
        if not files or raw is None:
            return
        proposal = _dec_proposal.decode(raw)
        model = patches_model(proposal)
        for folder, tid, body in patches.files(proposal, model, proposal.payload):
            if [folder, tid] in files:
                body["hash"] = proposal.hash
                self.write_file(batch, folder, tid, body, new=False)

    def write_file(self, batch: Batch, folder: str, tid: str, body: dict[str, Any], *, new: bool,
                   path: str | None = None) -> None:
        """Queue a template file; the batch's flush writes it while Redis runs the MULTI. A new file
        whose MULTI then fails is removed again (and if the process dies first, the redelivered
        proposal finds its own file in the library, which the gate does not count as a clash)."""
        batch.files.append((path or library_files.file_name(self.generated, folder, tid),
                            library_files.render(body)))
        if new:
            batch.new_files.append((folder, tid))

    async def log_now(self, proposal: Proposal, moves: list[str], result: GateResult | None, message: str,
                      kind: LogKind = LogKind.VERDICT) -> None:
        """A log.proposals entry outside a batch (admin commands, engine results), via `Service.emit`."""
        data: dict[str, Any] = {"type": str(proposal.type), "state": str(proposal.state), "transitions": moves}
        if result is not None:
            data["verdicts"] = list(result.verdicts)
        await self.svc.emit(names.LOG_PROPOSALS, kind, f"proposal {proposal.id} {message}",
                            proposal_id=proposal.id, job_id=proposal.job_id, data=data)

    def log(self, proposal: Proposal, moves: list[str], result: GateResult | None, message: str,
            kind: LogKind = LogKind.VERDICT) -> None:
        """A log.proposals entry in the batch's MULTI; its JSONL line is appended when the batch flushes
        (the batched form of `Service.emit`)."""
        data: dict[str, Any] = {"type": str(proposal.type), "state": str(proposal.state), "transitions": moves}
        if result is not None:
            data["verdicts"] = list(result.verdicts)
        entry = LogEntry(at=time.time(), service=self.svc.name, instance=self.svc.instance, kind=kind,
                         message=f"proposal {proposal.id} {message}", proposal_id=proposal.id,
                         job_id=proposal.job_id, data=data)
        encoded = self.svc.bus.encode(entry)
        self._xadd(names.LOG_PROPOSALS, {FIELD_DATA: encoded})
        assert self.batch is not None
        self.batch.logs.append(encoded)


def _retrieved(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()


def _fail(future: asyncio.Future[None], exc: BaseException) -> None:
    """Resolve `future` with `exc`, marked as retrieved (nothing may be waiting for it)."""
    if not future.done():
        future.set_exception(exc)
        future.exception()


def patches_model(proposal: Proposal) -> Any:
    from ouro_schemas.payloads import PAYLOAD_MODELS

    return PAYLOAD_MODELS[proposal.type].model_validate(proposal.payload)


__all__ = ["Publisher", "Usage", "WindowState", "advance"]
