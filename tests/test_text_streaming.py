"""Class vectors are mixed as the prompt embeddings arrive, a chunk at a time: memory grows with
the classes, not with classes x templates x dim (10,000 classes x imagenet80 at 768-d peaked at
3.3 GB when every prompt's embedding was held), and they are what the plain protocol gives."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

from zsl_cli import api
from zsl_cli.encoders import hf
from zsl_cli.encoders.hf import TEXT_BATCH
from zsl_cli.errors import ZslError


class PlainEncoder:
    """An Encoder of a caller's own: encode_texts alone, every other name passed on."""

    def __init__(self, encoder):
        self._encoder = encoder

    def __getattr__(self, name):
        return getattr(self._encoder, name)

    def encode_texts(self, texts, advance=None):
        return self._encoder.encode_texts(texts, advance)


@pytest.fixture(scope="module")
def encoder(tiny_clip):
    return api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))


def _class_files(tmp_path):
    rng = np.random.default_rng(0)
    names = [f"thing{i}" for i in range(40)]
    names[7] = names[3].upper()  # the tokenizer lowercases: the model reads both alike
    descriptions = {
        name: [f"part {j} of {i}" for j in range(i % 4 + 2)] for i, name in enumerate(names[:30])
    }
    descriptions["thing0"] += ["Part 0 Of 0"]  # one text twice, as the model reads it
    descriptions[names[7]] = [text.upper() for text in descriptions[names[3]]]
    columns = [f"trait {i}" for i in range(90)] + ["red", "Red"]
    weights = rng.integers(0, 3, size=(25, len(columns)))
    weights[:, 0] = 1  # no row of zeros
    weights[4] = weights[9]  # the same mix
    rows = [",".join(["class", *columns])]
    rows += [",".join([f"kind{i}", *map(str, row)]) for i, row in enumerate(weights)]
    (tmp_path / "attributes.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "descriptions.json").write_text(json.dumps(descriptions))
    return {
        "templates": api.ClassOptions(classes=names, templates="imagenet7"),
        "descriptions": api.ClassOptions(descriptions=str(tmp_path / "descriptions.json")),
        "attributes": api.ClassOptions(attributes=str(tmp_path / "attributes.csv")),
    }


@pytest.mark.parametrize("mode", ["templates", "descriptions", "attributes"])
def test_streamed_class_vectors_are_the_plain_protocols(encoder, tmp_path, mode):
    spec, plan = api.plan_classes(_class_files(tmp_path)[mode])
    assert len(list(encoder.encode_text_chunks(plan.texts))) > 1  # several chunks to mix
    streamed = api.build_classifier(spec, plan, encoder)
    plain = api.build_classifier(spec, plan, PlainEncoder(encoder))
    np.testing.assert_allclose(streamed.vectors, plain.vectors, rtol=0, atol=1e-6)
    assert streamed.indistinguishable == plain.indistinguishable != []
    assert streamed.indistinguishable_attributes == plain.indistinguishable_attributes
    if mode == "attributes":
        assert streamed.indistinguishable_attributes == [["red", "Red"]]
    for classifier in (streamed, plain):
        for group in classifier.indistinguishable:
            first, *rest = (spec.names.index(name) for name in group)
            for other in rest:  # one vector, to the bit
                assert classifier.vectors[other].tobytes() == classifier.vectors[first].tobytes()


def test_a_stream_with_texts_read_alike_gives_each_text_its_row_once(encoder):
    texts = [f"a photo of thing {i}" for i in range(150)] + ["A Photo Of Thing 3", "THING"]
    seen = np.zeros(len(texts), dtype=int)
    whole = encoder.encode_texts(texts)
    chunks = list(encoder.encode_text_chunks(texts))
    for rows, embeddings in chunks:
        assert embeddings.shape == (len(rows), encoder.dim)
        np.testing.assert_array_equal(embeddings, whole[rows])
        seen[rows] += 1
    assert seen.tolist() == [1] * len(texts)
    assert whole[3].tobytes() == whole[150].tobytes()  # encoded once
    assert max(len(rows) for rows, _ in chunks) <= TEXT_BATCH + 1  # the alike text rides along


def test_progress_hears_of_every_text_as_each_chunk_is_mixed(encoder):
    names = [f"thing{i}" for i in range(30)] + ["THING4"]
    spec, plan = api.plan_classes(api.ClassOptions(classes=names, templates="imagenet7"))
    heard: list = []

    class Progress:
        def start(self, total, description):
            heard.append((total, description))

        def advance(self, n):
            heard.append(n)

        def stop(self):
            heard.append("stop")

    api.build_classifier(spec, plan, encoder, progress=Progress())
    assert heard[0] == (len(plan.texts), "encoding class prompts") and heard[-1] == "stop"
    counts = heard[1:-1]
    assert len(counts) > 1 and sum(counts) == len(plan.texts)


def test_text_encoding_does_not_hold_every_prompts_embedding(encoder, monkeypatch):
    # The review's stub: the text model's forward gives random unit rows, as wide as ViT-L's.
    width = 768
    rng = np.random.default_rng(0)

    def forward(token_ids: list[list[int]]) -> np.ndarray:
        rows = rng.standard_normal((len(token_ids), width), dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    names = [f"thing{i}" for i in range(200)]
    spec, plan = api.plan_classes(api.ClassOptions(classes=names, templates="imagenet80"))
    encoder.dim  # measured before the stub  # noqa: B018
    monkeypatch.setattr(encoder, "_encode_token_chunk", forward)
    # The tokenizer's output for a block of prompts, whatever their number: 21 MB for 8,192.
    monkeypatch.setattr(hf, "TOKENIZE_BLOCK", 1024)
    every_embedding = len(plan.texts) * width * 4  # 16,000 prompts: 49 MB
    tracemalloc.start()
    try:
        classifier = api.build_classifier(spec, plan, encoder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert classifier.vectors.shape == (200, width)
    # The class vectors (0.6 MB), one chunk, the tokens of a block; per prompt its tokens, a
    # digest and a few numbers: 9 MB in all, where every embedding was held at once.
    assert peak < every_embedding / 4, (peak, every_embedding)


class Streaming:
    """An Encoder of a caller's own that streams its text embeddings."""

    def __init__(self, encoder, broken=None):
        self._encoder, self._broken = encoder, broken

    def __getattr__(self, name):
        return getattr(self._encoder, name)

    def encode_texts(self, texts, advance=None):
        return self._encoder.encode_texts(texts, advance)

    def encode_text_chunks(self, texts):
        chunks = list(self._encoder.encode_text_chunks(texts))
        return self._broken(chunks) if self._broken else chunks


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda chunks: chunks[:-1], "encode_text_chunks gave 0 embeddings for 2 texts"),
        (lambda chunks: chunks * 2, "encode_text_chunks gave an embedding twice"),
        (lambda chunks: [([5, 0], e) for _, e in chunks], "for text 5 of 2 texts"),
        (lambda chunks: [([-1, 0], e) for _, e in chunks], "for text -1 of 2 texts"),
        (lambda chunks: [(r, e[:1]) for r, e in chunks], "shape \\(1, 16\\) for 2 texts"),
    ],
)
def test_a_stream_that_breaks_the_protocol_is_a_user_error(encoder, broken, message):
    plan = api.plan_classes(api.ClassOptions(classes=["cat", "dog"]))
    assert api.build_classifier(*plan, Streaming(encoder)).vectors.shape == (2, 16)
    with pytest.raises(ZslError, match=message):
        api.build_classifier(*plan, Streaming(encoder, broken))


def test_an_encoder_with_its_own_encode_texts_is_not_bypassed_by_a_stream_it_inherits(encoder):
    # A subclass (or a wrapper) that changes encode_texts' embeddings must be scored with them.
    class Negated(type(encoder)):
        def encode_texts(self, texts, advance=None):
            return -super().encode_texts(texts, advance)

    plan = api.plan_classes(api.ClassOptions(classes=["cat", "dog"]))
    negated = object.__new__(Negated)
    negated.__dict__.update(encoder.__dict__)
    expected = api.build_classifier(*plan, encoder).vectors
    np.testing.assert_allclose(api.build_classifier(*plan, negated).vectors, -expected, atol=1e-6)
