"""`zsl embed --forget-missing` given several paths that are missing and under which the store
holds nothing (misspelt): one warning counts and names them, and nothing is forgotten."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app


def test_several_misspelt_paths_are_counted_and_named_in_one_warning(tiny_clip, tmp_path):
    images, store, out = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "run.json"
    write_images(images, 2)
    first = ["embed", images, "--store", store, "-m", tiny_clip]
    assert CliRunner().invoke(app, [str(a) for a in first]).exit_code == 0
    typos = [tmp_path / "imgaes", tmp_path / "imagse"]
    command = [*first[:1], images, *typos, *first[2:], "--forget-missing", "--json", out]
    result = CliRunner().invoke(app, [str(a) for a in command])
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text())
    assert (report["found"], report["removed"], report["reused"]) == (2, 0, 2)
    stderr = " ".join(result.stderr.split())
    assert (
        "warning: 2 paths are not found, and the store holds nothing under them: nothing to "
        "forget there (" in stderr
    )
    warning = stderr.split("2 paths are not found", 1)[1].split(")", 1)[0]
    assert all(str(typo) in warning for typo in typos)
