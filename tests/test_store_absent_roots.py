"""A scanned path that is missing or holds no file at all keeps its stored images.

An unmounted USB drive or network share leaves an empty mount point (or no folder at all): a cron
`zsl embed` run then found nothing there and forgot every image stored under it, exit 0, without
a word ("0 images found, 0 encoded, 0 reused, 90 removed"). Now those images are kept, with a
warning, and `--forget-missing` forgets them. Files gone from a path that still holds files are
forgotten as before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import write_images
from tests.store_helpers import encoded, images_in, stored_paths
from zsl_cli.cli import app
from zsl_cli.store import AbsentRoot, EmbeddingStore

# -- the plan --------------------------------------------------------------------------------


def test_a_root_that_holds_no_file_keeps_its_stored_images_unless_asked(tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    images_in(usb / "photos", ["a.png", "b.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, usb)
        for path in (usb / "photos").iterdir():
            path.unlink()  # as an unmounted drive's mount point: empty folders at most
        plan = store.plan(model, [], [str(usb)])
        assert (plan.stale, plan.kept) == ([], 2)
        assert plan.absent == [AbsentRoot(str(usb), missing=False, stored=2)]
        plan = store.plan(model, [], [str(usb)], forget_absent=True)
        assert plan.stale == [str(usb / "photos" / "a.png"), str(usb / "photos" / "b.png")]
        assert plan.kept == 0
        # A hidden file, or a file of another extension, is something the folder holds: what
        # is gone from it was deleted.
        (usb / "photos" / ".DS_Store").write_bytes(b"")
        plan = store.plan(model, [], [str(usb)])
        assert (len(plan.stale), plan.kept, plan.absent) == (2, 0, [])


def test_a_missing_root_keeps_its_stored_images_unless_asked(tmp_path: Path) -> None:
    images_in(tmp_path / "media" / "x", ["a.png"])
    kept = images_in(tmp_path / "kept", ["k.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, tmp_path / "media")
        encoded(store, tmp_path / "kept")
        (tmp_path / "media" / "x" / "a.png").unlink()
        (tmp_path / "media" / "x").rmdir()
        root = str(tmp_path / "media" / "x")
        plan = store.plan(model, [], [root, str(kept[0])])
        assert (plan.stale, plan.kept) == ([], 1)
        assert plan.absent == [AbsentRoot(root, missing=True, stored=1)]
        assert store.plan(model, [], [root], forget_absent=True).stale == [f"{root}/a.png"]


def test_a_root_that_still_holds_files_forgets_what_is_gone_from_it(tmp_path: Path) -> None:
    images = tmp_path / "images"
    gone = images_in(images, ["a.png", "b.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, images)
        for path in gone:
            path.unlink()
        (images / "notes.txt").write_text("not an image, but a file")
        plan = store.plan(model, [], [str(images)])
        assert (plan.stale, plan.kept, plan.absent) == ([str(p) for p in gone], 0, [])


def test_a_linked_root_keeps_images_stored_through_its_target(tmp_path: Path) -> None:
    # Stored as mnt/usb/*.png, scanned as the link data -> mnt/usb, now an empty mount point.
    usb = tmp_path / "mnt" / "usb"
    images_in(usb, ["a.png"])
    (tmp_path / "data").symlink_to(usb, target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, usb)
        (usb / "a.png").unlink()
        plan = store.plan(model, [], [str(tmp_path / "data")], [str(tmp_path / "data")])
        assert (plan.stale, plan.kept) == ([], 1)


# -- through the CLI -------------------------------------------------------------------------


def run(*args, stdin: str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin)


def embed(store: Path, model: Path, *args, stdin: str | None = None) -> tuple[int, dict, str]:
    out = store.with_suffix(".run.json")
    result = run("embed", *args, "--store", store, "-m", model, "--json", out, stdin=stdin)
    return result.exit_code, json.loads(out.read_text()), result.stderr


def test_an_empty_mount_point_keeps_its_images_with_a_warning(tiny_clip, tmp_path: Path) -> None:
    usb, store = tmp_path / "usb", tmp_path / "s.zsl"
    write_images(usb / "photos", 3)
    assert embed(store, tiny_clip, usb)[1]["encoded"] == 3
    for path in (usb / "photos").iterdir():  # unmounted: what is left is an empty folder
        path.unlink()
    code, report, stderr = embed(store, tiny_clip, usb)
    assert code == 0
    assert (report["found"], report["removed"], report["kept"]) == (0, 0, 3)
    assert len(stored_paths(store, tiny_clip)) == 3
    said = " ".join(stderr.split())
    assert f"kept the 3 stored images under {usb}, which holds no files" in said
    assert "not mounted looks the same" in said and "--forget-missing" in said
    assert "0 encoded, 0 reused, 0 removed, 3 kept" in said  # the summary line counts them
    # Asked to, it forgets them.
    code, report, stderr = embed(store, tiny_clip, usb, "--forget-missing")
    assert (code, report["removed"], report["kept"]) == (0, 3, 0)
    assert "kept" not in stderr
    assert stored_paths(store, tiny_clip) == []


def test_forgetting_a_moved_folder_through_a_path_list_exits_0(tiny_clip, tmp_path: Path) -> None:
    # The README's recipe: `echo old/folder | zsl embed - --store s.zsl -m MODEL` forgot the
    # images, but counted the folder as an image found that could not be read, and exited 1
    # ("No image embedded: none of the 1 image found can be used").
    images, store = tmp_path / "big", tmp_path / "s.zsl"
    write_images(images, 3)
    embed(store, tiny_clip, images)
    os.rename(images, tmp_path / "big.moved")
    code, report, stderr = embed(store, tiny_clip, "-", stdin=f"{images}\n")
    assert code == 0, stderr
    assert (report["found"], report["unreachable"], report["removed"]) == (0, 0, 0)
    assert report["kept"] == 3
    assert f"under {images}, which is missing" in " ".join(stderr.split())
    code, report, stderr = embed(store, tiny_clip, "-", "--forget-missing", stdin=f"{images}\n")
    assert code == 0, stderr
    assert (report["found"], report["unreachable"], report["removed"]) == (0, 0, 3)
    assert "No image embedded" not in stderr
    assert stored_paths(store, tiny_clip) == []


def test_a_moved_folder_named_as_an_argument_is_forgotten_with_forget_missing(
    tiny_clip, tmp_path: Path
) -> None:
    # Named on the command line, a folder that is gone was "no such file or directory" even with
    # --forget-missing: only a path list could name it. Without the option it still is.
    images, others, store = tmp_path / "old", tmp_path / "others", tmp_path / "s.zsl"
    write_images(images, 3)
    write_images(others, 2)
    embed(store, tiny_clip, images, others)
    os.rename(images, tmp_path / "old.moved")
    result = run("embed", images, others, "--store", store, "-m", tiny_clip)
    assert result.exit_code == 2 and "no such file or directory" in result.stderr
    code, report, stderr = embed(store, tiny_clip, images, others, "--forget-missing")
    assert code == 0, stderr
    assert (report["found"], report["unreachable"], report["removed"]) == (2, 0, 3)
    assert len(stored_paths(store, tiny_clip)) == 2


def test_a_missing_path_the_store_knows_nothing_of_is_reported_not_found_and_fails_no_run(
    tiny_clip, tmp_path: Path
) -> None:
    # It was an image found that could not be read (exit 1): so the same cleanup run again failed.
    store = tmp_path / "s.zsl"
    write_images(tmp_path / "images", 1)
    embed(store, tiny_clip, tmp_path / "images")
    nowhere = tmp_path / "nowhere"
    code, report, stderr = embed(store, tiny_clip, "-", "--forget-missing", stdin=f"{nowhere}\n")
    assert code == 0, stderr
    assert (report["found"], report["unreachable"], report["removed"]) == (0, 0, 0)
    assert report["not_found"] == [str(nowhere)]
    assert "nothing to forget there" in stderr and "could not be read at all" not in stderr


def test_forget_missing_without_paths_is_refused(tiny_clip, tmp_path: Path) -> None:
    store = tmp_path / "s.zsl"
    write_images(tmp_path / "images", 1)
    embed(store, tiny_clip, tmp_path / "images")
    result = run(
        "embed", "--store", store, "-m", tiny_clip, "--export", tmp_path / "e.npy",
        "--forget-missing",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--forget-missing: without paths" in result.stderr
