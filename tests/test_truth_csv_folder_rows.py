"""A truth CSV's row that names a folder is refused with the --truth to give instead, typed from
the current folder where the folder of class folders is below it, else in full."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth


def test_the_truth_folder_to_give_is_named_from_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "data" / "photos" / "circle").mkdir(parents=True)
    csv_path = tmp_path / "truth.csv"
    csv_path.write_text("path,label\ndata/photos/circle,circle\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as refused:
        load_truth(csv_path)
    assert refused.value.message == (
        f"{csv_path}, line 2: data/photos/circle is a folder: give a row per image, or --truth "
        "data/photos, a folder of class sub-folders"
    )
    # From a folder beside it, the path in full (../data/photos reads worse than it is).
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(ZslError) as refused:
        load_truth(csv_path)
    assert refused.value.message.endswith(
        f"give a row per image, or --truth {tmp_path / 'data' / 'photos'}, a folder of class "
        "sub-folders"
    )
