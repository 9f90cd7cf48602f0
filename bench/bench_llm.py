"""llm-worker benchmark: offline enrichments per second, and per-call latency against a local
scripted chat-completions server (p50/p99), with the overhead our code adds over a bare HTTP POST.

    .venv/bin/python bench/bench_llm.py [--seconds 3] [--calls 300] [--drafts 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ouro_llmworker.enrich import Enricher
from ouro_llmworker.llm import LLMService
from ouro_llmworker.profiles import PROFILES
from ouro_llmworker.providers import OpenAICompatProvider
from ouro_llmworker.settings import LLMSettings
from ouro_llmworker.worker import LLMWorker
from ouro_runtime.bus import Consumer, ConsumerConfig
from ouro_runtime.redis_server import RedisServer
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.proposal import Proposal
from tests.llm_worker.chat_server import chat_server, ok
from tests.llm_worker.factories import item_draft, npc_draft, quest_draft

ANSWER = {"name": "Stitcher", "description": "A serrated blade that hums.", "rationale": "short"}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def offline_rate(seconds: float) -> None:
    enricher = Enricher(LLMService(), instance="bench")
    drafts = [f(seed=s) for s in range(50) for f in (npc_draft, item_draft, quest_draft)]
    wire = [msgspec.json.encode(d) for d in drafts]
    decoder, encoder = msgspec.json.Decoder(Proposal), msgspec.json.Encoder()
    for label, with_wire in (("enrich() alone", False), ("decode + enrich + encode", True)):
        n, entities, started = 0, 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for raw, draft in zip(wire, drafts, strict=True):
                d = decoder.decode(raw) if with_wire else draft
                out = await enricher.enrich(d)
                if with_wire:
                    encoder.encode(out)
                n += 1
                entities += len(out.trace[-1].data["entities"])
        elapsed = time.perf_counter() - started
        print(f"offline {label:26s}: {n / elapsed:8.0f} drafts/s  ({entities / elapsed:8.0f} entities/s; "
              "mix of NPC, ITEM and QUEST drafts, 1 draft = 1-4 entities)")


async def service_rate(n: int) -> None:
    """The real handler (enrich + publish to gen.enriched) on the bus, in burst mode."""
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis")
        server.start()
        try:
            settings = LLMSettings(redis_url=server.url, data_dir=Path(tmp) / "data", instance="bench")
            svc = Service(names.SERVICE_LLM_WORKER, settings)
            worker = LLMWorker(svc, LLMService())
            drafts = [f(seed=s, ident=f"p-job-{f.__name__}-{s}") for s in range(n // 3) for f in
                      (npc_draft, item_draft, quest_draft)]
            for i in range(0, len(drafts), 200):
                await svc.bus.publish_many(names.GEN_DRAFTS, drafts[i:i + 200])
            consumer = Consumer(svc.bus, names.GEN_DRAFTS, names.GROUP_LLM_WORKER, "bench", Proposal,
                                worker.handle_draft, ConsumerConfig(batch=128))
            started = time.perf_counter()
            handled = await consumer.run_burst()
            elapsed = time.perf_counter() - started
            assert await svc.redis.xlen(names.GEN_ENRICHED) == handled == len(drafts)
            await svc.redis.aclose()
        finally:
            server.stop()
    print(f"offline through Redis (real handler): {handled / elapsed:8.0f} drafts/s  (n={handled}; "
          "consume + enrich + XADD gen.enriched + ack, one draft at a time)")


async def http_latency(calls: int) -> None:
    with chat_server() as server:
        server.default = lambda body: ok(ANSWER)
        provider = OpenAICompatProvider(PROFILES["llamacpp"], model="bench", base_url=server.url, retries=0)
        enricher = Enricher(LLMService([provider], calls_per_minute=10**6), instance="bench")
        draft = item_draft()
        ours: list[float] = []
        for _ in range(calls):
            started = time.perf_counter()
            await enricher.enrich(draft)
            ours.append(time.perf_counter() - started)
        body = server.requests[-1]
        bare: list[float] = []
        async with httpx.AsyncClient() as client:
            for _ in range(calls):
                started = time.perf_counter()
                reply = await client.post(server.url + "/chat/completions", json=body)
                reply.json()
                bare.append(time.perf_counter() - started)
        await provider.aclose()
    for label, values in (("llm-worker enrich (1 entity)", ours), ("bare httpx POST", bare)):
        print(f"{label:30s}: p50 {pct(values, 50) * 1000:6.2f} ms  p99 {pct(values, 99) * 1000:6.2f} ms  "
              f"mean {statistics.fmean(values) * 1000:6.2f} ms  (n={calls})")
    print(f"{'our overhead (ours - bare)':30s}: p50 {(pct(ours, 50) - pct(bare, 50)) * 1000:6.2f} ms  "
          f"mean {(statistics.fmean(ours) - statistics.fmean(bare)) * 1000:6.2f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--drafts", type=int, default=3000)
    args = parser.parse_args()
    await offline_rate(args.seconds)
    await service_rate(args.drafts)
    await http_latency(args.calls)


if __name__ == "__main__":
    asyncio.run(main())
