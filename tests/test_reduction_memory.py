"""Memory of hubness over images encoded in the run: their embeddings are held once.

`zsl label FOLDER --hubness-reduction M` and `zsl hubness FOLDER` score every image at once: the
rows of each batch's encoded array were stacked into one matrix while every item still held its
row of the batch's array, so the embeddings were in memory twice (0.2 GB more at 100,000 x 512).
"""

from __future__ import annotations

import json
import weakref
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.hubness import METHODS

CLASSES = ["cat", "dog", "fox", "owl"]


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    for index, name in enumerate(CLASSES):
        write_images(tmp_path / "photos" / name, 4, seed=index)
    (tmp_path / "photos" / "broken.png").write_bytes(b"not an image")  # a gap among the rows
    return tmp_path / "photos"


def _requests(photos: Path, batch_size: int) -> list:
    inputs = api.InputOptions(paths=(str(photos),))
    classes = api.ClassOptions(classes=CLASSES)
    model = api.ModelOptions(batch_size=batch_size)
    labels = [
        api.LabelRequest(inputs, classes, model, output=None, hubness_reduction=method)
        for method in METHODS
        if method != "none"
    ]
    return [*labels, api.HubnessRequest(inputs, classes, model)]


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_no_batch_of_embeddings_is_held_while_every_image_is_scored(
    photos, tiny_clip, monkeypatch, batch_size
):
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip)))
    encode = encoder.encode_images
    batches: list[weakref.ref] = []

    def recording_encode(pixels):
        encoded = np.array(encode(pixels))  # an array of its own, which nothing else holds
        batches.append(weakref.ref(encoded))
        return encoded

    alive: list[int] = []
    scored: list[np.ndarray] = []
    similarity_matrix = api.similarity_matrix

    def recording_similarity_matrix(images, class_vectors):
        alive.append(sum(batch() is not None for batch in batches))
        scored.append(images)
        return similarity_matrix(images, class_vectors)

    monkeypatch.setattr(encoder, "encode_images", recording_encode)
    monkeypatch.setattr(api, "similarity_matrix", recording_similarity_matrix)
    for request in _requests(photos, batch_size):
        batches.clear()
        if isinstance(request, api.LabelRequest):
            report = api.label(request, encoder=encoder)
            assert [p.status for p in report.predictions].count("ok") == len(CLASSES) * 4
        else:
            assert api.hubness(request, encoder=encoder).n_images == len(CLASSES) * 4
        assert batches
        assert alive.pop() == 0  # each batch's rows were moved into the one scored array
        assert scored.pop().shape[0] == len(CLASSES) * 4


def _labelled(*args: str | Path) -> dict[str, dict]:
    result = CliRunner().invoke(app, ["label", *map(str, args), "-f", "jsonl", "-k", "0", "-q"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return {row["path"]: row for row in rows}


def test_labels_with_a_reduction_over_a_folder_equal_those_over_its_store(
    photos, tiny_clip, tmp_path
):
    store = tmp_path / "photos.zsl"
    model = ["-m", tiny_clip, "-b", "3"]
    embedded = CliRunner().invoke(app, ["embed", str(photos), "-s", str(store), *map(str, model)])
    assert embedded.exit_code == 0, embedded.output
    classes = tmp_path / "classes.txt"
    classes.write_text("\n".join(CLASSES) + "\n")
    plain = _labelled(photos, "-c", classes, *model)
    for method in (m for m in METHODS if m != "none"):
        reduced = ["-c", classes, *model, "--hubness-reduction", method]
        from_folder = _labelled(photos, *reduced)
        assert len(from_folder) == len(CLASSES) * 4 + 1
        assert from_folder == _labelled(photos, "--embeddings", store, *reduced), method
        # The reduction changed the scores: the runs are compared on what it gave.
        assert any(plain[path]["top_k"] != row["top_k"] for path, row in from_folder.items())
