"""A flush's writes sent to Redis as one Lua script: atomic like MULTI/EXEC, at a tenth of its cost here.

redis-py's MULTI pipeline reads one reply per command in Python (each under its own async timeout) and
runs a response callback for each: ~24 µs of the engine's loop per write, so a flush of 1,700 writes (a
400-room block) held the loop ~40 ms, and an ordinary tick's ~100 writes ~2.5 ms. Here every write is
one flat argument list — `argc, command, args…` per write — packed in C (hiredis) and sent as one
EVALSHA; the script replays the commands in order with `redis.pcall` and returns the errors. One reply:
~2.7 µs per write (tests/engine/test_writes.py; bench numbers in docs/engine.md).

What MULTI/EXEC gave still holds: a script runs atomically (no other client sees half of it, a crash
keeps all or nothing of it in the AOF, which records its effects as one MULTI); a command that fails
(WRONGTYPE …) does not stop the others and the write raises `ResponseError` afterwards, as redis-py's
pipeline does. A script cache emptied by a Redis restart (NOSCRIPT) is answered with EVAL.

A variadic write (SADD, SREM, HDEL, HSET with many fields) is cut into commands of at most `MAX_ARGS`
arguments, the same effect (Lua 5.1's `unpack` stops near 8,000 values). Redis takes at most 1,048,576
arguments in one command (6.2 drops the connection beyond): a flush longer than `MAX_SCRIPT_ARGS` (a
first start or a migration of a big world, a long outage's backlog) is sent as several scripts inside
one MULTI/EXEC, still atomic.
"""

from __future__ import annotations

import hashlib
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, ResponseError

Write = tuple[str, tuple[Any, ...]]  # (redis-py method name, its positional arguments)
MAX_ARGS = 1_000  # arguments after the key, per command
MAX_SCRIPT_ARGS = 500_000  # arguments per script call (Redis' limit per command is 1,048,576)

APPLY = """
local i, n, errors = 1, #ARGV, {}
while i <= n do
  local argc = tonumber(ARGV[i])
  local reply = redis.pcall(unpack(ARGV, i + 1, i + argc))
  if type(reply) == 'table' and reply.err then
    errors[#errors + 1] = reply.err
  end
  i = i + argc + 1
end
return errors
"""
APPLY_SHA = hashlib.sha1(APPLY.encode()).hexdigest()
_NAMES = {"set": "SET", "delete": "DEL", "sadd": "SADD", "srem": "SREM", "hset": "HSET", "hdel": "HDEL"}


def _add(out: list[Any], command: str, key: Any, rest: list[Any], step: int = 1) -> None:
    """One command, or several of at most MAX_ARGS arguments after the key (`step`: values per item)."""
    size = MAX_ARGS - MAX_ARGS % step
    for at in range(0, max(len(rest), 1), size):
        part = rest[at:at + size]
        out.append(len(part) + 2)
        out.append(command)
        out.append(key)
        out.extend(part)


def flatten(writes: list[Write]) -> list[Any]:
    """The script's arguments for these writes, in order. Raises ValueError for a write it does not know."""
    out: list[Any] = []
    for method, args in writes:
        if method == "hset_map":  # (key, {field: value})
            pairs = [x for fv in args[1].items() for x in fv]
            _add(out, "HSET", args[0], pairs, 2)
        elif method == "xadd":  # (stream, fields, id, maxlen, approximate), as redis-py's xadd
            stream, fields, entry_id, maxlen, approximate = args
            parts: list[Any] = ["XADD", stream]
            if maxlen is not None:
                parts += ["MAXLEN", "~", str(maxlen)] if approximate else ["MAXLEN", str(maxlen)]
            parts.append(entry_id)
            parts += [x for fv in fields.items() for x in fv]
            out.append(len(parts))
            out.extend(parts)
        elif method in ("sadd", "srem", "hdel") and len(args) > MAX_ARGS:
            _add(out, _NAMES[method], args[0], list(args[1:]))
        elif method in _NAMES:
            out.append(len(args) + 1)
            out.append(_NAMES[method])
            out.extend(args)
        else:
            raise ValueError(f"no script form for the write {method!r}")
    return out


def _parts(args: list[Any]) -> list[list[Any]]:
    """The flat arguments cut at command boundaries into parts of at most MAX_SCRIPT_ARGS."""
    parts: list[list[Any]] = [[]]
    i = 0
    while i < len(args):
        size = args[i] + 1
        if parts[-1] and len(parts[-1]) + size > MAX_SCRIPT_ARGS:
            parts.append([])
        parts[-1].extend(args[i:i + size])
        i += size
    return parts


async def apply(redis: Redis, writes: list[Write]) -> None:
    """Every write, in order, atomically. Raises ResponseError (after all ran) if any command failed,
    and redis' connection errors as a pipeline would."""
    if not writes:
        return
    args = flatten(writes)
    errors: Any
    if len(args) <= MAX_SCRIPT_ARGS:
        try:
            errors = await redis.evalsha(APPLY_SHA, 0, *args)
        except NoScriptError:  # a restarted (or flushed) server has no script cache
            errors = await redis.eval(APPLY, 0, *args)
    else:
        pipe = redis.pipeline(transaction=True)
        for part in _parts(args):
            pipe.eval(APPLY, 0, *part)
        errors = [e for part_errors in await pipe.execute() for e in part_errors]
    if errors:
        first = errors[0].decode(errors="replace") if isinstance(errors[0], bytes) else str(errors[0])
        raise ResponseError(f"{len(errors)} of {len(writes)} writes failed; the first: {first}")
