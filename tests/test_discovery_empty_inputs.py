"""A folder or glob named as an argument that gives no image, while the other arguments do, is
said in a warning: a mistyped folder, or one holding the wrong files, was dropped without a word."""

from __future__ import annotations

import io
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app
from zsl_cli.discovery import scan


def test_scan_names_the_arguments_that_gave_nothing(tmp_path: Path) -> None:
    write_images(tmp_path / "photos", 2)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("no image")
    (tmp_path / "looks_like.png").mkdir()  # a folder named like an image, and empty
    photos, notes, folder = (str(tmp_path / name) for name in ("photos", "notes", "looks_like.png"))
    text_glob = str(tmp_path / "notes" / "*.txt")

    found = scan([photos, notes, folder, text_glob])

    assert len(found.paths) == 2
    assert found.empty_inputs == [notes, folder, text_glob]
    assert scan([photos, str(tmp_path / "photos" / "*.png")]).empty_inputs == []


def test_nothing_is_said_where_no_argument_gave_an_image(tmp_path: Path) -> None:
    """An embed of emptied folders is a scan that finds nothing: no argument stands out."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    found = scan([str(tmp_path / "a"), str(tmp_path / "b")], allow_empty=True)
    assert found.paths == [] and found.empty_inputs == []


def test_entries_of_a_stdin_list_are_not_named(tmp_path: Path) -> None:
    """`find photos | zsl label -` lists every folder, empty ones too: no warning for each."""
    write_images(tmp_path / "photos", 1)
    (tmp_path / "photos" / "empty").mkdir()
    listing = f"{tmp_path / 'photos'}\n{tmp_path / 'photos' / 'empty'}\n".encode()
    assert scan(["-"], stdin=io.BytesIO(listing)).empty_inputs == []


def test_label_warns_on_stderr(tmp_path: Path) -> None:
    write_images(tmp_path / "photos", 2)
    (tmp_path / "photo2.png").mkdir()
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n")
    output = tmp_path / "out.csv"
    args = ["label", str(tmp_path / "photos"), str(tmp_path / "photo2.png"), "-c", str(classes)]

    result = CliRunner().invoke(app, [*args, "-m", "shapes-demo", "-o", str(output)])

    assert result.exit_code == 0, result.output
    said = f"no images found in {tmp_path / 'photo2.png'}, so it adds nothing to the run"
    assert said in " ".join(result.stderr.split())
    assert len(output.read_text().splitlines()) == 3  # the header and the two images


def test_embed_says_nothing_of_an_emptied_folder(tmp_path: Path) -> None:
    """For embed an emptied folder is how its images' embeddings leave the store, with
    --forget-missing (without it they are kept, with a warning of its own: an unmounted drive
    looks the same), not a folder to warn of as giving no image."""
    write_images(tmp_path / "photos", 2, size=(32, 32))
    write_images(tmp_path / "old", 1, size=(32, 32))
    command = ["embed", str(tmp_path / "photos"), str(tmp_path / "old")]
    command += ["-s", str(tmp_path / "store.zsl"), "-m", "shapes-demo"]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0, first.output
    (tmp_path / "old" / "img_000.png").unlink()

    kept = CliRunner().invoke(app, command)
    done = CliRunner().invoke(app, [*command, "--forget-missing"])

    assert kept.exit_code == 0, kept.output
    said = " ".join(kept.stderr.split())
    assert "0 removed" in said and "kept the 1 stored image under" in said
    assert "no images found" not in said
    assert done.exit_code == 0, done.output
    said = " ".join(done.stderr.split())
    assert "1 removed" in said and "no images found" not in said
