"""Content-library files stay inside data/generated; the service runs as `python -m ouro_publisher`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import msgspec
import pytest
import redis as sync_redis

from ouro_publisher import library_files
from ouro_publisher.gate import run_gate
from ouro_publisher.types import WindowState
from ouro_runtime.redis_server import free_port
from ouro_schemas import names
from ouro_schemas.messages import ControlCommand, ControlMessage, Patch, verify_patch
from tests.publisher import factories as f
from tests.publisher.conftest import write_guardrails
from tests.utils import wait_sync


@pytest.mark.parametrize("tid", ["../../etc/passwd", "..", "a/b", "a..b", "", "/abs", "x\\y", "ok\x00"])
def test_unsafe_file_names_are_refused(tmp_path: Path, tid: str) -> None:
    with pytest.raises(library_files.UnsafePath):
        library_files.write(tmp_path / "generated", "npc", tid, {"x": 1})
    assert not list(tmp_path.rglob("*"))


def test_unknown_folder_and_symlinked_folder_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    root.mkdir()
    with pytest.raises(library_files.UnsafePath):
        library_files.target(root, "../x", "ok")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "item").symlink_to(outside)
    with pytest.raises(library_files.UnsafePath):
        library_files.target(root, "item", "ok")


def test_rewrite_is_byte_identical_and_atomic(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    body = {"b": [1, 2], "a": "ü"}
    p1 = library_files.write(root, "item", "blade", body)
    first = p1.read_bytes()
    library_files.write(root, "item", "blade", dict(reversed(body.items())))
    assert p1.read_bytes() == first and json.loads(first) == body
    assert [p.name for p in p1.parent.iterdir()] == ["blade.json"]  # no temp file left behind


@pytest.mark.parametrize("unnamed", [True, False], ids=["O_TMPFILE+link", "temp+rename"])
def test_both_ways_of_writing_give_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  unnamed: bool) -> None:
    """New files are linked from an unnamed file where the system has O_TMPFILE, else temp + rename;
    rewrites always go through temp + rename. Same bytes, nothing else left in the folder."""
    monkeypatch.setitem(library_files._unnamed, "ok", unnamed and library_files._unnamed["ok"])
    root = tmp_path / "generated"
    body = {"id": "blade", "text": "ü" * 5000}  # more than one page
    path = library_files.write(root, "item", "blade", body)
    assert path.read_bytes() == library_files.render(body)
    library_files.write(root, "item", "blade", body | {"text": "new"})
    assert json.loads(path.read_bytes())["text"] == "new"
    shutil.rmtree(root / "item")  # the folder removed behind the publisher's back: made again
    library_files.write(root, "item", "other", body)
    assert sorted(p.name for p in (root / "item").iterdir()) == ["other.json"]
    assert oct((root / "item" / "other.json").stat().st_mode & 0o777) == "0o600"
    if unnamed and sys.platform == "linux":
        assert library_files._unnamed["ok"], "O_TMPFILE + linkat was refused on this Linux file system"


def test_one_way_exit_is_rejected() -> None:
    p = f.block_proposal()
    p.payload["block"]["rooms"][1]["exits"] = [{"direction": "e", "to": "p-job-block-a"}]
    result = run_gate(p, f.world(), f.guardrails(), WindowState())
    assert "integrity.exits_paired" in {v.rule for v in result.failures}


def _active(port: int) -> bool | None:
    """Whether the process's gen.enriched consumer takes work (None: not answering yet)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            detail = json.loads(resp.read())
    except (OSError, ValueError):
        return None
    consumer = detail.get("consumers", {}).get(f"{names.GEN_ENRICHED}/{names.GROUP_PUBLISHER}")
    return None if consumer is None else bool(consumer["active"])


@pytest.mark.slow
def test_python_m_ouro_publisher_commits_and_follows_control(service_env: dict[str, str], redis_url: str) -> None:
    """The real process: a proposal on gen.enriched becomes a signed patch and a file; STOP holds the next."""
    data = Path(service_env["OURO_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    write_guardrails(data, f.guardrails())
    client = sync_redis.Redis.from_url(redis_url)
    view = f.world()
    for rid, room in view.rooms.items():
        client.set(names.WORLD_ROOM + rid, json.dumps(room))
    client.hset(names.WORLD_DISTRICTS, "market", json.dumps(view.districts["market"]))
    port = free_port()
    env = {**service_env, "OURO_INSTANCE": "publisher-proc", "OURO_HTTP_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "ouro_publisher"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    enc = msgspec.json.Encoder()

    def control(command: ControlCommand) -> bool:
        client.xadd(names.CONTROL, {b"d": enc.encode(ControlMessage(id=command, command=command, at=0))})
        return True

    try:
        wait_sync(lambda: _active(port), timeout=30, what="publisher ready")
        p = f.npc_proposal("p-proc-1")
        client.xadd(names.GEN_ENRICHED, {b"d": enc.encode(p), b"k": p.id.encode()})
        rows = wait_sync(lambda: client.xrange(names.WORLD_PATCHES), timeout=30, what="the patch")
        patch = msgspec.json.decode(rows[0][1][b"d"], type=Patch)
        assert patch.id == "p-proc-1" and verify_patch(patch, b"development-only-hmac-key-change-me")
        wait_sync(lambda: (data / "generated/npc/npc_p-proc-1.json").is_file(), what="the template file")
        # STOP (re-sent until seen: the control reader follows from "$"), then a proposal that must wait.
        wait_sync(lambda: control(ControlCommand.STOP) and _active(port) is False, timeout=10, interval=0.3,
                  what="consumers paused by STOP")
        q = f.npc_proposal("p-proc-2")
        client.xadd(names.GEN_ENRICHED, {b"d": enc.encode(q), b"k": q.id.encode()})
        assert client.xlen(names.WORLD_PATCHES) == 1
        control(ControlCommand.GO)
        wait_sync(lambda: client.xlen(names.WORLD_PATCHES) == 2, timeout=30, what="the patch after GO")
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        client.close()
    assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
