"""Snapshot jobs on top of `ouro_runtime.snapshots` (one library, so the director's snapshots and
ours are the same thing).

Rollback, in order (each step is a job stage the dashboard shows):
1. verify the snapshot's checksums — nothing is touched if it fails;
2. `pause` the director and wait (bounded) until its state says so, so no job leaves mid-restore;
3. `engine_pause`, then a short settle: the engine stops applying commands and patches;
4. restore the world keys (one MULTI/EXEC), data/generated/ and data/guardrails.json, and make the
   `ouro:guardrails` key match the restored file;
5. `engine_reload` (rebuild the world from Redis) and `guardrails_updated` (the publisher reloads);
6. `resume` the director — only if it was running before step 2, so a stopped world stays stopped.
If the restore fails after step 2, steps 5–6 still run: the world is the old one, but not left paused.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict
from typing import Any

from ouro_admin import guardrails_store
from ouro_admin.context import AdminContext
from ouro_admin.jobs import Job, JobFailed
from ouro_runtime import snapshots
from ouro_schemas import names
from ouro_schemas.messages import ControlCommand, DirectorMode, LogKind


def manifest_view(m: snapshots.Manifest) -> dict[str, Any]:
    out = asdict(m)
    out["files"] = len(m.files)
    out["size"] = sum(f.size for f in m.files)
    return out


async def director_mode(ctx: AdminContext) -> str | None:
    raw = await ctx.redis.get(names.DIRECTOR_STATE)
    try:
        mode = json.loads(raw).get("mode") if raw else None
    except (ValueError, AttributeError):
        return None
    return mode if isinstance(mode, str) else None


def create_job(ctx: AdminContext, label: str, by: str) -> Job:
    async def body(job: Job) -> dict[str, Any]:
        job.step("snapshot", 0.1, "dumping world keys and copying files")
        manifest = await snapshots.create_snapshot(ctx.redis, ctx.data_dir, label)
        job.step("verify", 0.8, "checking the checksums")
        check = await asyncio.to_thread(snapshots.verify_snapshot, ctx.data_dir, manifest.id)
        if not check.ok:
            raise JobFailed("new snapshot fails verification: " + "; ".join(check.problems[:5]))
        job.message = f"snapshot {manifest.id}: {manifest.key_count} keys, {manifest.generated_files} files"
        await ctx.emit(LogKind.INFO, f"snapshot {manifest.id} created by {by}",
                       data={"snapshot_id": manifest.id, "key_count": manifest.key_count, "label": label})
        return {"snapshot": manifest_view(manifest)}

    return ctx.jobs.start("snapshot", by, body)


async def _wait_director_paused(ctx: AdminContext) -> bool:
    deadline = time.monotonic() + ctx.settings.rollback_pause_timeout_s
    while time.monotonic() < deadline:
        if await director_mode(ctx) != DirectorMode.RUNNING.value:
            return True
        await asyncio.sleep(0.05)
    return False


def rollback_job(ctx: AdminContext, snapshot_id: str, by: str) -> Job:
    async def body(job: Job) -> dict[str, Any]:
        job.result = {"snapshot_id": snapshot_id}
        job.step("verify", 0.05, f"verifying {snapshot_id}")
        check = await asyncio.to_thread(snapshots.verify_snapshot, ctx.data_dir, snapshot_id)
        if not check.ok:
            raise JobFailed(f"{snapshot_id} fails verification: " + "; ".join(check.problems[:5]))
        was = await director_mode(ctx)
        job.step("pause", 0.15, f"pausing the director (was {was or 'unknown'}) and the engine")
        await ctx.control(ControlCommand.PAUSE, by, {"reason": f"rollback to {snapshot_id}"})
        paused = was != DirectorMode.RUNNING.value or await _wait_director_paused(ctx)
        await ctx.control(ControlCommand.ENGINE_PAUSE, by, {"reason": f"rollback to {snapshot_id}"})
        await asyncio.sleep(ctx.settings.rollback_engine_settle_s)
        result: dict[str, Any] = {"snapshot_id": snapshot_id, "director_was": was, "director_paused": paused}
        try:
            job.step("restore", 0.4, "restoring world keys and files")
            manifest = await snapshots.restore_snapshot(ctx.redis, ctx.data_dir, snapshot_id)
            result["guardrails_key"] = await guardrails_store.sync_key_from_file(ctx.redis, ctx.data_dir)
            result["snapshot"] = manifest_view(manifest)
        except snapshots.SnapshotError as exc:
            result["error"] = str(exc)
        finally:
            job.step("reload", 0.8, "engine reload, guardrails reload")
            await ctx.control(ControlCommand.ENGINE_RELOAD, by, {"snapshot_id": snapshot_id})
            await ctx.control(ControlCommand.GUARDRAILS_UPDATED, by,
                              {"source": "file", "reason": f"rollback to {snapshot_id}"})
            if was == DirectorMode.RUNNING.value:
                job.step("resume", 0.9, "resuming the director")
                await ctx.control(ControlCommand.RESUME, by, {"reason": f"rollback to {snapshot_id} done"})
        if "error" in result:
            raise JobFailed(f"restore failed: {result['error']}")
        job.message = f"rolled back to {snapshot_id}"
        await ctx.emit(LogKind.CONTROL, f"rolled back to {snapshot_id} by {by}", data=result)
        return result

    return ctx.jobs.start("rollback", by, body)
