"""A truth CSV's lines as read: a line of white space is no row, a header of a path and one
other column split by ';' is not taken for a ';'-separated table (a one-hot table has two
classes or more), and Label Studio's local-file URL reads '+' as a space, as its server does."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth


def _truth(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_line_of_white_space_is_no_row(tmp_path):
    truth = load_truth(_truth(tmp_path / "t.csv", "path,label\na.jpg,cat\n   \t\nb.jpg,dog\n"))
    assert [(item.shown, item.label, item.line) for item in truth.items] == [
        ("a.jpg", "cat", 2),
        ("b.jpg", "dog", 4),
    ]


def test_a_path_and_one_other_column_split_by_semicolon_are_named_as_read(tmp_path):
    path = _truth(tmp_path / "t.csv", "path;x\na.jpg;cat\n")
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    assert refused.value.message.endswith(
        "(found: path;x) (its columns, path, x, are read: name them as above)"
    )


def test_a_label_studio_local_file_reads_plus_as_a_space(tmp_path):
    text = "path,label\n/data/local-files/?d=photos/a+b%2Bc.jpg,cat\n"
    truth = load_truth(_truth(tmp_path / "t.csv", text))
    assert truth.items[0].shown == "photos/a b+c.jpg"
    assert truth.items[0].relative == ("photos", "a b+c.jpg")
