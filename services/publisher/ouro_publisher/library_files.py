"""Content-library files: written only here, atomically (temp file + os.replace), inside
data/generated/, named by ids that pass `content.is_safe_id`."""

from __future__ import annotations

import os
import tempfile
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
    path.parent.mkdir(parents=True, exist_ok=True)
    data = render(body)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{template_id}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove(root: Path, folder: str, template_id: str) -> None:
    target(root, folder, template_id).unlink(missing_ok=True)
