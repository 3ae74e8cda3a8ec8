"""Loading speed: our strict validation per power against the bare C-accelerated YAML parse of the
same files, and the whole generated 5,000-power catalogue through `pipeline.run` on all cores.

Targets (issue 2): validation per power within 1.5x of the bare parse; the whole catalogue in
under 10 s on the 2-core machine. Run with `python -m tests.bench loading` (or `make bench`).

The machine is shared, so besides wall time the table gives CPU time (this process and its
workers) and the load average: CPU seconds / cores is the wall time on idle cores.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

import yaml

from powerflow.loader import load_catalog, load_flow
from powerflow.pipeline import default_jobs, run
from tests.bench.generate import generate
from tests.bench.util import median_time, table

__all__ = ["main"]

POWERS = int(os.environ.get("PF_BENCH_POWERS", "5000"))
SAMPLE = 400
"""Files timed per repeat for the per-power figures (the whole catalogue is timed separately)."""


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pf-bench-") as tmp:
        out = Path(tmp) / "catalogue"
        t0 = time.perf_counter()
        files = generate(out, POWERS)
        gen_s = time.perf_counter() - t0
        sample = files[:: max(1, len(files) // SAMPLE)][:SAMPLE]
        catalog = load_catalog(out / "catalog.yaml").catalog
        assert catalog is not None
        size = sum(p.stat().st_size for p in files) / len(files)

        def bare() -> None:
            for p in sample:
                yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)  # the baseline: safe, C-accelerated

        def compose() -> None:
            for p in sample:
                yaml.compose(p.read_bytes(), Loader=yaml.CSafeLoader)

        def ours() -> None:
            for p in sample:
                load_flow(p, catalog)

        # interleave the two so load on the shared machine hits both alike
        wall: dict[str, list[float]] = {"bare": [], "compose": [], "ours": []}
        cpu: dict[str, list[float]] = {"bare": [], "compose": [], "ours": []}
        for _ in range(5):
            for name, fn in (("bare", bare), ("compose", compose), ("ours", ours)):
                c0 = time.process_time()
                wall[name].append(median_time(fn, repeat=1, warmup=0))
                cpu[name].append(time.process_time() - c0)
        per = 1000 / len(sample)
        bare_ms, comp_ms, ours_ms = (sorted(wall[k])[2] * per for k in ("bare", "compose", "ours"))
        bare_cpu_ms, comp_cpu_ms, ours_cpu_ms = (sorted(cpu[k])[2] * per
                                                 for k in ("bare", "compose", "ours"))

        jobs = default_jobs()
        rows: list[list[object]] = [
            ["catalogue generated", f"{POWERS:,} powers, {size / 1024:.1f} KiB each",
             f"{gen_s:.1f} s", "", ""],
            ["bare parse, `yaml.load(CSafeLoader)` (baseline)", "per power", f"{bare_ms:.2f} ms",
             f"{bare_cpu_ms:.2f} ms", "1.00x"],
            ["compose only, `yaml.compose(CSafeLoader)` (node tree, no data built)",
             "per power", f"{comp_ms:.2f} ms", f"{comp_cpu_ms:.2f} ms",
             f"{comp_ms / bare_ms:.2f}x"],
            ["powerflow `load_flow` (strict read + model + references), 1 process", "per power",
             f"{ours_ms:.2f} ms", f"{ours_cpu_ms:.2f} ms",
             f"{ours_ms / bare_ms:.2f}x wall, {ours_cpu_ms / bare_cpu_ms:.2f}x CPU (target <= 1.5x)"],
        ]
        for n in ([1] if os.environ.get("PF_BENCH_SERIAL") else []) + [jobs]:
            wall, cpu = _whole(out, n)
            rows.append([f"whole catalogue, `pipeline.run`, {n} process{'es' if n > 1 else ''}",
                         f"{POWERS:,} powers", f"{wall:.2f} s", f"{cpu:.2f} s",
                         f"target < 10 s; CPU / {n} = {cpu / n:.1f} s on idle cores"])
        print(table(["what", "unit", "wall time (median)", "CPU time", "ratio / target"], rows))
        load1, load5, _ = os.getloadavg()
        print(f"\nload average during the run: {load1:.1f} (1 min), {load5:.1f} (5 min) "
              f"on {os.cpu_count()} cores")


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _whole(folder: Path, jobs: int) -> tuple[float, float]:
    """Median wall time and the CPU time of that run (parent and workers)."""
    runs = []
    for _ in range(3):
        c0, t0 = _cpu(), time.perf_counter()
        result = run([folder], None, jobs=jobs)
        runs.append((time.perf_counter() - t0, _cpu() - c0))
        assert len(result.files) == POWERS
        assert not result.diagnostics, result.diagnostics[:3]
    return sorted(runs)[1]


if __name__ == "__main__":
    main()
