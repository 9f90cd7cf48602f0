"""Dependencies as `Annotated` aliases: `Ctx`, `CurrentViewer` (any valid token), `CurrentOperator`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ouro_admin import metrics
from ouro_admin.auth import AuthFailure, Principal, Role
from ouro_admin.context import AdminContext

# auto_error=False: we tell "no token" (401) from "wrong token" (403) ourselves; the scheme is still
# published in the OpenAPI document.
bearer = HTTPBearer(auto_error=False, description="OURO_ADMIN_TOKEN (operator) or OURO_VIEWER_TOKEN (viewer)")


def get_context(request: Request) -> AdminContext:
    ctx: AdminContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AdminContext, Depends(get_context)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def require_viewer(request: Request, ctx: Ctx,
                   creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    header = f"{creds.scheme} {creds.credentials}" if creds else request.headers.get("authorization")
    try:
        return ctx.auth.check(header, client_ip(request))
    except AuthFailure as exc:
        metrics.AUTH_FAILURES.labels({401: "missing", 403: "invalid", 429: "rate_limited"}[exc.status]).inc()
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        raise HTTPException(exc.status, exc.detail, headers=headers) from None


CurrentViewer = Annotated[Principal, Depends(require_viewer)]


def require_operator(principal: CurrentViewer) -> Principal:
    if principal.role is not Role.OPERATOR:
        metrics.AUTH_FAILURES.labels("role").inc()
        raise HTTPException(status.HTTP_403_FORBIDDEN, "operator role required")
    return principal


CurrentOperator = Annotated[Principal, Depends(require_operator)]
