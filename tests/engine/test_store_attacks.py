"""The case store attacked as a clerk with the `sqlite3` program would: one test per attack.

Every field that decides a case's judgement must come from the chained trail (or content pinned
by a chained hash); `verify` must refuse what is not a store and never change a file; a keyed
chain and an exported anchor must catch truncation and re-hashing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from powerflow.engine.store.base import GENESIS, TrailRow, chain_hash

from .conftest import PROC

Cli = Callable[..., Result]
T = "2025-03-03T09:00"


def _store(cli: Cli, tmp_path: Path, amount: int = 8_000_000, flow: Path = PROC,
           env: dict[str, str] | None = None) -> str:
    db = str(tmp_path / "cases.sqlite3")
    res = cli("case", "open", str(flow), "C", "--fact", f"amount={amount}", "--time", T,
              "--store", db, env=env)
    assert res.exit_code == 0, res.output
    for event, post in (("submit", None), ("approve", "finance")):
        args = ["case", "fire", "C", event, "--time", T, "--person", event, "--store", db]
        res = cli(*args, *(["--post", post] if post else []), env=env)
        assert res.exit_code == 0, res.output
    return db


def _outside_trail(db: str, change: Callable[[sqlite3.Connection, str, list[str]], None]
                   ) -> None:
    """Apply `change(con, table, columns)` to every table but the trail, as a clerk would."""
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name != 'trail'")]
    for t in tables:
        change(con, t, [r[1] for r in con.execute(f"PRAGMA table_info({t})")])
    con.commit()
    con.close()


def _edit_outside_trail(db: str, column: str, value: object) -> None:
    """Set `column` wherever a table but the trail has it."""
    def change(con: sqlite3.Connection, t: str, cols: list[str]) -> None:
        if column in cols:
            con.execute(f"UPDATE {t} SET {column}=?", (value,))
    _outside_trail(db, change)


def _sqlite_file(path: Path, *statements: str) -> Path:
    """Another program's SQLite file, made of `statements`."""
    con = sqlite3.connect(path)
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.close()
    return path


def _replace_outside_trail(db: str, old: str, new: str) -> None:
    """Replace text in every cell of every table but the trail."""
    def change(con: sqlite3.Connection, t: str, cols: list[str]) -> None:
        for col in cols:
            con.execute(f"UPDATE {t} SET {col}=replace({col}, ?, ?) WHERE typeof({col})='text'",
                        (old, new))
    _outside_trail(db, change)


def _trail_row(con: sqlite3.Connection, seq: int, prev: str | None = None,
               detail: dict[str, object] | None = None) -> TrailRow:
    """Row `seq` as stored, with another `prev_hash` or `detail` if given (hash not set)."""
    cols = [r[1] for r in con.execute("PRAGMA table_info(trail)")]
    d = dict(zip(cols, con.execute("SELECT * FROM trail WHERE seq=?", (seq,)).fetchone(),
                 strict=True))
    return TrailRow(d["seq"], d["case_id"], d["n"], d["time"], d["event"], d["person"],
                    d["post"], tuple(json.loads(d["evidence"])), d["from_step"], d["to_step"],
                    bool(d["accepted"]), d["reason"],
                    json.loads(d["detail"]) if detail is None else detail, d["key"],
                    d["prev_hash"] if prev is None else prev)


def _opening_row(db: str) -> dict[str, object]:
    con = sqlite3.connect(db)
    detail = con.execute("SELECT detail FROM trail WHERE n=0").fetchone()[0]
    con.close()
    return dict(json.loads(detail))


def test_facts_edited_outside_the_chain_do_not_change_the_judgement(cli: Cli,
                                                                     tmp_path: Path) -> None:
    db = _store(cli, tmp_path)
    _edit_outside_trail(db, "facts", json.dumps({"amount": 100}))
    _replace_outside_trail(db, "8000000", "100")
    res = cli("case", "fire", "C", "choose", "--time", T, "--store", db)
    assert res.exit_code == 0 and "--> tender" in res.output, res.output
    # the facts in the trail itself cannot be edited either: reads refuse the changed row
    con = sqlite3.connect(db)
    con.execute("UPDATE trail SET detail=replace(detail, '8000000', '100') WHERE n=0")
    con.commit()
    con.close()
    res = cli("case", "fire", "C", "award", "--time", T, "--store", db, "--lang", "en")
    assert res.exit_code == 2 and "PF815" in res.output
    assert cli("case", "verify", "--store", db).exit_code == 1


