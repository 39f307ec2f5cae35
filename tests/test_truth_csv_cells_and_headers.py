"""A truth CSV's rows as read: cells of white space past the header's are empty cells, and a
row is the header again only where its path cell names a path column, not where an image's
label is a word a label column goes by."""

from __future__ import annotations

from pathlib import Path

from zsl_cli.evaluation import load_truth


def _truth(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_cells_of_white_space_past_the_header_are_empty_cells(tmp_path):
    # A tab is no space the reader skips after a comma: still white space, as a spreadsheet pads.
    truth = load_truth(_truth(tmp_path / "t.csv", "path,label\ncat/a.jpg,cat,\t\ndog/b.jpg,dog\n"))
    assert [(item.shown, item.label) for item in truth.items] == [
        ("cat/a.jpg", "cat"),
        ("dog/b.jpg", "dog"),
    ]


def test_an_image_labelled_with_a_label_columns_name_is_a_row(tmp_path):
    text = "path,label\ncat/a.jpg,category\ndog/b.jpg,dog\nfilename,class\nc.jpg,cat\n"
    truth = load_truth(_truth(tmp_path / "t.csv", text))
    # filename,class is the header again (two files joined); cat/a.jpg,category an image.
    assert [(item.shown, item.label) for item in truth.items] == [
        ("cat/a.jpg", "category"),
        ("dog/b.jpg", "dog"),
        ("c.jpg", "cat"),
    ]
    assert truth.classes == ("cat", "category", "dog")
