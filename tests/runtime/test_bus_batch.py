"""The bus's batch hook (`BatchConsumer`) against a real Redis: the batch handler sees each key once,
what it fails is retried, what it poisons or cannot finish is dead-lettered, and a Redis restart
between its output and the ack does not run it again."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_runtime.bus import (
    BatchConsumer,
    BatchHandler,
    BatchOutcome,
    Bus,
    ConsumerConfig,
    Delivery,
    Poison,
    ensure_group,
    read_dead_letters,
)
from ouro_runtime.redis_server import RedisServer
from ouro_runtime.service import Service
from ouro_runtime.settings import ServiceSettings
from tests.utils import wait_for

STREAM = "test.batch"
GROUP = "g"


class Ping(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    n: int


Batch = list[tuple[Ping, Delivery]]


def batch_consumer(bus: Bus, handler: BatchHandler[Ping], name: str = "c1", **cfg: Any) -> BatchConsumer[Ping]:
    config = ConsumerConfig(**({"claim_idle_ms": 200, "max_deliveries": 3, "block_ms": 50} | cfg))
    return BatchConsumer(bus, STREAM, GROUP, name, Ping, handler, config)


def finish_all(batch: Batch) -> BatchOutcome:
    outcome = BatchOutcome()
    for _, d in batch:
        outcome.finish(d)
    return outcome


async def pending(redis: Redis) -> int:
    return int((await redis.xpending(STREAM, GROUP))["pending"])


async def test_one_call_per_batch_in_order_and_acked(redis: Redis) -> None:
    bus = Bus(redis)
    calls: list[list[int]] = []

    async def handle(batch: Batch) -> BatchOutcome:
        calls.append([m.n for m, _ in batch])
        return finish_all(batch)

    for i in range(10):
        await bus.publish(STREAM, Ping(id=f"p{i}", n=i))
    c = batch_consumer(bus, handle, batch=4)
    assert await c.run_burst() == 10
    assert calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert c.stats.handled == 10 and await pending(redis) == 0


async def test_duplicates_are_skipped_before_the_handler(redis: Redis) -> None:
    """A key handled in an earlier batch, and a key twice in the same batch, reach the handler once."""
    bus = Bus(redis)
    seen: Counter[str] = Counter()

    async def handle(batch: Batch) -> BatchOutcome:
        seen.update(m.id for m, _ in batch)
        return finish_all(batch)

    c = batch_consumer(bus, handle)
    await bus.publish(STREAM, Ping(id="a", n=1))
    await c.run_burst()
    for pid in ("a", "b", "b", "c"):  # "a" again (a redelivery), "b" twice in one batch
        await bus.publish(STREAM, Ping(id=pid, n=2))
    await c.run_burst()
    assert seen == Counter({"a": 1, "b": 1, "c": 1})
    assert c.stats.duplicates == 2 and c.stats.handled == 3
    assert await pending(redis) == 0


async def test_failed_entries_stay_pending_and_are_retried(redis: Redis) -> None:
    bus = Bus(redis)
    attempts: Counter[str] = Counter()

    async def handle(batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        for m, d in batch:
            attempts[m.id] += 1
            if m.id == "flaky" and attempts[m.id] == 1:
                outcome.fail(d, RuntimeError("transient"))
            else:
                outcome.finish(d)
        return outcome

    c = batch_consumer(bus, handle)
    for pid in ("x", "flaky", "y"):
        await bus.publish(STREAM, Ping(id=pid, n=0))
    await c.run_burst()
    assert c.stats.handled == 2 and c.stats.failed == 1
    assert await pending(redis) == 1  # only the failed one
    # Claimed back after claim_idle_ms and finished.
    await wait_for(lambda: _handled(c, 3), timeout=5, what="the failed entry to be retried")
    assert attempts == Counter({"x": 1, "flaky": 2, "y": 1})
    assert await pending(redis) == 0


async def test_poison_and_repeated_failures_are_dead_lettered(redis: Redis) -> None:
    bus = Bus(redis)
    calls: Counter[str] = Counter()

    async def handle(batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        for m, d in batch:
            calls[m.id] += 1
            if m.id == "poison":
                outcome.poison(d, "can never work")
            elif m.id == "broken":
                outcome.fail(d, ValueError("always broken"))
            else:
                outcome.finish(d)
        return outcome

    c = batch_consumer(bus, handle)
    for pid in ("ok", "poison", "broken"):
        await bus.publish(STREAM, Ping(id=pid, n=0))
    await redis.xadd(STREAM, {b"d": b"{not json", b"k": b"garbage"})
    await c.run_burst()
    await wait_for(lambda: _dead(c, 3), timeout=10, what="poison, garbage and broken dead-lettered")
    dead = {d["key"]: d["error"] for d in await read_dead_letters(redis, STREAM)}
    assert dead["poison"] == "poison: can never work"
    assert dead["garbage"].startswith("undecodable Ping")
    assert dead["broken"].startswith("ValueError: always broken")
    assert calls == Counter({"ok": 1, "poison": 1, "broken": 3})  # max_deliveries=3
    assert "garbage" not in calls and await pending(redis) == 0


async def test_a_raising_batch_handler_isolates_the_bad_entry(redis: Redis) -> None:
    """The handler raises for the whole batch: its entries are run again one by one, at once; the good
    ones finish in the same pass, the bad one alone fails (and Poison alone dead-letters)."""
    bus = Bus(redis)
    sizes: list[int] = []
    done: list[str] = []

    async def handle(batch: Batch) -> BatchOutcome:
        sizes.append(len(batch))
        for m, _ in batch:
            if m.id == "bad":
                raise RuntimeError("a bug meets one entry")
            if m.id == "toxic":
                raise Poison("toxic payload")
        done.extend(m.id for m, _ in batch)
        return finish_all(batch)

    c = batch_consumer(bus, handle)
    for pid in ("a", "bad", "b", "toxic", "c"):
        await bus.publish(STREAM, Ping(id=pid, n=0))
    await c.run_burst()
    assert sizes == [5, 1, 1, 1, 1, 1]
    assert done == ["a", "b", "c"]
    assert c.stats.handled == 3 and c.stats.failed == 1 and c.stats.dead == 1
    assert [d["key"] for d in await read_dead_letters(redis, STREAM)] == ["toxic"]
    assert await pending(redis) == 1  # "bad", retried after claim_idle_ms


async def test_entries_not_named_stay_pending_and_come_back(redis: Redis) -> None:
    """Work the handler did not start (e.g. it is stopping) is neither acked nor counted as failed."""
    bus = Bus(redis)
    calls: list[list[str]] = []

    async def handle(batch: Batch) -> BatchOutcome:
        calls.append([m.id for m, _ in batch])
        outcome = BatchOutcome()
        outcome.finish(batch[0][1])  # only the first, each time
        return outcome

    c = batch_consumer(bus, handle, claim_idle_ms=60_000)
    for pid in ("a", "b", "c"):
        await bus.publish(STREAM, Ping(id=pid, n=0))
    await c.run_burst()
    assert calls == [["a", "b", "c"], ["b", "c"], ["c"]]  # re-read from the own pending list
    assert c.stats.failed == 0 and c.stats.handled == 3 and await pending(redis) == 0


async def test_stop_leaves_the_batch_to_the_own_pending_list(redis: Redis) -> None:
    bus = Bus(redis)
    seen: list[str] = []

    async def handle(batch: Batch) -> BatchOutcome:
        seen.extend(m.id for m, _ in batch)
        return finish_all(batch)

    c = batch_consumer(bus, handle)
    await ensure_group(redis, STREAM, GROUP)
    await bus.publish(STREAM, Ping(id="a", n=0))
    c.active.clear()
    await c.poll_once(block_ms=None)
    assert seen == [] and await pending(redis) == 1
    c.active.set()
    await c.run_burst()
    assert seen == ["a"] and await pending(redis) == 0


async def test_redis_gone_between_batch_handler_and_ack_does_not_repeat_it(own_redis: RedisServer) -> None:
    """The batch's output happened, then Redis stopped cleanly before the mark+ack: the consumer owes
    the ack, settles it after recovery, and no entry reaches the handler twice."""
    redis = Redis.from_url(own_redis.url, socket_timeout=2, socket_connect_timeout=1)
    bus = Bus(redis)
    await ensure_group(redis, STREAM, GROUP)
    for n in range(6):
        await bus.publish(STREAM, Ping(id=f"owed-{n}", n=n))
    effects: Counter[str] = Counter()
    stopped = False

    async def handle(batch: Batch) -> BatchOutcome:
        nonlocal stopped
        effects.update(m.id for m, _ in batch)
        if not stopped:
            stopped = True
            await asyncio.to_thread(own_redis.stop)  # Redis leaves after the effect, before the ack
        return finish_all(batch)

    c = batch_consumer(bus, handle, block_ms=100, claim_idle_ms=500, backoff_max_s=0, batch=4)
    runner = asyncio.create_task(c.run())
    await wait_for(lambda: _down(own_redis), timeout=10, what="redis to stop inside the batch handler")
    await asyncio.sleep(0.3)
    own_redis.start()
    await wait_for(lambda: _counted(c, 6), timeout=30, what="all six handled")
    await wait_for(lambda: _none_pending(redis), timeout=10, what="nothing pending")
    c.stop()
    await runner
    await redis.aclose()
    assert effects == Counter({f"owed-{n}": 1 for n in range(6)})


async def test_an_output_in_flight_overlaps_the_next_batch_and_is_acked_after_it(redis: Redis) -> None:
    """A handler that returns before its output is complete (`after`): the next batch is handed over
    meanwhile, and the first one's entries are acked only once its output completed."""
    bus = Bus(redis)
    events: list[str] = []
    outputs: list[asyncio.Future[None]] = []

    async def complete(n: int, future: asyncio.Future[None]) -> None:
        await future
        events.append(f"output {n} done, pending {await pending(redis)}")

    async def handle(batch: Batch) -> BatchOutcome:
        n = len(outputs)
        events.append(f"batch {n}: {[m.id for m, _ in batch]}, pending {await pending(redis)}")
        if outputs:
            outputs[-1].set_result(None)  # the previous output completes only while this batch is in hand
        outputs.append(asyncio.get_running_loop().create_future())
        outcome = finish_all(batch)
        outcome.after(complete(n, outputs[-1]))
        if len(outputs) == 3:
            outputs[-1].set_result(None)
        return outcome

    for i in range(6):
        await bus.publish(STREAM, Ping(id=f"f{i}", n=i))
    c = batch_consumer(bus, handle, batch=2)
    assert await c.run_burst() == 6
    assert events == ["batch 0: ['f0', 'f1'], pending 2",
                      "batch 1: ['f2', 'f3'], pending 4",  # batch 0 not acked yet: its output is out
                      "output 0 done, pending 4",
                      "batch 2: ['f4', 'f5'], pending 4",  # batch 0 acked after its output, 1 in flight
                      "output 1 done, pending 4",
                      "output 2 done, pending 2"]
    assert c.stats.handled == 6 and await pending(redis) == 0


