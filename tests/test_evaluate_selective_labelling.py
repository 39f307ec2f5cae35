"""`zsl evaluate`'s selective-labelling table: the `zsl label --threshold` that keeps each share of
a labelled shapes world, checked against what relabelling with that threshold does."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.__main__ import app as demo_app
from zsl_cli.records import CSV_COLUMNS, written_score


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, Path]:
    """A shapes world of 60 images (30 classes), and its predictions by shapes-demo."""
    folder = tmp_path_factory.mktemp("selective")
    shapes = folder / "shapes"
    made = CliRunner().invoke(demo_app, ["make-images", str(shapes), "--per-class", "2"])
    assert made.exit_code == 0, made.output
    predictions = folder / "all.csv"
    labelled = run("label", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-q")
    assert labelled.exit_code == 0, labelled.output
    predictions.write_text(labelled.stdout, encoding="utf-8")
    return shapes, predictions


def evaluated(predictions: Path, truth: Path, tmp_path: Path, *options) -> tuple[str, dict]:
    out = tmp_path / f"{predictions.stem}.json"
    result = run("evaluate", predictions, "--truth", truth, "--json", out, *options)
    assert result.exit_code == 0, result.output
    return result.stdout, json.loads(out.read_text(encoding="utf-8"))


def test_each_threshold_keeps_what_the_predictions_say(world, tmp_path):
    shapes, predictions = world
    text, document = evaluated(predictions, shapes, tmp_path)
    selective = document["selective_labelling"]
    assert selective["available"] is True
    assert (selective["n"], selective["abstained"], selective["unscored"]) == (60, 0, 0)
    # 60 images: 100%, and the coverages keeping 10 or more and leaving 5 or more out (95%
    # leaves 3)
    assert [p["coverage"] for p in selective["points"]] == [1.0, 0.9, 0.8, 0.7, 0.5, 0.25]
    rows = read_rows(predictions)
    for point in selective["points"]:
        kept = [r for r in rows if written_score(float(r["score"])) >= point["threshold"]]
        right = [r for r in kept if Path(r["path"]).parent.name == r["label"]]
        assert (point["kept"], point["correct"]) == (len(kept), len(right))
        assert point["share"] == len(kept) / 60 >= point["coverage"]
        assert point["accuracy"] == pytest.approx(len(right) / len(kept))
        # the threshold is a score of the sample, as written, and the lowest one kept
        assert point["threshold"] == min(written_score(float(r["score"])) for r in kept)
    assert "Selective labelling" in text
    assert "promises nothing for other images" in text
    first = selective["points"][0]
    assert f"{first['threshold']:.7g}" in text


def test_relabelling_with_a_threshold_keeps_as_the_table_said(world, tmp_path):
    shapes, predictions = world
    _, document = evaluated(predictions, shapes, tmp_path)
    half = next(p for p in document["selective_labelling"]["points"] if p["coverage"] == 0.5)
    threshold = f"{half['threshold']:.7g}"
    relabelled = run(
        "label", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-q",
        "--threshold", threshold, "-k", "1",
    )  # fmt: skip
    assert relabelled.exit_code == 0, relabelled.output
    thresholded = tmp_path / "thresholded.csv"
    thresholded.write_text(relabelled.stdout, encoding="utf-8")
    text, again = evaluated(thresholded, shapes, tmp_path, "-k", "1")
    assert again["abstained"] == 60 - half["kept"]
    assert again["top_k"]["1"]["overall"] == pytest.approx(half["correct"] / 60)
    # No threshold keeps the images labelled unknown: the coverages up to the share
    # kept are the same points, those above it are left out.
    selective = again["selective_labelling"]
    assert selective["abstained"] == 60 - half["kept"]
    before = [p for p in document["selective_labelling"]["points"] if p["share"] <= half["share"]]
    assert selective["points"] == before
    assert "labelled unknown here have no label: no threshold keeps them" in text


def test_the_html_report_has_the_table(world, tmp_path):
    shapes, predictions = world
    report = tmp_path / "report.html"
    _, document = evaluated(predictions, shapes, tmp_path, "--report", report)
    page = report.read_text(encoding="utf-8")
    assert "<h2>Selective labelling</h2>" in page
    for point in document["selective_labelling"]["points"]:
        assert f"<td>{point['threshold']:.7g}</td>" in page


def test_too_few_images_leave_the_table_out_saying_why(world, tmp_path):
    shapes, predictions = world
    few = tmp_path / "few.csv"
    lines = predictions.read_text(encoding="utf-8").splitlines(keepends=True)
    few.write_text("".join(lines[:16]), encoding="utf-8")  # header and 15 images
    text, document = evaluated(few, shapes, tmp_path)
    selective = document["selective_labelling"]
    assert selective == {
        "available": False,
        "reason": "fewer than 20 scored images (15): too few to read a threshold off",
    }
    assert "Selective labelling" not in text


def test_predictions_without_scores_leave_the_table_out(world, tmp_path):
    shapes, predictions = world
    bare = tmp_path / "bare.csv"
    with open(bare, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in read_rows(predictions):  # labels kept, scores and rankings emptied
            writer.writerow([row["path"], row["label"], "", "", "", "ok", ""])
    text, document = evaluated(bare, shapes, tmp_path)
    assert document["selective_labelling"] == {
        "available": False,
        "reason": "the predictions hold no scores",
    }
    assert "Selective labelling" not in text


def test_the_help_says_how_abstentions_count():
    result = run("evaluate", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "selective labelling" in text
    assert "Images labelled 'unknown' under a --threshold have no label, which no threshold" in text


def test_a_sigmoid_models_thresholds_come_from_its_scores(world, tiny_siglip, tmp_path):
    """SigLIP's independent sigmoids sit on another scale than a softmax: the thresholds are
    the sample's own scores, whatever their scale."""
    shapes, _ = world
    labelled = run("label", shapes, "-c", shapes / "classes.txt", "-m", tiny_siglip, "-q")
    assert labelled.exit_code == 0, labelled.output
    predictions = tmp_path / "siglip.csv"
    predictions.write_text(labelled.stdout, encoding="utf-8")
    scores = sorted(written_score(float(r["score"])) for r in read_rows(predictions))
    _, document = evaluated(predictions, shapes, tmp_path, "-k", "1")
    points = document["selective_labelling"]["points"]
    assert points[0]["coverage"] == 1.0
    assert points[0]["threshold"] == scores[0]
    for point in points:
        kept = [score for score in scores if score >= point["threshold"]]
        assert point["threshold"] in scores
        assert point["kept"] == len(kept) >= point["coverage"] * 60
