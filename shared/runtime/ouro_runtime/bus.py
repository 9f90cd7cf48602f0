"""The typed stream bus over Redis Streams and consumer groups (DESIGN §2).

Delivery is at-least-once; the effect is once:

1. `publish` XADDs a msgspec-encoded message with an idempotency key, trimmed by approximate MAXLEN.
2. A `Consumer` first re-reads its own pending list (id 0: entries it was given but never acked, e.g.
   after a connection error), then new entries (`>`), in batches.
3. An entry whose key was already handled by this group is acked and skipped (a duplicate XADD from a
   client retry, or a redelivery after a crash between output and ack). The handled keys are one
   sorted set per stream and group (ZMSCORE to check, ZADD to mark), trimmed by age and count.
4. The handler runs; only after it returns (its output written) are the keys marked done and the
   entries acked, in one pipeline (marks first: a crash between the two only causes a skipped redelivery).
   If Redis goes away during that pipeline, the consumer remembers what it owes and settles it first
   after recovery, so a Redis restart alone never makes a living consumer run a handler twice.
5. A handler error leaves the entry pending. Every `claim_idle_ms / 2` each consumer XAUTOCLAIMs
   entries idle longer than `claim_idle_ms` (a dead consumer's, or its own failures) and retries them.
6. An entry delivered `max_deliveries` times — or one that cannot be decoded, or whose handler raised
   `Poison` — goes to `<stream>.dead` with the error, and is acked.
7. Redis errors: back off (with jitter), recreate a missing group (NOGROUP after Redis restarted
   empty), re-read the own pending list, go on.
8. `stop` (SIGTERM): stop reading, finish the batch in hand, ack it, return.
9. `active` cleared (emergency STOP): no handler starts; entries a blocking read returned meanwhile stay
   pending on this consumer and are handled from its own pending list when `active` is set again.

A `BatchConsumer` is the same loop with one handler call per batch instead of per entry: its batch
handler receives the decoded, deduplicated entries of the batch (undecodable ones are dead-lettered,
duplicates acked before it runs) and returns a `BatchOutcome` naming the entries it finished (marked
and acked after it returns, as in 4), failed (left pending, retried, dead-lettered after
`max_deliveries`) or poisoned (dead-lettered now). An entry it does not name stays pending on this
consumer and is read again on the next pass (work not started, e.g. because the service is stopping).
If the batch handler raises, none of its entries finished: a Redis error is handled as in 7, any other
error makes the consumer run the handler again on each entry alone, right away, so one bad entry
cannot hold back or dead-letter the rest. Steps 4 (owed acks), 5, 6, 8 and 9 hold for batches too.

A batch handler may return before its output is complete, naming what completes it (`BatchOutcome.
after`: e.g. a MULTI in flight and files being written). The consumer then reads and hands over the
next batch (`>` only, without blocking) and marks and acks the first one's finished entries only once
that has resolved — one batch in flight, so the handler's next call overlaps the previous output.
If it raises, none of them is acked: a Redis error (or OSError) is handled as in 7, they are read again
from the own pending list; any other error fails them (retried, dead-lettered after `max_deliveries`).
Before anything else that could hand the same entries over again (the own pending list, XAUTOCLAIM,
owed acks), on an empty read, on STOP and at shutdown, the batch in flight is settled first.

Handlers must be idempotent on the message key for their *outputs* too: derive output ids from the
input's id, so a redelivered input produces the same output, which the next stage then dedupes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ouro_runtime import metrics
from ouro_schemas import names

log = logging.getLogger(__name__)
T = TypeVar("T")

FIELD_DATA = b"d"
FIELD_KEY = b"k"
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


class Poison(Exception):
    """Raised by a handler for a message that can never succeed: dead-letter it now, no retries."""


@dataclass(frozen=True)
class Delivery:
    """What a handler knows about the entry besides the message itself."""

    stream: str
    entry_id: str
    key: str
    claimed: bool  # re-delivered by XAUTOCLAIM or from the own pending list
    data: bytes = b""  # the message's JSON as it arrived (a handler that stores it needs no re-encoding)


Handler = Callable[[T, Delivery], Awaitable[None]]


@dataclass
class BatchOutcome:
    """A batch handler's answer: which of its entries finished, failed or are poison.

    Entries named in none of the three stay pending on the consumer (read again on its next pass).
    An entry named more than once counts as its worst: poisoned, then failed, then finished."""

    finished: list[Delivery] = field(default_factory=list)
    failed: list[tuple[Delivery, BaseException]] = field(default_factory=list)
    poisoned: list[tuple[Delivery, str]] = field(default_factory=list)
    # What completes the output of the finished entries, if the handler returned before it did: they are
    # marked and acked only once each has resolved (module docstring). Awaited in order.
    waits: list[Awaitable[None]] = field(default_factory=list)

    def after(self, completion: Awaitable[None]) -> None:
        """The finished entries' output is complete only when `completion` resolves (it may raise)."""
        self.waits.append(completion)

    def finish(self, delivery: Delivery) -> None:
        """Its output is written: mark its key done and ack it."""
        self.finished.append(delivery)

    def fail(self, delivery: Delivery, error: BaseException) -> None:
        """Leave it pending for a retry (claimed back after `claim_idle_ms`; dead-lettered once it was
        delivered `max_deliveries` times)."""
        self.failed.append((delivery, error))

    def poison(self, delivery: Delivery, reason: str) -> None:
        """It can never succeed: dead-letter it now with `reason`."""
        self.poisoned.append((delivery, reason))


