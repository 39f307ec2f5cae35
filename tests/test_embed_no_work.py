"""A `zsl embed` with nothing to encode (an empty path list from a cron job's `find -newer`, or
every image stored and unchanged) still loads the model: the run's result hangs on the model's
identity, which only the loaded model gives (its class, config, weights, image processor and
preprocessing, its measured width and the precision it runs in). These pin what a run that
skipped the load would get wrong."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner, Result

from tests.helpers import embedded, write_images
from tests.tiny_models import make_tiny_clip
from zsl_cli.cli import app


def run(*args: object, input: str = "") -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def test_a_model_retrained_in_place_is_encoded_again_though_no_image_changed(
    tmp_path: Path,
) -> None:
    images, store, model = tmp_path / "images", tmp_path / "photos.zsl", tmp_path / "model"
    write_images(images, 2)
    first = embedded(images, store, make_tiny_clip(model, seed=1))
    assert (first["found"], first["encoded"]) == (2, 2)
    make_tiny_clip(model, seed=2)  # same folder, same name: only its identity tells
    again = embedded(images, store, model)
    assert (again["found"], again["encoded"], again["reused"]) == (2, 2, 0)


def test_an_empty_list_registers_the_model_as_loaded(tiny_clip: Path, tmp_path: Path) -> None:
    store = tmp_path / "photos.zsl"
    result = run("embed", "-", "--store", store, "-m", tiny_clip, input="")
    assert result.exit_code == 0, result.stderr
    with closing(sqlite3.connect(store)) as connection:
        rows = connection.execute("SELECT name, dim, dtype, precision FROM models").fetchall()
    # The width is measured by encoding a text, the precision is the one the model loaded in.
    assert rows == [(str(tiny_clip), 16, "float32", "float32")]


def test_an_empty_list_still_refuses_what_the_store_cannot_take(
    tiny_clip: Path, tmp_path: Path
) -> None:
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 1)
    embedded(images, store, tiny_clip)
    other_dtype = run(
        "embed", "-", "--store", store, "-m", tiny_clip, "--dtype", "float16", input=""
    )
    assert other_dtype.exit_code == 2
    assert "holds model" in other_dtype.stderr and "as float32, not float16" in other_dtype.stderr
    no_model = run("embed", "-", "--store", store, "-m", tmp_path / "no-model", input="")
    assert no_model.exit_code == 2, no_model.stderr