def test_finished_flag_outside_the_chain_does_not_hide_a_case_from_overdue(
        cli: Cli, tmp_path: Path) -> None:
    db = _store(cli, tmp_path)
    _edit_outside_trail(db, "finished", 1)
    _edit_outside_trail(db, "step", "contract")
    _replace_outside_trail(db, '"step":"method"', '"step":"contract"')
    res = cli("case", "overdue", "--as-of", "2025-03-20T09:00", "--store", db)
    assert res.exit_code == 1 and "C\t" in res.output, res.output
    res = cli("case", "list", "--open", "--store", db)
    assert "C\t" in res.output and "method" in res.output


def test_flow_path_edited_outside_the_chain_does_not_move_the_case_to_another_power(
        cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(PROC.read_text(encoding="utf-8").replace("T-PROC-1", "T-OTHER-9")
                     .replace("- {from: plan, to: check, event: submit}",
                              "- {from: plan, to: check, event: submit}\n"
                              "  - {from: method, to: contract, event: choose}"),
                     encoding="utf-8")
    db = _store(cli, tmp_path, amount=10)
    _edit_outside_trail(db, "flow_path", str(other))
    _edit_outside_trail(db, "power", "T-OTHER-9")
    _replace_outside_trail(db, "T-PROC-1", "T-OTHER-9")
    res = cli("case", "fire", "C", "choose", "--time", T, "--store", db)
    assert res.exit_code == 0 and "--> quote" in res.output, res.output
    res = cli("case", "list", "--store", db)
    assert "T-PROC-1" in res.output and "T-OTHER-9" not in res.output


def test_flow_edited_under_a_live_case_is_detected_and_never_silent(cli: Cli,
                                                                     tmp_path: Path) -> None:
    flow = tmp_path / "proc.yaml"
    shutil.copy(PROC, flow)
    db = _store(cli, tmp_path, flow=flow)
    pinned = _opening_row(db)["flow_sha256"]
    # the clerk raises the 2-day limit of `method` to 30 under the live case
    text = flow.read_text(encoding="utf-8")
    flow.write_text(text.replace("kind: decision, limit: 2}", "kind: decision, limit: 30}", 1),
                    encoding="utf-8")
    assert hashlib.sha256(flow.read_bytes()).hexdigest() != pinned
    as_of = "2025-03-10T09:00"
    res = cli("case", "overdue", "--as-of", as_of, "--store", db)
    assert res.exit_code == 1 and "C\t" in res.output  # still judged by the pinned 2-day limit
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert "PF823" in res.output  # the change is reported
    # moving the case to the edited flow is an explicit, chained event
    res = cli("case", "migrate", "C", str(flow), "--reason", "limit corrected by order 12",
              "--time", "2025-03-04T09:00", "--store", db)
    assert res.exit_code == 0, res.output
    assert cli("case", "overdue", "--as-of", as_of, "--store", db).exit_code == 0
    res = cli("case", "show", "C", "--store", db, "--format", "json")
    trail = json.loads(res.output)["trail"]
    assert trail[-1]["event"] == "@migrate"
    assert trail[-1]["detail"]["reason"] == "limit corrected by order 12"
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert res.exit_code == 0 and "PF823" not in res.output, res.output


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_verify_refuses_a_missing_or_empty_store_and_creates_nothing(
        cli: Cli, tmp_path: Path, kind: str) -> None:
    db = tmp_path / "cases.sqltie3"  # misspelled
    if kind == "empty":
        db.write_bytes(b"")
    for command in ("verify", "list", "show"):
        args = ["case", command, *(["C"] if command == "show" else []), "--store", str(db)]
        res = cli(*args, "--lang", "en")
        assert res.exit_code == 2, (command, res.output)
        assert ("PF801" if kind == "missing" else "PF802") in res.output
        assert "OK" not in res.output
        assert db.exists() == (kind == "empty")
        assert kind == "missing" or db.stat().st_size == 0


def _fix_meta(con: sqlite3.Connection) -> None:
    seq, head = con.execute("SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1").fetchone()
    con.execute("UPDATE meta SET value=? WHERE key='head'", (head,))
    con.execute("UPDATE meta SET value=? WHERE key='rows'", (str(seq),))
    con.commit()


def _rehash_from(con: sqlite3.Connection, first: int) -> None:
    """Recompute every hash from row `first` on, as an attacker with the (public) rule can."""
    prev = GENESIS if first == 1 else con.execute(
        "SELECT hash FROM trail WHERE seq=?", (first - 1,)).fetchone()[0]
    for (seq,) in con.execute("SELECT seq FROM trail WHERE seq>=? ORDER BY seq",
                              (first,)).fetchall():
        h = chain_hash(prev, _trail_row(con, seq, prev).body())
        con.execute("UPDATE trail SET prev_hash=?, hash=? WHERE seq=?", (prev, h, seq))
        prev = h
    _fix_meta(con)


def test_anchor_catches_a_truncated_tail_with_meta_fixed(cli: Cli, tmp_path: Path) -> None:
    db = _store(cli, tmp_path)
    assert cli("case", "open", str(PROC), "D", "--time", T, "--store", db).exit_code == 0
    anchor = tmp_path / "anchor.json"
    assert cli("case", "anchor", "--store", db, "-o", str(anchor)).exit_code == 0
    body = json.loads(anchor.read_text(encoding="utf-8"))
    assert body["rows"] == 4 and len(body["head"]) == 64 and body["time"]
    con = sqlite3.connect(db)  # the last case never existed: its rows go, and so does the rest
    for table in [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]:
        if "case_id" in [r[1] for r in con.execute(f"PRAGMA table_info({table})")]:
            con.execute(f"DELETE FROM {table} WHERE case_id='D'")
    _fix_meta(con)
    con.close()
    assert cli("case", "verify", "--store", db).exit_code == 0  # undetectable without anchor
    res = cli("case", "verify", "--store", db, "--anchor", str(anchor), "--lang", "en")
    assert res.exit_code == 1 and "PF819" in res.output


def test_anchor_catches_a_rehashed_chain(cli: Cli, tmp_path: Path) -> None:
    db = _store(cli, tmp_path)
    anchor = tmp_path / "anchor.json"
    assert cli("case", "anchor", "--store", db, "-o", str(anchor)).exit_code == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE trail SET person='someone else' WHERE seq=2")
    _rehash_from(con, 2)
    con.close()
    res = cli("case", "verify", "--store", db, "--anchor", str(anchor), "--lang", "en")
    assert res.exit_code == 1 and "PF819" in res.output


def test_keyed_chain_catches_rows_appended_and_rehashed_without_the_key(
        cli: Cli, tmp_path: Path) -> None:
    keyfile = tmp_path / "store.key"
    keyfile.write_bytes(os.urandom(32).hex().encode())
    env = {"POWERFLOW_STORE_KEY_FILE": str(keyfile)}
    db = _store(cli, tmp_path, env=env)
    assert cli("case", "verify", "--store", db, env=env).exit_code == 0
    con = sqlite3.connect(db)
    last = con.execute("SELECT * FROM trail ORDER BY seq DESC LIMIT 1").fetchone()
    con.execute("INSERT INTO trail VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (last[0] + 1, "C", last[2] + 1, T, "choose", "x", None, "[]", "method",
                 "contract", 1, None, "{}", None, last[15], "0" * 64))
    _rehash_from(con, last[0] + 1)
    con.close()
    res = cli("case", "verify", "--store", db, "--lang", "en", env=env)
    assert res.exit_code == 1 and "PF815" in res.output
    # without the key the keyed store is not verified as if it were unkeyed
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert res.exit_code == 2 and "PF805" in res.output


