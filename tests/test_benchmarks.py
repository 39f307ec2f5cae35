"""The benchmark scripts at odd sizes: refused up front with one usage line, or measuring what
they say (they are not run whole here: each takes minutes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_relabel_refuses_one_dimension_at_once() -> None:
    # A 1-d unit vector is +1 or -1: the text model gives class prompts the same embedding and
    # zsl label refuses the model, which came as a traceback after the store was built.
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "relabel.py"), "--images", "1", "--classes", "2"]
        + ["--dim", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("argument --dim: 1 is less than 2")
