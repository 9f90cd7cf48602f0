"""The hot-reload watcher: file changes under data/ → hotreload.read_edit → gen.enriched or a refusal.

Outcomes of `handle` (also the log line's `data.outcome`): "sent", "refused", "unchanged" (same bytes
as last time), "publisher" (the publisher's own write), "deleted" (deletions are not edits: a template
is retired by undoing its proposal), "guardrails", "pending" (the file names a proposal that has no
record yet — the publisher's write ahead of its commit: checked again once the record is there, or
after `hot_reload_commit_wait_s`, when it counts as an edit).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import watchfiles

from ouro_director import metrics
from ouro_director.hotreload import check_guardrails, published_by, read_edit, to_proposal
from ouro_runtime.bus import REDIS_ERRORS
from ouro_runtime.service import new_id
from ouro_schemas import names
from ouro_schemas.errors import ContentError
from ouro_schemas.messages import ControlCommand, ControlMessage, DirectorMode, LogKind

if TYPE_CHECKING:
    from ouro_director.app import Director

log = logging.getLogger(__name__)


def _absolute(path: Path) -> Path:
    return path.absolute()  # no I/O: joins the cwd


class HotReloader:
    def __init__(self, director: Director) -> None:
        self.director = director
        self.data_dir = director.data_dir.absolute()
        self.generated = self.data_dir / "generated"
        self.guardrails = self.data_dir / "guardrails.json"
        self.seen: dict[str, str] = {}
        self.commit_wait_s = director.settings.hot_reload_commit_wait_s
        self._rechecks: set[asyncio.Task[None]] = set()

    def wanted(self, change: watchfiles.Change, path: str) -> bool:
        p = Path(path)
        if p == self.guardrails:
            return True
        return p.suffix == ".json" and not p.name.startswith(".") and self.generated in p.parents

    async def watch(self) -> None:
        """Two watches: data/generated/ recursively, data/ itself flat (for guardrails.json) — never the
        whole data/ tree, whose redis/, logs/ and snapshots/ change all the time."""
        try:
            self.generated.mkdir(parents=True, exist_ok=True)
            await asyncio.gather(self._watch(self.generated, recursive=True),
                                 self._watch(self.data_dir, recursive=False))
        except (OSError, RuntimeError) as exc:  # e.g. the inotify watch limit: say so, keep directing
            log.error("hot reload unavailable", extra={"error": str(exc)})
            await self.director.note(LogKind.ERROR, f"hot reload unavailable: {exc}", reason="watch_failed")

    async def _watch(self, root: Path, *, recursive: bool) -> None:
        async for changes in watchfiles.awatch(root, watch_filter=self.wanted, debounce=150, step=30,
                                               recursive=recursive):
            for change, path in sorted(changes, key=lambda c: c[1]):
                try:
                    await self.handle(Path(path), deleted=change is watchfiles.Change.deleted)
                except Exception:
                    log.exception("hot reload failed", extra={"path": path})

    async def handle(self, path: Path, *, deleted: bool = False, patient: bool = True) -> str:
        outcome = await self._handle(path, deleted=deleted, patient=patient)
        metrics.EDITS.labels(outcome).inc()
        return outcome

    async def _handle(self, path: Path, *, deleted: bool = False, patient: bool = True) -> str:
        d = self.director
        path = _absolute(path)
        rel = path.relative_to(self.data_dir).as_posix() if self.data_dir in path.parents else str(path)
        if deleted or not await asyncio.to_thread(path.exists):
            self.seen.pop(rel, None)
            await d.note(LogKind.INFO, f"manual edit: {rel} deleted (not applied; undo the proposal instead)",
                         file=rel, outcome="deleted")
            return "deleted"
        if path == self.guardrails:
            return await self._guardrails(path, rel)
        try:
            edit = await asyncio.to_thread(read_edit, path, self.data_dir)
        except ContentError as exc:
            self.seen.pop(rel, None)
            await d.note(LogKind.ERROR, f"manual edit refused: {exc}", file=exc.source, problems=exc.problems,
                         fields=[p.split(":", 1)[0] for p in exc.problems], outcome="refused")
            return "refused"
        if self.seen.get(rel) == edit.sha256:
            return "unchanged"
        self.seen[rel] = edit.sha256
        records = await self._records(edit.candidates)
        pid = published_by(edit, records)
        if pid is not None:
            return "publisher"
        if patient and edit.declared and not any(i in records for i in edit.declared):
            self.seen.pop(rel, None)  # not decided yet
            task = asyncio.create_task(self._when_committed(path, edit.declared))
            self._rechecks.add(task)
            task.add_done_callback(self._rechecks.discard)
            return "pending"
        if d.state.mode is DirectorMode.STOPPED:
            await d.note(LogKind.NO_ACTION, f"manual edit of {rel} not sent (stopped)", file=rel,
                         reason="stopped", outcome="stopped")
            self.seen.pop(rel, None)
            return "stopped"
        proposal = to_proposal(edit, d.clock(), d.svc.instance)
        await d.svc.bus.publish(names.GEN_ENRICHED, proposal)
        await d.note(LogKind.DECISION, f"manual edit of {rel} sent to the gate as {proposal.id}", file=rel,
                     proposal_id=proposal.id, type=edit.type.value, outcome="sent")
        return "sent"

    async def _when_committed(self, path: Path, declared: tuple[str, ...]) -> None:
        """Handle a pending file again once a proposal it names has a record (or the wait is over).

        Found by tests/e2e/test_go_faults.py: right after a Redis restart the publisher's files were on
        disk while its MULTI waited, and a director that had just restarted (nothing in `seen`) sent them
        to the gate as manual edits — the same content committed twice.
        """
        deadline = time.monotonic() + self.commit_wait_s
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            try:
                if await self._records(declared):
                    break
            except REDIS_ERRORS:
                continue
        if await asyncio.to_thread(path.exists):  # gone: the publisher's batch failed and removed it
            try:
                await self.handle(path, patient=False)
            except Exception:
                log.exception("hot reload failed", extra={"path": str(path)})

    async def _records(self, ids: tuple[str, ...]) -> dict[str, Any]:
        raws = await self.director.redis.mget([names.PROPOSAL + i for i in ids])
        out: dict[str, Any] = {}
        for pid, raw in zip(ids, raws, strict=True):
            if raw:
                try:
                    out[pid] = json.loads(raw)
                except ValueError:
                    continue
        return out

    async def _guardrails(self, path: Path, rel: str) -> str:
        d = self.director
        data = await asyncio.to_thread(path.read_bytes)
        problems = check_guardrails(data)
        if problems:
            await d.note(LogKind.ERROR, f"guardrails edit refused: {rel}: {'; '.join(problems)}", file=rel,
                         problems=problems, fields=[p.split(":", 1)[0] for p in problems], outcome="refused")
            return "refused"
        digest = hashlib.sha256(data).hexdigest()
        if self.seen.get(rel) == digest:
            return "unchanged"
        self.seen[rel] = digest
        msg = ControlMessage(id=new_id("ctl-"), command=ControlCommand.GUARDRAILS_UPDATED, at=d.clock(),
                             args={"file": rel, "sha256": digest}, issued_by=d.svc.name)
        await d.svc.bus.publish(names.CONTROL, msg)
        await d.note(LogKind.CONTROL, f"guardrails edit announced ({digest[:12]})", file=rel, outcome="guardrails")
        return "guardrails"
