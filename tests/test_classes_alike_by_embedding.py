"""Classes whose prompts tokenize apart but embed alike: the warning and the refusal say that
their embeddings are the same, not that their prompts tokenize alike.

A CLIP text model pools a prompt at the first token of its config's eos_token_id; given a config
naming the id of a letter (a tokenizer from another model does the like), it reads a prompt no
further than that letter's first place, or only its first token where the letter is not in it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import run, write_images


@pytest.fixture(scope="module")
def pooled_at_a_letter(tiny_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import AutoTokenizer

    directory = shutil.copytree(tiny_clip, tmp_path_factory.mktemp("pooled") / "model")
    letter = AutoTokenizer.from_pretrained(directory).convert_tokens_to_ids("t")
    config = json.loads((directory / "config.json").read_text())
    config["text_config"]["eos_token_id"] = letter
    (directory / "config.json").write_text(json.dumps(config))
    return directory


def _label(model: Path, tmp_path: Path, classes: list[str]):
    images, class_file = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 1)
    class_file.write_text("\n".join(classes) + "\n")
    return run("label", images, "-c", class_file, "-m", model, "-t", "{}", "-o", "-")


def test_classes_that_embed_alike_are_not_said_to_tokenize_alike(pooled_at_a_letter, tmp_path):
    # 'the cat' and 'the dog' are read to the 't' of 'the'; the others to their first token.
    result = _label(pooled_at_a_letter, tmp_path, ["the cat", "the dog", "red circle", "blue box"])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "cannot tell" in line]
    assert warnings == [
        "warning: the model cannot tell 'the cat' and 'the dog' apart (their prompts differ, "
        "but get the same embedding): they score alike on every image, and the one listed "
        "first wins",
        "warning: the model cannot tell 'red circle' and 'blue box' apart (their prompts "
        "differ, but get the same embedding): they score alike on every image, and the one "
        "listed first wins",
    ]


def test_classes_that_tokenize_alike_are_still_said_to(pooled_at_a_letter, tmp_path):
    # The tokenizer lowercases: 'The Cat' is 'the cat' to it.
    result = _label(pooled_at_a_letter, tmp_path, ["the cat", "The Cat", "red circle"])
    assert result.exit_code == 0, result.stderr
    assert (
        "warning: the model cannot tell 'the cat' and 'The Cat' apart (the same prompts once "
        "tokenized)"
    ) in result.stderr


def test_every_class_embedding_alike_is_refused_naming_the_embeddings(pooled_at_a_letter, tmp_path):
    # Every prompt differs from the others, and the two templates' embeddings differ: only the
    # classes are alike, and the model folder is at fault, not the class file.
    images, class_file, templates = (tmp_path / name for name in ("i", "c.txt", "t.txt"))
    write_images(images, 1)
    class_file.write_text("the cat\nthe dog\n")
    templates.write_text("{}\nan {}\n")
    result = run("label", images, "-c", class_file, "-m", pooled_at_a_letter, "-t", templates)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (
        "zsl: error: the model cannot tell any of the 2 classes apart (their prompts differ, but "
        "get the same embedding: check that the model folder's tokenizer files and config.json "
        "(eos_token_id, vocab_size) are from one model)\n"
    )
