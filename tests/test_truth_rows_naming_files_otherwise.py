"""A truth CSV's row left unpaired is another spelling of a paired prediction's file only where
it names no file from the CSV's own folder: a row whose path, read from there, is a file is
that file, another image, whatever the same text names from the current folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth, match_paths


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded here")
    return path


def _truth(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("path,label\n" + "".join(f"{p},{label}\n" for p, label in rows))
    return path


def test_a_row_naming_a_file_of_the_csvs_folder_is_that_image(tmp_path, monkeypatch):
    predicted = _touch(tmp_path / "photos/cat/a.png")
    monkeypatch.chdir(tmp_path)
    csv_path = tmp_path / "t" / "truth.csv"
    rows = [(str(predicted), "cat"), ("photos/cat/a.png", "dog")]
    # From the current folder, the second row names the predicted file again: refused.
    with pytest.raises(ZslError) as refused:
        match_paths([str(predicted)], load_truth(_truth(csv_path, rows)))
    # The predicted image is the first row's path as written: named once.
    assert str(refused.value) == (
        f"{csv_path}, line 3: 'photos/cat/a.png' names the image of line 2 ('{predicted}'), "
        "labelled 'dog' here and 'cat' there; keep one label per image"
    )
    # The CSV's folder holds a file of that path: the row is that image, left without prediction.
    _touch(tmp_path / "t/photos/cat/a.png")
    matching = match_paths([str(predicted)], load_truth(_truth(csv_path, rows)))
    assert matching.pairs == ((0, 0),)
    assert matching.unmatched.truth == 1
    assert matching.unmatched.truth_examples == ("photos/cat/a.png",)
