"""The audit at scale: a generated log of 1,000,000 events, from Parquet, end to end.

In one run: (1) load, encode, replay, check and write the report files, in a fresh child
process pinned to one core, with its CPU time (the machine is shared, so wall time is noisy)
and its peak resident memory (VmHWM); baseline: pyarrow reading the same file;
(2) the replay step alone against a bare NumPy table-lookup loop over the same encoded arrays
(`powerflow.replay.engine.lookup_loop`). Targets: (1) under 5 s and 1 GB, (2) within 10x.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from powerflow.loader import load_catalog, load_flow

from .genlog import walks
from .util import median_time, table

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "kj-fx-0012-project-approval.yaml"
N_EVENTS = 1_000_000


def _flow():  # type: ignore[no-untyped-def]
    lf = load_flow(FLOW, load_catalog(ROOT / "flows" / "catalog.yaml").catalog)
    assert lf.flow is not None
    return lf.flow


def _write_log(path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flow = _flow()
    sample = walks(flow, 2000, seed=1)
    per_case = len(sample["case"]) / 2000
    cols = walks(flow, int(N_EVENTS / per_case * 1.02), noise=0.05)
    n = min(N_EVENTS, len(cols["case"]))
    cols = {k: v[:n] for k, v in cols.items()}
    table_ = pa.table({"case:concept:name": cols["case"], "concept:name": cols["activity"],
                       "time:timestamp": pa.array(cols["time"], pa.timestamp("ns", tz="UTC")),
                       "org:resource": cols["resource"]})
    pq.write_table(table_, path)
    return n


def child(path: str, out: str) -> None:
    """End to end in this process; prints seconds and peak RSS as JSON."""
    t0 = time.perf_counter()
    from powerflow.logs import default_mapping, read_log
    from powerflow.replay.audit import audit
    from powerflow.replay.report import write_reports

    flow = _flow()
    mapping = default_mapping(flow)
    log = read_log(path, mapping)
    t1 = time.perf_counter()
    result = audit(flow, log, mapping)
    t2 = time.perf_counter()
    write_reports(result, Path(out))
    t3 = time.perf_counter()
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"total": t3 - t0, "load": t1 - t0, "audit": t2 - t1, "report": t3 - t2,
                      "cpu": use.ru_utime + use.ru_stime, "rss_mb": _peak_mb(),
                      "events": log.n_events, "cases": log.n_cases,
                      "findings": int(result.findings.kind.size)}))


def _peak_mb() -> float:
    """Peak resident memory of this process image. VmHWM is reset by exec, unlike ru_maxrss,
    which on Linux also counts the forked parent's pages."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        print("pyarrow is not installed: pip install -e '.[parquet]'")
        return
    from powerflow.logs import default_mapping, read_log
    from powerflow.replay.encode import encode_flow, encode_log
    from powerflow.replay.engine import lookup_loop, replay

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.parquet"
        n = _write_log(path)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "ARROW_NUM_THREADS": "1"}
        runs = []
        for _ in range(5):
            out = subprocess.run(
                ["taskset", "-c", "0", sys.executable, "-c",
                 "import sys; from tests.bench.bench_replay import child; child(*sys.argv[1:])",
                 str(path), str(Path(tmp) / "report")],
                capture_output=True, text=True, env=env, cwd=ROOT, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        runs.sort(key=lambda r: r["cpu"])
        med = runs[2]
        read_only = median_time(lambda: pq.read_table(path), repeat=3)
        import pyarrow.csv as pcsv

        csv_path = Path(tmp) / "log.csv"
        pcsv.write_csv(pq.read_table(path), csv_path)
        csv_read = median_time(lambda: read_log(csv_path, default_mapping(_flow())), repeat=3)
        print(table(["stage (1,000,000-event Parquet log, one core)", "seconds", "note"], [
            ["pyarrow read_table only (baseline)", read_only, ""],
            ["load + encode columns", med["load"], f"{med['events']:,} events, {med['cases']:,} cases"],
            ["audit (encode, replay, checks)", med["audit"], f"{med['findings']:,} findings"],
            ["report files (json, 2 csv, html)", med["report"], ""],
            ["end to end, wall clock", med["total"], "shared 2-core machine"],
            ["end to end, CPU time of the process (median of 5)", med["cpu"], "target < 5 s"],
            ["peak resident memory, MB", med["rss_mb"], "target < 1024 MB"],
            ["for comparison: the same log as CSV, read_log only", csv_read,
             f"{csv_path.stat().st_size / 1e6:.0f} MB, pyarrow.csv path"],
        ]))
        flow = _flow()
        mapping = default_mapping(flow)
        log = read_log(path, mapping)
        fe = encode_flow(flow)
        el = encode_log(log, mapping, fe)
        t_replay = median_time(lambda: replay(fe, el), repeat=5)
        t_bare = median_time(lambda: lookup_loop(fe.table[0], el, fe.start), repeat=5)
        print()
        print(table(["replay step on the encoded arrays", "seconds", "events/s", "ratio"], [
            ["bare NumPy table-lookup loop (baseline)", t_bare, n / t_bare, 1.0],
            ["powerflow replay (deviations, resync, per-event outputs)", t_replay,
             n / t_replay, t_replay / t_bare],
        ]))


if __name__ == "__main__":
    main()
