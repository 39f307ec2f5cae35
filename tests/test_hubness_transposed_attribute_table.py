"""`zsl hubness --attributes TABLE --truth` with a table written attributes x classes (xlsa17's
`att` as it is stored): its attribute names are measured as the classes, and no truth class is
among them. The refusal says why, with the line that transposes the table, as `zsl evaluate`
says it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import error_line, run

CLASSES = {"red circle": "red", "blue square": "blue", "green star": "green"}
WORDS = ["red", "blue", "green", "circle", "square", "star"]


def _shapes() -> None:
    """Two images of each class, in a folder per class (the truth), in the current folder."""
    for name, colour in CLASSES.items():
        Path("shapes", name).mkdir(parents=True)
        for index, size in enumerate((32, 40)):
            Image.new("RGB", (size, size), colour).save(Path("shapes", name, f"{index}.png"))


def _hubness(table: str) -> object:
    return run(
        "hubness", "shapes", "--attributes", table, "--truth", "shapes", "-m", "shapes-demo",
        "-k", "1", "--methods", "none",
    )  # fmt: skip


def test_a_transposed_attribute_table_is_told_with_a_line_that_transposes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _shapes()
    rows = [["class", *CLASSES]]
    rows += [[word, *("1" if word in name.split() else "0" for name in CLASSES)] for word in WORDS]
    Path("att.csv").write_text("\n".join(",".join(row) for row in rows) + "\n")

    refused = _hubness("att.csv")
    assert refused.exit_code == 2, refused.stderr
    message = error_line(refused.stderr)
    assert "no image of this run has a truth class in the class list" in message
    assert "the truth's classes are the attribute names of att.csv" in message, message
    assert message.endswith("and run zsl hubness again)"), message
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    written = command.rsplit("> ", 1)[1]

    measured = _hubness(written)
    assert measured.exit_code == 0, error_line(measured.stderr)


def test_a_table_of_other_attributes_gets_no_such_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _shapes()
    Path("att.csv").write_text("class,round,square\nsun,1,0\nbox,0,1\n")
    refused = _hubness("att.csv")
    assert refused.exit_code == 2, refused.stderr
    assert "attribute names" not in refused.stderr