def test_a_store_keeps_working_when_its_folder_moves(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "flows").mkdir(parents=True)
    shutil.copy(PROC, project / "flows" / "proc.yaml")
    db = _store(cli, project, flow=project / "flows" / "proc.yaml")
    detail = _opening_row(db)
    assert not os.path.isabs(str(detail["flow"])) and str(tmp_path) not in json.dumps(detail)
    moved = tmp_path / "moved"
    project.rename(moved)
    db = str(moved / "cases.sqlite3")
    res = cli("case", "fire", "C", "choose", "--time", T, "--store", db, "--lang", "en")
    assert res.exit_code == 0 and "PF82" not in res.output, res.output
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert res.exit_code == 0 and "PF82" not in res.output, res.output


def test_a_read_only_store_is_verified_without_being_changed(cli: Cli, tmp_path: Path) -> None:
    db = _store(cli, tmp_path)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=DELETE")  # as archived: one file, no WAL
    con.close()
    before = Path(db).read_bytes()
    os.chmod(db, stat.S_IRUSR | stat.S_IRGRP)
    os.chmod(tmp_path, stat.S_IRUSR | stat.S_IXUSR)
    try:
        res = cli("case", "verify", "--store", db)
        listed = cli("case", "list", "--store", db)
    finally:
        os.chmod(tmp_path, stat.S_IRWXU)
        os.chmod(db, stat.S_IRUSR | stat.S_IWUSR)
    assert res.exit_code == 0, res.output
    assert listed.exit_code == 0 and "C\t" in listed.output
    assert Path(db).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.sqlite3"]


