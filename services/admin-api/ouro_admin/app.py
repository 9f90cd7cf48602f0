"""The admin API app: routers, the dashboard's static files, /healthz and /metrics on one port.

`create_app` is what both `python -m ouro_admin` (under uvicorn) and the tests (in-process, over
ASGI) run. The lifespan builds the Service shell's pieces — Redis client, bus, `emit` to log.admin —
without its consumer loop: this service consumes nothing, it only reads keys and tails log streams.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ouro_admin import metrics
from ouro_admin.api import routes_control, routes_observe, routes_proposals, routes_snapshots
from ouro_admin.context import AdminContext
from ouro_admin.settings import AdminSettings
from ouro_admin.tokens import Tokens, load_tokens
from ouro_runtime.bus import REDIS_ERRORS
from ouro_runtime.service import Service, make_redis
from ouro_schemas import names
from ouro_schemas.messages import LogKind

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
# The dashboard loads nothing from elsewhere: no CDN, no inline script.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def create_app(settings: AdminSettings, *, tokens: Tokens | None = None, redis: Redis | None = None) -> FastAPI:
    """The ASGI app. Raises ValueError/OSError if the tokens cannot be loaded or created."""
    tokens = tokens or load_tokens(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = redis or make_redis(settings.redis_url, block_ms=settings.feed_block_ms)
        svc = Service(names.SERVICE_ADMIN, settings, client)
        ctx = AdminContext.build(settings, svc, tokens)
        app.state.ctx = ctx
        app.state.draining = False  # set by the server on SIGTERM: live feeds end so shutdown is quick
        svc.ready = True
        log.info("service ready", extra={"http_port": settings.http_port})
        try:
            await ctx.emit(LogKind.INFO, "admin-api started", data={"generated_tokens": list(tokens.generated)})
        except OSError as exc:
            log.warning("could not write log.admin", extra={"error": str(exc)})
        yield
        svc.request_stop()
        await ctx.jobs.wait_all(settings.drain_timeout_s)
        if redis is None:
            await client.aclose()
        log.info("service stopped", extra={"handled": 0, "cancelled_in_flight": 0})  # same line as every service

    app = FastAPI(title="Ourobouro admin API", version="1", lifespan=lifespan,
                  description="Steer the living world: director controls, proposals, guardrails, snapshots, "
                              "live log. Bearer token: operator (read/write) or viewer (read-only).")
    for module in (routes_control, routes_proposals, routes_snapshots, routes_observe):
        app.include_router(module.router)
    _mount_ops(app)
    app.mount("/admin", StaticFiles(directory=STATIC, html=True), name="admin")
    app.add_middleware(ObserveMiddleware)
    app.exception_handler(REDIS_ERRORS[0])(_redis_down)
    for exc_type in REDIS_ERRORS[1:]:
        if exc_type not in (OSError, ConnectionError):  # too broad to map blindly
            app.exception_handler(exc_type)(_redis_down)
    return app


def _mount_ops(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz(request: Request) -> JSONResponse:
        ctx: AdminContext = request.app.state.ctx
        ok, detail = ctx.svc.health()
        try:
            await ctx.redis.ping()
            detail["redis"] = "ok"
        except REDIS_ERRORS as exc:
            ok, detail["redis"] = False, str(exc)
        detail["jobs_running"] = len(ctx.jobs.running())
        return JSONResponse({"status": "ok" if ok else "starting", **detail}, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/admin/")

    @app.get("/admin", include_in_schema=False)
    async def admin_slash() -> RedirectResponse:
        return RedirectResponse("/admin/")


class ObserveMiddleware:
    """Counts every request by route template and status; adds the dashboard's security headers.

    Plain ASGI (not BaseHTTPMiddleware), so a long SSE response streams through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope.get("path", "")
        status = [500]

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                if path.startswith("/admin"):
                    headers = MutableHeaders(scope=message)
                    headers["Content-Security-Policy"] = CSP
                    headers["X-Content-Type-Options"] = "nosniff"
                    headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or ("/admin/*" if path.startswith("/admin") else "other")
            metrics.REQUESTS.labels(scope.get("method", ""), template, str(status[0])).inc()
            metrics.REQUEST_SECONDS.labels(template).observe(time.perf_counter() - started)


async def _redis_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("redis unavailable", extra={"path": request.url.path, "error": str(exc)})
    return JSONResponse({"detail": "redis unavailable; try again"}, status_code=503)
