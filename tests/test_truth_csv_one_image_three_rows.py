"""A truth CSV's rows naming one image are each checked against the image's first row, however
the rows between spell it: the second spelling of a file (`cat\\a.png` then `cat/a.png`), and
a Windows share written with '/' or '\\'."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth


def _truth(path: Path, rows: list[str]) -> Path:
    path.write_text("path,label\n" + "".join(f"{row}\n" for row in rows))
    return path


def test_a_third_row_of_an_image_is_checked_against_its_first(tmp_path):
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "a.png").write_bytes(b"not decoded here")
    rows = ["cat\\a.png,cat", "dog/b.png,dog", "cat/a.png,cat", "./cat/a.png,cat"]
    truth = load_truth(_truth(tmp_path / "truth.csv", rows))
    # One image, at the path of the file there is, and its first line.
    assert [(item.path, item.label, item.line) for item in truth.items] == [
        (str(tmp_path / "cat" / "a.png"), "cat", 2),
        (str(tmp_path / "dog" / "b.png"), "dog", 3),
    ]
    with pytest.raises(ZslError) as refused:
        load_truth(_truth(tmp_path / "truth.csv", [*rows[:3], "./cat/a.png,dog"]))
    assert refused.value.message.startswith(
        f"{tmp_path / 'truth.csv'}, line 5: ./cat/a.png names the image of line 2 (cat\\a.png), "
        "labelled 'dog' here and 'cat' there"
    )


@pytest.mark.parametrize(
    "rows",
    [
        ["\\\\nas\\share\\photos\\a.png,cat", "//nas/share/photos/a.png,dog"],
        ["//NAS/share/photos/a.png,cat", "//nas/share/photos/a.png,dog"],
    ],
)
def test_a_windows_share_written_with_either_slash_is_one_image(tmp_path, rows):
    with pytest.raises(ZslError) as refused:
        load_truth(_truth(tmp_path / "truth.csv", rows))
    assert refused.value.message.startswith(f"{tmp_path / 'truth.csv'}, line 3: ")
    assert "keep one label per image" in refused.value.message
