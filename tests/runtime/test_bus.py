"""The bus against a real Redis: ack after output, idempotency, poison, claims, groups."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
from redis.asyncio import Redis

from ouro_runtime.bus import Bus, Consumer, ConsumerConfig, Delivery, Poison, ensure_group, read_dead_letters
from ouro_schemas import names
from tests.utils import wait_for


class Ping(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    n: int


STREAM = "test.ping"
GROUP = "g"


def consumer(bus: Bus, name: str, handler, **cfg) -> Consumer[Ping]:  # type: ignore[no-untyped-def]
    config = ConsumerConfig(**({"claim_idle_ms": 200, "max_deliveries": 3, "block_ms": 50} | cfg))
    return Consumer(bus, STREAM, GROUP, name, Ping, handler, config)


async def test_publish_consume_ack(redis: Redis) -> None:
    bus = Bus(redis)
    seen: list[int] = []

    async def handle(msg: Ping, d: Delivery) -> None:
        seen.append(msg.n)

    c = consumer(bus, "c1", handle)
    for i in range(50):
        await bus.publish(STREAM, Ping(id=f"p{i}", n=i))
    assert await c.run_burst() == 50
    assert seen == list(range(50))
    pending = await redis.xpending(STREAM, GROUP)
    assert pending["pending"] == 0


async def test_duplicate_key_has_effect_once(redis: Redis) -> None:
    """A duplicated XADD (client retry after a lost reply) is handled once."""
    bus = Bus(redis)
    seen: list[str] = []

    async def handle(msg: Ping, d: Delivery) -> None:
        seen.append(msg.id)

    c = consumer(bus, "c1", handle)
    await bus.publish(STREAM, Ping(id="same", n=1))
    await bus.publish(STREAM, Ping(id="same", n=1))
    await bus.publish(STREAM, Ping(id="other", n=2))
    await c.run_burst()
    assert seen == ["same", "other"]
    assert c.stats.duplicates == 1


async def test_failure_is_retried_then_succeeds(redis: Redis) -> None:
    bus = Bus(redis)
    attempts: list[int] = []

    async def flaky(msg: Ping, d: Delivery) -> None:
        attempts.append(msg.n)
        if len(attempts) < 2:
            raise RuntimeError("transient")

    c = consumer(bus, "c1", flaky)
    await bus.publish(STREAM, Ping(id="x", n=7))
    await c.run_burst()
    assert c.stats.failed == 1 and c.stats.handled == 0
    # After the idle time the same consumer claims it back and succeeds.
    await wait_for(lambda: _poll_until_handled(c), timeout=5, what="retry to succeed")
    assert attempts == [7, 7]
    assert (await redis.xpending(STREAM, GROUP))["pending"] == 0


async def _poll_until_handled(c: Consumer[Ping]) -> bool:
    await c.poll_once(block_ms=None)
    return c.stats.handled == 1


async def test_poison_dead_letters_after_n_deliveries_with_error(redis: Redis) -> None:
    bus = Bus(redis)

    async def always_fails(msg: Ping, d: Delivery) -> None:
        raise ValueError(f"cannot digest {msg.n}")

    c = consumer(bus, "c1", always_fails, max_deliveries=3)
    await ensure_group(redis, STREAM, GROUP)
    await bus.publish(STREAM, Ping(id="poison", n=13))

    async def dead() -> list[dict[str, str]]:
        await c.poll_once(block_ms=None)
        return await read_dead_letters(redis, STREAM)

    rows = await wait_for(dead, timeout=10, what="dead letter")
    assert rows[0]["key"] == "poison"
    assert "ValueError: cannot digest 13" in rows[0]["error"]
    assert c.stats.failed == 3  # delivered exactly max_deliveries times
    assert (await redis.xpending(STREAM, GROUP))["pending"] == 0


async def test_undecodable_and_poison_go_straight_to_dead_letter(redis: Redis) -> None:
    bus = Bus(redis)

    async def handle(msg: Ping, d: Delivery) -> None:
        if msg.n < 0:
            raise Poison("negative n can never succeed")

    c = consumer(bus, "c1", handle)
    await redis.xadd(STREAM, {b"d": b'{"id": "bad", "n": "not a number"}', b"k": b"bad"})
    await redis.xadd(STREAM, {b"d": b"\xff\xfe garbage", b"k": b"garbage"})
    await bus.publish(STREAM, Ping(id="neg", n=-1))
    await bus.publish(STREAM, Ping(id="ok", n=1))
    await c.run_burst()
    rows = await read_dead_letters(redis, STREAM)
    by_key = {r["key"]: r["error"] for r in rows}
    assert set(by_key) == {"bad", "garbage", "neg"}
    assert "$.n" in by_key["bad"] and "Expected `int`" in by_key["bad"]
    assert by_key["neg"].startswith("poison: negative n")
    assert c.stats.handled == 1


async def test_dead_consumer_entries_are_claimed_by_a_live_one(redis: Redis) -> None:
    bus = Bus(redis)
    done: list[str] = []

    async def never_finishes(msg: Ping, d: Delivery) -> None:
        await asyncio.Event().wait()

    async def handle(msg: Ping, d: Delivery) -> None:
        done.append(f"{msg.id}:{d.claimed}")

    dying = consumer(bus, "dying", never_finishes)
    await ensure_group(redis, STREAM, GROUP)
    await bus.publish(STREAM, Ping(id="a", n=1))
    task = asyncio.create_task(dying.poll_once(block_ms=None))
    await wait_for(lambda: _pending_of(redis, "dying"), what="entry delivered to the dying consumer")
    task.cancel()  # the consumer "dies" holding the entry

    live = consumer(bus, "live", handle, claim_idle_ms=200)

    async def claimed() -> bool:
        await live.poll_once(block_ms=None)
        return bool(done)

    await wait_for(claimed, timeout=5, what="claim")
    assert done == ["a:True"]
    assert live.stats.claimed == 1


async def _pending_of(redis: Redis, name: str) -> bool:
    info = await redis.xpending(STREAM, GROUP)
    return any(c["name"] in (name, name.encode()) for c in info["consumers"])


async def test_missing_group_is_recreated(redis: Redis) -> None:
    """After Redis restarts empty, XREADGROUP says NOGROUP: the consumer recreates the group."""
    bus = Bus(redis)
    seen: list[int] = []

    async def handle(msg: Ping, d: Delivery) -> None:
        seen.append(msg.n)

    c = consumer(bus, "c1", handle)
    runner = asyncio.create_task(c.run())
    await c.ready.wait()
    await redis.delete(STREAM)  # stream and group gone, as after an empty restart
    await bus.publish(STREAM, Ping(id="after", n=5))
    await wait_for(lambda: _truthy(seen), timeout=10, what="message after the group vanished")
    c.stop()
    await runner
    assert seen == [5]


async def _truthy(value: object) -> bool:
    return bool(value)


async def test_stop_finishes_the_batch_in_hand(redis: Redis) -> None:
    bus = Bus(redis)
    release = asyncio.Event()
    seen: list[int] = []

    async def slow(msg: Ping, d: Delivery) -> None:
        await release.wait()
        seen.append(msg.n)

    c = consumer(bus, "c1", slow)
    await ensure_group(redis, STREAM, GROUP)
    await bus.publish(STREAM, Ping(id="s", n=1))
    runner = asyncio.create_task(c.run())
    await wait_for(lambda: _pending_of(redis, "c1"), what="delivery")
    c.stop()
    release.set()
    await asyncio.wait_for(runner, 5)
    assert seen == [1]
    assert (await redis.xpending(STREAM, GROUP))["pending"] == 0


async def test_streams_are_bounded(redis: Redis) -> None:
    bus = Bus(redis, maxlen=100)
    await bus.publish_many(STREAM, [Ping(id=f"m{i}", n=i) for i in range(2000)])
    assert await redis.xlen(STREAM) < 400  # approximate MAXLEN trims in whole macro nodes


def test_dead_letter_name() -> None:
    assert names.dead_letter(names.GEN_JOBS) == "gen.jobs.dead"


@pytest.mark.parametrize("bad", [b"", b"{}", b"[1,2]", b'{"id": 1, "n": 1}'])
async def test_bad_messages_never_reach_the_handler(redis: Redis, bad: bytes) -> None:
    bus = Bus(redis)
    called: list[Ping] = []

    async def handle(msg: Ping, d: Delivery) -> None:
        called.append(msg)

    c = consumer(bus, "c1", handle)
    await redis.xadd(STREAM, {b"d": bad})
    await c.run_burst()
    assert called == []
    assert len(await read_dead_letters(redis, STREAM)) == 1
