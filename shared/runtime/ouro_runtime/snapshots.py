"""Snapshots of the world: every `ouro:world:*` key, the content library and the guardrails.

Why a library: the director takes one before GO and before every high-risk job (DESIGN §6); the admin
API lists, verifies, deletes and rolls back to them (issue 9). One implementation, so a snapshot the
director took is exactly what the admin API restores.

Layout of `data/snapshots/<id>/`:

    manifest.json   id, label, created_at, key counts (total and by Redis type), files with sha256/size
    keys.jsonl      one line per key: {"key", "type", "pttl", "dump"} — `dump` is base64 of Redis DUMP
    files/generated/**        a copy of data/generated/
    files/guardrails.json     a copy of data/guardrails.json (absent if it did not exist)

1. `create_snapshot` writes into a temporary sibling directory and renames it into place last, so a
   snapshot either exists whole (manifest included) or not at all.
2. `verify_snapshot` re-hashes every file listed in the manifest (keys.jsonl included).
   The keys are dumped by one Lua script (KEYS + TYPE/PTTL/DUMP): the world at one instant.
3. `restore_snapshot` verifies first; then deletes the current `ouro:world:*` keys and RESTOREs the saved
   ones (REPLACE, with their remaining TTL) in one MULTI/EXEC, and puts the files back.

DUMP payloads carry the RDB version of the server that made them: a snapshot taken on Redis 7 cannot be
restored into the embedded Redis 6.2 (the other way round works).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import names

SNAPSHOT_DIR = "snapshots"
MANIFEST = "manifest.json"
KEYS_FILE = "keys.jsonl"
FILES_DIR = "files"
GENERATED = "generated"
GUARDRAILS = "guardrails.json"
_ID_RE = re.compile(r"^snap-[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$")
_CHUNK = 500


class SnapshotError(Exception):
    """A snapshot is missing, malformed or fails its checksums."""


@dataclass
class FileEntry:
    path: str  # relative to the snapshot directory, '/' separated
    sha256: str
    size: int


@dataclass
class Manifest:
    id: str
    label: str
    created_at: float
    key_count: int
    key_types: dict[str, int] = field(default_factory=dict)
    files: list[FileEntry] = field(default_factory=list)
    has_guardrails: bool = False
    generated_files: int = 0
    version: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        raw["files"] = [FileEntry(**f) for f in raw.get("files", [])]
        return cls(**raw)


@dataclass
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)


def snapshots_root(data_dir: Path | str) -> Path:
    return Path(data_dir) / SNAPSHOT_DIR


def new_snapshot_id(now: float | None = None) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(time.time() if now is None else now))
    return f"snap-{stamp}-{secrets.token_hex(3)}"


def _snapshot_dir(data_dir: Path | str, snapshot_id: str) -> Path:
    if not _ID_RE.fullmatch(snapshot_id):
        raise SnapshotError(f"not a snapshot id: {snapshot_id!r}")
    return snapshots_root(data_dir) / snapshot_id


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# --- create ----------------------------------------------------------------------------------------
async def _scan_world_keys(redis: Redis) -> list[bytes]:
    keys: list[bytes] = []
    async for key in redis.scan_iter(match=names.WORLD_PREFIX + "*", count=1000):
        keys.append(key if isinstance(key, bytes) else str(key).encode())
    return sorted(set(keys))


# One atomic pass inside Redis: no engine write can land between two keys' DUMPs, so the snapshot is
# the world at one instant. KEYS blocks the server for the duration (milliseconds for thousands of keys).
_DUMP_ALL = """
local out = {}
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
  local kind = redis.call('TYPE', key)['ok']
  out[#out + 1] = {key, kind, redis.call('PTTL', key), redis.call('DUMP', key)}
end
return out
"""


async def _dump_keys(redis: Redis) -> tuple[list[dict[str, Any]], dict[str, int]]:
    replies: Any = await redis.eval(_DUMP_ALL, 0, names.WORLD_PREFIX + "*")
    rows: list[dict[str, Any]] = []
    types: dict[str, int] = {}
    for key, kind, pttl, dump in sorted(replies, key=lambda r: bytes(r[0])):
        if dump is None:
            continue
        kind_s = _s(kind)
        types[kind_s] = types.get(kind_s, 0) + 1
        rows.append({"key": base64.b64encode(key).decode(), "type": kind_s, "pttl": int(pttl),
                     "dump": base64.b64encode(dump).decode()})
    return rows, types


def _write_files(tmp: Path, data_dir: Path, rows: list[dict[str, Any]]) -> tuple[bool, int]:
    tmp.mkdir(parents=True)
    with (tmp / KEYS_FILE).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    files = tmp / FILES_DIR
    files.mkdir()
    generated = data_dir / GENERATED
    count = 0
    if generated.is_dir():
        shutil.copytree(generated, files / GENERATED, symlinks=False)
        count = sum(1 for p in (files / GENERATED).rglob("*") if p.is_file())
    guardrails = data_dir / GUARDRAILS
    has_guardrails = guardrails.is_file()
    if has_guardrails:
        shutil.copy2(guardrails, files / GUARDRAILS)
    return has_guardrails, count


def _file_entries(root: Path) -> list[FileEntry]:
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST):
        entries.append(FileEntry(path=path.relative_to(root).as_posix(), sha256=_sha256(path),
                                 size=path.stat().st_size))
    return entries


async def create_snapshot(redis: Redis, data_dir: Path | str, label: str = "") -> Manifest:
    """Snapshot the world keys, data/generated/ and data/guardrails.json; returns its manifest.

    The snapshot directory appears (by rename) only when complete. Raises redis errors and OSError.
    """
    data_dir = Path(data_dir)
    snapshot_id = new_snapshot_id()
    root = snapshots_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    rows, types = await _dump_keys(redis)
    tmp = root / f".tmp-{snapshot_id}"
    final = root / snapshot_id

    def _finish() -> Manifest:
        try:
            has_guardrails, count = _write_files(tmp, data_dir, rows)
            manifest = Manifest(id=snapshot_id, label=label[:200], created_at=time.time(), key_count=len(rows),
                                key_types=types, files=_file_entries(tmp), has_guardrails=has_guardrails,
                                generated_files=count)
            (tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
            tmp.rename(final)
            return manifest
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    return await asyncio.to_thread(_finish)


# --- read ------------------------------------------------------------------------------------------
def load_manifest(data_dir: Path | str, snapshot_id: str) -> Manifest:
    """The manifest of one snapshot. Raises SnapshotError if it is missing or malformed."""
    path = _snapshot_dir(data_dir, snapshot_id) / MANIFEST
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"no snapshot {snapshot_id}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise SnapshotError(f"{snapshot_id}: bad manifest: {exc}") from None


def list_snapshots(data_dir: Path | str) -> list[Manifest]:
    """Every complete snapshot, oldest first (unreadable ones are skipped)."""
    root = snapshots_root(data_dir)
    if not root.is_dir():
        return []
    out = []
    for child in sorted(root.iterdir()):
        if child.is_dir() and _ID_RE.fullmatch(child.name):
            try:
                out.append(load_manifest(data_dir, child.name))
            except SnapshotError:
                continue
    out.sort(key=lambda m: (m.created_at, m.id))
    return out


def verify_snapshot(data_dir: Path | str, snapshot_id: str) -> Verification:
    """Re-hash every listed file; also flags files present but not listed. Never raises."""
    try:
        manifest = load_manifest(data_dir, snapshot_id)
    except SnapshotError as exc:
        return Verification(ok=False, problems=[str(exc)])
    root = _snapshot_dir(data_dir, snapshot_id)
    problems = []
    listed = set()
    for entry in manifest.files:
        listed.add(entry.path)
        path = root / entry.path
        if not path.is_file():
            problems.append(f"{entry.path}: missing")
        elif _sha256(path) != entry.sha256:
            problems.append(f"{entry.path}: checksum mismatch")
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    if KEYS_FILE not in listed:
        problems.append(f"{KEYS_FILE}: not in the manifest")
    return Verification(ok=not problems, problems=problems)


# --- restore / delete ----------------------------------------------------------------------------------
def _read_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _restore_files(src: Path, data_dir: Path, has_guardrails: bool) -> None:
    generated = data_dir / GENERATED
    staged = data_dir / f".restore-{GENERATED}"
    shutil.rmtree(staged, ignore_errors=True)
    if (src / GENERATED).is_dir():
        shutil.copytree(src / GENERATED, staged)
    else:
        staged.mkdir(parents=True)
    shutil.rmtree(generated, ignore_errors=True)
    staged.rename(generated)
    guardrails = data_dir / GUARDRAILS
    if has_guardrails:
        tmp = data_dir / f".{GUARDRAILS}.restore"
        shutil.copy2(src / GUARDRAILS, tmp)
        tmp.replace(guardrails)
    elif guardrails.exists():
        guardrails.unlink()


async def restore_snapshot(redis: Redis, data_dir: Path | str, snapshot_id: str) -> Manifest:
    """Put the world keys and files back exactly as they were at snapshot time.

    Raises SnapshotError when the snapshot is missing or fails verification (nothing is changed then).
    The caller pauses the writers (director, engine) around it and tells the engine to reload.
    """
    data_dir = Path(data_dir)
    check = verify_snapshot(data_dir, snapshot_id)
    if not check.ok:
        raise SnapshotError(f"{snapshot_id} fails verification: " + "; ".join(check.problems[:5]))
    manifest = load_manifest(data_dir, snapshot_id)
    root = _snapshot_dir(data_dir, snapshot_id)
    rows = await asyncio.to_thread(_read_rows, root / KEYS_FILE)
    current = await _scan_world_keys(redis)
    pipe = redis.pipeline(transaction=True)  # readers never see a half-restored world
    for start in range(0, len(current), _CHUNK):
        pipe.delete(*current[start:start + _CHUNK])
    for row in rows:
        ttl = int(row["pttl"])
        pipe.restore(base64.b64decode(row["key"]), ttl if ttl > 0 else 0, base64.b64decode(row["dump"]),
                     replace=True)
    await pipe.execute()
    await asyncio.to_thread(_restore_files, root / FILES_DIR, data_dir, manifest.has_guardrails)
    return manifest


def delete_snapshot(data_dir: Path | str, snapshot_id: str) -> None:
    """Remove one snapshot. Raises SnapshotError if there is no such snapshot."""
    path = _snapshot_dir(data_dir, snapshot_id)
    if not path.is_dir():
        raise SnapshotError(f"no snapshot {snapshot_id}")
    shutil.rmtree(path)
