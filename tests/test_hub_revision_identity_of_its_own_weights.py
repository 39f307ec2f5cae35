"""A hub model loaded at another revision than its default branch hashes that revision's weight
files for its identity (the embedding store's name for its vectors), not the default branch's:
under transformers 5, which keeps no record of the commit it loaded, both revisions of one
architecture had the default branch's identity, so a store mixed their embeddings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.tiny_models import make_tiny_clip
from zsl_cli.encoders import load_encoder

HUB_ID = "acme/tiny-clip"
OLD = "0123456789abcdef0123456789abcdef01234567"
NEW = "fedcba9876543210fedcba9876543210fedcba98"


@pytest.fixture
def moved_main(tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HUB_ID in a hub cache under tmp_path: tag v1 at the tiny CLIP (OLD), main at the same
    architecture trained otherwise (NEW)."""
    import huggingface_hub.constants

    repo = tmp_path / "hub" / f"models--{HUB_ID.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    retrained = make_tiny_clip(tmp_path / "retrained", seed=1)
    for ref, model, commit in (("v1", tiny_clip, OLD), ("main", retrained, NEW)):
        shutil.copytree(model, repo / "snapshots" / commit)
        (repo / "refs" / ref).write_text(commit)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))


@pytest.mark.parametrize("revision", ["v1", OLD])
def test_an_older_revision_hashes_its_own_weights(
    moved_main: None, tiny_clip: Path, revision: str
) -> None:
    older, default = load_encoder(HUB_ID, revision=revision), load_encoder(HUB_ID)
    assert older.identity != default.identity
    # The same hash as a copy of that revision's files in a folder gives.
    copy = load_encoder(str(tiny_clip))
    assert older.weight_files_fingerprint == copy.weight_files_fingerprint
    assert default.weight_files_fingerprint != copy.weight_files_fingerprint
    assert (older.commit, default.commit) == (OLD, NEW)
