"""`zsl evaluate --top-k` with a long value (a number of thousands of digits pasted by mistake)
is refused in one short line: the value is clipped as the item in it is, not quoted whole."""

from __future__ import annotations

import pytest

from tests.helpers import run, write_truth_and_predictions

# The most characters such a line may take: the message, the clipped value and the item.
SHORT_LINE = 300


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("1," + "1" * 5000, "'11111111111111111111'... (5,000 characters) has too many digits"),
        ("1,٣," + ",".join(["2"] * 2000), "'٣' is not a whole number written in the digits 0-9"),
        ("1," + "x" * 5000, "give comma-separated whole numbers, e.g. 1,5"),
    ],
    ids=["too-many-digits", "other-digits", "no-number"],
)
def test_a_long_top_k_is_refused_in_a_short_line(tmp_path, given, says):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    result = run("evaluate", predictions, "--truth", truth, "--top-k", given, "-q")
    assert result.exit_code == 2 and result.stdout == ""
    line = result.stderr.rstrip("\n")
    assert "\n" not in line and len(line) < SHORT_LINE, (len(line), line[:200])
    assert line.startswith("zsl: error: --top-k '1,"), line[:200]
    # The value's start and end, and how much of it is left out between them.
    assert line.endswith(says) and given[-10:] + "'" in line, line[:300]
    assert f" ... [{len(given) - 80:,} characters left out] ... " in line, line[:300]
