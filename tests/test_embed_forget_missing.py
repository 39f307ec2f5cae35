"""`zsl embed --forget-missing` run again after its cleanup, and a path list's missing entry
without it: the store's side of paths that are gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app


def run(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def embed(store: Path, model: Path, *args: object, stdin: str | None = None):
    """The run's exit status, its --json report and its stderr."""
    out = store.with_suffix(".run.json")
    command = ["embed", *map(str, args), "--store", str(store), "-m", str(model), "--json", out]
    result = CliRunner().invoke(app, [str(arg) for arg in command], input=stdin)
    return result.exit_code, json.loads(out.read_text()), result.stderr


@pytest.mark.parametrize("through", ["argument", "path list"])
def test_a_forget_missing_cleanup_run_again_finds_no_image_and_exits_0(
    tiny_clip, tmp_path, through
):
    # The second run counted the gone folder as "1 image found" that could not be read, and
    # exited 1 ("No image embedded: none of the 1 image found can be used").
    old, store = tmp_path / "old" / "folder", tmp_path / "s.zsl"
    write_images(old, 2)
    embed(store, tiny_clip, old)
    for image in old.iterdir():
        image.unlink()
    old.rmdir()
    args, stdin = ([old], None) if through == "argument" else (["-"], f"{old}\n")
    for removed in (2, 0):  # the cleanup, then the same line again
        code, report, stderr = embed(store, tiny_clip, *args, "--forget-missing", stdin=stdin)
        assert code == 0, stderr
        assert (report["found"], report["unreachable"], report["removed"]) == (0, 0, removed)
        assert "No image embedded" not in stderr and "could not be read" not in stderr
    # Still reported not found: a path misspelt forgets nothing, and says so.
    assert report["not_found"] == [str(old)]
    assert f"warning: {old} is not found, and the store holds nothing under it" in " ".join(
        stderr.split()
    )
    assert "0 images found, 0 encoded, 0 reused, 0 removed" in stderr
    # --strict fails on images that fail, and a path named that is gone is none.
    strict = embed(store, tiny_clip, *args, "--forget-missing", "--strict", stdin=stdin)
    assert strict[0] == 0, strict[2]


def test_without_forget_missing_a_missing_path_list_entry_still_fails_the_run(tiny_clip, tmp_path):
    store, nowhere = tmp_path / "s.zsl", tmp_path / "nowhere"
    write_images(tmp_path / "images", 1)
    embed(store, tiny_clip, tmp_path / "images")
    code, report, stderr = embed(store, tiny_clip, "-", stdin=f"{nowhere}\n")
    assert code == 1, stderr
    assert (report["found"], report["unreachable"], report["not_found"]) == (1, 1, [])
    assert report["unreachable_files"][0]["status"] == "not_found"
