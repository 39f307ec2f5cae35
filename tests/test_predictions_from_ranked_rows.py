"""predict_ranked turns ranked rows into predictions, one row per ok item and in the items'
order: a failed item takes no row and keeps its status and error, with no label or score; a
row whose best score as written lies below the threshold is labelled "unknown" yet keeps its
best score and every alternative."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zsl_cli.encoders.base import ScoreHead
from zsl_cli.records import ImageItem, LabelScore
from zsl_cli.scoring import Decision, predict_ranked, ranked_rows

NAMES = ["cat", "dog", "fox"]


def _items() -> list[ImageItem]:
    pixels = np.zeros((1, 1, 3), dtype=np.uint8)
    return [
        ImageItem(0, Path("a.png"), pixels=pixels),
        ImageItem(1, Path("b.png"), status="truncated", error="cut short"),
        ImageItem(2, Path("c.png"), pixels=pixels),
        ImageItem(3, Path("d.png"), status="not_an_image", error="a text file"),
    ]


def test_failed_items_take_no_row_and_keep_their_place_status_and_error() -> None:
    sims = np.array([[0.1, 0.3, 0.2], [0.5, 0.1, 0.4]], dtype=np.float32)
    rows = ranked_rows(sims, ScoreHead("sigmoid", 10.0, -2.0), 2)
    got = list(predict_ranked(_items(), rows, NAMES, Decision(top_k=2)))
    assert [p.path for p in got] == ["a.png", "b.png", "c.png", "d.png"]
    assert [p.label for p in got] == ["dog", "", "cat", ""]
    assert [[choice.label for choice in p.top_k] for p in got] == [
        ["dog", "fox"],
        [],
        ["cat", "fox"],
        [],
    ]
    expected_a = 1 / (1 + np.exp(-(10.0 * 0.3 - 2.0)))
    assert got[0].score == got[0].top_k[0].score
    assert got[0].score == float(np.float32(expected_a))
    assert (got[1].status, got[1].error, got[1].score) == ("truncated", "cut short", None)
    assert (got[3].status, got[3].error, got[3].score) == ("not_an_image", "a text file", None)
    assert got[0].ok and got[2].ok and not got[1].ok and not got[3].ok


def test_a_best_score_below_the_threshold_is_unknown_but_keeps_its_score_and_ranking() -> None:
    sims = np.array([[0.1, 0.3, 0.2], [0.9, 0.1, 0.4]], dtype=np.float32)
    head = ScoreHead("sigmoid", 10.0, -5.0)
    # Row one's best: sigmoid(-2) = 0.119; row two's: sigmoid(4) = 0.982.
    rows = ranked_rows(sims, head, 0)
    items = [_items()[0], _items()[2]]
    got = list(predict_ranked(items, rows, NAMES, Decision(top_k=0, threshold=0.5)))
    assert [p.label for p in got] == ["unknown", "cat"]
    assert got[0].score is not None and 0.11 < got[0].score < 0.12
    assert [choice.label for choice in got[0].top_k] == ["dog", "fox", "cat"]
    assert got[0].top_k[0] == LabelScore("dog", got[0].score)
    assert got[1].score is not None and got[1].score > 0.98