async def test_a_duplicate_of_an_entry_in_flight_is_skipped(redis: Redis) -> None:
    """The keys of the batch in flight are not marked done yet: the same key in the next batch is
    still a duplicate (acked, not handed over)."""
    bus = Bus(redis)
    seen: list[str] = []
    second_in_hand = asyncio.Event()

    async def handle(batch: Batch) -> BatchOutcome:
        if seen:
            second_in_hand.set()
        seen.extend(m.id for m, _ in batch)
        outcome = finish_all(batch)
        outcome.after(second_in_hand.wait())  # the first output completes once the second batch is in hand
        return outcome

    for pid in ("a", "b", "a", "c"):
        await bus.publish(STREAM, Ping(id=pid, n=0))
    c = batch_consumer(bus, handle, batch=2)
    await c.run_burst()
    assert seen == ["a", "b", "c"] and c.stats.duplicates == 1 and c.stats.handled == 3
    assert await pending(redis) == 0


async def test_an_output_that_fails_leaves_its_batch_pending(redis: Redis) -> None:
    """An output that raises a Redis error (or OSError): none of its entries is acked; they are read
    again from the own pending list and handled again. Any other error fails them (retried later)."""
    bus = Bus(redis)
    calls: list[list[str]] = []

    async def fail_with(exc: BaseException) -> None:
        raise exc

    async def handle(batch: Batch) -> BatchOutcome:
        calls.append([m.id for m, _ in batch])
        outcome = finish_all(batch)
        if len(calls) == 1:
            outcome.after(fail_with(OSError("disk full")))
        elif len(calls) == 3:
            outcome.after(fail_with(RuntimeError("a bug in the output")))
        return outcome

    for pid in ("a", "b"):
        await bus.publish(STREAM, Ping(id=pid, n=0))
    c = batch_consumer(bus, handle)
    try:
        await c.run_burst()
        raise AssertionError("the output's OSError reaches the loop (handled like a Redis error by run())")
    except OSError:
        pass
    assert c.stats.handled == 0 and await pending(redis) == 2
    await c.run_burst()  # the own pending list first
    assert calls == [["a", "b"], ["a", "b"]] and c.stats.handled == 2 and await pending(redis) == 0
    await bus.publish(STREAM, Ping(id="c", n=0))
    await c.run_burst()
    assert calls[-1] == ["c"] and c.stats.failed == 1 and await pending(redis) == 1
    await wait_for(lambda: _handled(c, 3), timeout=5, what="the failed output to be retried")
    assert calls[-1] == ["c"] and await pending(redis) == 0


