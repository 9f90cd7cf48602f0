"""Proposals: filtered list, the approval queue, detail with the why-trace and the diff, and the
admin's word on one (approve / reject / edit / undo), sent to the publisher on `admin.commands`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import TypeAdapter, ValidationError

from ouro_admin import proposals
from ouro_admin.api.deps import Ctx, CurrentOperator, CurrentViewer
from ouro_admin.api.models import EditIn, Page, RejectIn, Sent, unprocessable
from ouro_schemas import names
from ouro_schemas.content import ID_PATTERN
from ouro_schemas.errors import ContentError, describe_error, validate_model
from ouro_schemas.messages import AdminAction
from ouro_schemas.payloads import PAYLOAD_MODELS
from ouro_schemas.proposal import ProposalState, ProposalType

router = APIRouter(prefix="/api", tags=["proposals"])
ProposalId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Time = Annotated[float | None, Query(ge=0, le=1e11, description="Unix time (seconds)")]
District = Annotated[str | None, Query(pattern=ID_PATTERN)]
_flavor = TypeAdapter(dict[str, str | list[str]])

# What each action needs the proposal to be in (the publisher re-checks; this answers the admin fast).
_NEEDS = {
    AdminAction.APPROVE: {ProposalState.AWAITING_APPROVAL},
    AdminAction.REJECT: {ProposalState.AWAITING_APPROVAL},
    AdminAction.EDIT: {ProposalState.AWAITING_APPROVAL},
    AdminAction.UNDO: {ProposalState.PUBLISHED, ProposalState.APPLIED},
}


@router.get("/proposals", response_model=Page, summary="Proposals, newest first, filtered and paged")
async def list_proposals(ctx: Ctx, _: CurrentViewer, type: ProposalType | None = None,
                         state: ProposalState | None = None, district: District = None, since: Time = None,
                         until: Time = None, offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
    flt = proposals.ProposalFilter(type=type.value if type else None, state=state.value if state else None,
                                   district=district, since=since, until=until)
    return await proposals.list_proposals(ctx.redis, flt, offset, limit, ctx.settings.proposal_scan_limit)


@router.get("/approvals", response_model=Page, summary="The approval queue, newest first")
async def approval_queue(ctx: Ctx, _: CurrentViewer, type: ProposalType | None = None,
                         district: District = None, offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
    flt = proposals.ProposalFilter(type=type.value if type else None, district=district)
    return await proposals.list_proposals(ctx.redis, flt, offset, limit, ctx.settings.proposal_scan_limit,
                                          queue_only=True)


@router.get("/proposals/{proposal_id}", summary="One proposal: record, why-trace, before/after-validation diff")
async def proposal_detail(proposal_id: ProposalId, ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    detail = await proposals.get_detail(ctx.redis, proposal_id)
    if detail is None:
        raise HTTPException(404, f"no proposal {proposal_id}")
    return detail


async def _command(ctx: Ctx, who: CurrentOperator, action: AdminAction, proposal_id: str, reason: str = "",
                   payload: dict[str, Any] | None = None, flavor: dict[str, Any] | None = None) -> Sent:
    rec = await proposals.get_record(ctx.redis, proposal_id)
    if rec is None:
        raise HTTPException(404, f"no proposal {proposal_id}")
    state = rec.get("state")
    if state not in {s.value for s in _NEEDS[action]}:
        raise HTTPException(409, f"cannot {action.value} proposal {proposal_id}: it is {state}")
    cmd = await ctx.admin_command(action, proposal_id, who.name, reason, payload, flavor)
    return Sent(id=cmd.id, stream=names.ADMIN_COMMANDS, command=action.value, args={"proposal_id": proposal_id})


@router.post("/proposals/{proposal_id}/approve", response_model=Sent, status_code=202)
async def approve(proposal_id: ProposalId, ctx: Ctx, who: CurrentOperator) -> Sent:
    return await _command(ctx, who, AdminAction.APPROVE, proposal_id)


@router.post("/proposals/{proposal_id}/reject", response_model=Sent, status_code=202)
async def reject(proposal_id: ProposalId, ctx: Ctx, who: CurrentOperator, body: RejectIn | None = None) -> Sent:
    return await _command(ctx, who, AdminAction.REJECT, proposal_id, body.reason if body else "")


@router.post("/proposals/{proposal_id}/edit", response_model=Sent, status_code=202,
             responses={422: {"description": "The new payload fails its type's schema: one item per path"}})
async def edit(proposal_id: ProposalId, body: EditIn, ctx: Ctx, who: CurrentOperator) -> Sent:
    rec = await proposals.get_record(ctx.redis, proposal_id)
    if rec is None:
        raise HTTPException(404, f"no proposal {proposal_id}")
    try:
        model = PAYLOAD_MODELS[ProposalType(str(rec.get("type")))]
    except (ValueError, KeyError):
        raise HTTPException(409, f"proposal {proposal_id} has an unknown type {rec.get('type')!r}") from None
    try:
        validate_model(model, body.payload, "payload")
        if body.flavor is not None:
            _flavor.validate_python(body.flavor)
    except ContentError as exc:
        raise unprocessable(exc, "payload") from None
    except ValidationError as exc:
        raise unprocessable(ContentError("flavor", describe_error(exc)), "flavor") from None
    return await _command(ctx, who, AdminAction.EDIT, proposal_id, body.reason, body.payload, body.flavor)


@router.post("/proposals/{proposal_id}/undo", response_model=Sent, status_code=202,
             summary="Undo one published proposal (its inverse patch)")
async def undo(proposal_id: ProposalId, ctx: Ctx, who: CurrentOperator, body: RejectIn | None = None) -> Sent:
    return await _command(ctx, who, AdminAction.UNDO, proposal_id, body.reason if body else "")
