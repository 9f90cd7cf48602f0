"""The growth pipeline in one process, over a real Redis: engine → director → gen-worker → gate → engine.

Each stage is the services' own code, called the way their shells call it (no copies of their logic):
1. the engine (`Engine`, real persistence and chunk loading) publishes world events on `world.events`;
2. the director's core digests them with the summary the engine wrote (`DirectorCore.digest`), and its
   placement reads the taken cells around the growth point from the chunk indexes (`cells_near`, `place`);
3. the gen-worker drafts the job (`drafting.draft`);
4. the publisher's gate checks it against the world keys (`WorldReader`, `run_gate`) and builds the
   signed patch with its inverse (`build_patch`, `patch_signature`);
5. the engine prefetches the chunks the patch touches and applies it (`submit_patch_now`), then flushes.
Left out: the llm-worker (flavour only) and the streams between the stages (their delivery is the bus's
business, tested in tests/runtime). Only expansion jobs (BLOCK, WORLD_EXPANSION) are carried through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_director.core import DirectorCore
from ouro_director.placement import WorldIndex, cells_near, place
from ouro_director.rules import EXPANSION_TYPES
from ouro_director.settings import DirectorSettings
from ouro_director.summary import parse_summary
from ouro_engine.engine import Engine
from ouro_genworker.drafting import draft
from ouro_genworker.resolve import World
from ouro_publisher.gate import run_gate
from ouro_publisher.inventory import inventory
from ouro_publisher.patches import build_patch
from ouro_publisher.types import WindowState
from ouro_publisher.world import Library, WorldReader, candidates
from ouro_schemas import names
from ouro_schemas.guardrails import Guardrails
from ouro_schemas.messages import (
    DirectorMode,
    DirectorState,
    GenJob,
    Patch,
    PatchKind,
    PatchResult,
    PatchStatus,
    Sliders,
    WorldEvent,
    patch_signature,
)
from tests.engine.growth_support import dump_world

_event = msgspec.json.Decoder(WorldEvent)


@dataclass
class Expansion:
    job: GenJob
    proposal_id: str
    patch: Patch | None = None
    result: PatchResult | None = None
    reason: str = ""
    before: dict[str, Any] | None = None  # every world key just before the patch (keep_before)


@dataclass
class Pipeline:
    engine: Engine
    redis: Redis
    sliders: Sliders = field(default_factory=lambda: Sliders(chaos=0.3, aggression=0.3, expansion=0.3))
    now: float = 1_000_000.0
    last_event: str = "0-0"
    done: list[Expansion] = field(default_factory=list)
    failed: list[Expansion] = field(default_factory=list)
    keep_before: bool = False
    director: DirectorCore = field(init=False)

    def __post_init__(self) -> None:
        # A district is founded 8 cells from its neighbour's centre (24 by default): a test-sized city
        # founds some.
        settings = DirectorSettings(rule_cooldown_s=30.0, jobs_per_minute=600, jobs_burst=50,
                                    found_district_distance=8)
        self.director = DirectorCore(settings, DirectorState(mode=DirectorMode.RUNNING, sliders=self.sliders),
                                     self.now)
        self.reader = WorldReader(self.redis, Library())
        self.key = self.engine.settings.hmac_key_bytes

    async def events(self) -> list[WorldEvent]:
        """What the engine published since the last call (the real stream)."""
        rows: Any = await self.redis.xrange(names.WORLD_EVENTS, min=f"({self.last_event}", max="+")
        out = []
        for sid, fields in rows:
            self.last_event = sid.decode()
            out.append(_event.decode(fields[b"d"]))
        return out

    async def pump(self) -> list[Expansion]:
        """Flush the engine, let the director digest its events, carry expansion jobs to the world."""
        await self.engine.flush(summary=True)
        self.now += 1.0
        summary = parse_summary(await self.redis.get(names.WORLD_SUMMARY))
        made = []
        for event in await self.events():
            for job in self.director.digest(event, summary, self.now).jobs:
                if job.type in EXPANSION_TYPES:
                    made.append(await self.expand(job, summary))
        return made

    async def expand(self, job: GenJob, summary: Any) -> Expansion:
        gp = job.params["growth_point"]
        cells = await cells_near(self.redis, (int(gp["x"]), int(gp["y"]), 0))
        job = msgspec.structs.replace(job, params={**job.params, "occupied": cells})
        params, why = place(job, WorldIndex(), summary)
        assert params is not None, why
        job = msgspec.structs.replace(job, params=params)
        proposal = draft(job, world=World())
        exp = Expansion(job, proposal.id)
        if proposal.state != "drafted":
            exp.reason = f"draft rejected: {proposal.reason}"
            return self._close(exp)
        ids, coords = candidates(proposal)
        view, _ = await self.reader.view(ids, coords)
        gate = run_gate(proposal, view, Guardrails(), WindowState())
        if not gate.ok:
            exp.reason = "gate: " + "; ".join(f"{v.rule} {v.message}" for v in gate.verdicts if not v.ok)[:800]
            return self._close(exp)
        ops, inverse = build_patch(proposal, gate.model, inventory(proposal.type, gate.model, proposal.tags), view)
        patch = Patch(id=proposal.id, proposal_id=proposal.id, kind=PatchKind.APPLY, ops=ops, inverse=inverse)
        exp.patch = msgspec.structs.replace(patch, signature=patch_signature(patch, self.key))
        if self.keep_before:
            exp.before = await dump_world(self.redis)
        exp.result = await self.engine.submit_patch_now(exp.patch)
        await self.engine.flush()
        return self._close(exp)

    def _close(self, exp: Expansion) -> Expansion:
        self.director.expansion_done(exp.proposal_id)  # the slot frees on the result, whatever it is
        if exp.result is not None and exp.result.status == PatchStatus.APPLIED:
            self.done.append(exp)
        else:
            self.failed.append(exp)
        return exp

    def undo_patch(self, exp: Expansion) -> Patch:
        """The undo the publisher would send: the engine's inverse as applied, signed."""
        assert exp.result is not None
        patch = Patch(id=f"undo:{exp.proposal_id}", proposal_id=exp.proposal_id, kind=PatchKind.UNDO,
                      ops=exp.result.inverse, inverse=exp.patch.ops if exp.patch else [])
        return msgspec.structs.replace(patch, signature=patch_signature(patch, self.key))
