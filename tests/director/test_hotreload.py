"""Hot reload: a valid manual edit goes to the gate, an invalid one is refused with file/field/reason."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import msgspec
from redis.asyncio import Redis

from ouro_director.hotwatch import HotReloader
from ouro_director.settings import DirectorSettings
from ouro_schemas import names
from ouro_schemas.messages import ControlCommand, ControlMessage, LogKind
from ouro_schemas.proposal import Proposal, ProposalState, ProposalType
from tests.director.conftest import logs, read_stream
from tests.utils import wait_for

EVENT = {"event": {"id": "storm-1", "event_type": "acid_storm", "duration_s": 60, "text": "Acid rain."}}


def write(data_dir: Path, rel: str, content: object) -> Path:
    path = data_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


async def enriched(redis: Redis) -> list[Proposal]:
    return await read_stream(redis, names.GEN_ENRICHED, Proposal)


async def test_valid_edit_is_sent_to_the_gate(redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    hr = HotReloader(d)
    path = write(settings.data_dir, "generated/event/storm-1.json", EVENT)
    assert await hr.handle(path) == "sent"
    [p] = await enriched(redis)
    assert p.type is ProposalType.EVENT and p.state is ProposalState.ENRICHED and p.generator.name == "manual-edit"
    assert p.payload["event"]["event_type"] == "acid_storm" and p.trace[0].data["file"] == "generated/event/storm-1.json"
    assert await hr.handle(path) == "unchanged"  # the second inotify event of one save
    # A bare template (content model) is wrapped into its payload.
    bare = write(settings.data_dir, "generated/event/storm-2.json", {**EVENT["event"], "id": "storm-2"})
    assert await hr.handle(bare) == "sent"
    assert (await enriched(redis))[1].payload == {"event": {**EVENT["event"], "id": "storm-2", "district_id": None,
                                                            "effects": {}}}


async def test_invalid_edit_is_refused_with_file_field_reason(redis: Redis, settings: DirectorSettings,
                                                              make_director) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    hr = HotReloader(d)
    bad = write(settings.data_dir, "generated/event/storm-1.json",
                {"event": {**EVENT["event"], "duration_s": -5}})
    assert await hr.handle(bad) == "refused"
    broken = write(settings.data_dir, "generated/npc/x.json", "{not json")
    assert await hr.handle(broken) == "refused"
    unknown = write(settings.data_dir, "generated/spaceship/x.json", {})
    assert await hr.handle(unknown) == "refused"
    assert await enriched(redis) == []  # nothing changes
    errors = [e for e in await logs(redis) if e.kind is LogKind.ERROR]
    assert errors[0].data["file"] == "generated/event/storm-1.json"
    assert errors[0].data["fields"] == ["event.duration_s"] and "greater than 0" in errors[0].data["problems"][0]
    assert "invalid JSON" in errors[1].message and "unknown type folder" in errors[2].message


def envelope(pid: str, ptype: str, payload: dict) -> str:  # type: ignore[type-arg]
    """A file as the publisher writes it (library_files.render of patches.files' envelope)."""
    body = {"proposal_id": pid, "type": ptype, "payload": payload, "flavor": {}, "seed": 7, "hash": "ab" * 32,
            "generator": {"name": "gen", "version": "1"}}
    return json.dumps(body, sort_keys=True, indent=2) + "\n"


async def test_publisher_written_file_is_ignored(redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    hr = HotReloader(d)
    payload = {"event": {"id": "storm-9", "event_type": "acid_storm", "duration_s": 60}}  # defaults left out
    await redis.set(names.PROPOSAL + "p-job-abc", json.dumps({"id": "p-job-abc", "type": "EVENT", "payload": payload}))
    path = write(settings.data_dir, "generated/event/storm-9.json", envelope("p-job-abc", "EVENT", payload))
    assert await hr.handle(path) == "publisher"
    edited = {"event": {**payload["event"], "duration_s": 90}}  # an operator edits the committed file
    path.write_text(envelope("p-job-abc", "EVENT", edited))
    assert await hr.handle(path) == "sent"
    [p] = await enriched(redis)
    assert p.payload["event"]["duration_s"] == 90
    # The manual edit, committed, is rewritten by the publisher under its own id: not an edit again.
    await redis.set(names.PROPOSAL + p.id, json.dumps({"id": p.id, "type": "EVENT", "payload": p.payload}))
    path.write_text(envelope(p.id, "EVENT", p.payload))
    assert await hr.handle(path) == "publisher"


async def test_a_publisher_file_ahead_of_its_commit_waits_for_the_record(
        redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    # Found by tests/e2e/test_go_faults.py: the publisher writes a proposal's files while the MULTI with its
    # record is on its way; right after a Redis restart that took long enough for the watcher to send
    # the files to the gate as manual edits, and the same content was committed twice.
    d = make_director(settings)
    hr = HotReloader(d)
    payload = {"event": {"id": "storm-7", "event_type": "acid_storm", "duration_s": 60}}
    path = write(settings.data_dir, "generated/event/storm-7.json", envelope("p-job-late", "EVENT", payload))
    assert await hr.handle(path) == "pending"  # no record yet: not an edit, not yet ignored either
    await redis.set(names.PROPOSAL + "p-job-late", json.dumps({"id": "p-job-late", "type": "EVENT",
                                                               "payload": payload}))  # the MULTI lands
    await wait_for(lambda: _settled(hr), timeout=5, what="the pending file decided")
    assert await hr.handle(path) == "unchanged"  # decided: seen as the publisher's
    assert await enriched(redis) == []
    # A hand-written file naming a proposal that never comes is an edit after the wait.
    hr.commit_wait_s = 0.3
    other = write(settings.data_dir, "generated/event/storm-8.json",
                  envelope("p-job-never", "EVENT", {"event": {**payload["event"], "id": "storm-8"}}))
    assert await hr.handle(other) == "pending"
    await wait_for(lambda: _settled(hr), timeout=5, what="the pending file decided")
    [p] = await enriched(redis)
    assert p.payload["event"]["id"] == "storm-8" and p.generator.name == "manual-edit"


async def _settled(hr: HotReloader) -> bool:
    return not hr._rechecks


async def test_world_expansion_block_files_are_the_publishers(redis: Redis, settings: DirectorSettings,  # type: ignore[no-untyped-def]
                                                              make_director) -> None:
    d = make_director(settings)
    hr = HotReloader(d)
    block = {"id": "blk-1", "district_id": "docks", "growth_point": {"room_id": "r1", "direction": "n", "x": 0, "y": 1},
             "rooms": [{"id": "blk-1-r0", "name": "Street", "description": "A wet street.", "district_id": "docks",
                        "x": 0, "y": 2, "exits": [{"direction": "s", "to": "r1"}]}]}
    await redis.set(names.PROPOSAL + "p-job-we", json.dumps({"type": "WORLD_EXPANSION", "payload": {"blocks": [block]}}))
    path = write(settings.data_dir, "generated/block/blk-1.json",
                 envelope("p-job-we", "BLOCK", {"block": block, "buildings": []}))
    assert await hr.handle(path) == "publisher"
    assert await enriched(redis) == []


async def test_guardrails_edit_announced_or_refused(redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    hr = HotReloader(d)
    path = write(settings.data_dir, "guardrails.json", "[1, 2]")
    assert await hr.handle(path) == "refused"
    path.write_text(json.dumps({"power": {"max_item_level": 500}}))  # ouro_schemas.guardrails says no
    assert await hr.handle(path) == "refused"
    assert await redis.xrange(names.CONTROL) == []
    refusal = [e for e in await logs(redis) if e.kind is LogKind.ERROR][-1]
    assert refusal.data["file"] == "guardrails.json" and refusal.data["fields"] == ["power.max_item_level"]
    path.write_text(json.dumps({"version": 1, "power": {"max_item_level": 40}}))
    assert await hr.handle(path) == "guardrails"
    [(_, fields)] = await redis.xrange(names.CONTROL)
    msg = msgspec.json.decode(fields[b"d"], type=ControlMessage)
    assert msg.command is ControlCommand.GUARDRAILS_UPDATED and msg.args["file"] == "guardrails.json"


async def test_watcher_picks_up_a_real_edit(redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    hr = HotReloader(d)
    task = asyncio.create_task(hr.watch())
    try:
        await wait_for(lambda: asyncio.sleep(0, (settings.data_dir / "generated").is_dir()), what="watch start")
        await asyncio.sleep(0.3)  # inotify registration is not observable; the loop below retries anyway
        (settings.data_dir / "generated" / "event").mkdir()

        tries = [0]

        async def sent() -> bool:
            if await enriched(redis):
                return True
            tries[0] += 1  # rewrite (new bytes) until the watch, registered asynchronously, sees one
            write(settings.data_dir, "generated/event/storm-5.json",
                  {"event": {**EVENT["event"], "id": "storm-5", "text": f"Acid rain, take {tries[0]}."}})
            return False

        await wait_for(sent, timeout=15, interval=0.1, what="the edit on gen.enriched")
        bad = write(settings.data_dir, "generated/event/storm-6.json", {"event": {"id": "storm-6"}})
        assert bad.exists()

        async def refused() -> bool:
            return any(e.kind is LogKind.ERROR and "storm-6" in e.message for e in await logs(redis))

        await wait_for(refused, timeout=15, interval=0.1, what="the refusal in log.director")
        assert len(await enriched(redis)) >= 1 and all(p.id.startswith("manual-event-storm-5-")
                                                       for p in await enriched(redis))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_watcher_sees_a_guardrails_edit(redis: Redis, settings: DirectorSettings, make_director) -> None:  # type: ignore[no-untyped-def]
    d = make_director(settings)
    hr = HotReloader(d)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    task = asyncio.create_task(hr.watch())
    try:
        tries = [0]

        async def announced() -> bool:
            if await redis.xrange(names.CONTROL):
                return True
            tries[0] += 1
            write(settings.data_dir, "guardrails.json", {"version": 1, "power": {"max_item_level": 30 + tries[0]}})
            return False

        await wait_for(announced, timeout=15, interval=0.1, what="guardrails_updated on control")
        write(settings.data_dir, "logs/noise.json", {"not": "watched"})  # data/ is watched flat only
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
