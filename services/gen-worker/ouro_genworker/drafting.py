"""From a job to a proposal, pure: the same job gives the same proposal, byte for byte.

1. the job is read leniently (a dict), then converted to `GenJob`; a job that does not convert is a
rejected proposal naming the field  2. its type picks the generator; no generator = rejected
3. the generator runs on `Generator(PCG64(seed))`; a ParamError = rejected, naming the param; any other
exception (a generator bug) = rejected too, with the exception, so one bad job cannot stall the stream
4. the payload is validated against `PAYLOAD_MODELS[type]` (what the gate will do first); a failure =
rejected, naming the path  5. drafted.

With a `World` (the service shell reads it from the engine's keys), params the job left to the world are
filled in first (`resolve`) and recorded in the proposal's params. The service shell adds the
time-dependent parts (its trace entry, `created_at`).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from pydantic import ValidationError

from ouro_flavor import FLAVOR_VERSION
from ouro_genworker.registry import GENERATORS
from ouro_genworker.resolve import NEEDS_CELLS, Cell, World, resolve
from ouro_genworker.types import Generator, ParamError, new_rng
from ouro_schemas.budget import BUDGET_VERSION
from ouro_schemas.errors import describe_error
from ouro_schemas.messages import GenJob
from ouro_schemas.payloads import PAYLOAD_MODELS
from ouro_schemas.proposal import GeneratorRef, Proposal, ProposalState, ProposalType

# Stands in for the type of a job whose `type` is not a ProposalType at all (tags.requested_type keeps it).
FALLBACK_TYPE: Final = ProposalType.EVENT
UNKNOWN_GENERATOR: Final = GeneratorRef(name="none", version="0")
MAX_SEED: Final = 2**64 - 1
GENERATOR_ERROR: Final = "generator error: "


class BadJob(Exception):
    """A job without a usable id: no proposal can be named after it (the bus dead-letters it)."""


def version_of(gen: Generator) -> str:
    """The generator version as recorded: its own, the flavour tables' and the budget formula's."""
    return f"{gen.version}+flavor.{FLAVOR_VERSION}+budget.{BUDGET_VERSION}"


def with_occupied(params: dict[str, Any], cells: frozenset[Cell]) -> dict[str, Any]:
    """Params whose `occupied` also lists `cells` (sorted, each once; a malformed `occupied` is left for
    the generator to reject by name)."""
    given = params.get("occupied")
    if given is not None and not isinstance(given, list):
        return params
    known = {tuple(c) for c in given or [] if isinstance(c, list)}
    extra = [list(c) for c in sorted(cells) if c not in known]
    return {**params, "occupied": [*(given or []), *extra]} if extra else params


def proposal_id(job_id: str) -> str:
    return f"p-{job_id}"


def _rejected(raw: dict[str, Any], reason: str, gen: GeneratorRef = UNKNOWN_GENERATOR) -> Proposal:
    job_id = str(raw["id"])
    raw_type = raw.get("type")
    tags: dict[str, str | int | float] = {}
    try:
        ptype = ProposalType(str(raw_type))
    except ValueError:
        ptype = FALLBACK_TYPE
        tags["requested_type"] = str(raw_type)[:60]
    seed = raw.get("seed")
    params = raw.get("params")
    trigger = raw.get("trigger")
    return Proposal(
        id=proposal_id(job_id), type=ptype,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= MAX_SEED else 0,
        generator=gen, params=params if isinstance(params, dict) else {},
        trigger=trigger if isinstance(trigger, str) else None, job_id=job_id, tags=tags,
        state=ProposalState.REJECTED, reason=reason,
    )


def draft_raw(raw: dict[str, Any], world: World | None = None, held: frozenset[Cell] = frozenset()) -> Proposal:
    """Draft from a decoded-but-unchecked job. Raises BadJob when the job has no string id."""
    job_id = raw.get("id")
    if not isinstance(job_id, str) or not job_id:
        raise BadJob(f"id: must be a non-empty string, got {job_id!r}")
    try:
        job = msgspec.convert(raw, GenJob)
    except msgspec.ValidationError as exc:
        return _rejected(raw, "bad job: " + "; ".join(describe_error(exc)))
    return draft(job, raw, world, held)


def draft(job: GenJob, raw: dict[str, Any] | None = None, world: World | None = None,
          held: frozenset[Cell] = frozenset()) -> Proposal:
    """Draft from a typed job: a proposal in state drafted or rejected (with the reason). Never raises:
    a generator bug is a rejection whose reason starts with GENERATOR_ERROR (logged as an error).
    `held`: cells other drafts in flight hold (claims.py), added to a spatial job's `occupied`."""
    raw = raw if raw is not None else msgspec.to_builtins(job)
    gen = GENERATORS.get(job.type)
    if gen is None:
        known = ", ".join(t.value for t in GENERATORS)
        return _rejected(raw, f"type: no generator for {job.type.value!r} (known: {known})")
    ref = GeneratorRef(name=gen.name, version=version_of(gen))
    if not 0 <= job.seed <= MAX_SEED:
        return _rejected(raw, f"seed: must be an integer 0-{MAX_SEED}, got {job.seed}", ref)
    params = dict(job.params)
    try:
        if world is not None:
            params, _filled = resolve(job.type, params, world, job.seed)
            raw = {**raw, "params": params}
        if held and job.type in NEEDS_CELLS:
            params = with_occupied(params, held)
            raw = {**raw, "params": params}
        result = gen.generate(params, new_rng(job.seed))
    except ParamError as exc:
        return _rejected(raw, str(exc), ref)
    except Exception as exc:  # a generator bug on odd params: contained, named, the worker goes on
        return _rejected(raw, f"{GENERATOR_ERROR}{type(exc).__name__}: {exc}"[:500], ref)
    try:
        PAYLOAD_MODELS[job.type].model_validate(result.payload)
    except ValidationError as exc:
        problems = describe_error(exc)[:5]
        return _rejected(raw, "draft failed its schema: " + "; ".join(f"payload.{p}" for p in problems), ref)
    return Proposal(
        id=proposal_id(job.id), type=job.type, seed=job.seed, generator=ref, params=params,
        trigger=job.trigger, job_id=job.id, trace=list(job.trace), payload=result.payload, flavor=result.flavor,
        tags=result.tags, dependencies=result.dependencies, state=ProposalState.DRAFTED,
    )
