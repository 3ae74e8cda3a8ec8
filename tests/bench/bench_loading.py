"""Loading speed: our strict validation per power against the bare C-accelerated YAML parse of the
same files, and the whole generated 5,000-power catalogue through `pipeline.run` on all cores.

Targets (issue 2): validation per power within 1.5x of the bare parse; the whole catalogue in
under 10 s on the 2-core machine. Run with `python -m tests.bench loading` (or `make bench`).
"""

from __future__ import annotations

import os
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

        def ours() -> None:
            for p in sample:
                load_flow(p, catalog)

        # interleave the two so load on the shared machine hits both alike
        bare_s, ours_s = [], []
        for _ in range(5):
            bare_s.append(median_time(bare, repeat=1, warmup=0))
            ours_s.append(median_time(ours, repeat=1, warmup=0))
        bare_ms = sorted(bare_s)[2] / len(sample) * 1000
        ours_ms = sorted(ours_s)[2] / len(sample) * 1000

        jobs = default_jobs()
        whole_1 = _whole(out, 1) if os.environ.get("PF_BENCH_SERIAL") else None
        whole = _whole(out, jobs)
        rows: list[list[object]] = [
            ["catalogue generated", f"{POWERS:,} powers, {size / 1024:.1f} KiB each", f"{gen_s:.1f} s",
             ""],
            ["bare parse, `yaml.load(CSafeLoader)` (baseline)", "per power", f"{bare_ms:.2f} ms",
             "1.00x"],
            ["powerflow `load_flow` (strict read + model + references), 1 process", "per power",
             f"{ours_ms:.2f} ms", f"{ours_ms / bare_ms:.2f}x (target <= 1.5x)"],
        ]
        if whole_1 is not None:
            rows.append(["whole catalogue, `pipeline.run`, 1 process", f"{POWERS:,} powers",
                         f"{whole_1:.2f} s", ""])
        rows.append([f"whole catalogue, `pipeline.run`, {jobs} processes", f"{POWERS:,} powers",
                     f"{whole:.2f} s", "target < 10 s"])
        print(table(["what", "unit", "time (median)", "ratio / target"], rows))


def _whole(folder: Path, jobs: int) -> float:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = run([folder], None, jobs=jobs)
        times.append(time.perf_counter() - t0)
        assert len(result.files) == POWERS
        assert not result.diagnostics, result.diagnostics[:3]
    return sorted(times)[1]


if __name__ == "__main__":
    main()
