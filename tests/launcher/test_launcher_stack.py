"""The real stack, as `./ourobouro up --detach` starts it: every service of compose.yaml, an embedded Redis."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ouro_launcher import state
from ouro_launcher.health import probe
from ouro_schemas import names

from .launcher_support import REPO, free_offset, launcher

pytestmark = pytest.mark.slow

BASE_PORTS = [
    names.PORT_TELNET,
    names.PORT_PLAY,
    names.PORT_ADMIN,
    names.PORT_ENGINE_METRICS,
    names.PORT_DIRECTOR,
    names.PORT_GEN_WORKER,
    names.PORT_LLM_WORKER,
    names.PORT_PUBLISHER,
    6379,
]
INSTANCES = {
    "engine", "director", "publisher", "admin-api",
    "gen-worker-1", "gen-worker-2", "llm-worker-1", "llm-worker-2",
}  # fmt: skip


@pytest.mark.timeout(240)
def test_up_detach_serves_health_and_metrics_then_down_stops_all(tmp_path: Path) -> None:
    data = tmp_path / "data"
    if (REPO / "data" / "base").is_dir():  # the authored world the engine loads; the rest starts empty
        shutil.copytree(REPO / "data" / "base", data / "base")
    offset = free_offset(BASE_PORTS)
    started = launcher("up", "--detach", "--port-offset", str(offset), data_dir=data, timeout=200)
    record = state.load(state.state_path(data))
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"telnet://127.0.0.1:{names.PORT_TELNET + offset}" in started.stdout
        assert f"http://127.0.0.1:{names.PORT_PLAY + offset}/" in started.stdout
        assert f"http://127.0.0.1:{names.PORT_ADMIN + offset}/" in started.stdout
        assert record is not None and record.redis is not None
        assert {p.name for p in record.procs} == INSTANCES
        for proc in record.procs:
            assert proc.health_url is not None and proc.metrics_url is not None
            health = probe(proc.health_url)
            assert health.status == 200, (proc.name, health)
            body = json.loads(health.detail)
            assert body["status"] == "ok" and body.get("instance", proc.name) == proc.name
            metrics = probe(proc.metrics_url)
            assert metrics.status == 200 and "# TYPE " in metrics.detail, proc.name
        assert (data / "redis" / "appendonly.aof").exists()
    finally:
        stopped = launcher("down", data_dir=data)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert record is not None
    everyone = [*record.procs, *([record.redis] if record.redis else [])]
    assert [p.name for p in everyone if state.alive(p.pid, p.started)] == []
    assert not state.state_path(data).exists()
    for proc in record.procs:  # each stopped on SIGTERM, cleanly, not killed
        assert "service stopped" in Path(proc.log).read_text(), proc.name
