"""Bearer tokens for the two roles: from the environment, or generated once into data/secrets/.

A generated token is written with mode 0600 (created with O_EXCL, so two starting processes cannot
both win) and printed once, on the start that generated it; later starts read the file silently.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from ouro_admin.settings import AdminSettings

SECRETS_DIR = "secrets"
OPERATOR_FILE = "admin_token"
VIEWER_FILE = "viewer_token"


@dataclass(frozen=True)
class Tokens:
    operator: str
    viewer: str
    generated: tuple[str, ...] = ()  # which files this start created


def _read_or_create(path: Path) -> tuple[str, bool]:
    """The token in `path`, or a new one written there with 0600. Returns (token, created)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = path.read_text(encoding="utf-8").strip()
    else:
        token = secrets.token_urlsafe(32)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(token + "\n")
        os.chmod(path, 0o600)  # whatever the umask said
        return token, True
    if len(token) < 16:
        raise ValueError(f"{path}: token file is empty or too short; delete it to generate a new one")
    return token, False


def _resolve(env: SecretStr | None, path: Path) -> tuple[str, bool]:
    if env is not None:
        return env.get_secret_value(), False
    return _read_or_create(path)


def load_tokens(settings: AdminSettings, *, announce: bool = True) -> Tokens:
    """Operator and viewer tokens. Raises ValueError on an unusable token file, OSError if unwritable."""
    root = Path(settings.data_dir) / SECRETS_DIR
    operator, op_new = _resolve(settings.admin_token, root / OPERATOR_FILE)
    viewer, view_new = _resolve(settings.viewer_token, root / VIEWER_FILE)
    if secrets.compare_digest(operator, viewer):
        raise ValueError("the operator and viewer tokens must differ")
    generated = tuple(name for name, new in ((OPERATOR_FILE, op_new), (VIEWER_FILE, view_new)) if new)
    if announce:
        # Printed once: only the start that generated a token shows it. stdout, not the JSON log.
        if op_new:
            print(f"admin-api: generated operator token (stored in {root / OPERATOR_FILE}): {operator}",
                  flush=True)
        if view_new:
            print(f"admin-api: generated viewer token (stored in {root / VIEWER_FILE}): {viewer}",
                  flush=True, file=sys.stdout)
    return Tokens(operator=operator, viewer=viewer, generated=generated)
