"""The records' own behaviour, word for word and value for value: why an embedding is unusable
and what to do, which rows are usable, scores as written, rankings held compactly, and a
prediction as plain values."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from zsl_cli.records import (
    EXTENSION_FORMATS,
    STORE_BEHIND_STATUSES,
    LabelScore,
    Prediction,
    RankedScores,
    encode_error_reason,
    unusable_embedding_cause,
    usable_rows,
    written_score,
)


@pytest.mark.parametrize(
    ("precision", "zero", "cause"),
    [
        ("float16", False, "not finite: an overflow in fp16; --precision fp32 or bf16 avoids it"),
        ("float16", True, "all zero: an underflow in fp16; --precision fp32 or bf16 avoids it"),
        ("bfloat16", False, "not finite: an overflow in bf16; --precision fp32 avoids it"),
        ("bfloat16", True, "all zero: an underflow in bf16; --precision fp32 avoids it"),
        (
            "float32",
            False,
            "not finite: the model's weights give NaN or infinite embeddings (are they damaged?)",
        ),
        ("float32", True, "all zero: the model's weights give zero embeddings (are they damaged?)"),
        (None, False, "not finite"),
        (None, True, "all zero"),
        ("float64", True, "all zero"),
    ],
)
def test_an_unusable_embedding_is_explained_by_the_precision_it_was_made_in(
    precision: str | None, zero: bool, cause: str
) -> None:
    assert unusable_embedding_cause(precision, zero) == cause


def test_an_encode_error_in_a_store_of_half_precision_asks_for_a_new_store() -> None:
    start = "the model's embedding of this image is "
    assert encode_error_reason("bfloat16", False, store=True) == (
        f"{start}not finite: an overflow in bf16; --precision fp32 avoids it, in a new store "
        "(this one keeps the model's bf16 embeddings)"
    )
    assert encode_error_reason("float16", True, store=True) == (
        f"{start}all zero: an underflow in fp16; --precision fp32 or bf16 avoids it, in a new "
        "store (this one keeps the model's fp16 embeddings)"
    )
    # Not labelling into a store, or a store of fp32: another precision is all it takes.
    assert encode_error_reason("bfloat16", False) == (
        f"{start}not finite: an overflow in bf16; --precision fp32 avoids it"
    )
    assert encode_error_reason("float32", True, store=True) == (
        f"{start}all zero: the model's weights give zero embeddings (are they damaged?)"
    )


def test_usable_rows_are_finite_and_not_all_zero() -> None:
    rows = np.array(
        [[0.6, 0.8], [0.0, 0.0], [np.nan, 1.0], [np.inf, 0.0], [-0.0, 1e-30]], dtype=np.float32
    )
    usable, finite = usable_rows(rows)
    assert usable.tolist() == [True, False, False, False, True]
    assert finite.tolist() == [True, True, False, False, True]


def test_scores_are_written_to_seven_significant_digits() -> None:
    assert written_score(0.123456789) == 0.1234568
    assert written_score(np.float32(1 / 3)) == 0.3333333
    assert written_score(1.401298e-45) == 1.401298e-45
    assert written_score(123456789.0) == 123456800.0


def test_store_behind_statuses_and_extensions() -> None:
    assert STORE_BEHIND_STATUSES == ("changed", "not_embedded")  # in name order
    assert EXTENSION_FORMATS == {
        ".csv": "csv",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "json",
    }


def test_a_ranking_needs_a_score_for_each_label() -> None:
    with pytest.raises(ValueError, match="labels and scores differ in length"):
        RankedScores(("a",), [0.5, 0.25])


def test_a_ranking_keeps_its_scores_whatever_the_caller_does_with_its_array() -> None:
    given = np.array([0.75, 0.25])
    ranked = RankedScores(("a", "b"), given)
    given[0] = 9.0
    assert ranked == (LabelScore("a", 0.75), LabelScore("b", 0.25))
    assert given.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        ranked.scores[0] = 1.0


def test_a_ranking_joins_tuples_on_either_side_in_order() -> None:
    ranked = RankedScores(("a",), [0.5])
    before, after = (LabelScore("x", 1.0),), (LabelScore("y", 0.0),)
    assert before + ranked == (LabelScore("x", 1.0), LabelScore("a", 0.5))
    assert ranked + after == (LabelScore("a", 0.5), LabelScore("y", 0.0))
    with pytest.raises(TypeError):
        ranked + [LabelScore("y", 0.0)]  # type: ignore[operator]


def test_a_ranking_with_a_nan_score_equals_itself_only_and_hashes_alike() -> None:
    ranked = RankedScores(("a", "b"), [math.nan, 0.5])
    assert ranked == ranked and ranked in {ranked}
    assert hash(ranked) == hash(ranked) == hash(("a", "b"))
    assert ranked != RankedScores(("a", "b"), [math.nan, 0.5])
    assert ranked[0].label == "a" and math.isnan(ranked[0].score)
    assert type(ranked[1].score) is float and type(ranked[-1:][0].score) is float


def test_a_prediction_as_a_dict_holds_plain_floats() -> None:
    ranked = RankedScores(("cat", "dog"), np.array([0.75, 0.25], dtype=np.float32))
    prediction = Prediction("a.png", "cat", np.float32(0.75), ranked)  # type: ignore[arg-type]
    record = prediction.as_dict()
    assert record == {
        "path": "a.png",
        "label": "cat",
        "score": 0.75,
        "top_k": [{"label": "cat", "score": 0.75}, {"label": "dog", "score": 0.25}],
        "status": "ok",
        "error": "",
    }
    assert type(record["score"]) is float
    assert all(type(choice["score"]) is float for choice in record["top_k"])
    assert json.loads(json.dumps(record)) == record
    numpy_scores = (LabelScore("cat", np.float32(0.75)),)  # type: ignore[arg-type]
    record = Prediction("a.png", "cat", None, numpy_scores).as_dict()
    assert record["score"] is None and type(record["top_k"][0]["score"]) is float
