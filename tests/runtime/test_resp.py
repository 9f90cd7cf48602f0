"""`resp.FastPackConnection`: the same bytes on the wire as redis-py's packer, and a real round trip;
`resp.execute_multi`: a pipeline as one MULTI, its replies and errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError, DataError, ResponseError

from ouro_runtime.redis_server import RedisServer
from ouro_runtime.resp import FastPackConnection, execute_multi
from ouro_runtime.service import make_redis

ARGS = st.lists(st.one_of(st.binary(max_size=9000), st.text(max_size=300), st.integers(),
                          st.floats(allow_nan=False)), min_size=1, max_size=40)


def both(*args: Any) -> tuple[bytes, bytes]:
    return b"".join(Connection().pack_command(*args)), b"".join(FastPackConnection().pack_command(*args))


@given(ARGS)
def test_same_bytes_as_redis_py(args: list[Any]) -> None:
    expected, got = both("XADD", "s", *args)
    assert got == expected


@pytest.mark.parametrize("args", [("CONFIG GET", "maxmemory"), (b"CONFIG GET", b"x"),
                                  ("SET", "k", memoryview(b"abc")), ("SET", "k", bytearray(b"abc"))])
def test_split_command_names_and_buffers(args: tuple[Any, ...]) -> None:
    expected, got = both(*args)
    assert got == expected


@pytest.mark.parametrize("bad", [True, None, object()])
def test_what_redis_py_refuses_is_refused_the_same_way(bad: object) -> None:
    with pytest.raises(DataError):
        FastPackConnection().pack_command("SET", "k", bad)


async def test_round_trip_through_a_real_redis(redis_url: str) -> None:
    redis = make_redis(redis_url)
    assert redis.connection_pool.connection_class is FastPackConnection
    try:
        big = bytes(range(256)) * 100
        pipe = redis.pipeline(transaction=True)
        pipe.set("k:text", "héllo ☃")
        pipe.set("k:big", big)
        pipe.mset({"k:int": 7, "k:float": 0.1})
        pipe.xadd("k:stream", {b"d": b"{}", b"k": "x"}, maxlen=10, approximate=True)
        pipe.zadd("k:z", {"a": 1.5})
        await pipe.execute()
        assert await redis.mget("k:text", "k:big", "k:int", "k:float") == [
            "héllo ☃".encode(), big, b"7", b"0.1"]
        assert await redis.zscore("k:z", "a") == 1.5 and await redis.xlen("k:stream") == 1
        assert (await redis.config_get("maxmemory"))  # "CONFIG GET" split into two arguments
    finally:
        await redis.aclose()


async def test_execute_multi_runs_the_pipeline_as_one_transaction(redis_url: str) -> None:
    """`execute_multi`: the same writes as `pipe.execute()`, EXEC's replies as Redis sent them (also a
    reply larger than one socket read), and the connection goes on serving the pool afterwards."""
    redis = make_redis(redis_url)
    try:
        big = bytes(range(256)) * 4096  # 1 MiB: read over many socket reads
        pipe = redis.pipeline(transaction=True)
        pipe.set("m:big", big)
        pipe.mset({"m:a": 1, "m:b": "héllo"})
        pipe.xadd("m:stream", {b"d": b"{}"}, maxlen=10, approximate=True)
        pipe.zadd("m:z", {"a": 1.5}, nx=True)
        pipe.hincrby("m:h", "f", 3)
        pipe.get("m:big")
        replies = await execute_multi(pipe)
        assert replies[:2] == [b"OK", b"OK"] and b"-" in replies[2] and replies[3:] == [1, 3, big]
        assert len(pipe) == 0  # reset
        assert await redis.mget("m:a", "m:b") == [b"1", "héllo".encode()] and await redis.xlen("m:stream") == 1
        assert await execute_multi(redis.pipeline(transaction=True)) == []
        for _ in range(3):  # the pooled connection is in a clean state
            assert await redis.incr("m:n") > 0
    finally:
        await redis.aclose()


async def test_execute_multi_errors(redis_url: str) -> None:
    """A command refused when queued: nothing of the MULTI runs (EXECABORT), the error names it.
    A command failing when run: the others ran (Redis has no rollback), the first error is raised."""
    redis = make_redis(redis_url)
    try:
        pipe = redis.pipeline(transaction=True)
        pipe.set("e:one", 1)
        pipe.execute_command("SET", "e:two")  # wrong number of arguments
        with pytest.raises(ResponseError, match=r"Command # 2 \(SET e:two\).*wrong number of arguments"):
            await execute_multi(pipe)
        assert await redis.get("e:one") is None
        await redis.set("e:string", "x")
        pipe = redis.pipeline(transaction=True)
        pipe.set("e:one", 1)
        pipe.lpush("e:string", "y")  # WRONGTYPE when run
        pipe.set("e:three", 3)
        with pytest.raises(ResponseError, match=r"Command # 2 \(LPUSH e:string y\).*WRONGTYPE"):
            await execute_multi(pipe)
        assert await redis.mget("e:one", "e:three") == [b"1", b"3"]
        assert await redis.ping()
    finally:
        await redis.aclose()


async def test_execute_multi_when_redis_is_gone(own_redis: RedisServer) -> None:
    """Redis gone: the connection error reaches the caller (no retry of the MULTI), and the client
    serves the next MULTI once Redis is back."""
    redis = make_redis(own_redis.url, socket_connect_timeout=1)
    try:
        await redis.ping()
        own_redis.stop()
        pipe = redis.pipeline(transaction=True)
        pipe.set("g:k", 1)
        with pytest.raises((ConnectionError, OSError, TimeoutError)):
            await execute_multi(pipe)
        own_redis.start()
        pipe = redis.pipeline(transaction=True)
        pipe.set("g:k", 2)
        assert await execute_multi(pipe) == [b"OK"]
    finally:
        await redis.aclose()
