"""Memory of hubness over an embedding store: the store's vectors are held once, not copied.

`zsl hubness --embeddings` and `zsl label --embeddings --hubness-reduction` score every stored
image at once; the rows were stacked into a second matrix as large as the store's vectors
(0.6 GB at 300,000 images of 512-d) while the loaded one was still held.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import write_images
from zsl_cli import api
from zsl_cli.hubness import METHODS
from zsl_cli.store import EmbeddingStore


@pytest.fixture()
def store(tiny_clip: Path, tmp_path: Path) -> str:
    for index, name in enumerate(("cat", "dog", "fox")):
        write_images(tmp_path / "photos" / name, 3, seed=index)
    path = str(tmp_path / "photos.zsl")
    model = api.ModelOptions(name=str(tiny_clip))
    api.embed(api.EmbedRequest(path, api.InputOptions(paths=(str(tmp_path / "photos"),)), model))
    return path


def _recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The vectors the store's reads return, and the image embeddings hubness is given."""
    read: list[np.ndarray] = []
    scored: list[np.ndarray] = []
    load, fetch, similarity_matrix = (
        EmbeddingStore.load,
        EmbeddingStore.fetch,
        api.similarity_matrix,
    )

    def recording_load(self, *args, **kwargs):
        stored = load(self, *args, **kwargs)
        read.append(stored.vectors)
        return stored

    def recording_fetch(self, *args, **kwargs):
        found = fetch(self, *args, **kwargs)
        read.extend(file.vector for file in found.values() if file.vector is not None)
        return found

    def recording_similarity_matrix(images, class_vectors):
        scored.append(images)
        return similarity_matrix(images, class_vectors)

    monkeypatch.setattr(EmbeddingStore, "load", recording_load)
    monkeypatch.setattr(EmbeddingStore, "fetch", recording_fetch)
    monkeypatch.setattr(api, "similarity_matrix", recording_similarity_matrix)
    return read, scored


def _requests(store: str, tiny_clip: Path, paths: tuple[str, ...]) -> list:
    inputs = api.InputOptions(paths=paths)
    classes = api.ClassOptions(classes=["cat", "dog", "fox"])
    model = api.ModelOptions(name=str(tiny_clip))
    labels = [
        api.LabelRequest(
            inputs, classes, model, embeddings=store, output=None, hubness_reduction=method
        )
        for method in METHODS
        if method != "none"
    ]
    return [*labels, api.HubnessRequest(inputs, classes, model, embeddings=store)]


@pytest.mark.parametrize("named", [False, True], ids=["whole-store", "named-paths"])
def test_hubness_over_a_store_scores_its_vectors_where_they_were_read(
    store, tiny_clip, tmp_path, monkeypatch, named
):
    # Without paths the store is loaded whole (EmbeddingStore.load); with them, the named
    # images' vectors are fetched (EmbeddingStore.fetch). Either way they are rows of one array.
    paths = (str(tmp_path / "photos"),) if named else ()
    read, scored = _recorded(monkeypatch)
    for request in _requests(store, tiny_clip, paths):
        read.clear(), scored.clear()
        if isinstance(request, api.HubnessRequest):
            assert api.hubness(request).n_images == 9
        else:
            assert api.label(request).total == 9
        assert len(scored) == 1 and scored[0].shape == (9, read[0].shape[-1])
        assert scored[0].dtype == np.float32
        assert np.shares_memory(scored[0], read[0]), "the store's vectors were copied"


def test_vectors_that_are_no_rows_of_one_array_in_order_are_scored_all_the_same(
    store, tiny_clip, tmp_path, monkeypatch
):
    # An image changed since it was stored is fetched but not scored: the rows scored skip its
    # row, so they are no one array's consecutive rows and are copied into one, in their order.
    photos = sorted((tmp_path / "photos").rglob("*.png"))
    changed = photos[4]
    os.utime(changed, ns=(0, changed.stat().st_mtime_ns + 10**9))
    read, scored = _recorded(monkeypatch)
    request = _requests(store, tiny_clip, (str(tmp_path / "photos"),))[-1]
    assert api.hubness(request).n_images == 8
    with EmbeddingStore.open(store, create=False) as opened:
        loaded = opened.load(opened.models()[0].id)
    by_path = dict(zip(loaded.paths, loaded.vectors, strict=True))
    expected = [by_path[os.path.abspath(path)] for path in photos if path != changed]
    assert np.array_equal(scored[0], np.stack(expected))


def test_rows_that_start_between_two_elements_of_their_base_are_stacked_not_viewed() -> None:
    # A caller's Encoder may give rows viewed from bytes at any offset: the base's elements
    # then lie across them, and a view of the base at the offset rounded down is other numbers.
    raw = np.arange(64, dtype=np.float32)
    shifted = raw.view(np.uint8)[2:162].view(np.float32).reshape(5, 8)
    rows = [shifted[i] for i in range(5)]
    assert api._rows_in_place(rows) is None
    aligned = [raw.reshape(8, 8)[i] for i in range(2, 7)]
    viewed = api._rows_in_place(aligned)
    assert viewed is not None and np.shares_memory(viewed, raw)
    assert np.array_equal(viewed, raw.reshape(8, 8)[2:7])
