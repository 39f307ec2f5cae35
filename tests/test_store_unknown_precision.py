"""A store migrated from version 1 keeps its models' old vectors of an unknown precision, and
nothing is checked for them: `embed` adding images to such a model says so, once a run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import write_images
from tests.store_helpers import as_version_1
from zsl_cli.cli import app

UNCHECKED = "their precision is unknown and not checked"


def embed(images: Path, store: Path, model: Path, *extra: str):
    return CliRunner().invoke(
        app, ["embed", str(images), "--store", str(store), "-m", str(model), *extra]
    )


def test_adding_to_a_model_of_unknown_precision_warns(tiny_clip, tmp_path: Path) -> None:
    images, store = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 2)
    assert embed(images, store, tiny_clip).exit_code == 0
    as_version_1(store)
    # Nothing added: nothing mixed, nothing said.
    unchanged = embed(images, store, tiny_clip)
    assert unchanged.exit_code == 0, unchanged.stderr
    assert UNCHECKED not in unchanged.stderr
    write_images(tmp_path / "more", 1)
    added = embed(tmp_path / "more", store, tiny_clip, "--precision", "fp32")
    assert added.exit_code == 0, added.stderr
    said = " ".join(added.stderr.split())
    assert f"the 2 images already stored for this model in {store} came from an older zsl" in said
    assert f"{UNCHECKED}, so this run's (float32) may be of another" in said
    with sqlite3.connect(store) as raw:  # still unknown: it was not recorded wrongly
        assert raw.execute("SELECT precision FROM models").fetchall() == [(None,)]
    # A model new to the migrated store records its precision, and is checked: no warning.
    fresh = tmp_path / "fresh.zsl"
    assert embed(images, fresh, tiny_clip).exit_code == 0
    assert UNCHECKED not in embed(tmp_path / "more", fresh, tiny_clip).stderr
    quiet = embed(tmp_path / "more", store, tiny_clip, "-q", "--json", "-")
    assert quiet.exit_code == 0 and json.loads(quiet.stdout)["reused"] == 1
