"""A --truth file of JSON that Python's json cannot read (arrays or objects nested deeper than
Python's stack, a number of 5,000 digits): one line, exit code 2, as JSON that does not parse
gets, from `zsl evaluate` and `zsl hubness` alike. Nested too deep, it ended in a traceback
(exit 70), where the same file given as the predictions was one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images, write_truth_and_predictions

DEPTH = 100_000  # far past Python's recursion limit (1,000) and the C stack's
CONTENTS = {
    "array": "[" * DEPTH + "]" * DEPTH,
    "object": '{"a": ' * DEPTH + "1" + "}" * DEPTH,
    "records": "[" + '{"a": ' * DEPTH + "1" + "}" * DEPTH + "]",
    "long number": '[{"id": ' + "7" * 5000 + "}]",
}
NOT_A_TRUTH = "holds JSON, not a ground-truth CSV"


@pytest.fixture(params=CONTENTS, ids=list(CONTENTS))
def unreadable(request, tmp_path: Path) -> Path:
    path = tmp_path / "truth.json"
    path.write_text(CONTENTS[request.param])
    return path


def assert_one_line(result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    for part in parts:
        assert part in result.stderr


def test_evaluate_refuses_it_in_one_line(tmp_path, unreadable):
    _, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    result = run("evaluate", predictions, "--truth", unreadable)
    assert_one_line(result, str(unreadable), NOT_A_TRUTH)


def test_hubness_refuses_it_in_one_line(tmp_path, unreadable):
    images = tmp_path / "images"
    write_images(images, 2)
    classes = tmp_path / "classes.txt"
    classes.write_text("red circle\nblue square\n")
    result = run("hubness", images, "-c", classes, "-m", "shapes-demo", "--truth", unreadable)
    assert_one_line(result, str(unreadable), NOT_A_TRUTH)


def test_the_same_file_as_predictions_is_one_line_too(tmp_path, unreadable):
    truth, _ = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    result = run("evaluate", unreadable, "--truth", truth)
    assert_one_line(result, "is not valid JSON")
