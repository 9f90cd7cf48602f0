"""Content-library files: written only here, atomically (temp file + os.replace), inside
data/generated/, named by ids that pass `content.is_safe_id`."""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path
from typing import Any

import msgspec

from ouro_schemas.content import is_safe_id

FOLDERS = frozenset({"npc", "item", "quest", "building", "block", "event"})


class UnsafePath(ValueError):
    """A file name that is not a safe id, or a path that would leave data/generated/."""


_dirs: dict[tuple[Path, str], Path] = {}


def target(root: Path, folder: str, template_id: str) -> Path:
    """The file for `template_id`; raises UnsafePath unless it stays inside `root`.

    The folder is resolved once (symlinks included) and must be `root/<folder>`; a safe id has no
    separator and no '..', so the file cannot leave it."""
    if folder not in FOLDERS or not is_safe_id(template_id) or "/" in template_id or "\\" in template_id:
        raise UnsafePath(f"unsafe file name {folder!r}/{template_id!r}")
    key = (root, folder)
    parent = _dirs.get(key)
    if parent is None:
        base = root.resolve()
        parent = (base / folder).resolve()
        if parent.parent != base:
            raise UnsafePath(f"{parent} is outside {base}")
        _dirs[key] = parent
    return parent / f"{template_id}.json"


_sorted = msgspec.json.Encoder(order="sorted")


def render(body: dict[str, Any]) -> bytes:
    """Canonical, git-friendly bytes: sorted keys, 2-space indent, trailing newline."""
    return msgspec.json.format(_sorted.encode(body), indent=2) + b"\n"


def write(root: Path, folder: str, template_id: str, body: dict[str, Any]) -> Path:
    """Write atomically; rewriting the same body gives the same bytes. Raises UnsafePath or OSError."""
    path = target(root, folder, template_id)
    write_files([(path, render(body))])
    return path


_seq = itertools.count()  # temp file names: unique per process (next() on a count is atomic in CPython)
_made: set[str] = set()  # folders known to exist


def write_files(files: list[tuple[Path, bytes]]) -> None:
    """Replace each file atomically with its bytes: a temp file in the same folder (O_EXCL), then
    os.replace, so a reader sees the old file or the new one, never a part. Made of system calls
    only (a writer thread spends its time outside the GIL). No fsync: see docs/publisher.md.
    Raises OSError (the temp file of the failing write is removed)."""
    pid = os.getpid()
    for path, data in files:
        name = str(path)
        parent = os.path.dirname(name)
        if parent not in _made:
            os.makedirs(parent, exist_ok=True)
            _made.add(parent)
        tmp = f"{parent}/.{os.path.basename(name)}.{pid}.{next(_seq)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except FileNotFoundError:  # the folder was removed meanwhile
            _made.discard(parent)
            os.makedirs(parent, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def remove(root: Path, folder: str, template_id: str) -> None:
    target(root, folder, template_id).unlink(missing_ok=True)
