"""A trained model's head is not blamed for a run whose few images fit no class: judged on the
run's own similarities, one image between two classes it does not show spanned 0.3% and was
taken for a head too flat to separate scores."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import run
from zsl_cli.api import head_warnings
from zsl_cli.demo.__main__ import app as demo_app
from zsl_cli.encoders.base import ScoreHead
from zsl_cli.scoring import SimilaritySpan


def test_one_image_that_fits_neither_class_gets_no_head_warning(tmp_path: Path) -> None:
    classes = tmp_path / "classes.txt"
    classes.write_text("orange hexagon\norange square\n")
    # The shapes world's default seed: this star's two scores came out 0.5006 and 0.4994.
    made = CliRunner().invoke(
        demo_app, ["make-images", str(tmp_path / "shapes"), "--per-class", "1"]
    )
    assert made.exit_code == 0, made.output
    image = tmp_path / "shapes" / "green star" / "green_star_0000.png"
    result = run("label", image, "-c", classes, "-m", "shapes-demo", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert "tell nothing" not in result.output


def test_a_narrow_run_does_not_make_a_trained_head_flat() -> None:
    narrow = SimilaritySpan(lo=0.20, hi=0.2001, widest_row=0.0001)
    assert head_warnings(ScoreHead("softmax", 29.4, 0.0), narrow) == []
    assert head_warnings(ScoreHead("sigmoid", 117.3, -12.9), narrow) == []
    # A head whose scale is what is wrong is still told on such a run.
    assert head_warnings(ScoreHead("softmax", 0.01, 0.0), narrow)
