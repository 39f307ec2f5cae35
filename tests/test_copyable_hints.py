"""The commands zsl's messages give to run next: pasted into a shell, they do what the message
says (the store's own model, quoted paths), and a setting the run info records is taken back."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from tests.helpers import embedded, read_jsonl, run, write_images


def two_classes(tmp_path: Path) -> Path:
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    return classes


def commands_in(message: str) -> list[list[str]]:
    """The `zsl ...` commands a message gives between backticks, as a shell splits them,
    without the program's name."""
    return [shlex.split(command)[1:] for command in re.findall(r"`(zsl [^`]*)`", message)]


def test_the_command_for_a_model_the_store_lacks_is_quoted_and_names_the_model(tiny_clip, tmp_path):
    # It said "run 'zsl embed PATH... --store my store.zsl' with this model": pasted, the store
    # was `my`, and without -m and --exact-preprocessing the default model encoded the images.
    images, store = tmp_path / "images", tmp_path / "my store.zsl"
    write_images(images, 2)
    embedded(images, store, tiny_clip)
    classes = two_classes(tmp_path)
    asked = ["--embeddings", store, "-c", classes, "-m", tiny_clip, "--exact-preprocessing"]
    refused = run("label", *asked, "-f", "jsonl")
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    # The store's model is told apart from the one asked for by its preprocessing.
    assert (
        f"no embeddings for model {tiny_clip} (exact preprocessing) "
        f"(it has: {tiny_clip} (fast preprocessing));"
    ) in refused.stderr
    (command,) = commands_in(refused.stderr)
    assert command == [
        "embed",
        "PATH...",
        "--store",
        str(store),
        "-m",
        str(tiny_clip),
        "--exact-preprocessing",
    ]
    pasted = run(*[str(images) if arg == "PATH..." else arg for arg in command])
    assert pasted.exit_code == 0, pasted.stderr
    labelled = run("label", *asked, "-f", "jsonl")
    assert labelled.exit_code == 0, labelled.stderr
    assert {row["status"] for row in read_jsonl(labelled.stdout)} == {"ok"}


def test_the_command_for_a_model_retrained_under_its_name_encodes_with_it(tmp_path):
    from tests.tiny_models import make_tiny_clip

    images, store, model = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "model"
    write_images(images, 1)
    embedded(images, store, make_tiny_clip(model, seed=1))
    make_tiny_clip(model, seed=2)  # retrained in place
    classes = two_classes(tmp_path)
    refused = run("label", "--embeddings", store, "-c", classes, "-m", model)
    assert refused.exit_code == 2
    (command,) = commands_in(refused.stderr)
    assert command == ["embed", "PATH...", "--store", str(store), "-m", str(model)]
    pasted = run(*[str(images) if arg == "PATH..." else arg for arg in command])
    assert pasted.exit_code == 0, pasted.stderr
    assert run("label", "--embeddings", store, "-c", classes, "-m", model).exit_code == 0


def test_a_moved_folder_is_told_how_to_forget_its_old_place(tiny_clip, tmp_path, monkeypatch):
    # The message said to embed the folder's new place, no more: done so, a whole-store label
    # wrote each image twice, once under the path that is gone.
    monkeypatch.chdir(tmp_path)
    old, new, store = Path("set a"), Path("set b"), Path("my store.zsl")
    write_images(old, 3)
    embedded(old, store, tiny_clip)
    old.rename(new)
    classes = two_classes(tmp_path)
    refused = run("label", "--embeddings", store, old, "-c", classes, "-m", tiny_clip)
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    assert "holds 3 images from it" in refused.stderr
    (forget,) = commands_in(refused.stderr)
    # The store's model as it holds it: encoded on this CPU in fp32.
    assert forget == [
        "embed",
        "set a",
        "--store",
        "my store.zsl",
        "-m",
        str(tiny_clip),
        "--precision",
        "fp32",
        "--forget-missing",
    ]
    embedded(new, store, tiny_clip)
    assert run(*forget).exit_code == 0
    labelled = run("label", "--embeddings", store, "-c", classes, "-m", tiny_clip, "-f", "jsonl")
    assert labelled.exit_code == 0, labelled.stderr
    paths = [Path(row["path"]) for row in read_jsonl(labelled.stdout)]
    assert sorted(path.parent.name for path in paths) == ["set b"] * 3


def test_a_moved_folder_that_two_models_hold_gets_a_command_for_each(
    tiny_clip, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    write_images(Path("old"), 2)
    embedded(Path("old"), Path("s.zsl"), tiny_clip)
    embedded(Path("old"), Path("s.zsl"), tiny_clip, "--exact-preprocessing")
    Path("old").rename("new")
    refused = run(
        "label", "--embeddings", "s.zsl", "old", "-c", two_classes(tmp_path), "-m", tiny_clip
    )
    assert refused.exit_code == 2
    commands = commands_in(refused.stderr)
    assert [("--exact-preprocessing" in command) for command in commands] == [False, True]
    for command in commands:
        assert run(*command).exit_code == 0
    for extra in ([], ["--exact-preprocessing"]):  # neither model holds an image any more
        emptied = run(
            "label", "--embeddings", "s.zsl", "-c", "classes.txt", "-m", tiny_clip, *extra
        )
        assert emptied.exit_code == 2 and "every image stored was forgotten" in emptied.stderr


@pytest.mark.parametrize("command", ["label", "embed", "hubness"])
def test_a_precision_as_run_info_records_it_is_taken(tiny_clip, tmp_path, command):
    # Run info says "float32"; --precision took only fp32, so a recorded run could not be
    # repeated from what it recorded.
    images, store = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 2)
    classes = two_classes(tmp_path)
    output = tmp_path / "p.csv"
    first = run("label", images, "-c", classes, "-m", tiny_clip, "-o", output)
    assert first.exit_code == 0, first.stderr
    recorded = json.loads(Path(f"{output}.run.json").read_text())["model"]["precision"]
    assert recorded == "float32"
    args = {
        "label": [images, "-c", classes, "-o", output],
        "embed": [images, "--store", store],
        "hubness": [images, "-c", classes],
    }[command]
    again = run(command, *args, "-m", tiny_clip, "--precision", recorded)
    assert again.exit_code == 0, again.stderr
    if command == "label":
        assert json.loads(Path(f"{output}.run.json").read_text())["model"]["precision"] == recorded
    # The other spellings are no choice still.
    refused = run(command, *args, "-m", tiny_clip, "--precision", "float64")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "zsl: error: --precision float64: choose auto, fp32, fp16 or bf16 (or as run info "
        "records them: float32, float16, bfloat16)\n"
    )


def test_a_half_precision_alias_is_that_precision(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 2)
    summary = embedded(images, store, tiny_clip, "--precision", "bfloat16")
    assert summary["encoded"] == 2
    # The store holds the model in bf16: bf16 adds to it, fp32 is another precision.
    assert run("embed", images, "-s", store, "-m", tiny_clip, "--precision", "bf16").exit_code == 0
    refused = run("embed", images, "-s", store, "-m", tiny_clip, "--precision", "fp32")
    assert refused.exit_code == 2 and "encoded in bfloat16, not float32" in refused.stderr
