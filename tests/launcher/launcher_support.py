"""Helpers for launcher tests: free port blocks and running the launcher as a real process (not a conftest: imported by name)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ouro_runtime.redis_server import port_is_free

REPO = Path(__file__).resolve().parents[2]
STANDIN = Path(__file__).with_name("standin_service.py")


def free_offset(base_ports: list[int], span: int = 2, start: int = 20000, stop: int = 40000) -> int:
    """An offset o such that every base port p, p+1 .. p+span-1, shifted by o, is free on loopback."""
    pid_spread = (os.getpid() * 37) % 1000  # parallel runs start their search at different places
    for offset in range(start + pid_spread, stop, 97):
        if all(port_is_free(p + offset + i) for p in base_ports for i in range(span)):
            return offset
    raise RuntimeError("no free port block found")


def launcher(
    *args: str, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run `python -m ouro_launcher ARGS` to completion with its data under `data_dir`."""
    # A REDIS_URL from the caller's shell would turn the embedded Redis off: only `env` may set one.
    inherited = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    full_env = {**inherited, "OURO_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ouro_launcher", *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
