"""Steering: director state, GO / pause / resume / STOP, sliders, toggles, guardrails, force-generate."""

from __future__ import annotations

import secrets
import time
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Body, HTTPException

from ouro_admin import guardrails_store
from ouro_admin.api.deps import Ctx, CurrentOperator, CurrentViewer
from ouro_admin.api.models import (
    ControlReason,
    DirectorStateOut,
    GenerateIn,
    Sent,
    SlidersIn,
    TogglesIn,
    unprocessable,
)
from ouro_runtime.service import new_id
from ouro_schemas import names
from ouro_schemas.errors import ContentError
from ouro_schemas.messages import ControlCommand, DirectorState, GenJob, LogKind
from ouro_schemas.proposal import TraceEntry

router = APIRouter(prefix="/api", tags=["control"])
GuardrailsBody = Annotated[dict[str, Any], Body(description="ouro_schemas.guardrails.Guardrails as JSON")]
_state_decoder = msgspec.json.Decoder(DirectorState)


@router.get("/director", response_model=DirectorStateOut, summary="The director's state (mode, sliders, toggles)")
async def director_state(ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    raw = await ctx.redis.get(names.DIRECTOR_STATE)
    source = "director"
    try:
        state = _state_decoder.decode(raw) if raw else None
    except (msgspec.DecodeError, msgspec.ValidationError):
        state = None
    if state is None:
        state, source = DirectorState(), "default"
    out: dict[str, Any] = msgspec.to_builtins(state)
    out["source"] = source
    return out


def _sent(msg: Any, stream: str) -> Sent:
    return Sent(id=msg.id, stream=stream, command=str(getattr(msg, "command", getattr(msg, "action", ""))),
                args=getattr(msg, "args", {}) or {})


async def _control(ctx: Ctx, who: CurrentOperator, command: ControlCommand,
                   args: dict[str, Any] | None = None) -> Sent:
    msg = await ctx.control(command, who.name, args)
    return _sent(msg, names.CONTROL)


@router.post("/control/go", response_model=Sent, status_code=202, summary="GO: snapshot, then run")
async def go(ctx: Ctx, who: CurrentOperator) -> Sent:
    return await _control(ctx, who, ControlCommand.GO)


@router.post("/control/pause", response_model=Sent, status_code=202, summary="Pause the director")
async def pause(ctx: Ctx, who: CurrentOperator, body: ControlReason | None = None) -> Sent:
    return await _control(ctx, who, ControlCommand.PAUSE, {"reason": body.reason} if body else None)


@router.post("/control/resume", response_model=Sent, status_code=202, summary="Resume a paused director")
async def resume(ctx: Ctx, who: CurrentOperator) -> Sent:
    return await _control(ctx, who, ControlCommand.RESUME)


@router.post("/control/stop", response_model=Sent, status_code=202,
             summary="Emergency STOP: the director halts at once, workers stop taking work")
async def stop(ctx: Ctx, who: CurrentOperator, body: ControlReason | None = None) -> Sent:
    return await _control(ctx, who, ControlCommand.STOP, {"reason": body.reason} if body else None)


@router.put("/director/sliders", response_model=Sent, status_code=202, summary="Set personality sliders (0–1)")
async def set_sliders(body: SlidersIn, ctx: Ctx, who: CurrentOperator) -> Sent:
    args = body.model_dump(exclude_none=True)
    if not args:
        raise HTTPException(422, [{"loc": ["body"], "msg": "give at least one slider", "type": "value_error"}])
    return await _control(ctx, who, ControlCommand.SET_SLIDERS, args)


@router.put("/director/toggles", response_model=Sent, status_code=202,
            summary="Set toggles: require approval (all / per type), restricted generation, auto-snapshot")
async def set_toggles(body: TogglesIn, ctx: Ctx, who: CurrentOperator) -> Sent:
    args = body.model_dump(exclude_none=True, mode="json")
    if not args:
        raise HTTPException(422, [{"loc": ["body"], "msg": "give at least one toggle", "type": "value_error"}])
    return await _control(ctx, who, ControlCommand.SET_TOGGLES, args)


@router.get("/guardrails", summary="The guardrails in force")
async def get_guardrails(ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    data, source = await guardrails_store.current(ctx.redis, ctx.data_dir)
    return {"guardrails": data, "source": source}


@router.put("/guardrails", summary="Replace the guardrails (validated; applied live)",
            responses={422: {"description": "Invalid guardrails: one item per field path"}})
async def put_guardrails(ctx: Ctx, who: CurrentOperator, body: GuardrailsBody) -> dict[str, Any]:
    try:
        model = await guardrails_store.store(ctx.redis, ctx.data_dir, body)
    except ContentError as exc:
        await ctx.emit(LogKind.ERROR, f"guardrails edit by {who.name} refused: {'; '.join(exc.problems[:5])}",
                       data={"problems": exc.problems[:50]})
        raise unprocessable(exc) from None
    data = model.model_dump(mode="json")
    # source "file": the publisher reloads data/guardrails.json (written first; what snapshots keep).
    msg = await ctx.control(ControlCommand.GUARDRAILS_UPDATED, who.name, {"source": "file", "by": "admin-api"})
    await ctx.emit(LogKind.CONTROL, f"guardrails replaced by {who.name}", data={"control_id": msg.id})
    return {"guardrails": data, "source": "key", "control_id": msg.id}


@router.post("/generate", response_model=Sent, status_code=202,
             summary="Force-generate: a GenJob with rule admin.force")
async def force_generate(body: GenerateIn, ctx: Ctx, who: CurrentOperator) -> Sent:
    now = time.time()
    params = dict(body.params)
    if body.district_id:
        params["district_id"] = body.district_id
    seed = body.seed if body.seed is not None else secrets.randbits(63)
    trace = TraceEntry(stage="admin", at=now, actor=ctx.svc.instance, verdict="ok",
                       reason=f"forced by {who.name}", data={"rule": "admin.force", "params": params})
    job = GenJob(id=new_id("job-"), type=body.type, seed=seed, params=params, rule="admin.force",
                 requested_at=now, trace=[trace])
    try:
        await ctx.svc.bus.publish(names.GEN_JOBS, job)
    except (TypeError, ValueError, msgspec.EncodeError) as exc:  # params that cannot be encoded
        raise HTTPException(422, str(exc)) from None
    await ctx.emit(LogKind.DECISION, f"admin.force: requested {body.type.value} by {who.name}", job_id=job.id,
                   rule="admin.force", data={"type": body.type.value, "params": params, "seed": seed})
    return Sent(id=job.id, stream=names.GEN_JOBS, command="generate", args={"type": body.type.value, **params})