def test_a_foreign_sqlite_file_is_refused_without_being_changed(cli: Cli,
                                                                 tmp_path: Path) -> None:
    db = _sqlite_file(tmp_path / "accounts.db",
                      "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)",
                      "INSERT INTO accounts VALUES (1, 'x')")
    before = db.read_bytes()
    for args in (("list",), ("verify",), ("fire", "C", "submit"),
                 ("open", str(PROC), "C", "--time", T)):
        res = cli("case", *args, "--store", str(db), "--lang", "en")
        assert res.exit_code == 2 and "PF803" in res.output, (args, res.output)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db"]


def test_chain_hash_is_keyed_when_a_key_is_given() -> None:
    body = {"a": 1}
    assert chain_hash(GENESIS, body) == hashlib.sha256(
        (GENESIS + '{"a":1}').encode()).hexdigest()
    assert chain_hash(GENESIS, body, b"k" * 32) != chain_hash(GENESIS, body)




def test_a_kept_case_state_edited_beside_the_trail_is_ignored_and_reported(
        cli: Cli, tmp_path: Path) -> None:
    db = _store(cli, tmp_path)
    con = sqlite3.connect(db)
    state = json.loads(con.execute("SELECT state FROM heads").fetchone()[0])
    state["detail"]["facts"]["amount"] = 100
    con.execute("UPDATE heads SET state=?", (json.dumps(state),))
    con.commit()
    con.close()
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert res.exit_code == 1 and "PF820" in res.output and "heads" in res.output
    res = cli("case", "fire", "C", "choose", "--time", T, "--store", db)
    assert res.exit_code == 0 and "--> tender" in res.output
    assert cli("case", "verify", "--store", db).exit_code == 0  # the write put it right


def test_migration_is_refused_when_it_would_change_nothing_or_the_power(
        cli: Cli, tmp_path: Path) -> None:
    flow = tmp_path / "proc.yaml"
    shutil.copy(PROC, flow)
    db = _store(cli, tmp_path, flow=flow)
    res = cli("case", "migrate", "C", str(flow), "--reason", "x", "--store", db, "--lang", "en")
    assert res.exit_code == 2 and "PF811" in res.output and "already" in res.output
    flow.write_text(PROC.read_text(encoding="utf-8").replace("T-PROC-1", "T-OTHER-9"),
                    encoding="utf-8")
    res = cli("case", "migrate", "C", str(flow), "--reason", "x", "--store", db, "--lang", "en")
    assert res.exit_code == 2 and "PF811" in res.output and "T-OTHER-9" in res.output
    assert cli("case", "verify", "--store", db).exit_code == 0


def test_keys_are_checked(cli: Cli, tmp_path: Path) -> None:
    db = _store(cli, tmp_path, env={"POWERFLOW_STORE_KEY": "k" * 32})
    for env, words in (({"POWERFLOW_STORE_KEY": "x" * 32}, "not the store's key"),
                       ({"POWERFLOW_STORE_KEY": "short"}, "at least 16"),
                       ({"POWERFLOW_STORE_KEY_FILE": str(tmp_path / "none")}, "cannot be read")):
        res = cli("case", "list", "--store", db, "--lang", "en", env=env)
        assert res.exit_code == 2 and "PF805" in res.output and words in res.output
    (tmp_path / "plain").mkdir()
    plain = _store(cli, tmp_path / "plain")
    res = cli("case", "verify", "--store", plain, "--lang", "en",
              env={"POWERFLOW_STORE_KEY": "k" * 32})
    assert res.exit_code == 2 and "PF805" in res.output and "not keyed" in res.output


