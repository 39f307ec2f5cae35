"""What `zsl evaluate`'s selective-labelling table says beside its rows: that images labelled
unknown are kept by no threshold, and that thresholds read off predictions labelled with
--hubness-reduction (each score depends on the images labelled with it) do not carry to other
images; and that the text table and the HTML report show the same rows."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli import evaluation
from zsl_cli.cli import app
from zsl_cli.demo.__main__ import app as demo_app
from zsl_cli.metrics import CoveragePoint, SelectiveLabelling


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shapes world of 60 images (30 classes)."""
    folder = tmp_path_factory.mktemp("selective-notes") / "shapes"
    made = CliRunner().invoke(demo_app, ["make-images", str(folder), "--per-class", "2"])
    assert made.exit_code == 0, made.output
    return folder


def labelled(shapes: Path, output: Path, *options: object) -> Path:
    """Its predictions by shapes-demo, written with their run info."""
    command = ("label", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-q")
    result = run(*command, "-k", "1", "-o", output, *options)
    assert result.exit_code == 0, result.output
    return output


@pytest.fixture(scope="module")
def plain(shapes: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Its predictions without a threshold or a reduction, labelled once for the module."""
    return labelled(shapes, tmp_path_factory.mktemp("plain") / "all.jsonl")


def copied(predictions: Path, folder: Path) -> Path:
    """A copy of shared predictions in this test's folder, where its metrics are written."""
    copy = folder / predictions.name
    shutil.copyfile(predictions, copy)
    return copy


def evaluated(predictions: Path, shapes: Path, *options: object) -> tuple[str, dict]:
    out = predictions.with_suffix(".metrics.json")
    result = run("evaluate", predictions, "--truth", shapes, "--json", out, *options)
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split()), json.loads(out.read_text(encoding="utf-8"))


def test_images_labelled_unknown_are_said_to_be_kept_by_no_threshold(
    shapes: Path, plain: Path, tmp_path: Path
) -> None:
    _, first = evaluated(copied(plain, tmp_path), shapes)
    half = next(p for p in first["selective_labelling"]["points"] if p["coverage"] == 0.5)
    threshold = f"{half['threshold']:.7g}"
    thresholded = labelled(shapes, tmp_path / "t.jsonl", "--threshold", threshold)
    text, document = evaluated(thresholded, shapes)
    abstained = document["selective_labelling"]["abstained"]
    assert abstained == 60 - half["kept"] > 1
    assert (
        f"{abstained} images labelled unknown here have no label: no threshold keeps them, so "
        "coverages above" in text
    )
    assert "kept at no threshold" not in text


def test_the_help_says_no_threshold_keeps_an_image_labelled_unknown() -> None:
    result = run("evaluate", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Images labelled 'unknown' under a --threshold have no label, which no threshold" in text
    assert "kept at no threshold" not in text


REDUCED = "labelled with --hubness-reduction csls"


def test_thresholds_of_a_run_with_a_hubness_reduction_are_said_to_hold_for_its_batch_only(
    shapes: Path, tmp_path: Path
) -> None:
    reduced = labelled(shapes, tmp_path / "csls.jsonl", "--hubness-reduction", "csls")
    report = tmp_path / "report.html"
    text, document = evaluated(reduced, shapes, "--report", report)
    selective = document["selective_labelling"]
    assert selective["available"]
    note = selective["hubness_reduction_note"]
    assert note.startswith(f"these predictions were {REDUCED}")
    assert note in text
    assert html.escape(note, quote=False) in report.read_text(encoding="utf-8")


def test_a_run_without_reduction_has_no_such_note(
    shapes: Path, plain: Path, tmp_path: Path
) -> None:
    text, document = evaluated(copied(plain, tmp_path), shapes)
    assert document["selective_labelling"]["available"]
    assert "hubness_reduction_note" not in document["selective_labelling"]
    assert "--hubness-reduction" not in text


def test_the_text_table_and_the_html_report_show_the_same_rows(
    shapes: Path, plain: Path, tmp_path: Path
) -> None:
    predictions = copied(plain, tmp_path)
    report = tmp_path / "report.html"
    text, document = evaluated(predictions, shapes, "--report", report)
    read = document["selective_labelling"]
    points = tuple(CoveragePoint(**point) for point in read["points"])
    selective = SelectiveLabelling(read["n"], read["abstained"], read["unscored"], points)
    headers, rows = evaluation.selective_rows(selective)
    assert len(rows) == len(points) > 1
    page = report.read_text(encoding="utf-8")
    for header in headers:
        assert f">{html.escape(header)}</th>" in page
    for row in rows:
        assert " ".join(row) in text
        assert "".join(f"<td>{html.escape(cell)}</td>" for cell in row[1:]) in page
