"""EvaluationResult.top_mistakes gives at most `limit` (true class, predicted label, count), the
most common first: the summary's and the report's lists of mistakes are that long."""

from __future__ import annotations

from tests.evaluation_helpers import evaluated


def test_top_mistakes_keeps_to_its_limit(tmp_path):
    rows = [("cat", "dog")] * 3 + [("dog", "cat")] * 2 + [("bird", "cat"), ("cat", "cat")]
    result = evaluated(tmp_path, rows)
    assert result.top_mistakes(1) == [("cat", "dog", 3)]
    assert result.top_mistakes(2) == [("cat", "dog", 3), ("dog", "cat", 2)]
    assert len(result.top_mistakes()) == 3
