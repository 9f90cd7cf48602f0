"""The engine as a real process: the telnet gateway, patches from the stream, SIGKILL and restart."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from ouro_engine.settings import EngineSettings
from ouro_runtime.bus import Bus
from ouro_schemas import names
from tests.engine.conftest import signed
from tests.engine.test_patches import good_ops
from tests.engine.test_persistence import dump
from tests.engine.world_fixture import base_world, write_base
from tests.utils import wait_for

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


IAC, SB, SE = 255, 250, 240
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_telnet(data: bytes) -> tuple[bytes, bytes]:
    """Text without telnet commands (IAC x y, IAC SB ... IAC SE, IAC IAC = 255); returns (text, leftover)
    where the leftover is an incomplete command to prepend to the next chunk."""
    out, i = bytearray(), 0
    while i < len(data):
        if data[i] != IAC:
            out.append(data[i])
            i += 1
        elif i + 1 >= len(data):
            return bytes(out), data[i:]
        elif data[i + 1] == IAC:
            out.append(IAC)
            i += 2
        elif data[i + 1] == SB:
            end = data.find(bytes([IAC, SE]), i + 2)
            if end < 0:
                return bytes(out), data[i:]
            i = end + 2
        elif data[i + 1] in range(251, 255):  # WILL WONT DO DONT + option
            if i + 2 >= len(data):
                return bytes(out), data[i:]
            i += 3
        else:
            i += 2
    return bytes(out), b""


class Client:
    """A line client (telnet-tolerant: negotiation and colour are dropped) that accumulates the text."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = ""
        self.pending = b""

    @classmethod
    async def connect(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def expect(self, text: str, timeout: float = 15.0) -> str:
        async def seen() -> bool:
            try:
                chunk = await asyncio.wait_for(self.reader.read(65536), 0.2)
                plain, self.pending = strip_telnet(self.pending + chunk)
                self.buffer += ANSI.sub("", plain.decode("utf-8", "replace"))
            except TimeoutError:
                pass
            return text in self.buffer

        await wait_for(seen, timeout=timeout, what=f"{text!r} from the engine")
        out, _, self.buffer = self.buffer.partition(text)
        return out + text

    async def send(self, line: str, expect: str) -> str:
        self.writer.write(line.encode() + b"\r\n")
        await self.writer.drain()
        return await self.expect(expect)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


class EngineProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as fh:
            self.proc = subprocess.Popen([sys.executable, "-m", "ouro_engine"], env=self.env, stdout=fh, stderr=fh)

    async def ready(self, port: int) -> None:
        async def accepting() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                return False
            writer.close()
            return True

        await wait_for(accepting, timeout=60, what="the engine's telnet port")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def engine_env(service_env: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], int]:
    world = base_world()
    world["questmakers"][0]["regen_per_minute"] = 0  # type: ignore[index]
    base = write_base(tmp_path / "base", world)
    port = free_port()
    env = {**service_env, "OURO_BASE_DIR": str(base), "OURO_TELNET_PORT": str(port),
           "OURO_TELNET_HOST": "127.0.0.1", "OURO_AI_MIN_S": "3000", "OURO_AI_MAX_S": "3600",
           "OURO_ARGON2_TIME_COST": "1", "OURO_ARGON2_MEMORY_KIB": "8192"}
    return env, port


@pytest.fixture
def engine_proc(engine_env: tuple[dict[str, str], int], tmp_path: Path) -> Iterator[EngineProcess]:
    proc = EngineProcess(engine_env[0], tmp_path / "engine.log")
    yield proc
    proc.terminate()


async def applied_result(redis: Redis, patch_id: str) -> dict[str, Any] | None:
    for _, fields in await redis.xrange(names.WORLD_APPLIED):
        data = json.loads(fields[b"d"])
        if data["patch_id"] == patch_id:
            return data  # type: ignore[no-any-return]
    return None


async def test_crash_recovery_restores_the_whole_state(redis: Redis, engine_env: tuple[dict[str, str], int],
                                                      engine_proc: EngineProcess) -> None:
    _env, port = engine_env
    engine_proc.start()
    await engine_proc.ready(port)
    client = await Client.connect(port)
    await client.expect("What name do you go by?")
    await client.send("register Ann secret1", "Welcome, Ann")
    await client.send("n", "Market")
    await client.send("buy pipe", "You buy Lead Pipe")
    await client.send("equip pipe", "You equip Lead Pipe")
    await client.send("s", "Spawn")
    await client.send("quest accept q-rats", "Quest accepted")
    await client.send("e", "Alley")
    settings = EngineSettings()
    patch = signed(settings, "p-1", good_ops())
    await Bus(redis).publish(names.WORLD_PATCHES, patch)
    result = await wait_for(lambda: applied_result(redis, "p-1"), timeout=20, what="the patch result")
    assert result["status"] == "applied", result

    async def flushed() -> bool:
        raw = await redis.get(names.WORLD_ENTITY + "player:ann")
        return raw is not None and json.loads(raw)["room_id"] == "alley"

    await wait_for(flushed, what="the player's move in redis")
    before = await dump(redis)
    engine_proc.kill()
    await client.close()

    engine_proc.start()
    await engine_proc.ready(port)
    after = await dump(redis)
    for state in (before, after):  # nobody is online after a crash
        state.pop(names.WORLD_PLAYERS_ONLINE, None)
        state.pop(names.WORLD_DISTRICTS, None)
    assert after == before
    client = await Client.connect(port)
    await client.expect("What name do you go by?")
    await client.send("login Ann wrongpass", "Wrong name or password")
    await client.send("login Ann secret1", "Welcome, Ann")
    assert "Lead Pipe (worn: weapon)" in await client.send("i", "Credits: 80")
    await client.send("quests", "[q-rats] Rat Problem")
    await client.close()


