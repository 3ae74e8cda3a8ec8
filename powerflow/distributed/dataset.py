"""A partitioned Parquet dataset: its files, their rows, and one file read as a partition.

Takes a directory (hive-style folders such as ``year=2024/month=03/unit=U07/``, any number of
`.parquet` files) and a `LogMapping`; gives a `Dataset` (files in sorted path order, rows per
file from the Parquet footers, the columns the mapping reads and their types) and, per file, a
pandas frame with Arrow-typed columns plus two position columns: `__file` (index of the file in
`Dataset.files`) and `__row` (1-based row in that file); consecutive small files are read together as one partition. The position is what makes a finding
point at its file and row after the events are shuffled between workers, and what keeps events
with equal times in the order a single-process read of the concatenated files would give.

Values are not interpreted here: the shared reader (`powerflow.logs.arrowlog.log_from_table`)
does that per partition, so a dataset and a single file are read by the same rules.

Must not: read whole files on the coordinator (only footers), or change a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Location, Severity, Text
from ..logs.eventlog import _missing_column
from ..logs.mapping import LogMapping
from ..logs.readers import LogReadError

__all__ = ["FILE_COLUMN", "ROW_COLUMN", "Dataset", "empty_frame", "file_groups", "hive_keys", "read_files",
           "read_table", "scan_dataset"]

FILE_COLUMN = "__file"
ROW_COLUMN = "__row"


@dataclass(frozen=True)
class Dataset:
    root: str
    files: tuple[str, ...]
    rows: tuple[int, ...]
    columns: tuple[str, ...]
    """The columns the mapping reads, in reading order (case, activity, time first)."""
    schema: Any
    """The Arrow schema of `columns` (dictionaries decoded), shared by every partition."""

    @property
    def n_rows(self) -> int:
        return sum(self.rows)


def hive_keys(root: Path, file: Path) -> dict[str, str]:
    """`key=value` folder names between the root and the file, as string columns."""
    out: dict[str, str] = {}
    for part in file.relative_to(root).parts[:-1]:
        key, eq, value = part.partition("=")
        if eq and key:
            out[key] = value
    return out


def _error(code: str, path: str, en: str, zh: str, hint_en: str, hint_zh: str,
           name: str) -> LogReadError:
    return LogReadError([Diagnostic(code, Severity.ERROR, Location(path), Text(en, zh),
                                    Text(hint_en, hint_zh), name)])


def _plain(t: Any) -> Any:
    import pyarrow as pa

    return t.value_type if pa.types.is_dictionary(t) else t


def _file_schema(root: Path, p: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(p)
    except (OSError, pa.ArrowException) as exc:
        raise _error("PF060", str(p), f"not a Parquet file: {exc}", f"不是 Parquet 文件：{exc}",
                     "Remove the file from the dataset folder, or rewrite it as Parquet.",
                     "请从数据集目录中移除该文件，或将其重新写为 Parquet。", "log-unreadable") from None
    fields = [pa.field(f.name, _plain(f.type)) for f in schema]
    fields += [pa.field(k, pa.string()) for k in hive_keys(root, p) if k not in schema.names]
    return pa.schema(fields)


def scan_dataset(root: str | Path, mapping: LogMapping) -> Dataset:
    """List the files and check that each one has the columns the mapping needs, with types
    the first file's can be cast to. Raises `LogReadError` (PF902, PF061, PF904, PF060)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..logs.arrowlog import wanted_columns

    base = Path(root)
    if base.is_file():
        base, files = base.parent, [base]
    else:
        files = sorted(p for p in base.rglob("*") if p.is_file()
                       and p.name.lower().endswith((".parquet", ".pq"))
                       and not any(s.startswith((".", "_")) for s in p.relative_to(base).parts))
    if not files:
        raise _error("PF902", str(base), "the dataset folder holds no Parquet file",
                     "数据集目录中没有 Parquet 文件",
                     "Give a folder of .parquet files (hive-style subfolders such as "
                     "year=2024/month=03/ are read too), or a single log file.",
                     "请提供包含 .parquet 文件的目录（可含 year=2024/month=03/ 这样的子目录），"
                     "或单个日志文件。", "dataset-empty")
    first = _file_schema(base, files[0])
    cols = mapping.columns
    names = set(first.names)
    missing = [c for c in (cols.case, cols.activity, cols.time) if c not in names]
    if missing:
        raise LogReadError([_missing_column(str(files[0]), c, names) for c in missing])
    wanted = wanted_columns(mapping, names)
    schema = pa.schema([first.field(c) for c in wanted])
    rows = [pq.read_metadata(files[0]).num_rows]
    for p in files[1:]:
        _check_file(base, p, schema)
        rows.append(pq.read_metadata(p).num_rows)
    return Dataset(str(base), tuple(str(p) for p in files), tuple(rows), tuple(wanted), schema)


