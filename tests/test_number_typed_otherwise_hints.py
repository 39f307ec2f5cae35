"""Numbers typed as a user outside the English-speaking world types them: a decimal comma
(`--threshold 0,5`, as most of Europe, Russia and Latin America write a half) is told to use a
decimal point, as an attributes table's cell is; and evaluate's --top-k list says of other
scripts' digits (`٣`, full-width `１`) what label's --top-k says of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_truth_and_predictions


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("cat\ndog\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("given", "meant"), [("0,5", "0.5"), ("0,25", "0.25"), (",5", ".5"), (" 0,5 ", "0.5")]
)
def test_a_threshold_with_a_decimal_comma_is_told_to_use_a_point(classes, given, meant):
    result = run("label", "-c", classes, "--threshold", given, "--show-prompts")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"zsl: error: Invalid value for '--threshold': {given!r} is not a number (write it with "
        f"a decimal point: {meant}) (see 'zsl label --help')\n"
    )


@pytest.mark.parametrize("given", ["1,000", "0,5,5", "abc", "0.5,"])
def test_what_is_no_decimal_comma_gets_no_such_hint(classes, given):
    # A thousands separator is no decimal comma (an attributes cell '1,000' gets no hint either).
    result = run("label", "-c", classes, "--threshold", given, "--show-prompts")
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: Invalid value for '--threshold': {given!r} is not a number "
        "(see 'zsl label --help')\n"
    )


@pytest.mark.parametrize(
    ("given", "named"),
    [("１,５", "１"), ("٣", "٣"), ("1,١", "١"), ("1_0,5", "1_0"), ("1, ۵ ", "۵"), ("x,٣", "x")],
)
def test_evaluate_top_k_names_digits_not_typed_in_ascii(tmp_path, given, named):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    result = run("evaluate", predictions, "--truth", truth, "--top-k", given, "-q")
    assert result.exit_code == 2 and result.stdout == ""
    if named == "x":  # the first item that is not a number is named, as no number at all
        assert result.stderr == (
            f"zsl: error: --top-k '{given}': give comma-separated whole numbers, e.g. 1,5\n"
        )
        return
    assert result.stderr == (
        f"zsl: error: --top-k '{given}': {named!r} is not a whole number written in the digits "
        "0-9\n"
    )


def test_evaluate_top_k_says_as_label_does(tmp_path, classes):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    label = run("label", "-c", classes, "-k", "１", "--show-prompts")
    evaluate = run("evaluate", predictions, "--truth", truth, "-k", "１", "-q")
    why = "'１' is not a whole number written in the digits 0-9"
    assert why in label.stderr and why in evaluate.stderr


def test_evaluate_top_k_of_too_many_digits_says_so(tmp_path):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    given = "1," + "9" * 5000
    result = run("evaluate", predictions, "--truth", truth, "--top-k", given, "-q")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "'99999999999999999999'... (5,000 characters) has too many digits\n"
    )
    assert len(result.stderr.splitlines()) == 1
