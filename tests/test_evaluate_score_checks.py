"""Scores no zsl head writes, in a predictions file edited after labelling or written by another
tool (NaN, inf, -7, 5, a ranking whose scores rise): `zsl evaluate` read them without a word,
where only calibrated stacking noticed any. Each kind is one warning,
naming an image and how many; the metrics stay as they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.evaluation_helpers import predicted, touch
from zsl_cli.cli import app
from zsl_cli.evaluation import evaluate_files
from zsl_cli.writers import open_writer

CLASSES = ["a", "b", "c"]
IMAGES = ["a/0.png", "a/1.png", "b/0.png", "b/1.png", "c/0.png"]


@pytest.fixture
def truth(tmp_path: Path) -> Path:
    root = tmp_path / "imgs"
    for name in IMAGES:
        touch(root / name)
    return root


def written(path: Path, truth: Path, fmt: str = "csv") -> Path:
    """Predictions in zsl's own format, every image ranked with all classes, scores falling."""
    with open_writer(path, fmt) as writer:
        for image in IMAGES:
            folder = image.split("/")[0]
            ranking = [folder, *(name for name in CLASSES if name != folder)]
            writer.write(predicted(truth / image, folder, ranking))
    return path


def edited(path: Path, truth: Path, image: str, cells: str) -> Path:
    """`path` with `image`'s row's cells after the path replaced by `cells`."""
    lines = path.read_text().splitlines(keepends=True)
    row = str(truth / image)
    lines = [f"{row},{cells}\n" if line.startswith(row + ",") else line for line in lines]
    out = path.with_name(f"edited-{len(list(path.parent.glob('edited-*')))}.csv")
    out.write_text("".join(lines))
    return out


def test_a_file_as_zsl_writes_it_gets_no_warning(truth: Path, tmp_path: Path) -> None:
    result = evaluate_files(written(tmp_path / "p.csv", truth), truth, ks=(1, 2))
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("cells", "kinds"),
    [
        ("a,nan,a|b|c,nan|0.1|0.0,ok,", ["not finite"]),
        ("a,0.9,a|b|c,0.9|inf|-inf,ok,", ["not finite", "rise down the ranking"]),
        ("a,-7,a|b|c,5|0.2|-7,ok,", ["outside [0, 1]"]),
        ("a,0.9,a|b|c,0.1|0.2|0.9,ok,", ["rise down the ranking"]),
    ],
)
def test_each_kind_of_score_no_model_writes_is_one_warning(
    truth: Path, tmp_path: Path, cells: str, kinds: list[str]
) -> None:
    source = written(tmp_path / "p.csv", truth)
    first = evaluate_files(source, truth, ks=(1, 2))
    result = evaluate_files(edited(source, truth, "a/0.png", cells), truth, ks=(1, 2))
    assert len(result.warnings) == len(kinds), result.warnings
    for warning, kind in zip(result.warnings, kinds, strict=True):
        assert warning.startswith("1 image has ") and kind in warning, warning
        assert f"(e.g. '{truth / 'a' / '0.png'}'; edited after labelling" in warning
    # The metrics are computed as before: the label is unchanged.
    assert result.metrics.top_k[0].overall == first.metrics.top_k[0].overall


def test_the_warning_counts_the_images_and_names_the_first(truth: Path, tmp_path: Path) -> None:
    source = written(tmp_path / "p.csv", truth)
    once = edited(source, truth, "b/1.png", "b,1.5,b|a|c,1.5|0.2|0.1,ok,")
    twice = edited(once, truth, "a/1.png", "a,2,a|b|c,2|0.2|0.1,ok,")
    (warning,) = evaluate_files(twice, truth, ks=(1,)).warnings
    assert warning.startswith("2 images have scores outside [0, 1], which no zsl model gives")
    assert f"(e.g. '{truth / 'a' / '1.png'}';" in warning


def test_failed_rows_without_scores_are_no_scores_written(truth: Path, tmp_path: Path) -> None:
    source = written(tmp_path / "p.csv", truth)
    failed = edited(source, truth, "c/0.png", ",,,,decode_error,broken")
    assert evaluate_files(failed, truth, ks=(1,)).warnings == ()


def test_the_cli_shows_the_warning_and_exits_0(truth: Path, tmp_path: Path) -> None:
    source = written(tmp_path / "p.csv", truth)
    nan = edited(source, truth, "a/1.png", "a,nan,a|b|c,nan|0.2|0.1,ok,")
    result = CliRunner().invoke(app, ["evaluate", str(nan), "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert "1 image has scores that are not finite" in result.stderr
    assert not np.isnan(evaluate_files(nan, truth, ks=(1,)).metrics.top_k[0].overall)
