"""An attribute table written attributes x classes (xlsa17's `att` as it is stored, saved without
transposing): `zsl label --attributes` labels with its attribute names as the classes, and
`zsl evaluate` refuses the truth, whose classes are the table's column names. The refusal says
so, with an awk line that transposes the table; labelled from that, the run evaluates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import error_line, run
from zsl_cli.classes import parse_attributes

CLASSES = {"red circle": "red", "blue square": "blue", "green star": "green"}
WORDS = ["red", "blue", "green", "circle", "square", "star"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_transposed_attribute_table_is_told_with_a_line_that_transposes_it(
    tmp_path, monkeypatch, line_end
):
    monkeypatch.chdir(tmp_path)
    for name, colour in CLASSES.items():
        Path("shapes", name).mkdir(parents=True)
        Image.new("RGB", (32, 32), colour).save(Path("shapes", name, "a.png"))
    rows = [["class", *CLASSES]]
    rows += [[word, *("1" if word in name.split() else "0" for name in CLASSES)] for word in WORDS]
    Path("att.csv").write_text(line_end.join(",".join(row) for row in rows) + line_end)
    labelled = run("label", "shapes", "--attributes", "att.csv", "-m", "shapes-demo", "-o", "p.csv")
    assert labelled.exit_code == 0, labelled.stderr

    refused = run("evaluate", "p.csv", "--truth", "shapes")
    assert refused.exit_code == 2
    message = error_line(refused.stderr)
    assert "the truth's classes are the attribute names of att.csv" in message
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    written = command.rsplit("> ", 1)[1]
    spec = parse_attributes(Path(written).read_text(), written)
    assert spec.names == list(CLASSES)
    assert list(spec.attributes.names) == WORDS

    relabelled = run("label", "shapes", "--attributes", written, "-m", "shapes-demo", "-o", "q.csv")
    assert relabelled.exit_code == 0, relabelled.stderr
    evaluated = run("evaluate", "q.csv", "--truth", "shapes")
    assert evaluated.exit_code == 0, error_line(evaluated.stderr)
    assert "3 images over 3 classes" in evaluated.stdout


def test_a_table_of_other_attributes_gets_no_such_hint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, colour in CLASSES.items():
        Path("shapes", name).mkdir(parents=True)
        Image.new("RGB", (32, 32), colour).save(Path("shapes", name, "a.png"))
    Path("att.csv").write_text("class,round,square\nsun,1,0\nbox,0,1\n")
    labelled = run("label", "shapes", "--attributes", "att.csv", "-m", "shapes-demo", "-o", "p.csv")
    assert labelled.exit_code == 0, labelled.stderr
    refused = run("evaluate", "p.csv", "--truth", "shapes")
    assert refused.exit_code == 2
    assert "attribute names" not in refused.stderr
