"""The shell every service runs in: settings, logging, Redis, bus, health and metrics, signals.

    def main() -> None:
        run_service("gen-worker", GenWorkerSettings, setup)

    async def setup(svc: Service) -> None:
        svc.consume(names.GEN_JOBS, names.GROUP_GEN_WORKER, GenJob, handle_job)

Order of a run: 1. settings (exit 2 on a bad value)  2. JSON logging  3. Redis client (socket timeout
above the longest XREADGROUP block)  4. the service's `setup`  5. /healthz + /metrics  6. consumers and
tasks  7. on SIGTERM/SIGINT: stop reading, finish in-flight batches within `drain_timeout_s`, cancel
the rest, one summary line, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from redis.asyncio import Redis

from ouro_runtime.bus import REDIS_ERRORS, BatchConsumer, BatchHandler, Bus, Consumer, ConsumerConfig, Handler
from ouro_runtime.http import HealthServer
from ouro_runtime.log import setup_logging
from ouro_runtime.resp import FastPackConnection
from ouro_runtime.settings import ServiceSettings, load_settings
from ouro_schemas import names
from ouro_schemas.messages import (
    ControlCommand,
    ControlMessage,
    DirectorMode,
    DirectorState,
    LogEntry,
    LogKind,
)

log = logging.getLogger(__name__)
S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")
ControlHandler = Callable[[ControlMessage], Awaitable[None]]


def new_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:16]}"


def make_redis(url: str, *, block_ms: int = 1_000, **kwargs: Any) -> Redis:
    """The client every service uses: commands packed in C (`resp.FastPackConnection`; a rediss:// or
    unix:// URL keeps redis-py's own connection class)."""
    # redis-py's default socket timeout is shorter than a long XREADGROUP BLOCK: keep it above.
    options: dict[str, Any] = {"socket_timeout": block_ms / 1000 + 10, "socket_connect_timeout": 3,
                               "health_check_interval": 15, "connection_class": FastPackConnection}
    return Redis.from_url(url, **(options | kwargs))


class Service:
    def __init__(self, name: str, settings: ServiceSettings, redis: Redis | None = None) -> None:
        self.name = name
        self.settings = settings
        self.instance = settings.instance
        self.redis = redis or make_redis(settings.redis_url)
        self.bus = Bus(self.redis, maxlen=settings.stream_maxlen)
        self.consumers: list[Consumer[Any]] = []
        self.control_handlers: list[ControlHandler] = []
        self.health_detail: dict[str, Any] = {}
        self.ready = False
        self.started_at = time.time()
        self._tasks: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._cleanup: list[Callable[[], Awaitable[None]]] = []
        self._stopping = asyncio.Event()
        self.log_dir = Path(settings.data_dir) / "logs"

    # --- wiring, called from a service's setup ------------------------------------------------
    def consume(self, stream: str, group: str, kind: type[T], handler: Handler[T],
                **config: Any) -> Consumer[T]:
        cfg = ConsumerConfig(claim_idle_ms=self.settings.claim_idle_ms,
                             max_deliveries=self.settings.max_deliveries, **config)
        consumer: Consumer[T] = Consumer(self.bus, stream, group, self.instance, kind, handler, cfg)
        self.consumers.append(consumer)
        return consumer

    def consume_batches(self, stream: str, group: str, kind: type[T], batch_handler: BatchHandler[T],
                        **config: Any) -> BatchConsumer[T]:
        """Like `consume`, with one handler call per batch (`bus.BatchConsumer`)."""
        cfg = ConsumerConfig(claim_idle_ms=self.settings.claim_idle_ms,
                             max_deliveries=self.settings.max_deliveries, **config)
        consumer = BatchConsumer(self.bus, stream, group, self.instance, kind, batch_handler, cfg)
        self.consumers.append(consumer)
        return consumer

    def task(self, fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """A long-running coroutine started after setup and cancelled at shutdown."""
        self._tasks.append(fn)

    def on_cleanup(self, fn: Callable[[], Awaitable[None]]) -> None:
        self._cleanup.append(fn)

    def on_control(self, handler: ControlHandler) -> None:
        """Every control message reaches every instance (plain XREAD, no group)."""
        self.control_handlers.append(handler)

    def pause_consuming(self) -> None:
        for consumer in self.consumers:
            consumer.active.clear()

    def resume_consuming(self) -> None:
        for consumer in self.consumers:
            consumer.active.set()

    async def follow_stop_go(self, log_stream: str) -> None:
        """What every worker does with the world's emergency STOP: stop taking work on `stop`, take it
        again on `go`/`resume`, and start paused when the director is already stopped. Call from setup."""

        async def on_control(message: ControlMessage) -> None:
            if message.command is ControlCommand.STOP:
                self.pause_consuming()
            elif message.command in (ControlCommand.GO, ControlCommand.RESUME):
                self.resume_consuming()
            else:
                return
            verb = "paused" if message.command is ControlCommand.STOP else "resumed"
            await self.emit(log_stream, LogKind.CONTROL, f"{message.command.value}: consuming {verb}",
                            data={"control_id": message.id})

        self.on_control(on_control)
        try:
            raw = await self.redis.get(names.DIRECTOR_STATE)
            state = msgspec.json.decode(raw, type=DirectorState) if raw else None
        except (*REDIS_ERRORS, msgspec.DecodeError, msgspec.ValidationError) as exc:
            log.warning("director state unreadable at start", extra={"error": str(exc)})
            return
        if state is not None and state.mode is DirectorMode.STOPPED:
            self.pause_consuming()
            await self.emit(log_stream, LogKind.CONTROL, "started paused: the director is stopped; waiting for GO")

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # --- decision logs -------------------------------------------------------------------------
    async def emit(self, stream: str, kind: LogKind, message: str, **fields: Any) -> None:
        """A decision a person may ask about: to the log stream (dashboard) and a JSONL file."""
        entry = LogEntry(at=time.time(), service=self.name, instance=self.instance, kind=kind,
                         message=message, **fields)
        data = self.bus.encode(entry)
        try:
            await self.redis.xadd(stream, {b"d": data}, maxlen=self.settings.stream_maxlen,
                                  approximate=True)
        except REDIS_ERRORS as exc:
            log.warning("log stream unavailable", extra={"stream": stream, "error": str(exc)})
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{stream}.jsonl").open("ab") as fh:
            fh.write(data + b"\n")

    # --- running ---------------------------------------------------------------------------------
    def health(self) -> tuple[bool, dict[str, Any]]:
        detail = {
            "service": self.name,
            "instance": self.instance,
            "uptime_s": round(time.time() - self.started_at, 1),
            "consumers": {
                f"{c.stream}/{c.group}": {"handled": c.stats.handled, "failed": c.stats.failed,
                                          "dead": c.stats.dead, "active": c.active.is_set()}
                for c in self.consumers
            },
            **self.health_detail,
        }
        return self.ready, detail

    def request_stop(self) -> None:
        self._stopping.set()
        for consumer in self.consumers:
            consumer.stop()

    async def serve(self, setup: Callable[[Service], Awaitable[None]]) -> None:
        server = HealthServer(self.settings.http_host, self.settings.http_port, self.health)
        await setup(self)
        port = await server.start()
        runners = [asyncio.create_task(c.run(), name=f"consume:{c.stream}") for c in self.consumers]
        runners += [asyncio.create_task(fn(), name=fn.__name__) for fn in self._tasks]
        if self.control_handlers:
            runners.append(asyncio.create_task(self._watch_control(), name="control"))
        runners.append(asyncio.create_task(self._refresh_gauges(), name="gauges"))
        self.ready = True
        log.info("service ready", extra={"http_port": port, "consumers": len(self.consumers)})
        await self._stopping.wait()
        await self._drain(runners)
        await server.close()
        for fn in reversed(self._cleanup):
            with contextlib.suppress(Exception):
                await fn()
        await self.redis.aclose()

    async def _drain(self, runners: list[asyncio.Task[None]]) -> None:
        consumer_tasks = runners[: len(self.consumers)]
        others = runners[len(self.consumers):]
        for task in others:
            task.cancel()
        _, late = await asyncio.wait(consumer_tasks, timeout=self.settings.drain_timeout_s) \
            if consumer_tasks else (set(), set())
        for task in late:
            task.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
        handled = sum(c.stats.handled for c in self.consumers)
        log.info("service stopped", extra={"handled": handled, "cancelled_in_flight": len(late)})

    async def _watch_control(self) -> None:
        decoder = msgspec.json.Decoder(ControlMessage)
        last = "$"
        while not self._stopping.is_set():
            try:
                reply: Any = await self.redis.xread({names.CONTROL: last}, count=100, block=1000)
            except REDIS_ERRORS:
                await asyncio.sleep(0.5)
                continue
            for _, entries in reply or []:
                for eid, fields in entries:
                    last = eid.decode()
                    try:
                        message = decoder.decode(fields.get(b"d", b""))
                    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                        log.warning("bad control message", extra={"entry": last, "error": str(exc)})
                        continue
                    for handler in self.control_handlers:
                        try:
                            await handler(message)
                        except Exception:
                            log.exception("control handler failed", extra={"command": message.command})

    async def _refresh_gauges(self) -> None:
        while not self._stopping.is_set():
            for consumer in self.consumers:
                with contextlib.suppress(*REDIS_ERRORS, Exception):
                    await consumer.refresh_gauges()
            await asyncio.sleep(5)


def run_service(name: str, settings_kind: type[S], setup: Callable[[Service], Awaitable[None]],
                service_kind: type[Service] = Service) -> None:
    """The `python -m ouro_<service>` entry point."""
    settings = load_settings(settings_kind)
    setup_logging(name, settings.instance, settings.log_level)
    asyncio.run(_main(name, settings, setup, service_kind))


async def _main(name: str, settings: ServiceSettings, setup: Callable[[Service], Awaitable[None]],
                service_kind: type[Service]) -> None:
    svc = service_kind(name, settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, svc.request_stop)
    await svc.serve(setup)
