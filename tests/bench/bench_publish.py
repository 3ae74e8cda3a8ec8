"""Publishing the generated catalogue: cold publish and a one-power rebuild vs. bare `dot`.

Baseline, measured in the same run: the DOT of every chart is written first, then `dot -Tsvg`
runs over all of them with the same parallelism as the publish (one process per core). Targets
(issue 5): cold publish within 1.5x of that baseline (the baseline already runs on all cores,
i.e. it is the bare dot time divided by the cores used); a rebuild after changing one power
under 3 s. N defaults to 5,000; set POWERFLOW_BENCH_PUBLISH_N for a quicker run, and
POWERFLOW_BENCH_PUBLISH_ALL_FORMATS=1 to also time a cold publish with PDF and PNG downloads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from powerflow.pipeline import default_jobs, load_all
from powerflow.publish import SiteOptions, build_site
from powerflow.render import flow_to_dot

from .generate import generate
from .util import table

__all__ = ["main"]


def _bare_dot(dots: list[Path], jobs: int) -> float:
    dot = shutil.which("dot") or "dot"

    def one(p: Path) -> None:
        subprocess.run([dot, "-Tsvg", "-o", str(p.with_suffix(".svg")), str(p)], check=True)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, dots))
    return time.perf_counter() - t0


def main() -> None:
    n = int(os.environ.get("POWERFLOW_BENCH_PUBLISH_N", "5000"))
    jobs = default_jobs()
    with tempfile.TemporaryDirectory(prefix="pf-bench-publish-") as tmp:
        root = Path(tmp)
        files = generate(root / "flows", n)
        loaded, _ = load_all([root / "flows"])
        dot_dir = root / "dot"
        dot_dir.mkdir()
        dots = []
        for i, lf in enumerate(loaded):
            assert lf.flow is not None
            path = dot_dir / f"c{i}.dot"
            path.write_text(flow_to_dot(lf.flow), "utf-8")
            dots.append(path)
        bare = _bare_dot(dots, jobs)
        rows = [["bare `dot -Tsvg` (baseline)", n, jobs, bare, 1.0, ""]]
        runs: list[tuple[str, tuple[str, ...]]] = [("cold publish, svg charts", ("svg",))]
        if os.environ.get("POWERFLOW_BENCH_PUBLISH_ALL_FORMATS"):
            runs.append(("cold publish, svg+pdf+png (default)", ("svg", "pdf", "png")))
        for label, formats in runs:
            site = root / f"site-{len(formats)}"
            t0 = time.perf_counter()
            res = build_site([str(root / "flows")], site, SiteOptions(formats, 150, jobs))
            cold = time.perf_counter() - t0
            assert res.published == n, (res.published, res.diagnostics[:3])
            target = "≤ 1.5 (target)" if formats == ("svg",) else "(3 formats: not the target)"
            rows.append([label, n, jobs, cold, cold / bare, target])
            if formats == ("svg",):
                one = files[n // 2]
                one.write_text(one.read_text("utf-8").replace("  name: ", "  name: 改", 1),
                               "utf-8")
                t0 = time.perf_counter()
                res = build_site([str(root / "flows")], site, SiteOptions(formats, 150, jobs))
                rebuild = time.perf_counter() - t0
                assert res.rendered == 1 and res.kept == n - 1, (res.rendered, res.kept)
                rows.append(["rebuild after changing one power", n, jobs, rebuild,
                             rebuild / bare, "< 3 s (target)"])
    print(table(["run", "powers", "processes", "seconds", "× baseline", "target"], rows))


if __name__ == "__main__":
    main()
