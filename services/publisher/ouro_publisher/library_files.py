"""Content-library files: written only here, atomically (temp file + os.replace), inside
data/generated/, named by ids that pass `content.is_safe_id`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ouro_schemas.content import is_safe_id

FOLDERS = frozenset({"npc", "item", "quest", "building", "block", "event"})


class UnsafePath(ValueError):
    """A file name that is not a safe id, or a path that would leave data/generated/."""


def target(root: Path, folder: str, template_id: str) -> Path:
    """The file for `template_id`; raises UnsafePath unless it stays inside `root`."""
    if folder not in FOLDERS or not is_safe_id(template_id):
        raise UnsafePath(f"unsafe file name {folder!r}/{template_id!r}")
    base = root.resolve()
    path = (base / folder / f"{template_id}.json").resolve()
    if not path.is_relative_to(base) or path.parent.parent != base:
        raise UnsafePath(f"{path} is outside {base}")
    return path


def render(body: dict[str, Any]) -> bytes:
    """Canonical, git-friendly bytes: sorted keys, 2-space indent, trailing newline."""
    return (json.dumps(body, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


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
