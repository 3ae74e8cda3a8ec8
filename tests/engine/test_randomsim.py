"""Random simulation: seeded, honours branch probabilities and durations, draws a histogram."""

from __future__ import annotations

import defusedxml.ElementTree as ET
import numpy as np

from powerflow.engine.compile import CompiledFlow
from powerflow.engine.randomsim import branch_probabilities, simulate_random, step_duration
from powerflow.report.randomsim import histogram_svg, render_random_text


def test_branch_probabilities_written_and_shared(proc: CompiledFlow) -> None:
    # check: ask 0.2, drop 0.1, approve gets the rest
    got = [(e, t, round(p, 9)) for e, t, p in branch_probabilities(proc, "check")]
    assert got == [("ask", "wait", 0.2), ("approve", "method", 0.7), ("drop", "dropped", 0.1)]
    assert step_duration(proc, "quote") == (1, 2, 3)
    assert step_duration(proc, "check") == (0.4, 1.0, 2.2)


def test_seeded_and_reproducible(proc: CompiledFlow) -> None:
    a, b = simulate_random(proc, 5000, seed=7), simulate_random(proc, 5000, seed=7)
    assert np.array_equal(a.totals, b.totals)
    c = simulate_random(proc, 5000, seed=8)
    assert not np.array_equal(a.totals, c.totals)


def test_frequencies_follow_the_probabilities(proc: CompiledFlow) -> None:
    r = simulate_random(proc, 20000, seed=1)
    # every check visit ends with drop 10 %, ask 20 % (then back), approve 70 %:
    # P(dropped) = 0.1 / (0.1 + 0.7) = 0.125
    assert abs(r.outcomes["withdrawn"] - 0.125) < 0.01
    assert abs(r.outcomes["granted"] - 0.875) < 0.01
    assert abs(r.risk_freq["R1"] - 0.875) < 0.01  # R1 sits on `method`
    # award: from tender always, from quote half the time; tender is 30 % of method choices
    assert abs(r.risk_freq["R2"] - 0.875 * (0.3 + 0.7 * 0.5)) < 0.015
    assert r.unfinished == 0
    assert r.percentiles[50] <= r.percentiles[90] <= r.percentiles[99]
    assert r.p_over_promised is not None and 0 < r.p_over_promised < 0.5


def test_histogram_is_valid_svg_with_limits(proc: CompiledFlow) -> None:
    r = simulate_random(proc, 2000, seed=3)
    svg = histogram_svg(r, "zh")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "承诺 10" in svg and "法定 20" in svg
    assert "p50" in render_random_text(r, "en")
