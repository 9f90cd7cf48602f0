"""`test` and `schemas`: the project's one command for lint, types and tests, and the schema export.

`test` runs, in order, `ruff check .`, `mypy` (configured in the root pyproject.toml) and `pytest`
(extra arguments go to pytest), and stops at the first failure with that step's exit status.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO


def test_steps(pytest_args: Sequence[str], python: str = sys.executable) -> list[tuple[str, list[str]]]:
    """(title, argv) for each step of `./ourobouro test`, in order."""
    return [
        ("lint: ruff check .", [python, "-m", "ruff", "check", "."]),
        ("types: mypy", [python, "-m", "mypy"]),
        ("tests: pytest " + " ".join(pytest_args), [python, "-m", "pytest", *pytest_args]),
    ]


def run_steps(steps: Sequence[tuple[str, Sequence[str]]], cwd: Path, out: TextIO = sys.stdout) -> int:
    """Run each step in `cwd`; return the first non-zero exit status, or 0."""
    for title, argv in steps:
        out.write(f"==> {title}\n")
        out.flush()
        code = subprocess.call(list(argv), cwd=cwd)
        if code != 0:
            out.write(f"==> FAILED ({code}): {title}\n")
            return code
    out.write("==> all checks passed\n")
    return 0


def run_tests(project_dir: Path, pytest_args: Sequence[str], out: TextIO = sys.stdout) -> int:
    return run_steps(test_steps(pytest_args), project_dir, out)


def export_schemas(project_dir: Path, target: str = "docs/schemas") -> int:
    """`python -m ouro_schemas.export <target>`: JSON Schemas of every wire type."""
    return subprocess.call([sys.executable, "-m", "ouro_schemas.export", target], cwd=project_dir)
