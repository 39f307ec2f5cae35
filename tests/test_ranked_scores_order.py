"""A prediction's `top_k` orders as the tuple of LabelScore it stands for (the README: it
"compares ... as a tuple does"), against another ranking, a tuple, or a failed image's ():
sorted() and min() over rankings failed with a TypeError."""

from __future__ import annotations

import itertools
import operator

import pytest

from zsl_cli.records import LabelScore, RankedScores

RANKINGS = [
    (LabelScore("cat", 0.9), LabelScore("dog", 0.1)),
    (LabelScore("cat", 0.9), LabelScore("dog", 0.2)),
    (LabelScore("cat", 0.9),),
    (LabelScore("dog", 0.5), LabelScore("cat", 0.5)),
    (LabelScore("ant", 1.0), LabelScore("cat", 0.0), LabelScore("dog", 0.0)),
    (),
]
ORDERS = [operator.lt, operator.le, operator.gt, operator.ge]


@pytest.mark.parametrize("order", ORDERS, ids=lambda order: order.__name__)
def test_rankings_order_as_their_tuples_whichever_side_is_a_tuple(order) -> None:
    for one, other in itertools.product(RANKINGS, repeat=2):
        expected = order(one, other)
        assert order(RankedScores.of(one), RankedScores.of(other)) is expected, (one, other)
        assert order(RankedScores.of(one), other) is expected, (one, other)
        assert order(one, RankedScores.of(other)) is expected, (one, other)


def test_sorted_and_min_take_rankings_and_a_failed_image_s_empty_tuple() -> None:
    # A failed image's top_k is a real (), beside the others' RankedScores.
    top_ks = [RankedScores.of(ranking) if ranking else () for ranking in RANKINGS]
    assert [tuple(top_k) for top_k in sorted(top_ks)] == sorted(RANKINGS)
    assert min(top_ks) == ()
    assert max(top_ks) == max(RANKINGS)


def test_a_ranking_with_a_nan_score_orders_as_equal_to_itself() -> None:
    ranking = RankedScores(("cat",), [float("nan")])
    assert ranking <= ranking and ranking >= ranking
    assert not ranking < ranking and not ranking > ranking


@pytest.mark.parametrize("other", [[LabelScore("cat", 0.9)], "cat", 1])
def test_a_ranking_does_not_order_against_what_a_tuple_does_not(other: object) -> None:
    ranking = RankedScores.of((LabelScore("cat", 0.9),))
    with pytest.raises(TypeError):
        (LabelScore("cat", 0.9),) < other  # type: ignore[operator]  # noqa: B015
    with pytest.raises(TypeError):
        ranking < other  # type: ignore[operator]  # noqa: B015
