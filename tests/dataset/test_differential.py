"""The same log audited in one process and on a real local Dask cluster of two workers gives the
same findings per case, with cases whose events lie in several files and several partitions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from powerflow.distributed import RunOptions, run_dataset, scan_dataset  # noqa: E402
from powerflow.distributed.dataset import file_groups  # noqa: E402
from powerflow.distributed.generate import COLUMNS, generate_dataset  # noqa: E402
from powerflow.distributed.partition import PartAudit  # noqa: E402
from powerflow.engine.flows import load_compiled  # noqa: E402
from powerflow.logs import default_mapping, read_log  # noqa: E402
from powerflow.replay.audit import audit  # noqa: E402
from powerflow.replay.report import case_rows, deviation_lists, step_time_lists, summary  # noqa: E402

FLOW = Path(__file__).resolve().parents[2] / "flows" / "kj-fx-0012-project-approval.yaml"
ALL_ROWS = frozenset({"cases", "deviations", "steps"})

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", memory_limit="1GB") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fl = load_compiled(FLOW)
    assert fl.compiled is not None
    root = tmp_path_factory.mktemp("ds")
    generate_dataset(fl.compiled, 12_000, root, seed=5, units=3, noise=0.3, chunk_cases=600)
    return root


def _single_file(root: Path, out: Path) -> tuple[Path, list[str]]:
    """The dataset's files concatenated in path order as one Parquet file, and for each of
    its rows the dataset's `file:row` it came from."""
    files = sorted(root.rglob("*.parquet"))
    tables, origin = [], []
    for f in files:
        t = pq.read_table(f, columns=list(COLUMNS))
        tables.append(t)
        origin += [f"{f}:{i}" for i in range(1, t.num_rows + 1)]
    pq.write_table(pa.concat_tables(tables), out)
    return out, origin


def _by_case(rows: list[list[Any]], case_col: int) -> dict[str, list[list[Any]]]:
    out: dict[str, list[list[Any]]] = defaultdict(list)
    for r in rows:
        out[r[case_col]].append(r)
    return {k: sorted(v, key=repr) for k, v in out.items()}


def _one_process(root: Path, tmp: Path) -> tuple[dict[str, Any], list[list[Any]],
                                                 list[list[Any]], list[list[Any]]]:
    fl = load_compiled(FLOW)
    assert fl.compiled is not None
    flow = fl.compiled.flow
    mapping = default_mapping(flow)
    single, origin = _single_file(root, tmp / "single.parquet")
    r = audit(flow, read_log(single, mapping), mapping)
    where = f"{single}:"
    devs = [[*row[:6], origin[int(row[6][len(where):]) - 1] if row[6].startswith(where)
             else str(root), *row[7:]] for row in deviation_lists(r)]
    cases = [[*row[:8], origin[row[8] - 1] if row[8] != "" else "", row[9]]
             for row in case_rows(r)]
    return summary(r), cases, devs, step_time_lists(r)


def _on_dask(root: Path, scheduler: str | None, dask: bool = True
             ) -> tuple[dict[str, Any], list[PartAudit]]:
    fl = load_compiled(FLOW)
    assert fl.compiled is not None
    flow = fl.compiled.flow
    mapping = default_mapping(flow)
    parts: list[PartAudit] = []

    def keep(p: PartAudit) -> None:
        parts.append(PartAudit(p.index, cases=p.cases, deviations=p.deviations, steps=p.steps))

    opts = RunOptions(dask=dask, scheduler=scheduler, partition_events=1500, rows=ALL_ROWS)
    combined = run_dataset(flow, mapping, scan_dataset(root, mapping), opts, keep)
    assert not combined.failed and combined.diagnostics == []
    return combined.summary(), parts


def _same_summary(a: dict[str, Any], b: dict[str, Any]) -> None:
    for key in a:
        if key == "kinds":
            for code, k in a["kinds"].items():
                other = b["kinds"][code]
                assert {**k, "case_ids": sorted(k["case_ids"])} == \
                    {**other, "case_ids": sorted(other["case_ids"])}, code
        elif key != "log":
            assert a[key] == b[key], key


def test_cases_spread_over_files_and_partitions(dataset: Path) -> None:
    ds = scan_dataset(dataset, default_mapping(load_compiled(FLOW).compiled.flow))  # type: ignore[union-attr]
    group_of = {f: g for g, idx in enumerate(file_groups(ds, 1500)) for f in idx}
    where: dict[str, set[int]] = defaultdict(set)
    for i, f in enumerate(ds.files):
        for c in pq.read_table(f, columns=[COLUMNS[0]])[COLUMNS[0]].to_pylist():
            where[c].add(i)
    spread = [c for c, fs in where.items() if len({group_of[f] for f in fs}) > 1]
    assert len(ds.files) > 20 and len(spread) > 200


def test_dask_two_workers_gives_the_one_process_findings_per_case(
        dataset: Path, scheduler: str, tmp_path: Path) -> None:
    s1, cases1, devs1, steps1 = _one_process(dataset, tmp_path)
    s2, parts = _on_dask(dataset, scheduler)
    assert len(parts) > 4
    _same_summary(s1, s2)
    for code in ("PF501", "PF503", "PF504", "PF509"):
        assert s1["kinds"][code]["findings"] > 0, code  # the comparison covers real findings
    cases2 = [r for p in parts for r in p.cases]
    devs2 = [r for p in parts for r in p.deviations]
    steps2 = [r for p in parts for r in p.steps]
    assert _by_case(cases1, 0) == _by_case(cases2, 0)
    assert _by_case(devs1, 3) == _by_case(devs2, 3)
    assert _by_case(steps1, 0) == _by_case(steps2, 0)
    assert len(devs2) == len(devs1) > 1000


def test_in_process_dataset_run_equals_dask(dataset: Path, scheduler: str) -> None:
    s1, parts1 = _on_dask(dataset, None, dask=False)
    s2, _ = _on_dask(dataset, scheduler)
    _same_summary(s1, s2)
    assert len(parts1) == 1


@pytest.mark.parametrize(("first", "second", "not_allowed"),
                         [("submit", "accept", 0), ("accept", "submit", 2)])
def test_equal_times_keep_dataset_order(tmp_path: Path, scheduler: str, first: str,
                                        second: str, not_allowed: int) -> None:
    """Two events of one case at the same instant in two files: the file first in path order
    comes first, in one process as on Dask (here it decides PF501 or not)."""
    root = tmp_path / "ties"
    t = pa.array([1_717_200_000_000_000_000], pa.timestamp("ns", tz="UTC"))
    for unit, act in (("A", first), ("B", second)):
        (root / f"unit={unit}").mkdir(parents=True)
        pq.write_table(pa.table({COLUMNS[0]: ["c1"], COLUMNS[1]: [act], COLUMNS[2]: t}),
                       root / f"unit={unit}" / "part.parquet")
    s1, _ = _on_dask(root, None, dask=False)
    s2, _ = _on_dask(root, scheduler)
    assert s1["kinds"]["PF501"]["findings"] == s2["kinds"]["PF501"]["findings"] == not_allowed
    _same_summary(s1, s2)
