"""`zsl embed --json` names every file as it was given, as label's outputs and embed's own
`unreachable_files` do: `failed_files` named the images it could not read by their absolute
paths (the store's keys), beside the relative ones of the rest."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli import api


def embed_json(*args: object) -> dict:
    result = run("embed", *args, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_failed_and_unreachable_files_are_named_as_given(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    images = Path("images")
    write_images(images, 2)
    (images / "bad.png").write_bytes(b"not a png")
    (images / "link.png").symlink_to(tmp_path / "nowhere.png")
    report = embed_json(images, "--store", "s.zsl", "-m", tiny_clip)
    assert [f["path"] for f in report["failed_files"]] == ["images/bad.png"]
    assert [f["path"] for f in report["unreachable_files"]] == ["images/link.png"]
    # The label of the same folder names them so too.
    Path("classes.txt").write_text("cat\ndog\n")
    labelled = run("label", images, "-c", "classes.txt", "-m", tiny_clip, "-o", "-", "-q")
    assert labelled.exit_code == 0, labelled.output
    rows = csv.DictReader(io.StringIO(labelled.stdout))
    assert {row["path"] for row in rows if row["status"] != "ok"} == {
        "images/bad.png",
        "images/link.png",
    }


def test_a_file_that_stops_being_one_during_the_run_is_named_as_given(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found a file by the scan, a broken link by the time it was read: unreachable, as the scan
    # would have found it, and named as the scan's are.
    monkeypatch.chdir(tmp_path)
    images = Path("images")
    paths = write_images(images, 3)
    waited = api.wait_for_mtime_ticks

    def replaced_once_planned(stats, *args, **kwargs):
        os.remove(paths[1])
        os.symlink(tmp_path / "nowhere.png", paths[1])
        return waited(stats, *args, **kwargs)

    monkeypatch.setattr(api, "wait_for_mtime_ticks", replaced_once_planned)
    report = embed_json(images, "--store", "s.zsl", "-m", tiny_clip)
    assert [f["path"] for f in report["unreachable_files"]] == [os.fspath(paths[1])]
    assert report["unreachable_files"][0]["status"] == "broken_link"
