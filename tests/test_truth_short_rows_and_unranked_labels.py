"""A truth CSV's row shorter than its path column is refused at its line (not a crash looking
for the header again); a predicted label with no ranking beside it (a file whose top_k was
dropped) is not called edited, as nothing tells whether the run offered it."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def test_a_row_short_of_the_path_column_is_refused_at_its_line(tmp_path):
    csv_path = tmp_path / "truth.csv"
    csv_path.write_text("label,path\ncat,a.jpg\ndog\n")
    with pytest.raises(ZslError) as refused:
        load_truth(csv_path)
    assert refused.value.message == f"{csv_path}, line 3: expected the columns path,label"


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded here")
    return path


def test_a_label_without_a_ranking_is_not_called_edited(tmp_path):
    a, b = _touch(tmp_path / "t" / "cat" / "a.jpg"), _touch(tmp_path / "t" / "dog" / "b.jpg")
    truth = load_truth(tmp_path / "t")
    unranked = [Prediction(str(a), "zebra", 0.9), Prediction(str(b), "dog", 0.8)]
    result = evaluate(unranked, truth, ks=(1,))
    assert not [warning for warning in result.warnings if "edited since" in warning]
    # With a ranking, a label none ranks and no truth class is is one typed since.
    ranked = [
        Prediction(str(a), "zebra", 0.9, (LabelScore("cat", 0.9),)),
        Prediction(str(b), "dog", 0.8, (LabelScore("dog", 0.8),)),
    ]
    result = evaluate(ranked, truth, ks=(1,))
    edited = [warning for warning in result.warnings if "edited since" in warning]
    assert edited and edited[0].startswith(
        "1 image has a label that is neither a truth class nor ranked for any image (edited "
        "since?), scored as written: 'zebra'"
    )
