"""powerflow's vectorised audit against pm4py token-based replay on the exported PNML.

pm4py is AGPL: it is only a development extra (`pip install -e '.[pm4py]'`), never imported by
powerflow itself. Without it this benchmark prints a message and returns. Throughputs are cases
per second of the replay and checks (files already loaded, both sides); agreement compares which
cases fit, over the cases whose activities are all in the model.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from powerflow.loader import load_catalog, load_flow
from powerflow.logs import load_mapping, read_log
from powerflow.logs.mapping import LogMapping, default_mapping
from powerflow.replay.audit import audit
from powerflow.replay.net import to_pnml

from .genlog import walks
from .util import median_time, table

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("POWERFLOW_SHARED_DATA") or ROOT.parent / "shared" / "data")


def _pm4py(df: Any, pnml: str) -> tuple[float, dict[str, bool]]:
    import pm4py
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "net.pnml"
        p.write_text(pnml, encoding="utf-8")
        net, im, fm = pm4py.read_pnml(str(p))
    log = pm4py.convert_to_event_log(df)
    params = {"show_progress_bar": False}
    res = token_replay.apply(log, net, im, fm, parameters=params)
    took = median_time(lambda: token_replay.apply(log, net, im, fm, parameters=params),
                       repeat=3, warmup=0)
    return took, {tr.attributes["concept:name"]: bool(r["trace_is_fit"])
                  for tr, r in zip(log, res, strict=True)}


def _compare(label: str, flow: Any, log: Any, mapping: LogMapping, df: Any) -> list[Any]:
    r = audit(flow, log, mapping)
    ours = median_time(lambda: audit(flow, log, mapping), repeat=5, warmup=0)
    took, pm = _pm4py(df, to_pnml(flow))
    clean = np.ones(r.n_cases, dtype=bool)
    clean[np.unique(r.encoded_log.case[r.encoded_log.event < 0])] = False
    names = r.log.case_names
    agree = sum(1 for c in np.flatnonzero(clean).tolist() if pm[names[c]] == bool(r.fits[c]))
    n = r.n_cases
    return [label, n, int(clean.sum()), n / ours, n / took, (n / ours) / (n / took),
            f"{agree}/{int(clean.sum())}"]


def main() -> None:
    try:
        import pandas as pd
        import pm4py  # noqa: F401
    except ImportError:
        print("pm4py is not installed: pip install -e '.[pm4py]' (AGPL, development only)")
        return
    rows = []
    if (DATA / "receipt.csv").is_file():
        lf = load_flow(ROOT / "examples" / "realdata" / "receipt.yaml")
        assert lf.flow is not None
        lm = load_mapping(ROOT / "examples" / "realdata" / "receipt.mapping.yaml", lf.flow)
        assert lm.mapping is not None
        log = read_log(DATA / "receipt.xes.gz", lm.mapping)
        df = pd.read_csv(DATA / "receipt.csv")
        df["concept:name"] = df["concept:name"].map(lambda a: lm.mapping.activities.get(a, a))
        df["time:timestamp"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
        rows.append(_compare("permit receipt (real)", lf.flow, log, lm.mapping, df))
    else:
        print(f"(no real logs at {DATA}: permit-log row skipped)")
    cat = load_catalog(ROOT / "flows" / "catalog.yaml").catalog
    lf = load_flow(ROOT / "flows" / "kj-fx-0012-project-approval.yaml", cat)
    assert lf.flow is not None
    cols = walks(lf.flow, 100_000, noise=0.05)
    mapping = default_mapping(lf.flow)
    df = pd.DataFrame({"case:concept:name": cols["case"], "concept:name": cols["activity"],
                       "time:timestamp": pd.to_datetime(cols["time"], utc=True),
                       "org:resource": cols["resource"]})
    from powerflow.logs.eventlog import EventLog

    codes = {a: i for i, a in enumerate(sorted(set(cols["activity"])))}
    case_codes = np.asarray([int(c[5:]) for c in cols["case"]], dtype=np.int32)
    log = EventLog("generated", [f"case-{i}" for i in range(100_000)], case_codes,
                   list(codes), np.asarray([codes[a] for a in cols["activity"]], np.int32),
                   np.asarray(cols["time"], np.int64), [], np.full(len(case_codes), -1, np.int32),
                   [], np.full(len(case_codes), -1, np.int32),
                   np.arange(2, len(case_codes) + 2, dtype=np.int32))
    rows.append(_compare("generated, 100,000 cases", lf.flow, log, mapping, df))
    print(table(["log", "cases", "cases without unknown activities", "powerflow cases/s",
                 "pm4py cases/s", "speed-up", "agree on fit"], rows))


