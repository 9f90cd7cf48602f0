"""The gate (DESIGN §5) as one pure function:

    run_gate(proposal, world, guardrails, window) -> GateResult

1. validate — schema (payload model), integrity (references exist, rooms have exits, new ids are new,
   new rooms reachable) and compatibility (no exit re-pointed, no coordinate collision);
2. balance — power, threat, quest reward, economy, rarity window, throttle (QM actions: tool registry,
   ids, cost range, budget pre-check, reward budget);
3. filter — banned words and themes on every flavour string and every text in the payload.

Approval and commit are the shell's (they need Redis and files). Nothing here raises: an unexpected
error becomes a `gate.error` verdict, so one hostile proposal cannot stop the publisher.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ouro_publisher import balance, qm
from ouro_publisher.inventory import Inventory, inventory
from ouro_publisher.textfilter import TextFilter
from ouro_publisher.types import GateResult, Usage, WindowState, WorldView, fail, ok
from ouro_publisher.validate import check_compatibility, check_integrity, check_schema
from ouro_schemas.guardrails import Filters, Guardrails, Verdict
from ouro_schemas.payloads import QmActionPayload
from ouro_schemas.proposal import Proposal

_filters: dict[int, tuple[Filters, TextFilter]] = {}


def text_filter(g: Guardrails) -> TextFilter:
    """The compiled filter of these guardrails (compiled once per guardrails object)."""
    hit = _filters.get(id(g.filters))
    if hit is None or hit[0] is not g.filters:
        if len(_filters) > 8:
            _filters.clear()
        hit = (g.filters, TextFilter(g.filters))
        _filters[id(g.filters)] = hit
    return hit[1]


def _strings(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(value, str):
        out.append((path, value))
    elif isinstance(value, dict):
        for k, v in value.items():
            _strings(v, f"{path}.{k}", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _strings(v, f"{path}[{i}]", out)


def proposal_texts(proposal: Proposal, payload: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(path, text) of every string a person will read: flavour, tags and the payload's strings."""
    out: list[tuple[str, str]] = []
    _strings(proposal.flavor, "flavor", out)
    _strings({k: v for k, v in proposal.tags.items() if isinstance(v, str)}, "tags", out)
    _strings(payload if payload is not None else proposal.payload, "payload", out)
    return out


def run_filter(texts: list[tuple[str, str]], g: Guardrails) -> list[Verdict]:
    hits = text_filter(g).scan([t for _, t in texts])
    if not hits:
        return [ok("filter", len(texts))]
    return [fail(h.rule, "banned text", h.found[:80], h.term, texts[h.segment][0]) for h in hits]


def stamp_origin(model: BaseModel, origin: str) -> None:
    """Every template and room a proposal adds says where it came from: origin = the proposal id."""
    if "origin" in type(model).model_fields:
        object.__setattr__(model, "origin", origin)
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                stamp_origin(item, origin)


def run_gate(proposal: Proposal, world: WorldView, guardrails: Guardrails, window: WindowState) -> GateResult:
    try:
        return _run(proposal, world, guardrails, window)
    except Exception as exc:  # the gate must never take the publisher down
        v = fail("gate.error", f"{type(exc).__name__}: {exc}"[:300])
        return GateResult(ok=False, verdicts=[v], stages={"validate": [v]})


def _run(proposal: Proposal, world: WorldView, g: Guardrails, window: WindowState) -> GateResult:
    model, validate = check_schema(proposal)
    stages: dict[str, list[Verdict]] = {"validate": validate}
    if model is None:
        # Still filter what can be read: a banned word is worth naming even in a broken proposal.
        stages["filter"] = run_filter(proposal_texts(proposal, None), g)
        return _result(stages, None, None, Usage())
    if not isinstance(model, QmActionPayload):
        stamp_origin(model, proposal.id)
    payload = model.model_dump(mode="json")
    usage = Usage()
    if isinstance(model, QmActionPayload):
        params, verdicts = qm.tool_params(model)
        validate.extend(verdicts)
        if params is not None:
            stages["balance"] = qm.run_qm(model, params, world, g)
            stages["balance"].extend(balance.window_verdicts(proposal.type, usage, world, g, window))
        stages["filter"] = run_filter(qm.texts(model) + proposal_texts(proposal, {}), g)
    else:
        inv: Inventory = inventory(proposal.type, model, proposal.tags)
        inv.proposal_id = proposal.id
        validate.extend(check_integrity(inv, world))
        validate.extend(check_compatibility(inv, world))
        stages["balance"], usage = balance.run_balance(proposal.type, inv, world, g, window)
        stages["filter"] = run_filter(proposal_texts(proposal, payload), g)
    return _result(stages, model, payload, usage)


def _result(stages: dict[str, list[Verdict]], model: Any, payload: dict[str, Any] | None,
            usage: Usage) -> GateResult:
    verdicts = [v for vs in stages.values() for v in vs]
    passed = model is not None and all(v.ok for v in verdicts)
    return GateResult(ok=passed, verdicts=verdicts, stages=stages, model=model, payload=payload, usage=usage)
