"""`zsl evaluate --report`/`--json` at the top of the truth folder: beside the class folders the
truth takes no file, but a scan of that folder (the next `zsl label` or `zsl embed` of it) takes
every image there, so an output a scan would read as an image is refused, as one in a class
folder is; one it would not read (a .json, a .html, a hidden file) is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run
from tests.test_evaluate_truth_outputs_and_pairing import labelled_here
from zsl_cli.discovery import scan


@pytest.mark.parametrize("output", ["photos/report.png", "photos/Report.PNG", "photos/./r.png"])
def test_a_chart_at_the_top_of_the_truth_folder_is_refused(tmp_path, monkeypatch, output):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    result = run("evaluate", predictions, "--truth", "photos", "--report", output)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"zsl: error: --report {output} is in the ground truth folder photos, where the next "
        "zsl label or zsl embed of it would take it for an image; write elsewhere\n"
    )
    assert len(scan(["photos"]).paths) == 6  # nothing written there


def test_json_written_as_an_image_name_at_the_top_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    result = run(
        "evaluate", predictions, "--truth", str(tmp_path / "photos"), "--json", "photos/x.jpg"
    )
    assert result.exit_code == 2, result.output
    assert "--json photos/x.jpg is in the ground truth folder" in result.stderr
    assert not (tmp_path / "photos" / "x.jpg").exists()


def test_outputs_a_scan_would_not_read_as_images_are_written_at_the_top(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    for option, output in (
        ("--json", "photos/x.json"),
        ("--report", "photos/report.html"),
        ("--report", "photos/.report.png"),
    ):
        result = run("evaluate", predictions, "--truth", "photos", option, output, "-q")
        assert result.exit_code == 0, result.output
        assert (tmp_path / output).is_file()
    assert len(scan(["photos"]).paths) == 6
    again = run("evaluate", predictions, "--truth", "photos", "--json", "-", "-q")
    assert json.loads(again.stdout)["n"] == 6


def test_a_chart_beside_the_truth_folder_is_written(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    result = run("evaluate", predictions, "--truth", "photos", "--report", "report.png", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.png").is_file()
