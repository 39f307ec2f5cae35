"""An empty folder below a scanned path keeps its stored images, as an empty scanned path does.

An unmounted drive's mount point below the folder embedded (photos/usb-drive/ under photos/) is an
ordinary empty folder while the drive is unmounted: photos/ still held other files, so the next
`zsl embed photos` forgot every image stored from the drive. Now a folder below a scanned path
that holds no entries at all keeps the images stored under it, with the warning an empty scanned
path gives, and `--forget-missing` forgets them. A folder gone entirely, or one that still holds
something, loses what is gone from it as before. The scan notes the empty folders as it lists
them, so the plan walks nothing again.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.discovery import scan
from zsl_cli.encoders import load_encoder
from zsl_cli.store import AbsentRoot, EmbeddingStore, StoredItem, stat_files

DIM = 8


def unit_vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def images_in(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"pixels")
    return [folder / name for name in names]


def store_all(store: EmbeddingStore, folder: Path) -> int:
    model = store.register_model("m", "m", DIM)
    stats, _ = stat_files(sorted(p for p in folder.rglob("*") if p.is_file()))
    store.add(model, [StoredItem(s, "ok", "", unit_vector(i)) for i, s in enumerate(stats)])
    return model


def unmount(folder: Path) -> None:
    """What an unmounted drive leaves of its mount point: the folder, empty."""
    shutil.rmtree(folder)
    folder.mkdir()


def plan_scan(store: EmbeddingStore, model: int, *inputs: str, stdin: str = "", **options):
    discovery = scan(list(inputs), stdin=io.BytesIO(stdin.encode()), allow_empty=True)
    stats, _ = stat_files(discovery.paths)
    return store.plan(
        model,
        stats,
        discovery.roots,
        discovery.folders,
        empty_folders=discovery.empty_folders,
        **options,
    )


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    """photos/ with an image of its own and a drive mounted at photos/usb-drive/ holding three."""
    photos = tmp_path / "photos"
    images_in(photos, ["home.png"])
    images_in(photos / "usb-drive", ["a.png", "b.png"])
    images_in(photos / "usb-drive" / "2023", ["c.png"])
    return photos


# -- the scan and the plan -------------------------------------------------------------------


def test_the_scan_notes_the_empty_folders_it_lists(photos: Path) -> None:
    unmount(photos / "usb-drive")
    (photos / "hidden-only").mkdir()
    (photos / "hidden-only" / ".DS_Store").write_bytes(b"")  # something there: not empty
    (photos / "folders-only" / "empty").mkdir(parents=True)
    discovery = scan([str(photos)], allow_empty=True)
    assert discovery.empty_folders == [
        str(photos / "folders-only" / "empty"),
        str(photos / "usb-drive"),
    ]


def test_an_empty_folder_below_a_root_keeps_its_stored_images(tmp_path: Path, photos: Path) -> None:
    usb = photos / "usb-drive"
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store_all(store, photos)
        unmount(usb)
        plan = plan_scan(store, model, str(photos))
        assert (plan.stale, plan.kept) == ([], 3)
        assert plan.absent == [AbsentRoot(str(usb), missing=False, stored=3, below=True)]
        plan = plan_scan(store, model, str(photos), forget_absent=True)
        assert plan.stale == [str(usb / "2023" / "c.png"), str(usb / "a.png"), str(usb / "b.png")]
        assert (plan.kept, len(plan.absent)) == (0, 1)


def test_a_folder_gone_entirely_or_still_holding_something_forgets_as_before(
    tmp_path: Path, photos: Path
) -> None:
    usb = photos / "usb-drive"
    gone = [str(usb / "2023" / "c.png"), str(usb / "a.png"), str(usb / "b.png")]
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store_all(store, photos)
        shutil.rmtree(usb)  # deleted, or moved: no folder left
        plan = plan_scan(store, model, str(photos))
        assert (plan.stale, plan.kept, plan.absent) == (gone, 0, [])
        usb.mkdir()
        (usb / ".DS_Store").write_bytes(b"")  # a hidden file is something there
        plan = plan_scan(store, model, str(photos))
        assert (plan.stale, plan.kept, plan.absent) == (gone, 0, [])
        (usb / ".DS_Store").unlink()
        (usb / "2023").mkdir()  # a folder is something there too: only 2023 is empty
        plan = plan_scan(store, model, str(photos))
        assert (plan.stale, plan.kept) == (gone[1:], 1)
        assert plan.absent == [AbsentRoot(str(usb / "2023"), False, 1, below=True)]


def test_nested_mount_points_are_named_each_with_its_own_count(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    images_in(photos, ["home.png"])
    images_in(photos / "mnt", ["loose.png"])
    images_in(photos / "mnt" / "usb1", ["a.png", "b.png"])
    images_in(photos / "mnt" / "usb2" / "deep" / "er", ["c.png"])
    images_in(photos / "mnt" / "old", ["d.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store_all(store, photos)
        unmount(photos / "mnt" / "usb1")
        unmount(photos / "mnt" / "usb2")
        shutil.rmtree(photos / "mnt" / "old")
        (photos / "mnt" / "loose.png").unlink()
        plan = plan_scan(store, model, str(photos))
        # mnt still holds folders: what is gone from it, or with a folder gone, was deleted.
        assert plan.stale == [str(photos / "mnt" / "loose.png"), str(photos / "mnt/old/d.png")]
        assert plan.kept == 3
        assert plan.absent == [
            AbsentRoot(str(photos / "mnt" / "usb1"), False, 2, below=True),
            AbsentRoot(str(photos / "mnt" / "usb2"), False, 1, below=True),
        ]


@pytest.mark.parametrize(
    "given",
    ["photos/*", "photos/*/", "photos/**/*.png", "photos/*/*.png", "-"],
)
def test_a_glob_or_a_path_list_keeps_them_too(
    tmp_path: Path, photos: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.chdir(tmp_path)
    images_in(photos / "other", ["x.png"])  # else photos/*/*.png matches nothing: an error
    usb = photos / "usb-drive"
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store_all(store, photos)
        unmount(usb)
        plan = plan_scan(store, model, given, stdin="photos\n")
        assert (plan.stale, plan.kept) == ([], 3)
        assert plan.absent == [AbsentRoot(str(usb), missing=False, stored=3, below=True)]


def test_a_linked_empty_folder_keeps_images_stored_through_its_target(tmp_path: Path) -> None:
    photos, usb = tmp_path / "photos", tmp_path / "mnt" / "usb"
    images_in(photos, ["home.png"])
    images_in(usb, ["a.png"])
    (photos / "drive").symlink_to(usb, target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store_all(store, usb)  # stored as mnt/usb/a.png, scanned as photos/drive
        unmount(usb)
        plan = plan_scan(store, model, str(photos))
        assert (plan.stale, plan.kept) == ([], 1)
        assert plan.absent == [AbsentRoot(str(photos / "drive"), False, 1, below=True)]


def test_a_missing_root_comes_first_and_its_images_are_counted_once(
    tmp_path: Path, photos: Path
) -> None:
    gone = tmp_path / "gone"
    images_in(gone, ["g.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store.register_model("m", "m", DIM)
        store_all(store, photos)
        store_all(store, gone)
        shutil.rmtree(gone)
        unmount(photos / "usb-drive")
        stats, _ = stat_files(scan([str(photos)]).paths)
        discovery = scan([str(photos)])
        plan = store.plan(
            model,
            stats,
            [*discovery.roots, str(gone)],
            discovery.folders,
            empty_folders=discovery.empty_folders,
        )
        assert plan.kept == 4
        assert plan.absent == [
            AbsentRoot(str(gone), missing=True, stored=1),
            AbsentRoot(str(photos / "usb-drive"), False, 3, below=True),
        ]


def test_the_plan_lists_no_empty_folder_again(
    tmp_path: Path, photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scan found the folder empty as it listed it: the plan takes its word, where a second
    # look at each folder of a big tree would cost a second walk.
    usb = photos / "usb-drive"
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store_all(store, photos)
        unmount(usb)
        discovery = scan([str(photos)])
        stats, _ = stat_files(discovery.paths)
        listed: list[str] = []
        real_scandir = os.scandir

        def scandir(path):
            listed.append(os.fsdecode(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
        plan = store.plan(
            model, stats, discovery.roots, discovery.folders, empty_folders=discovery.empty_folders
        )
        assert plan.kept == 3
        assert str(usb) not in listed


# -- through the CLI and the library ---------------------------------------------------------


def run(*args, stdin: str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin)


def embed(store: Path, model: Path, *args) -> tuple[int, dict, str]:
    out = store.with_suffix(".run.json")
    result = run("embed", *args, "--store", store, "-m", model, "--json", out)
    return result.exit_code, json.loads(out.read_text()), result.stderr


def stored_paths(store: Path, model: Path) -> list[str]:
    with EmbeddingStore.open(store, create=False) as handle:
        stored = handle.load(handle.find_model(load_encoder(str(model)).identity))
    return stored.paths


def test_an_unmounted_drive_below_the_folder_keeps_its_images_with_a_warning(
    tiny_clip, tmp_path: Path
) -> None:
    photos, store = tmp_path / "photos", tmp_path / "s.zsl"
    write_images(photos, 2)
    usb = photos / "usb-drive"
    write_images(usb, 3, seed=1)
    assert embed(store, tiny_clip, photos)[1]["encoded"] == 5
    unmount(usb)
    code, report, stderr = embed(store, tiny_clip, photos)
    assert code == 0, stderr
    assert (report["found"], report["reused"], report["removed"], report["kept"]) == (2, 2, 0, 3)
    assert len(stored_paths(store, tiny_clip)) == 5
    said = " ".join(stderr.split())
    assert f"kept the 3 stored images under {usb}, an empty folder" in said
    assert "not mounted looks the same" in said and "--forget-missing" in said
    assert "0 encoded, 2 reused, 0 removed, 3 kept" in said  # the summary line counts them
    # Asked to, it forgets them.
    code, report, stderr = embed(store, tiny_clip, photos, "--forget-missing")
    assert (code, report["removed"], report["kept"]) == (0, 3, 0)
    assert "kept" not in stderr
    assert len(stored_paths(store, tiny_clip)) == 2


def test_the_library_reports_them_in_the_order_warn_heard(tiny_clip, tmp_path: Path) -> None:
    photos, gone = tmp_path / "photos", tmp_path / "gone"
    write_images(photos, 1)
    write_images(photos / "usb-drive", 2, seed=1)
    write_images(gone, 1, seed=2)

    def request(*paths: Path, forget: bool = False) -> api.EmbedRequest:
        return api.EmbedRequest(
            store=str(tmp_path / "s.zsl"),
            inputs=api.InputOptions(paths=tuple(str(path) for path in paths), stdin=None),
            model=api.ModelOptions(name=str(tiny_clip)),
            forget_missing=forget,
        )

    api.embed(request(photos, gone))
    unmount(photos / "usb-drive")
    shutil.rmtree(gone)
    gone.mkdir()  # an empty scanned path: its own warning's line, then the empty folder's
    heard: list[str] = []
    report = api.embed(request(photos, gone), warn=heard.append)
    assert report.kept == 3 and report.removed == 0
    assert report.absent == [
        AbsentRoot(str(gone), missing=False, stored=1),
        AbsentRoot(str(photos / "usb-drive"), missing=False, stored=2, below=True),
    ]
    assert report.warnings == heard
    [warning] = [text for text in heard if text.startswith("kept")]
    assert warning.startswith(
        f"kept the 3 stored images under 2 paths that are missing or hold no files: {gone} "
        f"(no files), {photos / 'usb-drive'} (empty folder)"
    )
    report = api.embed(request(photos, gone, forget=True))
    assert (report.kept, report.removed, report.warnings) == (0, 3, [])
