"""Looking: who am I, the live log feed (SSE), dead letters, the world overview and map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import StreamingResponse

from ouro_admin import feed, metrics, world
from ouro_admin.api.deps import Ctx, CurrentViewer
from ouro_admin.api.models import WhoAmI
from ouro_runtime.bus import read_dead_letters
from ouro_schemas import names

router = APIRouter(prefix="/api", tags=["observe"])

# Every stream that can have a dead-letter twin (the bus consumes these with groups).
DEAD_LETTER_STREAMS = (names.WORLD_EVENTS, names.WORLD_APPLIED, names.WORLD_PATCHES, names.GEN_JOBS,
                       names.GEN_DRAFTS, names.GEN_ENRICHED, names.QM_TURNS, names.QM_ACTIONS,
                       names.ADMIN_COMMANDS)


@router.get("/whoami", response_model=WhoAmI)
async def whoami(who: CurrentViewer) -> WhoAmI:
    return WhoAmI(role=who.role.value, client=who.client)


@router.get("/feed", summary="Live log feed (text/event-stream), resumable with Last-Event-ID",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "SSE events `log` and `ready`"}})
async def live_feed(
    request: Request, ctx: Ctx, _: CurrentViewer,
    streams: Annotated[str | None, Query(max_length=200, description="comma-separated log streams")] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    service: Annotated[str | None, Query(max_length=60)] = None,
    proposal_id: Annotated[str | None, Query(max_length=200)] = None,
    backlog: Annotated[int, Query(ge=0, le=1000)] = 100,
    follow: bool = True,
    last_id: Annotated[str | None, Query(max_length=2000)] = None,
    last_event_id: Annotated[str | None, Header(max_length=2000)] = None,
) -> StreamingResponse:
    chosen = tuple(s for s in (streams or ",".join(names.LOG_STREAMS)).split(",") if s)
    unknown = [s for s in chosen if s not in names.LOG_STREAMS]
    if unknown or not chosen:
        raise HTTPException(422, f"unknown log streams: {', '.join(unknown) or '(none)'}")
    try:
        cursor = feed.parse_cursor(last_event_id or last_id or "", chosen)
    except feed.BadCursor as exc:
        raise HTTPException(422, str(exc)) from None
    metrics.FEED_CLIENTS.inc()

    async def gone() -> bool:
        return bool(getattr(request.app.state, "draining", False)) or await request.is_disconnected()

    body = feed.events(ctx.redis, chosen, cursor, feed.FeedFilter(kind, service, proposal_id),
                       backlog=0 if cursor else backlog, follow=follow, block_ms=ctx.settings.feed_block_ms,
                       disconnected=gone)
    return StreamingResponse(body, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/dead-letters", summary="Dead-letter counts per stream")
async def dead_letter_counts(ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    pipe = ctx.redis.pipeline(transaction=False)
    for stream in DEAD_LETTER_STREAMS:
        pipe.xlen(names.dead_letter(stream))
    counts = await pipe.execute()
    return {"streams": {s: int(c) for s, c in zip(DEAD_LETTER_STREAMS, counts, strict=True)}}


@router.get("/dead-letters/{stream}", summary="The newest dead letters of one stream")
async def dead_letters(stream: Annotated[str, Path(max_length=60)], ctx: Ctx, _: CurrentViewer,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    if stream not in DEAD_LETTER_STREAMS:
        raise HTTPException(404, f"no such stream {stream}")
    return {"stream": stream, "items": await read_dead_letters(ctx.redis, stream, limit)}


@router.get("/world", summary="World overview: districts, counts, players online, growth")
async def world_overview(ctx: Ctx, _: CurrentViewer) -> dict[str, Any]:
    return await world.overview(ctx.redis)


@router.get("/world/map", summary="The city by chunk; rooms of the view by district, players, recent spawns")
async def world_map(ctx: Ctx, _: CurrentViewer,
                    recent: Annotated[int, Query(ge=0, le=1000)] = 50,
                    around: Annotated[str | None, Query(pattern=r"^-?\d{1,6},-?\d{1,6}$",
                                                        description="chunk 'cx,cy' to centre the view on")] = None,
                    radius: Annotated[int, Query(ge=0, le=3)] = 1) -> dict[str, Any]:
    return await world.world_map(ctx.redis, recent, around, radius)
