"""`zsl evaluate` says where images it scores lower, or leaves unpaired, are not the model's
doing: rows a store behind the folder left unlabelled (not_embedded, changed), and truth images
whose path below the truth root several predictions end with (predictions read without their
run info, away from where they were labelled, over several sets holding the same names)."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from typer.testing import CliRunner

from tests.evaluation_helpers import predicted, touch
from tests.helpers import FOLDER_CLASSES, embedded, run, write_images
from zsl_cli.cli import app
from zsl_cli.files import sidecar_path
from zsl_cli.writers import open_writer


def evaluate_json(*args: object) -> dict:
    result = run("evaluate", *args, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def hint_of(said: str) -> str:
    """The command of the stale-store warning in `said` (stderr, on one line)."""
    return said.split(" into the store with ", 1)[1]


def test_rows_a_stale_store_left_unlabelled_are_warned_of(tiny_clip, tmp_path, monkeypatch):
    # Labelled from a store embedded before two images were added and one was changed: those
    # rows are failed images in the metrics, which an unreadable image is too; without a word
    # the accuracy fell for images that only wanted 'zsl embed'.
    monkeypatch.chdir(tmp_path)
    photos = Path("photos")
    for index, name in enumerate(FOLDER_CLASSES):
        write_images(photos / name, 3, seed=index)
    (tmp_path / "classes.txt").write_text("\n".join(FOLDER_CLASSES) + "\n")
    embedded(photos, Path("s.zsl"), tiny_clip)
    write_images(photos / FOLDER_CLASSES[0] / "new", 2, seed=9)
    changed = next((photos / FOLDER_CLASSES[1]).iterdir())
    changed.write_bytes(next((photos / FOLDER_CLASSES[2]).iterdir()).read_bytes())
    labelled = run(
        "label", *("--embeddings", "s.zsl", photos, "-c", "classes.txt", "-m", tiny_clip),
        *("-o", "p.csv", "-q"),
    )  # fmt: skip
    assert labelled.exit_code == 0, labelled.output

    result = run("evaluate", "p.csv", "--truth", photos)
    assert result.exit_code == 0, result.output
    # The way out in label's summary's words (`stale_store_hint`), the model as the store holds it
    hint = (
        "bring the changed and not_embedded images into the store with zsl embed PATH... --store "
        f"s.zsl -m {tiny_clip} --precision fp32 (PATH...: the paths the labelling was given), then "
        "label again"
    )
    warning = (
        "warning: 3 images were not labelled because the store s.zsl lacks them or holds them "
        "as they were before a change (changed 1, not_embedded 2): each counts as failed, "
        f"lowering every metric; {hint}"
    )
    assert warning in " ".join(result.stderr.split())
    label_again = (
        "label", *("--embeddings", "s.zsl", photos, "-c", "classes.txt", "-m", tiny_clip),
        *("-o", "again.csv"),
    )  # fmt: skip
    relabelled = run(*label_again)
    said = " ".join(relabelled.stderr.split())
    assert hint.replace("the labelling was given", "given here") in said
    report = evaluate_json("p.csv", "--truth", photos)
    assert report["failed"] == {"count": 3, "by_status": {"changed": 1, "not_embedded": 2}}
    assert [w for w in report["warnings"] if "store s.zsl lacks them" in w]
    # From another folder, the store is named from there (as recorded, the command pasted there
    # made a new store), and the command runs in the labelling's folder: PATH... (the paths the
    # labelling was given, 'photos') start there, and from sub/ embedded nothing.
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    elsewhere = run("evaluate", "../p.csv", "--truth", "../photos")
    assert elsewhere.exit_code == 0, elsewhere.output
    said = " ".join(elsewhere.stderr.split())
    assert "because the store ../s.zsl lacks them" in said
    assert f"with cd .. && zsl embed PATH... --store s.zsl -m {tiny_clip} --precision" in said
    # Pasted as said, with the paths the labelling was given, it brings the images in.
    folder, _, command = hint_of(said).partition(" && ")
    command = command.replace("zsl embed PATH...", "embed photos").split(" (PATH...")[0]
    assert folder == "cd .."
    monkeypatch.chdir(os.path.normpath(folder.removeprefix("cd ")))
    assert run(*shlex.split(command)).exit_code == 0
    again = run(*label_again[:-1], "third.csv")
    assert again.exit_code == 0 and "Labelled" in again.stderr, again.output
    assert "failed" not in again.stderr and "hint" not in again.stderr


def test_failures_of_unreadable_images_are_no_store_warning(tmp_path):
    images = [touch(tmp_path / "photos" / "cat" / f"{i}.png") for i in range(3)]
    output = tmp_path / "p.jsonl"
    with open_writer(output, "jsonl") as writer:
        writer.write(predicted(images[0], "cat"))
        writer.write(predicted(images[1], "", status="truncated"))
        writer.write(predicted(images[2], "", status="not_embedded"))
        writer.close({"classes": {"n": 1, "names": ["cat"]}})
    report = evaluate_json(output, "--truth", tmp_path / "photos")
    assert report["failed"]["by_status"] == {"not_embedded": 1, "truncated": 1}
    [warning] = [w for w in report["warnings"] if "store" in w]
    # No store recorded: the one to give is named as the command writes it.
    assert warning.startswith("1 image was not labelled because the store lacks it or holds ")
    assert warning.endswith(
        "; bring the not_embedded image into the store with zsl embed PATH... --store STORE "
        "with the labelling's model (PATH...: the paths the labelling was given), then label "
        "again"
    )


def several_sets(tmp_path: Path) -> Path:
    """photos/setA and photos/setB with the same class folders and file names (as
    `python -m zsl_cli.demo make-images` writes them), setA with one name of its own; the
    predictions of both, labelled from tmp_path (relative paths), without their run info."""
    names = [f"{name}/{name}_{i}.png" for name in ("cat", "dog") for i in range(2)]
    for set_name in ("setA", "setB"):
        for name in names:
            touch(tmp_path / "photos" / set_name / name)
    touch(tmp_path / "photos" / "setA" / "cat" / "only_here.png")
    output = tmp_path / "rel.jsonl"
    with open_writer(output, "jsonl") as writer:
        for path in sorted((tmp_path / "photos").rglob("*.png")):
            relative = path.relative_to(tmp_path)
            writer.write(predicted(str(relative), relative.parent.name))
    sidecar_path(output).unlink()  # left behind, or the predictions piped
    return output


def test_truth_images_several_predictions_end_like_are_warned_of(tmp_path, monkeypatch):
    # From another folder, photos/setA/cat/cat_0.png and photos/setB/cat/cat_0.png both end
    # with setA's cat/cat_0.png: neither pairs (a guess would score another image). Only the
    # name setA alone holds paired: 1 image evaluated, exit 0, nothing said of the other 4.
    predictions = several_sets(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    truth = tmp_path / "photos" / "setA"
    report = evaluate_json(predictions, "--truth", truth)
    assert report["n"] == 1 and report["unmatched"]["truth"]["count"] == 4
    [warning] = [w for w in report["warnings"] if "several predictions" in w]
    assert warning == (
        "4 truth images each end like several predictions, and are paired with none (e.g. "
        "'cat/cat_0.png': 'photos/setA/cat/cat_0.png' and 'photos/setB/cat/cat_0.png'): run "
        f"zsl evaluate in the folder the labelling ran in, keep its run info ({predictions}"
        ".run.json) beside the predictions, or give a truth CSV with the predictions' paths"
    )
    printed = run("evaluate", predictions, "--truth", truth)
    assert printed.exit_code == 0
    assert "warning: 4 truth images each end like several predictions" in " ".join(
        printed.stderr.split()
    )

    # From the folder the labelling ran in, the same files pair whole, with no such warning.
    monkeypatch.chdir(tmp_path)
    report = evaluate_json(predictions, "--truth", truth)
    assert report["n"] == 5
    assert not [w for w in report["warnings"] if "several predictions" in w]


def test_piped_predictions_sharing_endings_are_told_to_come_from_the_file(tmp_path, monkeypatch):
    predictions = several_sets(tmp_path)
    monkeypatch.chdir(tmp_path / "photos")  # a folder where the predictions' paths name nothing
    args = ["evaluate", "-", "--truth", str(tmp_path / "photos" / "setA"), "--json", "-", "-q"]
    result = CliRunner().invoke(app, args, input=predictions.read_bytes())
    assert result.exit_code == 0, result.output
    [warning] = [w for w in json.loads(result.stdout)["warnings"] if "several predictions" in w]
    assert warning.endswith(
        "run zsl evaluate in the folder the labelling ran in, evaluate the predictions' file "
        "with its run info beside it, not a pipe, or give a truth CSV with the "
        "predictions' paths"
    )
