"""Server -> client WebSocket frames, built here rather than by the `websockets` library's `send()`.

500 clients mean ~3,000 outgoing messages a second; the library's path (a coroutine, a `Frame` object,
its serialisation and a syscall per message) was the largest share of the gateway's CPU in the bench
profile. A server frame is never masked and the server runs without extensions (`compression=None` in
`web.py`), so an unfragmented text frame is just FIN + opcode, the length and the payload (RFC 6455
§5.2). Game text is cached as finished frames: a line told to many players ("X arrives.") is styled,
encoded and framed once.
"""

from __future__ import annotations

from functools import lru_cache

from ouro_schemas import protocol as p

from .style import spans_json

_TEXT = b'{"type":"text","spans":'


def frame(payload: bytes) -> bytes:
    """One unmasked, final text frame carrying `payload` (UTF-8 JSON)."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return b"\x81\x7e" + n.to_bytes(2, "big") + payload
    return b"\x81\x7f" + n.to_bytes(8, "big") + payload


def message(msg: p.ServerMessage) -> bytes:
    return frame(p.encode(msg))


@lru_cache(maxsize=4096)
def text(line: str) -> bytes:
    """A `text` message without a command id (what others are told), framed; cached."""
    return frame(_TEXT + spans_json(line) + b',"id":null}')


def reply(line: str, cid: int) -> bytes:
    """A `text` message answering command `cid` (the spans are cached; the id differs every time)."""
    return frame(b'%b%b,"id":%d}' % (_TEXT, spans_json(line), cid))
