"""The llm-worker as a service on a real Redis: drafts in, enriched proposals out; turns in, QM_ACTION
proposals out; STOP/GO and the director's state; and `python -m ouro_llmworker` as a real process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_llmworker.settings import LLMSettings
from ouro_llmworker.worker import setup
from ouro_runtime.bus import Bus
from ouro_runtime.service import Service
from ouro_schemas import names
from ouro_schemas.messages import (
    ControlCommand,
    ControlMessage,
    DirectorMode,
    DirectorState,
    LogEntry,
    QmTurn,
    TurnReason,
)
from ouro_schemas.proposal import Proposal, ProposalState, ProposalType
from tests.llm_worker.chat_server import ChatServer, ok
from tests.llm_worker.factories import npc_draft, quest_draft, turn
from tests.utils import wait_for, wait_sync

Started = Callable[..., Awaitable[Service]]


async def read(redis: Redis, stream: str, kind: type[Any]) -> list[Any]:
    rows: Any = await redis.xrange(stream)
    return [msgspec.json.decode(fields[b"d"], type=kind) for _, fields in rows]


@pytest.fixture
async def start(redis_url: str, tmp_path: Path) -> AsyncIterator[Started]:
    running: list[tuple[Service, asyncio.Task[None]]] = []

    async def go(**settings: Any) -> Service:
        s = LLMSettings(redis_url=redis_url, data_dir=tmp_path / "data", instance="llm-test",
                        claim_idle_ms=1000, **settings)
        svc = Service(names.SERVICE_LLM_WORKER, s)

        async def wiring(svc: Service) -> None:
            await setup(svc)

        task = asyncio.create_task(svc.serve(wiring))
        running.append((svc, task))
        await wait_for(lambda: _ready(svc), what="service ready")
        return svc

    yield go
    for svc, task in running:
        svc.request_stop()
        await asyncio.wait_for(task, timeout=15)


async def _ready(svc: Service) -> bool:
    return svc.ready and all(c.ready.is_set() for c in svc.consumers)


async def test_draft_becomes_an_enriched_proposal(start: Started, redis: Redis, tmp_path: Path) -> None:
    await start()
    bus = Bus(redis)
    draft = quest_draft()
    await bus.publish(names.GEN_DRAFTS, draft)
    rejected = npc_draft(ident="p-job-bad", state=ProposalState.REJECTED, reason="bad template")
    await bus.publish(names.GEN_DRAFTS, rejected)

    async def two() -> list[Proposal]:
        out = await read(redis, names.GEN_ENRICHED, Proposal)
        return out if len(out) == 2 else []

    enriched, passed = await wait_for(two, what="two proposals on gen.enriched")
    assert enriched.id == draft.id and enriched.state is ProposalState.ENRICHED
    assert enriched.payload == draft.payload and enriched.flavor["name"]
    assert enriched.trace[-1].stage == "llm-worker" and enriched.trace[-1].data["provider"] == "offline"
    assert msgspec.json.encode(passed) == msgspec.json.encode(rejected)
    logs = await read(redis, names.LOG_WORKERS, LogEntry)
    # A plain offline enrichment is a counter and a trace entry; the pass-through is a log line.
    assert [entry.proposal_id for entry in logs] == [rejected.id]
    assert (tmp_path / "data" / "logs" / f"{names.LOG_WORKERS}.jsonl").exists()


async def test_turn_becomes_qm_action_proposals(start: Started, redis: Redis) -> None:
    await start()
    t = turn(TurnReason.FAILURE, tags=("vengeful",), budget=80)
    await Bus(redis).publish(names.QM_TURNS, t)
    actions = await wait_for(lambda: read(redis, names.QM_ACTIONS, Proposal), what="qm.actions")
    assert [p.id for p in actions] == [f"{t.id}:{n}" for n in range(len(actions))]
    assert all(p.type is ProposalType.QM_ACTION for p in actions)
    assert sum(p.payload["cost"] for p in actions) <= 80
    logs = await wait_for(lambda: read(redis, names.LOG_WORKERS, LogEntry), what="decision log")
    assert logs[-1].kind == "decision" and logs[-1].data["tools"] == [p.payload["tool"] for p in actions]


async def test_remote_provider_end_to_end(start: Started, redis: Redis, server: ChatServer) -> None:
    server.default = lambda body: ok({"name": "Neon Saint", "description": "She glows.", "barks": ["Hey."],
                                      "dialogue": [], "rationale": "short"})
    await start(llm_primary="llamacpp", llm_primary_base_url=server.url, llm_primary_model="gemma3-270m")
    await Bus(redis).publish(names.GEN_DRAFTS, npc_draft())
    (out,) = await wait_for(lambda: read(redis, names.GEN_ENRICHED, Proposal), what="enriched")
    assert out.flavor["name"] == "Neon Saint"
    assert out.trace[-1].data["provider"] == "llamacpp:gemma3-270m"
    (log,) = await read(redis, names.LOG_WORKERS, LogEntry)
    assert log.proposal_id == out.id and log.data["provider"] == "llamacpp:gemma3-270m"


async def test_stop_pauses_and_go_resumes(start: Started, redis: Redis) -> None:
    svc = await start()
    bus = Bus(redis)

    async def paused_after(command: ControlCommand) -> bool:
        want_active = command is not ControlCommand.STOP
        if all(c.active.is_set() == want_active for c in svc.consumers):
            return True
        await bus.publish(names.CONTROL, ControlMessage(id=f"c-{time.time()}", command=command, at=time.time()))
        return False

    await wait_for(lambda: paused_after(ControlCommand.STOP), what="consumers paused")
    await bus.publish(names.GEN_DRAFTS, npc_draft())
    with pytest.raises(AssertionError):  # nothing is taken while stopped
        await wait_for(lambda: read(redis, names.GEN_ENRICHED, Proposal), timeout=0.6)
    await wait_for(lambda: paused_after(ControlCommand.GO), what="consumers resumed")
    await wait_for(lambda: read(redis, names.GEN_ENRICHED, Proposal), what="enriched after GO")


async def test_starts_paused_when_the_world_is_stopped(start: Started, redis: Redis) -> None:
    await redis.set(names.DIRECTOR_STATE, msgspec.json.encode(DirectorState(mode=DirectorMode.STOPPED)))
    svc = await start()
    assert not any(c.active.is_set() for c in svc.consumers)


def test_python_m_ouro_llmworker_process(service_env: dict[str, str], redis_url: str) -> None:
    import redis as sync_redis

    client = sync_redis.Redis.from_url(redis_url)
    t: QmTurn = turn(TurnReason.PROGRESS, tags=("benevolent",), budget=50)
    client.xadd(names.QM_TURNS, {b"d": msgspec.json.encode(t), b"k": t.id.encode()})
    client.xadd(names.GEN_DRAFTS, {b"d": msgspec.json.encode(npc_draft()), b"k": b"p-job-npc1"})
    env = {**service_env, "OURO_INSTANCE": "llm-proc", "OURO_LLM_PRIMARY": "offline",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "ouro_llmworker"], env=env, stderr=subprocess.PIPE)
    try:
        wait_sync(lambda: client.xlen(names.QM_ACTIONS) >= 1 and client.xlen(names.GEN_ENRICHED) == 1,
                  timeout=30, what="outputs from the process")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        client.close()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"service stopped" in err


def test_bad_setting_exits_2(service_env: dict[str, str]) -> None:
    env = {**service_env, "OURO_LLM_PRIMARY": "skynet"}
    proc = subprocess.run([sys.executable, "-m", "ouro_llmworker"], env=env, capture_output=True, timeout=30)
    assert proc.returncode == 2 and b"unknown profile 'skynet'" in proc.stderr


def test_api_key_is_never_logged(service_env: dict[str, str], redis_url: str, tmp_path: Path) -> None:
    """A remote provider that cannot be reached: the draft still leaves (offline), and the key
    appears in no log line, log stream entry or trace."""
    import redis as sync_redis

    secret = "sk-do-not-log-me-0123456789"
    with socket_closed_port() as port:
        env = {**service_env, "OURO_INSTANCE": "llm-secret", "OURO_LLM_PRIMARY": "gemini",
               "OURO_LLM_PRIMARY_MODEL": "gemini-2.0-flash", "OURO_LLM_PRIMARY_API_KEY": secret,
               "OURO_LLM_PRIMARY_BASE_URL": f"http://127.0.0.1:{port}/v1", "OURO_LLM_RETRIES": "0",
               "OURO_LOG_LEVEL": "DEBUG"}
        client = sync_redis.Redis.from_url(redis_url)
        client.xadd(names.GEN_DRAFTS, {b"d": msgspec.json.encode(npc_draft()), b"k": b"p-job-npc1"})
        proc = subprocess.Popen([sys.executable, "-m", "ouro_llmworker"], env=env, stderr=subprocess.PIPE)
        try:
            wait_sync(lambda: client.xlen(names.GEN_ENRICHED) == 1, timeout=30, what="enriched draft")
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
    dumped = b"".join(f for _, row in client.xrange(names.GEN_ENRICHED) + client.xrange(names.LOG_WORKERS)
                      for f in row.values())
    client.close()
    assert b"fallback" in dumped and b"gemini:gemini-2.0-flash" in dumped
    assert secret.encode() not in err + dumped
    assert proc.returncode == 0


@contextlib.contextmanager
def socket_closed_port() -> Iterator[int]:
    """A port nothing listens on (bound, never listened: connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])
