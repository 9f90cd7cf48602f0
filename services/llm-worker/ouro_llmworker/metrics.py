"""The llm-worker's Prometheus metrics: every outcome a counter, every call a latency sample."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CALLS = Counter("ouro_llm_calls_total", "HTTP calls to a model server, by outcome",
                ["provider", "task", "outcome"])  # ok | invalid | truncated | retryable | error
TOKENS = Counter("ouro_llm_tokens_total", "Tokens reported by the server", ["provider", "kind"])
LATENCY = Histogram(
    "ouro_llm_call_seconds", "Latency of one HTTP call to a model server", ["provider"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
ASK_SECONDS = Histogram(
    "ouro_llm_ask_seconds", "Latency of one ask, retries and fallback included", ["task", "provider"],
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0),
)
RESULTS = Counter("ouro_llm_results_total", "Asks answered, by the provider that answered",
                  ["task", "provider"])
FALLBACKS = Counter("ouro_llm_fallbacks_total", "Asks that fell through to the next provider",
                    ["task", "provider", "reason"])
BREAKER_OPEN = Gauge("ouro_llm_breaker_open", "1 while a provider's circuit breaker is open", ["provider"])
ENRICHED = Counter("ouro_llm_enriched_total", "Drafts enriched (or passed through)", ["outcome"])
QM_ACTIONS = Counter("ouro_llm_qm_actions_total", "Questmaker tool calls proposed", ["tool", "provider"])
