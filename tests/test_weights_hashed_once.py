"""A run reads a model folder's weight files to hash them at most once: the store's identity of
the model and the Label Studio model version both hash them, and on a 1-2 GB model each read is
seconds of waiting for nothing."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import zsl_cli
from tests.helpers import write_images
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.encoders import model_files


@pytest.fixture
def world(tiny_clip: Path, tmp_path: Path) -> Path:
    """A model folder of its own name, images under a Label Studio root and a class file."""
    shutil.copytree(tiny_clip, tmp_path / "models" / "clip")
    write_images(tmp_path / "root" / "photos", 3)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    return tmp_path


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each file was hashed, by name: counted where its bytes are read."""
    counts: Counter[str] = Counter()
    file_hash: Callable[[Path], str] = model_files._file_hash

    def counted(file: Path) -> str:
        counts[file.name] += 1
        return file_hash(file)

    monkeypatch.setattr(model_files, "_file_hash", counted)
    return counts


def _zsl(*args: str | Path) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr


def _model_versions(tasks: Path) -> set[str]:
    return {p["model_version"] for t in json.loads(tasks.read_text()) for p in t["predictions"]}


STUDIO = ("-f", "label-studio", "--ls-document-root", "root", "-q")


def test_label_from_a_store_to_label_studio_hashes_the_weights_once(world, hashed, monkeypatch):
    # The store's identity of the model and the tasks' model version each hashed the weights.
    monkeypatch.chdir(world)
    _zsl("embed", "root/photos", "--store", "s.db", "-m", "models/clip", "-q")
    assert hashed == {"model.safetensors": 1}
    hashed.clear()
    label = ("label", "-c", "classes.txt", "-m", "models/clip", "-o", "t.json", *STUDIO)
    _zsl(*label, "--embeddings", "s.db")
    assert hashed == {"model.safetensors": 1}
    (from_store,) = _model_versions(world / "t.json")
    # The same version as a run from the images, which needs no identity.
    hashed.clear()
    _zsl(*label, "root/photos")
    assert hashed == {"model.safetensors": 1}
    assert _model_versions(world / "t.json") == {from_store}
    # As it was: the folder's name and the start of its weight files' hash.
    files = model_files.loaded_weight_files(world / "models" / "clip")
    weights = model_files.weight_files_fingerprint(files)
    assert from_store == f"zsl-{zsl_cli.__version__}:clip#{weights[:8]}"


def test_a_loaded_encoder_gives_label_studio_the_hash_it_made(world, hashed, monkeypatch):
    # A model opened once for several runs hashed its weights again for each run's tasks.
    monkeypatch.chdir(world)
    model = api.ModelOptions(name="models/clip")
    inputs = api.InputOptions(paths=("root/photos",))
    api.embed(api.EmbedRequest(store="s.db", inputs=inputs, model=model))
    hashed.clear()
    encoder = api.open_encoder(model)
    studio = api.LabelStudioOptions(document_root="root")
    output = api.OutputOptions(path="t.json", format="label-studio", label_studio=studio)
    classes = api.ClassOptions(classes="classes.txt")
    for embeddings in ("s.db", None, "s.db"):
        request = api.LabelRequest(
            inputs=inputs, classes=classes, model=model, output=output, embeddings=embeddings
        )
        api.label(request, encoder=encoder)
    assert hashed == {"model.safetensors": 1}
    (version,) = _model_versions(world / "t.json")
    assert version.split(":", 1)[1].startswith("clip#")


def test_hubness_from_a_store_hashes_the_weights_once(world, hashed, monkeypatch):
    monkeypatch.chdir(world)
    _zsl("embed", "root/photos", "--store", "s.db", "-m", "models/clip", "-q")
    hashed.clear()
    _zsl("hubness", "--embeddings", "s.db", "-c", "classes.txt", "-m", "models/clip", "-q")
    assert hashed == {"model.safetensors": 1}