# The entries of one batch, decoded and deduplicated, each with its delivery.
BatchHandler = Callable[[list[tuple[T, Delivery]]], Awaitable[BatchOutcome]]


@dataclass
class _Item(Generic[T]):
    """One fresh entry of a batch on its way through the consumer."""

    eid: bytes
    fields: dict[bytes, bytes]
    key: str
    message: T
    delivery: Delivery


@dataclass
class _InFlight(Generic[T]):
    """A handed-over batch whose output is still being completed: acked once `waits` resolved."""

    waits: list[Awaitable[None]]
    finished: list[_Item[T]]
    duplicates: list[bytes]


def _entry_key(entry_id: str, fields: dict[bytes, bytes]) -> str:
    raw = fields.get(FIELD_KEY)
    return raw.decode() if raw else entry_id


class Bus:
    """Publishing side, and the shared encoder. One per process; cheap to share."""

    def __init__(self, redis: Redis, *, maxlen: int = 100_000) -> None:
        self.redis = redis
        self.maxlen = maxlen
        self._encoder = msgspec.json.Encoder()

    def encode(self, message: Any) -> bytes:
        return self._encoder.encode(message)

    async def publish(self, stream: str, message: Any, *, key: str | None = None) -> str:
        """XADD `message` to `stream`. `key` is its idempotency key (defaults to its `id` field)."""
        fields = self.fields(message, key)
        entry_id = await self.redis.xadd(stream, fields, maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]
        metrics.MESSAGES_OUT.labels(stream).inc()
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    async def publish_many(self, stream: str, messages: list[Any]) -> None:
        if not messages:
            return
        pipe = self.redis.pipeline(transaction=False)
        for message in messages:
            pipe.xadd(stream, self.fields(message, None), maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]
        await pipe.execute()
        metrics.MESSAGES_OUT.labels(stream).inc(len(messages))

    def fields(self, message: Any, key: str | None) -> dict[bytes, bytes]:
        if key is None:
            key = getattr(message, "id", None)
        fields = {FIELD_DATA: self.encode(message)}
        if key:
            fields[FIELD_KEY] = key.encode()
        return fields


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Create the group (and the stream) if missing; BUSYGROUP means it exists, which is fine."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


@dataclass
class ConsumerConfig:
    claim_idle_ms: int = 30_000
    max_deliveries: int = 5
    batch: int = 128
    block_ms: int = 1_000
    done_ttl_s: int = 3600  # how long a handled key is remembered for dedupe...
    done_max: int = 200_000  # ...and how many at most (redeliveries come within minutes, not hours)
    backoff_max_s: float = 5.0


