"""A local model folder is an input of the run: no output may go into it (an output there once
replaced the weights with CSV), and weights pickled with more than tensors are refused without
advice to load them unsafely."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.encoders import BUNDLED_DIR


def cli(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        os.path.relpath(path, folder): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_refused(result, output: object) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    assert f"the output {output} is inside the model folder" in result.stderr
    assert "write elsewhere" in result.stderr


@pytest.fixture()
def model(tiny_clip: Path, tmp_path: Path) -> Path:
    return shutil.copytree(tiny_clip, tmp_path / "model")


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    return folder


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("cat\ndog\n")
    return path


@pytest.mark.parametrize(
    ("name", "fmt"), [("model.safetensors", ["-f", "csv"]), ("tokenizer.json", []), ("new.csv", [])]
)
def test_label_output_into_the_model_folder_is_refused(model, images, classes, name, fmt):
    before = files_of(model)
    output = model / name
    result = cli("label", images, "-c", classes, "-m", model, *fmt, "-o", output)
    assert_refused(result, output)
    assert files_of(model) == before  # no file replaced, none added (no .run.json)


def test_label_studio_config_into_the_model_folder_is_refused(model, images, classes, tmp_path):
    before = files_of(model)
    config = model / "config.json"
    tasks = tmp_path / "tasks.json"
    result = cli(
        "label", images, "-c", classes, "-m", model, "-f", "label-studio", "-o", tasks,
        "--ls-config", config, "--ls-document-root", tmp_path,
    )  # fmt: skip
    assert_refused(result, config)
    assert files_of(model) == before and not tasks.exists()


def test_links_do_not_hide_the_model_folder(model, images, classes, tmp_path):
    # The model given through one link, the output through another.
    (tmp_path / "model-link").symlink_to(model)
    (tmp_path / "out").symlink_to(model)
    before = files_of(model)
    output = tmp_path / "out" / "model.safetensors"
    result = cli(
        "label", images, "-c", classes, "-m", tmp_path / "model-link", "-f", "csv", "-o", output
    )
    assert_refused(result, output)
    assert files_of(model) == before


@pytest.mark.parametrize("command", ["label", "embed"])
def test_a_model_file_linked_from_outside_the_folder_is_refused(
    model, images, classes, tmp_path, command
):
    # As a Hugging Face cache snapshot's files are links into its blobs: -o at the link's target
    # replaced the weights with CSV.
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    weights = blobs / "weights"
    (model / "model.safetensors").rename(weights)
    (model / "model.safetensors").symlink_to(weights)
    before = weights.read_bytes()
    if command == "label":
        result = cli("label", images, "-c", classes, "-m", model, "-f", "csv", "-o", weights)
    else:
        result = cli("embed", images, "-m", model, "-s", weights)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"zsl: error: the output {weights} is the model's file model.safetensors, which a link "
        f"in the model folder {model} leads to, an input of this run; write elsewhere\n"
    )
    assert weights.read_bytes() == before


def test_a_folder_beside_the_model_is_no_part_of_it(model, images, classes, tmp_path):
    # "model2" starts with "model", yet lies outside it.
    before = files_of(model)
    output = tmp_path / "model2" / "p.csv"
    result = cli("label", images, "-c", classes, "-m", model, "-o", output, "-q")
    assert result.exit_code == 0, result.output
    assert output.is_file() and files_of(model) == before


def test_embed_store_and_export_into_the_model_folder_are_refused(model, images, tmp_path):
    before = files_of(model)
    store = model / "embeddings.zsl"
    assert_refused(cli("embed", images, "--store", store, "-m", model), store)
    assert files_of(model) == before

    outside = tmp_path / "embeddings.zsl"
    export = model / "vectors.npy"
    result = cli("embed", images, "--store", outside, "-m", model, "--export", export)
    assert_refused(result, export)
    assert files_of(model) == before and not outside.exists()

    # Exporting what a store holds, without paths, reads the model folder too.
    assert cli("embed", images, "--store", outside, "-m", model, "-q").exit_code == 0
    assert_refused(cli("embed", "--store", outside, "-m", model, "--export", export), export)
    summary = model / "summary.json"
    result = cli("embed", images, "--store", outside, "-m", model, "--json", summary)
    assert_refused(result, summary)
    assert files_of(model) == before


def test_hubness_json_into_the_model_folder_is_refused(model, images, classes):
    before = files_of(model)
    document = model / "hubness.json"
    result = cli("hubness", images, "-c", classes, "-m", model, "--json", document)
    assert_refused(result, document)
    assert files_of(model) == before


def test_the_bundled_model_folder_is_refused(images, classes):
    folder = BUNDLED_DIR / "shapes-demo"
    before = files_of(folder)
    output = folder / "predictions-of-a-test.csv"
    try:
        result = cli("label", images, "-c", classes, "-m", "shapes-demo", "-o", output)
        assert_refused(result, output)
        assert files_of(folder) == before
    finally:  # a check that failed must not leave files in the package
        for stray in (output, output.with_name(output.name + ".run.json")):
            stray.unlink(missing_ok=True)


class _MakesMarker:
    """Unpickled, it creates a file: what a checkpoint's code could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (os.fspath(self.marker), "w"))


def test_pickled_objects_in_the_weights_are_refused_without_unsafe_advice(
    model, images, classes, tmp_path
):
    import torch
    from safetensors.torch import load_file

    marker = tmp_path / "MARKER"
    weights = {**load_file(model / "model.safetensors"), "extra": _MakesMarker(marker)}
    torch.save(weights, model / "pytorch_model.bin")
    (model / "model.safetensors").unlink()
    result = cli("label", images, "-c", classes, "-m", model)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    assert "pickled Python objects besides tensors" in result.stderr
    assert "safetensors" in result.stderr
    assert "weights_only" not in result.stderr and "False" not in result.stderr
    assert not marker.exists()
