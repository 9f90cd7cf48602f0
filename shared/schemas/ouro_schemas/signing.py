"""HMAC-SHA256 as hex, with the key's inner and outer pads hashed once per key (RFC 2104).

The publisher signs two bodies per committed proposal (the proposal hash and the patch signature)
with the same key; `hmac.new` hashes the padded key twice on every call, which was half the cost."""

from __future__ import annotations

import functools
import hashlib

_BLOCK = 64  # SHA-256's block size


@functools.lru_cache(maxsize=16)
def _pads(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return (hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD)))


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def hmac_sha256_hex(key: bytes, body: bytes) -> str:
    """`hmac.new(key, body, hashlib.sha256).hexdigest()`, the same digest."""
    inner, outer = _pads(key)
    inner = inner.copy()
    inner.update(body)
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.hexdigest()