@dataclass
class _Stats:
    handled: int = 0
    failed: int = 0
    dead: int = 0
    duplicates: int = 0
    claimed: int = 0
    last_error: str = ""
    extra: dict[str, int] = field(default_factory=dict)


class Consumer(Generic[T]):
    """One consumer in one group on one stream, handling messages of type `kind`."""

    def __init__(
        self,
        bus: Bus,
        stream: str,
        group: str,
        name: str,
        kind: type[T],
        handler: Handler[T],
        config: ConsumerConfig | None = None,
    ) -> None:
        self.bus = bus
        self.redis = bus.redis
        self.stream = stream
        self.group = group
        self.name = name
        self.kind = kind
        self.handler = handler
        self.config = config or ConsumerConfig()
        self.stats = _Stats()
        self._decoder = msgspec.json.Decoder(kind)
        self._stopping = asyncio.Event()
        self._labels = (stream, group)
        # Keys this group has handled, scored by time: the dedupe memory (one sorted set per stream/group).
        self._done_key = f"{names.BUS_DONE}{stream}:{group}"
        self._batches = 0
        self._handler_seconds = metrics.HANDLER_SECONDS.labels(stream, group)  # hot path: bind once
        self._next_claim = 0.0
        self._read_own_pending = True
        # Handled entries whose mark+ack did not reach Redis (it went away mid-pipeline): settled first
        # thing after recovery, so a Redis restart never runs a handler twice in a living consumer.
        self._owed_acks: list[bytes] = []
        self._owed_keys: list[str] = []
        self._in_flight: _InFlight[T] | None = None  # a batch whose output is not complete yet (after())
        self.ready = asyncio.Event()  # set once the group exists and the first read was issued
        self.active = asyncio.Event()  # cleared while the service is told to stop taking work (STOP)
        self.active.set()

    # --- lifecycle -------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self) -> None:
        """Consume until `stop()`; survives Redis restarts."""
        delay = 0.1
        while not self._stopping.is_set():
            try:
                await ensure_group(self.redis, self.stream, self.group)
                self._read_own_pending = True
                self.ready.set()
                while not self._stopping.is_set():
                    if not self.active.is_set():
                        await self.settle_in_flight()
                        await self._wait_active()
                        continue
                    await self.poll_once()
                await self.settle_in_flight()
                delay = 0.1
            except REDIS_ERRORS as exc:
                await self._recover(exc, delay)
                delay = min(delay * 2, self.config.backoff_max_s)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                log.warning("group missing, recreating", extra={"stream": self.stream, "group": self.group})
                metrics.REDIS_RECONNECTS.labels(*self._labels).inc()

    async def _wait_active(self) -> None:
        try:
            await asyncio.wait_for(self.active.wait(), timeout=0.25)
        except TimeoutError:
            pass

    async def run_burst(self, *, idle_rounds: int = 1) -> int:
        """Consume until the stream has nothing new for this group (tests, benchmarks). Returns count."""
        await ensure_group(self.redis, self.stream, self.group)
        before = self.stats.handled + self.stats.dead + self.stats.duplicates
        empty = 0
        while empty < idle_rounds and not self._stopping.is_set():
            got = await self.poll_once(block_ms=None)
            empty = empty + 1 if got == 0 else 0
        await self.settle_in_flight()
        return self.stats.handled + self.stats.dead + self.stats.duplicates - before

    async def _recover(self, exc: BaseException, delay: float) -> None:
        metrics.REDIS_RECONNECTS.labels(*self._labels).inc()
        self.stats.last_error = f"{type(exc).__name__}: {exc}"
        log.warning("redis unavailable, backing off",
                    extra={"stream": self.stream, "group": self.group, "error": self.stats.last_error,
                           "delay_s": round(delay, 2)})
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=delay * (0.5 + random.random()))
        except TimeoutError:
            pass

    # --- one pass --------------------------------------------------------------------------------
    async def poll_once(self, block_ms: int | None = -1) -> int:
        """Claim idle entries when due, then read one batch and handle it. Returns entries seen."""
        seen = 0
        if self._owed_acks:
            await self.settle_in_flight()  # its entries are still pending: never hand them over twice
            acks, keys = self._owed_acks, self._owed_keys
            self._owed_acks, self._owed_keys = [], []
            await self._ack(acks, keys)
        now = time.monotonic()
        if now >= self._next_claim:
            await self.settle_in_flight()
            self._next_claim = now + self.config.claim_idle_ms / 2000
            seen += await self._claim_idle()
        if self._read_own_pending:
            await self.settle_in_flight()
            entries = await self._read("0", None)
            if entries:
                return seen + await self._handle_batch(entries, claimed=True)
            self._read_own_pending = False
        block = self.config.block_ms if block_ms == -1 else block_ms
        if self._in_flight is not None:
            block = None  # do not hold the batch in flight back behind a blocking read
        entries = await self._read(">", block)
        if not entries:
            await self.settle_in_flight()
        seen += await self._handle_batch(entries, claimed=False)
        return seen

    async def _read(self, start: str, block_ms: int | None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        reply: Any = await self.redis.xreadgroup(
            self.group, self.name, {self.stream: start}, count=self.config.batch, block=block_ms
        )
        if not reply:
            return []
        entries: list[tuple[bytes, dict[bytes, bytes]]] = reply[0][1]
        # Entries deleted by trimming show up in the pending list with no fields: ack them away.
        gone = [eid for eid, fields in entries if not fields]
        if gone:
            await self.redis.xack(self.stream, self.group, *gone)
        return [(eid, fields) for eid, fields in entries if fields]

    async def _claim_idle(self) -> int:
        reply: Any = await self.redis.xautoclaim(
            self.stream, self.group, self.name, min_idle_time=self.config.claim_idle_ms, start_id="0-0",
            count=self.config.batch,
        )
        entries = [(eid, fields) for eid, fields in reply[1] if fields] if reply else []
        if not entries:
            return 0
        self.stats.claimed += len(entries)
        metrics.MESSAGES_CLAIMED.labels(*self._labels).inc(len(entries))
        # Entries a consumer died on (SIGKILL, OOM) never reach the error path: count deliveries here.
        counts = await self._delivery_counts([eid for eid, _ in entries])
        fresh = []
        for eid, fields in entries:
            if counts.get(eid, 0) > self.config.max_deliveries:
                await self._dead_letter(eid, fields, f"delivered {counts[eid]} times without completing")
            else:
                fresh.append((eid, fields))
        return len(entries) - len(fresh) + await self._handle_batch(fresh, claimed=True)

    async def _delivery_counts(self, ids: list[bytes]) -> dict[bytes, int]:
        if not ids:
            return {}
        rows: Any = await self.redis.xpending_range(
            self.stream, self.group, min=min(ids), max=max(ids), count=len(ids) + 1000
        )
        wanted = set(ids)
        out: dict[bytes, int] = {}
        for row in rows:
            eid = row["message_id"]
            eid = eid if isinstance(eid, bytes) else str(eid).encode()
            if eid in wanted:
                out[eid] = int(row["times_delivered"])
        return out

    async def _handle_batch(self, entries: list[tuple[bytes, dict[bytes, bytes]]], *, claimed: bool) -> int:
        if not entries:
            return 0
        if not self.active.is_set():
            # STOP arrived while the read was blocking: leave them pending on this consumer, untouched;
            # they are read again from the own pending list once work resumes.
            self._read_own_pending = True
            return len(entries)
        items, duplicates, undecodable = await self._fresh(entries, claimed)
        outcome = BatchOutcome()
        try:
            if items:
                await self._dispatch(items, outcome)
            await self.settle_in_flight()  # the previous batch's output, overlapped with this dispatch
            acks, done_keys = await self._settle(items, outcome, undecodable)
        except REDIS_ERRORS:
            # Redis went away mid-batch: what was already handled is owed, not forgotten — unless its
            # output was still being completed (then it stays pending and is read again).
            if not outcome.waits:
                done = {d.entry_id for d in outcome.finished}
                finished = [item for item in items if item.delivery.entry_id in done]
                self._owe(duplicates + [item.eid for item in finished], [item.key for item in finished])
            with contextlib.suppress(*REDIS_ERRORS):  # the previous batch's output may be complete: ack or owe it
                await self.settle_in_flight()
            raise
        if outcome.waits:
            by_eid = {item.eid: item for item in items}
            self._in_flight = _InFlight(outcome.waits, [by_eid[eid] for eid in acks], duplicates)
            return len(entries)
        await self._ack(duplicates + acks, done_keys)
        return len(entries)

    async def settle_in_flight(self) -> None:
        """Wait for the batch in flight to complete its output, then mark and ack it (module docstring).
        Raises a Redis error (or OSError) from the output: its entries are then read again after recovery."""
        flight, self._in_flight = self._in_flight, None
        if flight is None:
            return
        try:
            for completion in flight.waits:
                await completion
        except REDIS_ERRORS:
            self._read_own_pending = True
            if flight.duplicates:
                await self._ack(flight.duplicates, [])
            raise
        except Exception as exc:  # a bug in the output: fail them, as a handler error would
            if flight.duplicates:
                await self._ack(flight.duplicates, [])
            await self._failed([(item, exc) for item in flight.finished])
            return
        await self._ack(flight.duplicates + [item.eid for item in flight.finished],
                        [item.key for item in flight.finished])

    async def _fresh(self, entries: list[tuple[bytes, dict[bytes, bytes]]], claimed: bool
                     ) -> tuple[list[_Item[T]], list[bytes], list[tuple[bytes, dict[bytes, bytes], str]]]:
        """(entries to handle, decoded; duplicates to ack; undecodable entries with the reason)."""
        keys = [_entry_key(eid.decode(), fields) for eid, fields in entries]
        done_flags: list[Any] = await self.redis.zmscore(self._done_key, keys)
        items: list[_Item[T]] = []
        duplicates: list[bytes] = []
        undecodable: list[tuple[bytes, dict[bytes, bytes], str]] = []
        # Keys of the batch in flight are not marked done yet: a duplicate of one is still a duplicate.
        seen: set[str] = {item.key for item in self._in_flight.finished} if self._in_flight else set()
        for (eid, fields), key, done in zip(entries, keys, done_flags, strict=True):
            if done or key in seen:  # handled before, or earlier in this very batch (or the one in flight)
                self.stats.duplicates += 1
                metrics.MESSAGES_DUPLICATE.labels(*self._labels).inc()
                duplicates.append(eid)
                continue
            try:
                message = self._decoder.decode(fields.get(FIELD_DATA, b""))
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                undecodable.append((eid, fields, f"undecodable {self.kind.__name__}: {exc}"))
                continue
            seen.add(key)
            items.append(_Item(eid, fields, key, message,
                               Delivery(self.stream, eid.decode(), key, claimed, fields.get(FIELD_DATA, b""))))
        return items, duplicates, undecodable

    async def _dispatch(self, items: list[_Item[T]], outcome: BatchOutcome) -> None:
        """Run the handler on each entry, in order, recording each result in `outcome`. A Redis error
        propagates (`outcome` then holds what finished before it)."""
        for item in items:
            started = time.perf_counter()
            try:
                await self.handler(item.message, item.delivery)
            except Poison as exc:
                outcome.poison(item.delivery, str(exc))
            except REDIS_ERRORS:
                raise  # the rest of the batch is retried after recovery; what finished is owed
            except Exception as exc:
                outcome.fail(item.delivery, exc)
            else:
                self._handler_seconds.observe(time.perf_counter() - started)
                outcome.finish(item.delivery)

    async def _settle(self, items: list[_Item[T]], outcome: BatchOutcome,
                      undecodable: list[tuple[bytes, dict[bytes, bytes], str]]) -> tuple[list[bytes], list[str]]:
        """Dead-letter what must go, log failures; return (entries to ack, keys to mark done)."""
        by_id = {item.delivery.entry_id: item for item in items}
        for eid, fields, error in undecodable:
            await self._dead_letter(eid, fields, error)
        settled: set[str] = set()
        for delivery, reason in outcome.poisoned:
            item = by_id.get(delivery.entry_id)
            if item is not None and delivery.entry_id not in settled:
                settled.add(delivery.entry_id)
                await self._dead_letter(item.eid, item.fields, f"poison: {reason}")
        failed = [(by_id[d.entry_id], exc) for d, exc in outcome.failed
                  if d.entry_id in by_id and d.entry_id not in settled]
        if failed:
            await self._failed(failed)
            settled.update(item.delivery.entry_id for item, _ in failed)
        acks: list[bytes] = []
        done_keys: list[str] = []
        for delivery in outcome.finished:
            item = by_id.get(delivery.entry_id)
            if item is not None and delivery.entry_id not in settled:
                settled.add(delivery.entry_id)
                acks.append(item.eid)
                done_keys.append(item.key)
        if len(settled) < len(by_id):
            self._read_own_pending = True  # not started: read again from the own pending list
        return acks, done_keys

    async def _failed(self, failed: list[tuple[_Item[T], BaseException]]) -> None:
        """Count failures; dead-letter the entries delivered `max_deliveries` times, leave the rest."""
        counts = await self._delivery_counts([item.eid for item, _ in failed])
        for item, exc in failed:
            self.stats.failed += 1
            self.stats.last_error = f"{type(exc).__name__}: {exc}"
            metrics.MESSAGES_FAILED.labels(*self._labels).inc()
            deliveries = counts.get(item.eid, 1)
            if deliveries >= self.config.max_deliveries:
                await self._dead_letter(item.eid, item.fields, self._describe(exc))
            else:
                log.warning("handler failed; entry left pending for retry",
                            extra={"stream": self.stream, "group": self.group, "entry": item.delivery.entry_id,
                                   "key": item.key, "error": self.stats.last_error, "deliveries": deliveries})

    @staticmethod
    def _describe(exc: BaseException) -> str:
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=3)
        return f"{type(exc).__name__}: {exc}\n{''.join(tb)[-1500:]}"

    async def _ack(self, acks: list[bytes], done_keys: list[str]) -> None:
        """Mark keys done, then ack. No MULTI needed: marked-but-unacked is redelivered and skipped."""
        if not acks:
            return
        pipe = self.redis.pipeline(transaction=False)
        if done_keys:
            now = time.time()
            pipe.zadd(self._done_key, dict.fromkeys(done_keys, now))
            self._batches += 1
            if self._batches % 64 == 0:  # bound the dedupe memory by age and by count
                pipe.zremrangebyscore(self._done_key, "-inf", now - self.config.done_ttl_s)
                pipe.zremrangebyrank(self._done_key, 0, -self.config.done_max - 1)
        pipe.xack(self.stream, self.group, *acks)
        try:
            await pipe.execute()
        except REDIS_ERRORS:
            self._owe(acks, done_keys)
            raise
        self.stats.handled += len(done_keys)
        metrics.MESSAGES_IN.labels(*self._labels).inc(len(done_keys))

    def _owe(self, acks: list[bytes], done_keys: list[str]) -> None:
        """Remember a mark+ack Redis did not take: settled first thing after recovery (see poll_once)."""
        self._owed_acks.extend(acks)
        self._owed_keys.extend(done_keys)

    async def _dead_letter(self, eid: bytes, fields: dict[bytes, bytes], error: str) -> None:
        dead = {
            **fields,
            b"error": error.encode()[:4000],
            b"source_id": eid,
            b"group": self.group.encode(),
            b"at": str(time.time()).encode(),
        }
        pipe = self.redis.pipeline(transaction=True)
        pipe.xadd(names.dead_letter(self.stream), dead, maxlen=self.bus.maxlen, approximate=True)  # type: ignore[arg-type]
        pipe.xack(self.stream, self.group, eid)
        await pipe.execute()
        self.stats.dead += 1
        metrics.MESSAGES_DEAD.labels(*self._labels).inc()
        log.error("entry dead-lettered",
                  extra={"stream": self.stream, "group": self.group, "entry": eid.decode(),
                         "error": error.splitlines()[0] if error else ""})


    # --- observability ---------------------------------------------------------------------------
    async def refresh_gauges(self) -> None:
        """Pending count and lag for /metrics. Lag in entries needs Redis >= 7 (XINFO GROUPS lag)."""
        summary: Any = await self.redis.xpending(self.stream, self.group)
        metrics.PENDING.labels(*self._labels).set(int(summary["pending"]))
        groups: Any = await self.redis.xinfo_groups(self.stream)
        for info in groups:
            name = info["name"].decode() if isinstance(info["name"], bytes) else info["name"]
            if name != self.group:
                continue
            if info.get("lag") is not None:
                metrics.LAG_ENTRIES.labels(*self._labels).set(int(info["lag"]))
            last = info["last-delivered-id"]
            last = last.decode() if isinstance(last, bytes) else str(last)
            nxt: Any = await self.redis.xrange(self.stream, min=f"({last}", count=1)
            if nxt:
                ms = int(nxt[0][0].decode().split("-")[0])
                metrics.LAG_SECONDS.labels(*self._labels).set(max(0.0, time.time() - ms / 1000))
            else:
                metrics.LAG_SECONDS.labels(*self._labels).set(0.0)


