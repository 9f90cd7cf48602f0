"""The gate's contract as plain data: what it reads (WorldView, WindowState) and what it returns.

The gate is pure: `run_gate(proposal, world, guardrails, window) -> GateResult`. The service shell
builds the WorldView from the engine's Redis keys and the content library, and keeps the WindowState
(rarity window, throttles, economy) in Redis.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from operator import countOf
from typing import Any

from pydantic import BaseModel

from ouro_schemas.guardrails import Verdict


@dataclass
class WorldView:
    """What the gate may know about the world. Anything a proposal refers to that is not here does
    not exist: the shell fetches every id `world.references(...)` names before the gate runs."""

    rooms: dict[str, dict[str, Any]] = field(default_factory=dict)  # room id -> Room JSON (+ runtime)
    coords: dict[str, str] = field(default_factory=dict)  # "x,y,z" -> room id
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {"type", "template"}
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)  # entity id -> entity JSON
    players: set[str] = field(default_factory=set)  # known player ids
    districts: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> District JSON
    questmakers: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> budget JSON
    economy: dict[str, float] = field(default_factory=dict)  # money_supply, inflation, price_index

    def template_type(self, template_id: str) -> str | None:
        entry = self.templates.get(template_id)
        return str(entry.get("type")) if entry else None

    def template(self, template_id: str) -> dict[str, Any] | None:
        entry = self.templates.get(template_id)
        body = entry.get("template") if entry else None
        return body if isinstance(body, dict) else None


@dataclass
class WindowState:
    """The gate's memory across proposals (kept in Redis by the shell)."""

    rarities: deque[str] = field(default_factory=lambda: deque(maxlen=10_000))  # newest first
    throttle: dict[str, int] = field(default_factory=dict)  # proposal type -> passed this minute
    sources: float = 0.0  # credits put into the world within the economy window
    sinks: float = 0.0  # credits that can be taken out within the window

    def rarity_count(self, rarity: str, window: int) -> int:
        if type(window) is int:  # in C: 4.3 -> 1.8 µs per item at the default window of 100
            return countOf(islice(self.rarities, max(0, window)), rarity)
        n = 0
        for i, r in enumerate(self.rarities):
            if i >= window:
                break
            if r == rarity:
                n += 1
        return n


@dataclass
class Usage:
    """What a passed proposal adds to the windows when it is committed (or queued for approval)."""

    rarities: list[str] = field(default_factory=list)
    sources: float = 0.0
    sinks: float = 0.0


@dataclass
class GateResult:
    ok: bool
    verdicts: list[Verdict]
    stages: dict[str, list[Verdict]]  # validate | balance | filter -> verdicts
    model: BaseModel | None = None  # the validated payload
    payload: dict[str, Any] | None = None  # its canonical JSON (what is hashed and committed)
    usage: Usage = field(default_factory=Usage)
    inventory: Any = None  # the payload's `inventory.Inventory` (not QM actions): the patch is built from it

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.ok]

    @property
    def reason(self) -> str:
        return "; ".join(describe(v) for v in self.failures)


def describe(v: Verdict) -> str:
    """'rule: reason (value X, limit Y) at path' — the one-line why."""
    text = f"{v.rule}: {v.reason}" if v.reason else v.rule
    if v.value is not None or v.limit is not None:
        text += f" (value {v.value!r}, limit {v.limit!r})"
    if v.path:
        text += f" at {v.path}"
    return text


def ok(rule: str, value: Any = None, limit: Any = None, reason: str = "", path: str = "") -> Verdict:
    return Verdict(rule=rule, ok=True, value=value, limit=limit, reason=reason, path=path)


def fail(rule: str, reason: str, value: Any = None, limit: Any = None, path: str = "") -> Verdict:
    return Verdict(rule=rule, ok=False, value=value, limit=limit, reason=reason, path=path)


def check(rule: str, value: float, limit: float, reason: str, path: str = "") -> Verdict:
    """value ≤ limit, with rounded figures for people."""
    v, lim = round3(value), round3(limit)
    if value <= limit:
        return Verdict(rule=rule, ok=True, value=v, limit=lim, path=path)
    return Verdict(rule=rule, ok=False, value=v, limit=lim, reason=reason, path=path)


def round3(value: float) -> float:
    """round(float(value), 3) — which costs ~300 ns (it goes through decimal digits) and returns a whole
    number unchanged: most figures compared (levels, credits, caps) are whole."""
    x = float(value)
    return x if x.is_integer() else round(x, 3)
