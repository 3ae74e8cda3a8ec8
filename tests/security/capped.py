"""Run a piece of Python in a child process under an address-space cap (memory bombs)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run_capped(code: str, cap_mb: int = 1536, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter limited to `cap_mb` MB of address space; a bomb the code
    does not refuse ends in MemoryError (non-zero exit) instead of exhausting the machine."""

    def limit() -> None:
        cap = cap_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit, check=False)
