"""Paths that name one image twice are refused in the words of the command that gave them:
evaluate's predictions file and its numbered predictions, or hubness's images (match_paths
without a predictions file), which come from no predictions file."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth, match_paths


@pytest.fixture
def truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("cat/a.png", "dog/b.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"not decoded here")
    monkeypatch.chdir(tmp_path)
    return load_truth(tmp_path)


def test_images_given_twice_are_named_as_images_not_predictions(truth):
    with pytest.raises(ZslError) as refused:
        match_paths(["cat/a.png", "dog/b.png", "./cat/a.png"], truth)
    assert refused.value.message == (
        "'cat/a.png' is among the images twice (images 1 and 3, the second as './cat/a.png'); "
        "give each image once"
    )
    with pytest.raises(ZslError) as refused:
        match_paths(["dog/b.png", "dog/b.png"], truth)
    assert refused.value.message == (
        "'dog/b.png' is among the images twice (images 1 and 2); give each image once"
    )


def test_predictions_listed_twice_still_name_their_file(truth):
    with pytest.raises(ZslError) as refused:
        match_paths(["cat/a.png", "./cat/a.png"], truth, source="p.csv")
    assert refused.value.message == (
        "p.csv: 'cat/a.png' is listed twice (predictions 1 and 2, the second as "
        "'./cat/a.png'); evaluate the output of a single run"
    )
