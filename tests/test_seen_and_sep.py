"""The seen classes of `zsl evaluate` and `zsl hubness`: a seen name that is a class's written
otherwise is refused, and HubnessRequest takes the names as EvaluateRequest does; and Excel's
separator line quoted (`"sep=;"`) in class files as in truth CSVs. Real files, written here; the
CLI through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_label_cli import write_images
from zsl_cli.classes import load_class_spec
from zsl_cli.cli import app
from zsl_cli.formatting import excel_delimiter
from zsl_cli.readers import run_info_file

# Each image's true class and the classes its prediction ranks, best first. Two seen classes and
# one unseen: each side has a right and a wrong image, so a split that moved a class to the other
# side changes the numbers.
IMAGES = {
    "red square/1.jpg": ("red square", ["red square", "blue circle", "green star"]),
    "red square/2.jpg": ("red square", ["blue circle", "red square", "green star"]),
    "blue circle/1.jpg": ("blue circle", ["blue circle", "red square", "green star"]),
    "green star/1.jpg": ("green star", ["green star", "red square", "blue circle"]),
    "green star/2.jpg": ("green star", ["red square", "green star", "blue circle"]),
}
CLASSES = ["red square", "blue circle", "green star"]


def run(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture()
def image_folder(tmp_path: Path) -> Path:
    root = tmp_path / "set"
    for index, name in enumerate(CLASSES):
        write_images(root / name, 4, seed=index)
    (tmp_path / "classes.txt").write_text("\n".join(CLASSES) + "\n")
    return root


# --- b. Excel's separator line, quoted ------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [('"sep=;"', ";"), ('"sep=,"\r', ","), ('"sep=\t"', "\t"), ('"sep="', None), ('"sep=a"', None)],
)
def test_excel_delimiter_reads_the_line_quoted_as_a_csv_writer_quotes_it(line, delimiter):
    assert excel_delimiter(line) == delimiter


def test_a_class_file_below_a_quoted_sep_line_is_its_classes(tmp_path):
    # The line was read as a class named '"sep=;"'.
    classes = tmp_path / "classes.txt"
    classes.write_text('"sep=;"\nred square\nblue circle\n')
    assert load_class_spec(classes).names == ["red square", "blue circle"]


def test_an_attribute_table_below_a_quoted_sep_line_is_split_by_it(tmp_path):
    table = tmp_path / "attributes.csv"
    table.write_text('"sep=;"\nclass;red;round\nred square;1;0\nblue circle;0;1\n')
    spec = load_class_spec(attributes=table)
    assert spec.names == ["red square", "blue circle"]
    assert spec.attributes is not None and spec.attributes.names == ("red", "round")


def test_label_reads_a_class_file_with_a_quoted_sep_line(tiny_clip, image_folder, tmp_path):
    classes = tmp_path / "quoted.txt"
    classes.write_text('"sep=;"\n' + "\n".join(CLASSES) + "\n")
    out = tmp_path / "p.jsonl"
    result = run("label", image_folder, "-c", classes, "-m", tiny_clip, "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    # The run chose among the classes below the line, as its run info records them.
    info = run_info_file(out)
    assert info is not None
    assert json.loads(info.read_text())["classes"]["names"] == CLASSES
