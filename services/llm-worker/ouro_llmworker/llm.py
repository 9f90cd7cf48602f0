"""LLMService: one interface over a chain of providers, ending in the offline provider.

An ask goes:

1. Caps first: over the global or the per-Questmaker per-minute cap, no remote call is made.
2. For each remote provider in order (primary, secondary) whose circuit breaker allows a call:
   a. one call under the concurrency semaphore (the provider retries 429/5xx/timeouts itself);
      a call that still fails counts against the breaker and the next provider is tried;
   b. the answer is parsed and checked (`check`): JSON, our schema, the task's own rules;
   c. an answer that does not pass is re-asked once, on the same provider, with the problems stated;
      a second failure goes straight to the offline provider (a server that answers badly is not
      a reason to hit the secondary too).
3. The offline provider: `offline()`, deterministic, no network, always valid.

The result records which provider answered, the HTTP attempts, tokens, latency and the trail of
what was tried and why it was left: the proposal's trace carries it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from ouro_llmworker import metrics
from ouro_llmworker.providers import Message, ProviderFailure, RawAnswer
from ouro_llmworker.resilience import BreakerState, CircuitBreaker, KeyedMinuteCap, MinuteCap

log = logging.getLogger(__name__)
T = TypeVar("T")
OFFLINE = "offline"
# (value, problems): problems empty means the value is valid and may leave the worker.
Check = Callable[[Any], tuple[T | None, list[str]]]
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class Provider(Protocol):
    name: str

    async def complete(self, task: str, messages: list[Message], schema: dict[str, Any], *,
                       max_tokens: int, limiter: asyncio.Semaphore | None = None) -> RawAnswer: ...

    async def aclose(self) -> None: ...


class LLMUnavailable(Exception):
    """No provider answered validly and no offline answer was given."""


@dataclass
class LLMResult(Generic[T]):
    data: T
    provider: str
    attempts: int = 0  # HTTP calls made (0 for offline alone)
    tokens: int = 0
    latency: float = 0.0  # seconds for the whole ask
    fallback_reason: str = ""  # why a remote answer was not used ("" if none was wanted or it was)
    trail: list[dict[str, Any]] = field(default_factory=list)  # provider, outcome, reason per try

    @property
    def fell_back(self) -> bool:
        return bool(self.fallback_reason)

    def trace_data(self) -> dict[str, Any]:
        return {"provider": self.provider, "attempts": self.attempts, "tokens": self.tokens,
                "latency_ms": round(self.latency * 1000, 2), "trail": self.trail}


def parse_json(answer: RawAnswer) -> tuple[Any, list[str]]:
    """The JSON value of an answer, or problems (truncated, empty, not JSON)."""
    if answer.finish_reason == "length":
        return None, ["the answer was cut off (finish_reason=length): answer shorter, within the limits"]
    text = answer.text.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    if not text:
        return None, ["the answer was empty"]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [f"the answer is not valid JSON: {exc.msg} at char {exc.pos}"]


def retry_message(problems: Sequence[str], restate: str = "") -> str:
    lines = "\n".join(f"- {p}" for p in problems[:10])
    tail = f"\n{restate}" if restate else ""
    return (f"Your answer was rejected:\n{lines}{tail}\n"
            "Answer again with one JSON object that matches the schema exactly. No other text.")


class LLMService:
    def __init__(self, providers: Sequence[Provider] = (), *, breaker_failures: int = 5,
                 breaker_cooldown_s: float = 30.0, max_concurrency: int = 4, calls_per_minute: int = 120,
                 qm_calls_per_minute: int = 6, now: Callable[[], float] = time.monotonic) -> None:
        self.providers = list(providers)
        self.breakers = {p.name: CircuitBreaker(breaker_failures, breaker_cooldown_s, now)
                         for p in self.providers}
        self.semaphore = asyncio.Semaphore(max_concurrency)
        self.global_cap = MinuteCap(calls_per_minute, now)
        self.key_cap = KeyedMinuteCap(qm_calls_per_minute, now)

    @property
    def remote(self) -> bool:
        return bool(self.providers)

    async def aclose(self) -> None:
        for provider in self.providers:
            await provider.aclose()

    async def complete_json(self, task: str, messages: list[Message], schema: dict[str, Any], *,
                            key: str, check: Check[T], offline: Callable[[], T] | None = None,
                            cap_key: str | None = None, max_tokens: int = 600,
                            restate: str = "") -> LLMResult[T]:
        """Ask for JSON matching `schema`; `check` validates it. Raises LLMUnavailable only when
        no provider answered validly and `offline` is None."""
        started = time.perf_counter()
        trail: list[dict[str, Any]] = []
        attempts = tokens = 0
        reason = ""
        if self.providers and not self._take_caps(cap_key):
            reason = "rate cap reached"
            trail.append({"provider": "*", "outcome": "skipped", "reason": reason})
        else:
            for provider in self.providers:
                outcome = await self._ask_one(provider, task, messages, schema, check, max_tokens, restate)
                attempts += outcome.attempts
                tokens += outcome.tokens
                trail.extend(outcome.trail)
                if outcome.ok and outcome.value is not None:
                    metrics.RESULTS.labels(task, provider.name).inc()
                    elapsed = time.perf_counter() - started
                    metrics.ASK_SECONDS.labels(task, provider.name).observe(elapsed)
                    return LLMResult(outcome.value, provider.name, attempts, tokens, elapsed, "", trail)
                reason = outcome.trail[-1]["reason"] if outcome.trail else "failed"
                metrics.FALLBACKS.labels(task, provider.name, outcome.kind).inc()
                if outcome.kind == "invalid":
                    break  # bad answers twice: offline, not the secondary (see module docstring)
        if offline is None:
            raise LLMUnavailable(f"{task} {key}: {reason or 'no provider'}")
        data = offline()
        elapsed = time.perf_counter() - started
        metrics.RESULTS.labels(task, OFFLINE).inc()
        metrics.ASK_SECONDS.labels(task, OFFLINE).observe(elapsed)
        return LLMResult(data, OFFLINE, attempts, tokens, elapsed, reason, trail)

    def _take_caps(self, cap_key: str | None) -> bool:
        if not self.global_cap.available():
            return False
        if cap_key is not None and not self.key_cap.take(cap_key):
            return False
        return self.global_cap.take()

    async def _ask_one(self, provider: Provider, task: str, messages: list[Message],
                       schema: dict[str, Any], check: Check[T], max_tokens: int,
                       restate: str) -> _Outcome[T]:
        out: _Outcome[T] = _Outcome()
        breaker = self.breakers[provider.name]
        if not breaker.allow():
            out.fail(provider.name, "breaker", f"circuit breaker {breaker.state}")
            return out
        convo = list(messages)
        for round_ in (1, 2):
            try:
                answer = await provider.complete(task, convo, schema, max_tokens=max_tokens,
                                                 limiter=self.semaphore)
            except ProviderFailure as exc:
                if exc.server_fault:
                    breaker.failure()
                else:
                    breaker.success()  # release a half-open probe; the server did nothing wrong
                self._gauge(provider.name, breaker)
                out.attempts += exc.attempts
                out.fail(provider.name, "unavailable", exc.reason)
                return out
            breaker.success()
            self._gauge(provider.name, breaker)
            out.attempts += answer.attempts
            out.tokens += answer.tokens
            data, problems = parse_json(answer)
            value: T | None = None
            if not problems:
                value, problems = check(data)
            if not problems and value is not None:
                out.ok, out.value = True, value
                out.trail.append({"provider": provider.name, "outcome": "ok", "round": round_})
                return out
            metrics.CALLS.labels(provider.name, task, "invalid").inc()
            out.fail(provider.name, "invalid", "; ".join(problems)[:500])
            convo = [*convo, {"role": "assistant", "content": answer.text[:4000]},
                     {"role": "user", "content": retry_message(problems, restate)}]
        return out

    @staticmethod
    def _gauge(name: str, breaker: CircuitBreaker) -> None:
        metrics.BREAKER_OPEN.labels(name).set(0 if breaker.state is BreakerState.CLOSED else 1)


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.ok = False
        self.value: T | None = None
        self.kind = ""
        self.attempts = 0
        self.tokens = 0
        self.trail: list[dict[str, Any]] = []

    def fail(self, provider: str, kind: str, reason: str) -> None:
        self.kind = kind
        self.trail.append({"provider": provider, "outcome": kind, "reason": reason})
