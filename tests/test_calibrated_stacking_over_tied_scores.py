"""Calibrated stacking over predictions whose every image scores every class alike (a saturated
or flat score head): its gamma sweep only moves images by class order, so `evaluate` leaves it
out with the reason, as it does for other input it cannot use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evaluation_helpers import touch
from tests.helpers import run
from zsl_cli.evaluation import evaluate_files
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer


def _run_scored(tmp_path: Path, a: float, b: float) -> tuple[Path, Path]:
    """Predictions (every class scored) of images of seen class a and unseen class b, each
    scoring class a `a` and class b `b`, labelled as zsl's ranking keeps ties (in class order)."""
    truth = tmp_path / "truth"
    output = tmp_path / "p.jsonl"
    with open_writer(output, "jsonl") as writer:
        for i, true in enumerate(["a", "a", "b", "b", "a", "b"]):
            image = touch(truth / true / f"{i}.png")
            ranked = sorted([LabelScore("a", a), LabelScore("b", b)], key=lambda s: -s.score)
            writer.write(Prediction(image, ranked[0].label, ranked[0].score, top_k=tuple(ranked)))
        writer.close({})
    return output, truth


@pytest.mark.parametrize("score", [1.0, 0.2689414])
def test_calibrated_stacking_over_scores_that_all_tie_is_left_out(tmp_path, score) -> None:
    output, truth = _run_scored(tmp_path, score, score)
    gzsl = evaluate_files(output, truth, seen=["a"]).gzsl
    assert gzsl is not None and gzsl.calibrated is None
    assert "every image scores every class alike" in gzsl.calibrated_reason
    assert gzsl.to_json()["calibrated_stacking"]["available"] is False
    seen = tmp_path / "seen.txt"
    seen.write_text("a\n")
    result = run("evaluate", output, "--truth", truth, "--seen", seen)
    assert result.exit_code == 0, result.output
    assert "calibrated stacking: not available (every image scores every class alike" in (
        result.stdout
    )


def test_calibrated_stacking_over_scores_that_differ_is_kept(tmp_path: Path) -> None:
    output, truth = _run_scored(tmp_path, 0.6, 0.4)
    gzsl = evaluate_files(output, truth, seen=["a"]).gzsl
    assert gzsl is not None and gzsl.calibrated is not None
