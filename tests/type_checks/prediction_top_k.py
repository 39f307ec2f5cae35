"""Type-checked by mypy in .ci/run, never run: a script using a prediction's `top_k` as the
README says, joined with `+` as a tuple is. It was typed `Sequence[LabelScore]`, which has no `+`,
so mypy refused what worked at run time."""

from zsl_cli import api


def ranking(prediction: api.Prediction) -> tuple[api.LabelScore, ...]:
    both = prediction.top_k + prediction.top_k
    extra = prediction.top_k + (api.LabelScore("other", 0.0),)
    first: api.LabelScore = prediction.top_k[0]
    if isinstance(prediction.top_k, api.RankedScores):
        kept: api.RankedScores = prediction.top_k[:2]
        print(kept.labels, kept.scores)
    return both + extra + (first,)


api.Prediction("a.png", "cat", 0.9, (api.LabelScore("cat", 0.9),))
api.Prediction("b.png", "dog", 0.8, api.RankedScores(("dog",), [0.8]))
