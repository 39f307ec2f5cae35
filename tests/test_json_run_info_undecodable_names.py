"""Run info and JSON reports that name files whose names are not UTF-8: each undecodable byte is
written as the JSON escape \\udcXX, so the file stays UTF-8 and reads back as the same name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.writers import open_writer, write_json_file

# A file name's bytes that are not UTF-8 (Latin-1's é, and 0xff), as os.fsdecode reads them.
NAME = "/data/caf\udce9 \udcff.jpg"


def read_back(path: Path) -> object:
    raw = path.read_bytes()
    raw.decode("utf-8")  # strictly UTF-8: no raw byte of the name in the file
    assert b"\\udce9" in raw and b"\\udcff" in raw
    return json.loads(raw)


def test_a_json_report_names_an_undecodable_file_by_its_escapes(tmp_path: Path) -> None:
    report = {"failed": [{"path": NAME, "status": "unreadable"}]}
    out = tmp_path / "report.json"
    write_json_file(out, report)
    assert read_back(out) == report


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "label-studio"])
def test_a_sidecar_run_info_names_an_undecodable_file_by_its_escapes(
    tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / ("p.csv" if fmt == "csv" else "p.jsonl" if fmt == "jsonl" else "p.json")
    options = LabelStudioOptions(url_prefix="http://localhost:8081/")
    with open_writer(str(out), fmt, label_studio=options) as writer:
        writer.close({"classes_file": NAME})
    run_info = read_back(Path(f"{out}.run.json"))
    assert isinstance(run_info, dict) and run_info["classes_file"] == NAME


def test_a_json_documents_run_info_names_an_undecodable_file_by_its_escapes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "p.json"
    with open_writer(str(out), "json") as writer:
        writer.close({"classes_file": NAME})
    document = read_back(out)
    assert isinstance(document, dict) and document["run"]["classes_file"] == NAME
