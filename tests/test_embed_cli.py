"""`zsl embed` and labelling from the store, through the CLI and as subprocesses."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.helpers import embedded, read_jsonl, write_images
from zsl_cli.cli import app
from zsl_cli.encoders import hf, load_encoder
from zsl_cli.store import EmbeddingStore


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def two_classes(tmp_path: Path) -> Path:
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    return classes


def embedded_images(tmp_path: Path, model: Path, count: int) -> tuple[Path, Path, Path, list]:
    """`count` images in tmp_path/images, embedded into tmp_path/photos.zsl; the class list;
    the images' paths."""
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    paths = write_images(images, count)
    embedded(images, store, model)
    return images, store, two_classes(tmp_path), paths


def stored(store: Path, model: Path):
    with EmbeddingStore.open(store, create=False) as handle:
        return handle.load(handle.find_model(load_encoder(str(model)).identity))


def test_a_folder_reached_by_dot_dot_from_a_linked_folder_is_the_real_one(
    tiny_clip, tmp_path, monkeypatch
):
    write_images(tmp_path / "real", 2)
    (tmp_path / "real" / "sub").mkdir()
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "link").symlink_to(tmp_path / "real" / "sub", target_is_directory=True)
    monkeypatch.chdir(tmp_path / "here")
    store = tmp_path / "photos.zsl"
    summary = embedded(Path("link/.."), store, tiny_clip)
    assert (summary["encoded"], summary["failed"]) == (2, 0)
    assert sorted(stored(store, tiny_clip).paths) == sorted(
        str(path) for path in (tmp_path / "real").glob("*.png")
    )
    classes = two_classes(tmp_path)
    labelled = run(
        "label", "link/..", "--embeddings", store, "-c", classes, "-m", tiny_clip, "-f", "jsonl"
    )
    assert labelled.exit_code == 0, labelled.stderr
    assert {row["status"] for row in read_jsonl(labelled.stdout)} == {"ok"}


