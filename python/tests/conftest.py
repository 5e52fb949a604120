"""Shared fixtures: the repository's fixture files and the CLI binary to compare against."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def read(rel: str) -> str:
    return (FIXTURES / rel).read_text(encoding="utf-8")


def load(rel: str):
    return json.loads(read(rel))


@pytest.fixture(scope="session")
def cli() -> Path:
    """The main crate's release binary: reused if built, else built once (``cargo build --release``)."""
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    if not target.is_absolute():
        target = REPO / target
    exe = target / "release" / ("qitech-sim.exe" if os.name == "nt" else "qitech-sim")
    if not exe.exists():
        cargo = shutil.which("cargo")
        if cargo is None:
            pytest.skip("cargo not found: cannot build the CLI to compare against")
        subprocess.run(
            [cargo, "build", "--release", "-q", "--bin", "qitech-sim",
             "--manifest-path", str(REPO / "Cargo.toml")],
            check=True, stdin=subprocess.DEVNULL,
        )
    return exe


@pytest.fixture(scope="session")
def run_cli(cli):
    """``run_cli(*args, stdin=None, status=0) -> str``: the CLI's stdout (it must exit `status`:
    ``batch`` exits 1 when some line failed)."""

    def run(*args: str, stdin: str | None = None, status: int = 0) -> str:
        p = subprocess.run(
            [str(cli), *args], input=stdin, capture_output=True, text=True, cwd=REPO,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
        assert p.returncode == status, p.stderr
        return p.stdout

    return run


def dates(d):
    """``object_hook``: what ``as_decimal=True`` gives for a ``*_date`` key, a ``datetime.date``."""
    import datetime

    for k, v in d.items():
        if k.endswith("date") and isinstance(v, str) and len(v) == 10:
            try:
                d[k] = datetime.date.fromisoformat(v)
            except ValueError:
                pass
    return d
