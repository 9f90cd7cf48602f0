"""The embedded Redis the launcher and the fixtures start (ouro_runtime.redis_server)."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from ouro_runtime.redis_server import RedisServer, RedisServerError, ping, port_is_free


def test_runs_with_aof_everysec_on_loopback(tmp_path: Path) -> None:
    with RedisServer(tmp_path / "r") as server:
        client = redis.Redis.from_url(server.url)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
        assert client.config_get("bind") == {"bind": "127.0.0.1"}
        assert client.config_get("dir") == {"dir": str((tmp_path / "r").resolve())}
        client.close()
    assert not ping("127.0.0.1", server.port)
    assert (tmp_path / "r" / "appendonly.aof").exists()


def test_clean_restart_replays_the_aof_on_the_same_port(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "r")
    server.start()
    try:
        client = redis.Redis.from_url(server.url)
        client.xadd("s", {"k": "v"})
        client.set("a", "1")
        server.restart()  # SIGTERM: Redis fsyncs the AOF before it exits
        assert client.get("a") == b"1"  # the client reconnects to the same address
        assert client.xlen("s") == 1
        client.close()
    finally:
        server.stop()
    assert port_is_free(server.port)


def test_a_second_server_on_a_taken_port_reports_its_log(tmp_path: Path) -> None:
    with RedisServer(tmp_path / "a") as first:
        second = RedisServer(tmp_path / "b", port=first.port)
        with pytest.raises(RedisServerError, match="exited with code"):
            second.start(timeout=10)
        assert not second.running


def test_an_unknown_binary_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OURO_REDIS_SERVER", str(tmp_path / "no-such-redis-server"))
    with pytest.raises(RedisServerError, match="not an executable"):
        RedisServer(tmp_path).start()