def test_incremental_runs_pick_up_exactly_what_changed(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    paths = write_images(images, 6)
    (images / "broken.png").write_bytes(b"not an image")

    first = embedded(images, store, tiny_clip)
    assert (first["encoded"], first["reused"], first["removed"], first["failed"]) == (6, 0, 0, 1)
    second = embedded(images, store, tiny_clip)
    assert (second["encoded"], second["reused"], second["removed"]) == (0, 7, 0)
    assert second["reused_failed"] == 1  # broken.png, not retried while it is unchanged
    (tmp_path / "linked").symlink_to(images, target_is_directory=True)
    through_a_link = embedded(tmp_path / "linked", store, tiny_clip)
    assert (through_a_link["encoded"], through_a_link["reused"]) == (0, 7)
    assert len(stored(store, tiny_clip).paths) == 6  # one entry per image
    # --strict fails the run while the folder holds an unusable image, stored or new.
    strict = run("embed", images, "--store", store, "-m", tiny_clip, "--strict")
    assert strict.exit_code == 1
    assert "stored failures among those reused: 1" in strict.stderr

    os.utime(paths[0], ns=(time.time_ns(), time.time_ns() + 10**9))  # touched
    paths[1].unlink()  # removed
    write_images(tmp_path / "new", 1, seed=9)[0].rename(images / "added.png")  # added
    third = embedded(images, store, tiny_clip)
    assert (third["encoded"], third["reused"], third["removed"]) == (2, 5, 1)
    contents = stored(store, tiny_clip)
    names = sorted(Path(p).name for p in contents.paths)
    assert names == sorted(["added.png"] + [p.name for p in paths if p != paths[1]])
    assert [Path(p).name for p, _, _ in contents.failed] == ["broken.png"]
    (images / "broken.png").unlink()
    assert run("embed", images, "--store", store, "-m", tiny_clip, "--strict").exit_code == 0


def test_labelling_from_the_store_equals_labelling_the_images(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 8)
    (images / "empty.jpg").write_bytes(b"")
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\nbird\nred circle\n")
    embedded(images, store, tiny_clip)

    direct = run("label", images, "-c", classes, "-m", tiny_clip, "-k", "0", "-f", "jsonl", "-q")
    from_store = run(
        "label",
        "--embeddings",
        store,
        "-c",
        classes,
        "-m",
        tiny_clip,
        "-k",
        "0",
        "-f",
        "jsonl",
        "-q",
    )
    assert direct.exit_code == 0 and from_store.exit_code == 0, from_store.stderr
    expected = {os.path.abspath(r["path"]): r for r in read_jsonl(direct.stdout)}
    rows = read_jsonl(from_store.stdout)
    assert len(rows) == len(expected) == 9
    for row in rows:  # the same vectors (scores may differ in float32 rounding: the store
        # path scores thousands of rows in one product, labelling one batch at a time)
        reference = expected[row["path"]]
        assert (row["label"], row["status"]) == (reference["label"], reference["status"])
        for ours, theirs in zip(row["top_k"], reference["top_k"], strict=True):
            assert ours["label"] == theirs["label"]
            assert ours["score"] == pytest.approx(theirs["score"], abs=1e-6)

    # Restricting to a sub-path of the store, and a model the store has never seen.
    only = run(
        "label", "--embeddings", store, images / "img_000.png", "-c", classes, "-m", tiny_clip, "-q"
    )
    assert only.exit_code == 0 and len(only.stdout.splitlines()) == 2
    other_model = tmp_path / "other-model"
    from tests.tiny_models import make_tiny_clip

    make_tiny_clip(other_model, seed=5)
    missing = run("label", "--embeddings", store, "-c", classes, "-m", other_model)
    assert missing.exit_code == 2 and "zsl embed" in missing.stderr


def test_labelling_from_the_store_says_how_to_bring_missing_images_in(tiny_clip, tmp_path):
    images, store, classes, paths = embedded_images(tmp_path, tiny_clip, 2)
    label = ("label", "--embeddings", store, images, "-c", classes, "-m", tiny_clip)
    assert "hint" not in run(*label).stderr
    os.utime(paths[1], ns=(time.time_ns(), time.time_ns() + 10**9))
    result = run(*label)
    assert result.exit_code == 0, result.stderr
    assert "1 failed: changed 1" in result.stderr
    assert (
        f"hint: bring the changed image into the store with zsl embed PATH... --store {store} "
        in result.stderr
    )


def test_the_hint_to_bring_images_into_the_store_names_the_model_to_embed_them_with(
    tiny_clip, tmp_path
):
    # The hint's command, run as shown, embedded the images with the default model, not the
    # one labelled with: the next label found them as missing as before.
    images, store, classes, paths = embedded_images(tmp_path, tiny_clip, 2)
    shutil.copy(paths[0], images / "new.png")
    label = ("label", "--embeddings", store, images, "-c", classes, "-m", tiny_clip)
    result = run(*label, "-o", tmp_path / "out.csv")
    assert "1 failed: not_embedded 1" in result.stderr, result.stderr
    hint = next(line for line in result.stderr.splitlines() if line.startswith("hint: "))
    command = shlex.split(hint.split(" with ", 1)[1].split(" (PATH...", 1)[0])
    assert command[:3] == ["zsl", "embed", "PATH..."]
    assert run(*command[1:2], images, *command[3:], "-q").exit_code == 0
    again = run(*label, "-o", tmp_path / "again.csv")
    assert again.exit_code == 0 and "Labelled 3 of 3 images" in again.stderr, again.stderr


def test_image_options_given_with_a_store_are_warned_of_as_doing_nothing(tiny_clip, tmp_path):
    # --batch-size and --workers pace the decoding and the image model, neither of which runs on
    # stored embeddings: they were taken without a word.
    images, store, classes, _ = embedded_images(tmp_path, tiny_clip, 4)
    common = ("--embeddings", store, "-c", classes, "-m", tiny_clip)
    warning = "warning: --batch-size, --workers: with --embeddings no image is decoded or encoded"
    for command in (("label", "-o", tmp_path / "out.csv"), ("hubness",)):
        given = run(*command, *common, "-b", "4", "-j", "2")
        assert given.exit_code == 0, given.stderr
        assert given.stderr.count(warning) == 1, given.stderr
        # Left at their defaults they say nothing; one given is named alone.
        assert "warning" not in run(*command, *common).stderr
        assert "warning: --workers: with --embeddings" in run(*command, *common, "-j", "2").stderr


def test_a_scan_forgets_only_files_that_are_gone(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    pngs = write_images(images, 3)
    Image.open(pngs[0]).save(images / "photo.jpg")
    assert embedded(images, store, tiny_clip)["encoded"] == 4
    # A narrower scan skips the PNGs, which are still there: they stay in the store.
    narrower = embedded(images, store, tiny_clip, "--ext", "jpg")
    assert (narrower["found"], narrower["removed"]) == (1, 0)
    assert len(stored(store, tiny_clip).paths) == 4
    # A glob covers its folder: the deleted PNG it would have matched is forgotten.
    pngs[0].unlink()
    assert embedded(str(images / "*.png"), store, tiny_clip)["removed"] == 1
    # A folder listed on stdin is covered like a folder argument.
    pngs[1].unlink()
    listed = CliRunner().invoke(
        app,
        ["embed", "-", "--store", str(store), "-m", str(tiny_clip), "--json", "-", "-q"],
        input=f"{images}\n",
    )
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout)["removed"] == 1
    # An emptied folder is a scan too, but one an unmounted drive's mount point looks like: it
    # keeps what was in it, unless told to forget it.
    for path in images.iterdir():
        path.unlink()
    emptied = embedded(images, store, tiny_clip)
    assert (emptied["found"], emptied["removed"], emptied["kept"]) == (0, 0, 2)
    emptied = embedded(images, store, tiny_clip, "--forget-missing")
    assert (emptied["found"], emptied["removed"], emptied["kept"]) == (0, 2, 0)
    assert stored(store, tiny_clip).paths == []


def test_a_size_limit_failure_is_retried_without_the_limit(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    limited = run("embed", images, "--store", store, "-m", tiny_clip, "--max-pixels", "100")
    assert limited.exit_code == 1  # no image embedded
    assert "2 could not be read (too_large 2)" in limited.stderr
    again = embedded(images, store, tiny_clip)
    assert (again["encoded"], again["failed"]) == (2, 0)


def test_labelling_from_the_store_takes_the_inputs_as_discovery_does(tiny_clip, tmp_path):
    images, store, classes, paths = embedded_images(tmp_path, tiny_clip, 4)
    write_images(tmp_path / "new", 1, seed=7)[0].rename(images / "img_new.png")
    os.utime(paths[1], ns=(time.time_ns(), time.time_ns() + 10**9))
    (images / "link.png").symlink_to("nowhere.png")  # what embed cannot store says why

    def label(*inputs, stdin=None):
        common = ["-c", classes, "-m", tiny_clip, "-f", "jsonl", "-q"]
        result = CliRunner().invoke(
            app, [str(a) for a in ("label", "--embeddings", store, *inputs, *common)], input=stdin
        )
        assert result.exit_code == 0, result.stderr
        return [(Path(r["path"]).name, r["status"]) for r in read_jsonl(result.stdout)]

    # Every discovered image gets a row, in discovery order, whether the store has it or not.
    assert label(images) == [
        ("img_000.png", "ok"),
        ("img_001.png", "changed"),
        ("img_002.png", "ok"),
        ("img_003.png", "ok"),
        ("img_new.png", "not_embedded"),
        ("link.png", "broken_link"),
    ]
    assert label(str(images / "img_00[02].png")) == [("img_000.png", "ok"), ("img_002.png", "ok")]
    assert label("-", stdin=f"{paths[3]}\n{images / 'gone.png'}\n") == [
        ("gone.png", "not_found"),
        ("img_003.png", "ok"),
    ]
    # Through a symbolic link to the folder that was embedded.
    (tmp_path / "link").symlink_to(images, target_is_directory=True)
    assert label(tmp_path / "link")[0] == ("img_000.png", "ok")
    no_jpegs = run("label", "--embeddings", store, images, "--ext", "jpg", "-c", classes)
    assert no_jpegs.exit_code == 2 and "no images found" in no_jpegs.stderr
    # A file named on the command line that is gone keeps its stored result; a glob must match,
    # and a folder exist.
    paths[0].unlink()
    assert label(paths[0], images / "never.png") == [
        ("img_000.png", "ok"),
        ("never.png", "not_found"),
    ]
    for missing, said in (
        (images / "zz*.png", "no file or folder matches"),
        (tmp_path / "imagez", "no such file"),
    ):
        refused = run("label", "--embeddings", store, missing, "-c", classes)
        assert refused.exit_code == 2 and said in refused.stderr


def test_labelling_a_stored_folder_that_moved_says_what_the_store_holds(tiny_clip, tmp_path):
    # `zsl label --embeddings STORE photos` after photos was moved said "no such file or
    # directory: photos", not that the store holds its images, nor how to label them.
    images, store, classes, _ = embedded_images(tmp_path, tiny_clip, 3)
    images.rename(tmp_path / "moved")
    refused = run("label", "--embeddings", store, images, "-c", classes, "-m", tiny_clip)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"zsl: error: no such file or directory: {images} (moved or deleted since 'zsl embed': "
        f"{store} holds 3 images from it; leave out the paths to use everything it holds, or run "
        "'zsl embed' on the folder's new place first, and "
        f"`zsl embed {images} --store {store} -m {tiny_clip} --precision fp32 --forget-missing` "
        "to forget them at the old one)\n"
    )
    # A name the store holds nothing under is refused as before.
    refused = run("label", "--embeddings", store, tmp_path / "imagez", "-c", classes)
    assert refused.stderr == f"zsl: error: no such file or directory: {tmp_path / 'imagez'}\n"


def test_paths_embed_cannot_read_are_reported_with_their_reasons(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    (images / "link.png").symlink_to("nowhere.png")
    (images / "folder.png").mkdir()  # walked into, not a path to read
    summary = embedded(images, store, tiny_clip)
    assert summary["unreachable"] == 1
    assert summary["unreachable_files"] == [
        {
            "path": str(images / "link.png"),
            "status": "broken_link",
            "reason": "broken symbolic link (its target nowhere.png does not exist)",
        }
    ]
    result = run("embed", images, "--store", store, "-m", tiny_clip)
    assert "1 path could not be read at all (not stored): broken_link 1" in result.stderr
    assert "link.png: broken symbolic link" in result.stderr
    # It is a failure, as label --strict counts it: no stored failure stands for it.
    assert result.exit_code == 0
    assert run("embed", images, "--store", store, "-m", tiny_clip, "--strict").exit_code == 1


def test_a_failure_the_next_run_reads_again_is_said_to_be(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 1)
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--max-pixels", "4")
    assert result.exit_code == 1, result.stderr  # no image embedded
    assert (
        "1 could not be read (too_large 1): stored as failed, read again by the next run"
        in result.stderr
    )


def test_an_interrupted_embed_exits_130_and_says_what_it_stored(
    tiny_clip, tmp_path, monkeypatch, ctrl_c_interrupts
):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 4)
    add = EmbeddingStore.add

    def add_then_interrupt(self, *args, **kwargs):
        add(self, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)  # a Ctrl-C

    monkeypatch.setattr(EmbeddingStore, "add", add_then_interrupt)
    result = run("embed", images, "--store", store, "-m", tiny_clip, "-b", "2", "--strict")
    assert result.exit_code == 130
    assert result.stderr.startswith("Interrupted embedding into") and "2 encoded" in result.stderr
    monkeypatch.setattr(EmbeddingStore, "add", add)
    assert len(stored(store, tiny_clip).paths) == 2


def test_ctrl_c_while_another_process_holds_the_store_stops_at_once(
    tiny_clip, tmp_path, monkeypatch, ctrl_c_interrupts
):
    # The wait for the write lock was inside the block that holds Ctrl-C until a batch is
    # committed and counted: the run went on waiting, for the whole 30 s lock timeout.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 4)
    holder = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
    add = EmbeddingStore.add

    def add_then_lose_the_lock(self, *args, **kwargs):
        add(self, *args, **kwargs)
        if not holder.in_transaction:  # another zsl embed starts a batch, and Ctrl-C is pressed
            holder.execute("BEGIN IMMEDIATE")
            ctrl_c_interrupts.after(0.5)

    monkeypatch.setattr(EmbeddingStore, "add", add_then_lose_the_lock)
    # A lock timeout of 600 s, not 30 s: a run that waits it out outlasts the guard below.
    open_store = EmbeddingStore.open
    monkeypatch.setattr(
        EmbeddingStore, "open", lambda *args, **kwargs: open_store(*args, **kwargs, timeout_s=600)
    )
    started = time.monotonic()
    try:
        result = run("embed", images, "--store", store, "-m", tiny_clip, "-b", "2")
    finally:
        holder.close()
    assert time.monotonic() - started < 120  # Ctrl-C ended the wait for the lock
    assert result.exit_code == 130
    assert result.stderr.startswith("Interrupted embedding into") and "2 encoded" in result.stderr
    monkeypatch.setattr(EmbeddingStore, "add", add)
    assert len(stored(store, tiny_clip).paths) == 2  # the batch committed before the wait


def test_ctrl_c_while_another_process_holds_the_store_before_any_batch_gives_the_summary(
    tiny_clip, tmp_path, monkeypatch, ctrl_c_interrupts
):
    # register_model waits for the store's lock too: a Ctrl-C there ended in 'zsl: interrupted'
    # alone, where a Ctrl-C during the batches ends with the summary of what was done.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    EmbeddingStore.open(store).close()
    holder = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
    register = EmbeddingStore.register_model

    def register_while_another_holds_the_store(self, *args, **kwargs):
        holder.execute("BEGIN IMMEDIATE")
        ctrl_c_interrupts.after(0.5)
        return register(self, *args, **kwargs)

    monkeypatch.setattr(EmbeddingStore, "register_model", register_while_another_holds_the_store)
    try:
        result = run("embed", images, "--store", store, "-m", tiny_clip)
    finally:
        holder.close()
    assert result.exit_code == 130
    assert result.stderr.startswith("Interrupted embedding into"), result.stderr
    assert "2 images found, 0 encoded" in result.stderr


def test_ctrl_c_as_gone_images_are_forgotten_counts_them_once_committed(
    tiny_clip, tmp_path, monkeypatch, ctrl_c_interrupts
):
    # A Ctrl-C just after forget committed ended in 'zsl: interrupted': the removal happened,
    # and the run said nothing of it.
    images, store, _, paths = embedded_images(tmp_path, tiny_clip, 3)
    paths[0].unlink()
    forget = EmbeddingStore.forget

    def forget_then_ctrl_c(self, *args, **kwargs):
        removed = forget(self, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)
        return removed

    monkeypatch.setattr(EmbeddingStore, "forget", forget_then_ctrl_c)
    result = run("embed", images, "--store", store, "-m", tiny_clip)
    assert result.exit_code == 130
    assert result.stderr.startswith("Interrupted embedding into"), result.stderr
    assert "2 reused, 1 removed" in result.stderr
    assert len(stored(store, tiny_clip).paths) == 2


def test_a_folder_that_cannot_be_read_is_reported(tiny_clip, tmp_path, monkeypatch):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    write_images(images / "locked", 1, seed=3)
    scandir = os.scandir

    def refuse_locked(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr("zsl_cli.discovery.os.scandir", refuse_locked)
    classes = two_classes(tmp_path)
    output = tmp_path / "out.csv"
    labelled = run("label", images, "-c", classes, "-m", tiny_clip, "-o", output)
    assert labelled.exit_code == 0, labelled.stderr
    warning = f"1 folder could not be read, so its images were left out: {images / 'locked'}"
    assert f"warning: {warning} (permission denied)" in labelled.stderr
    info = json.loads(output.with_name("out.csv.run.json").read_text())
    assert info["summary"]["unreadable_folders"] == [
        {"path": str(images / "locked"), "reason": "permission denied"}
    ]
    strict = run("label", images, "-c", classes, "-m", tiny_clip, "--strict", "-q")
    assert strict.exit_code == 1 and len(strict.stdout.splitlines()) == 3

    hubness = run("hubness", images, "-c", classes, "-m", tiny_clip, "--json", tmp_path / "h.json")
    assert hubness.exit_code == 0 and warning in hubness.stderr
    hubness_json = json.loads((tmp_path / "h.json").read_text())
    assert hubness_json["unreadable_folders"] == info["summary"]["unreadable_folders"]

    summary = embedded(images, store, tiny_clip)
    assert summary["unreadable_folders"] == info["summary"]["unreadable_folders"]
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--strict")
    assert result.exit_code == 1 and warning in result.stderr


# `zsl` with the folders named 'locked' refusing to be listed, as a folder of another user's.
def test_warnings_known_before_the_images_are_encoded_show_then_and_once(
    tiny_clip, tmp_path, monkeypatch
):
    # They came after the summary: embedding 100,000 images, an hour after --ext could be fixed.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 3)
    write_images(images / "locked", 1, seed=3)
    Image.open(images / "img_000.png").save(images / "scan.bmp")
    args = ["embed", images, "--store", store, "-m", tiny_clip, "-b", "1", "--ext", "png"]
    # In this process: the folder "locked" cannot be read, and each image batch says so on the
    # stderr the warnings go to.
    scandir, encode = os.scandir, hf.TransformersEncoder.encode_images

    def refuse_locked(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    def says(self, pixels):
        sys.stderr.write("ENCODING IMAGES\n")
        return encode(self, pixels)

    monkeypatch.setattr(os, "scandir", refuse_locked)
    monkeypatch.setattr(hf.TransformersEncoder, "encode_images", says)
    done = run(*args)
    assert done.exit_code == 0, done.stderr
    encoding = done.stderr.index("ENCODING IMAGES")
    warnings = [
        f"1 folder could not be read, so its images were left out: {images / 'locked'}",
        "1 file that Pillow reads was left out by its extension (.bmp",
    ]
    for warning in warnings:
        assert done.stderr.count(warning) == 1, done.stderr  # shown once, not again at the end
        assert done.stderr.index(warning) < encoding, done.stderr
    assert done.stderr.index("ENCODING IMAGES") < done.stderr.index("3 encoded"), done.stderr
    quiet = run(*args, "-q")
    assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr


def test_a_store_that_cannot_be_used_keeps_the_old_output(tiny_clip, tmp_path):
    images, store, classes, _ = embedded_images(tmp_path, tiny_clip, 2)
    output = tmp_path / "predictions.csv"
    output.write_text("precious\n")
    for extra in (["--exact-preprocessing"], []):
        model = tiny_clip if extra else tmp_path / "other"
        if not extra:
            from tests.tiny_models import make_tiny_clip

            make_tiny_clip(model, seed=3)
        result = run(
            "label", "--embeddings", store, "-c", classes, "-m", model, "-o", output, *extra
        )
        assert result.exit_code == 2 and "has no embeddings for model" in result.stderr
        assert output.read_text() == "precious\n"
        assert not list(tmp_path.glob("predictions.csv*.json"))
    # The preprocessing is named, so the message does not contradict itself.
    assert "(exact preprocessing)" not in result.stderr
    # A model that cannot be loaded: the message says which models the store can serve.
    missing = run("label", "--embeddings", store, "-c", classes, "-m", tmp_path / "nomodel")
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1
    assert f"{store} holds embeddings of: {tiny_clip}" in missing.stderr
    exact = run(
        "label", "--embeddings", store, "-c", classes, "-m", tiny_clip, "--exact-preprocessing"
    )
    said = f"model {tiny_clip} (exact preprocessing) (it has: {tiny_clip} (fast preprocessing))"
    assert said in exact.stderr
    # Nor can the output be the store itself or one of the images.
    for victim in (store, next(images.iterdir())):
        before = victim.read_bytes()
        args = ["--embeddings", store, "-c", classes, "-m", tiny_clip, "-f", "csv", "-o", victim]
        result = run("label", *args, images)
        assert result.exit_code == 2 and "is an input of this run" in result.stderr
        assert victim.read_bytes() == before


def test_no_output_of_any_command_replaces_a_file_the_run_reads(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images / "cat", 2)
    write_images(images / "dog", 2, seed=1)
    classes = two_classes(tmp_path)
    attributes = tmp_path / "attributes.csv"
    attributes.write_text("class,furry,barks\ncat,1,0\ndog,1,1\n")
    predictions = tmp_path / "predictions.csv"
    assert run("label", images, "-c", classes, "-m", tiny_clip, "-o", predictions).exit_code == 0
    embedded(images, store, tiny_clip)
    image = sorted((images / "cat").glob("*.png"))[0]
    model = ["-m", tiny_clip]
    cases = [
        (store, ["embed", images, "--store", store, *model, "--json", store]),
        (image, ["embed", images, "--store", store, *model, "--json", image]),
        (predictions, ["evaluate", predictions, "--truth", images, "--json", predictions]),
        (classes, ["hubness", images, "-c", classes, *model, "--json", classes]),
        (
            classes,
            [
                "hubness",
                images,
                "-c",
                classes,
                *model,
                "--truth",
                images,
                "--seen",
                classes,
                "--json",
                classes,
            ],
        ),  # fmt: skip
        (attributes, ["label", images, "--attributes", attributes, *model, "-o", attributes]),
        (classes, ["label", images, "-c", classes, *model, "-f", "csv", "-o", classes]),
    ]
    # An image reached through a linked folder, or through a link to the file itself.
    (tmp_path / "linked").symlink_to(images / "cat")
    (tmp_path / "link.png").symlink_to(image)
    cases += [
        (image, ["label", tmp_path / "linked", "-c", classes, *model, "-f", "csv", "-o", image]),
        (image, ["label", tmp_path / "link.png", "-c", classes, *model, "-f", "csv", "-o", image]),
    ]
    for victim, args in cases:
        before = victim.read_bytes()
        result = run(*args)
        assert result.exit_code == 2 and "is an input of this run" in result.stderr, args
        assert victim.read_bytes() == before
    # A store this run would create, and two outputs in one file.
    new_store = tmp_path / "new.npy"
    result = run("embed", images, "--store", new_store, *model, "--export", new_store)
    assert result.exit_code == 2 and "is an input of this run" in result.stderr
    assert not new_store.exists()
    metrics = tmp_path / "metrics.html"
    args = ["evaluate", predictions, "--truth", images, "--json", metrics, "--report", metrics]
    result = run(*args)
    assert result.exit_code == 2 and "are the same file" in result.stderr
    assert not metrics.exists()


def test_evaluate_keeps_the_file_its_stdin_comes_from(tmp_path, tiny_clip):
    images = tmp_path / "images"
    write_images(images / "cat", 2)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    predictions = tmp_path / "p.csv"
    run("label", images, "-c", tmp_path / "classes.txt", "-m", tiny_clip, "-o", predictions)
    before = predictions.read_bytes()
    command = [sys.executable, "-m", "zsl_cli", "evaluate", "-", "--truth", str(images)]
    with open(predictions, "rb") as stdin:
        process = subprocess.run(
            [*command, "--json", str(predictions)], stdin=stdin, capture_output=True
        )
    assert process.returncode == 2 and b"is an input of this run" in process.stderr
    assert predictions.read_bytes() == before


def test_hubness_needs_two_images_and_seen_needs_truth(tiny_clip, tmp_path):
    write_images(tmp_path / "images", 1)
    classes = two_classes(tmp_path)
    one = run("hubness", tmp_path / "images", "-c", classes, "-m", tiny_clip)
    assert one.exit_code == 2 and "needs 2 or more readable images" in one.stderr
    seen = run("hubness", tmp_path / "images", "-c", classes, "-m", tiny_clip, "--seen", classes)
    assert seen.exit_code == 2 and "--seen needs --truth" in seen.stderr


def test_a_local_model_given_as_a_relative_path_is_named_so_from_other_folders(
    tiny_clip, tmp_path, monkeypatch
):
    # Embedded with -m ../model, the store said it "holds embeddings of: ../model" to a run in
    # another folder, where -m ../model names no model.
    images, store, work = tmp_path / "images", tmp_path / "photos.zsl", tmp_path / "work"
    write_images(images, 1)
    work.mkdir()
    monkeypatch.chdir(work)
    relative = os.path.relpath(tiny_clip, work)
    assert run("embed", images, "--store", store, "-m", relative).exit_code == 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    missing = run("label", "--embeddings", store, "-c", "classes.txt", "-m", "nomodel")
    assert missing.exit_code == 2
    assert f"{store} holds embeddings of: {os.path.abspath(tiny_clip)} (give" in missing.stderr
    # What it names is a model it serves, from any folder.
    named = run("label", "--embeddings", store, "-c", "classes.txt", "-m", tiny_clip, "-o", "-")
    assert named.exit_code == 0, named.stderr


def test_a_model_changed_under_the_same_name_is_told_apart(tmp_path):
    from tests.tiny_models import make_tiny_clip

    images, store, model = tmp_path / "images", tmp_path / "photos.zsl", tmp_path / "model"
    write_images(images, 1)
    embedded(images, store, make_tiny_clip(model, seed=1))
    make_tiny_clip(model, seed=2)  # retrained in place
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    result = run("label", "--embeddings", store, "-c", tmp_path / "classes.txt", "-m", model)
    assert result.exit_code == 2
    assert f"holds embeddings of a model named {model}, but not of this one" in result.stderr


def test_label_studio_paths_of_a_whole_store_are_checked_before_writing(tiny_clip, tmp_path):
    root, store = tmp_path / "root", tmp_path / "photos.zsl"
    write_images(root / "photos", 2)
    write_images(tmp_path / "elsewhere", 1)
    embedded(root / "photos", store, tiny_clip)
    embedded(tmp_path / "elsewhere", store, tiny_clip)
    classes = two_classes(tmp_path)
    args = ["label", "--embeddings", store, "-c", classes, "-m", tiny_clip, "-f", "label-studio"]
    result = run(*args, "--ls-document-root", root)
    assert result.exit_code == 2 and "is outside the Label Studio document root" in result.stderr
    assert result.stdout == ""  # nothing half-written to stdout


def test_float16_store_and_exports(tiny_clip, tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    images = tmp_path / "images"
    write_images(images, 4)
    store = tmp_path / "half.zsl"
    summary = embedded(
        images, store, tiny_clip, "--dtype", "float16", "--export", tmp_path / "vectors.npy"
    )
    assert summary["exported"] == 4
    assert summary["exported_to"] == [
        str(tmp_path / n) for n in ("vectors.npy", "vectors.npy.paths.csv")
    ]
    matrix = np.load(tmp_path / "vectors.npy")
    assert matrix.shape == (4, 16)
    index = (tmp_path / "vectors.npy.paths.csv").read_text().splitlines()
    assert len(index) == 5  # header + one row per vector
    embedded(images, store, tiny_clip, "--export", tmp_path / "vectors.parquet")
    table = pq.read_table(tmp_path / "vectors.parquet")
    assert table.num_rows == 4 and "vector" in table.column_names
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=2e-3)


def test_a_run_without_dtype_takes_the_one_another_run_registered_meanwhile(
    tiny_clip, tmp_path, monkeypatch
):
    # Two zsl embed into one new store at once, the other with --dtype float16: this one read
    # the store's models (none yet), and was refused once the other had registered the model
    # ("holds model ... as float16, not float32"), though it asked for no dtype.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    register = EmbeddingStore.register_model

    def registered_meanwhile(self, identity, name, dim, *args, **kwargs):
        with EmbeddingStore.open(store) as other:
            register(other, identity, name, dim, "float16")
        return register(self, identity, name, dim, *args, **kwargs)

    monkeypatch.setattr(EmbeddingStore, "register_model", registered_meanwhile)
    assert embedded(images, store, tiny_clip)["encoded"] == 2
    with EmbeddingStore.open(store, create=False) as handle:
        assert [(m.dtype, m.n_ok) for m in handle.models()] == [("float16", 2)]


def test_embed_without_paths_exports_what_the_store_holds(tiny_clip, tmp_path):
    # The store may have moved to a machine without the images: scanning their folder there
    # stopped the run (a path that does not exist), so nothing could be exported.
    images, store, _, paths = embedded_images(tmp_path, tiny_clip, 3)
    moved = tmp_path / "moved.zsl"
    store.rename(moved)
    for path in paths:
        path.unlink()
    export = tmp_path / "out" / "vectors.npy"
    result = run("embed", "--store", moved, "-m", tiny_clip, "--export", export, "-b", "2")
    assert result.exit_code == 0, result.stderr
    assert f"Exported 3 embeddings from {moved} to {export}" in result.stderr
    ignored = (
        "--batch-size: without paths no image is decoded or encoded, the stored vectors are "
        "exported; ignored"
    )
    assert result.stderr.count(ignored) == 1, result.stderr  # shown as known, not again
    assert result.stderr.index(ignored) < result.stderr.index("Exported 3")
    assert np.load(export).shape == (3, 16)
    index = (tmp_path / "out" / "vectors.npy.paths.csv").read_text().splitlines()[1:]
    assert [row.split(",", 1)[1] for row in index] == [str(path) for path in paths]
    assert len(stored(moved, tiny_clip).paths) == 3  # nothing scanned, nothing forgotten
    summary = tmp_path / "summary.json"
    result = run("embed", "-s", moved, "-m", tiny_clip, "--export", export, "--json", summary)
    assert result.exit_code == 0, result.stderr
    report = json.loads(summary.read_text())
    assert (report["scanned"], report["found"], report["exported"]) == (False, 0, 3)
    # Options that choose, decode or encode images are refused: no image is read.
    for option in (["--dtype", "float16"], ["--ext", "png"], ["--max-pixels", "100"]):
        result = run("embed", "-s", moved, "-m", tiny_clip, "--export", export, *option)
        assert result.exit_code == 2 and "without paths no image is read" in result.stderr
    result = run("embed", "-s", moved, "-m", tiny_clip, "--export", export, "--strict")
    assert result.exit_code == 2 and "--strict: without paths no image is scanned" in result.stderr
    # Without --export, paths are needed; the store must exist and hold the model.
    result = run("embed", "-s", moved, "-m", tiny_clip)
    assert result.exit_code == 2 and "or --export FILE" in result.stderr
    result = run("embed", "-s", tmp_path / "none.zsl", "-m", tiny_clip, "--export", export)
    assert result.exit_code == 2 and "not found" in result.stderr
    assert not (tmp_path / "none.zsl").exists()
    result = run("embed", "-s", moved, "-m", "shapes-demo", "--export", export)
    assert result.exit_code == 2 and "has no embeddings for model shapes-demo" in result.stderr


def test_an_export_without_paths_that_is_refused_makes_no_folder(tmp_path):
    # Its own inputs are checked before the export's folder is made: a missing store, or an
    # option refused there, left an empty folder behind.
    export = tmp_path / "out" / "vectors.npy"
    result = run("embed", "-s", tmp_path / "none.zsl", "-m", "shapes-demo", "--export", export)
    assert result.exit_code == 2 and "not found" in result.stderr
    EmbeddingStore.open(tmp_path / "s.zsl").close()
    result = run("embed", "-s", tmp_path / "s.zsl", "--export", export, "--dtype", "float16")
    assert result.exit_code == 2 and "without paths no image is read" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_store_or_export_named_with_a_trailing_slash_is_refused_as_a_folder(tmp_path):
    # As -o and --json refuse 'out/': pathlib dropped the slash, and `--store photos/` created a
    # store file named photos (`--export vectors.npy/` a file vectors.npy), where a folder was
    # meant. Refused before the model loads (there is none here).
    images = tmp_path / "images"
    write_images(images, 1)
    for option, name in (("--store", "new"), ("--export", "vectors.npy")):
        given = f"{tmp_path / name}/"
        store = given if option == "--store" else tmp_path / "s.zsl"
        extra = [option, given] if option == "--export" else []
        result = run("embed", images, "--store", store, "-m", tmp_path / "no-model", *extra)
        assert result.exit_code == 2, result.stderr
        assert "names a folder" in result.stderr and given in result.stderr, result.stderr
        assert not (tmp_path / name).exists()


# `zsl embed` run as `python -m zsl_cli` does, but whose third batch holds once its rows are
# written, just before its COMMIT, and says so on stdout: a kill then lands mid-transaction,
# after two committed batches, whatever the machine's speed.
_HOLD_THE_THIRD_COMMIT = """
import sys, time
from zsl_cli.__main__ import main
from zsl_cli.store import EmbeddingStore
add, calls = EmbeddingStore.add, []
def held(self, model_id, items, *, locked=None, **options):
    calls.append(len(items))
    if len(calls) < 3:
        return add(self, model_id, items, locked=locked, **options)
    def hold():
        if locked is not None:
            locked()
        print("holding", flush=True)
        time.sleep(300)
    return add(self, model_id, items, locked=hold, **options)
EmbeddingStore.add = held
sys.argv[0] = "zsl"
main()
"""


def test_a_killed_run_leaves_a_store_that_the_next_run_completes(tiny_clip, tmp_path):
    images, count = tmp_path / "images", 16
    write_images(images, count, size=(32, 32))
    killed, clean = tmp_path / "killed.zsl", tmp_path / "clean.zsl"
    command = [
        sys.executable,
        "-c",
        _HOLD_THE_THIRD_COMMIT,
        "embed",
        str(images),
        "--store",
        str(killed),
        "-m",
        str(tiny_clip),
        "-b",
        "4",
        "-j",
        "1",
        "--quiet",
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        held = process.stdout.readline()  # "" if the run ended without holding
        process.send_signal(signal.SIGKILL)
        _, errors = process.communicate(timeout=60)
    assert held == "holding\n", errors
    # Read-write, so SQLite recovers the WAL index the killed writer left behind (a read-only
    # connection may still see the snapshot before its last commits).
    partial = _rows(killed, mode="rw")
    assert partial == 8, "two batches committed, the third killed before its commit"

    resumed = embedded(images, killed, tiny_clip)
    assert resumed["reused"] == partial and resumed["encoded"] == count - partial
    embedded(images, clean, tiny_clip)
    a, b = stored(killed, tiny_clip), stored(clean, tiny_clip)
    assert a.paths == b.paths and a.failed == b.failed
    np.testing.assert_allclose(a.vectors, b.vectors, atol=1e-6)
    with sqlite3.connect(killed) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_run_killed_while_it_created_the_store_leaves_one_the_next_run_completes(
    tiny_clip, tmp_path
):
    images = tmp_path / "images"
    write_images(images, 3)
    store = tmp_path / "s.zsl"
    # What a run killed between switching the new file to WAL and creating the tables leaves:
    # an SQLite database without a table (64 KiB: the store's page size).
    with sqlite3.connect(store, isolation_level=None) as connection:
        connection.execute("PRAGMA page_size = 65536")
        connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    assert store.stat().st_size > 0
    assert embedded(images, store, tiny_clip)["encoded"] == 3
    assert len(stored(store, tiny_clip).paths) == 3


def _rows(store: Path, mode: str = "ro") -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode={mode}", uri=True, timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_embed_user_errors(tmp_path, tiny_clip):
    images = tmp_path / "images"
    write_images(images, 1)
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello")
    result = run("embed", images, "--store", not_a_store, "-m", tiny_clip)
    assert result.exit_code == 2 and result.stderr.startswith("zsl: error: ")
    result = run("embed", images, "--store", tmp_path / "s.zsl", "-m", tiny_clip, "--dtype", "int8")
    assert result.exit_code == 2
    result = run("label", "--embeddings", tmp_path / "missing.zsl", "-c", not_a_store)
    assert result.exit_code == 2 and "store" in result.stderr
    result = run("label", "--embeddings", tmp_path, "-c", not_a_store)
    assert result.exit_code == 2 and "is a directory" in result.stderr
    # A store that cannot be used is reported before the model loads (this one does not exist).
    result = run("embed", images, "--store", not_a_store, "-m", tmp_path / "no-such-model")
    assert result.exit_code == 2 and "not a zsl embedding store" in result.stderr
    # A disk I/O error (here: a folder where SQLite's WAL file goes) is one line too.
    (tmp_path / "io.zsl-wal").mkdir()
    result = run("embed", images, "--store", tmp_path / "io.zsl", "-m", tiny_clip)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "disk I/O error on embedding store" in result.stderr
    assert f"io.zsl-wal and io.zsl-journal next to {tmp_path / 'io.zsl'} are files" in result.stderr
    # Like the other outputs, a store may go to a folder that does not exist yet.
    nested = tmp_path / "new" / "folder" / "s.zsl"
    assert run("embed", images, "--store", nested, "-m", tiny_clip, "-q").exit_code == 0
    assert nested.is_file()
    # A bad export name is refused before anything is encoded or created.
    store = tmp_path / "new.zsl"
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--export", "out.csv")
    assert result.exit_code == 2 and ".npy or .parquet" in result.stderr
    assert not store.exists()
    # The summary may not replace the export's path index either.
    export = tmp_path / "e.npy"
    common = ["--store", store, "-m", tiny_clip, "--export", export]
    result = run("embed", images, *common, "--json", f"{export}.paths.csv")
    assert result.exit_code == 2 and "are the same file" in result.stderr
    assert not store.exists()


def test_a_store_is_never_stdin_or_stdout(tmp_path, monkeypatch):
    # `--store -` made a database named "-" in the current folder, as no other output does.
    images = tmp_path / "images"
    write_images(images, 1)
    monkeypatch.chdir(tmp_path)
    result = run("embed", images, "--store", "-", "-m", tmp_path / "no-model")
    assert result.exit_code == 2
    assert result.stderr == (
        "zsl: error: --store -: an embedding store is an SQLite file, not stdout; "
        "give a file name (./- for one named '-')\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images"]
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    result = run("label", "--embeddings", "-", "-c", "classes.txt")
    assert result.exit_code == 2
    assert "not found (an embedding store is an SQLite file, not stdin)" in result.stderr


def test_a_store_that_cannot_be_written_is_refused_before_the_model_loads(tmp_path, monkeypatch):
    images = tmp_path / "images"
    write_images(images, 1)
    read_only = tmp_path / "mounted"  # as on a read-only mount, where even root cannot write
    read_only.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path) != read_only and real_access(path, mode)
    )
    for store in (read_only / "new.zsl", read_only / "sub" / "new.zsl"):
        result = run("embed", images, "--store", store, "-m", tmp_path / "no-model")
        assert result.exit_code == 2
        assert result.stderr == (
            f"zsl: error: embedding store {store}: cannot write to its folder {read_only}\n"
        )


def test_a_store_on_a_read_only_mount_is_refused_as_not_writable(tmp_path, monkeypatch):
    # Adding to a store that lies on a read-only mount failed with SQLite's "unable to open
    # database file": the store was opened for writing before its writability was checked.
    images = tmp_path / "images"
    write_images(images, 1)
    read_only = tmp_path / "mounted"
    read_only.mkdir()
    store = read_only / "photos.zsl"
    EmbeddingStore.open(store).close()
    real_access, real_connect = os.access, sqlite3.connect

    def access(path, mode):
        on_the_mount = read_only in (Path(path), Path(path).parent)
        return not (on_the_mount and mode & os.W_OK) and real_access(path, mode)

    def connect(location, *args, **kwargs):
        if not str(location).startswith("file:"):  # a read-write open: no -shm file can be made
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(location, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(sqlite3, "connect", connect)
    result = run("embed", images, "--store", store, "-m", tmp_path / "no-model")
    assert result.exit_code == 2
    assert (
        result.stderr == f"zsl: error: embedding store {store}: cannot write to its file {store}\n"
    )


def test_images_encoded_in_another_precision_are_kept_out_of_a_model(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    embedded(images, store, tiny_clip, "--precision", "bf16")
    write_images(tmp_path / "more", 1, seed=3)[0].rename(images / "added.png")
    mixed = run("embed", images, "--store", store, "-m", tiny_clip, "--precision", "fp32")
    assert mixed.exit_code == 2
    assert "encoded in bfloat16, not float32: pass --precision bf16" in mixed.stderr
    classes = two_classes(tmp_path)
    output = tmp_path / "labels.csv"
    result = run("label", "--embeddings", store, "-c", classes, "-m", tiny_clip, "-o", output)
    assert result.exit_code == 0, result.stderr
    model = json.loads((tmp_path / "labels.csv.run.json").read_text())["model"]
    assert (model["precision"], model["embeddings_precision"]) == ("float32", "bfloat16")


@pytest.mark.skipif(
    not os.access("/proc", os.W_OK), reason="needs Linux's /proc, writable as it is for root"
)
@pytest.mark.parametrize("store", ["/proc/s.zsl", "/proc/new/s.zsl"])
def test_a_store_where_no_file_can_be_made_is_refused_before_the_model_loads(store, tmp_path):
    # /proc takes no new file, though root may write to it: SQLite said only "unable to open
    # database file", once the model had loaded, where the other outputs say why.
    images = tmp_path / "images"
    write_images(images, 1)
    result = run("embed", images, "--store", store, "-m", tmp_path / "no-model")
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: cannot create embedding store {store}: no new file can be made in '/proc' "
        "(a kernel file system such as /proc): choose another folder\n"
    )


@pytest.mark.skipif(
    not os.access("/proc", os.W_OK), reason="needs Linux's /proc, writable as it is for root"
)
def test_an_export_where_no_file_can_be_made_is_refused_before_the_model_loads(tmp_path):
    # A folder that takes no new file failed the export only once every image was encoded
    # (hours on a real folder), where -o, --json and --report are refused before any work.
    images, store = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 1)
    result = run(
        "embed", images, "--store", store, "-m", tmp_path / "no-model", "--export", "/proc/v.npy"
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("zsl: error: cannot write")
    assert "/proc" in result.stderr and result.stderr.count("\n") == 1


def test_a_store_under_a_file_names_the_file_in_the_way(tiny_clip, tmp_path):
    images, blocker = tmp_path / "images", tmp_path / "notes"
    write_images(images, 1)
    blocker.write_text("not a folder")
    for store in (blocker / "s.zsl", blocker / "sub" / "s.zsl"):
        result = run("embed", images, "--store", store, "-m", tiny_clip)
        assert result.exit_code == 2
        assert result.stderr == (
            f"zsl: error: cannot create the folder of embedding store {store}: "
            f"'{blocker}' is a file, not a folder\n"
        )


def test_the_store_and_its_journals_are_never_images_of_the_scan(tiny_clip, tmp_path):
    # A store in the folder it embeds, named as an image (photos/store.png), was found by the
    # next scan and stored as a failed image; named in a path list, a store's journal was too.
    images = tmp_path / "images"
    write_images(images, 3)
    store = images / "store.png"
    first = embedded(images, store, tiny_clip)
    again = embedded(images, store, tiny_clip)
    assert (first["found"], again["found"], again["reused"], again["failed"]) == (3, 3, 3, 0)
    assert again["reused_failed"] == 0 and again["unreachable_files"] == []
    (images / "store.png-wal").write_bytes(b"")  # as a running zsl embed has them
    listing = "".join(f"{path}\n" for path in sorted(images.glob("*.png*")))
    listing += f"{images / 'store.png-journal'}\n{images / '.' / 'store.png'}\n"
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(
        app,
        ["embed", "-", "--store", str(store), "-m", str(tiny_clip), "--json", str(summary)],
        input=listing,
    )
    assert result.exit_code == 0, result.stderr
    counts = json.loads(summary.read_text())
    assert (counts["found"], counts["reused"], counts["encoded"]) == (3, 3, 0)
    assert counts["unreachable_files"] == []
    assert sorted(Path(path).name for path in stored(store, tiny_clip).paths) == [
        "img_000.png",
        "img_001.png",
        "img_002.png",
    ]
    # Labelling from the store takes the folder as embed does.
    classes = two_classes(tmp_path)
    result = run("label", "--embeddings", store, images, "-c", classes, "-m", tiny_clip, "-q")
    assert result.exit_code == 0, result.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == [
        str(path) for path in sorted(images.glob("img_*"))
    ]


def test_a_store_that_fills_its_disk_mid_run_says_what_it_saved(tiny_clip, tmp_path):
    # A full disk (here: a file size limit, which refuses a write as a full disk or a quota does)
    # ended the run with the error alone: nothing said how much of it the store kept.
    resource = pytest.importorskip("resource")  # POSIX

    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 12)
    limit = 1_000_000  # bytes: the store and a few batches' pages in its -wal file

    # On this process for the run: Python ignores SIGXFSZ, so a write past the limit fails with
    # EFBIG, as it does in a `zsl` process.
    assert signal.getsignal(signal.SIGXFSZ) == signal.SIG_IGN
    saved_limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, saved_limits[1]))
    try:
        result = run("embed", images, "-s", store, "-m", tiny_clip, "-b", "2", "-j", "1", "-q")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, saved_limits)
    assert result.exit_code == 2
    saved = _rows(store, mode="rw")
    assert 0 < saved < 12, "the limit must stop the run mid-way"
    assert result.stderr.count("\n") == 1, result.stderr
    said = f"; saved before it: {saved} of the 12 images this run had to encode\n"
    if sys.version_info < (3, 11):
        # Python 3.10's sqlite3 gives no sqlite_errorname: a refused write is told by its text
        # alone, "disk I/O error", as SQLite says for every I/O error.
        assert result.stderr.startswith(f"zsl: error: disk I/O error on embedding store {store} (")
        assert result.stderr.endswith(said), result.stderr
        return
    assert result.stderr.startswith(f"zsl: error: could not write embedding store {store} (")
    assert result.stderr.endswith(f"(batches already written are kept){said}"), result.stderr


