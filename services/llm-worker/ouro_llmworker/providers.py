"""One OpenAI-compatible server behind the `openai` client: one call, retried on 429/5xx/timeouts.

The client's own retries are off (`max_retries=0`): we retry here, with our backoff and jitter, and
every HTTP call is a latency sample, a token count and an outcome counter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion

from ouro_llmworker import metrics
from ouro_llmworker.profiles import Profile
from ouro_llmworker.resilience import backoff_delay

log = logging.getLogger(__name__)
Message = dict[str, str]


class ProviderFailure(Exception):
    """The server could not answer (after retries, or a non-retryable error): try the next provider."""

    def __init__(self, reason: str, *, attempts: int, server_fault: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.server_fault = server_fault  # False: our request was the problem; the breaker ignores it


@dataclass(frozen=True)
class RawAnswer:
    text: str
    finish_reason: str
    tokens: int
    attempts: int
    latency: float


_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError,
              openai.APIConnectionError, TimeoutError)


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class OpenAICompatProvider:
    """`name` is what the trace records, e.g. "llamacpp:gemma3-270m"."""

    def __init__(self, profile: Profile, *, model: str, base_url: str | None = None,
                 api_key: str | None = None, timeout_s: float = 20.0, retries: int = 2,
                 backoff_base_s: float = 0.5, backoff_max_s: float = 8.0, temperature: float = 0.7,
                 rng: random.Random | None = None) -> None:
        self.profile = profile
        self.model = model
        self.name = f"{profile.name}:{model}"
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.temperature = temperature
        self._rng = rng or random.Random()
        self._formats: dict[tuple[str, int], tuple[dict[str, Any], dict[str, Any]]] = {}
        # Local servers ignore the key, but the client insists on one.
        self.client = AsyncOpenAI(base_url=base_url or profile.base_url, api_key=api_key or "not-needed",
                                  timeout=timeout_s, max_retries=0)

    async def aclose(self) -> None:
        await self.client.close()

    def _response_format(self, task: str, schema: dict[str, Any]) -> dict[str, Any]:
        # Enrichment schemas are module constants: sanitise each once. Questmaker schemas are built
        # per turn (their enums name the turn's ids), so they are sanitised per call.
        cache_key = (task, id(schema))
        cached = self._formats.get(cache_key)
        if cached is not None and cached[0] is schema:
            return cached[1]
        fmt = self.profile.response_format(task, schema)
        if len(self._formats) >= 64:
            self._formats.clear()  # per-turn schemas fill it; the constant ones come right back
        self._formats[cache_key] = (schema, fmt)
        return fmt

    async def complete(self, task: str, messages: list[Message], schema: dict[str, Any], *,
                       max_tokens: int, limiter: asyncio.Semaphore | None = None) -> RawAnswer:
        """One answer (any finish reason); raises ProviderFailure when there is none. `limiter` is
        held for each HTTP call only, not across the backoff sleeps between them."""
        size = sum(len(m["content"]) for m in messages)
        if size > self.profile.max_prompt_chars:
            metrics.CALLS.labels(self.name, task, "error").inc()
            raise ProviderFailure(f"prompt of {size} chars exceeds {self.profile.name}'s "
                                  f"{self.profile.max_prompt_chars}", attempts=0, server_fault=False)
        # Sent with the client's documented raw `post` (same body, same error mapping, same pooled
        # connection): `chat.completions.create` walks every parameter and the whole schema through
        # its TypedDict transform, which cost ~5 ms per call here (bench/bench_llm.py).
        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.temperature,
            "response_format": self._response_format(task, schema),
            **self.profile.extra_body,
        }
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                async with limiter or contextlib.nullcontext():
                    started = time.perf_counter()  # the wait for a slot is not the server's latency
                    reply = await asyncio.wait_for(
                        self.client.post("/chat/completions", body=request, cast_to=ChatCompletion),
                        timeout=self.timeout_s + 1)
            except _RETRYABLE as exc:
                self._observe(task, "retryable", started)
                reason = f"{type(exc).__name__}: {str(exc)[:200]}"
                if attempt > self.retries:
                    raise ProviderFailure(reason, attempts=attempt) from None
                delay = backoff_delay(attempt - 1, self.backoff_base_s, self.backoff_max_s, self._rng)
                hinted = _retry_after(exc)
                if hinted is not None:
                    delay = max(delay, min(hinted, self.backoff_max_s))
                log.info("llm call failed; retrying",
                         extra={"provider": self.name, "attempt": attempt, "reason": reason,
                                "delay_s": round(delay, 3)})
                await asyncio.sleep(delay)
                continue
            except openai.OpenAIError as exc:  # 4xx, undecodable body: retrying will not help
                self._observe(task, "error", started)
                raise ProviderFailure(f"{type(exc).__name__}: {str(exc)[:200]}", attempts=attempt) from None
            latency = self._observe(task, "ok", started)
            return self._answer(reply, attempt, latency)

    def _observe(self, task: str, outcome: str, started: float) -> float:
        latency = time.perf_counter() - started
        metrics.LATENCY.labels(self.name).observe(latency)
        metrics.CALLS.labels(self.name, task, outcome).inc()
        return latency

    def _answer(self, reply: Any, attempts: int, latency: float) -> RawAnswer:
        tokens = 0
        usage = getattr(reply, "usage", None)
        if usage is not None:
            metrics.TOKENS.labels(self.name, "prompt").inc(usage.prompt_tokens or 0)
            metrics.TOKENS.labels(self.name, "completion").inc(usage.completion_tokens or 0)
            tokens = int(usage.total_tokens or 0)
        choices = getattr(reply, "choices", None) or []
        if not choices:
            raise ProviderFailure("answer without choices", attempts=attempts)
        choice = choices[0]
        text = (choice.message.content if choice.message is not None else None) or ""
        return RawAnswer(text=text, finish_reason=str(choice.finish_reason or ""), tokens=tokens,
                         attempts=attempts, latency=latency)
