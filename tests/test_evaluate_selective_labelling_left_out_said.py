"""`zsl evaluate` on a sample that holds enough scored images for the selective-labelling table
but gives it no row (most of it labelled `unknown` under a --threshold): the text output says
in one line why the table is missing, as `--json`'s reason does; `evaluate --help` lists the
reasons."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.__main__ import app as demo_app


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, list[dict[str, str]]]:
    """A shapes world of 30 images and their predictions by shapes-demo."""
    folder = tmp_path_factory.mktemp("left-out")
    shapes = folder / "shapes"
    made = CliRunner().invoke(demo_app, ["make-images", str(shapes), "--per-class", "1"])
    assert made.exit_code == 0, made.output
    labelled = run("label", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-q")
    assert labelled.exit_code == 0, labelled.output
    return shapes, list(csv.DictReader(labelled.stdout.splitlines()))


def test_a_sample_mostly_unknown_says_why_the_table_is_missing(world, tmp_path) -> None:
    shapes, rows = world
    # 30 scored images, the 22 lowest labelled unknown (as under a --threshold): 8 left, fewer
    # than any row keeps.
    ranked = sorted(rows, key=lambda row: float(row["score"]))
    for row in ranked[:22]:
        row["label"] = "unknown"
    predictions = tmp_path / "few.csv"
    with open(predictions, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "few.json"
    result = run("evaluate", predictions, "--truth", shapes, "--json", out)
    assert result.exit_code == 0, result.output
    reason = json.loads(out.read_text(encoding="utf-8"))["selective_labelling"]["reason"]
    assert reason.startswith("too few labelled images: 8 of 30")
    said = [line for line in result.stdout.splitlines() if "Selective labelling" in line]
    assert len(said) == 1
    assert reason in " ".join(result.stdout.split())


def test_the_help_lists_why_the_table_may_be_missing() -> None:
    result = run("evaluate", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "fewer than 10 images" in text