def test_labelling_paths_that_hold_only_the_store_says_so(tiny_clip, tmp_path):
    # The store, left out of the paths to label, left none: "photos/store.png: no stored images"
    # said the store was empty, where it holds every image embedded.
    images = tmp_path / "images"
    write_images(images, 2)
    store = tmp_path / "only" / "store.png"
    embedded(images, store, tiny_clip)
    classes = two_classes(tmp_path)
    for paths in ([store], [store.parent]):
        result = run("label", "--embeddings", store, *paths, "-c", classes, "-m", tiny_clip)
        assert result.exit_code == 2
        assert result.stderr == (
            f"zsl: error: no images found: {store} is the embedding store, not an image; give "
            "the folders or files of the images it holds, or no paths for all of them\n"
        )


def test_an_npy_export_naming_files_not_in_utf8_is_warned_of(tiny_clip, tmp_path):
    # Its .paths.csv holds such names as their bytes, which pandas and DuckDB refuse: label warns
    # of its own CSV so, and the export said nothing.
    images = tmp_path / "images"
    write_images(images, 2)
    os.rename(images / "img_001.png", os.fsencode(images) + b"/caf\xe9.png")
    store, export = tmp_path / "s.zsl", tmp_path / "v.npy"
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--export", export)
    assert result.exit_code == 0, result.stderr
    index = f"{export}.paths.csv"
    assert (
        f"warning: 1 row names a file in bytes that are not valid UTF-8 (e.g. '{images}/caf\\xe9"
        f".png'), which {index} holds as those bytes"
    ) in result.stderr
    # Exported from the store alone too; a parquet export keeps the bytes in path_bytes.
    result = run("embed", "--store", store, "-m", tiny_clip, "--export", export)
    assert result.exit_code == 0 and f"which {index} holds" in result.stderr
    pytest.importorskip("pyarrow")
    parquet = run("embed", "--store", store, "-m", tiny_clip, "--export", tmp_path / "v.parquet")
    assert parquet.exit_code == 0 and "UTF-8" not in parquet.stderr
    os.rename(os.fsencode(images) + b"/caf\xe9.png", images / "cafe.png")
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--export", export)
    assert result.exit_code == 0 and "UTF-8" not in result.stderr


