"""Outputs whose names are as long as a file name may be: written through a temporary file of a
name cut to fit, with their run info beside them, and no temporary file left."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zsl_cli import files
from zsl_cli.errors import ZslError
from zsl_cli.records import Prediction
from zsl_cli.writers import open_writer


def test_a_document_of_the_longest_name_is_written(tmp_path: Path) -> None:
    output = tmp_path / ("r" * 250 + ".json")
    assert len(output.name) == files.NAME_MAX
    files.write_file(output, b'{"n": 1}\n')
    assert output.read_bytes() == b'{"n": 1}\n'
    assert os.listdir(tmp_path) == [output.name]


def test_an_output_whose_run_info_has_the_longest_name_is_written_with_it(tmp_path: Path) -> None:
    output = tmp_path / ("p" * 242 + ".csv")
    run_info = files.sidecar_path(output)
    assert len(run_info.name) == files.NAME_MAX
    with open_writer(output, "csv") as writer:
        writer.write(Prediction(path="a.png", label="cat", score=0.5))
        writer.close({"model": "m"})
    assert output.read_text().splitlines()[1].startswith("a.png,cat,0.5,")
    assert json.loads(run_info.read_text())["model"] == "m"
    assert sorted(os.listdir(tmp_path)) == sorted([output.name, run_info.name])


def test_a_name_whose_run_info_is_a_byte_too_long_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    output = tmp_path / ("p" * 243 + ".csv")
    with pytest.raises(ZslError) as refused:
        open_writer(output, "csv")
    assert str(refused.value) == (
        f"output name '{output.name}' is 1 bytes too long for a file name (and its run info "
        "goes next to it as <name>.run.json): 255 bytes at most"
    )
    assert os.listdir(tmp_path) == []
