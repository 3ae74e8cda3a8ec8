"""Run the audit of a dataset: in this process, on a local Dask cluster, or on an existing one.

Takes a flow, a mapping, a scanned `Dataset` and `RunOptions`; gives a `Combined` audit, and
hands each partition's report rows to a callback as soon as the partition is done (so the
coordinator writes them out instead of keeping them).

On Dask: one task per group of files reads them (`dataset.read_files`, with its file and row positions);
`DataFrame.shuffle` on the case column (Dask's peer-to-peer shuffle, which spills to the workers'
disks) brings each case's events to one partition; one task per partition audits it
(`partition.audit_partition`, the audit core's public entry point) and returns a small
`PartAudit`. The coordinator reads only Parquet footers and gathers only `PartAudit`s.
In this process (no cluster): the files are read in order into one table, audited as one
partition, with the same locations and report shape.

Dask is an optional extra (`pip install 'powerflow[dask]'`, on every worker too); without it
`DaskUnavailable` carries PF901.

Must not: print to stdout (the progress bar goes to stderr), import the CLI, or drop a failed
partition (PF905 says which one and why).
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic, Location, Severity, Text
from ..logs.mapping import LogMapping
from ..model import Flow
from .combine import Combined
from .dataset import Dataset, empty_frame, file_groups, read_files, read_table
from .partition import PartAudit, audit_partition

__all__ = ["DaskUnavailable", "RunOptions", "run_dataset"]


class DaskUnavailable(Exception):
    """Dask cannot be used (not installed, scheduler unreachable); `diagnostic` says why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(diagnostic.message.en)


MIN_WORKER_MEMORY = 512 * 2**20


@dataclass(frozen=True)
class RunOptions:
    dask: bool = False
    workers: int = 2
    memory_limit: str = "auto"
    scheduler: str | None = None
    partition_events: int = 250_000
    rows: frozenset[str] = frozenset()
    progress: bool = False
    local_directory: str | None = None
    timeout: float = 10.0


def _pf(code: str, where: str, en: str, zh: str, hint_en: str, hint_zh: str,
        name: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, Location(where), Text(en, zh), Text(hint_en, hint_zh),
                      name)


def missing_extra(exc: ImportError, where: str) -> DaskUnavailable:
    return DaskUnavailable(_pf(
        "PF901", where, f"running on Dask needs the dask extra, which is not installed "
        f"({exc.name}): pip install 'powerflow[dask]'",
        f"在 Dask 上运行需要 dask 扩展，但尚未安装（{exc.name}）：pip install 'powerflow[dask]'",
        "pip install 'powerflow[dask]' here and on every worker of the cluster, or leave out "
        "--dask/--scheduler to audit in this process.",
        "请在本机和集群的每个工作节点上执行 pip install 'powerflow[dask]'；或去掉 --dask/--scheduler，"
        "在本进程中审计。", "dask-not-installed"))


def run_dataset(flow: Flow, mapping: LogMapping, ds: Dataset, opts: RunOptions,
                on_part: Callable[[PartAudit], None]) -> Combined:
    """Audit every partition of `ds`; `on_part` gets each `PartAudit` (with its rows) once."""
    combined = Combined(flow, ds.root)
    parts = _on_dask(flow, mapping, ds, opts) if opts.dask or opts.scheduler else iter(
        [_in_process(flow, mapping, ds, opts)])
    for part in parts:
        on_part(part)
        combined.add(part)
    return combined


def _in_process(flow: Flow, mapping: LogMapping, ds: Dataset, opts: RunOptions) -> PartAudit:
    import pyarrow as pa

    tables = [read_table(p, i, ds.root, ds.schema) for i, p in enumerate(ds.files)]
    return audit_partition(pa.concat_tables(tables), 0, flow, mapping, ds.root, ds.files,
                           opts.rows)


