"""`zsl embed --json` names the gone folders of a collection moved with its store (`gone_copies`:
each `{"path", "counterpart", "images"}`), which the summary warns of: a script reading the
report had only the warning's text to find them in."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run, write_images

MODEL = "shapes-demo"


def _embed_json(store: Path, folder: Path) -> dict:
    out = store.with_suffix(".run.json")
    result = run("embed", folder, "--store", store, "-m", MODEL, "--json", out)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_embed_json_lists_the_gone_folders_of_a_moved_collection(tmp_path: Path) -> None:
    old, new, store = tmp_path / "old", tmp_path / "new", tmp_path / "s.db"
    write_images(old / "a", 3, seed=1)
    write_images(old / "b", 2, seed=2)
    assert _embed_json(store, old)["gone_copies"] == []  # nothing moved yet
    old.rename(new)
    report = _embed_json(store, new)
    assert report["encoded"] == 5
    assert report["gone_copies"] == [{"path": str(old), "counterpart": str(new), "images": 5}]
    # The same again: the store still holds them at the old place.
    assert _embed_json(store, new)["gone_copies"] == report["gone_copies"]
