"""A real consumer process for the bus fault tests.

    python -m tests.runtime.bus_worker REDIS_URL NAME [--hold N before|after]

Consumes `test.work` in group `workers`; for each message publishes a result to `test.out` (key = the
message id). With --hold it blocks forever on message N — `before` writing its result (a crash
mid-message) or `after` (a crash between output and ack) — and says so in key `holding:NAME`.
"""

from __future__ import annotations

import argparse
import asyncio

import msgspec

from ouro_runtime.bus import Bus, Consumer, ConsumerConfig, Delivery
from ouro_runtime.service import make_redis

WORK, OUT, GROUP = "test.work", "test.out", "workers"


class Job(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    n: int


class Result(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    n: int
    worker: str


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("redis_url")
    ap.add_argument("name")
    ap.add_argument("--hold", nargs=2, metavar=("N", "PHASE"))
    ap.add_argument("--idle-ms", type=int, default=500)
    args = ap.parse_args()
    redis = make_redis(args.redis_url)
    bus = Bus(redis)
    hold_n = int(args.hold[0]) if args.hold else -1
    phase = args.hold[1] if args.hold else ""

    async def handle(job: Job, d: Delivery) -> None:
        if job.n == hold_n and phase == "before":
            await redis.set(f"holding:{args.name}", job.id)
            await asyncio.Event().wait()
        await bus.publish(OUT, Result(id=job.id, n=job.n, worker=args.name))
        if job.n == hold_n and phase == "after":
            await redis.set(f"holding:{args.name}", job.id)
            await asyncio.Event().wait()

    consumer = Consumer(bus, WORK, GROUP, args.name, Job, handle,
                        ConsumerConfig(claim_idle_ms=args.idle_ms, block_ms=100, batch=1))
    await consumer.run()


if __name__ == "__main__":
    asyncio.run(main())
