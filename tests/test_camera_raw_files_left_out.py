"""Cameras' raw files in a folder: Pillow decodes none of them, so a walk that passes over them
says how many it left out, per extension, where it said nothing (a photographer's NEFs beside
their JPEGs were left out of the run without a word)."""

from __future__ import annotations

import json

from tests.helpers import run, write_images


def _folder_with_raw_files(tmp_path, raw_names):
    folder = tmp_path / "photos"
    write_images(folder, 2, size=(32, 32))
    for name in raw_names:
        (folder / name).write_bytes(b"not decoded")
    (folder / "notes.json").write_text("{}")  # a sidecar: still left out without a word
    classes = tmp_path / "classes.txt"
    classes.write_text("red circle\nblue square\n")
    return folder, classes


def test_label_counts_the_raw_files_it_left_out_per_extension(tmp_path):
    folder, classes = _folder_with_raw_files(tmp_path, ["a.NEF", "b.dng", "c.dng"])
    result = run("label", folder, "-c", classes, "-m", "shapes-demo", "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    paths = [json.loads(line)["path"] for line in result.stdout.splitlines()]
    assert len(paths) == 2 and not any(p.lower().endswith((".nef", ".dng")) for p in paths)
    assert (
        "warning: 3 camera raw files were left out (.dng 2, .nef 1): zsl decodes no raw image; "
        "convert them to JPEG or TIFF (darktable-cli, RawTherapee, dcraw) to label them"
    ) in result.stderr
    assert ".json" not in result.stderr


def test_embed_says_so_of_one_raw_file(tmp_path):
    folder, classes = _folder_with_raw_files(tmp_path, ["IMG_0001.CR2"])
    result = run("embed", folder, "-s", tmp_path / "s.zsl", "-m", "shapes-demo")
    assert result.exit_code == 0, result.stderr
    assert "warning: 1 camera raw file was left out (.cr2 1): zsl decodes no raw image" in (
        result.stderr
    )


def test_a_folder_without_raw_files_gets_no_such_warning(tmp_path):
    folder, classes = _folder_with_raw_files(tmp_path, [])
    result = run("label", folder, "-c", classes, "-m", "shapes-demo")
    assert result.exit_code == 0, result.stderr
    assert "raw" not in result.stderr


def test_gopro_hasselblad_and_phase_one_raw_files_are_counted_too(tmp_path):
    folder, classes = _folder_with_raw_files(tmp_path, ["GOPR0001.GPR", "a.fff", "b.eip"])
    result = run("label", folder, "-c", classes, "-m", "shapes-demo")
    assert result.exit_code == 0, result.stderr
    assert "warning: 3 camera raw files were left out (.eip 1, .fff 1, .gpr 1)" in result.stderr
