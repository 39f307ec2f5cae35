"""A revision of a hub model loads that revision's files from the cache, and the encoder keeps
the revision it was asked for."""

from __future__ import annotations

import shutil

import pytest

from zsl_cli.encoders import load_encoder


@pytest.fixture
def two_revisions(tiny_clip, tiny_siglip, tmp_path, monkeypatch):
    """acme/tiny at main is a CLIP, at v2 a SigLIP, in a hub cache under tmp_path."""
    import huggingface_hub.constants

    repo = tmp_path / "hub" / "models--acme--tiny"
    (repo / "refs").mkdir(parents=True)
    for ref, model, commit in (("main", tiny_clip, "1" * 40), ("v2", tiny_siglip, "2" * 40)):
        shutil.copytree(model, repo / "snapshots" / commit)
        (repo / "refs" / ref).write_text(commit)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))


def test_each_revision_loads_its_own_files(two_revisions):
    default = load_encoder("acme/tiny")
    v2 = load_encoder("acme/tiny", revision="v2")
    assert (default.head.kind, default.revision) == ("softmax", None)
    assert (v2.head.kind, v2.revision) == ("sigmoid", "v2")
    assert default.identity != v2.identity
    main = load_encoder("acme/tiny", revision="main")
    assert (main.head.kind, main.revision, main.identity) == ("softmax", "main", default.identity)
