"""The publisher's settings (environment, prefix OURO_)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from ouro_runtime.settings import ServiceSettings


class PublisherSettings(ServiceSettings):
    guardrails_path: Path | None = None  # default: <data_dir>/guardrails.json
    guardrails_poll_s: Annotated[float, Field(gt=0, le=3600)] = 1.0  # file mtime check interval
    # "off": template files are not flushed to disk (the page cache has them; see docs/publisher.md,
    # Durability). "batch": each batch's files are flushed (syncfs) before its patches are published.
    files_fsync: Literal["off", "batch"] = "off"

    @property
    def guardrails_file(self) -> Path:
        return self.guardrails_path or self.data_dir / "guardrails.json"

    @property
    def generated_dir(self) -> Path:
        return self.data_dir / "generated"

    @property
    def base_dir(self) -> Path:
        return self.data_dir / "base"