def test_a_bad_anchor_or_an_old_format_is_refused(cli: Cli, tmp_path: Path) -> None:
    db = _store(cli, tmp_path)
    anchor = tmp_path / "a.json"
    anchor.write_text('{"format": "powerflow-cases-anchor 1", "rows": -1}', encoding="utf-8")
    res = cli("case", "verify", "--store", db, "--anchor", str(anchor), "--lang", "en")
    assert res.exit_code == 2 and "PF806" in res.output
    old = _sqlite_file(tmp_path / "old.sqlite3",
                       "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                       "INSERT INTO meta VALUES ('format', 'powerflow-cases 1')")
    res = cli("case", "list", "--store", str(old), "--lang", "en")
    assert res.exit_code == 2 and "PF804" in res.output and "format 1" in res.output


def test_verify_remakes_every_decision_with_the_pinned_flow(cli: Cli, tmp_path: Path) -> None:
    from powerflow.engine.store import ledger
    from powerflow.engine.store.sqlite import SqliteStore

    from .conftest import compiled_at

    db = _store(cli, tmp_path)
    other = tmp_path / "other.yaml"  # a flow in which `approve` leads elsewhere
    other.write_text(PROC.read_text(encoding="utf-8").replace(
        "{from: check, to: method, event: approve, actor: finance}",
        "{from: check, to: dropped, event: approve, actor: finance}"), encoding="utf-8")
    with SqliteStore(db, readonly=True) as store:
        rows = store.get("C")[1]
        fold = ledger.fold_case("C", rows, store.chain, db)
        assert ledger.replay(fold, rows, store._compiled) == []
        found = ledger.replay(fold, rows, lambda _v: compiled_at(other))
    assert [d.code for d in found] == ["PF820"] and "approve gave method" in found[0].message.en


def test_every_store_code_is_documented_with_its_name() -> None:
    from powerflow.engine.store.base import STORE_CODES

    page = (PROC.parents[3] / "docs" / "cases.md").read_text(encoding="utf-8")
    for code, (name, severity) in STORE_CODES.items():
        assert f"| {code} | {name} | {severity.value} |" in page, code


def test_fire_does_not_trust_a_kept_state_whose_row_was_rehashed_alone(
        cli: Cli, tmp_path: Path) -> None:
    from powerflow.engine.store import ledger

    db = _store(cli, tmp_path)
    assert cli("case", "open", str(PROC), "D", "--time", T, "--store", db).exit_code == 0
    con = sqlite3.connect(db)  # forge C's kept state and its last row (seq 3), rehash that row
    state = json.loads(con.execute("SELECT state FROM heads WHERE case_id='C'").fetchone()[0])
    state["detail"]["facts"]["amount"] = 100
    detail = json.loads(con.execute("SELECT detail FROM trail WHERE seq=3").fetchone()[0])
    detail["state"] = ledger.state_hash(state)
    con.execute("UPDATE heads SET state=? WHERE case_id='C'", (json.dumps(state),))
    con.execute("UPDATE trail SET detail=? WHERE seq=3", (json.dumps(detail),))
    row = _trail_row(con, 3)
    con.execute("UPDATE trail SET hash=? WHERE seq=3", (chain_hash(row.prev_hash, row.body()),))
    con.commit()
    con.close()
    res = cli("case", "fire", "C", "choose", "--time", T, "--store", db, "--lang", "en")
    assert res.exit_code == 2 and "PF820" in res.output  # the trail's own facts disagree
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert res.exit_code == 1 and "PF816" in res.output


def test_open_with_a_flow_that_does_not_load_creates_no_store(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("power: {code: X\n", encoding="utf-8")
    db = tmp_path / "cases.sqlite3"
    res = cli("case", "open", str(bad), "B", "--store", str(db), "--lang", "en")
    assert res.exit_code == 2 and "PF810" in res.output and f"{bad}:2:1" in res.output
    assert not db.exists()


def test_the_catalogue_and_its_calendar_file_are_pinned_too(cli: Cli, tmp_path: Path) -> None:
    flows = tmp_path / "project" / "flows"
    flows.mkdir(parents=True)
    shutil.copy(PROC, flows / "proc.yaml")
    (flows / "catalog.yaml").write_text(
        "department: {name: 测试局}\ndefaults: {calendar: cal.yaml}\n", encoding="utf-8")
    cal = flows / "cal.yaml"
    cal.write_text("base: weekdays\nname: test\nyears: {2025: {holidays: []}}\n",
                   encoding="utf-8")
    db = _store(cli, tmp_path / "project", flow=flows / "proc.yaml")
    detail = _opening_row(db)
    assert detail["unit"] == "测试局" and detail["calendar"] == "cal.yaml"
    assert detail["calendar_sha256"] == hashlib.sha256(cal.read_bytes()).hexdigest()
    as_of = "2025-03-06T17:00"  # `method` (limit 2) entered Monday: 3 working days by Thursday
    assert cli("case", "overdue", "--as-of", as_of, "--store", db).exit_code == 1
    cal.write_text("base: weekdays\nname: test\nyears: {2025: {holidays: [2025-03-04/2025-03-10]}}"
                   "\n", encoding="utf-8")  # a week off declared afterwards
    assert cli("case", "overdue", "--as-of", as_of, "--store", db).exit_code == 1
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert res.exit_code == 0 and "PF823" in res.output
    moved = tmp_path / "moved"
    (tmp_path / "project").rename(moved)
    db = str(moved / "cases.sqlite3")
    assert cli("case", "overdue", "--as-of", as_of, "--store", db).exit_code == 1
    res = cli("case", "migrate", "C", str(moved / "flows" / "proc.yaml"), "--reason", "week off",
              "--time", "2025-03-04T09:00", "--store", db)
    assert res.exit_code == 0, res.output
    assert cli("case", "overdue", "--as-of", as_of, "--store", db).exit_code == 0


@pytest.mark.parametrize("sql", [
    "UPDATE trail SET evidence='not json' WHERE seq=3",                  # unreadable row
    "UPDATE flows SET content=CAST('power: {}' AS BLOB) WHERE sha256=("  # pinned bytes changed
    "SELECT json_extract(detail, '$.flow_sha256') FROM trail WHERE seq=1)",
])
def test_unreadable_rows_and_changed_pinned_bytes_are_errors_not_tracebacks(
        cli: Cli, tmp_path: Path, sql: str) -> None:
    db = _store(cli, tmp_path)
    con = sqlite3.connect(db)
    con.execute(sql)
    con.commit()
    con.close()
    code = "PF822" if "evidence" in sql else "PF821"
    for args in (("fire", "C", "choose", "--time", T), ("show", "C"), ("list",)):
        res = cli("case", *args, "--store", db, "--lang", "en")
        assert res.exit_code == 2 and code in res.output, (args, res.output)
    res = cli("case", "verify", "--store", db, "--lang", "en")
    assert res.exit_code == 1 and code in res.output


_VALUES = ("NULL", "''", "'x'", "0", "-1", "99", "'{}'", "'[]'", "'null'", "x'00'",
           "'2025-13-01'", "'@open'", "'@migrate'")


def test_any_single_cell_edited_is_reported_and_no_command_crashes(cli: Cli,
                                                                   tmp_path: Path) -> None:
    """40 random edits of one cell in any table: `verify` never says OK about a changed file,
    and no command ends in anything but a diagnostic (exit 0, 1 or 2 without a traceback)."""
    import random

    base = _store(cli, tmp_path)
    assert cli("case", "fire", "C", "sign", "--time", T, "--store", base).exit_code == 1
    rng = random.Random(11)
    edited = 0
    for i in range(40):
        db = str(shutil.copy(base, tmp_path / f"e{i}.sqlite3"))
        con = sqlite3.connect(db)
        table = rng.choice(["trail", "trail", "meta", "heads", "flows"])
        col = rng.choice([r[1] for r in con.execute(f"PRAGMA table_info({table})")])
        before = list(con.iterdump())
        rowid = rng.choice([r[0] for r in con.execute(f"SELECT rowid FROM {table}")])
        try:
            con.execute(f"UPDATE {table} SET {col}={rng.choice(_VALUES)} WHERE rowid=?",
                        (rowid,))
            con.commit()
        except sqlite3.IntegrityError:
            continue
        changed = list(con.iterdump()) != before
        con.close()
        res = cli("case", "verify", "--store", db)  # a traceback would raise here
        assert res.exit_code in (1, 2) if changed else res.exit_code == 0, (table, col)
        edited += changed
        for args in (("show", "C"), ("fire", "C", "choose", "--time", T)):
            assert cli("case", *args, "--store", db).exit_code in (0, 1, 2)
    assert edited >= 20
