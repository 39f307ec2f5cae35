"""Hubness at scale: how long does `zsl hubness` take on N images x C classes?

Builds N random unit image vectors and C random unit class vectors of `--dim` (default
10,000 x 5,000 x 64), their similarities as zsl does (`hubness.similarity_matrix`: kept whole up
to DENSE_SIMILARITY_CELLS, 1 GB of float32, else computed a block of rows at a time; `--lazy`
forces the latter), and random truth labels. Then it times, in this process:
  similarities  building the kept matrix (nothing when lazy: each pass computes its blocks)
  <method>      hubness.compare(..., methods=[method], truth=...), alone; "none" is measured by
                every call (the recommendation needs it), so the other rows include its share
  all methods   hubness.compare with every method at once, as `zsl hubness` runs it (with a
                subset of --methods: those together, named as "none+csls+mp")
Each row gives the process's peak RSS over that step (the kernel's high-water mark, reset before
each step where /proc/self/clear_refs allows; else the peak since start). The time per image x
class cell of the all-methods row is what grows with the folder.

    python benchmarks/hubness_scale.py                                 # 10,000 x 5,000 x 64
    python benchmarks/hubness_scale.py --images 25000 --classes 20000  # past 1 GB: lazy
    python benchmarks/hubness_scale.py --lazy --dim 512 --methods mp   # one method, per block
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from arguments import (
    at_least,
    check_distinct,
    random_seed,
)  # benchmarks/arguments.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def unit_vectors(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux 4.0+); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mb(field: str = "VmHWM") -> float:
    """This process's peak (VmHWM) or current (VmRSS) resident memory in MB; the peak since
    start where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def timed(fn) -> tuple[float, float, object]:
    """Wall seconds, peak RSS in MB over the call, and what it returned."""
    reset_peak_rss()
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, rss_mb(), value


def ns_per_cell(seconds: float, cells: int) -> str:
    """Nanoseconds per similarity cell, in 8 characters even for a tiny run's microseconds."""
    value = seconds / cells * 1e9
    return f"{value:.1f}" if value < 1e6 else f"{value:.2e}"


def main() -> None:
    from zsl_cli import hubness

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # zsl hubness needs 2 or more images and 2 or more classes to measure how images spread
    # over classes (api._check_enough_images, hubness.compare).
    parser.add_argument("--images", type=at_least(2), default=10_000)
    parser.add_argument("--classes", type=at_least(2), default=5_000)
    parser.add_argument("--dim", type=at_least(1), default=64)
    parser.add_argument("--seed", type=random_seed, default=0)
    parser.add_argument("--lazy", action="store_true", help="compute similarities per block")
    parser.add_argument(
        "--methods", nargs="+", choices=hubness.METHODS, default=hubness.METHODS, metavar="METHOD"
    )
    args = parser.parse_args()
    check_distinct(parser, args.methods, "--methods")

    methods = hubness.check_methods(args.methods)
    if args.lazy:
        hubness.DENSE_SIMILARITY_CELLS = 0
    rng = np.random.default_rng(args.seed)
    images = unit_vectors(rng, args.images, args.dim)
    class_vectors = unit_vectors(rng, args.classes, args.dim)
    truth = rng.integers(0, args.classes, args.images)
    names = [f"class {i}" for i in range(args.classes)]
    cells = args.images * args.classes

    exact_peaks = reset_peak_rss()
    baseline_mb = rss_mb("VmRSS")
    seconds, peak_mb, sims = timed(lambda: hubness.similarity_matrix(images, class_vectors))
    kind = "per block (lazy)" if isinstance(sims, hubness.LazySimilarities) else "kept whole"
    rows = [("similarities", seconds, peak_mb)]
    for method in methods:
        seconds, peak_mb, _ = timed(
            lambda method=method: hubness.compare(sims, names, methods=[method], truth=truth)
        )
        rows.append((method, seconds, peak_mb))
    if len(methods) > 1:
        seconds, peak_mb, _ = timed(
            lambda: hubness.compare(sims, names, methods=methods, truth=truth)
        )
        # Every call measures "none" too; "all methods" only where every method was given.
        together = dict.fromkeys(("none", *methods))
        name = "all methods" if set(together) == set(hubness.METHODS) else "+".join(together)
        rows.append((name, seconds, peak_mb))

    print(
        f"hubness.compare on {args.images:,} images x {args.classes:,} classes, dim {args.dim}, "
        f"similarities {kind} (load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)"
    )
    peak_note = "peak RSS" if exact_peaks else "peak RSS since start"
    width = max(14, *(len(name) for name, _, _ in rows))
    print(f"  {'step':{width}s} {'wall s':>8s} {'ns/cell':>8s} {peak_note:>22s}")
    for name, seconds, peak_mb in rows:
        print(
            f"  {name:{width}s} {seconds:8.2f} {ns_per_cell(seconds, cells):>8s} {peak_mb:19.0f} MB"
        )
    print(f"  (RSS before the steps: {baseline_mb:.0f} MB, embeddings and names included)")


if __name__ == "__main__":
    main()
