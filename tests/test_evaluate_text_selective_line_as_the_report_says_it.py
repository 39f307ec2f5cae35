"""The text summary of `zsl evaluate` says why the selective-labelling table is left out in the
words `evaluation.selective_left_out` gives the HTML report, and where it gives none (a small
sample, left out as a rule), says nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import run
from zsl_cli.demo.__main__ import app as demo_app
from zsl_cli.evaluation import evaluate_files, selective_left_out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    """A shapes world of 30 images and their predictions by shapes-demo."""
    folder = tmp_path_factory.mktemp("selective-line")
    shapes = folder / "shapes"
    made = CliRunner().invoke(demo_app, ["make-images", str(shapes), "--per-class", "1"])
    assert made.exit_code == 0, made.output
    labelled = run("label", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-q")
    assert labelled.exit_code == 0, labelled.output
    return shapes, list(csv.DictReader(labelled.stdout.splitlines()))


def _predictions(path: Path, rows: list[dict[str, str]], unknown: int) -> Path:
    """`rows` with the `unknown` lowest-scored labelled unknown, as under a --threshold."""
    rows = [dict(row) for row in rows]
    for row in sorted(rows, key=lambda row: float(row["score"]))[:unknown]:
        row["label"] = "unknown"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _selective_lines(stdout: str) -> list[str]:
    return [" ".join(line.split()) for line in stdout.splitlines() if "Selective" in line]


def test_the_text_line_is_the_report_s_reason(world, tmp_path: Path) -> None:
    shapes, rows = world
    predictions = _predictions(tmp_path / "few.csv", rows, unknown=22)
    left_out = selective_left_out(evaluate_files(predictions, shapes).selective)
    assert left_out is not None and left_out.startswith("none, too few labelled images: 8 of 30")
    result = run("evaluate", predictions, "--truth", shapes)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert f"Selective labelling: {' '.join(left_out.split())}" in said, result.stdout
    assert len(_selective_lines(result.stdout)) == 1


def test_a_small_sample_gets_no_line(world, tmp_path: Path) -> None:
    shapes, rows = world
    predictions = _predictions(tmp_path / "small.csv", rows[:12], unknown=8)
    assert selective_left_out(evaluate_files(predictions, shapes).selective) is None
    result = run("evaluate", predictions, "--truth", shapes)
    assert result.exit_code == 0, result.output
    assert _selective_lines(result.stdout) == []
