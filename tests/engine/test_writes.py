"""A flush's writes as one Lua script (`writes.py`) against real Redis: the same end state as the MULTI
pipeline it replaced, write for write; failures reported after the rest ran; big variadic writes cut."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from ouro_engine import writes
from ouro_engine.writes import Write


def sample(p: str) -> list[Write]:
    """Every kind of write the engine sends, with the orderings that matter (a key deleted then written,
    written then deleted, a set emptied then refilled, a field set twice)."""
    return [
        ("set", (f"{p}room:a", b'{"id":"a"}')),
        ("set", (f"{p}room:b", b'{"id":"b"}')),
        ("sadd", (f"{p}rooms", "a", "b", "c")),
        ("srem", (f"{p}rooms", "c")),
        ("hset", (f"{p}coord", "0,0,0", "a")),
        ("hset", (f"{p}coord", "1,0,0", "b")),
        ("hdel", (f"{p}coord", "1,0,0")),
        ("delete", (f"{p}room:b",)),
        ("set", (f"{p}room:b", b'{"id":"b","v":2}')),
        ("set", (f"{p}room:gone", b"x")),
        ("delete", (f"{p}room:gone",)),
        ("delete", (f"{p}online",)),
        ("sadd", (f"{p}online", *(f"player:{i}" for i in range(2_500)))),
        ("hset_map", (f"{p}meta", {"tick": "7", "seed": "1"})),
        ("hset_map", (f"{p}districts", {f"d{i}": f"{{\"n\":{i}}}" for i in range(1_600)})),
        ("hset", (f"{p}coord", "0,0,0", "a2")),
        ("srem", (f"{p}online", *(f"player:{i}" for i in range(0, 2_500, 2)))),
        ("xadd", (f"{p}events", {b"d": b'{"id":"ev-1"}', b"k": b"ev-1"}, "*", 1000, True)),
        ("xadd", (f"{p}events", {b"d": b'{"id":"ev-2"}', b"k": b"ev-2"}, "*", None, True)),
    ]


async def dump(redis: Redis, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async for raw in redis.scan_iter(match=prefix + "*"):
        key = raw.decode()
        kind = (await redis.type(key)).decode()
        name = key[len(prefix):]
        if kind == "string":
            out[name] = await redis.get(key)
        elif kind == "set":
            out[name] = sorted(await redis.smembers(key))
        elif kind == "hash":
            out[name] = await redis.hgetall(key)
        elif kind == "stream":
            out[name] = [fields for _, fields in await redis.xrange(key)]
    return out


async def apply_with_multi(redis: Redis, writes_: list[Write]) -> None:
    """The writes as one MULTI pipeline: what persistence.write did before the script."""
    pipe = redis.pipeline(transaction=True)
    for method, args in writes_:
        if method == "hset_map":
            pipe.hset(args[0], mapping=args[1])
        else:
            getattr(pipe, method)(*args)
    await pipe.execute()


async def test_the_script_leaves_what_the_multi_pipeline_left(redis: Redis) -> None:
    await writes.apply(redis, sample("s:"))
    await apply_with_multi(redis, sample("m:"))
    scripted, multi = await dump(redis, "s:"), await dump(redis, "m:")
    assert scripted == multi
    assert len(scripted["online"]) == 1_250 and len(scripted["districts"]) == 1_600
    assert scripted["room:b"] == b'{"id":"b","v":2}' and "room:gone" not in scripted
    assert [f[b"k"] for f in scripted["events"]] == [b"ev-1", b"ev-2"]


async def test_a_failing_command_does_not_stop_the_others_and_is_raised(redis: Redis) -> None:
    await redis.set("w:str", "x")
    batch: list[Write] = [("set", ("w:a", "1")), ("sadd", ("w:str", "m")), ("hset", ("w:h", "f", "v"))]
    with pytest.raises(ResponseError, match="1 of 3 writes failed; the first: WRONGTYPE"):
        await writes.apply(redis, batch)
    assert await redis.get("w:a") == b"1" and await redis.hget("w:h", "f") == b"v"  # as MULTI/EXEC does


async def test_a_server_without_the_script_is_sent_it(redis: Redis) -> None:
    await redis.script_flush()
    await writes.apply(redis, [("set", ("n:a", "1"))])
    assert await redis.get("n:a") == b"1"
    assert (await redis.script_exists(writes.APPLY_SHA)) == [True]


def test_long_variadic_writes_are_cut_and_unknown_ones_refused() -> None:
    args = writes.flatten([("sadd", ("k", *range(2_500))), ("hset_map", ("h", {str(i): i for i in range(1_001)}))])
    commands = []
    i = 0
    while i < len(args):
        commands.append(args[i + 1:i + 1 + args[i]])
        i += args[i] + 1
    assert [(c[0], len(c) - 2) for c in commands] == [("SADD", 1_000), ("SADD", 1_000), ("SADD", 500),
                                                     ("HSET", 1_000), ("HSET", 1_000), ("HSET", 2)]
    with pytest.raises(ValueError, match="'expire'"):
        writes.flatten([("expire", ("k", 5))])


async def test_a_flush_beyond_one_command_s_arguments_goes_as_scripts_in_one_multi(
        redis: Redis, monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis refuses a command of more than 1,048,576 arguments (6.2 drops the connection): a longer
    flush is cut at write boundaries into scripts sent in one MULTI/EXEC (still atomic)."""
    monkeypatch.setattr(writes, "MAX_SCRIPT_ARGS", 50)
    sent: list[str] = []
    real = redis.pipeline

    def watched(*a: Any, **kw: Any) -> Any:
        pipe = real(*a, **kw)
        sent.append("multi" if kw.get("transaction", True) else "pipeline")
        return pipe

    monkeypatch.setattr(redis, "pipeline", watched)
    await writes.apply(redis, sample("s:"))
    assert sent == ["multi"]
    monkeypatch.setattr(redis, "pipeline", real)
    await apply_with_multi(redis, sample("m:"))
    assert await dump(redis, "s:") == await dump(redis, "m:")
    parts = writes._parts(writes.flatten(sample("s:")))
    assert len(parts) > 10 and all(len(p) <= 50 or p[0] + 1 == len(p) for p in parts)
