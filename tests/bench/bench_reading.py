"""Reading a 1,000,000-event log: peak memory per event for XES, CSV and Parquet.

Each measurement runs in a fresh child process: it imports what it needs, notes its resident
memory, reads the file, and reports the growth of its peak resident memory (VmHWM) per event,
with CPU and wall time. Baselines in the same run: XES parsed by the same defused SAX parser
doing nothing with the events; CSV and Parquet read by `pyarrow` into a table (what the
reader starts from). Medians over `REPEAT` runs. Target (issue: exact input): XES well under
200 bytes per event.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .util import table

N_EVENTS = 1_000_000
REPEAT = 3

_CHILD = r"""
import json, resource, sys, time
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
what, path = sys.argv[1], sys.argv[2]
from powerflow.logs import LogMapping, read_log
import pyarrow.csv, pyarrow.parquet, defusedxml.expatreader
from xml.sax.handler import ContentHandler
before = hwm()
t0, c0 = time.perf_counter(), time.process_time()
if what == "powerflow":
    n = read_log(path, LogMapping()).n_events
elif path.endswith(".parquet"):
    n = pyarrow.parquet.read_table(path).num_rows
elif path.endswith(".csv"):
    n = pyarrow.csv.read_csv(path).num_rows
else:
    class H(ContentHandler):
        n = 0
        def startElement(self, name, attrs):
            if name == "event":
                H.n += 1
    p = defusedxml.expatreader.create_parser()
    p.setContentHandler(H())
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            p.feed(chunk)
    p.close()
    n = H.n
print(json.dumps({"n": n, "bytes": hwm() - before, "wall": time.perf_counter() - t0,
                  "cpu": time.process_time() - c0}))
"""


def _write_logs(folder: Path) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    cases = [f"case{i // 10}" for i in range(N_EVENTS)]
    acts = [f"step{i % 10}" for i in range(N_EVENTS)]
    people = [f"person{(i * 7) % 501}" for i in range(N_EVENTS)]
    times = [f"2024-{1 + (i // 10) % 12:02d}-{1 + i % 28:02d}T09:{i % 60:02d}:00+08:00"
             for i in range(N_EVENTS)]
    t = pa.table({"case:concept:name": cases, "concept:name": acts, "time:timestamp": times,
                  "org:resource": people, "lifecycle:transition": ["complete"] * N_EVENTS})
    paths = {"Parquet": folder / "log.parquet", "CSV": folder / "log.csv",
             "XES": folder / "log.xes"}
    pq.write_table(t, paths["Parquet"])
    pcsv.write_csv(t, paths["CSV"])
    with paths["XES"].open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<log>\n')
        for c in range(N_EVENTS // 10):
            fh.write(f'<trace><string key="concept:name" value="case{c}"/>\n')
            for i in range(c * 10, c * 10 + 10):
                fh.write(f'<event><string key="concept:name" value="{acts[i]}"/>'
                         f'<string key="org:resource" value="{people[i]}"/>'
                         f'<date key="time:timestamp" value="{times[i]}"/>'
                         '<string key="lifecycle:transition" value="complete"/></event>\n')
            fh.write("</trace>\n")
        fh.write("</log>\n")
    return paths


def _measure(what: str, path: Path) -> dict[str, float]:
    runs = []
    for _ in range(REPEAT):
        out = subprocess.run([sys.executable, "-c", _CHILD, what, str(path)], check=True,
                             capture_output=True, text=True).stdout
        runs.append(json.loads(out))
    return {k: statistics.median(r[k] for r in runs) for k in ("n", "bytes", "wall", "cpu")}


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, path in _write_logs(Path(tmp)).items():
            size = path.stat().st_size / 1e6
            for what in ("powerflow", "baseline"):
                m = _measure(what, path)
                rows.append([fmt, f"{size:.0f} MB", "read_log" if what == "powerflow" else
                             {"XES": "SAX parse only", "CSV": "pyarrow.csv.read_csv",
                              "Parquet": "pyarrow.parquet.read_table"}[fmt],
                             f"{int(m['n']):,}", f"{m['bytes'] / 1e6:.0f} MB",
                             f"{m['bytes'] / m['n']:.0f}", m["cpu"], m["wall"]])
    print(f"Reading {N_EVENTS:,} events (medians of {REPEAT} runs, fresh process each)")
    print(table(["format", "file", "reader", "events", "peak growth", "bytes/event",
                 "CPU s", "wall s"], rows))


if __name__ == "__main__":
    main()
