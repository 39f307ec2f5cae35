"""`zsl hubness --truth --seen` reads a truth label as `zsl evaluate` does: a class written in
another case or with '_' between its words is refused, naming the class (it counted as an
unseen class at 0%, lowering H), and a no-break space between its words is the class."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.demo.imageset import make_image_set


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_image_set(tmp_path_factory.mktemp("shapes") / "set", seed=88, per_class=2).root


def _seen_class(shapes: Path) -> str:
    return (shapes / "seen.txt").read_text().splitlines()[0]  # "red circle", two words


def _truth_csv(shapes: Path, path: Path, rename: dict[str, str]) -> Path:
    """A path,label CSV of every image of the set, its class renamed as `rename` says."""
    images = sorted(shapes.glob("*/*.png"))
    rows = [f'"{image}","{rename.get(image.parent.name, image.parent.name)}"' for image in images]
    path.write_text("path,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _hubness(images: Path, shapes: Path, *args: object):
    command = ["hubness", images, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-k", "1"]
    return run(*command, "--methods", "none,csls", *args)


def test_a_truth_label_spelled_otherwise_is_refused_with_seen_as_evaluate_refuses_it(
    shapes, tmp_path
):
    seen_class = _seen_class(shapes)
    predictions = tmp_path / "p.jsonl"
    classes = shapes / "classes.txt"
    labelled = run("label", shapes, "-c", classes, "-m", "shapes-demo", "-o", predictions, "-q")
    assert labelled.exit_code == 0, labelled.stderr
    seen = ["--seen", shapes / "seen.txt"]
    for other in (seen_class.title(), seen_class.replace(" ", "_")):
        truth = _truth_csv(shapes, tmp_path / "truth.csv", {seen_class: other})
        result = _hubness(shapes, shapes, "--truth", truth, *seen)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            f"zsl: error: the truth labels images '{other}', which is no class: the class "
            f"'{seen_class}' differs from it only in case"
        ), result.stderr
        # evaluate's very words, as the one function says them for both.
        evaluated = run("evaluate", predictions, "--truth", truth, *seen)
        assert evaluated.exit_code == 2, evaluated.output
        assert result.stderr == evaluated.stderr
        # Without --seen there is no split to harm: scored as written, with the warning.
        result = _hubness(shapes, shapes, "--truth", truth)
        assert result.exit_code == 0, result.stderr
        assert f"'{other}' in the truth is '{seen_class}' among the classes" in result.stderr


def test_a_truth_folder_named_in_another_case_is_refused_with_seen(shapes, tmp_path):
    seen_class = _seen_class(shapes)
    copy = shutil.copytree(shapes, tmp_path / "set")
    (copy / seen_class).rename(copy / seen_class.title())
    result = _hubness(copy, shapes, "--truth", copy, "--seen", shapes / "seen.txt")
    assert result.exit_code == 2, result.output
    assert f"the truth labels images '{seen_class.title()}', which is no class" in result.stderr


def test_every_truth_label_spelled_otherwise_is_refused_with_seen(shapes, tmp_path):
    classes = (shapes / "classes.txt").read_text().splitlines()
    truth = _truth_csv(shapes, tmp_path / "t.csv", {c: c.replace(" ", "_") for c in classes})
    result = _hubness(shapes, shapes, "--truth", truth, "--seen", shapes / "seen.txt")
    assert result.exit_code == 2, result.output
    assert f"({len(classes) - 1} other truth classes are so)" in result.stderr


def test_a_truth_label_with_a_no_break_space_is_the_class(shapes, tmp_path):
    classes = (shapes / "classes.txt").read_text().splitlines()
    pasted = {name: name.replace(" ", "\u00a0") for name in classes}
    seen = tmp_path / "seen.txt"
    seen.write_text((shapes / "seen.txt").read_text().replace(" ", "\u00a0"), encoding="utf-8")
    out, plain_out = tmp_path / "h.json", tmp_path / "plain.json"
    truth = _truth_csv(shapes, tmp_path / "t.csv", pasted)
    result = _hubness(shapes, shapes, "--truth", truth, "--seen", seen, "--json", out)
    assert result.exit_code == 0, result.stderr
    plain = _truth_csv(shapes, tmp_path / "plain.csv", {})
    seen_plain = ["--seen", shapes / "seen.txt", "--json", plain_out]
    result = _hubness(shapes, shapes, "--truth", plain, *seen_plain)
    assert result.exit_code == 0, result.stderr
    data, plain_data = json.loads(out.read_text()), json.loads(plain_out.read_text())
    assert data["truth_classes_not_listed"] == [] and data["warnings"] == []
    for method, measured in data["methods"].items():
        assert measured["accuracy"]["unseen_mean_per_class"] > 0  # no class of its own at 0%
        assert measured["accuracy"] == plain_data["methods"][method]["accuracy"]
