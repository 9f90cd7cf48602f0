"""Snapshots through the API: create (job), list, delete; rollback with its double confirmation;
after rollback the whole state equals the state at snapshot time."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from redis.asyncio import Redis

from ouro_admin.settings import AdminSettings
from ouro_schemas import names
from ouro_schemas.messages import ControlMessage
from tests.admin.factories import room, seed_world, whole_state
from tests.utils import wait_for


async def finished(client: httpx.AsyncClient, job: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        body = (await client.get(f"/api/jobs/{job['id']}")).json()
        return body if body["state"] != "running" else None
    return await wait_for(done, timeout=timeout, what=f"job {job['id']}")


async def take_snapshot(client: httpx.AsyncClient, label: str = "t") -> str:
    r = await client.post("/api/snapshots", json={"label": label})
    assert r.status_code == 202, r.text
    body = await finished(client, r.json())
    assert body["state"] == "done", body
    assert body["progress"] == 1.0 and [s["stage"] for s in body["stages"]][:2] == ["snapshot", "verify"]
    return str(body["result"]["snapshot"]["id"])


async def seed_files(data_dir: Path) -> None:
    (data_dir / "generated" / "npc").mkdir(parents=True)
    (data_dir / "generated" / "npc" / "rat_king.json").write_text('{"id": "rat_king"}')
    (data_dir / "generated" / "item").mkdir(parents=True)
    (data_dir / "generated" / "item" / "blade.json").write_text('{"id": "blade"}')


async def mutate(client: httpx.AsyncClient, redis: Redis, data_dir: Path) -> None:
    await redis.set(names.WORLD_ROOM + "r_9_9", json.dumps(room("r_9_9", 9, 9, "docks", origin="p-x")))
    await redis.sadd(names.WORLD_ROOM_INDEX, "r_9_9")
    await redis.hset(names.WORLD_COORD, "9,9,0", "r_9_9")
    await redis.delete(names.WORLD_ENTITY + "alice")
    await redis.srem(names.WORLD_PLAYERS_ONLINE, "alice")
    await redis.hset(names.WORLD_META, "tick", "9000")
    await redis.zadd(names.WORLD_PREFIX + "scores", {"c": 3})
    await redis.set(names.WORLD_PREFIX + "new_ttl_key", "1", ex=500)
    (data_dir / "generated" / "npc" / "rat_king.json").write_text('{"id": "rat_king", "hp": 999}')
    (data_dir / "generated" / "item" / "blade.json").unlink()
    (data_dir / "generated" / "quest").mkdir()
    (data_dir / "generated" / "quest" / "new.json").write_text("{}")
    g = (await client.get("/api/guardrails")).json()["guardrails"]
    g["economy"]["max_credit_drop"] = 7
    assert (await client.put("/api/guardrails", json=g)).status_code == 200


async def controls_since(redis: Redis, start: str) -> list[str]:
    rows = await redis.xrange(names.CONTROL, min=f"({start}")
    return [msgspec.json.decode(f[b"d"], type=ControlMessage).command.value for _, f in rows]


async def test_snapshot_mutate_rollback_identical(client: httpx.AsyncClient, redis: Redis, data_dir: Path) -> None:
    await seed_world(redis)
    await redis.set(names.WORLD_PREFIX + "ephemeral", "1", ex=3600)
    await seed_files(data_dir)
    g = (await client.get("/api/guardrails")).json()["guardrails"]
    g["economy"]["max_credit_drop"] = 444
    assert (await client.put("/api/guardrails", json=g)).status_code == 200
    at_snapshot = await whole_state(redis, data_dir)
    snap = await take_snapshot(client, "before mutation")

    await mutate(client, redis, data_dir)
    assert await whole_state(redis, data_dir) != at_snapshot

    mark = (await redis.xrevrange(names.CONTROL, count=1))[0][0].decode()
    first = await client.post(f"/api/snapshots/{snap}/rollback")
    assert first.status_code == 200
    token = first.json()["confirm_token"]
    assert 0 < first.json()["expires_in_s"] <= 60
    assert await whole_state(redis, data_dir) != at_snapshot  # step 1 alone changes nothing
    r = await client.post(f"/api/snapshots/{snap}/rollback/confirm", json={"confirm_token": token})
    assert r.status_code == 202, r.text
    job = await finished(client, r.json())
    assert job["state"] == "done", job
    assert [s["stage"] for s in job["stages"]] == ["verify", "pause", "restore", "reload", "done"]

    after = await whole_state(redis, data_dir)
    assert after == at_snapshot
    # The director was idle: it is not resumed; the engine is paused, then reloads.
    assert await controls_since(redis, mark) == ["pause", "engine_pause", "engine_reload", "guardrails_updated"]
    # The token was single use.
    again = await client.post(f"/api/snapshots/{snap}/rollback/confirm", json={"confirm_token": token})
    assert again.status_code == 409


async def play_director(redis: Redis, stop: asyncio.Event) -> None:
    """The director's part: follow `control` and keep ouro:director:state's mode (pause/resume)."""
    last = "$"
    while not stop.is_set():
        reply = await redis.xread({names.CONTROL: last}, block=100)
        for _, rows in reply or []:
            for eid, fields in rows:
                last = eid
                cmd = msgspec.json.decode(fields[b"d"], type=ControlMessage).command.value
                mode = {"pause": "paused", "resume": "running", "stop": "stopped", "go": "running"}.get(cmd)
                if mode:
                    await redis.set(names.DIRECTOR_STATE, json.dumps({"mode": mode}))


async def test_rollback_pauses_and_resumes_a_running_director(client: httpx.AsyncClient, redis: Redis,
                                                               data_dir: Path) -> None:
    await seed_world(redis)
    snap = await take_snapshot(client)
    await redis.set(names.DIRECTOR_STATE, json.dumps({"mode": "running"}))
    stop = asyncio.Event()
    director = asyncio.create_task(play_director(redis, stop))
    try:
        token = (await client.post(f"/api/snapshots/{snap}/rollback")).json()["confirm_token"]
        job = await finished(client, (await client.post(f"/api/snapshots/{snap}/rollback/confirm",
                                                        json={"confirm_token": token})).json())
    finally:
        stop.set()
        await director
    assert job["state"] == "done", job
    assert job["result"]["director_was"] == "running" and job["result"]["director_paused"] is True
    assert [s["stage"] for s in job["stages"]] == ["verify", "pause", "restore", "reload", "resume", "done"]
    assert json.loads(await redis.get(names.DIRECTOR_STATE))["mode"] == "running"


async def test_confirmation_token_rules(client: httpx.AsyncClient, redis: Redis, settings: AdminSettings,
                                        app: Any) -> None:
    snap_a = await take_snapshot(client, "a")
    snap_b = await take_snapshot(client, "b")
    token = (await client.post(f"/api/snapshots/{snap_a}/rollback")).json()["confirm_token"]
    # A token for A does not confirm B (and is spent by the try).
    r = await client.post(f"/api/snapshots/{snap_b}/rollback/confirm", json={"confirm_token": token})
    assert r.status_code == 409
    r = await client.post(f"/api/snapshots/{snap_a}/rollback/confirm", json={"confirm_token": token})
    assert r.status_code == 409
    assert (await client.post(f"/api/snapshots/{snap_a}/rollback/confirm",
                              json={"confirm_token": "made-up"})).status_code == 409
    # Expired: move the confirmation clock past the TTL.
    ctx = app.state.ctx
    now = [0.0]
    ctx.confirmations.clock = lambda: now[0]
    token = (await client.post(f"/api/snapshots/{snap_a}/rollback")).json()["confirm_token"]
    now[0] = settings.confirm_ttl_s + 1
    r = await client.post(f"/api/snapshots/{snap_a}/rollback/confirm", json={"confirm_token": token})
    assert r.status_code == 409
    assert (await client.post("/api/snapshots/snap-20200101T000000-abcdef/rollback")).status_code == 404


async def test_list_detail_delete(client: httpx.AsyncClient, redis: Redis, data_dir: Path) -> None:
    await seed_world(redis)
    first = await take_snapshot(client, "one")
    second = await take_snapshot(client, "two")
    items = (await client.get("/api/snapshots")).json()["items"]
    assert [i["id"] for i in items] == [second, first]
    assert items[0]["label"] == "two" and items[0]["key_count"] > 0
    detail = (await client.get(f"/api/snapshots/{first}")).json()
    assert detail["verified"] is True
    # A tampered snapshot fails verification, and a rollback to it fails without touching anything.
    keys = data_dir / "snapshots" / first / "keys.jsonl"
    keys.write_text(keys.read_text() + "\n")
    assert (await client.get(f"/api/snapshots/{first}")).json()["verified"] is False
    before = await whole_state(redis, data_dir)
    token = (await client.post(f"/api/snapshots/{first}/rollback")).json()["confirm_token"]
    job = await finished(client, (await client.post(f"/api/snapshots/{first}/rollback/confirm",
                                                    json={"confirm_token": token})).json())
    assert job["state"] == "failed" and "checksum mismatch" in job["message"]
    assert await whole_state(redis, data_dir) == before
    assert (await client.delete(f"/api/snapshots/{first}")).status_code == 204
    assert (await client.delete(f"/api/snapshots/{first}")).status_code == 404
    assert [i["id"] for i in (await client.get("/api/snapshots")).json()["items"]] == [second]
    assert (await client.get("/api/snapshots/not-an-id")).status_code == 422


@pytest.mark.parametrize("path", ["/api/jobs/job-0000000000000000", "/api/snapshots/snap-20200101T000000-abcdef"])
async def test_unknown_is_404(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404
