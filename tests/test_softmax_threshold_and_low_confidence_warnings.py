"""Settings that cannot act, said in one line: a --threshold at or below 1/C under a softmax
(whose top score over C classes is at least 1/C) abstains on none, in the one-class warning's
words; a low_confidence cut given from Python that the run does not count is named ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.api import ClassOptions, InputOptions, LabelRequest, ModelOptions, label
from zsl_cli.scoring import Decision

CLASSES = ["red", "green", "blue", "cat", "dog"]


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    write_images(tmp_path / "images", 8)
    return tmp_path / "images"


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("\n".join(CLASSES) + "\n")
    return path


def test_a_softmax_threshold_at_or_below_one_over_c_is_warned_of(tmp_path, images):
    two = tmp_path / "two.txt"
    two.write_text("red circle\nblue square\n")
    result = run("label", images, "-c", two, "-m", "shapes-demo", "--threshold", 0.5)
    assert result.exit_code == 0, result.output
    assert "--threshold 0.5 is at or below 1/2, the least top score a softmax over 2 classes" in (
        result.stderr
    )
    assert "abstains on none" in result.stderr
    assert "unknown" not in result.stdout
    result = run("label", images, "-c", two, "-m", "shapes-demo", "--threshold", 0.51)
    assert "abstains on none" not in result.stderr


def test_one_class_is_the_same_warning(tmp_path, images):
    one = tmp_path / "one.txt"
    one.write_text("red circle\n")
    result = run("label", images, "-c", one, "-m", "shapes-demo")
    assert result.exit_code == 0, result.output
    assert "one class under the model's softmax: every image scores 1" in result.stderr
    assert result.stderr.count("abstains on none") == 1
    result = run("label", images, "-c", one, "-m", "shapes-demo", "--threshold", 0.9)
    assert result.stderr.count("abstains on none") == 1


def test_a_sigmoid_threshold_below_one_over_c_is_no_warning(tiny_siglip, images, classes):
    result = run("label", images, "-c", classes, "-m", tiny_siglip, "--threshold", 0.1)
    assert result.exit_code == 0, result.output
    assert "abstains on none" not in result.stderr


def _label(model: Path, images: Path, classes: Path, **changes: object):
    warnings: list[str] = []
    request = LabelRequest(
        inputs=InputOptions(paths=(images,)),
        classes=ClassOptions(classes=classes),
        model=ModelOptions(name=str(model)),
        output=None,
        **changes,
    )
    return label(request, warn=warnings.append), warnings


def test_a_low_confidence_cut_given_under_a_sigmoid_is_warned_ignored(tiny_siglip, images, classes):
    report, warnings = _label(tiny_siglip, images, classes, low_confidence=0.01)
    assert report.run_info["summary"]["low_confidence"] is None
    (warning,) = [w for w in warnings if "low_confidence" in w]
    assert "low_confidence 0.01: no image is counted under the model's sigmoid" in warning
    report, warnings = _label(tiny_siglip, images, classes)  # the default: nothing asked
    assert not [w for w in warnings if "low_confidence" in w]


def test_a_low_confidence_cut_given_with_a_threshold_is_warned_ignored(tiny_clip, images, classes):
    decision = Decision(threshold=0.3)
    report, warnings = _label(tiny_clip, images, classes, low_confidence=0.4, decision=decision)
    assert report.run_info["summary"]["low_confidence"] is None
    assert [w for w in warnings if "low_confidence 0.4: no image is counted under --threshold" in w]
    report, warnings = _label(tiny_clip, images, classes, low_confidence=0.4)
    assert report.run_info["summary"]["low_confidence_below"] == 0.4
    assert not [w for w in warnings if "low_confidence" in w]
