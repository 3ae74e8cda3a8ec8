"""`powerflow audit FLOW DATASET/` in one process, and its refusals (PF901-PF905, PF061)."""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from powerflow.distributed.combine import combine_notes, median_of  # noqa: E402
from powerflow.distributed.generate import COLUMNS  # noqa: E402
from powerflow.distributed.run import DaskUnavailable, RunOptions, run_dataset  # noqa: E402

FLOW = str(Path(__file__).resolve().parents[2] / "flows" / "kj-fx-0012-project-approval.yaml")
T0 = 1_717_200_000_000_000_000
DAY = 86_400_000_000_000


def _write(path: Path, cases: list[str], acts: list[str], days: list[int], **extra: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = {COLUMNS[0]: cases, COLUMNS[1]: acts,
            COLUMNS[2]: pa.array([T0 + d * DAY for d in days], pa.timestamp("ns", tz="UTC")),
            **extra}
    pq.write_table(pa.table(cols), path)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    root = tmp_path / "ds"
    _write(root / "year=2024" / "month=06" / "a.parquet", ["c1", "c1", "c2"],
           ["submit", "accept", "submit"], [0, 1, 0])
    _write(root / "year=2024" / "month=07" / "a.parquet", ["c1", "c2"],
           ["propose", "close"], [30, 31])
    return root


def test_a_dataset_folder_is_audited_in_one_process(cli: Callable[..., Result], small: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = cli("audit", FLOW, str(small), "--format", "json", "--lang", "en", "-o", str(out),
              "--no-chart")
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    assert (data["events"], data["cases"]) == (5, 2)
    assert data["kinds"]["PF501"]["case_ids"] == ["c1", "c2"]
    devs = (out / "deviations.csv").read_text(encoding="utf-8")
    assert f"{small / 'year=2024' / 'month=07' / 'a.parquet'}:1" in devs  # file:row
    assert (out / "report.html").is_file() and (out / "cases.csv").is_file()


def test_the_text_report_of_a_dataset(cli: Callable[..., Result], small: Path) -> None:
    res = cli("audit", FLOW, str(small), "--lang", "en", "--no-chart")
    assert res.exit_code == 1
    assert "cases 2, events 5" in res.stdout and "PF501" in res.stdout


def test_an_empty_folder_is_pf902(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = cli("audit", FLOW, str(tmp_path / "empty"), "--lang", "en")
    assert res.exit_code == 2 and "PF902" in res.output and "Traceback" not in res.output


def test_a_file_without_the_case_column_is_pf061(cli: Callable[..., Result], small: Path) -> None:
    pq.write_table(pa.table({"case": ["x"], COLUMNS[1]: ["submit"],
                             COLUMNS[2]: pa.array([T0], pa.timestamp("ns", tz="UTC"))}),
                   small / "year=2024" / "month=07" / "b.parquet")
    res = cli("audit", FLOW, str(small), "--lang", "en")
    assert res.exit_code == 2 and "PF061" in res.output and "b.parquet" in res.output


def test_a_file_with_another_column_type_is_pf904(cli: Callable[..., Result],
                                                   small: Path) -> None:
    pq.write_table(pa.table({COLUMNS[0]: ["x"], COLUMNS[1]: ["submit"], COLUMNS[2]: [5]}),
                   small / "year=2024" / "month=07" / "b.parquet")
    res = cli("audit", FLOW, str(small), "--lang", "en")
    assert res.exit_code == 2 and "PF904" in res.output and "b.parquet" in res.output


def test_a_csv_log_with_dask_is_a_usage_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case:concept:name,concept:name,time:timestamp\n", encoding="utf-8")
    res = cli("audit", FLOW, str(log), "--dask")
    assert res.exit_code == 2 and "Parquet dataset" in res.output


def test_without_the_dask_extra_pf901_says_what_to_install(
        cli: Callable[..., Result], small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def no_dask(name: str, *args: Any, **kwargs: Any) -> Any:
        level = args[3] if len(args) > 3 else kwargs.get("level", 0)
        if level == 0 and name.split(".")[0] in ("dask", "distributed"):
            raise ImportError(f"No module named {name!r}", name=name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    res = cli("audit", FLOW, str(small), "--dask", "--lang", "en")
    assert res.exit_code == 2 and "PF901" in res.output
    assert "pip install 'powerflow[dask]'" in res.output and "Traceback" not in res.output


@pytest.mark.slow
def test_an_unreachable_scheduler_is_pf903(small: Path) -> None:
    pytest.importorskip("distributed")
    from powerflow.distributed import scan_dataset
    from powerflow.engine.flows import load_compiled
    from powerflow.logs import default_mapping

    fl = load_compiled(FLOW)
    assert fl.compiled is not None
    m = default_mapping(fl.compiled.flow)
    with pytest.raises(DaskUnavailable) as err:
        run_dataset(fl.compiled.flow, m, scan_dataset(small, m),
                    RunOptions(scheduler="tcp://127.0.0.1:9", timeout=2), lambda p: None)
    assert err.value.diagnostic.code == "PF903"


def test_median_of_a_histogram_is_numpy_median() -> None:
    import numpy as np

    for vals in ([3.0], [1.0, 2.0], [0.0, 0.0, 5.0, 7.0, 7.0, 9.0], [2.5, 1.0, 1.0, 4.0, 8.0]):
        hist: dict[float, int] = {}
        for v in vals:
            hist[v] = hist.get(v, 0) + 1
        n, mean, med, mx = median_of(hist)
        assert (n, med, mx) == (len(vals), float(np.median(vals)), max(vals))
        assert mean == pytest.approx(float(np.mean(vals)))


def test_notes_with_a_leading_count_are_added_up() -> None:
    a = [("3 events fall outside", "3 个事件超出"), ("R1: not mapped", "R1：未映射")]
    b = [("4 events fall outside", "4 个事件超出"), ("R1: not mapped", "R1：未映射")]
    assert combine_notes([a, b]) == [("7 events fall outside", "7 个事件超出"),
                                     ("R1: not mapped", "R1：未映射")]


@pytest.mark.parametrize("limit", ["100MB", "lots"])
def test_a_worker_memory_limit_too_small_is_pf906(cli: Callable[..., Result], small: Path,
                                                   limit: str) -> None:
    pytest.importorskip("distributed")
    res = cli("audit", FLOW, str(small), "--dask", "--memory-limit", limit, "--lang", "en")
    assert res.exit_code == 2 and "PF906" in res.output and "Traceback" not in res.output


def test_files_are_grouped_in_order_up_to_the_partition_size(tmp_path: Path) -> None:
    from powerflow.distributed.dataset import Dataset, file_groups, hive_keys

    ds = Dataset(str(tmp_path), ("a", "b", "c", "d"), (5, 5, 20, 1), (), None)
    assert file_groups(ds, 10) == [[0, 1], [2], [3]]
    assert file_groups(ds, 1) == [[0], [1], [2], [3]]
    f = tmp_path / "year=2024" / "month=03" / "x" / "p.parquet"
    assert hive_keys(tmp_path, f) == {"year": "2024", "month": "03"}


def test_hive_keys_become_columns_when_the_mapping_reads_them(tmp_path: Path) -> None:
    from powerflow.distributed.dataset import read_table, scan_dataset
    from powerflow.logs.mapping import LogMapping

    _write(tmp_path / "unit=U7" / "p.parquet", ["c1"], ["submit"], [0])
    m = LogMapping(activities={"submit": "submit"}, facts={"unit": "unit"})
    ds = scan_dataset(tmp_path, m)
    assert "unit" in ds.columns
    t = read_table(ds.files[0], 0, ds.root, ds.schema)
    assert t["unit"].to_pylist() == ["U7"] and t["__row"].to_pylist() == [1]


def test_dataset_csv_outputs_hold_no_formula(cli: Callable[..., Result], tmp_path: Path) -> None:
    """Case ids and activities from the dataset reach cases.csv, deviations.csv and the CSV on
    stdout as text a spreadsheet cannot evaluate (the one cell rule of `powerflow.cells`)."""
    root = tmp_path / "ds"
    _write(root / "year=2024" / "a.parquet", ['=cmd|"/c calc"!A1', '=cmd|"/c calc"!A1'],
           ["submit", "@SUM(1)"], [0, 1])
    out = tmp_path / "out"
    res = cli("audit", FLOW, str(root), "--format", "csv", "--lang", "en", "-o", str(out),
              "--no-chart")
    assert res.exit_code == 1, res.output
    for text in (res.stdout, (out / "deviations.csv").read_text("utf-8"),
                 (out / "cases.csv").read_text("utf-8")):
        assert "'=cmd" in text
        assert not any(cell.startswith(("=", "@")) for line in text.splitlines()
                       for cell in line.split(","))
