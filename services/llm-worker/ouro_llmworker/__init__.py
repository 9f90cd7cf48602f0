"""LLMService: enrichment and Questmaker brains (DESIGN §7, §8; docs/llm-worker.md).

- `llm`: LLMService, the provider chain (remote -> offline), LLMResult.
- `providers`, `profiles`: OpenAI-compatible servers and their per-profile schema sanitiser.
- `resilience`: backoff, circuit breaker, per-minute caps.
- `enrich`, `entities`: the enrich stage (gen.drafts -> gen.enriched).
- `qm`, `qm_context`, `brain`: Questmaker turns (qm.turns -> qm.actions), offline brain.
- `prompts`, `schema`: untrusted data blocks; flat JSON schemas from pydantic models.
- `worker`: the service wiring.
"""
