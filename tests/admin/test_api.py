"""Endpoints against real Redis: what lands on which stream or key, and the errors people read."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import msgspec
from redis.asyncio import Redis

from ouro_schemas import names
from ouro_schemas.messages import AdminCommand, ControlMessage, GenJob, LogEntry, LogKind
from tests.admin.factories import npc_payload, put_proposal, seed_world


async def last(redis: Redis, stream: str, kind: type[Any]) -> Any:
    rows = await redis.xrevrange(stream, count=1)
    assert rows, f"nothing on {stream}"
    return msgspec.json.decode(rows[0][1][b"d"], type=kind)


async def test_director_state_default_then_director_written(client: httpx.AsyncClient, redis: Redis) -> None:
    r = await client.get("/api/director")
    assert r.json()["mode"] == "idle" and r.json()["source"] == "default"
    await redis.set(names.DIRECTOR_STATE, json.dumps({"mode": "running", "sliders": {"chaos": 0.9}}))
    body = (await client.get("/api/director")).json()
    assert (body["mode"], body["sliders"]["chaos"], body["source"]) == ("running", 0.9, "director")


async def test_stop_go_pause_resume_publish_control(client: httpx.AsyncClient, redis: Redis) -> None:
    for command in ("stop", "go", "pause", "resume"):
        r = await client.post(f"/api/control/{command}")
        assert r.status_code == 202, r.text
        msg = await last(redis, names.CONTROL, ControlMessage)
        assert (msg.command.value, msg.id) == (command, r.json()["id"])
        assert msg.issued_by.startswith("operator@")
    entry = await last(redis, names.LOG_ADMIN, LogEntry)
    assert entry.kind is LogKind.CONTROL and "resume sent by operator@" in entry.message


async def test_sliders_validated_and_partial(client: httpx.AsyncClient, redis: Redis) -> None:
    r = await client.put("/api/director/sliders", json={"chaos": 1.5})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "chaos"]
    assert (await client.put("/api/director/sliders", json={})).status_code == 422
    assert (await client.put("/api/director/sliders", json={"bogus": 0.1})).status_code == 422
    r = await client.put("/api/director/sliders", json={"aggression": 0.8})
    assert r.status_code == 202
    msg = await last(redis, names.CONTROL, ControlMessage)
    assert (msg.command.value, msg.args) == ("set_sliders", {"aggression": 0.8})


async def test_toggles(client: httpx.AsyncClient, redis: Redis) -> None:
    r = await client.put("/api/director/toggles", json={"require_approval_types": ["NPC", "DRAGON"]})
    assert r.status_code == 422
    body = {"require_approval": True, "require_approval_types": ["QUEST"], "restricted_generation": True,
            "auto_snapshot": False}
    assert (await client.put("/api/director/toggles", json=body)).status_code == 202
    msg = await last(redis, names.CONTROL, ControlMessage)
    assert (msg.command.value, msg.args) == ("set_toggles", body)


async def test_guardrails_get_put_and_invalid_paths(client: httpx.AsyncClient, redis: Redis,
                                                    data_dir: Path) -> None:
    current = (await client.get("/api/guardrails")).json()
    assert current["source"] == "defaults"
    g = current["guardrails"]
    g["economy"]["max_credit_drop"] = 321
    r = await client.put("/api/guardrails", json=g)
    assert r.status_code == 200, r.text
    on_disk = json.loads((data_dir / "guardrails.json").read_text())
    assert on_disk["economy"]["max_credit_drop"] == 321
    assert json.loads(await redis.get(names.GUARDRAILS))["economy"]["max_credit_drop"] == 321
    msg = await last(redis, names.CONTROL, ControlMessage)
    assert msg.command.value == "guardrails_updated"
    assert (await client.get("/api/guardrails")).json()["source"] == "key"

    bad = json.loads(json.dumps(g))
    bad["economy"]["max_credit_drop"] = -5
    bad["power"]["slot_caps"]["weapon"]["crit_chance"] = 7
    r = await client.put("/api/guardrails", json=bad)
    assert r.status_code == 422
    paths = {d["path"] for d in r.json()["detail"]}
    assert {"economy.max_credit_drop", "power.slot_caps.weapon.crit_chance"} <= paths
    assert ["body", "economy", "max_credit_drop"] in [d["loc"] for d in r.json()["detail"]]
    # Nothing written by the refused edit.
    assert json.loads((data_dir / "guardrails.json").read_text())["economy"]["max_credit_drop"] == 321
    entry = await last(redis, names.LOG_ADMIN, LogEntry)
    assert entry.kind is LogKind.ERROR and "economy.max_credit_drop" in entry.message


async def test_proposal_list_filters_and_pages(client: httpx.AsyncClient, redis: Redis) -> None:
    t0 = time.time() - 1000
    for i in range(12):
        await put_proposal(redis, f"p-{i:02d}", type="NPC" if i % 2 else "ITEM",
                           state="awaiting_approval" if i < 4 else "published",
                           district="docks" if i % 3 == 0 else "market", created_at=t0 + i)
    await redis.set(names.PROPOSAL + "p-broken", b"{not json")
    await redis.zadd(names.PROPOSAL_INDEX, {"p-broken": t0 + 100})
    page = (await client.get("/api/proposals", params={"limit": 5})).json()
    assert page["total"] == 12 and [i["id"] for i in page["items"]] == [f"p-{i:02d}" for i in (11, 10, 9, 8, 7)]
    page2 = (await client.get("/api/proposals", params={"limit": 5, "offset": 10})).json()
    assert [i["id"] for i in page2["items"]] == ["p-01", "p-00"]
    npc = (await client.get("/api/proposals", params={"type": "NPC", "state": "published"})).json()
    assert {i["id"] for i in npc["items"]} == {"p-05", "p-07", "p-09", "p-11"}
    docks = (await client.get("/api/proposals", params={"district": "docks"})).json()
    assert {i["id"] for i in docks["items"]} == {"p-00", "p-03", "p-06", "p-09"}
    window = (await client.get("/api/proposals", params={"since": t0 + 2, "until": t0 + 4})).json()
    assert {i["id"] for i in window["items"]} == {"p-02", "p-03", "p-04"}
    queue = (await client.get("/api/approvals")).json()
    assert {i["id"] for i in queue["items"]} == {"p-00", "p-01", "p-02", "p-03"}
    assert (await client.get("/api/proposals", params={"type": "DRAGON"})).status_code == 422


async def test_detail_trace_and_diff(client: httpx.AsyncClient, redis: Redis) -> None:
    await put_proposal(redis, "p-rat")
    body = (await client.get("/api/proposals/p-rat")).json()
    assert body["proposal"]["id"] == "p-rat" and body["awaiting_approval"] is True
    assert body["diff"] == [{"path": "payload.archetype.stats.damage_max", "op": "changed", "before": 80,
                             "after": 8}]
    assert [t["stage"] for t in body["trace"]] == ["director", "balance"]
    assert "rule power_vacuum" in body["why"][0] and "triggered by ev-1" in body["why"][0]
    assert "aggression=0.7" in body["why"][0]
    assert (await client.get("/api/proposals/p-none")).status_code == 404


async def test_approve_reject_edit_undo(client: httpx.AsyncClient, redis: Redis) -> None:
    await put_proposal(redis, "p-a")
    await put_proposal(redis, "p-pub", state="published")
    r = await client.post("/api/proposals/p-a/approve")
    assert r.status_code == 202
    cmd = await last(redis, names.ADMIN_COMMANDS, AdminCommand)
    assert (cmd.action.value, cmd.proposal_id, cmd.id) == ("approve", "p-a", r.json()["id"])
    assert (await client.post("/api/proposals/p-a/reject", json={"reason": "too strong"})).status_code == 202
    assert (await last(redis, names.ADMIN_COMMANDS, AdminCommand)).reason == "too strong"
    assert (await client.post("/api/proposals/p-pub/approve")).status_code == 409
    assert (await client.post("/api/proposals/p-a/undo")).status_code == 409
    assert (await client.post("/api/proposals/p-pub/undo")).status_code == 202
    assert (await last(redis, names.ADMIN_COMMANDS, AdminCommand)).action.value == "undo"
    assert (await client.post("/api/proposals/p-none/approve")).status_code == 404

    bad = npc_payload()
    bad["archetype"]["stats"]["damage_max"] = -1
    bad["archetype"]["role"] = "wizard"
    r = await client.post("/api/proposals/p-a/edit", json={"payload": bad})
    assert r.status_code == 422
    paths = {d["path"] for d in r.json()["detail"]}
    assert {"archetype.stats.damage_max", "archetype.role"} <= paths
    assert r.json()["detail"][0]["loc"][0] == "payload"
    good = npc_payload(6)
    r = await client.post("/api/proposals/p-a/edit", json={"payload": good, "flavor": {"name": "Rat Prince"}})
    assert r.status_code == 202, r.text
    cmd = await last(redis, names.ADMIN_COMMANDS, AdminCommand)
    assert (cmd.action.value, cmd.payload, cmd.flavor) == ("edit", good, {"name": "Rat Prince"})


async def test_force_generate(client: httpx.AsyncClient, redis: Redis) -> None:
    r = await client.post("/api/generate", json={"type": "NPC", "district_id": "docks", "params": {"boss": True},
                                                 "seed": 99})
    assert r.status_code == 202, r.text
    job = await last(redis, names.GEN_JOBS, GenJob)
    assert (job.id, job.rule, job.type.value, job.seed) == (r.json()["id"], "admin.force", "NPC", 99)
    assert job.params == {"boss": True, "district_id": "docks"}
    assert job.trace[0].stage == "admin"
    assert (await client.post("/api/generate", json={"type": "DRAGON"})).status_code == 422


async def test_dead_letters(client: httpx.AsyncClient, redis: Redis) -> None:
    await redis.xadd(names.dead_letter(names.GEN_JOBS), {b"d": b'{"id":"j"}', b"k": b"j", b"error": b"boom",
                                                         b"source_id": b"1-0", b"group": b"gen-worker", b"at": b"1"})
    counts = (await client.get("/api/dead-letters")).json()["streams"]
    assert counts[names.GEN_JOBS] == 1 and counts[names.GEN_DRAFTS] == 0
    items = (await client.get(f"/api/dead-letters/{names.GEN_JOBS}")).json()["items"]
    assert (items[0]["error"], items[0]["group"], items[0]["key"]) == ("boom", "gen-worker", "j")
    assert (await client.get("/api/dead-letters/nope")).status_code == 404


async def test_world_overview_and_map(client: httpx.AsyncClient, redis: Redis) -> None:
    await seed_world(redis, 4)
    ov = (await client.get("/api/world")).json()
    assert (ov["rooms"], ov["entities"], ov["players_online"]) == (16, 2, 1)
    assert ov["entities_by_kind"] == {"player": 1, "npc": 1}
    assert {d["id"] for d in ov["districts"]} == {"market", "docks", "slums"}
    assert ov["growth"]["generated_entities"] == 1
    m = (await client.get("/api/world/map")).json()
    assert len(m["rooms"]) == 16 and m["districts"]["docks"]["color"] == "#3080e0"
    assert m["players"] == [{"id": "alice", "room_id": "r_0_0", "name": "Alice", "chunk": None}]
    assert [s["id"] for s in m["spawns"]] == ["p-job-1:0"]
    # A world without chunk figures (written before the engine kept them): the overview from its rooms.
    assert [(c["key"], c["rooms"]) for c in m["chunks"]] == [("0,0", 16)] and m["view"]["around"] is None


async def test_world_map_of_a_grown_city_shows_chunks_and_the_view_around_a_chunk(
        client: httpx.AsyncClient, redis: Redis) -> None:
    from tests.admin.factories import GROWN_CHUNKS, seed_grown_city

    await seed_grown_city(redis)
    ov = (await client.get("/api/world")).json()
    assert ov["rooms"] == 4 * len(GROWN_CHUNKS) and ov["growth"]["chunks"] == len(GROWN_CHUNKS)
    assert ov["growth"]["generated_rooms"] == 4 * len(GROWN_CHUNKS)
    m = (await client.get("/api/world/map")).json()
    assert m["totals"] == {"rooms": 28, "chunks": 7} and m["chunk_size"] == 20
    assert {c["key"] for c in m["chunks"]} == {f"{x},{y}" for x, y in GROWN_CHUNKS}
    assert len(m["rooms"]) == 28 and m["view"]["around"] is None  # a small city: every room
    near = (await client.get("/api/world/map", params={"around": "2,0"})).json()
    assert near["view"] == {"around": "2,0", "radius": 1}
    assert sorted({(r["x"] // 20, r["y"] // 20) for r in near["rooms"]}) == [(1, 0), (2, 0)]
    far = (await client.get("/api/world/map", params={"around": "3,3", "radius": 0})).json()
    assert sorted(r["id"] for r in far["rooms"]) == ["c_60_65", "c_61_65", "c_62_65", "c_63_65"]
    assert (await client.get("/api/world/map", params={"around": "x,1"})).status_code == 422


def parse_sse(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.split("\n\n"):
        ev: dict[str, Any] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            field, _, value = line.partition(":")
            ev[field] = value.strip()
        if "event" in ev:
            ev["json"] = json.loads(ev["data"])
            events.append(ev)
    return events


async def add_log(redis: Redis, stream: str, message: str, kind: str = "info") -> None:
    entry = LogEntry(at=time.time(), service="director", instance="d1", kind=LogKind(kind), message=message)
    await redis.xadd(stream, {b"d": msgspec.json.encode(entry)})


async def test_feed_backlog_and_resume(client: httpx.AsyncClient, redis: Redis) -> None:
    await redis.delete(names.LOG_ADMIN)  # the app's own "started" line
    await add_log(redis, names.LOG_DIRECTOR, "one")
    await add_log(redis, names.LOG_PROPOSALS, "two", "verdict")
    r = await client.get("/api/feed", params={"follow": "false"})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    assert [e["json"]["message"] for e in events if e["event"] == "log"] == ["one", "two"]
    cursor = next(e for e in events if e["event"] == "ready")["id"]
    await add_log(redis, names.LOG_DIRECTOR, "three")
    await add_log(redis, names.LOG_ENGINE, "four")
    r = await client.get("/api/feed", params={"follow": "false"}, headers={"Last-Event-ID": cursor})
    events = parse_sse(r.text)
    got = [e for e in events if e["event"] == "log"]
    assert [e["json"]["message"] for e in got] == ["three", "four"]
    # Resume from the middle: only what came after "three".
    r = await client.get("/api/feed", params={"follow": "false", "last_id": got[0]["id"]})
    assert [e["json"]["message"] for e in parse_sse(r.text) if e["event"] == "log"] == ["four"]
    r = await client.get("/api/feed", params={"follow": "false", "kind": "verdict"})
    assert [e["json"]["message"] for e in parse_sse(r.text) if e["event"] == "log"] == ["two"]
    assert (await client.get("/api/feed", params={"streams": "gen.jobs"})).status_code == 422
    assert (await client.get("/api/feed", headers={"Last-Event-ID": "x=1"})).status_code == 422
