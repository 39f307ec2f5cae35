"""The check for outputs of several runs joined (`_OneRun`): a ranking counts the classes it
names as the metrics do (an empty label cell or 'unknown' ranks none, and a ranking of none is
compared with nothing), and one whose scores sum to no number (NaN, inf and -inf) tells nothing,
said without a numpy warning."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions
from zsl_cli.records import CSV_COLUMNS


def _jsonl(path: Path, rankings: list[list[tuple[str, float]]]) -> None:
    lines = []
    for number, ranking in enumerate(rankings):
        top_k = [{"label": label, "score": score} for label, score in ranking]
        record = {
            "path": f"{number}.png",
            "label": ranking[0][0],
            "score": ranking[0][1],
            "top_k": top_k,
            "status": "ok",
        }
        lines.append(json.dumps(record) + "\n")
    path.write_text("".join(lines))


def _csv(path: Path, rankings: list[list[tuple[str, float]]]) -> None:
    rows = [",".join(CSV_COLUMNS)]
    for number, ranking in enumerate(rankings):
        labels = "|".join(label for label, _ in ranking)
        scores = "|".join(str(score) for _, score in ranking)
        rows.append(f"{number}.png,{ranking[0][0]},{ranking[0][1]},{labels},{scores},ok,")
    path.write_text("\n".join(rows) + "\n")


WHOLE = [("cat", 0.5), ("dog", 0.5)]


@pytest.mark.parametrize("write", [_jsonl, _csv])
def test_an_empty_label_in_a_ranking_ranks_no_class(tmp_path: Path, write) -> None:
    # Two classes ranked and an emptied third cell: as many classes as the whole ranking holds.
    path = tmp_path / ("p.jsonl" if write is _jsonl else "p.csv")
    write(path, [WHOLE, [("dog", 0.5), ("", 0.25), ("cat", 0.25)]])
    assert [p.path for p in read_predictions(path)] == ["0.png", "1.png"]


@pytest.mark.parametrize("write", [_jsonl, _csv])
def test_a_third_named_class_beside_an_empty_cell_is_refused(tmp_path: Path, write) -> None:
    path = tmp_path / ("p.jsonl" if write is _jsonl else "p.csv")
    write(path, [WHOLE, [("dog", 0.5), ("", 0.2), ("cat", 0.2), ("fox", 0.1)]])
    line = 2 if write is _jsonl else 3
    with pytest.raises(ZslError, match=f": line {line}: ranks 3 classes where line {line - 1} "):
        read_predictions(path)


@pytest.mark.parametrize("write", [_jsonl, _csv])
def test_a_ranking_of_no_named_class_is_read_beside_whole_ones(tmp_path: Path, write) -> None:
    # An edited row whose ranking holds only 'unknown' and an empty cell ranks no class: it is
    # no shorter whole ranking than the others'.
    path = tmp_path / ("p.jsonl" if write is _jsonl else "p.csv")
    write(path, [WHOLE, [("unknown", 0.75), ("", 0.25)], WHOLE])
    assert [p.path for p in read_predictions(path)] == ["0.png", "1.png", "2.png"]


def test_a_ranking_whose_scores_are_no_numbers_tells_nothing(tmp_path: Path) -> None:
    # NaN scores sum to NaN, which is no softmax's sum: the row ranks more classes than the
    # whole ranking before it, and is read all the same.
    path = tmp_path / "p.jsonl"
    _jsonl(path, [WHOLE, [("cat", float("nan")), ("dog", 0.25), ("fox", 0.25)]])
    assert [p.path for p in read_predictions(path)] == ["0.png", "1.png"]


def test_a_ranking_of_infinite_scores_is_read_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    _jsonl(path, [WHOLE, [("cat", float("inf")), ("dog", float("-inf")), ("fox", 0.0)]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [p.path for p in read_predictions(path)] == ["0.png", "1.png"]
