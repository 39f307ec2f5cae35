"""The `zsl embed` a store's refusal of a model it does not hold gives, pasted as it is, encodes
for that very model: a hub model loaded at a revision is named with `--revision` (without it,
the command encoded the default revision, another model, and the store refused the same)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.helpers import run, write_images


@pytest.mark.parametrize("command", ["label", "export"])
def test_the_embed_a_store_without_the_model_gives_keeps_its_revision(
    two_revisions, tmp_path: Path, command: str
) -> None:
    images, store, classes = tmp_path / "images", tmp_path / "my store.zsl", tmp_path / "c.txt"
    write_images(images, 2)
    classes.write_text("cat\ndog\n")
    assert run("embed", images, "--store", store, "-m", "acme/tiny").exit_code == 0
    model = ("-m", "acme/tiny", "--revision", "v2")
    reads = {
        "label": ("label", "--embeddings", store, "-c", classes, *model, "-o", "-"),
        "export": ("embed", "--store", store, *model, "--export", tmp_path / "v.npy"),
    }[command]
    refused = run(*reads)
    assert refused.exit_code == 2, refused.output
    message = " ".join(refused.stderr.split())
    shown = message.split("run `", 1)[1].split("` to encode the images", 1)[0]
    assert shown.endswith(" --revision v2"), shown
    pasted = shlex.split(shown.replace("PATH...", shlex.quote(str(images)), 1))
    assert pasted[:2] == ["zsl", "embed"]
    embedded = run(*pasted[1:])
    assert embedded.exit_code == 0, embedded.output
    again = run(*reads)
    assert again.exit_code == 0, again.output
