"""Attacks on log reading: every reader one semantics, nothing invented, dropped or misread in
silence (issue: exact log reading)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from powerflow.logs import LogMapping, LogReadError, read_log, readers
from powerflow.logs.readers import ReadOptions

from .capped import run_capped

HEADER = "case:concept:name,concept:name,time:timestamp,org:resource,lifecycle:transition\n"
ROWS = [
    "c1,submit,2024-03-01T09:00:00+08:00,ann,complete",
    "c1,,2024-03-01T10:00:00+08:00,ann,complete",       # line 3: no activity
    ",approve,2024-03-01T11:00:00+08:00,bob,complete",   # line 4: no case id
    "c1,approve,,bob,complete",                           # line 5: no time
    "c2,submit,9999-12-31T00:00:00+08:00,ann,complete",  # line 6: placeholder date
    "c2,approve,0202-03-01T09:00:00+08:00,bob,complete", # line 7: mistyped year
    "c2,submit,2024-03-02T09:00:00+08:00,ann,complete",
    "c1,approve,2024-03-01T12:00:00+08:00,bob,complete",
]


def _csv(tmp_path: Path, rows: list[str] = ROWS, name: str = "log.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def _summary(log: object) -> tuple[object, ...]:
    from powerflow.logs import EventLog

    assert isinstance(log, EventLog)
    return (log.case_names, log.activity_names, log.case.tolist(), log.activity.tolist(),
            log.time.tolist(), log.line.tolist(), sorted(log.dropped.items()),
            sorted((d.code, d.location.line) for d in log.diagnostics))


def test_csv_reader_skips_and_locates_missing_and_out_of_range_values(tmp_path: Path) -> None:
    log = read_log(_csv(tmp_path), LogMapping())
    assert log.line.tolist() == [2, 8, 9]
    located = sorted((d.code, d.location.line) for d in log.diagnostics)
    assert located == [("PF061", 3), ("PF061", 4), ("PF062", 5), ("PF089", 6), ("PF089", 7)]
    assert log.dropped == {"log-column-missing": 2, "log-bad-timestamp": 1,
                           "log-time-out-of-range": 2}


def test_arrow_csv_reader_gives_the_same_as_the_standard_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    p = _csv(tmp_path)
    small = read_log(p, LogMapping())
    monkeypatch.setattr(readers, "ARROW_CSV_BYTES", 0)
    big = read_log(p, LogMapping())
    assert _summary(big) == _summary(small)


def test_parquet_reader_invents_nothing(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({
        "case:concept:name": ["c1", "c1", None, "c1", "c2"],
        "concept:name": ["submit", None, "approve", "approve", "submit"],
        "time:timestamp": pa.array(["2024-03-01T09:00:00+08:00", "2024-03-01T10:00:00+08:00",
                                    "2024-03-01T11:00:00+08:00", None, "9999-12-31T00:00:00"]),
    })
    pq.write_table(table, tmp_path / "log.parquet")
    log = read_log(tmp_path / "log.parquet", LogMapping())
    assert log.activity_names == ["submit"] and log.n_events == 1
    assert sorted((d.code, d.location.line) for d in log.diagnostics) == [
        ("PF061", 2), ("PF061", 3), ("PF062", 4), ("PF089", 5)]


def test_parquet_timestamps_out_of_range_are_located(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import datetime as dt

    import pyarrow.parquet as pq

    times = [dt.datetime(2024, 3, 1, 9), dt.datetime(9999, 12, 31), dt.datetime(202, 3, 1)]
    pq.write_table(pa.table({"case:concept:name": ["c1"] * 3, "concept:name": ["a", "b", "c"],
                             "time:timestamp": pa.array(times, pa.timestamp("us"))}),
                   tmp_path / "t.parquet")
    log = read_log(tmp_path / "t.parquet", LogMapping())
    assert log.activity_names == ["a"]
    assert [(d.code, d.location.line) for d in log.diagnostics] == [("PF089", 2), ("PF089", 3)]


def test_lifecycle_with_trailing_space_is_kept_and_others_are_reported(tmp_path: Path) -> None:
    rows = ["c1,submit,2024-03-01T09:00:00+08:00,ann,complete ",
            "c1,approve,2024-03-01T10:00:00+08:00,bob,COMPLETE",
            "c1,approve,2024-03-01T09:30:00+08:00,bob,start"]
    log = read_log(_csv(tmp_path, rows), LogMapping())
    assert log.n_events == 2 and log.other_lifecycle == 1
    assert log.other_lifecycle_values == {"start": 1}
    assert log.lifecycle_variants == {"complete ": 1, "COMPLETE": 1}
    warn = [d for d in log.diagnostics if d.code == "PF088" and d.severity.value == "warning"]
    assert warn and "'start' (1)" in warn[0].message.en


def test_latin1_log_is_not_guessed(tmp_path: Path) -> None:
    p = tmp_path / "latin1.csv"
    text = HEADER + ("c1,submit,2024-03-01T09:00:00+08:00,José,complete\n"
                     "c1,approve,2024-03-01T10:00:00+08:00,Josè,complete\n")
    p.write_bytes(text.encode("latin-1"))
    with pytest.raises(LogReadError) as exc:
        read_log(p, LogMapping())
    d = exc.value.diagnostics[0]
    assert d.code == "PF085" and d.location.line == 2 and "--encoding" in (d.hint.en if d.hint else "")
    log = read_log(p, LogMapping(), ReadOptions(encoding="latin-1"))
    assert log.person_names == ["José", "Josè"]


def test_bytes_invalid_in_the_given_encoding_are_located(tmp_path: Path) -> None:
    p = tmp_path / "mixed.csv"
    p.write_bytes(HEADER.encode() + "c1,submit,2024-03-01T09:00:00+08:00,张三,complete\n".encode(
        "gb18030") + b"c1,approve,2024-03-01T10:00:00+08:00,\xff\xff,complete\n")
    with pytest.raises(LogReadError) as exc:
        read_log(p, LogMapping(), ReadOptions(encoding="gb18030"))
    assert (exc.value.diagnostics[0].code, exc.value.diagnostics[0].location.line) == ("PF086", 3)


def test_replacement_characters_in_names_are_reported(tmp_path: Path) -> None:
    rows = ["c1,submit,2024-03-01T09:00:00+08:00,Jos\ufffd,complete"]
    log = read_log(_csv(tmp_path, rows), LogMapping())
    assert [d.code for d in log.diagnostics] == ["PF092"]


def test_exact_duplicate_rows_are_reported(tmp_path: Path) -> None:
    row = "c1,submit,2024-03-01T09:00:00+08:00,ann,complete"
    log = read_log(_csv(tmp_path, [row, row, "c1,approve,2024-03-01T10:00:00+08:00,bob,complete"]),
                   LogMapping())
    assert log.n_events == 3 and log.duplicates == 1
    d = next(d for d in log.diagnostics if d.code == "PF087")
    assert d.location.line == 3


def test_out_of_range_dates_do_not_kill_the_audit(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from powerflow.cli import cli

    flow = Path(__file__).resolve().parent.parent.parent / "examples/realdata/roadtraffic.yaml"
    p = tmp_path / "rt.csv"
    p.write_text("case:concept:name,concept:name,time:timestamp\n"
                 "A1,Create Fine,2006-07-24T00:00:00+02:00\n"
                 "A1,Send Fine,9999-12-31T00:00:00+02:00\n"
                 "A2,Create Fine,0202-07-24T00:00:00+02:00\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["audit", str(flow), str(p), "--no-chart", "--lang", "en"])
    assert "internal error" not in res.output and "Traceback" not in res.output
    assert res.exit_code in (0, 1), res.output
    assert "rt.csv:3" in res.output and "PF089" in res.output


def _bomb(path: Path, size_mb: int, line: bytes) -> None:
    """A gzip file of `size_mb` MB of `line`: one 16 MB member compressed once and repeated
    (gzip members concatenate), so it is quick to make."""
    chunk = line * ((16 << 20) // len(line))
    member = gzip.compress(chunk, 9)
    with path.open("wb") as fh:
        fh.write(gzip.compress(HEADER.encode()))
        for _ in range(size_mb // 16):
            fh.write(member)


def test_csv_gz_bomb_is_refused_under_a_memory_cap(tmp_path: Path) -> None:
    p = tmp_path / "bomb.csv.gz"
    _bomb(p, 2048, b"c1,submit,2024-03-01T09:00:00+08:00,ann,complete\n")
    assert p.stat().st_size < 8 << 20
    code = ("from powerflow.logs import LogMapping, LogReadError, read_log\n"
            f"try:\n    read_log({str(p)!r}, LogMapping())\n"
            "except LogReadError as e:\n    print(e.diagnostics[0].code)\n")
    res = run_capped(code, 1024, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "PF090", res.stderr[-2000:]


def test_xes_streams_with_bounded_memory(tmp_path: Path) -> None:
    """300,000 events read under a memory cap, at well under 200 bytes per event of peak
    memory growth (holding every event as a dict took about 1.36 KB per event)."""
    p = tmp_path / "big.xes.gz"
    with gzip.open(p, "wt", encoding="utf-8", compresslevel=1) as fh:
        fh.write('<?xml version="1.0"?><log>')
        events = "".join(f'<event><string key="concept:name" value="act{i}"/>'
                         f'<string key="org:resource" value="p{i}"/>'
                         f'<date key="time:timestamp" value="2024-03-01T09:{i:02d}:00+08:00"/>'
                         '<string key="lifecycle:transition" value="complete"/></event>'
                         for i in range(10))
        for c in range(30_000):
            fh.write(f'<trace><string key="concept:name" value="case{c}"/>{events}</trace>')
        fh.write("</log>")
    code = ("from powerflow.logs import LogMapping, read_log\n"
            "def hwm():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n"
            "            return int(line.split()[1]) * 1024\n"
            "before = hwm()\n"
            f"log = read_log({str(p)!r}, LogMapping())\n"
            "print(log.n_events, hwm() - before)\n")
    res = run_capped(code, 700)
    assert res.returncode == 0, res.stderr[-2000:]
    n, growth = map(int, res.stdout.split())
    assert n == 300_000
    assert growth / n < 200, f"{growth / n:.0f} bytes per event"
