"""One hop on the bus (publish -> consume -> ack) against a raw redis-py XADD/XREADGROUP/XACK loop.

    .venv/bin/python bench/bench_bus.py [--messages 20000]

Both run on the same embedded redis-server (AOF everysec), in the same process and run, with ~500-byte
messages. Throughput: producers pipeline in batches of 100 while a consumer reads batches of 128.
Latency: 1,000 messages at ~500/s (low load), time from publish to handler, p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import msgspec
from redis.asyncio import Redis

from ouro_runtime.bus import Bus, Consumer, ConsumerConfig, Delivery, ensure_group
from ouro_runtime.redis_server import RedisServer

PAD = "x" * 440


class Msg(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    sent: float
    pad: str = PAD


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def bus_throughput(redis: Redis, n: int) -> float:
    stream = f"bench.bus.{time.monotonic_ns()}"
    bus = Bus(redis, maxlen=n * 2)
    got = 0
    done = asyncio.Event()

    async def handle(m: Msg, d: Delivery) -> None:
        nonlocal got
        got += 1
        if got == n:
            done.set()

    consumer = Consumer(bus, stream, "g", "c", Msg, handle, ConsumerConfig(batch=128, block_ms=100))
    await ensure_group(redis, stream, "g")
    runner = asyncio.create_task(consumer.run())
    start = time.perf_counter()
    for i in range(0, n, 100):
        await bus.publish_many(stream, [Msg(id=f"{stream}:{j}", sent=0.0) for j in range(i, min(n, i + 100))])
    await done.wait()
    elapsed = time.perf_counter() - start
    consumer.stop()
    await runner
    return n / elapsed


async def raw_throughput(redis: Redis, n: int) -> float:
    stream = f"bench.raw.{time.monotonic_ns()}"
    enc = msgspec.json.Encoder()
    await redis.xgroup_create(stream, "g", id="0", mkstream=True)
    got = 0

    async def consume() -> None:
        nonlocal got
        while got < n:
            reply = await redis.xreadgroup("g", "c", {stream: ">"}, count=128, block=100)
            for _, entries in reply or []:
                ids = [eid for eid, _ in entries]
                for _, fields in entries:
                    msgspec.json.decode(fields[b"d"], type=Msg)
                await redis.xack(stream, "g", *ids)
                got += len(ids)

    runner = asyncio.create_task(consume())
    start = time.perf_counter()
    for i in range(0, n, 100):
        pipe = redis.pipeline(transaction=False)
        for j in range(i, min(n, i + 100)):
            pipe.xadd(stream, {b"d": enc.encode(Msg(id=f"{stream}:{j}", sent=0.0)), b"k": str(j).encode()},
                      maxlen=n * 2, approximate=True)
        await pipe.execute()
    await runner
    return n / (time.perf_counter() - start)


async def bus_latency(redis: Redis, n: int, rate: float) -> list[float]:
    stream = f"bench.buslat.{time.monotonic_ns()}"
    bus = Bus(redis)
    lat: list[float] = []
    all_in = asyncio.Event()

    async def handle(m: Msg, d: Delivery) -> None:
        lat.append(time.perf_counter() - m.sent)
        if len(lat) == n:
            all_in.set()

    consumer = Consumer(bus, stream, "g", "c", Msg, handle, ConsumerConfig(batch=128, block_ms=100))
    await ensure_group(redis, stream, "g")
    runner = asyncio.create_task(consumer.run())
    for i in range(n):
        await bus.publish(stream, Msg(id=f"{stream}:{i}", sent=time.perf_counter()))
        await asyncio.sleep(1 / rate)
    await all_in.wait()
    consumer.stop()
    await runner
    return lat


async def raw_latency(redis: Redis, n: int, rate: float) -> list[float]:
    stream = f"bench.rawlat.{time.monotonic_ns()}"
    enc = msgspec.json.Encoder()
    await redis.xgroup_create(stream, "g", id="0", mkstream=True)
    lat: list[float] = []

    async def consume() -> None:
        while len(lat) < n:
            reply = await redis.xreadgroup("g", "c", {stream: ">"}, count=128, block=100)
            for _, entries in reply or []:
                for _, fields in entries:
                    lat.append(time.perf_counter() - msgspec.json.decode(fields[b"d"], type=Msg).sent)
                await redis.xack(stream, "g", *[eid for eid, _ in entries])

    runner = asyncio.create_task(consume())
    for i in range(n):
        await redis.xadd(stream, {b"d": enc.encode(Msg(id=str(i), sent=time.perf_counter()))})
        await asyncio.sleep(1 / rate)
    await runner
    return lat


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp))
        server.start()
        redis = Redis.from_url(server.url, socket_timeout=30)
        try:
            raw = await raw_throughput(redis, n)
            ours = await bus_throughput(redis, n)
            raw_lat = await raw_latency(redis, 1000, 500)
            bus_lat = await bus_latency(redis, 1000, 500)
        finally:
            await redis.aclose()
            server.stop()
    ms = 1000.0
    print(f"messages: {n} x ~{len(msgspec.json.encode(Msg(id='bench.bus.0:0', sent=0.0)))} bytes")
    print(f"throughput  raw {raw:9.0f} msg/s   bus {ours:9.0f} msg/s   ratio {ours / raw:5.2f}")
    print(f"latency p50 raw {statistics.median(raw_lat) * ms:6.2f} ms   bus {statistics.median(bus_lat) * ms:6.2f} ms")
    print(f"latency p99 raw {pct(raw_lat, 99) * ms:6.2f} ms   bus {pct(bus_lat, 99) * ms:6.2f} ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=20000)
    asyncio.run(main(ap.parse_args().messages))
