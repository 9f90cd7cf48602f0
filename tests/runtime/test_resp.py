"""`resp.FastPackConnection`: the same bytes on the wire as redis-py's packer, and a real round trip."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio.connection import Connection
from redis.exceptions import DataError

from ouro_runtime.resp import FastPackConnection
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
