"""A tiny real service for the service-shell tests: echoes `test.in` to `test.echo`.

A message with n < 0 makes the handler wait for key `release` before it writes its output, so a test
can send SIGTERM while the message is in flight. Follows control stop/go like the workers do.
"""

from __future__ import annotations

import asyncio

import msgspec

from ouro_runtime.bus import Delivery
from ouro_runtime.service import Service, run_service
from ouro_runtime.settings import ServiceSettings
from ouro_schemas.messages import LogKind


class Echo(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    n: int


async def setup(svc: Service) -> None:
    async def handle(msg: Echo, d: Delivery) -> None:
        if msg.n < 0:
            await svc.redis.set("in_flight", msg.id)
            while not await svc.redis.exists("release"):  # noqa: ASYNC110 - the release comes from another process
                await asyncio.sleep(0.01)
        await svc.bus.publish("test.echo", msg)
        await svc.emit("log.workers", LogKind.INFO, "echoed", data={"id": msg.id})

    svc.consume("test.in", "echo", Echo, handle)
    await svc.follow_stop_go("log.workers")


if __name__ == "__main__":
    run_service("echo", ServiceSettings, setup)