async def test_stop_settles_the_output_in_flight(redis: Redis) -> None:
    """`run()` ends (SIGTERM) only after the batch in flight completed its output and was acked."""
    bus = Bus(redis)
    c: BatchConsumer[Ping]
    released = asyncio.Event()

    async def slow_output() -> None:
        await asyncio.sleep(0.2)
        released.set()

    async def handle(batch: Batch) -> BatchOutcome:
        outcome = finish_all(batch)
        outcome.after(slow_output())
        c.stop()
        return outcome

    c = batch_consumer(bus, handle)
    await bus.publish(STREAM, Ping(id="last", n=0))
    await asyncio.wait_for(c.run(), timeout=5)
    assert released.is_set() and c.stats.handled == 1 and await pending(redis) == 0


async def test_batch_consumer_from_the_service(redis: Redis, redis_url: str) -> None:
    svc = Service("test", ServiceSettings(redis_url=redis_url, claim_idle_ms=1234), redis=redis)
    got: list[int] = []

    async def handle(batch: Batch) -> BatchOutcome:
        got.extend(m.n for m, _ in batch)
        return finish_all(batch)

    c = svc.consume_batches(STREAM, GROUP, Ping, handle, batch=2)
    assert c in svc.consumers and c.config.claim_idle_ms == 1234 and c.config.batch == 2
    for i in range(3):
        await svc.bus.publish(STREAM, Ping(id=f"s{i}", n=i))
    await c.run_burst()
    assert got == [0, 1, 2] and c.stats.handled == 3


async def _handled(c: BatchConsumer[Ping], n: int) -> bool:
    await c.poll_once(block_ms=None)
    return c.stats.handled >= n


async def _counted(c: BatchConsumer[Ping], n: int) -> bool:
    return c.stats.handled >= n  # the consumer runs in its own task: only look


async def _dead(c: BatchConsumer[Ping], n: int) -> bool:
    await c.poll_once(block_ms=None)
    return c.stats.dead >= n


async def _down(server: RedisServer) -> bool:
    return not server.running


async def _none_pending(redis: Redis) -> bool:
    return await pending(redis) == 0
