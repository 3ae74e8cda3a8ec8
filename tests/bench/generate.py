"""Generate a realistic county-size catalogue from the sample flows.

`python -m tests.bench.generate OUT N` writes OUT/catalog.yaml and N power files made from the
files in flows/: each copy gets its own code and name and lands in one of twelve office folders,
so the catalogue has the size and shape of a real one (the same steps, risks and controls a real
bureau publishes) rather than toy graphs.
"""

from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

FLOWS = Path(__file__).resolve().parents[2] / "flows"

__all__ = ["generate"]


def generate(out: Path, n: int, seed: int = 7) -> list[Path]:
    """Write `n` power files and the catalogue into `out` (created or emptied); return the files."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(FLOWS / "catalog.yaml", out / "catalog.yaml")
    templates = sorted(p for p in FLOWS.glob("*.yaml") if p.name != "catalog.yaml")
    texts = [p.read_text(encoding="utf-8") for p in templates]
    files = []
    for i in range(n):
        k = i % len(texts)
        text = texts[k]
        text = re.sub(r"(?m)^(  code: )\S+", rf"\g<1>GEN-{i:05d}", text, count=1)
        text = re.sub(r"(?m)^(  name: )(\S+)", rf"\g<1>\g<2>（第{i}号）", text, count=1)
        folder = out / f"office{rng.randrange(12):02d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"gen-{i:05d}-{templates[k].stem}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
