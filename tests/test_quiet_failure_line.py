"""A run that exits 1 says why on stderr under -q too: in one line, the facts of the summary's
line for it, where a quiet run that succeeds prints nothing there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, write_images

CLASSES = ["red circle", "blue square"]


def _photos(tmp_path: Path, good: int, bad: int) -> Path:
    folder = tmp_path / "photos"
    write_images(folder, good)
    for i in range(bad):
        (folder / f"bad_{i}.jpg").write_bytes(b"not an image at all")
    return folder


def _classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("\n".join(CLASSES) + "\n")
    return path


def _label(tmp_path: Path, folder: Path, *extra: str):
    out = tmp_path / "out.csv"
    return run("label", folder, "-c", _classes(tmp_path), "-m", "shapes-demo", "-o", out, *extra)


def _embed(tmp_path: Path, folder: Path, *extra: str):
    return run("embed", folder, "--store", tmp_path / "s.zsl", "-m", "shapes-demo", *extra)


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_label_none_labelled_quiet_says_the_summarys_line(tmp_path: Path) -> None:
    folder = _photos(tmp_path, good=0, bad=2)
    loud = _label(tmp_path, folder)
    quiet = _label(tmp_path, folder, "-q")
    assert loud.exit_code == quiet.exit_code == 1
    [line] = _lines(quiet.stderr)
    assert line.startswith("No image labelled: all 2 images failed (")
    assert "bad_0.jpg (" in line and "bad_1.jpg (" in line
    assert line in _lines(loud.stderr)  # the summary's own line
    assert quiet.stdout == loud.stdout == ""


def test_label_strict_partial_quiet_counts_the_failures(tmp_path: Path) -> None:
    folder = _photos(tmp_path, good=2, bad=1)
    result = _label(tmp_path, folder, "--strict", "-q")
    assert result.exit_code == 1
    [line] = _lines(result.stderr)
    assert line.startswith("--strict: 1 of 3 images failed (")
    assert "bad_0.jpg (" in line
    # The summary counts the same failures, with the same reasons.
    loud = _label(tmp_path, folder, "--strict")
    reasons = line.split("(", 1)[1].split(")", 1)[0]
    assert any(text.startswith(f"1 failed: {reasons}") for text in _lines(loud.stderr))


def test_label_partial_without_strict_quiet_is_silent(tmp_path: Path) -> None:
    result = _label(tmp_path, _photos(tmp_path, good=2, bad=1), "-q")
    assert (result.exit_code, result.stderr) == (0, "")


def test_embed_none_usable_quiet_says_why(tmp_path: Path) -> None:
    folder = _photos(tmp_path, good=0, bad=2)
    result = _embed(tmp_path, folder, "-q")
    assert result.exit_code == 1
    [line] = _lines(result.stderr)
    assert line.startswith("No image embedded: none of the 2 images found can be used (")
    assert "bad_0.jpg (" in line and "bad_1.jpg (" in line
    # Run again, the failures are stored ones, reused: still one line that says so.
    again = _embed(tmp_path, folder, "-q")
    assert again.exit_code == 1
    [line] = _lines(again.stderr)
    assert "2 stored failures reused" in line


def test_embed_none_usable_summary_line_unchanged(tmp_path: Path) -> None:
    result = _embed(tmp_path, _photos(tmp_path, good=0, bad=2))
    assert result.exit_code == 1
    assert "No image embedded: none of the 2 images found can be used" in _lines(result.stderr)


def test_embed_strict_partial_quiet_says_the_summarys_last_line(tmp_path: Path) -> None:
    folder = _photos(tmp_path, good=2, bad=1)
    loud = _embed(tmp_path, folder, "--strict")
    assert loud.exit_code == 1
    (tmp_path / "s.zsl").unlink()
    quiet = _embed(tmp_path, folder, "--strict", "-q")
    assert quiet.exit_code == 1
    assert _lines(quiet.stderr) == ["Exit status 1 (--strict): 1 image failed"]
    assert _lines(loud.stderr)[-1] == _lines(quiet.stderr)[0]


@pytest.mark.parametrize("command", [_label, _embed])
def test_quiet_success_prints_nothing(tmp_path: Path, command) -> None:
    result = command(tmp_path, _photos(tmp_path, good=2, bad=0), "--strict", "-q")
    assert (result.exit_code, result.stderr) == (0, "")


def test_quiet_usage_error_still_says_one_line(tmp_path: Path) -> None:
    folder = _photos(tmp_path, good=1, bad=0)
    result = run("label", folder, "-c", tmp_path / "missing.txt", "-m", "shapes-demo", "-q")
    assert result.exit_code == 2
    assert len(_lines(result.stderr)) == 1 and "missing.txt" in result.stderr


def test_quiet_failure_line_from_a_process(tmp_path: Path) -> None:
    folder = _photos(tmp_path, good=0, bad=1)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "zsl_cli", "label", str(folder), "-c", str(_classes(tmp_path))]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [*command, "-m", "shapes-demo", "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("No image labelled: the one image failed (")
    assert "bad_0.jpg (" in line
