"""Fixtures for the llm-worker tests: a scripted chat-completions server and provider factories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from ouro_llmworker.llm import LLMService
from ouro_llmworker.profiles import PROFILES
from ouro_llmworker.providers import OpenAICompatProvider
from tests.llm_worker.chat_server import ChatServer, chat_server


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as srv:
        yield srv


@pytest.fixture
def server2() -> Iterator[ChatServer]:
    with chat_server() as srv:
        yield srv


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


MakeProvider = Callable[..., OpenAICompatProvider]
MakeLLM = Callable[..., LLMService]


@pytest.fixture
async def make_provider() -> AsyncIterator[MakeProvider]:
    made: list[OpenAICompatProvider] = []

    def make(srv: ChatServer, profile: str = "lmstudio", **kw: Any) -> OpenAICompatProvider:
        opts: dict[str, Any] = {"timeout_s": 2.0, "retries": 2, "backoff_base_s": 0.01, "backoff_max_s": 0.05}
        opts.update(kw)
        p = OpenAICompatProvider(PROFILES[profile], model="test-model", base_url=srv.url, **opts)
        made.append(p)
        return p

    yield make
    for p in made:
        await p.aclose()


@pytest.fixture
def make_llm(clock: Clock) -> MakeLLM:
    def make(*providers: OpenAICompatProvider, **kw: Any) -> LLMService:
        return LLMService(list(providers), now=clock, **kw)

    return make
