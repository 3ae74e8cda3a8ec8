"""Audit of partitioned Parquet datasets, in one process or on a Dask cluster; generator of
large logs. See `docs/distributed.md`.

Nothing here imports Dask at import time: workers import `powerflow.distributed.partition`
and `powerflow.distributed.dataset` without the CLI, and the coordinator imports Dask only
when it runs on a cluster (PF901 when the `dask` extra is missing)."""

from .combine import Combined
from .dataset import Dataset, scan_dataset
from .partition import PartAudit, audit_partition
from .run import DaskUnavailable, RunOptions, run_dataset

__all__ = [
    "Combined",
    "DaskUnavailable",
    "Dataset",
    "PartAudit",
    "RunOptions",
    "audit_partition",
    "run_dataset",
    "scan_dataset",
]
