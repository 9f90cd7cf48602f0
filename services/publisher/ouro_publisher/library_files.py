"""Content-library files: written only here, atomically (temp file + os.replace), inside
data/generated/, named by ids that pass `content.is_safe_id`."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import itertools
import os
from pathlib import Path
from typing import Any

import msgspec

from ouro_schemas.content import is_safe_id

FOLDERS = frozenset({"npc", "item", "quest", "building", "block", "event"})


class UnsafePath(ValueError):
    """A file name that is not a safe id, or a path that would leave data/generated/."""


_dirs: dict[tuple[str, str], str] = {}


def target(root: Path, folder: str, template_id: str) -> Path:
    """The file for `template_id`; raises UnsafePath unless it stays inside `root`.

    The folder is resolved once (symlinks included) and must be `root/<folder>`; a safe id has no
    separator and no '..', so the file cannot leave it."""
    return Path(file_name(root, folder, template_id))


def file_name(root: Path, folder: str, template_id: str) -> str:
    """`target` as a plain string (the commit path builds one per template). Raises UnsafePath."""
    if folder not in FOLDERS or not is_safe_id(template_id) or "/" in template_id or "\\" in template_id:
        raise UnsafePath(f"unsafe file name {folder!r}/{template_id!r}")
    key = (os.fspath(root), folder)
    parent = _dirs.get(key)
    if parent is None:
        base = root.resolve()
        resolved = (base / folder).resolve()
        if resolved.parent != base:
            raise UnsafePath(f"{resolved} is outside {base}")
        parent = _dirs[key] = str(resolved)
    return f"{parent}/{template_id}.json"


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
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_unnamed = {"ok": _O_TMPFILE != 0}  # O_TMPFILE + linkat usable here (switched off at the first refusal)
_proc_fd: list[int] = []  # [pid, fd of /proc/self/fd] (re-opened in a forked child)
# What a system without O_TMPFILE (or without /proc) answers. ENOENT is not among them: a missing folder.
_NOT_HERE = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.EXDEV, errno.EPERM, errno.EACCES)


def write_files(files: list[tuple[str, bytes]]) -> None:
    """Write each file atomically: a reader sees the old file or the new one, never a part.

    A new file is written unnamed (O_TMPFILE) and then linked under its name, one directory entry
    change; an existing one (a rewrite), or where O_TMPFILE or /proc is missing, goes through a temp
    file in the same folder (O_EXCL) and os.replace. System calls only; no fsync (docs/publisher.md).
    Raises OSError; nothing half-written is ever left under a file's name."""
    for path, data in files:
        name = os.fspath(path)
        parent = os.path.dirname(name)
        if parent not in _made:
            os.makedirs(parent, exist_ok=True)
            _made.add(parent)
        try:
            if not (_unnamed["ok"] and _link_new(parent, name, data)):
                _replace(parent, name, data)
        except FileNotFoundError:  # the folder was removed meanwhile: once more, after making it
            os.makedirs(parent, exist_ok=True)
            if not (_unnamed["ok"] and _link_new(parent, name, data)):
                _replace(parent, name, data)


def _link_new(parent: str, name: str, data: bytes) -> bool:
    """Write `data` to an unnamed file in `parent` and link it as `name`. False if `name` exists or
    this system cannot (then it is not tried again). Raises OSError (FileNotFoundError: no `parent`)."""
    try:
        proc = _proc_self_fd()
        fd = os.open(parent, _O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno not in _NOT_HERE:
            raise
        _unnamed["ok"] = False
        return False
    try:
        _write_all(fd, data)
        try:
            os.link(str(fd), name, src_dir_fd=proc, follow_symlinks=True)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in _NOT_HERE:
                raise
            _unnamed["ok"] = False
            return False
    finally:
        os.close(fd)
    return True


def _proc_self_fd() -> int:
    """/proc/self/fd, opened once per process. Raises OSError (EOPNOTSUPP if /proc is not mounted)."""
    pid = os.getpid()
    if not _proc_fd or _proc_fd[0] != pid:
        try:
            fd = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise OSError(errno.EOPNOTSUPP, "no /proc/self/fd") from None
        _proc_fd[:] = [pid, fd]
    return _proc_fd[1]


def _replace(parent: str, name: str, data: bytes) -> None:
    tmp = f"{parent}/.{os.path.basename(name)}.{os.getpid()}.{next(_seq)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def flush_to_disk(path: Path) -> None:
    """Flush the file system holding `path` to disk: syncfs(2) where the C library has it (one call
    for a whole batch of files and their folders), else os.sync(). Raises OSError."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        syncfs = getattr(_libc(), "syncfs", None)
        if syncfs is None:
            os.sync()
        elif syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(path))
    finally:
        os.close(fd)


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def remove(root: Path, folder: str, template_id: str) -> None:
    target(root, folder, template_id).unlink(missing_ok=True)
