"""A truth CSV's row of an image nobody labelled (an empty label cell, as annotation tools and
spreadsheets export it) is refused saying what to do: label it, or leave such rows out, with a
grep line that does, run here."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth


@pytest.mark.parametrize(
    ("delimiter", "line_end", "empty"),
    [(",", "\n", ""), (",", "\r\n", ""), (";", "\n", " "), (",", "\n", "\t")],
)
def test_an_empty_label_is_refused_with_a_line_that_leaves_its_rows_out(
    tmp_path, monkeypatch, delimiter, line_end, empty
):
    monkeypatch.chdir(tmp_path)
    rows = ["path", "label"], ["a.png", "cat"], ["b.png", empty], ["c.png", "dog"]
    Path("t.csv").write_text(line_end.join(delimiter.join(row) for row in rows) + line_end)
    with pytest.raises(ZslError) as refused:
        load_truth("t.csv")
    message = refused.value.message
    assert message.startswith("t.csv, line 3: the label is empty: write the image's class, or ")
    command = message.split("`")[1]
    subprocess.run(command, shell=True, check=True)
    written = command.rsplit("> ", 1)[1]
    labels = [(item.shown, item.label) for item in load_truth(written).items]
    assert labels == [("a.png", "cat"), ("c.png", "dog")]


def test_an_empty_label_before_other_columns_says_what_to_do_without_a_line(tmp_path):
    (tmp_path / "t.csv").write_text("path,label,note\na.png,cat,x\nb.png,,y\n")
    with pytest.raises(ZslError) as refused:
        load_truth(tmp_path / "t.csv")
    assert refused.value.message.endswith(
        "line 3: the label is empty: write the image's class, or leave out the rows of images "
        "nobody labelled"
    )


def test_an_empty_path_says_what_to_do(tmp_path):
    (tmp_path / "t.csv").write_text("path,label\na.png,cat\n,dog\n")
    with pytest.raises(ZslError) as refused:
        load_truth(tmp_path / "t.csv")
    assert refused.value.message.endswith(
        "line 3: the path is empty: write the image's path, or leave the row out"
    )