@contextlib.contextmanager
def _client(opts: RunOptions) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if opts.scheduler is None:
        _check_memory(opts.memory_limit)
    if opts.scheduler:
        try:
            client = Client(opts.scheduler, timeout=opts.timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise DaskUnavailable(_pf(
                "PF903", opts.scheduler, f"cannot reach the Dask scheduler: {exc}",
                f"无法连接 Dask 调度器：{exc}",
                "Give the address the scheduler printed (tcp://HOST:8786), check that it runs and "
                "that this machine may connect to it.",
                "请给出调度器打印的地址（tcp://主机:8786），并确认它在运行、本机可以连接。",
                "dask-scheduler-unreachable")) from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True,
                      memory_limit=opts.memory_limit, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                      local_directory=opts.local_directory) as cluster, Client(cluster) as client:
        yield client


def _check_memory(limit: str) -> None:
    from dask.utils import parse_bytes

    if limit == "auto":
        return
    try:
        size = parse_bytes(limit)
    except ValueError:
        size = -1
    if size >= MIN_WORKER_MEMORY:
        return
    mib = MIN_WORKER_MEMORY // 2**20
    raise DaskUnavailable(_pf(
        "PF906", "--memory-limit", f"--memory-limit {limit!r} is not a size of at least {mib} MiB "
        "(a worker's own libraries take about that much, so it would pause and never run a task)",
        f"--memory-limit {limit!r} 不是不小于 {mib} MiB 的大小（工作进程自身的库就占用这么多内存，"
        "会暂停而不执行任务）",
        "Give each worker at least 512MiB, e.g. --memory-limit 2GB; data beyond it spills to disk.",
        "请给每个工作进程至少 512MiB，例如 --memory-limit 2GB；超出的数据会溢写到磁盘。",
        "dask-memory-too-small"))


def _on_dask(flow: Flow, mapping: LogMapping, ds: Dataset, opts: RunOptions
             ) -> Iterator[PartAudit]:
    try:
        import dask
        import dask.dataframe as dd
        from distributed import Client, LocalCluster, as_completed, progress  # noqa: F401
    except ImportError as exc:
        raise missing_extra(exc, ds.root) from None
    with _client(opts) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_out = max(2 * workers, math.ceil(ds.n_rows / max(1, opts.partition_events)))
        frame = dd.from_map(read_files, file_groups(ds, opts.partition_events), files=ds.files,
                            root=ds.root, schema=ds.schema, meta=empty_frame(ds.schema),
                            enforce_metadata=False)
        shuffled = frame.shuffle(on=mapping.columns.case, npartitions=n_out,
                                 shuffle_method="p2p")
        f_d, m_d = dask.delayed(flow, pure=True), dask.delayed(mapping, pure=True)
        tasks = [dask.delayed(audit_partition, pure=True)(
                     part, i, f_d, m_d, ds.root, ds.files, opts.rows)
                 for i, part in enumerate(shuffled.to_delayed())]
        futures = client.compute(tasks)
        if opts.progress:
            with contextlib.redirect_stdout(sys.stderr):
                progress(futures)
        for fut in as_completed(futures):
            try:
                part = fut.result()
            except Exception as exc:
                yield PartAudit(futures.index(fut), failed=True, diagnostics=[_failed(
                    futures.index(fut), exc)])
                continue
            finally:
                fut.release()
            yield part


def _failed(index: int, exc: BaseException) -> Diagnostic:
    return _pf("PF905", f"partition {index}",
               f"partition {index} of the dataset could not be audited: "
               f"{type(exc).__name__}: {exc}",
               f"数据集的第 {index} 个分区无法审计：{type(exc).__name__}：{exc}",
               "No report is given for part of a log. If a worker ran out of memory, give more "
               "--memory-limit, more workers, or a smaller --partition-events.",
               "不对部分日志出具报告。如工作进程内存不足，请增大 --memory-limit、增加工作进程，"
               "或减小 --partition-events。", "dask-partition-failed")
