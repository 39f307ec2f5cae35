"""Type-checked by mypy in .ci/run, never run: a script ordering predictions' `top_k` as the
README says they compare, as tuples do (a failed image's is ()): RankedScores had no `<`."""

from zsl_cli import api


def lowest(predictions: list[api.Prediction]) -> tuple[api.LabelScore, ...] | api.RankedScores:
    ordered = sorted(prediction.top_k for prediction in predictions)
    assert ordered[0] <= ordered[-1]
    return min(prediction.top_k for prediction in predictions)
