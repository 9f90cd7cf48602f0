"""The engine shell: Redis, the tick loop, patches in, events and results out, control, sessions.

One pass of the loop (`step`):
1. wait for the next tick time — or less, if a patch is waiting (patches apply between ticks), or
   until the oldest world event waiting that is not routine (`game.ROUTINE_EVENTS`) is `event_flush_ms`
   old (the director then hears of a district entered in ~20 ms, not up to a tick later);
2. unless paused: read the chunks the queued patches touch (and their neighbours), then apply the
   patches (a tick boundary: no command or system is half-way);
3. at tick time: run the systems (`Core.tick`); overruns are counted;
4. collect every dirty change and write it atomically (one Lua script, `writes.py`), together with the
   world events and patch results it produced (XADDs in the same script: a crash keeps both or
   neither, never the state without its events);
5. then resolve the waiting patch handlers, so the bus acks a patch only once its effect is durable.
6. every `chunk_every_ticks`: load the chunks around online players, unload the idle ones (chunks.py).
Player commands do not wait for any of this: they run as their lines arrive.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any

from redis.asyncio import Redis

from ouro_engine import loading, metrics, persistence
from ouro_engine.accounts import Accounts
from ouro_engine.chunks import ChunkIO, sync_twin
from ouro_engine.clock import Clock
from ouro_engine.core import Core
from ouro_engine.loader import load_base
from ouro_engine.patches.prepare import Prepared, prepare
from ouro_engine.prefetch import patch_chunks
from ouro_engine.sessions import SessionHub
from ouro_engine.settings import EngineSettings
from ouro_engine.summary import build_summary
from ouro_runtime import metrics as bus_metrics
from ouro_runtime.bus import REDIS_ERRORS, Bus
from ouro_schemas import names
from ouro_schemas.messages import Patch, PatchResult, PatchStatus, WorldEvent

log = logging.getLogger(__name__)
COMPACT_ABOVE = 20_000  # a failed flush's backlog is compacted beyond this many writes
# Patches applied in one pass of the loop stop once they took this long (at least one is applied); the
# rest are applied in the next pass, at once — a burst of patches cannot hold the players' commands.
APPLY_BUDGET_S = 0.005
PATCHES_PER_PASS = 32  # at most this many are prefetched (their chunks read) and applied in one pass


def _freeze_heap() -> None:
    """Move the loaded world out of the cyclic GC's generations: full collections over ~10^6 long-lived
    objects were the tick's worst outliers (bench: max tick CPU 73 ms -> 28 ms). Then collect less often:
    500 players' traffic allocates fast, and the default thresholds ran a young collection every few ms
    (bench_gateway --full, 2 cores: command p99 29 ms -> 22 ms, max 97 ms -> 37 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


class Engine:
    def __init__(self, settings: EngineSettings, redis: Redis, bus: Bus | None = None,
                 clock: Clock | None = None) -> None:
        self.settings = settings
        self.redis = redis
        self.bus = bus or Bus(redis, maxlen=settings.stream_maxlen)
        self.clock = clock
        self.core = Core(settings, clock)
        self.chunk_io = ChunkIO(redis, sync_twin(redis))
        self.core.game.chunks.io = self.chunk_io
        self._event_timer: asyncio.TimerHandle | None = None
        self.core.game.on_prompt_event = self._events_waiting
        self.hub = SessionHub(self.core, Accounts(redis, settings.argon2_time_cost, settings.argon2_memory_kib))
        self._patches: list[tuple[Patch, asyncio.Future[PatchResult]]] = []
        self._results: list[tuple[PatchResult, asyncio.Future[PatchResult]]] = []
        # For ouro_engine_patch_seconds: when each queued patch was queued, and the stages observed so far.
        self._queued_at: dict[asyncio.Future[PatchResult], tuple[float, set[str]]] = {}
        self._prepared: dict[asyncio.Future[PatchResult], Prepared] = {}  # rooms validated before the pass
        self._carry: list[persistence.Write] = []  # the writes of a flush that failed, retried first
        self._chunk_counts: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self.paused = False
        self.next_tick = 0.0

    # --- start-up ----------------------------------------------------------------------------------
    async def start(self) -> None:
        """Validate the base content (fail fast), then restore from Redis or seed a fresh world."""
        base = load_base(self.settings.resolved_base_dir())
        if await persistence.is_initialized(self.redis):
            await loading.load(self.redis, self.core.game)
            log.info("world restored from redis", extra={"entities": len(self.core.game.world)})
        else:
            self.core.load_base(base)
            persistence.mark_everything(self.core.game)
            await self.flush(summary=True)
            log.info("fresh world seeded", extra={"entities": len(self.core.game.world)})
        self.core.ai.schedule_new(self.core.game.now)
        _freeze_heap()

    async def reload(self) -> None:
        """Rebuild the world from Redis (after a rollback restored the keys), keeping sessions."""
        old_send, old_data = self.core.game.send, self.core.game.send_data
        self.core = Core(self.settings, self.clock)
        self.core.game.chunks.io = self.chunk_io
        self.core.game.on_prompt_event = self._events_waiting
        self.hub.core = self.core
        self.core.game.send, self.core.game.send_data = old_send, old_data
        await loading.load(self.redis, self.core.game)
        # the players still connected need their chunks before they are put back in the world
        for pid in list(self.hub.sessions):
            await self.core.game.chunks.load_for_player(pid)
        self.core.ai.schedule_new(self.core.game.now)
        self.hub.rebind()
        _freeze_heap()

    def pause(self) -> None:
        """engine_pause: stop applying commands and patches (queued patches wait)."""
        self.paused = self.hub.paused = True

    async def reload_and_resume(self) -> None:
        """engine_reload: flush nothing new, rebuild from Redis (the rollback's state), resume."""
        self.paused = self.hub.paused = True
        self.core.game.take_events()
        await self.reload()
        self.paused = self.hub.paused = False
        self._wake.set()

    # --- patches -----------------------------------------------------------------------------------
    async def submit_patch(self, patch: Patch) -> PatchResult:
        """Queue a patch for the next boundary; returns its result once stored and published."""
        return (await self.submit_patches([patch]))[0]

    async def submit_patches(self, patches: list[Patch]) -> list[PatchResult]:
        """Queue patches, in order, for the next boundary (applied in the same pass, budget allowing, and
        made durable by the same flush); returns their results once stored and published. The rooms they
        add are validated first, in slices between which the loop serves players (`patches/prepare.py`)."""
        loop = asyncio.get_running_loop()
        prepared = [await prepare(patch) for patch in patches]
        futures: list[asyncio.Future[PatchResult]] = []
        now = time.perf_counter()
        for patch, ready in zip(patches, prepared, strict=True):
            futures.append(loop.create_future())
            self._patches.append((patch, futures[-1]))
            self._queued_at[futures[-1]] = (now, set())
            if ready:
                self._prepared[futures[-1]] = ready
        self._wake.set()
        return list(await asyncio.gather(*futures))

    async def submit_patch_now(self, patch: Patch) -> PatchResult:
        """Apply at once (the caller is at a boundary: no tick is running); tests and tools."""
        chunks = await self.prefetch([patch])
        result = self.core.patcher.apply(patch)
        self.core.game.chunks.touch(chunks, self.core.game.now)  # and the chunks it created
        metrics.PATCHES.labels(result.status).inc()
        return result

    async def prefetch(self, patches: list[Patch]) -> set[tuple[int, int]]:
        """Read the chunks these patches touch (and the chunks around them) into memory; returns them.
        Raises a Redis error when they cannot be read (the patches then wait: applying them against a
        partial map could reject a good patch for good)."""
        game = self.core.game
        chunks = await patch_chunks(self.chunk_io, game, patches)
        await game.chunks.load(chunks, game.now)
        game.chunks.touch(chunks, game.now)
        return chunks

    async def _prefetch_and_apply(self) -> None:
        queued, self._patches = self._patches[:PATCHES_PER_PASS], self._patches[PATCHES_PER_PASS:]
        if not queued:
            return
        self._patch_times("waited", queued)
        try:
            chunks = await self.prefetch([p for p, _ in queued])
        except REDIS_ERRORS as exc:
            log.warning("chunks for patches unreadable; patches wait", extra={"error": str(exc)})
            self._patches[:0] = queued
            return
        self._patch_times("read", queued)
        done = self._apply_patches(queued)
        self._patch_times("applied", queued[:done])
        self._patches[:0] = queued[done:]  # over the budget: the next pass, before newer ones
        self.core.game.chunks.touch(chunks, self.core.game.now)  # and the chunks they created

    def _patch_times(self, stage: str, entries: list[tuple[Any, asyncio.Future[PatchResult]]],
                     done: bool = False) -> None:
        """Observe `stage` for these patches (once each: a patch deferred by the budget comes again)."""
        now = time.perf_counter()
        for _, future in entries:
            entry = self._queued_at.pop(future, None) if done else self._queued_at.get(future)
            if entry is not None and stage not in entry[1]:
                entry[1].add(stage)
                metrics.PATCH_SECONDS.labels(stage).observe(now - entry[0])

    def _apply_patches(self, queued: list[tuple[Patch, asyncio.Future[PatchResult]]]) -> int:
        """Apply in order until APPLY_BUDGET_S is spent (at least one); returns how many were applied."""
        started = time.perf_counter()
        for n, (patch, future) in enumerate(queued):
            if n and time.perf_counter() - started > APPLY_BUDGET_S:
                return n
            try:
                result = self.core.patcher.apply(patch, self._prepared.pop(future, None))
            except Exception as exc:  # a bug in an op must not stop the loop; the world is rolled back
                log.exception("patch crashed", extra={"patch_id": patch.id})
                result = PatchResult(patch_id=patch.id, proposal_id=patch.proposal_id,
                                     status=PatchStatus.REJECTED, reason=f"engine error: {exc}")
            metrics.PATCHES.labels(result.status).inc()
            self._results.append((result, future))
        return len(queued)

    # --- events out between ticks ---------------------------------------------------------------------
    def _events_waiting(self) -> None:
        """The first world event since the last flush that is not routine: flush within `event_flush_ms`."""
        delay = self.settings.event_flush_ms / 1000
        if delay <= 0 or self._event_timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a Core driven by hand): the next flush takes them
            return
        self._event_timer = loop.call_later(delay, self._events_due)

    def _events_due(self) -> None:
        self._event_timer = None
        if self.core.game.prompt_waiting:  # (a tick's flush may have taken them already)
            self._wake.set()

    # --- the loop ------------------------------------------------------------------------------------
    async def run(self) -> None:
        period = 1.0 / self.settings.tick_hz
        self.next_tick = time.monotonic() + period
        while not self._stop.is_set():
            try:
                await self.step(period)
            except Exception:  # never let one bad pass end the loop (Redis errors are handled in flush)
                log.exception("engine step failed")
                await asyncio.sleep(period)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def step(self, period: float) -> None:
        timeout = max(0.0, self.next_tick - time.monotonic())
        if not self._patches or self.paused:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except TimeoutError:
                pass
        self._wake.clear()
        if not self.paused:
            await self._prefetch_and_apply()
        ticked = False
        if self.paused and time.monotonic() >= self.next_tick:
            self.next_tick = time.monotonic() + period  # keep the pace while paused (no busy loop)
        if time.monotonic() >= self.next_tick and not self.paused:
            ticked = True
            started = time.perf_counter()
            self.core.tick()
            took = time.perf_counter() - started
            metrics.TICK_SECONDS.observe(took)
            if took > period:
                metrics.TICK_OVERRUNS.inc()
            self.next_tick = max(self.next_tick + period, time.monotonic())
        tick = self.core.game.world.tick
        await self.flush(summary=ticked and tick % self.settings.summary_every_ticks == 0)
        if ticked and tick % self.settings.chunk_every_ticks == 0:
            await self.maintain_chunks()

    async def maintain_chunks(self) -> None:
        """Load the chunks players will walk into; unload the ones nobody needs (after a good flush)."""
        game = self.core.game
        store = game.chunks
        wanted = store.wanted()  # O(online players): once per pass, not again for the unloading
        try:
            loaded = await store.load(wanted, game.now)
        except REDIS_ERRORS as exc:
            log.warning("chunk load failed; retrying", extra={"error": str(exc)})
            return
        if self.settings.chunk_unload and not self._carry:
            # Players may have moved while chunks were read: then ask again.
            store.unload_idle(game.now, self.settings.chunk_idle_s, None if loaded else wanted)
        self._chunk_metrics(store.stats())

    def _chunk_metrics(self, stats: dict[str, int]) -> None:
        metrics.CHUNKS_LOADED.set(stats["chunks_loaded"])
        metrics.CHUNKS_KNOWN.set(stats["chunks"])
        metrics.ROOMS_LOADED.set(stats["rooms_loaded"])
        for counter, name in ((metrics.CHUNK_LOADS, "loads"), (metrics.CHUNK_UNLOADS, "unloads"),
                              (metrics.CHUNK_MISSES, "misses")):
            delta = stats[name] - self._chunk_counts.get(name, 0)
            counter.inc(delta if delta >= 0 else stats[name])  # a reload starts a new Core from 0
            self._chunk_counts[name] = stats[name]

    async def flush(self, *, summary: bool = False) -> None:
        game = self.core.game
        doc = build_summary(game, dict(self.core.tracker.players), self.core.economy.latest) if summary else None
        # Writes of a failed flush go first: the write is all-or-nothing, and newer writes of the same
        # keys follow them in the same transaction, so the result is the current state (deletions too).
        writes = self._carry + persistence.collect(game, dict(self.core.tracker.players), doc)
        events = game.take_events()
        results, self._results = self._results, []
        started = time.perf_counter()
        try:
            await persistence.write(self.redis, writes + self._outbox(events, [r for r, _ in results]))
            metrics.FLUSH_SECONDS.observe(time.perf_counter() - started)
        except REDIS_ERRORS as exc:
            metrics.FLUSH_FAILURES.inc()
            log.warning("flush failed; retrying next tick", extra={"error": str(exc), "writes": len(writes)})
            self._carry = persistence.compact(writes) if len(writes) > COMPACT_ABOVE else writes
            game.outbox[:0] = events
            self._results[:0] = results
            return
        self._carry = []
        for ev in events:
            metrics.EVENTS_OUT.labels(ev.kind).inc()
        for stream, count in ((names.WORLD_EVENTS, len(events)), (names.WORLD_APPLIED, len(results))):
            if count:
                bus_metrics.MESSAGES_OUT.labels(stream).inc(count)
        self._patch_times("durable", results, done=True)
        for result, future in results:
            if not future.done():
                future.set_result(result)
        metrics.ENTITIES.set(len(game.world))

    def _outbox(self, events: list[WorldEvent], results: list[PatchResult]) -> list[persistence.Write]:
        """Events and patch results as XADDs for the flush's atomic write (the bus's fields: id as idempotency key).

        Published after the state write instead, a SIGKILL between the two lost them while the state they
        describe stayed (the fault test saw an NPC in the world without its `entity_spawned` event). A
        failed write re-queues them; a retried one may add them twice, which consumers dedupe by id.
        """
        maxlen = self.bus.maxlen
        return [("xadd", (stream, self.bus.fields(message, None), "*", maxlen, True))
                for stream, batch in ((names.WORLD_EVENTS, events), (names.WORLD_APPLIED, results))
                for message in batch]

    def health(self) -> dict[str, Any]:
        game = self.core.game
        return {"tick": game.world.tick, "entities": len(game.world), "rooms": game.map.room_count(),
                "players_online": len(self.hub.sessions), "paused": self.paused, **game.chunks.stats()}
