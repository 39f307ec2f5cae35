"""Relabelling from an embedding store: how long does changing classes.txt cost?

Builds a store with N random unit vectors (default 100,000 x 512) under the identity of a tiny
saved CLIP whose projection is 512-d, and C class names (default 1,000). Then measures, in this
process, the parts of `zsl label --embeddings` that depend on N and C:
  load    reading every vector from the store
  score   similarities, top-k and the model's scores, in row chunks, no row's ranking kept
          (zsl writes each row as it is ranked)
  write   building predictions and writing them as CSV, or --format (from rankings made
          untimed; also in CPU seconds, which other load on the machine disturbs less)
and finally the whole `zsl label --embeddings` command as a subprocess (imports, model load and
text encoding of the C prompts included; with `--hubness-reduction`, reduced as asked), and with
`--hubness` `zsl hubness --embeddings` too (every method). Peak memory of the scoring step is
reported from tracemalloc (numpy allocations are traced) next to the size of the N x C float32
matrix it avoids; that of each command is its process's own peak RSS (VmHWM, from /proc).

    python benchmarks/relabel.py                 # 100k x 512 against 1,000 classes
    python benchmarks/relabel.py --images 20000  # a quicker run
    python benchmarks/relabel.py --images 300000 --hubness-reduction csls --hubness
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from arguments import at_least  # benchmarks/arguments.py, beside this script
from timing import ProcessWatch  # benchmarks/timing.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_store(store_path: Path, identity: str, n: int, dim: int, seed: int) -> None:
    from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

    rng = np.random.default_rng(seed)
    with EmbeddingStore.open(store_path) as store:
        model_id = store.register_model(identity, "bench-clip", dim)
        for start in range(0, n, 10_000):
            vectors = rng.standard_normal((min(10_000, n - start), dim), dtype=np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            store.add(
                model_id,
                [
                    StoredItem(FileStat(f"/photos/{start + i:07d}.jpg", 1000, 0), "ok", "", vector)
                    for i, vector in enumerate(vectors)
                ],
            )


def timed(label: str, results: dict, fn):
    started, cpu_started = time.perf_counter(), time.process_time()
    value = fn()
    results[label] = time.perf_counter() - started
    results[f"{label}_cpu"] = time.process_time() - cpu_started
    return value


def measure_in_process(
    store_path: Path, identity: str, n_classes: int, dim: int, k: int, fmt: str
) -> dict:
    from zsl_cli.encoders.base import ScoreHead
    from zsl_cli.records import ImageItem
    from zsl_cli.scoring import (
        CHUNK_ROWS,
        Decision,
        predict_ranked,
        rank,
        ranked_rows,
        similarities,
    )
    from zsl_cli.store import EmbeddingStore
    from zsl_cli.writers import open_writer

    rng = np.random.default_rng(1)
    classes = rng.standard_normal((n_classes, dim), dtype=np.float32)
    classes /= np.linalg.norm(classes, axis=1, keepdims=True)
    names = [f"class {i}" for i in range(n_classes)]
    head = ScoreHead("softmax", 100.0)
    results: dict = {}

    def load():
        with EmbeddingStore.open(store_path, create=False) as store:
            return store.load(store.find_model(identity))

    stored = timed("load", results, load)
    vectors = stored.vectors

    def score():
        # As zsl label --embeddings scores: a chunk of rows at a time, each row's ranking made
        # into its prediction before the next, so none is kept (every row's would take 12 bytes
        # a cell with --top-k 0, three times the N x C matrix that chunks avoid).
        for start in range(0, len(vectors), CHUNK_ROWS):
            sims = similarities(vectors[start : start + CHUNK_ROWS], classes)
            for _ in ranked_rows(sims, head, k):
                pass

    rank(similarities(vectors[:CHUNK_ROWS], classes), head, k)  # warm up BLAS and torch
    tracemalloc.start()
    timed("score", results, score)
    results["score_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    ranked = [  # kept for the write step, untimed
        row
        for start in range(0, len(vectors), CHUNK_ROWS)
        for row in ranked_rows(similarities(vectors[start : start + CHUNK_ROWS], classes), head, k)
    ]

    def write():
        with tempfile.TemporaryDirectory() as folder:
            writer = open_writer(os.path.join(folder, f"out.{fmt}"), fmt)
            items = (ImageItem(i, Path(p)) for i, p in enumerate(stored.paths))
            for prediction in predict_ranked(items, ranked, names, Decision(k)):
                writer.write(prediction)
            writer.close({})

    timed("write", results, write)
    results["full_matrix_mb"] = len(vectors) * n_classes * 4 / 2**20
    return results


def measure_cli(
    store_path: Path,
    model_dir: Path,
    n_classes: int,
    k: int,
    fmt: str,
    folder: Path,
    reduction: str = "none",
) -> tuple[float, float | None]:
    """Wall seconds and peak RSS in MB of `zsl label --embeddings`."""
    command = ["label", *_store_arguments(store_path, model_dir, n_classes, folder)]
    command += ["--top-k", str(k), "-o", str(folder / f"predictions.{fmt}"), "--quiet"]
    return run_zsl([*command, "--hubness-reduction", reduction])


def measure_hubness_cli(
    store_path: Path, model_dir: Path, n_classes: int, folder: Path
) -> tuple[float, float | None]:
    """Wall seconds and peak RSS in MB of `zsl hubness --embeddings` (every method)."""
    command = ["hubness", *_store_arguments(store_path, model_dir, n_classes, folder)]
    return run_zsl([*command, "--json", str(folder / "hubness.json")])


def _store_arguments(store_path: Path, model_dir: Path, n_classes: int, folder: Path) -> list[str]:
    classes = folder / "classes.txt"
    classes.write_text("".join(f"class {i}\n" for i in range(n_classes)))
    return ["--embeddings", str(store_path), "--classes", str(classes), "--model", str(model_dir)]


def run_zsl(arguments: list[str]) -> tuple[float, float | None]:
    """Wall seconds and peak RSS in MB (None without /proc) of `zsl ARGUMENTS` run as a
    subprocess, its output discarded; CalledProcessError where it fails."""
    command = [sys.executable, "-m", "zsl_cli", *arguments]
    started = time.perf_counter()
    # ProcessWatch, not wait4's ru_maxrss, which counts this process's own peak (the benchmark's
    # rankings) as the child's.
    with (
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL) as process,
        ProcessWatch(process.pid, started) as watch,
    ):
        process.wait()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return seconds, None if watch.kb is None else watch.kb / 1024


def size_text(mb: float | None) -> str:
    """Enough digits to tell small sizes apart (a few rows or classes round to 0 MB)."""
    if mb is None:
        return "n/a (no /proc)"
    if mb >= 10:
        return f"{mb:.0f} MB"
    if mb >= 1:
        return f"{mb:.2f} MB"
    if mb * 1024 >= 1:
        return f"{mb * 1024:.1f} KB"
    return f"{mb * 2**20:.0f} bytes"


def main() -> None:
    from zsl_cli import hubness

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # zsl label --embeddings refuses an empty store, so at least one stored image.
    parser.add_argument("--images", type=at_least(1), default=100_000)
    parser.add_argument("--classes", type=at_least(1), default=1_000)
    # In 1 dimension every unit vector is +1 or -1: the class prompts embed alike, and zsl label
    # refuses such a model.
    parser.add_argument("--dim", type=at_least(2), default=512)
    parser.add_argument("--top-k", type=at_least(0), default=5, help="0 = every class, as in zsl")
    parser.add_argument("--format", choices=("csv", "jsonl", "json"), default="csv")
    parser.add_argument(
        "--hubness-reduction",
        choices=hubness.METHODS,
        default="none",
        help="as zsl label's, for the zsl label --embeddings run",
    )
    parser.add_argument(
        "--hubness", action="store_true", help="also run zsl hubness --embeddings on the store"
    )
    args = parser.parse_args()
    # Found only after every in-process timing, by the zsl command's exit 2, and the table lost.
    if (args.hubness or args.hubness_reduction != "none") and min(args.images, args.classes) < 2:
        reduction = f"--hubness-reduction {args.hubness_reduction}"
        option = "--hubness" if args.hubness_reduction == "none" else reduction
        parser.error(f"{option} needs --images and --classes of 2 or more")

    import transformers

    # Its notes on torchvision's absence and its bar for writing the tiny model: noise before
    # the table here.
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    from tests.tiny_models import make_tiny_clip
    from zsl_cli.encoders import load_encoder

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model_dir = make_tiny_clip(folder / "model", projection_dim=args.dim)
        identity = load_encoder(str(model_dir)).identity
        store_path = folder / "bench.zsl"
        build_store(store_path, identity, args.images, args.dim, seed=0)
        results = measure_in_process(
            store_path, identity, args.classes, args.dim, args.top_k, args.format
        )
        cli_s, cli_mb = measure_cli(
            store_path,
            model_dir,
            args.classes,
            args.top_k,
            args.format,
            folder,
            args.hubness_reduction,
        )
        if args.hubness:
            hubness_s, hubness_mb = measure_hubness_cli(store_path, model_dir, args.classes, folder)

    load_avg = os.getloadavg()[0]
    # What zsl keeps: every class for --top-k 0, and never more classes than there are.
    kept = "all classes" if args.top_k == 0 else f"top-{min(args.top_k, args.classes)}"
    plural = "" if args.classes == 1 else "s"
    print(
        f"relabel {args.images:,} x {args.dim} stored embeddings against {args.classes:,} "
        f"class{plural and 'es'}, {kept} (load average {load_avg:.2f}, {os.cpu_count()} cores)"
    )
    print(f"  load from store        {results['load']:7.2f} s")
    from zsl_cli.scoring import CHUNK_ROWS

    # Up to one chunk of images the whole matrix is scored at once: nothing is avoided.
    matrix = size_text(results["full_matrix_mb"])
    compared = (
        f"one chunk: the whole N x C float32 matrix, {matrix}"
        if args.images <= CHUNK_ROWS
        else f"the full N x C float32 matrix would be {matrix}"
    )
    print(
        f"  score + top-k          {results['score']:7.2f} s   peak "
        f"{size_text(results['score_peak_mb'])} ({compared})"
    )
    print(f"  load + score           {results['load'] + results['score']:7.2f} s")
    written = args.format.upper()
    print(
        f"  predictions -> {written:<7} {results['write']:7.2f} s   "
        f"({results['write_cpu']:.2f} CPU-s)"
    )
    reduced = "" if args.hubness_reduction == "none" else f", {args.hubness_reduction}"
    print(
        f"  zsl label --embeddings {cli_s:7.2f} s   peak RSS {size_text(cli_mb)} (whole process: "
        f"imports, model, {args.classes} prompt{plural} encoded{reduced}, {written} written)"
    )
    if args.hubness:
        print(
            f"  zsl hubness --embeddings {hubness_s:5.2f} s   peak RSS {size_text(hubness_mb)} "
            "(whole process, every method)"
        )


if __name__ == "__main__":
    main()
