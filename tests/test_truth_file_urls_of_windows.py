"""A truth CSV's file URL of a Windows path (file:///C:/Users/...) names that path, C:/Users/...,
the one image a row of C:\\Users\\... names too."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth


def test_a_file_url_of_a_windows_drive_names_the_drives_path(tmp_path):
    csv_path = tmp_path / "truth.csv"
    csv_path.write_text("path,label\nfile:///C:/Users/alice/a.jpg,cat\n")
    item = load_truth(csv_path).items[0]
    assert (item.shown, item.relative) == ("C:/Users/alice/a.jpg", ())
    csv_path.write_text(
        "path,label\nfile:///C:/Users/alice/a.jpg,cat\nC:\\Users\\alice\\a.jpg,dog\n"
    )
    with pytest.raises(ZslError) as refused:
        load_truth(csv_path)
    assert refused.value.message.startswith(f"{csv_path}, line 3: C:\\Users\\alice\\a.jpg names ")
    assert "labelled 'dog' here and 'cat' there; keep one label per image" in (
        refused.value.message
    )
