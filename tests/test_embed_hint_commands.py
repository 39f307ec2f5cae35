"""The `zsl embed` commands that hints and warnings tell a user to run, run as they are shown
(PATH... replaced by the paths), fix what they were shown for: they choose the model, its
preprocessing and precision as the store holds them, quoted for a shell."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from tests.helpers import write_images
from tests.store_helpers import copy_model, identities, rows_by_model
from zsl_cli.cli import app
from zsl_cli.defaults import DEFAULT_MODEL
from zsl_cli.store import embed_options


def run(*args: str | Path):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def run_in_shell(shown: str, paths: Path) -> Result:
    """`shown`, a `zsl embed PATH... ...` command line, split into words by a shell as a user
    would paste it, then run in-process: the shell's quoting is what is checked, not a fresh
    interpreter."""
    assert shown.startswith("zsl embed PATH... "), shown
    words = "printf '%s\\0'"
    line = shown.replace("zsl", words, 1).replace("PATH...", shlex.quote(str(paths)), 1)
    split = subprocess.run(["sh", "-c", line], capture_output=True, check=True).stdout
    return run(*split.decode().split("\0")[:-1])


def test_the_hint_to_bring_images_into_the_store_keeps_the_exact_preprocessing(
    tiny_clip: Path, tmp_path: Path
) -> None:
    # The hint left --exact-preprocessing out: its command stored the images under the fast
    # preprocessing's identity, and the next label found them as missing as before.
    images, store, classes = tmp_path / "images", tmp_path / "my store.zsl", tmp_path / "c.txt"
    paths = write_images(images, 2)
    classes.write_text("cat\ndog\n")
    model = ("-m", tiny_clip, "--exact-preprocessing")
    assert run("embed", images, "--store", store, *model).exit_code == 0
    shutil.copy(paths[0], images / "new.png")
    label = ("label", images, "--embeddings", store, "-c", classes, *model)
    result = run(*label, "-o", tmp_path / "out.csv")
    assert "1 failed: not_embedded 1" in result.stderr, result.stderr
    hint = next(line for line in result.stderr.splitlines() if line.startswith("hint: "))
    shown = hint.split(" with ", 1)[1].split(" (PATH...", 1)[0]
    embedded = run_in_shell(shown, images)
    assert embedded.exit_code == 0, embedded.stderr
    again = run(*label, "-o", tmp_path / "again.csv")
    assert again.exit_code == 0 and "Labelled 3 of 3 images" in again.stderr, again.stderr
    assert "hint: " not in again.stderr


def test_the_warning_on_an_older_zsls_vectors_names_the_model_to_refresh_them_with(
    tiny_clip: Path, tmp_path: Path
) -> None:
    # It said `zsl embed PATH... --store old.zsl`: run as shown, that embedded with the default
    # model (not available offline), and the warning stayed.
    images, classes = tmp_path / "images", tmp_path / "c.txt"
    write_images(images, 2)
    classes.write_text("cat\ndog\n")
    current, old = tmp_path / "now.zsl", tmp_path / "old store.zsl"
    assert run("embed", images, "--store", current, "-m", tiny_clip).exit_code == 0
    identity, former = identities(tiny_clip)
    copy_model(current, old, former[0])
    label = ("label", images, "--embeddings", old, "-c", classes, "-m", tiny_clip)
    result = run(*label, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    warning = " ".join(result.stderr.split())
    shown = warning.split("run `", 1)[1].split("` to refresh them", 1)[0]
    assert shlex.split(shown)[3:] == ["--store", str(old), "-m", str(tiny_clip)]
    exported = run("embed", "--store", old, "-m", tiny_clip, "--export", tmp_path / "old.npy")
    assert exported.exit_code == 0, exported.stderr
    assert shown in " ".join(exported.stderr.split())
    embedded = run_in_shell(shown, images)
    assert embedded.exit_code == 0, embedded.stderr
    assert rows_by_model(old) == {identity: 2}
    again = run(*label, "-o", tmp_path / "again.csv")
    assert again.exit_code == 0 and "older zsl" not in again.stderr, again.stderr


def test_embed_options_leave_out_only_what_embed_takes_without_them() -> None:
    assert embed_options(DEFAULT_MODEL, exact=False) == ""
    assert embed_options(DEFAULT_MODEL, exact=True, precision="float16") == (
        "--exact-preprocessing --precision fp16"
    )
    assert embed_options("my models/clip", exact=False, revision="v 2") == (
        "-m 'my models/clip' --revision 'v 2'"
    )
    # A precision zsl does not name (an Encoder of a caller's own) is left to embed's default.
    assert embed_options("org/model", exact=False, precision="float64") == "-m org/model"
