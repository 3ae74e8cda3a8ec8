"""Fixtures of the render tests: a small fixture flow and a flow full of hostile text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from powerflow.loader import load_catalog, load_flow
from powerflow.model import Flow

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "flows"
MINI = FIXTURES / "t-xk-0001-mini.yaml"

HOSTILE = [
    '<<TABLE><TR><TD HREF="javascript:alert(1)">x</TD></TR></TABLE>>',
    "<script>alert(1)</script>",
    "\\N \\G \\L \\E \\T \\H",
    "\"quoted\" 'single' & amp",
    "申报:材料",
    "\u202eevil\u202c mirrored \u2066x\u2069",
    "ctl\x07char\x1bhere",
    '<a href="http://evil.example/">x</a><link rel="stylesheet" href="https://evil.example/s.css">',
    '<img src=x onerror="alert(1)">',
    "=HYPERLINK(\"http://evil.example\")",
]


def hostile_yaml() -> tuple[str, str]:
    """(catalogue, power file) YAML texts with hostile strings in every free-text field."""
    import json

    def q(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)  # JSON strings are valid YAML scalars

    h = HOSTILE
    catalog = f"""department:
  name: {q(h[0])}
  supervision: {{hotline: {q(h[1])}, email: {q(h[7])}, address: {q(h[8])}}}
actors:
  a: {{name: {q(h[0])}, kind: external}}
  b: {{name: {q(h[2])}, kind: office}}
"""
    power = f"""power:
  code: EVIL-1
  name: {q(h[1])}
  name_en: {q(h[0])}
  category: 行政许可
  body: {q(h[7])}
  office: {q(h[8])}
  fees: {q(h[9])}
  legal_basis:
    - {{rank: 法律, instrument: {q(h[0])}, article: {q(h[1])}}}
  limits: {{statutory: 20, promised: 10, note: {q(h[5])}}}
steps:
  s: {{name: {q(h[4])}, actor: a, kind: start}}
  t: {{name: {q(h[0])}, actor: b, kind: task, limit: 3}}
  u: {{name: {q(h[2])}, name_en: {q(h[1])}, actor: b, kind: review, limit: 1}}
  e: {{name: {q(h[3])}, actor: b, kind: end, outcome: granted}}
transitions:
  - {{from: s, to: t, event: go, label: {q(h[0])}}}
  - {{from: t, to: u, event: next, label: {q(h[6])}}}
  - {{from: u, to: e, event: done, label: {q(h[7])}}}
risks:
  R1:
    at: t
    level: 高
    description: {q(h[0] + h[1] + h[2])}
    responsible: b
    controls:
      - {{name: {q(h[9])}, evidence: ev, owner: b}}
      - {{name: {q(h[8])}, evidence: ev2, owner: a}}
"""
    return catalog, power


@pytest.fixture
def mini_flow() -> Flow:
    cat = load_catalog(FIXTURES / "catalog.yaml").catalog
    flow = load_flow(MINI, cat).flow
    assert flow is not None
    return flow


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    catalog, power = hostile_yaml()
    (folder / "catalog.yaml").write_text(catalog, "utf-8")
    (folder / "evil.yaml").write_text(power, "utf-8")
    return folder


@pytest.fixture
def hostile_flow(hostile_dir: Path) -> Flow:
    loaded_cat = load_catalog(hostile_dir / "catalog.yaml")
    assert loaded_cat.catalog is not None, loaded_cat.diagnostics
    lf = load_flow(hostile_dir / "evil.yaml", loaded_cat.catalog)
    assert lf.flow is not None, lf.diagnostics
    return lf.flow


@pytest.fixture
def fixture_flows(tmp_path: Path) -> Path:
    """A copy of the fixture flows folder (tests may edit it)."""
    dest = tmp_path / "flows"
    shutil.copytree(FIXTURES, dest)
    return dest
