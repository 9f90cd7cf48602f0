"""The gen-worker service: gen.jobs -> proposals on gen.drafts, following the director's STOP/GO.

1. at start, read `ouro:director:state`; if the mode is `stopped`, stay paused until GO/resume
2. consume gen.jobs in the `gen-worker` group (replicas share it; small batches spread the work)
3. per job: read the world (cached, `resolve.WorldReader`) for params the job left open, draft (pure,
`drafting.draft_raw`), add this stage's trace entry (generator, version,
seed, duration), publish on gen.drafts, log to log.workers — a bad job is a rejected proposal, not a
crash and not a dead letter; a job without an id cannot be named and is dead-lettered
4. control: `stop` pauses consumption, `go`/`resume` resumes it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import msgspec
from prometheus_client import Counter, Histogram

from ouro_genworker.claims import Claims, room_cells
from ouro_genworker.drafting import GENERATOR_ERROR, BadJob, draft_raw, proposal_id
from ouro_genworker.registry import GENERATORS
from ouro_genworker.resolve import NEEDS_CELLS, World, WorldReader, needs
from ouro_runtime.bus import REDIS_ERRORS, Delivery, Poison
from ouro_runtime.service import Service
from ouro_runtime.settings import ServiceSettings
from ouro_schemas import names
from ouro_schemas.messages import LogEntry, LogKind
from ouro_schemas.proposal import Proposal, ProposalState, TraceEntry

log = logging.getLogger(__name__)

DRAFTS = Counter("ouro_gen_drafts_total", "Proposals drafted from jobs", ["type", "outcome"])
DRAFT_SECONDS = Histogram("ouro_gen_draft_seconds", "Time to draft one proposal", ["type"],
                          buckets=(0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))
CLAIM_CLASHES = Counter("ouro_gen_claim_clashes_total", "Spatial drafts that lost a cell to another draft in flight")
SPATIAL = frozenset(t.value for t in NEEDS_CELLS)
GIVE_BACK = frozenset({ProposalState.REJECTED.value, ProposalState.FAILED.value, ProposalState.UNDONE.value})
BATCH = 8  # entries per read: drafting is CPU-bound, so small batches share the jobs between replicas


class GenWorkerSettings(ServiceSettings):
    http_port: int = names.PORT_GEN_WORKER
    claim_ttl_s: float = 60.0
    """How long a spatial draft holds its cells for itself (claims.py): the time a proposal needs to
    reach the world, with room to spare."""


class GenWorker:
    def __init__(self, svc: Service, claim_ttl_s: float = 60.0) -> None:
        self.svc = svc
        self.world = WorldReader(svc.redis)
        self.claims = Claims(svc.redis, claim_ttl_s)

    async def handle(self, raw: dict[str, Any], delivery: Delivery) -> None:
        world = await self.world.world(needs(raw))
        started = time.perf_counter()
        try:
            proposal = await self.draft(raw, world)
        except BadJob as exc:
            await self.svc.emit(names.LOG_WORKERS, LogKind.ERROR, f"job without an id dead-lettered: {exc}",
                                data={"entry": delivery.entry_id})
            raise Poison(str(exc)) from None
        duration = time.perf_counter() - started
        ok = proposal.state == ProposalState.DRAFTED
        data: dict[str, Any] = {"generator": proposal.generator.name, "version": proposal.generator.version,
                                "seed": proposal.seed, "duration_ms": round(duration * 1000, 3)}
        job_params = raw.get("params")
        if isinstance(job_params, dict):
            filled = sorted(k for k in proposal.params if k not in job_params)
            if filled:
                data["resolved_from_world"] = filled
        now = time.time()
        proposal.trace.append(TraceEntry(stage="gen-worker", at=now, actor=self.svc.instance,
                                         verdict="ok" if ok else "rejected", reason=proposal.reason, data=data))
        proposal.created_at = now
        await self.svc.bus.publish(names.GEN_DRAFTS, proposal)
        DRAFTS.labels(proposal.type.value, proposal.state.value).inc()
        DRAFT_SECONDS.labels(proposal.type.value).observe(duration)
        if ok:
            message = f"drafted {proposal.type.value} {proposal.id} with {proposal.generator.name}"
            kind = LogKind.STATE
        else:
            message = f"rejected job {proposal.job_id}: {proposal.reason}"
            kind = LogKind.ERROR if proposal.reason.startswith(GENERATOR_ERROR) else LogKind.VERDICT
            if kind == LogKind.ERROR:
                log.error("generator failed", extra={"job": proposal.job_id, "reason": proposal.reason})
        await self.svc.emit(names.LOG_WORKERS, kind, message, proposal_id=proposal.id, job_id=proposal.job_id,
                            rule=raw.get("rule") if isinstance(raw.get("rule"), str) else None,
                            data={**data, "type": proposal.type.value, "state": proposal.state.value})

    async def draft(self, raw: dict[str, Any], world: World) -> Proposal:
        """Draft; a spatial draft around the cells other drafts in flight hold, then claiming its own
        (claims.py). Lost a race for a cell to another replica: drafted once more around it."""
        spatial = str(raw.get("type")) in SPATIAL and isinstance(raw.get("id"), str)
        if not spatial:
            return draft_raw(raw, world)
        pid = proposal_id(str(raw["id"]))
        held = frozenset(await self.claims.held_by_others(pid))
        for attempt in range(2):
            proposal = draft_raw(raw, world, held)
            if proposal.state != ProposalState.DRAFTED:
                return proposal
            clash = await self.claims.claim(pid, room_cells(proposal.payload))
            if not clash:
                return proposal
            CLAIM_CLASHES.inc()
            held = held | clash
            if attempt == 1:
                proposal.state = ProposalState.REJECTED
                proposal.reason = (f"cells {sorted(list(c) for c in clash)[:5]} are held by other drafts in flight "
                                   f"(drafted twice around them)")
        return proposal


    async def release_claims(self) -> None:
        """Follow log.proposals: a spatial proposal rejected, failed or undone gives its cells back."""
        decoder = msgspec.json.Decoder(LogEntry)
        last = "$"
        while not self.svc.stopping:
            try:
                reply: Any = await self.svc.redis.xread({names.LOG_PROPOSALS: last}, count=500, block=1000)
                for _, entries in reply or []:
                    for eid, fields in entries:
                        last = eid.decode() if isinstance(eid, bytes) else str(eid)
                        try:
                            entry = decoder.decode(fields.get(b"d", b""))
                        except (msgspec.DecodeError, msgspec.ValidationError):
                            continue
                        if entry.proposal_id and entry.data.get("type") in SPATIAL \
                                and entry.data.get("state") in GIVE_BACK:
                            await self.claims.release(entry.proposal_id)
            except REDIS_ERRORS as exc:
                log.warning("claims: log.proposals unreadable", extra={"error": str(exc)})
                await asyncio.sleep(0.5)


async def setup(svc: Service) -> None:
    settings = svc.settings
    worker = GenWorker(svc, settings.claim_ttl_s if isinstance(settings, GenWorkerSettings) else 60.0)
    svc.consume(names.GEN_JOBS, names.GROUP_GEN_WORKER, dict, worker.handle, batch=BATCH)
    svc.task(worker.release_claims)
    svc.health_detail["generators"] = {t.value: f"{g.name}@{g.version}" for t, g in GENERATORS.items()}
    await svc.follow_stop_go(names.LOG_WORKERS)
