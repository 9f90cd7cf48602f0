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

from itertools import chain
from operator import attrgetter
from typing import Any, get_args

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


_SCALARS = frozenset({int, float, bool, type(None)})


def _strings(value: Any, out: list[str]) -> None:
    """Every string in `value`, depth first, in order (dict values, list items; nothing else is walked)."""
    if type(value) is dict or type(value) is list:
        _walk(value, out, 0)
    else:
        _strings_plain(value, out)


def _walk(node: dict[str, Any] | list[Any], out: list[str], depth: int) -> None:
    # A payload is JSON: exact types, looked up by identity (isinstance on each of ~40 leaves cost
    # twice as much). Anything else, subclasses included, and anything nested deeper than a payload
    # model goes (a hostile proposal must not hit the recursion limit) take the plain walk.
    append = out.append
    for v in node.values() if type(node) is dict else node:
        t = type(v)
        if t is str:
            append(v)
        elif t in _SCALARS:
            continue
        elif t is dict or t is list:
            if not v:  # empty (loot, barks, effects…): nothing to walk
                continue
            if depth < 32:
                _walk(v, out, depth + 1)
            else:
                _strings_plain(v, out)
        else:
            _strings_plain(v, out)


def _strings_plain(value: Any, out: list[str]) -> None:
    """The reference form of `_strings` (isinstance at every node; tests compare the two)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            stack.extend(reversed(v.values()))
        elif isinstance(v, list):
            stack.extend(reversed(v))


def _paths(value: Any, path: str, out: list[str]) -> None:
    """The paths of the strings `_strings` finds, in the same order (built only to name a hit)."""
    if isinstance(value, str):
        out.append(path)
    elif isinstance(value, dict):
        for k, v in value.items():
            _paths(v, f"{path}.{k}", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _paths(v, f"{path}[{i}]", out)


def _text_roots(proposal: Proposal, payload: dict[str, Any] | None) -> list[tuple[str, Any]]:
    tags = {k: v for k, v in proposal.tags.items() if isinstance(v, str)}
    return [("flavor", proposal.flavor), ("tags", tags),
            ("payload", payload if payload is not None else proposal.payload)]


def filter_proposal(proposal: Proposal, payload: dict[str, Any] | None, g: Guardrails,
                    extra: list[tuple[str, str]] | None = None) -> list[Verdict]:
    """Banned words and themes in `extra` (path, text) and in every string a person will read: flavour,
    tags and the payload's strings. Paths are worked out only when a term is found (walking for the
    strings alone is the common, cheap case)."""
    texts = [t for _, t in extra] if extra else []
    # The strings of `_text_roots`, in its order, without building its tags dict.
    if proposal.flavor or type(proposal.flavor) is not dict:
        _strings(proposal.flavor, texts)
    if proposal.tags:
        texts.extend(v for v in proposal.tags.values() if isinstance(v, str))
    _strings(payload if payload is not None else proposal.payload, texts)
    hits = text_filter(g).scan(texts)
    if not hits:
        return [ok("filter", len(texts))]
    paths = [p for p, _ in extra or []]
    for root, value in _text_roots(proposal, payload):
        _paths(value, root, paths)
    return [fail(h.rule, "banned text", h.found[:80], h.term, paths[h.segment]) for h in hits]


# Per payload model class: (has an `origin` field, names of fields that may hold models or lists of them
# that have an `origin` somewhere below: stats, exits, loot… never do, and are not walked).
_plans: dict[type[BaseModel], tuple[bool, tuple[str, ...]]] = {}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in get_args(annotation) for m in _models_in(a)]


def _plan(kind: type[BaseModel]) -> tuple[bool, tuple[str, ...]]:
    plan = _plans.get(kind)
    if plan is None:
        _plans[kind] = (True, ())  # a model that holds itself: assume it stamps (and do not recurse)
        fields = kind.model_fields
        plan = _plans[kind] = ("origin" in fields,
                               tuple(n for n, f in fields.items() if any(_stamps(m) for m in _models_in(f.annotation))))
    return plan


def _stamps(kind: type[BaseModel]) -> bool:
    """Whether `stamp_origin` on a `kind` changes anything (an `origin` on it or below)."""
    has_origin, nested = _plan(kind)
    return has_origin or bool(nested)


def stamp_origin(model: BaseModel, origin: str) -> None:
    """Every template and room a proposal adds says where it came from: origin = the proposal id."""
    has_origin, nested = _plans.get(type(model)) or _plan(type(model))
    if has_origin:
        object.__setattr__(model, "origin", origin)
    for name in nested:
        value = getattr(model, name)
        if isinstance(value, list):
            for item in value:
                if _is_model(type(item)):
                    stamp_origin(item, origin)
        elif _is_model(type(value)):
            stamp_origin(value, origin)


def _is_model(kind: type) -> bool:
    hit = _models.get(kind)
    if hit is None:
        hit = _models[kind] = issubclass(kind, BaseModel)
    return hit


# isinstance against a pydantic model class goes through its metaclass (~150-250 ns unless the type is
# the class itself): the answer per (type, class) once. Objects whose class lies (__class__) do not
# occur here: these are validated models, None and lists.
_subclass: dict[tuple[type, type], bool] = {}
_models: dict[type, bool] = {}


def _is_a(kind: type, cls: type) -> bool:
    hit = _subclass.get((kind, cls))
    if hit is None:
        hit = _subclass[(kind, cls)] = issubclass(kind, cls)
    return hit


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
        stages["filter"] = filter_proposal(proposal, None, g)
        return _result(stages, None, None, Usage())
    qm_action = _is_a(type(model), QmActionPayload)
    if not qm_action:
        stamp_origin(model, proposal.id)
    # model.model_dump(mode="json") without its keyword handling (~1 µs of ~3): the same call underneath.
    payload = model.__pydantic_serializer__.to_python(model, mode="json")
    if qm_action:
        usage = Usage()
        params, verdicts = qm.tool_params(model)
        validate.extend(verdicts)
        if params is not None:
            stages["balance"] = qm.run_qm(model, params, world, g)
            stages["balance"].extend(balance.window_verdicts(proposal.type, usage, world, g, window))
        stages["filter"] = filter_proposal(proposal, {}, g, qm.texts(model))
        inv = None
    else:
        inv = inventory(proposal.type, model, proposal.tags)
        inv.proposal_id = proposal.id
        validate.extend(check_integrity(inv, world))
        validate.extend(check_compatibility(inv, world))
        stages["balance"], usage = balance.run_balance(proposal.type, inv, world, g, window)
        stages["filter"] = filter_proposal(proposal, payload, g)
    return _result(stages, model, payload, usage, inv)


_is_ok = attrgetter("ok")


def _result(stages: dict[str, list[Verdict]], model: Any, payload: dict[str, Any] | None,
            usage: Usage, inv: Inventory | None = None) -> GateResult:
    verdicts = list(chain.from_iterable(stages.values()))
    passed = model is not None and all(map(_is_ok, verdicts))
    return GateResult(ok=passed, verdicts=verdicts, stages=stages, model=model, payload=payload, usage=usage,
                      inventory=inv)
