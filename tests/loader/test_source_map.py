"""The source map: built lazily on first use, it holds exactly one mark per key and list item of
the data, at the right line and column, and behaves as a plain dict (copy, pickle, compare)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from powerflow.source import read_yaml

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _paths(data: Any, prefix: tuple[str | int, ...] = ()) -> set[tuple[str | int, ...]]:
    out: set[tuple[str | int, ...]] = set()
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(
        data, list) else ()
    for k, v in items:
        out.add((*prefix, k))
        out |= _paths(v, (*prefix, k))
    return out


@pytest.mark.parametrize("path", sorted(FLOWS.glob("*.yaml")), ids=lambda p: p.name)
def test_one_mark_per_key_and_item(path: Path) -> None:
    res = read_yaml(path.read_bytes(), str(path))
    assert set(res.source) == _paths(res.data)


def test_marks_point_at_keys_and_values() -> None:
    text = b"power:\n  code: KJ-1\nsteps:\n  - a\n  - {b: 1}\n"
    res = read_yaml(text, "x.yaml")
    mark = res.source[("power", "code")]
    assert (mark.key_line, mark.key_column, mark.line, mark.column) == (2, 3, 2, 9)
    assert res.source[("steps", 1, "b")][:2] == (5, 9)


def test_lazy_map_behaves_as_a_dict() -> None:
    res = read_yaml(b"a: 1\nb: [x, y]\n", "x.yaml")
    plain = res.source.copy()
    assert type(plain) is dict and plain == res.source and len(res.source) == 4
    assert pickle.loads(pickle.dumps(res.source)) == plain
    assert ("b", 1) in res.source and res.source.get(("zz",)) is None


def test_duplicate_keys_keep_the_first_mark() -> None:
    res = read_yaml(b"a: 1\nb: 2\na: 3\n", "x.yaml")
    assert [d.code for d in res.diagnostics] == ["PF002"]
    assert res.data == {"a": 1, "b": 2}
    assert res.source[("a",)].key_line == 1
