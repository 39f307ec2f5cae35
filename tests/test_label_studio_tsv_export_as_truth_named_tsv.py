"""A Label Studio project's TSV export given as --truth is named a TSV export in the hint that
sends it to the JSON export, whichever column (the image's or the label's) it lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import _truth_from_csv

HINT = (
    "(a Label Studio TSV export: export the project as JSON or JSON_MIN and give that as --truth)"
)


@pytest.mark.parametrize(
    "columns",
    [
        ["annotation_id", "annotator", "choice", "id", "img"],  # no path column
        ["annotation_id", "annotator", "choice", "id", "path"],  # no label column
    ],
    ids=["no-path", "no-label"],
)
def test_a_tsv_export_is_named_so(tmp_path: Path, columns: list[str]) -> None:
    path = tmp_path / "export.tsv"
    row = ["1", "1", "cat", "1", "photos/a.png"]
    path.write_text("\t".join(columns) + "\n" + "\t".join(row) + "\n", encoding="utf-8")
    with pytest.raises(ZslError) as error:
        _truth_from_csv(str(path))
    assert str(error.value).endswith(HINT), str(error.value)
