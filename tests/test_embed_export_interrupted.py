"""An interrupted `zsl embed --export` writes no export: the summary and --json say so, and
that a file already at that path is an earlier run's, left as it was (not deleted)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.store import EmbeddingStore

HANG_GUARD_S = 120


def export_files(export: Path) -> dict[str, bytes]:
    """The export's files that exist, by name, with their bytes."""
    files = [export, export.with_name(export.name + ".paths.csv")]
    return {path.name: path.read_bytes() for path in files if path.exists()}


def interrupted_after_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C once the run's first batch is stored."""
    add = EmbeddingStore.add

    def add_then_ctrl_c(self, *args, **kwargs):
        add(self, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(EmbeddingStore, "add", add_then_ctrl_c)


def test_an_earlier_export_left_in_place_is_said_to_be_an_earlier_runs(
    tiny_clip, tmp_path, monkeypatch, ctrl_c_interrupts
):
    images, store, export = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "e.npy"
    write_images(images, 2)
    first = run("embed", images, "--store", store, "-m", tiny_clip, "--export", export)
    assert first.exit_code == 0, first.stderr
    earlier = export_files(export)
    write_images(images / "more", 4, seed=1)
    interrupted_after_one_batch(monkeypatch)
    report = tmp_path / "r.json"
    result = run(
        "embed", images, "--store", store, "-m", tiny_clip, "-b", "2",
        "--export", export, "--json", report,
    )  # fmt: skip
    assert result.exit_code == 130, result.output
    assert export_files(export) == earlier  # the user's file, not deleted nor replaced
    assert result.stderr.startswith("Interrupted embedding into")
    assert (
        f"Not exported (interrupted before the export): {export} is an earlier run's, left as "
        "it was; run again to export"
    ) in result.stderr
    written = json.loads(report.read_text())
    assert written["interrupted"] is True
    assert written["exported"] is None and written["exported_to"] == []
    assert written["not_exported"] == {"path": str(export), "earlier_file": True}


def test_an_interrupted_export_with_no_earlier_file_says_nothing_was_written(
    tiny_clip, tmp_path, monkeypatch, ctrl_c_interrupts
):
    images, store, export = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "e.parquet"
    write_images(images, 4)
    interrupted_after_one_batch(monkeypatch)
    report = tmp_path / "r.json"
    result = run(
        "embed", images, "--store", store, "-m", tiny_clip, "-b", "2",
        "--export", export, "--json", report,
    )  # fmt: skip
    assert result.exit_code == 130, result.output
    assert not export.exists()
    assert (
        f"Not exported (interrupted before the export): nothing written to {export}; "
        "run again to export"
    ) in result.stderr
    not_exported = json.loads(report.read_text())["not_exported"]
    assert not_exported == {"path": str(export), "earlier_file": False}


def test_a_run_that_exports_or_is_asked_for_no_export_has_nothing_not_exported(
    tiny_clip, tmp_path, monkeypatch, ctrl_c_interrupts
):
    images, store, export = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "e.npy"
    write_images(images, 4)
    report = tmp_path / "r.json"
    done = run("embed", images, "--store", store, "-m", tiny_clip, "--export", export)
    assert done.exit_code == 0 and "Not exported" not in done.stderr
    write_images(images / "more", 4, seed=1)
    interrupted_after_one_batch(monkeypatch)
    stopped = run("embed", images, "--store", store, "-m", tiny_clip, "-b", "2", "--json", report)
    assert stopped.exit_code == 130 and "Not exported" not in stopped.stderr
    assert json.loads(report.read_text())["not_exported"] is None


# `zsl embed` that gets a SIGTERM (as from `timeout`) once its first batch is stored.
TERMINATED_AFTER_ONE_BATCH = """
import os, signal
from zsl_cli import store
add = store.EmbeddingStore.add
def add_then_terminated(self, *args, **kwargs):
    add(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)
store.EmbeddingStore.add = add_then_terminated
from zsl_cli.cli import main
main()
"""


def test_sigterm_before_the_export_leaves_the_earlier_one_and_says_so(tiny_clip, tmp_path):
    images, store, export = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "e.npy"
    write_images(images, 2)
    first = run("embed", images, "--store", store, "-m", tiny_clip, "--export", export)
    assert first.exit_code == 0, first.stderr
    earlier = export_files(export)
    write_images(images / "more", 4, seed=1)
    report = tmp_path / "r.json"
    command = [sys.executable, "-c", TERMINATED_AFTER_ONE_BATCH, "embed", str(images), "--store"]
    command += [str(store), "-m", str(tiny_clip), "-b", "2", "--export", str(export)]
    ended = subprocess.run(
        [*command, "--json", str(report)], capture_output=True, text=True, timeout=HANG_GUARD_S
    )
    assert ended.returncode == 130, ended.stderr
    assert export_files(export) == earlier
    assert f"{export} is an earlier run's, left as it was" in ended.stderr
    not_exported = json.loads(report.read_text())["not_exported"]
    assert not_exported == {"path": str(export), "earlier_file": True}
