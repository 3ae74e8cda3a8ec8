"""Small sort-based array helpers for the audit (faster than `np.unique` on large int arrays).

Takes integer NumPy arrays; gives distinct values, counts and first positions.
Must not: know about flows or logs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["count_distinct", "distinct", "distinct_counts", "run_starts"]

Ints = npt.NDArray[np.integer[Any]]


def distinct(a: Ints) -> npt.NDArray[np.int64]:
    """Sorted distinct values."""
    s = np.sort(a.astype(np.int64, copy=False))
    if s.size == 0:
        return s
    keep = np.empty(s.shape[0], dtype=np.bool_)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def count_distinct(a: Ints) -> int:
    return int(distinct(a).shape[0])


def distinct_counts(a: Ints) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Sorted distinct values and how often each occurs."""
    s = np.sort(a.astype(np.int64, copy=False))
    if s.size == 0:
        return s, np.zeros(0, np.int64)
    starts = run_starts(s)
    counts = np.diff(np.r_[starts, s.shape[0]]).astype(np.int64)
    return s[starts], counts


def run_starts(s: Ints) -> npt.NDArray[np.int64]:
    """Positions where a run of equal values begins, in an array grouped by value."""
    if s.size == 0:
        return np.zeros(0, np.int64)
    change = np.empty(s.shape[0], dtype=np.bool_)
    change[0] = True
    np.not_equal(s[1:], s[:-1], out=change[1:])
    return np.flatnonzero(change).astype(np.int64)
