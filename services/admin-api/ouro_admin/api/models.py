"""Request and response bodies (pydantic: their validation messages are read by people)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field

from ouro_schemas.content import ID_PATTERN
from ouro_schemas.errors import ContentError
from ouro_schemas.proposal import ProposalType

Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Reason = Annotated[str, Field(max_length=500)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlidersIn(Body):
    """Only the sliders given change."""

    chaos: Fraction | None = None
    aggression: Fraction | None = None
    expansion: Fraction | None = None


class TogglesIn(Body):
    """Only the toggles given change."""

    require_approval: bool | None = None
    require_approval_types: list[ProposalType] | None = Field(default=None, max_length=len(ProposalType))
    restricted_generation: bool | None = None
    auto_snapshot: bool | None = None


class ControlReason(Body):
    reason: Reason = ""


class Sent(BaseModel):
    """A message was put on a stream; what happens next shows in the director state and the log."""

    id: str
    stream: str
    command: str
    args: dict[str, Any] = Field(default_factory=dict)


class DirectorStateOut(BaseModel):
    mode: str
    sliders: dict[str, float]
    toggles: dict[str, Any]
    updated_at: float
    reason: str
    source: str  # "director" (the key) or "default" (no director state yet)


class RejectIn(Body):
    reason: Reason = ""


class EditIn(Body):
    payload: dict[str, Any]
    flavor: dict[str, str | list[str]] | None = None
    reason: Reason = ""


class GenerateIn(Body):
    type: ProposalType
    district_id: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None


class SnapshotIn(Body):
    label: Annotated[str, Field(max_length=200)] = ""


class ConfirmIn(Body):
    confirm_token: Annotated[str, Field(min_length=1, max_length=200)]


class ConfirmOut(BaseModel):
    snapshot_id: str
    confirm_token: str
    expires_at: float
    expires_in_s: float
    manifest: dict[str, Any]


class JobOut(BaseModel):
    id: str
    kind: str
    by: str
    state: str
    stage: str
    progress: float
    message: str
    result: dict[str, Any]
    stages: list[dict[str, Any]]
    started_at: float
    finished_at: float | None


class Page(BaseModel):
    total: int
    offset: int
    limit: int
    truncated: bool
    items: list[dict[str, Any]]


class WhoAmI(BaseModel):
    role: str
    client: str


def unprocessable(err: ContentError, root: str = "body") -> HTTPException:
    """A 422 in FastAPI's shape, one item per 'path: reason' problem, with the dotted path kept too."""
    detail = []
    for problem in err.problems:
        path, sep, msg = problem.partition(": ")
        if not sep:
            path, msg = "(root)", problem
        loc: list[str | int] = [root]
        if path != "(root)":
            loc += [int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".") if p]
        detail.append({"loc": loc, "path": path, "msg": msg, "type": "value_error"})
    return HTTPException(422, detail)
