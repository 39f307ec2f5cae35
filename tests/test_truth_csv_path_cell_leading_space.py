"""A truth CSV's path cell that starts with a space names the file so named where there is one:
zsl, Python's csv.writer and pandas write ` lead.png` unquoted, and the truth reader, which skips
the space after a comma (`a.jpg, "cat, siamese"`), dropped it, so that image went unpaired."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.evaluation_helpers import labelled_run
from tests.helpers import run
from zsl_cli.evaluation import load_truth


def folder_with_a_leading_space(tmp_path: Path) -> tuple[Path, Path]:
    """Images ` lead.png` (cat) and `mid.png` (dog), and predictions naming them as a run made
    from inside their folder does."""
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / " lead.png").write_bytes(b"lead")
    (folder / "mid.png").write_bytes(b"mid")
    predictions = labelled_run(
        folder / "p.jsonl", [(Path(" lead.png"), "cat"), (Path("mid.png"), "dog")], ["cat", "dog"]
    )
    return folder, predictions


def evaluated(predictions: Path, truth: Path) -> dict:
    result = run("evaluate", predictions, "--truth", truth, "--json", "-")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_path_cell_written_unquoted_with_a_leading_space_names_that_file(tmp_path):
    folder, predictions = folder_with_a_leading_space(tmp_path)
    truth = folder / "truth.csv"
    with open(truth, "w", newline="") as handle:  # as csv.writer and pandas write it: unquoted
        csv.writer(handle).writerows([["path", "label"], [" lead.png", "cat"], ["mid.png", "dog"]])
    assert truth.read_text().splitlines()[1] == " lead.png,cat"
    assert [item.shown for item in load_truth(truth).items] == [" lead.png", "mid.png"]
    data = evaluated(predictions, truth)
    assert data["n"] == 2
    assert data["unmatched"]["predictions"]["count"] == data["unmatched"]["truth"]["count"] == 0


def test_the_leading_space_is_kept_in_any_column_and_before_a_quoted_label(tmp_path):
    folder, predictions = folder_with_a_leading_space(tmp_path)
    truth = folder / "truth.csv"
    # The label first, a space after each comma, and a quoted label after a space: still read.
    truth.write_text('label, path\ncat, lead.png\n"dog", mid.png\n')
    assert [(i.shown, i.label) for i in load_truth(truth).items] == [
        (" lead.png", "cat"),
        ("mid.png", "dog"),
    ]
    truth.write_text('path,label\n lead.png, "cat, tabby"\nmid.png, "dog"\n')
    assert [(i.shown, i.label) for i in load_truth(truth).items] == [
        (" lead.png", "cat, tabby"),
        ("mid.png", "dog"),
    ]


def test_a_space_before_a_name_no_file_has_is_still_padding(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"a")
    truth = folder / "truth.csv"
    truth.write_text("path, label\n a.png, cat\n b.png, dog\n")
    assert [(i.shown, i.label) for i in load_truth(truth).items] == [
        ("a.png", "cat"),
        ("b.png", "dog"),
    ]