def _check_file(base: Path, p: Path, schema: Any) -> None:
    import pyarrow as pa

    have = _file_schema(base, p)
    names = set(have.names)
    lost = [f.name for f in schema if f.name not in names]
    if lost:
        raise LogReadError([_missing_column(str(p), c, names) for c in lost])
    for f in schema:
        t = have.field(f.name).type
        if t != f.type and not pa.types.is_null(t) and not _castable(t, f.type):
            raise _error("PF904", str(p), f"column {f.name!r} is {t} here but {f.type} in the "
                         "dataset's first file", f"列 {f.name!r} 在此文件中为 {t}，"
                         f"而在数据集的第一个文件中为 {f.type}",
                         "Write every file of the dataset with the same column types.",
                         "请以相同的列类型写出数据集中的每个文件。", "dataset-schema-mismatch")


def _castable(a: Any, b: Any) -> bool:
    import pyarrow as pa

    num = pa.types.is_integer
    txt = (pa.types.is_string, pa.types.is_large_string)
    return (num(a) and num(b)) or (any(f(a) for f in txt) and any(f(b) for f in txt))


def file_groups(ds: Dataset, events: int) -> list[list[int]]:
    """Consecutive files gathered into groups of at most about `events` rows (at least one file
    each): one Dask partition per group, since a task per small file costs more than reading it."""
    groups: list[list[int]] = [[]]
    size = 0
    for i, n in enumerate(ds.rows):
        if groups[-1] and size + n > events:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += n
    return groups


def read_files(indices: list[int], files: tuple[str, ...], root: str, schema: Any) -> Any:
    """Some files as one pandas frame with Arrow-typed columns (a Dask partition). Runs on a
    worker."""
    import pandas as pd
    import pyarrow as pa

    tables = [read_table(files[i], i, root, schema) for i in indices]
    return pa.concat_tables(tables).to_pandas(types_mapper=pd.ArrowDtype)


def empty_frame(schema: Any) -> Any:
    """The zero-row frame `read_file` gives, as Dask's metadata."""
    import pandas as pd

    return _with_position(schema).empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def _with_position(schema: Any) -> Any:
    import pyarrow as pa

    return schema.append(pa.field(FILE_COLUMN, pa.int32())).append(pa.field(ROW_COLUMN, pa.int64()))


def read_table(path: str, index: int, root: str, schema: Any) -> Any:
    """One file as an Arrow table of `schema` (hive keys as string columns), plus `__file`
    and `__row`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = Path(path)
    keys = hive_keys(Path(root), p)
    in_file = [f.name for f in schema if f.name not in keys or f.name in pq.read_schema(p).names]
    table = pq.read_table(p, columns=in_file)
    n = table.num_rows
    arrays = []
    for f in schema:
        if f.name in table.column_names:
            col = table[f.name]
            arrays.append(col.cast(f.type) if col.type != f.type else col)
        else:
            arrays.append(pa.array([keys[f.name]] * n, pa.string()))
    arrays += [pa.array(np.full(n, index, np.int32)), pa.array(np.arange(1, n + 1, dtype=np.int64))]
    return pa.Table.from_arrays(arrays, schema=_with_position(schema))
