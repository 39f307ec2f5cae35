"""zsl_cli.records at its edges: a ranking stands for the tuple of LabelScore it holds (length
checks, equality, hash, iteration, pickling), and a prediction's plain values keep a zero score
and their order."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from zsl_cli.records import LabelScore, Prediction, RankedScores


def test_a_ranking_with_more_labels_than_scores_is_refused() -> None:
    with pytest.raises(ValueError, match="labels and scores differ in length"):
        RankedScores(("a", "b"), [0.5])


def test_a_ranking_hashes_as_the_tuple_it_stands_for() -> None:
    # Equal to the tuple, so a set or a dict of either finds the other.
    ranked = RankedScores(("a", "b"), [0.75, 0.25])
    as_tuple = (LabelScore("a", 0.75), LabelScore("b", 0.25))
    assert ranked == as_tuple and hash(ranked) == hash(as_tuple)
    assert ranked in {as_tuple} and as_tuple in {ranked}
    assert hash(ranked) != hash(RankedScores(("a", "b"), [0.75, 0.5]))


def test_a_ranking_is_not_equal_to_a_list_as_a_tuple_is_not() -> None:
    ranked = RankedScores(("a",), [0.5])
    choices = [LabelScore("a", 0.5)]
    assert (tuple(choices) == choices) is False
    assert ranked != choices and not ranked == choices  # noqa: SIM201


def test_iterating_a_ranking_gives_python_floats() -> None:
    ranked = RankedScores(("a", "b"), np.array([0.5, 0.25], dtype=np.float32))
    assert [type(choice.score) for choice in ranked] == [float, float]
    assert repr(ranked) == (
        "RankedScores((LabelScore(label='a', score=0.5), LabelScore(label='b', score=0.25)))"
    )


def test_a_ranking_keeps_each_python_float_exactly() -> None:
    # Held as float32, 0.1 would come back as 0.10000000149011612.
    ranked = RankedScores(("a", "b"), [0.1, 1 / 3])
    assert [choice.score for choice in ranked] == [0.1, 1 / 3]
    assert ranked[0].score == 0.1 and ranked[1:][0].score == 1 / 3


def test_a_ranking_of_a_ranking_is_itself() -> None:
    ranked = RankedScores(("a",), [0.5])
    assert RankedScores.of(ranked) is ranked
    made = RankedScores.of((LabelScore("a", 0.5),))
    assert isinstance(made, RankedScores) and made == ranked


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_pickled_ranking_comes_back_equal_and_read_only(protocol: int) -> None:
    ranked = RankedScores(("a", "b"), [0.75, 0.1])
    loaded = pickle.loads(pickle.dumps(ranked, protocol=protocol))
    assert type(loaded) is RankedScores and loaded == ranked
    assert loaded.scores.dtype == np.float64 and loaded.scores.tolist() == [0.75, 0.1]
    with pytest.raises(ValueError, match="read-only"):
        loaded.scores[0] = 1.0


def test_a_prediction_scored_zero_keeps_its_score() -> None:
    ranked = RankedScores(("cat", "dog"), [0.0, -0.25])
    record = Prediction("a.png", "cat", 0.0, ranked).as_dict()
    assert record["score"] == 0.0 and type(record["score"]) is float
    assert record["top_k"] == [{"label": "cat", "score": 0.0}, {"label": "dog", "score": -0.25}]


def test_a_prediction_as_a_dict_keeps_its_fields_in_the_order_of_a_jsonl_record() -> None:
    record = Prediction("a.png", "", None, status="truncated", error="cut short").as_dict()
    assert list(record) == ["path", "label", "score", "top_k", "status", "error"]
    assert json.dumps(record) == (
        '{"path": "a.png", "label": "", "score": null, "top_k": [], "status": "truncated", '
        '"error": "cut short"}'
    )


def test_only_a_prediction_of_status_ok_is_ok() -> None:
    assert Prediction("a.png", "cat", 0.5).ok
    for status in ("truncated", "encode_error", "not_embedded", "failed"):
        assert not Prediction("a.png", "", None, status=status, error="x").ok
