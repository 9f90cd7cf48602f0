"""The whole stack as `./ourobouro up` starts it from compose.yaml, for the end-to-end tests."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ouro_launcher import state
from ouro_schemas import names
from tests.launcher.launcher_support import REPO, free_offset, launcher

TOKEN = "e2e-operator-token-0123456789"
BASE_PORTS = [names.PORT_TELNET, names.PORT_PLAY, names.PORT_ADMIN, names.PORT_ENGINE_METRICS,
              names.PORT_DIRECTOR, names.PORT_GEN_WORKER, names.PORT_LLM_WORKER, names.PORT_PUBLISHER, 6379]


class Stack:
    def __init__(self, data: Path, offset: int, record: state.StackState) -> None:
        self.data, self.offset, self.record = data, offset, record
        assert record.redis is not None and record.redis.port is not None
        self.redis_url = f"redis://127.0.0.1:{record.redis.port}/0"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        req = urllib.request.Request(f"http://127.0.0.1:{names.PORT_ADMIN + self.offset}{path}", method=method,
                                     headers=headers, data=data)
        with urllib.request.urlopen(req, timeout=10) as reply:
            return json.loads(reply.read() or b"null")

    def launcher_state(self) -> state.StackState:
        """The launcher's record as it is now (pids change when it restarts a process)."""
        record = state.load(state.state_path(self.data))
        assert record is not None, "the stack's state file is gone"
        return record

    @property
    def telnet_port(self) -> int:
        return names.PORT_TELNET + self.offset

    @property
    def play_port(self) -> int:
        return names.PORT_PLAY + self.offset


@pytest.fixture
def stack_env() -> dict[str, str]:
    """Extra environment for every service of the stack; a test module overrides it to tune the stack."""
    return {}


@pytest.fixture
def prepare_data() -> Callable[[Path], None]:
    """Called on the copied data dir before the stack starts; a test module overrides it to author its world."""
    return lambda data: None


@pytest.fixture
def stack(tmp_path: Path, stack_env: dict[str, str], prepare_data: Callable[[Path], None]) -> Iterator[Stack]:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "base", data / "base")
    shutil.copy(REPO / "data" / "guardrails.json", data / "guardrails.json")
    prepare_data(data)
    offset = free_offset(BASE_PORTS)
    started = launcher("up", "--detach", "--port-offset", str(offset), data_dir=data, timeout=200,
                       env={"OURO_ADMIN_TOKEN": TOKEN, "OURO_VIEWER_TOKEN": TOKEN[::-1], **stack_env})
    record = state.load(state.state_path(data))
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert record is not None
        yield Stack(data, offset, record)
    finally:
        launcher("down", data_dir=data)
