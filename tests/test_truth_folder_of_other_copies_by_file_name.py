"""A flat folder labelled (a CVAT task's images) against a class-folder export of the same files
(CVAT's "ImageNet 1.0": `export/<class>/<file>`): nothing pairs, as the folders differ, and the
refusal gives a line writing a truth CSV of each file's name and class, which pairs by name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.helpers import error_line, run
from zsl_cli.records import CSV_COLUMNS

IMAGES = {"a.png": "red circle", "b.png": "blue square", "c.png": "red circle"}


def test_class_folders_of_the_labelled_files_give_a_line_by_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("task").mkdir()
    rows = []
    for name, label in IMAGES.items():
        Path("task", name).write_bytes(b"x")
        Path("export", label).mkdir(parents=True, exist_ok=True)
        Path("export", label, name).write_bytes(b"x")
        rows.append(f"task/{name},{label},0.9,{label},0.9,ok,\n")
    Path("p.csv").write_text(",".join(CSV_COLUMNS) + "\n" + "".join(rows))
    refused = run("evaluate", "p.csv", "--truth", "export")
    assert refused.exit_code == 2
    message = error_line(refused.stderr)
    assert "outside the ground truth" not in message
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    written = command.rsplit("> ", 1)[1]
    evaluated = run("evaluate", "p.csv", "--truth", written, "--json", "out.json")
    assert evaluated.exit_code == 0, error_line(evaluated.stderr)
    out = json.loads(Path("out.json").read_text())
    assert out["n"] == 3 and out["top_k"]["1"]["overall"] == 1.0
