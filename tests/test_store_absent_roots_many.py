"""Which roots of a scan are absent, and which stale paths each holds, where the roots are many,
nested, prefixes of one another's names, or spelled through a link: what the plan keeps and
names must not depend on how the stale paths are matched to the roots (a path list naming each
deleted file makes as many roots as files)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from tests.store_helpers import encoded, images_in
from zsl_cli.cli import app
from zsl_cli.store import AbsentRoot, EmbeddingStore, _absent_roots


def test_a_path_list_of_deleted_files_names_each_file_once_in_its_order(tmp_path: Path) -> None:
    images = tmp_path / "images"
    names = [f"img_{n:03d}.png" for n in range(40)]
    gone = images_in(images, [*names, "left.png"])[:-1]
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, images)
        for path in gone:
            path.unlink()
        # The list unsorted, one file named twice, one never stored: each root once, in the
        # list's order; the one holding nothing stored is not named.
        roots = [str(p) for p in reversed(gone)] + [str(gone[3]), str(images / "never.png")]
        plan = store.plan(model, [], roots)
        assert (plan.stale, plan.kept) == ([], 40)
        assert plan.absent == [AbsentRoot(str(p), True, 1) for p in reversed(gone)]
        plan = store.plan(model, [], roots, forget_absent=True)
        assert plan.stale == [str(p) for p in gone]
        assert (plan.kept, len(plan.absent)) == (0, 40)


def test_nested_missing_roots_each_count_the_paths_under_them(tmp_path: Path) -> None:
    top = tmp_path / "top"
    images_in(top, ["a.png"])
    images_in(top / "sub", ["b.png", "c.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, top)
        for path in sorted(top.rglob("*.png")):
            path.unlink()
        (top / "sub").rmdir()
        top.rmdir()
        sub, b = top / "sub", top / "sub" / "b.png"
        plan = store.plan(model, [], [str(sub), str(top), str(b)])
        # A path under two roots counts in each; kept counts it once.
        assert plan.absent == [
            AbsentRoot(str(sub), True, 2),
            AbsentRoot(str(top), True, 3),
            AbsentRoot(str(b), True, 1),
        ]
        assert (plan.stale, plan.kept) == ([], 3)


def test_a_root_whose_name_begins_another_holds_only_its_own_folder(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    images_in(photos / "ab", ["x.png"])
    images_in(photos / "abc", ["y.png"])
    images_in(photos / "a", ["z.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, photos)
        for name in ("ab/x.png", "abc/y.png", "a/z.png"):
            (photos / name).unlink()
        (photos / "ab").rmdir()
        (photos / "a").rmdir()
        ab, a, abc = photos / "ab", photos / "a", photos / "abc"
        plan = store.plan(model, [], [str(ab), str(a), str(abc)])
        assert plan.absent == [
            AbsentRoot(str(ab), True, 1),
            AbsentRoot(str(a), True, 1),
            AbsentRoot(str(abc), False, 1),  # still there, holding nothing
        ]
        assert (plan.stale, plan.kept) == ([], 3)


def test_roots_spelled_differently_are_one_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = tmp_path / "images"
    gone = images_in(images / "old", ["a.png", "b.png"])
    images_in(images, ["left.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, images)
        for path in gone:
            path.unlink()
        (images / "old").rmdir()
        monkeypatch.chdir(tmp_path)
        roots = ["images/old/", str(images / "old"), "images/./old", "images//old", "./images/old"]
        plan = store.plan(model, [], roots)
        assert plan.absent == [AbsentRoot(str(images / "old"), True, 2)]
        assert (plan.stale, plan.kept) == ([], 2)


def test_linked_roots_and_paths_stored_through_links(tmp_path: Path) -> None:
    real, other = tmp_path / "real", tmp_path / "other"
    images_in(real, ["a.png"])
    images_in(other, ["b.png"])
    (tmp_path / "to-real").symlink_to(real, target_is_directory=True)
    (tmp_path / "to-other").symlink_to(other, target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, real)  # stored as real/a.png, scanned through to-real
        encoded(store, tmp_path / "to-other")  # stored as to-other/b.png, scanned as other
        images_in(tmp_path / "plain", ["c.png"])
        encoded(store, tmp_path / "plain")
        for path in (real / "a.png", other / "b.png", tmp_path / "plain" / "c.png"):
            path.unlink()
        roots = [str(tmp_path / "to-real"), str(other), str(tmp_path / "plain")]
        plan = store.plan(model, [], roots)
        assert plan.absent == [
            AbsentRoot(str(tmp_path / "to-real"), False, 1),
            AbsentRoot(str(other), False, 1),
            AbsentRoot(str(tmp_path / "plain"), False, 1),
        ]
        assert (plan.stale, plan.kept) == ([], 3)


def test_a_root_that_is_itself_a_stale_path(tmp_path: Path) -> None:
    # Missing, the root is the deleted file it names; there, a folder in a file's place, it
    # holds only what is below it, and the file it replaced is gone.
    root = os.fsencode(tmp_path / "x")
    below = os.path.join(root, b"y.png")
    assert _absent_roots([root, below], [str(tmp_path / "x")]) == (
        [AbsentRoot(str(tmp_path / "x"), True, 2)],
        {root, below},
    )
    (tmp_path / "x").mkdir()
    assert _absent_roots([root, below], [str(tmp_path / "x")]) == (
        [AbsentRoot(str(tmp_path / "x"), False, 1)],
        {below},
    )
    (tmp_path / "x" / "note.txt").write_text("a file")
    assert _absent_roots([root, below], [str(tmp_path / "x")]) == ([], set())


def test_many_roots_and_an_empty_folder_below_one(tmp_path: Path) -> None:
    # The roots' pass comes first; a path it kept is not counted again under an empty folder.
    top, empty = tmp_path / "top", tmp_path / "top" / "mnt"
    empty.mkdir(parents=True)
    (top / "home.png").write_bytes(b"pixels")
    stale = [os.fsencode(empty / f"{n}.png") for n in range(5)]
    roots = [str(empty / "0.png"), str(empty / "1.png"), str(top)]
    absent, kept = _absent_roots(stale, roots, [str(empty)])
    assert absent == [
        AbsentRoot(str(empty / "0.png"), True, 1),
        AbsentRoot(str(empty / "1.png"), True, 1),
        AbsentRoot(str(empty), False, 3, below=True),
    ]
    assert kept == set(stale)


def test_a_path_list_of_gone_and_never_stored_files_through_the_cli(
    tiny_clip, tmp_path: Path
) -> None:
    images, store = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 6)
    stored = sorted(images.iterdir())
    out = tmp_path / "run.json"
    command = ["embed", "-", "--store", store, "-m", tiny_clip, "--json", out]
    CliRunner().invoke(app, [str(arg) for arg in command], input=f"{images}\n")
    for path in stored[:4]:
        path.unlink()
    never = [tmp_path / "nowhere" / f"n{n}.png" for n in (3, 1, 2)]
    listed = [*stored[3::-1], *never, stored[4], stored[0]]
    stdin = "".join(f"{path}\n" for path in listed)
    result = CliRunner().invoke(app, [str(arg) for arg in command], input=stdin)
    report = json.loads(out.read_text())
    assert result.exit_code == 0, result.stderr  # an image was found: the rest are reported
    assert (report["found"], report["kept"], report["removed"]) == (4, 4, 0)
    assert [u["path"] for u in report["unreachable_files"]] == sorted(str(p) for p in never)
    said = " ".join(result.stderr.split())
    shown = ", ".join(f"{p} (missing)" for p in stored[3:0:-1])
    where = "4 paths that are missing or hold no files"
    assert f"kept the 4 stored images under {where}: {shown}, ... (1 more)" in said
    forget = [*command, "--forget-missing"]
    result = CliRunner().invoke(app, [str(arg) for arg in forget], input=stdin)
    report = json.loads(out.read_text())
    assert result.exit_code == 0, result.stderr
    assert (report["found"], report["kept"], report["removed"]) == (1, 0, 4)
    nowhere = sorted(str(p) for p in never)
    assert (report["unreachable"], report["not_found"]) == (0, nowhere)
    said = " ".join(result.stderr.split())
    assert f"holds nothing under them: nothing to forget there ({', '.join(nowhere)})" in said
