"""A CSV row is the header again (outputs joined with cat) only where all its cells are the
header's: the row of an image whose file name is 'path' is a prediction like any other."""

from __future__ import annotations

from pathlib import Path

from zsl_cli.readers import read_predictions
from zsl_cli.records import CSV_COLUMNS

HEADER = ",".join(CSV_COLUMNS)


def test_an_image_named_path_is_read_as_a_prediction(tmp_path: Path) -> None:
    output = tmp_path / "p.csv"
    rows = ["a.png,cat,0.75,cat|dog,0.75|0.25,ok,", "path,dog,0.6,dog|cat,0.6|0.4,ok,"]
    output.write_text("\n".join([HEADER, *rows]) + "\n")
    read = read_predictions(output)
    assert [(p.path, p.label) for p in read] == [("a.png", "cat"), ("path", "dog")]
