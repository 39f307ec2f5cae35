"""A --revision that no model it names can have (a bundled model or a model folder has one
version; an empty one names none) is refused before the inputs are scanned, which for a large
folder or a path list typed at a terminal takes the user's time, not only at the model load."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli import api
from zsl_cli.errors import ZslError

LOCAL = "--revision v1: a revision chooses a version of a model on the Hugging Face hub; "


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("circle\nsquare\n")
    return path


@pytest.mark.parametrize("command", ["label", "embed", "hubness"])
def test_a_revision_of_a_bundled_model_is_refused_before_the_scan(command, classes, tmp_path):
    # The missing folder would be reported first, were the folder scanned first.
    missing = tmp_path / "no-such-folder"
    options = ["--store", tmp_path / "s.db"] if command == "embed" else ["-c", classes]
    result = run(command, missing, *options, "-m", "shapes-demo", "--revision", "v1")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"zsl: error: {LOCAL}shapes-demo is a local folder or a bundled model, which has one "
        "version: leave --revision out\n"
    )
    assert not (tmp_path / "s.db").exists()


def test_a_revision_of_a_model_folder_is_refused_before_the_scan(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    request = api.EmbedRequest(
        store=tmp_path / "s.db",
        inputs=api.InputOptions(paths=[tmp_path / "no-such-folder"]),
        model=api.ModelOptions(name=folder, revision="v1"),
    )
    with pytest.raises(ZslError) as info:
        api.embed(request)
    assert info.value.message.startswith(f"{LOCAL}{folder} is a local folder")


@pytest.mark.parametrize("revision", ["", " "])
def test_an_empty_revision_is_refused_before_the_scan(classes, tmp_path, revision):
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=[tmp_path / "no-such-folder"]),
        classes=api.ClassOptions(classes=classes),
        model=api.ModelOptions(name="acme/tiny-clip", revision=revision),
        output=None,
    )
    with pytest.raises(ZslError) as info:
        api.label(request)
    assert info.value.message.startswith("--revision is empty")


def test_a_revision_of_a_hub_model_still_reaches_the_scan(classes, tmp_path):
    # A hub id may have the revision: the run goes on to the inputs, whose error comes first.
    result = run(
        "label", tmp_path / "no-such-folder", "-c", classes, "-m", "acme/x", "--revision", "v1"
    )
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_a_loaded_encoder_is_used_whatever_revision_the_request_names(classes, tmp_path):
    # With `encoder=` the request's model options other than the pace are not read: its
    # revision is not refused.
    image_folder = tmp_path / "images"
    image_folder.mkdir()
    from tests.helpers import write_images

    write_images(image_folder, 1)
    encoder = api.open_encoder(api.ModelOptions(name="shapes-demo", device="cpu"))
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=[image_folder]),
        classes=api.ClassOptions(classes=classes),
        model=api.ModelOptions(name="shapes-demo", revision="v1"),
        output=None,
    )
    assert api.label(request, encoder=encoder).total == 1
