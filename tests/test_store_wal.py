"""The store's -wal file stays a few MB while `zsl embed` commits batch after batch, and every
committed batch still survives the writer being killed outright."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import zsl_cli
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

# The zsl the tests import (this checkout, or an installed package), for subprocesses.
ZSL_ROOT = Path(zsl_cli.__file__).resolve().parents[1]
DIM = 512  # a CLIP ViT-B's; 16 rows of it in a batch, as embed commits them on a CPU
BATCH = 16
# 64 KiB pages: SQLite's default checkpoint, at 1,000 pages in the -wal, let it reach 64 MiB.
WAL_BOUND = 8 << 20

WRITER = """
import os, sys
import numpy as np
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

path, n_batches, batch, dim = sys.argv[1], *map(int, sys.argv[2:])
rng = np.random.default_rng(0)
with EmbeddingStore.open(path) as store:
    model = store.register_model("id", "m", dim)
    for first in range(0, n_batches * batch, batch):
        vectors = rng.standard_normal((batch, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        stats = [FileStat(f"/data/{first + i:06d}.png", 1, 1) for i in range(batch)]
        store.add(model, [StoredItem(s, "ok", "", v) for s, v in zip(stats, vectors)])
        print(first + batch, os.path.getsize(path + "-wal"), flush=True)
"""


def unit_vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_wal_file_stays_a_few_mb_over_many_small_commits(tmp_path: Path) -> None:
    # 600 images at -b 16 peaked at a 7 MB -wal for a 590 KB store, and at -b 1 at 66 MB: a
    # small disk or quota failed the run, and a run killed outright left that file behind.
    path = tmp_path / "s.zsl"
    largest = 0
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", DIM)
        for first in range(0, 300 * BATCH, BATCH):  # 1,200 pages written to the -wal in all
            stats = [FileStat(f"/data/{first + i:06d}.png", 1, 1) for i in range(BATCH)]
            vectors = unit_vectors(BATCH, first)
            rows = [StoredItem(s, "ok", "", v) for s, v in zip(stats, vectors, strict=True)]
            store.add(model, rows)
            largest = max(largest, os.path.getsize(f"{path}-wal"))
        assert len(store.paths(model)) == 300 * BATCH
    assert largest < WAL_BOUND, largest


def test_a_writer_killed_outright_keeps_every_batch_it_committed(tmp_path: Path) -> None:
    # The -wal is copied into the store every few batches now: a kill in the middle of that,
    # or of a commit between two of them, loses no committed batch.
    n_batches = 2_000
    for run, delay_s in enumerate([0.0, 0.003, 0.011, 0.05]):
        path = tmp_path / f"s{run}.zsl"
        env = dict(os.environ, PYTHONPATH=str(ZSL_ROOT))
        args = [sys.executable, "-c", WRITER, str(path), str(n_batches), str(BATCH), str(DIM)]
        with subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env) as writer:
            lines = [writer.stdout.readline().split() for _ in range(150)]  # a few checkpoints
            time.sleep(delay_s)
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait()
            lines += [line.split() for line in writer.stdout.read().splitlines()]
        assert writer.returncode == -signal.SIGKILL
        # The kill may cut the last report in two: its commit counts as one cut off.
        lines = [line for line in lines if len(line) == 2]
        committed = int(lines[-1][0])
        assert committed < n_batches * BATCH, "the writer finished before it was killed"
        assert max(int(wal) for _, wal in lines) < WAL_BOUND
        assert os.path.getsize(f"{path}-wal") < WAL_BOUND  # what the kill left beside it

        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        with EmbeddingStore.open(path, create=False) as store:
            stored = store.paths(store.find_model("id"))
        # Every reported commit, and at most the one whose report the kill cut off.
        assert len(stored) in (committed, committed + BATCH), (run, committed, len(stored))
        assert stored == [f"/data/{i:06d}.png" for i in range(len(stored))]