def test_embed_json_counts_as_encoded_the_images_the_summary_calls_encoded(
    tiny_clip: Path, tmp_path: Path
) -> None:
    # "encoded" counted every image read, failures too: 595 where the terminal said 209.
    images, store, summary = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "e.json"
    write_images(images, 3)
    jpeg = io.BytesIO()
    Image.open(write_images(tmp_path / "jpeg", 1, seed=9)[0]).save(jpeg, "JPEG")
    (images / "cut.jpg").write_bytes(jpeg.getvalue()[: len(jpeg.getvalue()) // 2])
    (images / "text.png").write_text("not an image")
    result = CliRunner().invoke(
        app,
        ["embed", str(images), "--store", str(store), "-m", str(tiny_clip), "--json", str(summary)],
    )
    assert result.exit_code == 0, result.stderr
    assert "5 images found, 3 encoded, 0 reused, 0 removed" in result.stderr
    counts = json.loads(summary.read_text())
    assert (counts["found"], counts["encoded"], counts["failed"]) == (5, 3, 2)
    assert counts["failed_by_status"] == {"truncated": 1, "not_an_image": 1}
    # Every key of the document is one the README describes.
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    described = readme[readme.index("`embed --json FILE`") :].split("\n\n")[0]
    assert all(f"`{key}`" in described for key in counts)
