"""Guardrails in force: read from `ouro:guardrails` (else data/guardrails.json, else the defaults);
an accepted edit is written to the file atomically (temp + rename) and to the key, in that order,
so the file (what a snapshot keeps) is never behind the key."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import names
from ouro_schemas.guardrails import Guardrails, parse_guardrails

FILE = "guardrails.json"


def guardrails_path(data_dir: Path) -> Path:
    return data_dir / FILE


async def current(redis: Redis, data_dir: Path) -> tuple[dict[str, Any], str]:
    """The guardrails in force as JSON data, and where they came from (key | file | defaults)."""
    raw = await redis.get(names.GUARDRAILS)
    if raw:
        try:
            return parse_guardrails(json.loads(raw)).model_dump(mode="json"), "key"
        except ValueError:
            pass  # an unreadable key: fall back to the file the publisher also reads
    path = guardrails_path(data_dir)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        return parse_guardrails(json.loads(text), str(path)).model_dump(mode="json"), "file"
    except (OSError, ValueError):
        return Guardrails().model_dump(mode="json"), "defaults"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def store(redis: Redis, data_dir: Path, data: object) -> Guardrails:
    """Validate and store. Raises ouro_schemas.errors.ContentError (nothing written) or OSError."""
    model = parse_guardrails(data, "guardrails")
    text = json.dumps(model.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    await asyncio.to_thread(_write_atomic, guardrails_path(data_dir), text)
    await redis.set(names.GUARDRAILS, text)
    return model


async def sync_key_from_file(redis: Redis, data_dir: Path) -> str:
    """After a restore: make the key say what the file says (or remove it). Returns 'file' or 'none'."""
    path = guardrails_path(data_dir)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except FileNotFoundError:
        await redis.delete(names.GUARDRAILS)
        return "none"
    await redis.set(names.GUARDRAILS, text)
    return "file"
