"""`zsl hubness` on a store behind its folder says how to bring the images in, as `zsl label`
does."""

from __future__ import annotations

import json
import shlex
import shutil

from typer.testing import CliRunner

from tests.helpers import embedded, write_images
from zsl_cli.cli import app


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_hubness_on_a_store_behind_its_folder_gives_labels_hint_to_embed_the_images(
    tiny_clip, tmp_path
):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    paths = write_images(images, 4)
    embedded(images, store, tiny_clip)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    shutil.copy(paths[0], images / "new.png")
    common = ("--embeddings", store, images, "-c", classes, "-m", tiny_clip)
    label = run("label", *common, "-o", tmp_path / "out.csv")
    label_hint = next(line for line in label.stderr.splitlines() if line.startswith("hint: "))
    # Label's hint, from the same code: the same command, then what to do after it.
    command = label_hint.removeprefix("hint: ").removesuffix("then label again")
    measured = run("hubness", *common, "--json", tmp_path / "h.json")
    assert measured.exit_code == 0, measured.stderr
    warning = "1 image not in the store as it is now (not_embedded 1): not measured; "
    assert f"warning: {warning}{command}then run zsl hubness again" in measured.stderr
    document = json.loads((tmp_path / "h.json").read_text())
    assert document["warnings"] == [f"{warning}{command}then run zsl hubness again"]
    # The command embeds the image with the model measured with: then no warning is left.
    embed = shlex.split(command.split(" with ", 1)[1].split(" (PATH...", 1)[0])
    assert run(*embed[1:2], images, *embed[3:], "-q").exit_code == 0
    again = run("hubness", *common)
    assert again.exit_code == 0 and "warning" not in again.stderr, again.stderr
