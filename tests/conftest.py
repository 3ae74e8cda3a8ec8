"""Fixtures shared by the whole suite: paths, the sample catalogue, the CLI, external programs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
EXAMPLES = ROOT / "examples"
SHARED_DATA = Path(os.environ.get("POWERFLOW_SHARED_DATA") or ROOT.parent / "shared" / "data")
"""`../shared/data` beside the checkout; POWERFLOW_SHARED_DATA points elsewhere (a worktree)."""


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def flows_dir() -> Path:
    return FLOWS


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data` with the real event logs; the test is skipped when it is absent."""
    if not (SHARED_DATA / "receipt.csv").is_file():
        pytest.skip("real event logs not present: ../shared/data is absent in this checkout")
    return SHARED_DATA


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run the command line in-process: ``cli("validate", "flows/")`` gives a click Result
    with ``exit_code`` and ``output`` (stdout and stderr are kept apart: see ``stderr``)."""
    from powerflow.cli import cli as group

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(group, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def cli_process() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m powerflow` as a real process (for exit codes, start-up, signals)."""

    def run(*args: str, cwd: Path | None = None, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        return subprocess.run([sys.executable, "-m", "powerflow", *args], cwd=cwd or ROOT,
                              capture_output=True, text=True, timeout=timeout, env=full_env)

    return run


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def require_graphviz() -> None:
    """Skip unless `dot` and a CJK font are installed; in CI (CI=true) fail instead."""
    if shutil.which("dot") and _has_cjk_font():
        return
    msg = "Graphviz and a CJK font are needed: run `make setup` (apt-get install graphviz fonts-noto-cjk)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def chromium_path() -> str:
    """Path of Debian's chromium; skip (or fail in CI) when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    msg = "Chromium is needed: run `make setup` (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)
