"""A path read from a list (stdin, `-0`, a pasted or indented list) that is not found because of
white space at its start or end: blanks that no message shows, so the reason says they are there.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import SHAPE_CLASSES, failure_of, write_images
from zsl_cli.cli import app


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("  a.png", "file not found (its name starts with white space)"),
        ("\ta.png", "file not found (its name starts with white space)"),
        ("a.png ", "file not found (its name ends in white space)"),
        (" a.png ", "file not found (its name starts and ends with white space)"),
        ("b.png", "file not found"),
    ],
)
def test_a_missing_path_says_where_its_blanks_are(tmp_path, monkeypatch, name, reason):
    write_images(tmp_path, 1)
    (tmp_path / "img_000.png").rename(tmp_path / "a.png")
    monkeypatch.chdir(tmp_path)
    error = failure_of(Path(name))
    assert error.status == "not_found"
    assert error.reason == reason


def test_an_indented_path_list_on_stdin_is_told_of_its_leading_blanks(tmp_path, monkeypatch):
    # `ls -1` in columns, or a pasted list: the indented path failed with a bare "file not found".
    write_images(tmp_path / "odd", 2)
    (tmp_path / "classes.txt").write_text("\n".join(SHAPE_CLASSES) + "\n")
    monkeypatch.chdir(tmp_path)
    listed = "odd/img_000.png \n  odd/img_001.png\n"
    result = CliRunner().invoke(
        app, ["label", "-", "-c", "classes.txt", "-m", "shapes-demo", "-q"], input=listed
    )
    assert result.exit_code == 1, result.stderr
    rows = {row["path"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["  odd/img_001.png"]["error"] == "file not found (its name starts with white space)"
    assert rows["odd/img_000.png "]["error"] == "file not found (its name ends in white space)"
