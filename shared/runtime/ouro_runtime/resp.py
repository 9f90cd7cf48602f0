"""redis-py's asyncio TCP connection with hiredis's command packer.

redis-py 8.x packs commands in pure Python in its asyncio client even when hiredis is installed (its
sync client uses hiredis's packer; the asyncio one only uses hiredis to parse replies). A pipeline of
thousands of arguments — the publisher's batch MULTI and its world reads — spent most of its client
time there. hiredis produces the same bytes for what redis-py accepts (str as UTF-8, bytes, int, float
by repr: checked in tests/runtime/test_resp.py); anything else (memoryview, bytearray, or what
redis-py refuses, such as bool and None) goes to redis-py's own packer, with redis-py's errors.
"""

from __future__ import annotations

from typing import Any

import hiredis
from redis.asyncio.connection import Connection


class FastPackConnection(Connection):
    """`Connection` with `pack_command` in C (hiredis)."""

    def pack_command(self, *args: Any) -> list[bytes]:
        # Like redis-py: a command name with spaces ("CONFIG GET") is sent as separate arguments.
        if isinstance(args[0], str):
            args = (*args[0].encode().split(), *args[1:])
        elif b" " in args[0]:
            args = (*args[0].split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError:
            return super().pack_command(*args)
