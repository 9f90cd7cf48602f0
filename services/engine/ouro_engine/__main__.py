"""Entry point: python -m ouro_engine

Wiring: 1. EngineSettings  2. validate data/base (an invalid file stops start-up: file, field, reason)
3. restore the world from Redis or seed it  4. the player gateways (telnet + web/WebSocket, in this
process: a stream hop would cost ~100x a function call, docs/gateway.md)  5. `world.patches` consumer
(group `engine`, a batch at a time)  6. the tick loop  7. control: engine_pause / engine_reload.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import msgspec

from ouro_engine.engine import Engine
from ouro_engine.gateway import gateway_settings, open_gateways
from ouro_engine.patches import decode_patch
from ouro_engine.settings import EngineSettings
from ouro_runtime.bus import BatchOutcome, Delivery
from ouro_runtime.service import Service, run_service
from ouro_schemas import names
from ouro_schemas.errors import ContentError
from ouro_schemas.messages import ControlCommand, ControlMessage, LogKind, Patch, PatchResult, PatchStatus

log = logging.getLogger("ouro_engine")


async def setup(svc: Service) -> None:
    settings = svc.settings
    assert isinstance(settings, EngineSettings)
    engine = Engine(settings, svc.redis, svc.bus)
    try:
        await engine.start()
    except ContentError as exc:
        log.error("invalid content; not starting", extra={"source": exc.source, "problems": exc.problems})
        print(f"invalid content: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    gateways = await open_gateways(engine.hub, gateway_settings(settings))
    svc.health_detail.update(gateways.ports)

    async def handle_patches(batch: list[tuple[msgspec.Raw, Delivery]]) -> BatchOutcome:
        """A batch of patches, queued together: applied in stream order in one pass of the loop (budget
        allowing) and made durable by one flush, instead of one pass and one flush each while the rest
        waited; each is acked once durable (the bus, after this returns)."""
        decoded = [(decode_patch(bytes(raw)), delivery) for raw, delivery in batch]
        patches = [patch for patch, _ in decoded if not isinstance(patch, PatchResult)]
        results = iter(await engine.submit_patches(patches))
        outcome = BatchOutcome()
        for patch, delivery in decoded:
            if isinstance(patch, PatchResult):  # unknown op, bad field: rejected whole, with the reason
                await svc.bus.publish(names.WORLD_APPLIED, patch)
                await svc.emit(names.LOG_ENGINE, LogKind.VERDICT, f"patch rejected: {patch.reason}",
                               proposal_id=patch.proposal_id or None, data={"patch_id": patch.patch_id})
            else:
                await log_result(patch, next(results))
            outcome.finish(delivery)
        return outcome

    async def log_result(patch: Patch, result: PatchResult) -> None:
        if result.status != PatchStatus.APPLIED:
            await svc.emit(names.LOG_ENGINE, LogKind.VERDICT, f"patch {result.status}: {result.reason}",
                           proposal_id=patch.proposal_id, data={"patch_id": patch.id})
        else:
            await svc.emit(names.LOG_ENGINE, LogKind.STATE, f"patch applied ({len(patch.ops)} ops)",
                           proposal_id=patch.proposal_id,
                           data={"patch_id": patch.id, "spawned": result.spawned, "budget_after": result.budget_after})

    async def on_control(msg: ControlMessage) -> None:
        if msg.command == ControlCommand.ENGINE_PAUSE:
            engine.pause()
            svc.pause_consuming()
            await svc.emit(names.LOG_ENGINE, LogKind.CONTROL, "engine paused", data={"by": msg.issued_by})
        elif msg.command == ControlCommand.ENGINE_RELOAD:
            await engine.reload_and_resume()
            svc.resume_consuming()
            await svc.emit(names.LOG_ENGINE, LogKind.CONTROL, "engine reloaded from redis",
                           data={"entities": len(engine.core.game.world)})

    async def health_updates() -> None:
        while not svc.stopping:
            svc.health_detail.update(engine.health())
            await asyncio.sleep(1.0)

    async def final_flush() -> None:
        engine.stop()
        await gateways.close()
        await engine.flush()

    # Raw, then decoded here: a patch that does not decode still gets a PatchResult with the reason.
    svc.consume_batches(names.WORLD_PATCHES, names.GROUP_ENGINE, msgspec.Raw, handle_patches)
    svc.on_control(on_control)
    svc.task(engine.run)
    svc.task(health_updates)
    svc.on_cleanup(final_flush)


def main() -> None:
    run_service(names.SERVICE_ENGINE, EngineSettings, setup)


if __name__ == "__main__":
    main()
