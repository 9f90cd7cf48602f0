"""Engine fixtures: the tiny base world on disk, settings, a Core on a manual clock, patch signing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from ouro_engine.clock import ManualClock
from ouro_engine.core import Core
from ouro_engine.loader import load_base
from ouro_engine.sessions import MemorySession, SessionHub
from ouro_engine.settings import EngineSettings
from ouro_schemas.messages import Patch, PatchKind, patch_signature
from tests.engine.world_fixture import write_base


@pytest.fixture
def base_dir(tmp_path: Path) -> Path:
    return write_base(tmp_path / "data" / "base")


@pytest.fixture
def settings(base_dir: Path, tmp_path: Path) -> EngineSettings:
    return EngineSettings(base_dir=base_dir, data_dir=tmp_path / "data", seed=7, telnet_port=0, http_port=0,
                          telnet_host="127.0.0.1")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def core(settings: EngineSettings, base_dir: Path, clock: ManualClock) -> Core:
    c = Core(settings, clock)
    c.load_base(load_base(base_dir))
    return c


class Player:
    """An in-process player: `do(line)` runs a command and returns everything it was told."""

    def __init__(self, core: Core, hub: SessionHub, name: str) -> None:
        self.core = core
        self.session = MemorySession()
        self.pid = f"player:{name.lower()}"
        hub.attach(self.session, self.pid, name)

    def do(self, line: str) -> str:
        start = len(self.session.lines)
        for text in self.core.execute(self.pid, line):
            self.session.send_text(text)
        return "\n".join(self.session.lines[start:])


@pytest.fixture
def hub(core: Core) -> SessionHub:
    return SessionHub(core, None)


@pytest.fixture
def ann(core: Core, hub: SessionHub) -> Player:
    return Player(core, hub, "Ann")


def tick_for(core: Core, clock: ManualClock, seconds: float, step: float = 0.1) -> None:
    """Advance the manual clock and run the tick, `seconds` worth of ticks."""
    for _ in range(round(seconds / step)):
        clock.advance(step)
        core.tick()


def signed(settings: EngineSettings, pid: str, ops: list[Any], kind: PatchKind = PatchKind.APPLY,
           proposal_id: str | None = None) -> Patch:
    patch = Patch(id=pid, proposal_id=proposal_id or pid.removeprefix("undo:"), kind=kind, ops=ops)
    return msgspec.structs.replace(patch, signature=patch_signature(patch, settings.hmac_key_bytes))
