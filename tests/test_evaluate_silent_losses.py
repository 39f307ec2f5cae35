"""`zsl evaluate` says where images it scores lower are not the model's doing: rows a store
behind the folder left unlabelled (not_embedded, changed)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.evaluation_helpers import predicted, touch
from tests.helpers import FOLDER_CLASSES, embedded, run, write_images
from zsl_cli.writers import open_writer


def evaluate_json(*args: object) -> dict:
    result = run("evaluate", *args, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


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
    warning = (
        "warning: 3 images were not labelled because the store s.zsl lacks them or holds them "
        "as they were before a change (changed 1, not_embedded 2): each counts as failed, "
        "lowering every metric; bring them into the store with zsl embed PATH... --store s.zsl "
        f"-m {tiny_clip} --precision fp32, then label again"  # the model as the store holds it
    )
    assert warning in " ".join(result.stderr.split())
    report = evaluate_json("p.csv", "--truth", photos)
    assert report["failed"] == {"count": 3, "by_status": {"changed": 1, "not_embedded": 2}}
    assert [w for w in report["warnings"] if "store s.zsl lacks them" in w]


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
    assert "zsl embed PATH... --store STORE with the labelling's model, then" in warning
