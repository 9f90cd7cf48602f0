"""Snapshots: create (a job), list, delete, and rollback in two requests — the first returns a
short-lived single-use confirmation token, the second carries it and starts the rollback job."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path

from ouro_admin import snapshot_ops
from ouro_admin.api.deps import Ctx, CurrentOperator, CurrentViewer
from ouro_admin.api.models import ConfirmIn, ConfirmOut, JobOut, SnapshotIn
from ouro_runtime import snapshots
from ouro_schemas.messages import LogKind

router = APIRouter(prefix="/api", tags=["snapshots"])
SnapshotId = Annotated[str, Path(pattern=r"^snap-[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$")]
JobId = Annotated[str, Path(pattern=r"^job-[0-9a-f]{16}$")]


def _manifest(ctx: Ctx, snapshot_id: str) -> snapshots.Manifest:
    try:
        return snapshots.load_manifest(ctx.data_dir, snapshot_id)
    except snapshots.SnapshotError:
        raise HTTPException(404, f"no snapshot {snapshot_id}") from None


@router.get("/snapshots", summary="Snapshots, newest first")
async def list_snapshots(ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    items = await asyncio.to_thread(snapshots.list_snapshots, ctx.data_dir)
    return {"items": [snapshot_ops.manifest_view(m) for m in reversed(items)]}


@router.get("/snapshots/{snapshot_id}", summary="One snapshot's manifest and checksum verification")
async def snapshot_detail(snapshot_id: SnapshotId, ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    manifest = _manifest(ctx, snapshot_id)
    check = await asyncio.to_thread(snapshots.verify_snapshot, ctx.data_dir, snapshot_id)
    return {"manifest": snapshot_ops.manifest_view(manifest), "verified": check.ok, "problems": check.problems}


@router.post("/snapshots", response_model=JobOut, status_code=202, summary="Take a snapshot (a job)")
async def create_snapshot(ctx: Ctx, who: CurrentOperator, body: SnapshotIn | None = None) -> dict[str, Any]:
    job = snapshot_ops.create_job(ctx, body.label if body else "", who.name)
    return job.as_dict()


@router.delete("/snapshots/{snapshot_id}", status_code=204, summary="Delete a snapshot")
async def delete_snapshot(snapshot_id: SnapshotId, ctx: Ctx, who: CurrentOperator) -> None:
    if any(j.result.get("snapshot_id") == snapshot_id for j in ctx.jobs.running("rollback")):
        raise HTTPException(409, f"{snapshot_id} is being rolled back to")
    try:
        await asyncio.to_thread(snapshots.delete_snapshot, ctx.data_dir, snapshot_id)
    except snapshots.SnapshotError:
        raise HTTPException(404, f"no snapshot {snapshot_id}") from None
    await ctx.emit(LogKind.INFO, f"snapshot {snapshot_id} deleted by {who.name}", data={"snapshot_id": snapshot_id})


@router.post("/snapshots/{snapshot_id}/rollback", response_model=ConfirmOut,
             summary="Rollback, step 1 of 2: returns a confirmation token (short-lived, single use)")
async def rollback_request(snapshot_id: SnapshotId, ctx: Ctx, who: CurrentOperator) -> dict[str, Any]:
    manifest = _manifest(ctx, snapshot_id)
    token, pending = ctx.confirmations.issue("rollback", snapshot_id)
    await ctx.emit(LogKind.INFO, f"rollback to {snapshot_id} requested by {who.name}; awaiting confirmation",
                   data={"snapshot_id": snapshot_id})
    return {"snapshot_id": snapshot_id, "confirm_token": token, "expires_at": pending.expires_at,
            "expires_in_s": ctx.confirmations.ttl_s, "manifest": snapshot_ops.manifest_view(manifest)}


@router.post("/snapshots/{snapshot_id}/rollback/confirm", response_model=JobOut, status_code=202,
             summary="Rollback, step 2 of 2: carries the token; starts the rollback job")
async def rollback_confirm(snapshot_id: SnapshotId, body: ConfirmIn, ctx: Ctx, who: CurrentOperator) -> dict[str, Any]:
    if not ctx.confirmations.redeem(body.confirm_token, "rollback", snapshot_id):
        raise HTTPException(409, "confirmation token unknown, expired, used, or for another snapshot")
    _manifest(ctx, snapshot_id)
    if ctx.jobs.running("rollback"):
        raise HTTPException(409, "a rollback is already running")
    job = snapshot_ops.rollback_job(ctx, snapshot_id, who.name)
    return job.as_dict()


@router.get("/jobs", summary="Recent long operations")
async def list_jobs(ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    return {"items": [j.as_dict() for j in ctx.jobs.recent()[:50]]}


@router.get("/jobs/{job_id}", response_model=JobOut, summary="Progress of one long operation")
async def job_status(job_id: JobId, ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    job = ctx.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job.as_dict()
