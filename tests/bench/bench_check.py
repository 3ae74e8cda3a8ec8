"""Benchmark of `powerflow check` on a generated county-size catalogue (5,000 powers).

In one run, as real processes (start-up included): `validate` alone (the baseline), `check
--no-cache` cold, `check` filling an empty cache, and `check` again with nothing changed (warm).
Targets (issue 3): cold check <= 2x validate; warm check < 1 s.
`python -m tests.bench check` runs it; POWERFLOW_BENCH_N and POWERFLOW_BENCH_REPEAT change the
catalogue size and the number of cold repeats.
"""

from __future__ import annotations

import os
import resource
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


CPU: dict[str, list[float]] = {}


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(*args: str, label: str = "") -> float:
    """Wall time of one powerflow process; its CPU time (all workers) is kept in CPU[label]."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    c0 = _cpu()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "powerflow", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    CPU.setdefault(label or args[0], []).append(_cpu() - c0)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"powerflow {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    n = int(os.environ.get("POWERFLOW_BENCH_N", "5000"))
    repeat = int(os.environ.get("POWERFLOW_BENCH_REPEAT", "3"))
    with tempfile.TemporaryDirectory(prefix="pf-bench-check-") as tmp:
        cat = Path(tmp) / "catalogue"
        cache = Path(tmp) / "cache"
        generate(cat, n)
        def fill() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return _run("check", str(cat), "--cache-dir", str(cache), label="fill")

        # interleaved rounds, so that load from other processes hits every variant alike
        times: dict[str, list[float]] = {"validate": [], "cold": [], "fill": []}
        for _ in range(repeat):
            times["validate"].append(_run("validate", str(cat)))
            times["cold"].append(_run("check", str(cat), "--no-cache", label="cold"))
            times["fill"].append(fill())
        validate, cold, filling = (statistics.median(times[k]) for k in ("validate", "cold", "fill"))
        warm = statistics.median(_run("check", str(cat), "--cache-dir", str(cache), label="warm")
                                 for _ in range(5))
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    rows = [
        ("validate (baseline, cold)", validate, 1.0, cpu["validate"], 1.0, "-"),
        ("check --no-cache (cold)", cold, cold / validate, cpu["cold"],
         cpu["cold"] / cpu["validate"], "<= 2.0x validate"),
        ("check, filling an empty cache", filling, filling / validate, cpu["fill"],
         cpu["fill"] / cpu["validate"], "-"),
        ("check, warm cache (nothing changed)", warm, warm / validate, cpu["warm"],
         cpu["warm"] / cpu["validate"], "< 1 s"),
    ]
    print(f"{n} powers + catalogue, {os.cpu_count()} cores, medians of {repeat} interleaved cold "
          f"rounds and 5 warm runs, seconds (whole process), load average before: "
          f"{os.getloadavg()[0]:.1f}\n")
    print(table(["run", "wall s", "x validate", "CPU s", "CPU x validate", "target"], rows))
    print("\nCPU s: user + system time of the process and its workers (less sensitive than wall "
          "time to other load on the machine).")


if __name__ == "__main__":
    main()
