"""The snapshot library (ouro_runtime.snapshots): create / verify / restore round-trip, delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from ouro_runtime import snapshots
from ouro_schemas import names


async def world_state(redis: Redis) -> dict[bytes, Any]:
    """Every ouro:world:* key with its type-aware value and whether it has a TTL."""
    out: dict[bytes, Any] = {}
    async for key in redis.scan_iter(match=names.WORLD_PREFIX + "*"):
        kind = (await redis.type(key)).decode()
        if kind == "string":
            value: Any = await redis.get(key)
        elif kind == "hash":
            value = await redis.hgetall(key)
        elif kind == "set":
            value = sorted(await redis.smembers(key))
        elif kind == "zset":
            value = await redis.zrange(key, 0, -1, withscores=True)
        elif kind == "list":
            value = await redis.lrange(key, 0, -1)
        else:
            value = await redis.dump(key)
        out[key] = (kind, value, (await redis.pttl(key)) > 0)
    return out


def file_state(data_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(data_dir).as_posix(): p.read_bytes()
            for p in data_dir.rglob("*") if p.is_file() and p.relative_to(data_dir).parts[0] not in ("snapshots", "logs")}


async def seed_world(redis: Redis, data_dir: Path) -> None:
    await redis.set(names.WORLD_ROOM + "spawn", json.dumps({"id": "spawn", "name": "Spawn"}))
    await redis.sadd(names.WORLD_ROOM_INDEX, "spawn", "alley")
    await redis.hset(names.WORLD_COORD, mapping={"0,0,0": "spawn", "1,0,0": "alley"})
    await redis.zadd(names.WORLD_PREFIX + "scores", {"a": 1.5, "b": 2})
    await redis.rpush(names.WORLD_PREFIX + "queue", "x", "y", b"\x00\xff")
    await redis.set(names.WORLD_PREFIX + "ephemeral", "1", ex=3600)
    await redis.set("ouro:director:state", "not world")  # outside the snapshot
    (data_dir / "generated" / "npc").mkdir(parents=True)
    (data_dir / "generated" / "npc" / "rat_king.json").write_text('{"id": "rat_king"}')
    (data_dir / "guardrails.json").write_text('{"max_weapon_damage": 50}')


async def test_round_trip_restores_exact_state(redis: Redis, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    await seed_world(redis, data)
    before_keys, before_files = await world_state(redis), file_state(data)

    manifest = await snapshots.create_snapshot(redis, data, "test")
    assert manifest.key_count == len(before_keys) == 6
    assert manifest.key_types["string"] == 2 and manifest.has_guardrails and manifest.generated_files == 1
    assert snapshots.verify_snapshot(data, manifest.id).ok
    assert [m.id for m in snapshots.list_snapshots(data)] == [manifest.id]

    # The world moves on: changed, added and deleted keys and files.
    await redis.set(names.WORLD_ROOM + "spawn", "changed")
    await redis.set(names.WORLD_ROOM + "new", "added")
    await redis.delete(names.WORLD_COORD)
    await redis.srem(names.WORLD_ROOM_INDEX, "alley")
    (data / "generated" / "npc" / "rat_king.json").write_text('{"id": "edited"}')
    (data / "generated" / "item").mkdir()
    (data / "generated" / "item" / "new.json").write_text("{}")
    (data / "guardrails.json").unlink()

    await snapshots.restore_snapshot(redis, data, manifest.id)
    assert await world_state(redis) == before_keys
    assert file_state(data) == before_files
    assert await redis.get("ouro:director:state") == b"not world"


async def test_verify_detects_tampering_and_restore_refuses(redis: Redis, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    await seed_world(redis, data)
    manifest = await snapshots.create_snapshot(redis, data, "t")
    snap = data / "snapshots" / manifest.id
    (snap / "files" / "guardrails.json").write_text('{"max_weapon_damage": 5000}')
    check = snapshots.verify_snapshot(data, manifest.id)
    assert not check.ok and "files/guardrails.json: checksum mismatch" in check.problems
    await redis.set(names.WORLD_ROOM + "spawn", "changed")
    with pytest.raises(snapshots.SnapshotError, match="fails verification"):
        await snapshots.restore_snapshot(redis, data, manifest.id)
    assert await redis.get(names.WORLD_ROOM + "spawn") == b"changed"  # nothing changed


async def test_delete_and_bad_ids(redis: Redis, tmp_path: Path) -> None:
    data = tmp_path / "data"
    manifest = await snapshots.create_snapshot(redis, data, "empty world")
    assert manifest.key_count == 0 and not manifest.has_guardrails
    snapshots.delete_snapshot(data, manifest.id)
    assert snapshots.list_snapshots(data) == []
    with pytest.raises(snapshots.SnapshotError):
        snapshots.delete_snapshot(data, manifest.id)
    with pytest.raises(snapshots.SnapshotError, match="not a snapshot id"):
        snapshots.delete_snapshot(data, "../../etc")
    assert not snapshots.verify_snapshot(data, "snap-20260101T000000-abcdef").ok
