"""The dataset audit at scale: 20M generated events, one process against Dask with 1 and 2 workers,
and runs whose worker memory limit is at most half the dataset's size in memory.

Each run is a fresh child process (the coordinator; a local cluster's scheduler runs in it, the
workers are its grandchildren) auditing the partitioned dataset to the text summary. Measured:
wall time, events/s, CPU time of the whole process tree (user + system, from the reaped
children), the coordinator's peak resident memory and each worker's (`ru_maxrss` read on the
worker before the cluster closes). The baseline, in the same run, is the single-process audit of
the same dataset. The dataset is generated once (`powerflow generate-log`, seed 1) into the
temporary folder, or taken from POWERFLOW_BENCH_DATASET; it is never put in the repository.
Then a paper estimate: workers needed for 1 billion events in 10 minutes at the measured
per-worker rate.

`python -m tests.bench dask` runs it (about 10-20 minutes on two cores).
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

from .util import table

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "kj-fx-0012-project-approval.yaml"
N_EVENTS = int(os.environ.get("POWERFLOW_BENCH_EVENTS", "20000000"))
DATASET = Path(os.environ.get("POWERFLOW_BENCH_DATASET")
               or Path(tempfile.gettempdir()) / f"powerflow-dask-bench-{N_EVENTS // 1_000_000}m")

CHILD = r"""
import json, resource, sys, time
from powerflow.distributed import RunOptions, run_dataset, scan_dataset
from powerflow.engine.flows import load_compiled
from powerflow.logs import default_mapping

def main():
    flow_path, root, mode, workers, limit, part = sys.argv[1:7]
    flow = load_compiled(flow_path).compiled.flow
    mapping = default_mapping(flow)
    t0 = time.perf_counter()
    peaks = []
    startup = 0.0
    opts = RunOptions(partition_events=int(part))
    if mode == "single":
        c = run_dataset(flow, mapping, scan_dataset(root, mapping), opts, lambda p: None)
    else:
        from distributed import Client, LocalCluster
        with LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                          memory_limit=limit, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0") as cl, Client(cl) as client:
            from dataclasses import replace
            startup = time.perf_counter() - t0
            t0 = time.perf_counter()
            c = run_dataset(flow, mapping, scan_dataset(root, mapping), replace(opts, scheduler=cl.scheduler_address),
                            lambda p: None)
            peaks = sorted(client.run(
                lambda: __import__("resource").getrusage(0).ru_maxrss * 1024).values())
    s = c.summary()
    wall = time.perf_counter() - t0
    print(json.dumps({"events": s["events"], "cases": s["cases"], "failed": c.failed,
                      "findings": sum(k["findings"] for k in s["kinds"].values()),
                      "wall": wall, "startup": startup, "coordinator": resource.getrusage(0).ru_maxrss * 1024,
                      "workers": peaks,
                      "diagnostics": [d.message.en for d in c.diagnostics][:3]}))

if __name__ == "__main__":
    main()
"""


def _dataset() -> tuple[Path, int]:
    """The generated dataset and its size as Arrow columns in memory (read file by file once,
    kept in the `_complete` marker)."""
    import pyarrow.parquet as pq

    marker = DATASET / "_complete"
    if marker.is_file():
        return DATASET, int(json.loads(marker.read_text(encoding="utf-8"))["bytes"])
    files = sorted(DATASET.rglob("*.parquet")) if DATASET.is_dir() else []
    if sum(pq.read_metadata(f).num_rows for f in files) < N_EVENTS:
        subprocess.run([sys.executable, "-m", "powerflow", "generate-log", str(FLOW), "-o",
                        str(DATASET), "--events", str(N_EVENTS), "--seed", "1", "--lang", "en"],
                       check=True)
        files = sorted(DATASET.rglob("*.parquet"))
    size = sum(pq.read_table(f).nbytes for f in files)
    marker.write_text(json.dumps({"bytes": size}), encoding="utf-8")
    return DATASET, size


def _run(mode: str, workers: int, limit: str, part: int) -> dict[str, object]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(FLOW), str(DATASET), mode,
                           str(workers), limit, str(part)], capture_output=True, text=True,
                          cwd=ROOT, timeout=3600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        return {"failed": True, "error": proc.stderr.strip().splitlines()[-1:], "cpu": cpu}
    out: dict[str, object] = json.loads(lines[-1])
    out["cpu"] = cpu
    return out


def _mb(n: object) -> str:
    return f"{int(n) / 2**20:,.0f} MB" if isinstance(n, int | float) else "-"


def _uptime() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3].__str__()
    except OSError:
        return "?"


def main() -> None:
    root, size = _dataset()
    limit = max(512 * 2**20, int(size / 2.2))
    small = f"{limit // 2**20}MiB"
    print(f"dataset: {root} ({N_EVENTS:,} events wanted), {size / 2**30:.2f} GiB of columns "
          f"uncompressed; load average before: {_uptime()}", flush=True)
    runs = [("one process (baseline)", "single", 1, "0", 50_000_000),
            ("Dask, 1 worker, 6 GB", "dask", 1, "6GB", 250_000),
            ("Dask, 2 workers, 4 GB each", "dask", 2, "4GB", 250_000),
            (f"Dask, 1 worker, {small} (dataset {size / limit:.1f}x its limit)", "dask", 1, small,
             50_000),
            (f"Dask, 2 workers, {small} each (dataset {size / limit:.1f}x a worker's limit, "
             f"{size / limit / 2:.1f}x the total)", "dask", 2, small, 50_000)]
    rows, rates = [], {}
    for name, mode, workers, limit, part in runs:
        t0 = time.perf_counter()
        r = _run(mode, workers, limit, part)
        wall = float(r.get("wall", time.perf_counter() - t0))  # type: ignore[arg-type]
        ok = not r.get("failed")
        ev = int(r.get("events", 0))  # type: ignore[call-overload]
        rates[name] = ev / wall if ok and wall else 0.0
        peaks = r.get("workers") or []
        rows.append([name, "completed" if ok else f"FAILED {r.get('error') or r.get('diagnostics')}",
                     f"{ev:,}", f"{float(r.get('startup', 0)):,.1f}", f"{wall:,.1f}",  # type: ignore[arg-type]
                     f"{float(r['cpu']):,.1f}",  # type: ignore[arg-type]
                     f"{rates[name]:,.0f}", _mb(r.get("coordinator")),
                     ", ".join(_mb(p) for p in peaks) or "-"])  # type: ignore[union-attr]
        print(f"  {name}: {rows[-1][1]}, {rows[-1][4]} s", flush=True)
    print(table(["run", "result", "events", "cluster start s", "audit wall s", "CPU s (tree)", "events/s",
                 "coordinator peak", "worker peaks"], rows))
    per_worker = rates[runs[2][0]] / 2 if rates[runs[2][0]] else rates[runs[1][0]]
    if per_worker:
        need = 1_000_000_000 / (per_worker * 600)
        print(f"\npaper estimate: {per_worker:,.0f} events/s per worker (2-worker run / 2) → "
              f"1 billion events in 10 minutes needs about {need:,.0f} workers "
              f"({need * 1.5:,.0f} with a 1.5x margin for the shuffle over a network), "
              "each with the memory of the 2-worker run.")
    print(f"load average after: {_uptime()}")


if __name__ == "__main__":
    main()