class BatchConsumer(Consumer[T]):
    """A consumer whose handler takes a whole batch (see the module docstring): for handlers that read
    before and write after many entries at once (one round trip, one MULTI) instead of per entry."""

    def __init__(
        self,
        bus: Bus,
        stream: str,
        group: str,
        name: str,
        kind: type[T],
        batch_handler: BatchHandler[T],
        config: ConsumerConfig | None = None,
    ) -> None:
        super().__init__(bus, stream, group, name, kind, self._unbatched, config)
        self.batch_handler = batch_handler

    async def _unbatched(self, message: T, delivery: Delivery) -> None:
        raise TypeError("a BatchConsumer calls its batch handler")  # never called: _dispatch is replaced

    async def _dispatch(self, items: list[_Item[T]], outcome: BatchOutcome) -> None:
        started = time.perf_counter()
        try:
            got = await self.batch_handler([(item.message, item.delivery) for item in items])
        except REDIS_ERRORS:
            raise  # nothing of the batch finished; retried after recovery
        except Exception as exc:
            if len(items) == 1:
                if isinstance(exc, Poison):
                    outcome.poison(items[0].delivery, str(exc))
                else:
                    outcome.fail(items[0].delivery, exc)
                return
            log.warning("batch handler failed; running its entries one by one",
                        extra={"stream": self.stream, "group": self.group, "entries": len(items),
                               "error": f"{type(exc).__name__}: {exc}"})
            for item in items:
                await self._dispatch([item], outcome)
            return
        share = (time.perf_counter() - started) / len(items)
        for _ in got.finished:
            self._handler_seconds.observe(share)
        outcome.finished.extend(got.finished)
        outcome.failed.extend(got.failed)
        outcome.poisoned.extend(got.poisoned)
        outcome.waits.extend(got.waits)


async def read_dead_letters(redis: Redis, stream: str, count: int = 100) -> list[dict[str, Any]]:
    """The newest entries of `<stream>.dead`, decoded for people (admin API, tests)."""
    rows: Any = await redis.xrevrange(names.dead_letter(stream), count=count)
    out = []
    for eid, fields in rows:
        out.append({
            "id": eid.decode(),
            "source_id": fields.get(b"source_id", b"").decode(),
            "group": fields.get(b"group", b"").decode(),
            "error": fields.get(b"error", b"").decode(errors="replace"),
            "key": fields.get(FIELD_KEY, b"").decode(errors="replace"),
            "data": fields.get(FIELD_DATA, b"").decode(errors="replace"),
        })
    return out
