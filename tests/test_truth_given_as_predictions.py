"""A table of images and labels given where the predictions go (the two files of `zsl evaluate`
swapped) is told to be ground truth, its header read as evaluate reads a truth's ('File-Name' is
file_name); a table naming no image column is not."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import header_name, read_predictions
from zsl_cli.records import CSV_COLUMNS

HINT = (
    " (it has no score, ranking or status: ground truth? give that as --truth, and first the "
    "predictions 'zsl label' wrote)"
)


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("File-Name,Label", HINT),
        (" Image Path ,class", HINT),
        ("path,label,score", ""),
        ("name,label", ""),
    ],
)
def test_a_truth_table_given_as_predictions_is_named_as_one(tmp_path, header, hint):
    output = tmp_path / "p.csv"
    output.write_text(f"{header}\na.png,cat,0.5\n")
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    assert str(refused.value) == (
        f"'{output}' is not a zsl predictions CSV: the header must hold the columns "
        f"{','.join(CSV_COLUMNS)}{hint}"
    )


@pytest.mark.parametrize(
    ("cell", "name"),
    [("File-Name", "file_name"), (" Image  Path ", "image_path"), ("LABEL", "label")],
)
def test_header_cells_read_as_the_truths_column_names(cell, name):
    assert header_name(cell) == name
