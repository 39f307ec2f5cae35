"""A collection moved with its store (`mv o o_moved`): the store holds its images under the old
place, which is gone; embedded at the new place too, each image is held twice, and a whole-store
label or hubness counts it twice. zsl names the gone folder and the `zsl embed --forget-missing`
that forgets it; not where the old folder is still there, nor where the names do not match."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.helpers import embed, run, write_images
from zsl_cli import store as store_module
from zsl_cli.store import GoneCopy, gone_copies

MODEL = "shapes-demo"


def _collection(root: Path) -> tuple[Path, Path, Path]:
    """photos/{a,b} (3 images each) and a class file under `root`, embedded into root/s.db."""
    photos = root / "photos"
    write_images(photos / "a", 3, seed=1)
    write_images(photos / "b", 3, seed=2)
    classes = root / "classes.txt"
    classes.write_text("red circle\nblue square\ngreen triangle\n")
    code, report, stderr = embed(root / "s.db", MODEL, photos)
    assert code == 0 and report["encoded"] == 6, stderr
    return photos, root / "s.db", classes


def _commands(stderr: str) -> list[str]:
    return re.findall(r"`(zsl embed [^`]*--forget-missing)`", " ".join(stderr.split()))


def _gone_copies_told(stderr: str, old: Path, new: Path, counts_twice: str) -> str:
    """The one warning of the images held under `old` and `new`, checked for each fact it tells:
    that `old` is gone, what makes them copies, that a drive or share not mounted looks the same,
    who counts each twice (`counts_twice`) and the command that forgets them (returned)."""
    warnings = [line for line in stderr.splitlines() if line.startswith("warning:")]
    [said] = [line for line in warnings if "(gone" in line]
    assert f"under {old} (gone, or an unmounted drive or share)" in said
    assert f"{new} (same names, sizes and times)" in said
    assert f"{counts_twice} counts each twice" in said
    (command,) = _commands(said)
    assert said.endswith(f"; if they moved, `{command}` forgets the old copies")
    return command


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def test_a_collection_moved_with_its_store_is_told_with_the_command_that_forgets_the_old_place(
    tmp_path,
):
    old_photos, _, _ = _collection(tmp_path / "o")
    (tmp_path / "o").rename(tmp_path / "o_moved")
    moved = tmp_path / "o_moved"
    photos, store, classes = moved / "photos", moved / "s.db", moved / "classes.txt"
    forget = f"zsl embed {shlex.quote(str(old_photos))} --store {shlex.quote(str(store))}"

    # Labelled at the new place: every image is not_embedded, and the store holds them all at
    # the old one, which the warning names with the command that forgets them there.
    labelled = run("label", "--embeddings", store, photos, "-c", classes, "-m", MODEL, "-o",
                   moved / "m.csv")  # fmt: skip
    assert labelled.exit_code == 1, labelled.stderr
    assert f"{store}: 6 of the not_embedded images, under {photos} " in labelled.stderr
    assert f"have copies held under {old_photos} (gone" in labelled.stderr
    once_embedded = "once they are embedded here, a whole-store label or hubness"
    command = _gone_copies_told(labelled.stderr, old_photos, photos, once_embedded)
    assert command.startswith(forget) and f"-m {MODEL}" in command

    # Embedded at the new place: each image is held twice from now on, which embed says.
    code, report, stderr = embed(store, MODEL, photos)
    assert code == 0 and report["encoded"] == 6 and report["removed"] == 0
    assert f"{store}: 6 images held twice, under " in stderr
    told = _gone_copies_told(stderr, old_photos, photos, "a whole-store label or hubness")
    assert told == command

    # A whole-store label or hubness counts each twice, and says so.
    whole = run("label", "--embeddings", store, "-c", classes, "-m", MODEL, "-o", moved / "w.csv")
    assert whole.exit_code == 0 and len(_rows(moved / "w.csv")) == 12
    assert f"{store}: 6 images held twice, under " in whole.stderr
    assert _gone_copies_told(whole.stderr, old_photos, photos, "this run") == command
    measured = run("hubness", "--embeddings", store, "-c", classes, "-m", MODEL)
    assert measured.exit_code == 0 and _commands(measured.stderr) == [command]

    # The command given forgets the old entries: nothing held twice, nothing said.
    forgotten = run(*shlex.split(command)[1:], "--json", moved / "forgot.json")
    assert forgotten.exit_code == 0, forgotten.stderr
    assert json.loads((moved / "forgot.json").read_text())["removed"] == 6
    code, report, stderr = embed(store, MODEL, photos)
    assert code == 0 and report["reused"] == 6 and "gone" not in stderr, stderr
    whole = run("label", "--embeddings", store, "-c", classes, "-m", MODEL, "-o", moved / "w.csv")
    assert whole.exit_code == 0 and "gone" not in whole.stderr, whole.stderr
    assert len(_rows(moved / "w.csv")) == 6


def test_two_copies_on_purpose_or_other_images_are_not_told_as_moved(tmp_path):
    photos, store, classes = _collection(tmp_path)
    # A copy beside the original, which is still there: two copies on purpose.
    shutil.copytree(photos, tmp_path / "copy")
    code, report, stderr = embed(store, MODEL, tmp_path / "copy")
    assert code == 0 and report["encoded"] == 6 and "gone" not in stderr, stderr
    whole = run(
        "label", "--embeddings", store, "-c", classes, "-m", MODEL, "-o", tmp_path / "w.csv"
    )
    assert whole.exit_code == 0 and "gone" not in whole.stderr, whole.stderr

    # The original gone, and at the new place other images: other names, or the same names
    # of other sizes.
    shutil.rmtree(tmp_path / "copy")
    photos.rename(tmp_path / "old")
    write_images(tmp_path / "renamed" / "a", 3, seed=1)
    for image in (tmp_path / "renamed" / "a").iterdir():
        image.rename(image.with_name("x_" + image.name))
    write_images(tmp_path / "resized" / "a", 3, seed=1, size=(60, 50))
    for other in ("renamed", "resized"):
        code, report, stderr = embed(store, MODEL, tmp_path / other)
        assert code == 0 and report["encoded"] == 3 and "gone" not in stderr, stderr
    whole = run(
        "label", "--embeddings", store, "-c", classes, "-m", MODEL, "-o", tmp_path / "w.csv"
    )
    assert whole.exit_code == 0 and "gone" not in whole.stderr, whole.stderr


def test_gone_copies_stats_each_folder_once_and_compares_a_common_name_a_few_times(
    tmp_path, monkeypatch
):
    # 20,000 stored images named alike (one per folder, as datasets lay them out), all in
    # folders gone, and as many found: the pairs are looked up, not compared N x N, and each
    # stored folder is asked after once.
    gone, there = tmp_path / "gone", tmp_path / "there"
    n = 20_000
    stored = {os.fsencode(f"{gone}/{i:05d}/image.jpg"): (100, 7) for i in range(n)}
    present: dict[bytes, tuple[int, int] | None] = {
        os.fsencode(f"{there}/{i:05d}/image.jpg"): (100, 7) for i in range(n)
    }
    asked: list[object] = []
    isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda path: asked.append(path) or isdir(path))
    compared: list[object] = []
    diverging = store_module._diverging
    monkeypatch.setattr(
        store_module, "_diverging", lambda a, b: compared.append(a) or diverging(a, b)
    )
    copies = gone_copies(stored, present)
    assert len(asked) == n and len(compared) <= store_module.COPIES_COMPARED * n
    # Each found image pairs with the one in the folder of its name alone.
    assert copies == [GoneCopy(str(gone), str(there), n)]


@pytest.mark.parametrize("whole", [True, False])
def test_gone_copies_needs_the_folder_the_paths_differ_at_gone(tmp_path, whole):
    # /x/old/a/1.png stored, /x/new/a/1.png there: /x/old/a is gone, and so must /x/old be; a
    # folder emptied of one class (old/a) beside old/b is images deleted, not moved.
    write_images(tmp_path / "new" / "a", 2)
    write_images(tmp_path / "old" / "b", 1)
    stored = {
        os.fsencode(str(tmp_path / "old" / "a" / p.name)): version(p)
        for p in (tmp_path / "new" / "a").iterdir()
    }
    present = {os.fsencode(str(p)): None for p in (tmp_path / "new" / "a").iterdir()}
    if whole:
        stored.update({key: version(key) for key in present})
    assert gone_copies(stored, None if whole else present) == []
    shutil.rmtree(tmp_path / "old")
    expected = [GoneCopy(str(tmp_path / "old" / "a"), str(tmp_path / "new" / "a"), 2)]
    assert gone_copies(stored, None if whole else present) == expected


def version(path: str | bytes | os.PathLike[str]) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


@pytest.mark.parametrize("whole", [True, False])
def test_images_of_one_name_and_size_written_at_other_times_are_no_copies(tmp_path, whole):
    # A camera's frames: frame_0000.bmp, of one size, in each session's folder.
    stored = {
        os.fsencode(f"{tmp_path}/session1/frame_{i:04d}.bmp"): (3126, 1_000_000_000 + i)
        for i in range(3)
    }
    present: dict[bytes, tuple[int, int] | None] = {
        os.fsencode(f"{tmp_path}/session2/frame_{i:04d}.bmp"): (3126, 9_000_000_000 + i)
        for i in range(3)
    }
    if whole:
        (tmp_path / "session2").mkdir()
        stored.update(present)
    assert gone_copies(stored, None if whole else present) == []


def test_a_gone_folder_is_told_once_for_its_images_however_many_folders_look_alike(tmp_path):
    # Copies in two folders still there (s2, s3) of what s1 held: each stored image of s1
    # pairs once, not once for each folder holding its look-alike.
    for folder in ("s2", "s3"):
        (tmp_path / folder).mkdir()
    alike = {f"frame_{i}.png": (100 + i, 5_000 + i) for i in range(3)}
    stored = {
        os.fsencode(f"{tmp_path}/{folder}/{name}"): stat
        for folder in ("s1", "s2", "s3")
        for name, stat in alike.items()
    }
    [copy] = gone_copies(stored)
    assert copy.path == f"{tmp_path}/s1" and copy.images == 3
