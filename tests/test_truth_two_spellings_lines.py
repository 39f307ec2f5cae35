"""A truth CSV's two rows that name one predicted image in two spellings with two labels are
refused naming both lines, as every other refusal of a truth CSV's rows names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth, match_paths


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded here")
    return path


def test_two_spellings_of_one_image_are_refused_at_their_lines(tmp_path, monkeypatch):
    a = _touch(tmp_path / "photos/cat/a.png")
    _touch(tmp_path / "photos/dog/b.png")
    monkeypatch.chdir(tmp_path)
    csv_path = tmp_path / "t" / "truth.csv"
    csv_path.parent.mkdir()
    # Line 2 from the current folder, line 4 absolute: one file.
    csv_path.write_text(f"path,label\nphotos/cat/a.png,cat\nphotos/dog/b.png,dog\n{a},dog\n")
    with pytest.raises(ZslError) as refused:
        match_paths([str(a)], load_truth(csv_path))
    assert refused.value.message == (
        f"{csv_path}, line 4: '{a}' names the image of line 2 ('photos/cat/a.png'), "
        "labelled 'dog' here and 'cat' there; keep one label per image"
    )
    # A bare name first, beside the row that names the file by its own path.
    csv_path = tmp_path / "truth.csv"
    csv_path.write_text("path,label\na.png,dog\nphotos/cat/a.png,cat\n")
    with pytest.raises(ZslError) as refused:
        match_paths(["photos/cat/a.png"], load_truth(csv_path))
    assert refused.value.message == (
        f"{csv_path}, line 3: 'photos/cat/a.png' names the image of line 2 ('a.png'), "
        "labelled 'cat' here and 'dog' there; keep one label per image"
    )
    # Predicted in a third spelling: the image is named too.
    with pytest.raises(ZslError) as refused:
        match_paths([str(tmp_path / "photos/cat/a.png")], load_truth(csv_path))
    assert refused.value.message == (
        f"{csv_path}, line 3: 'photos/cat/a.png' names the image of line 2 ('a.png'), "
        f"predicted as '{tmp_path / 'photos/cat/a.png'}', labelled 'cat' here and 'dog' there; "
        "keep one label per image"
    )
    # A row spelling it as the predictions do but for a leading ./: not named again.
    csv_path.write_text("path,label\na.png,dog\n./photos/cat/a.png,cat\n")
    with pytest.raises(ZslError) as refused:
        match_paths(["photos/cat/a.png"], load_truth(csv_path))
    assert refused.value.message == (
        f"{csv_path}, line 3: './photos/cat/a.png' names the image of line 2 ('a.png'), "
        "labelled 'cat' here and 'dog' there; keep one label per image"
    )
