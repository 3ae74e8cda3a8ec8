"""Benchmark of `powerflow check` on a generated county-size catalogue (5,000 powers).

In one run, as real processes (start-up included): `validate` alone (the baseline), `check
--no-cache` cold, `check` filling an empty cache, and `check` again with nothing changed (warm).
Targets (issue 3): cold check <= 2x validate; warm check < 1 s.
`python -m tests.bench check` runs it; POWERFLOW_BENCH_N and POWERFLOW_BENCH_REPEAT change the
catalogue size and the number of cold repeats.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .generate import generate
from .util import table

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["main"]


def _run(*args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "powerflow", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"powerflow {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return elapsed


def _median(fn: object, repeat: int) -> float:
    assert callable(fn)
    return statistics.median(fn() for _ in range(repeat))


def main() -> None:
    n = int(os.environ.get("POWERFLOW_BENCH_N", "5000"))
    repeat = int(os.environ.get("POWERFLOW_BENCH_REPEAT", "3"))
    with tempfile.TemporaryDirectory(prefix="pf-bench-check-") as tmp:
        cat = Path(tmp) / "catalogue"
        cache = Path(tmp) / "cache"
        generate(cat, n)
        validate = _median(lambda: _run("validate", str(cat)), repeat)
        cold = _median(lambda: _run("check", str(cat), "--no-cache"), repeat)

        def fill() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return _run("check", str(cat), "--cache-dir", str(cache))

        filling = _median(fill, repeat)
        warm = _median(lambda: _run("check", str(cat), "--cache-dir", str(cache)), 5)
    rows = [
        ("validate (baseline, cold)", validate, 1.0, "-"),
        ("check --no-cache (cold)", cold, cold / validate, "<= 2.0x validate"),
        ("check, filling an empty cache", filling, filling / validate, "-"),
        ("check, warm cache (nothing changed)", warm, warm / validate, "< 1 s"),
    ]
    print(f"{n} powers + catalogue, {os.cpu_count()} cores, medians of {repeat} cold runs and "
          "5 warm runs, seconds (whole process)\n")
    print(table(["run", "median s", "x validate", "target"], rows))


if __name__ == "__main__":
    main()