async def test_patches_over_the_stream(redis: Redis, engine_env: tuple[dict[str, str], int],
                                       engine_proc: EngineProcess) -> None:
    _env, port = engine_env
    engine_proc.start()
    await engine_proc.ready(port)
    bus = Bus(redis)
    settings = EngineSettings()
    forged = signed(settings, "p-forged", good_ops())
    await bus.publish(names.WORLD_PATCHES, type(forged)(**{**{f: getattr(forged, f) for f in forged.__struct_fields__},
                                                         "signature": "0" * 64}))
    await redis.xadd(names.WORLD_PATCHES, {b"d": b'{"id": "p-odd", "proposal_id": "p-odd", "kind": "apply", '
                                                b'"ops": [{"op": "frobnicate"}]}', b"k": b"p-odd"})
    await bus.publish(names.WORLD_PATCHES, signed(settings, "p-1", good_ops()))
    await bus.publish(names.WORLD_PATCHES, signed(settings, "undo:p-1", [], proposal_id="p-1"))
    forged_r = await wait_for(lambda: applied_result(redis, "p-forged"), timeout=20, what="forged result")
    odd_r = await wait_for(lambda: applied_result(redis, "p-odd"), timeout=20, what="odd result")
    good_r = await wait_for(lambda: applied_result(redis, "p-1"), timeout=20, what="good result")
    assert forged_r["status"] == "rejected" and "signature" in forged_r["reason"]
    assert odd_r["status"] == "rejected" and "frobnicate" in odd_r["reason"]
    assert good_r["status"] == "applied"
    assert await redis.exists(names.WORLD_ENTITY + "p-1:0")


async def test_client_takeover_and_bad_input(engine_env: tuple[dict[str, str], int],
                                             engine_proc: EngineProcess) -> None:
    _env, port = engine_env
    engine_proc.start()
    await engine_proc.ready(port)
    first = await Client.connect(port)
    await first.send("register Bob hunter22", "Welcome, Bob")
    second = await Client.connect(port)
    await second.send("register x y", "Names are 3-16")
    await second.send("register Admin secret99", "reserved")
    await second.send("register Bob another1", "That name is taken")
    await second.send("login Bob hunter22", "Your other connection was closed")
    await first.expect("Someone else logged in as you")
    await second.send("x" * 5000, "Line too long")
    await second.send("\x1b[2J\x00\x07 lokk", "Did you mean 'look'")
    await second.send("who", "1 online: Bob")
    await second.close()
    await first.close()


async def test_invalid_base_file_stops_startup(engine_env: tuple[dict[str, str], int], tmp_path: Path) -> None:
    env, _ = engine_env
    rooms = Path(env["OURO_BASE_DIR"]) / "rooms.json"
    data = json.loads(rooms.read_text())
    data[2]["x"] = "far"
    rooms.write_text(json.dumps(data))
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "ouro_engine", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    err = stderr.decode()
    assert "rooms.json" in err and "[2].x" in err and "integer" in err.lower()


async def test_control_pause_and_reload(redis: Redis, engine_env: tuple[dict[str, str], int],
                                        engine_proc: EngineProcess) -> None:
    from ouro_schemas.messages import ControlCommand, ControlMessage

    _env, port = engine_env
    engine_proc.start()
    await engine_proc.ready(port)
    client = await Client.connect(port)
    await client.send("register Cyd secret12", "Welcome, Cyd")
    bus = Bus(redis)

    async def control(command: ControlCommand) -> None:
        await bus.publish(names.CONTROL, ControlMessage(id=f"c-{command}", command=command, at=0.0))

    async def paused_reply() -> bool:
        client.writer.write(b"score\r\n")
        await client.writer.drain()
        try:
            await client.expect("paused", timeout=0.5)
        except AssertionError:
            return False
        return True

    await control(ControlCommand.ENGINE_PAUSE)
    await wait_for(paused_reply, timeout=20, what="commands refused while paused")
    key = names.WORLD_ENTITY + "player:cyd"
    raw = await wait_for(lambda: redis.get(key), timeout=20, what="the player in redis")
    data = json.loads(raw)
    data["wallet"]["credits"] = 4242  # what a rollback would restore
    await redis.set(key, json.dumps(data))
    await control(ControlCommand.ENGINE_RELOAD)

    async def reloaded() -> bool:
        client.buffer = ""
        client.writer.write(b"score\r\n")
        await client.writer.drain()
        try:
            await client.expect("credits 4242", timeout=0.5)
        except AssertionError:
            return False
        return True

    await wait_for(reloaded, timeout=20, what="the reloaded world")
    await client.close()
