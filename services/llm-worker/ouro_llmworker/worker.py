"""The llm-worker service: wiring of the enrich stage and the Questmaker brains onto the bus.

1. Build the provider chain from settings (primary, secondary; offline is always last).
2. Read `ouro:director:state`: if the world is STOPPED, start paused.
3. Consume `gen.drafts` -> `gen.enriched` and `qm.turns` -> `qm.actions` (group `llm-worker`); the
   output ids are derived from the input ids, so a redelivery publishes the same ids again and the
   publisher dedupes.
4. Follow `control`: STOP pauses consuming, GO/RESUME resumes; PAUSE only concerns the director.
5. Every decision a person may ask about goes to `log.workers`.
"""

from __future__ import annotations

import logging
from typing import Any

from ouro_llmworker import metrics
from ouro_llmworker.enrich import Enricher
from ouro_llmworker.llm import LLMService, Provider
from ouro_llmworker.profiles import PROFILES
from ouro_llmworker.providers import OpenAICompatProvider
from ouro_llmworker.qm import QuestmakerBrain
from ouro_llmworker.settings import LLMSettings
from ouro_runtime.bus import Delivery
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.messages import LogKind, QmTurn
from ouro_schemas.proposal import Proposal

log = logging.getLogger(__name__)


def build_providers(s: LLMSettings) -> list[Provider]:
    out: list[Provider] = []
    for slot in ("primary", "secondary"):
        profile_name = getattr(s, f"llm_{slot}")
        if profile_name not in PROFILES:
            continue
        key = getattr(s, f"llm_{slot}_api_key")
        out.append(OpenAICompatProvider(
            PROFILES[profile_name], model=getattr(s, f"llm_{slot}_model"),
            base_url=getattr(s, f"llm_{slot}_base_url"), api_key=key.get_secret_value() if key else None,
            timeout_s=s.llm_timeout_s, retries=s.llm_retries, backoff_base_s=s.llm_backoff_base_s,
            backoff_max_s=s.llm_backoff_max_s, temperature=s.llm_temperature))
    return out


def build_llm(s: LLMSettings, providers: list[Provider] | None = None) -> LLMService:
    return LLMService(build_providers(s) if providers is None else providers,
                      breaker_failures=s.llm_breaker_failures, breaker_cooldown_s=s.llm_breaker_cooldown_s,
                      max_concurrency=s.llm_max_concurrency, calls_per_minute=s.llm_calls_per_minute,
                      qm_calls_per_minute=s.llm_qm_calls_per_minute)


class LLMWorker:
    def __init__(self, svc: Service, llm: LLMService) -> None:
        s = svc.settings
        assert isinstance(s, LLMSettings)
        self.svc = svc
        self.llm = llm
        self.enricher = Enricher(llm, instance=svc.instance, max_entities=s.llm_max_entities,
                                 max_tokens=s.llm_max_tokens_enrich)
        self.brain = QuestmakerBrain(llm, instance=svc.instance, max_actions=s.llm_max_actions,
                                     max_tokens=s.llm_max_tokens_qm)

    async def handle_draft(self, draft: Proposal, delivery: Delivery) -> None:
        enriched = await self.enricher.enrich(draft)
        await self.svc.bus.publish(names.GEN_ENRICHED, enriched)
        if enriched is draft:
            metrics.ENRICHED.labels("passed_through").inc()
            await self.svc.emit(names.LOG_WORKERS, LogKind.STATE, f"passed {draft.state} draft through",
                                proposal_id=draft.id, job_id=draft.job_id)
            return
        entry = enriched.trace[-1]
        metrics.ENRICHED.labels(entry.verdict).inc()
        self.svc.health_detail["llm"] = self.health()
        # A plain enrichment is a counter and a trace entry (the publisher logs the proposal); a
        # fallback is a log line, because someone will ask why the model's text was not used.
        if entry.verdict != "ok" or entry.data["provider"] != "offline":
            await self.svc.emit(
                names.LOG_WORKERS, LogKind.STATE if entry.verdict == "ok" else LogKind.VERDICT,
                f"enriched by {entry.data['provider']}" + (f" ({entry.reason})" if entry.verdict != "ok" else ""),
                proposal_id=draft.id, job_id=draft.job_id,
                data={k: entry.data[k] for k in ("provider", "attempts", "tokens", "latency_ms")})

    async def handle_turn(self, turn: QmTurn, delivery: Delivery) -> None:
        proposals, result = await self.brain.proposals(turn)
        await self.svc.bus.publish_many(names.QM_ACTIONS, proposals)
        self.svc.health_detail["llm"] = self.health()
        for p in proposals:
            metrics.QM_ACTIONS.labels(p.payload["tool"], result.provider).inc()
        data: dict[str, Any] = {**result.trace_data(), "questmaker_id": turn.questmaker_id,
                                "tools": [p.payload["tool"] for p in proposals],
                                "spent": sum(p.payload["cost"] for p in proposals),
                                "budget_current": turn.budget_current}
        if proposals:
            message = f"{turn.name} proposes {len(proposals)} action(s) via {result.provider}"
            kind = LogKind.DECISION
        else:
            message = f"{turn.name} decided not to act ({turn.reason.value}, budget {turn.budget_current:g})"
            kind = LogKind.NO_ACTION
        if result.fell_back:
            message += f"; fallback: {result.fallback_reason}"
        await self.svc.emit(names.LOG_WORKERS, kind, message[:500], data=data)

    def health(self) -> dict[str, Any]:
        return {"providers": [p.name for p in self.llm.providers] + ["offline"],
                "breakers": {name: b.state.value for name, b in self.llm.breakers.items()}}


async def setup(svc: Service, llm: LLMService | None = None) -> LLMWorker:
    settings = svc.settings
    assert isinstance(settings, LLMSettings)
    worker = LLMWorker(svc, llm or build_llm(settings))
    svc.consume(names.GEN_DRAFTS, names.GROUP_LLM_WORKER, Proposal, worker.handle_draft)
    svc.consume(names.QM_TURNS, names.GROUP_LLM_WORKER, QmTurn, worker.handle_turn)
    svc.on_cleanup(worker.llm.aclose)
    await svc.follow_stop_go(names.LOG_WORKERS)
    svc.health_detail["llm"] = worker.health()
    log.info("llm-worker wired", extra=worker.health())
    return worker
