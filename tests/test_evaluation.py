"""zsl_cli.evaluation and zsl_cli.report on real files: truth folders and CSVs, path matching,
GZSL from prediction scores, the JSON result and the report files."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys

import numpy as np
import pytest

from tests.evaluation_helpers import predicted, touch
from zsl_cli import readers
from zsl_cli.discovery import scan
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import (
    _ties_as_written,
    evaluate,
    evaluate_files,
    load_truth,
    match_paths,
    read_seen_classes,
)
from zsl_cli.metrics import calibrated_stacking
from zsl_cli.readers import read_predictions
from zsl_cli.records import LabelScore, Prediction, RankedScores
from zsl_cli.report import write_report
from zsl_cli.writers import open_writer


@pytest.fixture
def photos(tmp_path):
    """photos/{cat,dog,bird}: cat has a nested folder, dog a hidden file and a readme, bird none."""
    root = tmp_path / "photos"
    for name in ("cat/a.jpg", "cat/b.png", "cat/more/c.jpg", "dog/d.jpg", "dog/e.JPG"):
        touch(root / name)
    touch(root / "dog" / ".hidden.jpg")
    touch(root / "dog" / "notes.txt")
    touch(root / ".cache" / "x.jpg")  # a hidden folder is no class
    (root / "bird").mkdir()
    touch(root / "classes.txt")  # files at the top are not classes
    return root


def test_folder_truth_classes_items_and_hidden_entries(photos):
    truth = load_truth(photos)
    assert truth.kind == "folder"
    assert truth.classes == ("bird", "cat", "dog")
    shown = [item.shown for item in truth.items]
    assert shown == [
        "cat/a.jpg",
        "cat/b.png",
        "cat/more/c.jpg",
        "dog/.hidden.jpg",
        "dog/d.jpg",
        "dog/e.JPG",
        "dog/notes.txt",
    ]
    labels = {item.shown: item.label for item in truth.items}
    assert labels["cat/more/c.jpg"] == "cat"
    by_shown = {item.shown: item for item in truth.items}
    assert not by_shown["dog/notes.txt"].image_like and not by_shown["dog/notes.txt"].hidden
    assert by_shown["dog/.hidden.jpg"].hidden and not by_shown["dog/d.jpg"].hidden


def test_hidden_images_count_only_when_a_prediction_names_them(photos):
    # zsl label skips hidden files unless --include-hidden: then they are labelled and evaluated.
    hidden = predicted(photos / "dog" / ".hidden.jpg", "cat")
    for predictions, n, truth_left in (([], 0, 5), ([hidden], 1, 5)):
        matching = match_paths([p.path for p in predictions], load_truth(photos))
        assert len(matching.pairs) == n
        assert matching.unmatched.truth == truth_left  # never counts the hidden file as missed
        assert ".hidden" not in " ".join(matching.unmatched.truth_examples)
        assert matching.unmatched.ignored_files == 1  # the readme


@pytest.mark.parametrize("name", [".current", "latest"])
def test_a_link_loop_at_the_top_of_a_truth_folder_is_no_class(photos, name):
    # `zsl label photos` passes over it (a broken link with no image's extension); the truth
    # was refused whole, as 'cannot read the ground-truth folder: Too many levels of links'.
    without = load_truth(photos)
    (photos / name).symlink_to(name)
    assert load_truth(photos) == without
    assert without.classes == ("bird", "cat", "dog")


def test_an_unreadable_hidden_folder_does_not_stop_evaluation(photos, monkeypatch):
    (photos / "cat" / ".Trash-1000").mkdir()
    scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path).endswith((".Trash-1000", "more")):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(ZslError, match="cannot read .*cat/more in the ground truth"):
        load_truth(photos)  # a class's own folder that cannot be read would skew the numbers
    (photos / "cat" / "more" / "c.jpg").unlink()
    (photos / "cat" / "more").rmdir()
    assert len(load_truth(photos).items) == 6  # the hidden one is left out, as label leaves it


def test_folder_truth_follows_folder_links_as_label_does(photos, tmp_path):
    extra = tmp_path / "extra"
    touch(extra / "f.jpg")
    (photos / "dog" / "batch").symlink_to(extra, target_is_directory=True)
    (photos / "dog" / "loop").symlink_to(photos / "dog", target_is_directory=True)
    shown = [item.shown for item in load_truth(photos).items if item.label == "dog"]
    assert shown == [
        "dog/.hidden.jpg",
        "dog/batch/f.jpg",
        "dog/d.jpg",
        "dog/e.JPG",
        "dog/notes.txt",
    ]
    # A link from one class into another: the images belong where they are without a link.
    (photos / "cat" / "dogs-too").symlink_to(photos / "dog", target_is_directory=True)
    assert not [item for item in load_truth(photos).items if "dogs-too" in item.shown]
    labelled = scan([str(photos / "dog")]).paths
    assert photos / "dog" / "batch" / "f.jpg" in labelled
    result = evaluate([predicted(p, "dog") for p in labelled], load_truth(photos), ks=(1,))
    assert result.n == 3 and result.unmatched.predictions == 0


def test_absolute_and_relative_prediction_paths(photos, monkeypatch):
    monkeypatch.chdir(photos.parent)
    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat"),  # absolute
        predicted("photos/cat/b.png", "dog"),  # relative to the current folder
        predicted("./photos/cat/../cat/more/c.jpg", "cat"),  # unnormalised
        predicted("photos/dog/d.jpg", "dog"),
        predicted("photos/dog/e.JPG", "", status="unreadable"),
    ]
    result = evaluate(predictions, load_truth("photos"), ks=(1,))
    assert result.n == 5
    assert result.unmatched.predictions == 0 and result.unmatched.truth == 0
    assert result.unmatched.ignored_files == 1
    assert result.unmatched.ignored_examples == ("dog/notes.txt",)
    stats = {s.name: s for s in result.metrics.per_class}
    assert (stats["cat"].support, stats["cat"].correct) == (3, 2)
    assert (stats["dog"].support, stats["dog"].correct) == (2, 1)
    assert result.metrics.top_k[0].mean_per_class == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert result.metrics.failed_by_status == {"unreadable": 1}
    # bird has a folder but no images: left out of the averages, and said so.
    assert "bird" not in result.metrics.classes
    assert "1 truth class has no evaluated images, left out of the averages: bird" in result.notes


def test_unmatched_on_both_sides_are_counted_with_examples(photos, tmp_path):
    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat"),
        predicted(tmp_path / "elsewhere" / "zebra.jpg", "cat"),
        predicted(tmp_path / "elsewhere" / "horse.jpg", "dog"),
    ]
    result = evaluate(predictions, load_truth(photos))
    u = result.unmatched
    assert u.predictions == 2
    assert sorted(os.path.basename(p) for p in u.prediction_examples) == ["horse.jpg", "zebra.jpg"]
    assert u.truth == 4  # the readme is not counted: it is no image and nothing names it
    assert set(u.truth_examples) == {"cat/b.png", "cat/more/c.jpg", "dog/d.jpg", "dog/e.JPG"}
    data = result.to_json()["unmatched"]
    assert data["predictions"]["count"] == 2 and data["truth"]["count"] == 4
    assert result.n == 1


def test_predictions_made_elsewhere_match_by_path_relative_to_truth_root(photos):
    predictions = [
        predicted("/mnt/other-machine/photos/cat/a.jpg", "cat"),
        predicted("/mnt/other-machine/photos/cat/more/c.jpg", "dog"),
        # Two predictions ending in dog/d.jpg: ambiguous, so neither is matched.
        predicted("/mnt/one/dog/d.jpg", "dog"),
        predicted("/mnt/two/dog/d.jpg", "dog"),
    ]
    result = evaluate(predictions, load_truth(photos), ks=(1,))
    assert result.n == 2
    assert result.unmatched.matched_by_relative_path == 2
    assert result.unmatched.predictions == 2
    assert any("relative to the truth root" in note for note in result.notes)
    assert result.metrics.per_class[0].name == "cat"
    assert result.metrics.per_class[0].correct == 1


def test_exact_matches_win_over_relative_path_matches(photos):
    exact = predicted(photos / "cat" / "a.jpg", "cat")
    copy_elsewhere = predicted("/mnt/other/photos/cat/a.jpg", "dog")
    matching = match_paths([copy_elsewhere.path, exact.path], load_truth(photos))
    assert matching.pairs == ((1, 0),)  # truth item 0 is cat/a.jpg
    assert matching.unmatched.predictions == 1
    assert matching.unmatched.matched_by_relative_path == 0


def test_an_existing_file_with_the_same_ending_is_another_image(photos, tmp_path):
    # train/cat/a.jpg exists next to the truth's cat/a.jpg: same ending, different images.
    other = touch(tmp_path / "train" / "cat" / "a.jpg")
    predictions = [predicted(other, "dog"), predicted(photos / "dog" / "d.jpg", "dog")]
    truth = load_truth(photos)
    matching = match_paths([p.path for p in predictions], truth)
    assert matching.pairs == ((1, [i.shown for i in truth.items].index("dog/d.jpg")),)
    assert matching.unmatched.matched_by_relative_path == 0
    assert matching.unmatched.predictions == 1 and "cat/a.jpg" in matching.unmatched.truth_examples


def test_symlinked_truth_root_matches_by_real_path(photos, tmp_path):
    link = tmp_path / "link-to-photos"
    link.symlink_to(photos, target_is_directory=True)
    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat"),
        predicted(photos / "dog" / "d.jpg", "cat"),
    ]
    result = evaluate(predictions, load_truth(link), ks=(1,))
    assert result.n == 2
    assert result.unmatched.matched_by_relative_path == 0
    assert result.metrics.top_k[0].overall == pytest.approx(0.5)


def test_a_truth_image_matches_one_prediction_and_a_shared_real_path_matches_none(photos, tmp_path):
    link = tmp_path / "link-to-photos"
    link.symlink_to(photos, target_is_directory=True)
    # One image under two spellings (not the same path twice): the truth image is paired once.
    matching = match_paths(
        [str(photos / "cat" / "a.jpg"), str(link / "cat" / "a.jpg")], load_truth(photos)
    )
    assert matching.pairs == ((0, 0),) and matching.unmatched.predictions == 1
    # dog/a-too.jpg links to cat/a.jpg: by real path, that image is in both classes, and a
    # link to it from outside the truth (a picked/ folder of links) is neither.
    (photos / "dog" / "a-too.jpg").symlink_to(photos / "cat" / "a.jpg")
    (tmp_path / "picked").mkdir()
    (tmp_path / "picked" / "a.jpg").symlink_to(photos / "cat" / "a.jpg")
    truth = load_truth(photos)
    shown = [item.shown for item in truth.items]
    assert shown[1] == "cat/b.png" and "dog/a-too.jpg" in shown
    rows = [str(tmp_path / "picked" / "a.jpg"), str(photos / "cat" / "b.png")]
    matching = match_paths(rows, truth)
    assert matching.pairs == ((1, 1),) and matching.unmatched.predictions == 1


def test_a_file_linked_into_another_class_keeps_its_pairs_through_a_folder_link(photos, tmp_path):
    # `zsl label` lists cat/a.jpg and dog/a-too.jpg (a link to it) as two rows; spelled through
    # a link to the folder, or with the truth read through one, each is still its own truth image.
    (photos / "dog" / "a-too.jpg").symlink_to(photos / "cat" / "a.jpg")
    link = tmp_path / "link-to-photos"
    link.symlink_to(photos, target_is_directory=True)
    for labelled, truth_root in ((link, photos), (photos, link)):
        rows = [str(labelled / "cat" / "a.jpg"), str(labelled / "dog" / "a-too.jpg")]
        truth = load_truth(truth_root)
        shown = [item.shown for item in truth.items]
        matching = match_paths(rows, truth)
        assert matching.pairs == ((0, shown.index("cat/a.jpg")), (1, shown.index("dog/a-too.jpg")))
        assert matching.unmatched.predictions == 0


def test_a_truth_image_reached_from_the_current_folder_matches_one_prediction(
    photos, tmp_path, monkeypatch
):
    # The labelling's folder exists here but holds no images: a relative path starts in the
    # current folder instead, where it names the image that the absolute row names too.
    (tmp_path / "labelled-here").mkdir()
    monkeypatch.chdir(photos)
    paths = ["cat/a.jpg", str(photos / "cat" / "a.jpg")]
    matching = match_paths(paths, load_truth(photos), base=str(tmp_path / "labelled-here"))
    assert matching.pairs == ((0, 0),) and matching.unmatched.predictions == 1


def test_a_path_the_truth_names_wins_over_a_link_to_it_whatever_the_row_order(tmp_path):
    touch(tmp_path / "cat" / "a.jpg")
    (tmp_path / "cat" / "link.jpg").symlink_to("a.jpg")
    truth = load_truth(write_csv(tmp_path / "truth.csv", b"path,label\ncat/a.jpg,cat\n"))
    file, link = str(tmp_path / "cat" / "a.jpg"), str(tmp_path / "cat" / "link.jpg")
    assert match_paths([link, file], truth).pairs == ((1, 0),)
    assert match_paths([file, link], truth).pairs == ((0, 0),)


def write_csv(path, text: bytes) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text)
    return os.fsdecode(path)


def test_csv_truth_relative_to_its_folder_and_absolute(photos, tmp_path, monkeypatch):
    absolute = os.fsencode(photos / "dog" / "d.jpg")
    csv_path = write_csv(
        photos / "truth.csv",
        b"\xef\xbb\xbfpath,label\r\ncat/a.jpg,cat\r\n\r\n cat/more/c.jpg , cat \r\n"
        + absolute
        + b",dog\r\ncat/a.jpg,cat\r\n",  # an identical repeat is harmless
    )
    monkeypatch.chdir(tmp_path)  # not the CSV's folder: paths resolve against the CSV's folder
    truth = load_truth(csv_path)
    assert truth.kind == "csv" and truth.classes == ("cat", "dog")
    assert len(truth.items) == 3
    predictions = [
        predicted("photos/cat/a.jpg", "cat"),
        predicted(photos / "cat" / "more" / "c.jpg", "dog"),
        predicted("photos/dog/d.jpg", "dog"),
        predicted("photos/cat/b.png", "cat"),  # not in the CSV
    ]
    result = evaluate(predictions, truth, ks=(1,))
    assert result.n == 3 and result.unmatched.predictions == 1
    assert result.unmatched.matched_by_relative_path == 0
    assert result.metrics.top_k[0].mean_per_class == pytest.approx((1 / 2 + 1) / 2)


def test_a_one_hot_csv_truth_reads_each_row_s_one_marked_class(tmp_path):
    # Roboflow's classification export (train/_classes.csv beside the images): a 0/1 column
    # per class, names after ", ". It was refused for having no label column.
    csv_path = write_csv(
        tmp_path / "train" / "_classes.csv",
        b"filename, cat, dog, fox\na.jpg, 1, 0, 0\n\nb.jpg, 0, 1, 0\nc.jpg, 0, 1, 0\n",
    )
    truth = load_truth(csv_path)
    assert truth.classes == ("cat", "dog", "fox")  # fox, no image's class, as an empty folder
    assert [(item.shown, item.label) for item in truth.items] == [
        ("a.jpg", "cat"),
        ("b.jpg", "dog"),
        ("c.jpg", "dog"),
    ]
    predictions = [predicted(tmp_path / "train" / name, "dog") for name in ("a.jpg", "b.jpg")]
    result = evaluate(predictions, truth, ks=(1,))
    assert result.n == 2 and result.metrics.top_k[0].mean_per_class == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # Multi-label: which class the image is of is not guessed.
        (b"a.jpg,1,0,0\n\nb.jpg,1,1,0\n", "line 4: 2 classes are marked 1 (cat, dog): a multi"),
        (b"a.jpg,0,0,0\n", "line 2: no class is marked 1"),
        (b"a.jpg,1,0,0\nb.jpg,0,yes,0\n", "line 3: 'yes' in the column 'dog', where a table"),
        (b"a.jpg,1,0,0\nb.jpg,0,1\n", "line 3: 3 cells, fewer than the header's 4"),
        # Not a one-hot table: its header is refused as before.
        (b"a.jpg,big,0,0\n", "needs a header with a path column"),
    ],
)
def test_a_one_hot_csv_truth_refuses_rows_without_one_class(tmp_path, rows, message):
    csv_path = write_csv(tmp_path / "_classes.csv", b"filename,cat,dog,fox\n" + rows)
    with pytest.raises(ZslError, match=re.escape(message)):
        load_truth(csv_path)


def test_a_truth_csv_error_in_its_first_row_names_that_row_s_line(tmp_path):
    csv_path = write_csv(tmp_path / "truth.csv", b"path,label\n\n,cat\nb.jpg,dog\n")
    with pytest.raises(ZslError, match="line 3: the path is empty"):
        load_truth(csv_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The open quote swallows the rows below it into one cell: the row it opens on is told,
        # for its reason, where the row it ran on to was blamed for its columns.
        (
            b'path,label\n"a.jpg,cat\nb.jpg,dog\n"c.jpg",fox\n',
            "line 2: a quoted cell runs on to line 4",
        ),
        (
            b'path,label\na.jpg,cat\n"b.jpg,dog\n',
            "line 3: a quoted cell runs on to the end of the file",
        ),
        (
            b'path,label\na.jpg,cat\n"b.jpg,dog',
            "line 3: a quoted cell runs on to the end of the file",
        ),
    ],
)
def test_a_truth_csv_quote_left_open_is_told_at_its_line(tmp_path, text, message):
    csv_path = write_csv(tmp_path / "truth.csv", text)
    with pytest.raises(ZslError, match=re.escape(message) + r".*without its closing quote\?"):
        load_truth(csv_path)


def test_no_match_shows_where_two_same_looking_paths_point(tmp_path, monkeypatch):
    touch(tmp_path / "small" / "a.png")
    touch(tmp_path / "labels" / "small" / "a.png")  # another file the CSV's path resolves to
    csv_path = write_csv(tmp_path / "labels" / "truth.csv", b"path,label\nsmall/a.png,cat\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as caught:
        evaluate([predicted("small/a.png", "cat")], load_truth(csv_path))
    message = caught.value.message
    assert repr(str(tmp_path / "small" / "a.png")) in message
    assert repr(str(tmp_path / "labels" / "small" / "a.png")) in message
    assert "relative paths start at the CSV's folder" in message
    # Of a CSV of absolute paths, that would mislead: none of them is relative to anything.
    csv_path = write_csv(tmp_path / "labels" / "other.csv", b"path,label\n/home/al/a.png,cat\n")
    with pytest.raises(ZslError) as caught:
        evaluate([predicted("/mnt/bob/a.png", "cat")], load_truth(csv_path))
    assert "'/mnt/bob/a.png' vs '/home/al/a.png'); run evaluate" in caught.value.message


def test_no_match_gives_an_image_of_the_truth_as_example(photos, tmp_path):
    touch(photos / "cat" / "README.txt")  # sorts before the images: no example of an image
    with pytest.raises(ZslError, match="'/elsewhere/x.jpg' vs 'cat/a.jpg'"):
        evaluate([predicted("/elsewhere/x.jpg", "cat")], load_truth(photos))


def test_csv_truth_relative_paths_written_from_another_folder(tmp_path, photos, monkeypatch):
    # The CSV lives in labels/ but its paths start at tmp_path: matched by path ending.
    csv_path = write_csv(tmp_path / "labels" / "truth.csv", b"label,path\ncat,photos/cat/a.jpg\n")
    monkeypatch.chdir(tmp_path)
    result = evaluate([predicted("photos/cat/a.jpg", "cat")], load_truth(csv_path))
    assert result.n == 1 and result.unmatched.matched_by_relative_path == 1


def test_the_longest_matching_path_ending_wins(tmp_path):
    # A truth CSV with a.jpg and x/a.jpg: a prediction made elsewhere of .../x/a.jpg is the
    # second image, never the first, which only shares its file name.
    csv_path = write_csv(tmp_path / "truth.csv", b"path,label\na.jpg,cat\nx/a.jpg,dog\n")
    matching = match_paths(["/elsewhere/x/a.jpg"], load_truth(csv_path))
    assert matching.pairs == ((0, 1),) and matching.unmatched.matched_by_relative_path == 1


def test_an_ambiguous_longest_ending_does_not_fall_back_to_a_shorter_one(tmp_path):
    # ../x/a.jpg and x/a.jpg are two files that both end in x/a.jpg: a prediction of .../x/a.jpg
    # made elsewhere is one of them, which one is unknown, and never a.jpg, the third.
    csv_path = write_csv(
        tmp_path / "labels" / "truth.csv", b"path,label\n../x/a.jpg,cat\nx/a.jpg,dog\na.jpg,bird\n"
    )
    matching = match_paths(["/elsewhere/x/a.jpg"], load_truth(csv_path))
    assert matching.pairs == () and matching.unmatched.predictions == 1


def test_paths_written_on_windows_match_by_their_ending(photos, tmp_path):
    # A truth CSV typed on Windows, and predictions made there, separate folders with "\\".
    csv_path = write_csv(photos / "truth.csv", b"path,label\r\ncat\\more\\c.jpg,cat\r\n")
    matching = match_paths([str(photos / "cat" / "more" / "c.jpg")], load_truth(csv_path))
    assert matching.pairs == ((0, 0),) and matching.unmatched.matched_by_relative_path == 1
    windows = [r"C:\Users\me\photos\cat\a.jpg", r"C:\Users\me\photos\dog\d.jpg"]
    truth = load_truth(photos)
    matching = match_paths(windows, truth)
    shown = [truth.items[i].shown for _, i in matching.pairs]
    assert shown == ["cat/a.jpg", "dog/d.jpg"] and matching.unmatched.predictions == 0


def test_paths_composed_otherwise_match_by_their_ending(tmp_path):
    # Labelled on macOS (names decomposed), truth unpacked elsewhere (composed): the same names.
    decomposed, composed = "cafe\u0301", "caf\u00e9"
    touch(tmp_path / "truth" / composed / f"{composed}.jpg")
    matching = match_paths(
        [f"/Users/me/{decomposed}/{decomposed}.jpg"], load_truth(tmp_path / "truth")
    )
    assert matching.pairs == ((0, 0),) and matching.unmatched.matched_by_relative_path == 1


def test_csv_truth_absolute_rows_match_by_their_whole_path_only(tmp_path):
    # Rule 3 matches "a relative path as written": an absolute row names one file, and a
    # prediction of a copy of it in another tree (another image, maybe) is not that file.
    csv_path = write_csv(tmp_path / "truth.csv", b"path,label\n/data/cat/a.jpg,cat\n")
    matching = match_paths(["/mnt/copy/data/cat/a.jpg"], load_truth(csv_path))
    assert matching.pairs == () and matching.unmatched.predictions == 1


def test_a_truth_folder_a_level_above_its_classes_is_said(tmp_path):
    # data/train/cat/a.jpg: --truth data makes train and val the classes and every image wrong;
    # the warning says where the class folders are.
    paths = [touch(tmp_path / "data" / name) for name in ("train/cat/a.jpg", "val/dog/b.jpg")]
    truth = load_truth(tmp_path / "data")
    predictions = [predicted(paths[0], "cat", ["cat", "dog"]), predicted(paths[1], "dog")]
    said = f"give one as --truth, as {tmp_path / 'data' / 'train'})"
    hint = f"(train, val hold folders named as classes, such as 'train/cat': {said}"
    result = evaluate(predictions, truth, ks=(1,))
    assert len(result.warnings) == 1
    assert result.warnings[0].endswith(f": train, val {hint}")
    # With the run's classes (its run info), no truth class is one: refused, with the same hint
    # (it scored every image 0% and exited 0).
    with pytest.raises(ZslError) as refused:
        evaluate(predictions, truth, ks=(1,), class_names=["cat", "dog"])
    assert str(refused.value).endswith(
        f"(their truth classes: train, val; classes: cat, dog) {hint}"
    )
    # Folders that hold no class's folder are no such tree: nothing more is said.
    touch(tmp_path / "other" / "misc" / "cat2" / "c.jpg")
    alone = predicted(tmp_path / "other" / "misc" / "cat2" / "c.jpg", "cat")
    result = evaluate([alone], load_truth(tmp_path / "other"))
    assert result.warnings[0].endswith("(do the class names match the truth's?): misc")


def test_csv_truth_absolute_rows_from_another_machine_end_with_relative_predictions(
    tmp_path, monkeypatch
):
    # Alice's truth names her files; the predictions were made here, from the folder above the
    # images: each one's whole relative path ends one of her paths, as rule 3 the other way.
    csv_path = write_csv(
        tmp_path / "truth.csv",
        b"path,label\n/home/alice/data/shapes/cat/a.jpg,cat\n/home/alice/data/shapes/dog/a.jpg,dog\n"
        b"/home/alice/data/shapes/dog/b.jpg,dog\n",
    )
    monkeypatch.chdir(tmp_path)
    predictions = [predicted("shapes/cat/a.jpg", "cat"), predicted("./shapes/dog/a.jpg", "cat")]
    result = evaluate(predictions, load_truth(csv_path), ks=(1,))
    assert result.n == 2 and result.unmatched.matched_by_relative_path == 2
    assert result.metrics.top_k[0].overall == pytest.approx(0.5)
    assert result.unmatched.truth_examples == ("/home/alice/data/shapes/dog/b.jpg",)
    # A path that ends two of her images is neither; a longer one tells them apart.
    matching = match_paths(["a.jpg", "dog/a.jpg"], load_truth(csv_path))
    assert matching.pairs == ((1, 1),) and matching.unmatched.predictions == 1


def test_csv_truth_absolute_windows_paths_end_with_relative_predictions(tmp_path, monkeypatch):
    # A truth CSV from a Windows machine: C:\ and \\server paths name no file here either.
    csv_path = write_csv(
        tmp_path / "truth.csv",
        b"path,label\r\nC:\\Users\\alice\\shapes\\cat\\a.jpg,cat\r\n"
        b"\\\\nas\\share\\shapes\\dog\\b.jpg,dog\r\n",
    )
    monkeypatch.chdir(tmp_path)
    predictions = ["shapes/cat/a.jpg", "shapes/dog/b.jpg"]
    matching = match_paths(predictions, load_truth(csv_path))
    assert matching.pairs == ((0, 0), (1, 1)) and matching.unmatched.matched_by_relative_path == 2
    # Predictions made on that machine still pair with its paths.
    matching = match_paths([r"C:\Users\alice\shapes\cat\a.jpg"], load_truth(csv_path))
    assert matching.pairs == ((0, 0),)


def test_csv_truth_absolute_rows_do_not_shift_path_ending_matches(tmp_path):
    # Predictions made in another folder pair by path ending; the absolute rows before the
    # relative ones must not move which row each ending points to.
    csv_path = write_csv(
        tmp_path / "truth.csv",
        b"path,label\n/elsewhere/x.jpg,cat\nimgs/a.jpg,dog\n/elsewhere/y.jpg,cat\nimgs/b.jpg,bird\n",
    )
    predictions = [predicted("/data/imgs/a.jpg", "dog"), predicted("/data/imgs/b.jpg", "bird")]
    result = evaluate(predictions, load_truth(csv_path), ks=(1,))
    assert result.n == 2 and result.unmatched.matched_by_relative_path == 2
    assert result.metrics.top_k[0].overall == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "needs a header with a path column (path, file, filename, "),
        (b"id,species\na.jpg,cat\n", "a label column (label, class, category, class_name, "),
        (b"id,species\na.jpg,cat\n", "found: id,species)"),
        (
            b"a.jpg,cat\nb.jpg,dog\n",  # no header: its columns are not guessed
            "(found: a.jpg,cat) (its first line names an image: add a header line, such as "
            "path,label, above it)",
        ),
        (b"image,class\na.jpg\n", "line 2: expected the columns image,class"),
        (b"path,label\na.jpg,\n", "line 2: the label is empty"),
        (b"path,label\na.jpg\n", "line 2: expected the columns path,label"),
        (b"path,label\na,b.jpg,cat\n", "line 2: 3 cells, more than the header's 2: quote a"),
        (b"\r\npath,label\r\n\r\na.jpg\r\n", "line 4: expected the columns"),
        (b"path,label,Label\na.jpg,cat,dog\n", "line 1: the header has more than one 'label'"),
        (b"\npath,path,label\n", "line 2: the header has more than one 'path'"),
        # Two other names of the path, or of the label: which one holds it is anyone's guess.
        (
            b"image,file_name,label\n",
            "line 1: the columns image, file_name could each hold the path; rename the one that "
            "does to 'path'",
        ),
        (b"path,Class,Category\n", "the columns Class, Category could each hold the label"),
        (b"path,label\na.jpg,cat\nb.jpg,dog\na.jpg,dog\n", "line 4: a.jpg is labelled 'dog'"),
        (b"path,label\n", "no rows"),
    ],
)
def test_csv_truth_errors_name_the_line_and_fix(tmp_path, content, message):
    csv_path = write_csv(tmp_path / "truth.csv", content)
    with pytest.raises(ZslError) as error:
        load_truth(csv_path)
    assert message in error.value.message
    assert "truth.csv" in error.value.message


def test_truth_errors(tmp_path):
    with pytest.raises(ZslError, match="not found"):
        load_truth(tmp_path / "missing")
    (tmp_path / "flat").mkdir()
    touch(tmp_path / "flat" / "a.jpg")
    with pytest.raises(ZslError, match="no class sub-folders"):
        load_truth(tmp_path / "flat")
    # An image given as the truth is no text to save as UTF-8: say what the truth is.
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(
        ZslError,
        match=r"a\.png: not UTF-8 text \(UTF-16 or binary\); give a folder of class "
        r"sub-folders or a UTF-8 CSV \(path,label\)$",
    ):
        load_truth(tmp_path / "a.png")
    touch(tmp_path / "reserved" / "unknown" / "a.jpg")
    with pytest.raises(ZslError, match="'unknown' is a reserved name"):
        evaluate(
            [predicted(tmp_path / "reserved" / "unknown" / "a.jpg", "x")],
            load_truth(tmp_path / "reserved"),
        )


def test_duplicate_and_unmatchable_predictions_are_errors(photos, monkeypatch):
    truth = load_truth(photos)
    twice = [predicted(photos / "cat" / "a.jpg", "cat"), predicted(photos / "cat" / "a.jpg", "dog")]
    with pytest.raises(ZslError, match="twice"):
        evaluate(twice, truth)
    with pytest.raises(ZslError, match="none of the 1 predictions"):
        evaluate([predicted("/nowhere/x.jpg", "cat")], truth)
    # Counted in predictions, with both spellings: "rows 1 and 3" named, in a CSV, its header
    # row as a spreadsheet numbers rows, and only the second spelling.
    monkeypatch.chdir(photos)
    twice = [predicted("cat/a.jpg", "cat"), predicted("dog/d.jpg", "dog")]
    twice.append(predicted("./cat/../cat/a.jpg", "dog"))
    with pytest.raises(ZslError) as refused:
        evaluate(twice, truth)
    assert refused.value.message == (
        "predictions: 'cat/a.jpg' is listed twice (predictions 1 and 3, the second as "
        "'./cat/../cat/a.jpg'); evaluate the output of a single run"
    )
    with pytest.raises(ZslError, match="no predictions"):
        evaluate([], truth)
    with pytest.raises(ZslError, match="top-k"):
        evaluate([predicted(photos / "cat" / "a.jpg", "cat")], truth, ks=(0,))


def test_error_messages_show_paths_as_other_messages_do(photos):
    # A name's bytes that are not UTF-8 as \xNN, as printable() shows paths everywhere else,
    # not repr()'s surrogate escape.
    truth = load_truth(photos)
    with pytest.raises(ZslError) as caught:
        evaluate([predicted("/nowhere/caf\udce9.jpg", "cat")], truth)
    assert "caf\\xe9.jpg" in caught.value.message and "udce9" not in caught.value.message
    twice = [predicted("caf\udce9.jpg", "cat"), predicted("caf\udce9.jpg", "dog")]
    with pytest.raises(ZslError, match=r"'caf\\xe9.jpg' is listed twice"):
        evaluate(twice, truth)


def test_predictions_of_the_original_against_a_copy_say_so(photos, tmp_path):
    # Every predicted file exists, outside the truth: running evaluate elsewhere cannot help.
    copy = tmp_path / "copy"
    for path in photos.rglob("*.jpg"):
        touch(copy / path.relative_to(photos))
    with pytest.raises(ZslError) as caught:
        evaluate([predicted(photos / "cat" / "a.jpg", "cat")], load_truth(copy))
    message = caught.value.message
    assert "the predictions name images outside the ground truth" in message
    assert "run evaluate from" not in message


def test_a_predicted_class_named_failed_is_refused(photos):
    truth = load_truth(photos)
    named_failed = [predicted(photos / "cat" / "a.jpg", "cat", ["cat", "failed"])]
    with pytest.raises(ZslError, match="class 'failed' is a reserved name"):
        evaluate(named_failed, truth)


def test_truth_classes_no_prediction_names_are_warned_of(photos):
    # Title-case truth against lower-case class names: every image is wrong, and a warning (on
    # stderr, not only in the table) says why.
    predictions = [
        predicted(photos / "cat" / "a.jpg", "Cat"),
        predicted(photos / "dog" / "d.jpg", "Dog"),
    ]
    result = evaluate(predictions, load_truth(photos), ks=(1,))
    assert result.metrics.top_k[0].overall == 0.0
    (warning,) = result.warnings
    assert "2 truth classes are not the label" in warning and "cat, dog" in warning
    assert "UTF-8" not in warning
    # A truth CSV saved in Latin-1 spells café in bytes that are not UTF-8: refused, as a class
    # file so saved is, naming the line.
    csv_path = write_csv(photos / "latin1.csv", b"path,label\ncat/a.jpg,caf\xe9\n")
    with pytest.raises(ZslError) as refused:
        load_truth(csv_path)
    assert refused.value.message == (f"{csv_path}:2: not UTF-8 text (byte 0xe9); save it as UTF-8")


def test_decomposed_class_folders_match_composed_labels(tmp_path):
    # A truth folder made on macOS spells café decomposed; the labels (from classes.txt) spell it
    # composed. They look the same, and are the same class: right, not "café -> café".
    decomposed, composed = "cafe\u0301", "caf\u00e9"
    root = tmp_path / "truth"
    predictions = [
        predicted(touch(root / decomposed / "1.jpg"), composed, [composed, "tea"]),
        predicted(touch(root / "tea" / "2.jpg"), "tea", ["tea", composed]),
    ]
    result = evaluate(predictions, load_truth(root), ks=(1,), seen=[decomposed])
    assert result.metrics.classes == (composed, "tea")
    assert result.metrics.top_k[0].overall == 1.0
    assert result.top_mistakes() == [] and result.warnings == ()
    assert (result.gzsl.seen, result.gzsl.unseen) == (1.0, 1.0)


def test_top_k_is_clipped_to_the_run_class_count_not_to_the_classes_ranked(photos, tmp_path):
    # Labelled with --top-k 1 from 30 classes, every image happening to get "cat": the rankings
    # alone look like a 1-class run, where top-5 would clip to top-1 and be computable.
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.write(predicted(photos / "dog" / "d.jpg", "cat"))
        writer.close({"classes": {"n": 30}})
    top1, top5 = evaluate_files(output, photos, ks=(1, 5)).metrics.top_k
    assert top1.overall == 0.5
    assert top5.k_used == 5 and top5.overall is None and "not computable" in top5.note
    output.with_name("p.csv.run.json").unlink()  # without the run info, the rankings decide
    top5 = evaluate_files(output, photos, ks=(5,)).metrics.top_k[0]
    assert top5.k_used == 1 and top5.overall == 0.5


def test_the_run_class_list_tells_a_class_never_chosen_from_one_not_offered(photos, tmp_path):
    # Labelled with --top-k 1: "dog" was a class of the run, never chosen; "cat" was no class.
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "kitten"))
        writer.write(predicted(photos / "dog" / "d.jpg", "kitten"))
        writer.close({"classes": {"n": 2, "names": ["kitten", "dog"]}})
    result = evaluate_files(output, photos, ks=(1,))
    assert result.warnings == (
        "1 truth class is not among the 2 classes the run labelled with (do the class names "
        "match the truth's?): cat",
    )
    output.with_name("p.csv.run.json").unlink()  # without the run info, neither is offered
    warning = evaluate_files(output, photos, ks=(1,)).warnings[0]
    assert "2 truth classes are not the label or a ranked class" in warning


def test_relative_paths_of_a_run_whose_folder_is_not_here_start_in_the_current_one(
    photos, tmp_path, monkeypatch
):
    # Labelled in a folder this machine lacks: train/cat/a.jpg is then the file here, another
    # image than the truth's cat/a.jpg, and not paired with it by its ending.
    monkeypatch.chdir(tmp_path)
    touch(tmp_path / "train" / "cat" / "a.jpg")
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted("train/cat/a.jpg", "cat"))
        writer.write(predicted("photos/dog/d.jpg", "dog"))
        writer.close({"cwd": str(tmp_path / "gone")})
    result = evaluate_files(output, photos, ks=(1,))
    assert result.n == 1 and result.unmatched.predictions == 1
    assert result.unmatched.matched_by_relative_path == 0


def test_predictions_files_with_blank_lines_read_as_without(tmp_path):
    record = predicted("a.jpg", "cat")
    written = tmp_path / "p.csv"
    with open_writer(written, "csv") as writer:
        writer.write(record)
    with open(written, "a") as handle:
        handle.write("\n")  # as an editor or `echo >>` leaves it
    assert read_predictions(written) == [record]
    lines = tmp_path / "p.jsonl"
    with open_writer(lines, "jsonl") as writer:
        writer.write(record)
    lines.write_bytes(b"\xef\xbb\xbf\n" + lines.read_bytes())  # a byte-order mark on its own line
    assert read_predictions(lines) == [record]


def test_the_predictions_file_given_as_its_own_truth_is_refused(tmp_path):
    # A predictions CSV has path and label columns, so it reads as a truth CSV: 100% accuracy.
    written = tmp_path / "p.csv"
    with open_writer(written, "csv") as writer:
        writer.write(predicted(str(tmp_path / "a.jpg"), "cat"))
    (tmp_path / "link.csv").symlink_to(written)
    with pytest.raises(ZslError, match="is the predictions file itself"):
        evaluate_files(written, tmp_path / "link.csv")


def test_a_folder_given_as_predictions_and_truth_is_refused_as_a_folder(photos):
    # `zsl evaluate photos --truth photos` was told that the truth "is the predictions file
    # itself", where the predictions named are no file at all.
    with pytest.raises(ZslError) as info:
        evaluate_files(photos, photos)
    assert (
        info.value.message
        == f"'{photos}' is a folder, not a predictions file written by 'zsl label'"
    )


def test_seen_classes_of_the_run_never_chosen_are_known(photos, tmp_path):
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.write(predicted(photos / "dog" / "d.jpg", "dog"))
        writer.close({"classes": {"n": 3, "names": ["cat", "dog", "wolf"]}})
    seen = tmp_path / "seen.txt"
    seen.write_text("cat\nwolf\n")
    assert evaluate_files(output, photos, ks=(1,), seen_path=seen).warnings == ()
    seen.write_text("cat\nfox\n")
    (warning,) = evaluate_files(output, photos, ks=(1,), seen_path=seen).warnings
    assert "neither in the truth nor among the run's classes: fox" in warning


def test_a_run_that_offered_one_side_of_the_split_only_is_said_not_generalised(photos, tmp_path):
    # Unseen images labelled against the unseen classes alone: "GZSL: unseen 100%" with no word
    # that the seen classes were never candidates (the GZSL protocol offers every class).
    seen = tmp_path / "seen.txt"
    seen.write_text("cat\n")
    for offered, missing, chosen in (
        (["dog", "wolf"], "seen", "unseen"),
        (["cat"], "unseen", "seen"),
    ):
        output = tmp_path / f"{missing}.csv"
        with open_writer(output, "csv") as writer:
            for name in ("cat", "dog"):
                label = name if name in offered else offered[0]
                image = photos / name / {"cat": "a.jpg", "dog": "d.jpg"}[name]
                writer.write(predicted(image, label))
            writer.close({"classes": {"n": len(offered), "names": offered}})
        warnings = evaluate_files(output, photos, ks=(1,), seen_path=seen).warnings
        assert (
            f"the run's {len(offered)} classes hold no {missing} class: its images chose among "
            f"the {chosen} classes only, so the seen/unseen numbers are not generalised zero-shot"
        ) in " ".join(warnings)


def test_a_ranking_naming_a_class_twice_is_warned_of(photos):
    # One edited row ranking cat twice made top-3 "not computable" for every image, with advice
    # to label with a larger --top-k, which the file already had.
    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog", "cat", "bird"]),
        predicted(photos / "dog" / "d.jpg", "dog", ["dog", "cat", "bird", "fox"]),
    ]
    result = evaluate(predictions, load_truth(photos), ks=(1, 3))
    assert result.warnings == (
        f"1 image ranks a class twice within the first 3 (e.g. '{photos / 'cat' / 'a.jpg'}': "
        "'cat'; zsl label writes each class once: edited since?): each class counts once, at "
        "its first place",
    )
    # Past the first k places, or as the label before its own ranking, a repeat is not looked
    # for: it changes no top-k.
    fine = [
        predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog", "bird", "cat"]),
        predicted(photos / "dog" / "d.jpg", "dog", ["dog", "cat", "bird", "fox"]),
    ]
    assert evaluate(fine, load_truth(photos), ks=(1, 3)).warnings == ()


def test_a_run_offering_unseen_classes_the_truth_names_otherwise_is_not_said_one_sided(
    photos, tmp_path
):
    # The truth's unseen classes (dog, bird) are not the run's (wolf): the run still offered an
    # unseen class, and was told to label against every class, as it had.
    seen = tmp_path / "seen.txt"
    seen.write_text("cat\n")
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.write(predicted(photos / "dog" / "d.jpg", "wolf"))
        writer.close({"classes": {"n": 2, "names": ["cat", "wolf"]}})
    warnings = evaluate_files(output, photos, ks=(1,), seen_path=seen).warnings
    assert not [warning for warning in warnings if "hold no" in warning]


def test_a_seen_class_named_in_another_case_is_refused_naming_the_class(photos):
    # 'Cat' in the seen list left cat unseen, with a warning only: the split every GZSL number
    # rests on was another than the list meant.
    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat"),
        predicted(photos / "dog" / "d.jpg", "dog"),
    ]
    with pytest.raises(
        ZslError, match="^the seen classes name 'Cat', which is no class: the class 'cat' differs"
    ):
        evaluate(predictions, load_truth(photos), ks=(1,), seen=["Cat"])
    # Beside the class's own name it changes no split: still named beside the class.
    result = evaluate(predictions, load_truth(photos), ks=(1,), seen=["cat", "Cat"])
    assert result.gzsl is not None and result.gzsl.seen_classes == ("cat",)
    (warning,) = result.warnings
    assert warning.endswith(
        "among the predicted classes: Cat ('Cat' in the seen list is 'cat' among the classes)"
    )


def test_a_run_info_that_does_not_say_complete_is_not_taken_for_interrupted(photos, tmp_path):
    # Only `"complete": false` means Ctrl-C; a run info without the key (written by hand, or by
    # an older zsl) must not put every number in doubt.
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.close({})
    info_path = output.with_name("p.csv.run.json")
    info = json.loads(info_path.read_text())
    del info["complete"]
    info_path.write_text(json.dumps(info))
    assert evaluate_files(output, photos, ks=(1,)).warnings == ()


def test_a_run_info_left_unread_for_another_output_size_is_said(photos, tmp_path):
    # The sidecar records its output's size: one re-saved since (CRLF line ends, UTF-16) lost
    # its classes and labelling folder without a word, as an output written over does.
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.close({"classes": {"n": 3, "names": ["cat", "dog", "wolf"]}})
    assert evaluate_files(output, photos, ks=(1,)).warnings == ()
    output.write_bytes(output.read_bytes().replace(b"\n", b"\r\n"))
    (warning,) = evaluate_files(output, photos, ks=(1,)).warnings
    assert warning.startswith(f"the run info {output}.run.json is not read: it describes an ")


@pytest.mark.parametrize("other_label", ["dog", "wolves"])  # the same size, another size
def test_run_info_published_by_another_run_mid_read_is_not_taken(
    photos, tmp_path, monkeypatch, other_label
):
    # Another `zsl label -o p.csv` may publish its output and run info between the read of the
    # predictions and of the sidecar: its run info went with this run's predictions.
    output, other = tmp_path / "p.csv", tmp_path / "other" / "p.csv"
    other.parent.mkdir()
    for path, label, names in ((output, "cat", ["cat"]), (other, other_label, [other_label])):
        with open_writer(path, "csv") as writer:
            writer.write(predicted(photos / "cat" / "a.jpg", label))
            writer.close({"classes": {"n": 1, "names": names}})
    read_stream = readers._read_stream

    def read_then_another_run_publishes(*args, **kwargs):
        read = read_stream(*args, **kwargs)
        if (other.parent / "p.csv").exists():
            for name in ("p.csv", "p.csv.run.json"):
                os.replace(other.parent / name, tmp_path / name)
        return read

    monkeypatch.setattr(readers, "_read_stream", read_then_another_run_publishes)
    # Read again, the predictions and the run info are both the other run's.
    predictions, run_info = readers.read_predictions_and_run_info(output)
    assert [p.label for p in predictions] == [other_label]
    assert run_info is not None and run_info["classes"]["names"] == [other_label]


def test_predictions_replaced_at_every_read_are_refused(photos, tmp_path, monkeypatch):
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.close({})
    read_stream = readers._read_stream

    def read_then_replaced(*args, **kwargs):
        read = read_stream(*args, **kwargs)
        copy = tmp_path / "copy.csv"
        copy.write_bytes(output.read_bytes())
        os.replace(copy, output)
        return read

    monkeypatch.setattr(readers, "_read_stream", read_then_replaced)
    with pytest.raises(ZslError, match="was replaced by another run each time it was read"):
        readers.read_predictions_and_run_info(output)


def test_an_interrupted_run_is_flagged(photos, tmp_path):
    output = tmp_path / "p.jsonl"
    with open_writer(output, "jsonl") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.close({"summary": {"total": 1, "inputs": 4}}, complete=False)
    result = evaluate_files(output, photos, ks=(1,))
    assert result.warnings == (
        "the labelling run was interrupted (1 of 4 images labelled): these numbers cover only "
        "the images it reached",
    )
    assert result.to_json()["warnings"] == list(result.warnings)
    with open_writer(output, "jsonl") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.close({"summary": {"total": 1, "inputs": 1}})
    assert evaluate_files(output, photos, ks=(1,)).warnings == ()
    # A run info without the counts: no "(None of None images labelled)".
    with open_writer(output, "jsonl") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
        writer.close({}, complete=False)
    (warning,) = evaluate_files(output, photos, ks=(1,)).warnings
    assert warning.startswith("the labelling run was interrupted: these numbers cover only")


def test_non_utf8_names_in_folder_and_csv_truth(tmp_path):
    root = os.fsencode(tmp_path / "truth")
    # File names below the class folders may be any bytes (Latin-1 here: not valid UTF-8).
    image = touch(os.path.join(root, "café".encode(), b"na\xefve.jpg"))
    other = touch(os.path.join(root, b"plain", b"\xff.jpg"))
    assert "\udcef" in image  # surrogate escapes, not a decoding error
    predictions = [predicted(image, "café"), predicted(other, "café")]
    result = evaluate(predictions, load_truth(os.fsdecode(root)), ks=(1,))
    assert result.n == 2
    assert result.top_mistakes() == [("plain", "café", 1)]
    json.dumps(result.to_json())  # default ensure_ascii keeps lone surrogates as \udcXX
    write_report(result, tmp_path / "report.html")
    assert "café" in (tmp_path / "report.html").read_text(encoding="utf-8")

    # A class folder's name is a class name: in Latin-1 it could match no class.
    latin1 = touch(os.path.join(root, b"caf\xe9", b"na\xefve.jpg"))
    with pytest.raises(
        ZslError, match=r"truth/caf\\xe9: a class folder's name is not UTF-8 text \(byte 0xe9\)"
    ):
        load_truth(os.fsdecode(root))
    predictions[0] = predicted(latin1, "café")

    # A CSV's paths may be such bytes (file names); its labels, class names, may not.
    csv_path = write_csv(tmp_path / "truth.csv", b"path,label\ntruth/caf\xe9/na\xefve.jpg,plain\n")
    from_csv = evaluate(
        [dataclasses.replace(predictions[0], label="plain")], load_truth(csv_path), ks=(1,)
    )
    assert from_csv.n == 1 and from_csv.metrics.top_k[0].overall == 1.0
    not_utf8 = write_csv(
        tmp_path / "latin1.csv", b"path,label\ntruth/caf\xe9/na\xefve.jpg,caf\xe9\n"
    )
    with pytest.raises(ZslError, match=r"latin1\.csv:2: not UTF-8 text \(byte 0xe9\)"):
        load_truth(not_utf8)


# --- generalised zero-shot from prediction scores -----------------------------------------------

# Classes A, B seen and C unseen, with every class scored for every image (zsl label --top-k 0).
SCORES = {
    "A/1.jpg": {"A": 0.6, "B": 0.1, "C": 0.3},
    "B/1.jpg": {"A": 0.2, "B": 0.5, "C": 0.3},
    "C/1.jpg": {"A": 0.5, "B": 0.1, "C": 0.4},
    "C/2.jpg": {"A": 0.25, "B": 0.5, "C": 0.25},
}


def scored_predictions(root, keep=None):
    predictions = []
    for name, scores in SCORES.items():
        ranking = sorted(scores.items(), key=lambda item: -item[1])[:keep]
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        predictions.append(Prediction(touch(root / name), top_k[0].label, top_k[0].score, top_k))
    return predictions


def test_gzsl_and_calibrated_stacking_from_scores(tmp_path):
    predictions = scored_predictions(tmp_path / "world")
    result = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B"])
    g = result.gzsl
    assert g.seen_classes == ("A", "B") and g.unseen_classes == ("C",)
    # Top-1 labels: A right, B right, both C images predicted as seen classes.
    assert (g.seen, g.unseen, g.harmonic_mean) == (1.0, 0.0, 0.0)
    cal = g.calibrated
    assert cal is not None
    assert cal.gamma == pytest.approx(0.15)
    assert cal.harmonic_mean == pytest.approx(2 / 3)
    assert cal.ausuc == pytest.approx(0.75)
    data = result.to_json()["gzsl"]
    assert data["calibrated_stacking"]["available"] is True
    assert data["calibrated_stacking"]["gamma"] == pytest.approx(0.15)
    assert data["harmonic_mean"] == 0.0
    # 3 candidates: top-5 is clipped to top-3, which every image carries.
    top5 = result.to_json()["top_k"]["5"]
    assert top5["k_used"] == 3 and top5["overall"] == 1.0 and "clipped" in top5["note"]


def test_calibrated_stacking_breaks_exact_ties_as_the_labeller_did(tmp_path):
    # zebra (seen) and apple (unseen) tie on z.jpg; the labeller ranked zebra first, which is
    # right. Stacking must agree at gamma 0 instead of breaking the tie its own way.
    written = {"zebra/z.jpg": [("zebra", 0.5), ("apple", 0.5)], "apple/a.jpg": [("apple", 0.9)]}
    written["apple/a.jpg"].append(("zebra", 0.1))
    predictions = []
    for name, ranking in written.items():
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        predictions.append(Prediction(touch(tmp_path / "w" / name), ranking[0][0], 0.5, top_k))
    result = evaluate(predictions, load_truth(tmp_path / "w"), seen=["zebra"])
    assert (result.gzsl.seen, result.gzsl.unseen) == (1.0, 1.0)
    cal = result.gzsl.calibrated
    assert cal is not None and cal.harmonic_mean == 1.0
    assert cal.gamma == pytest.approx(0.0, abs=1e-12)


def test_calibrated_stacking_breaks_ties_between_unseen_classes_as_written(tmp_path):
    # V and U (both unseen) tie on V/1.jpg, V written first and right: at gamma 0 the curve must
    # pass through the labels' own point, so V, not U (the first column), is the prediction.
    written = {
        "V/1.jpg": [("V", 0.5), ("U", 0.5), ("A", 0.25)],
        "U/1.jpg": [("U", 0.75), ("V", 0.125), ("A", 0.0)],
        "A/1.jpg": [("A", 0.75), ("U", 0.125), ("V", 0.0)],
    }
    predictions = []
    for name, ranking in written.items():
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        predictions.append(Prediction(touch(tmp_path / "w" / name), ranking[0][0], 0.5, top_k))
    g = evaluate(predictions, load_truth(tmp_path / "w"), seen=["A"]).gzsl
    assert (g.seen, g.unseen) == (1.0, 1.0)
    assert calibrated_stacking_at(g.calibrated, 0.0) == (1.0, 1.0)


def test_calibrated_stacking_tie_breaking_does_not_move_switch_points(tmp_path):
    # Both images switch from a seen to an unseen class at gamma 0.5 exactly, so no gamma gets
    # both right. On A/1.jpg seen B ties with unseen U below the top: breaking that tie must not
    # move A/1.jpg's switch point a float step past V/1.jpg's (a point with H = 1).
    written = {
        "A/1.jpg": [("A", 1.0), ("B", 0.5), ("U", 0.5), ("V", 0.0)],
        "V/1.jpg": [("A", 1.0), ("V", 0.5), ("B", 0.25), ("U", 0.0)],
    }
    predictions = []
    for name, ranking in written.items():
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        predictions.append(Prediction(touch(tmp_path / "w" / name), "A", 1.0, top_k))
    cal = evaluate(predictions, load_truth(tmp_path / "w"), seen=["A", "B"]).gzsl.calibrated
    assert cal is not None
    assert cal.harmonic_mean == 0.0 and cal.ausuc == 0.5
    points = zip(cal.unseen_curve.tolist(), cal.seen_curve.tolist(), strict=True)
    assert set(points) == {(0.0, 1.0), (1.0, 0.0)}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_predictions_read_back_evaluate_as_their_tuples(tmp_path, fmt):
    # Readers hold rankings compactly (RankedScores), which evaluation reads without making a
    # LabelScore each: every number must come out as from the tuples, ties broken as written.
    written = {
        "A/1.jpg": [("A", 0.5), ("U", 0.5), ("B", 0.25), ("V", 0.25)],
        "B/1.jpg": [("U", 0.375), ("B", 0.375), ("A", 0.125), ("V", 0.125)],
        "U/1.jpg": [("B", 0.75), ("U", 0.125), ("V", 0.125), ("A", 0.0)],
        "V/1.jpg": [("V", 0.5), ("A", 0.25), ("unknown", 0.125), ("B", 0.125), ("U", 0.0)],
        "V/2.jpg": [("A", 0.25), ("V", 0.25), ("B", 0.25), ("U", 0.25)],
    }
    output = tmp_path / f"p.{fmt}"
    with open_writer(output, fmt) as writer:
        for name, ranking in written.items():
            top_k = tuple(LabelScore(label, score) for label, score in ranking)
            writer.write(Prediction(touch(tmp_path / "w" / name), ranking[0][0], 0.5, top_k))
        writer.close({})
    read = read_predictions(output)
    assert all(isinstance(p.top_k, RankedScores) for p in read)
    as_tuples = [dataclasses.replace(p, top_k=tuple(p.top_k)) for p in read]

    truth = load_truth(tmp_path / "w")
    result = evaluate(read, truth, seen=["A", "B"], ks=(1, 2, 3))
    expected = evaluate(as_tuples, truth, seen=["A", "B"], ks=(1, 2, 3))

    assert result.to_json() == expected.to_json()
    assert result.gzsl.calibrated.ausuc == expected.gzsl.calibrated.ausuc > 0


def test_calibrated_stacking_needs_every_class_score(tmp_path):
    predictions = scored_predictions(tmp_path / "world", keep=2)
    result = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B", "Z"])
    assert result.gzsl.calibrated is None
    assert "--top-k 0" in result.gzsl.calibrated_reason
    stacking = result.to_json()["gzsl"]["calibrated_stacking"]
    assert stacking == {"available": False, "reason": result.gzsl.calibrated_reason}
    assert any("Z" in warning for warning in result.warnings)  # a seen name nobody knows
    top5 = result.to_json()["top_k"]["5"]
    assert top5["overall"] is None and "not computable" in top5["note"]


def test_calibrated_stacking_says_why_it_cannot_run(tmp_path):
    predictions = scored_predictions(tmp_path / "world")
    truth = load_truth(tmp_path / "world")

    def reason(changed: list[Prediction]) -> str:
        gzsl = evaluate(changed, truth, seen=["A", "B"]).gzsl
        assert gzsl.calibrated is None
        return gzsl.calibrated_reason

    failed = [Prediction(p.path, "", None, (), "truncated", "cut short") for p in predictions]
    assert reason(failed) == "no evaluated image was labelled successfully"
    # Scored, but over the seen classes alone (C left out of the class list), or no seen one.
    for kept, missing in (({"A", "B"}, "unseen"), ({"C"}, "seen")):
        changed = []
        for p in predictions:
            top_k = tuple(choice for choice in p.top_k if choice.label in kept)
            top_k += (LabelScore("D", 0.0),) if kept == {"C"} else ()
            changed.append(Prediction(p.path, top_k[0].label, top_k[0].score, top_k))
        assert reason(changed) == f"no {missing} class is among the predicted candidate classes"
    # A score that is no number (a hand-edited file), and a class listed twice in a ranking.
    b = predictions[1]
    nan = (b.top_k[0], LabelScore(b.top_k[1].label, float("nan")), b.top_k[2])
    twice = (*b.top_k[:2], LabelScore(b.top_k[1].label, 0.0))
    for top_k, said in ((nan, "has class labels without finite scores"), (twice, "fewer than")):
        changed = [*predictions[:1], Prediction(b.path, b.label, b.score, top_k), *predictions[2:]]
        assert said in reason(changed)


def test_calibrated_stacking_refuses_labels_that_are_not_their_top_score(tmp_path):
    # A reviewer relabelled C/1.jpg (top score A) as C: the plain numbers count C, but stacking
    # decided it again from the scores, so its gamma 0 disagreed with them (H 0 against 100%).
    predictions = scored_predictions(tmp_path / "world")
    edited = predictions[2]
    predictions[2] = Prediction(edited.path, "C", edited.score, edited.top_k)
    g = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B"]).gzsl
    assert g.unseen == 0.5 and g.calibrated is None
    assert "labelled 'C' but scores 'A' highest" in g.calibrated_reason


@pytest.mark.parametrize("again", [[], [("S", 1.0)]])
def test_calibrated_stacking_refuses_labels_written_first_but_outscored(tmp_path, again):
    # S/a.jpg is labelled S and ranks S first, but a hand-edited score puts U above it (S
    # written again higher up does not count: its first score does). The plain numbers count S
    # (H = 1); from the scores both images switch at d = -0.6 (0.3 - 0.9 and 0.2 - 0.8), so no
    # gamma gets both right and the "best" H was 0, below the labels' own.
    written = {
        "S/a.jpg": [("S", 0.3), ("U", 0.9), *again],
        "U/b.jpg": [("U", 0.8), ("S", 0.2)],
    }
    predictions = []
    for name, ranking in written.items():
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        predictions.append(Prediction(touch(tmp_path / "w" / name), ranking[0][0], 0.5, top_k))
    g = evaluate(predictions, load_truth(tmp_path / "w"), seen=["S"], ks=(1,)).gzsl
    assert g.harmonic_mean == 1.0 and g.calibrated is None
    assert "labelled 'S' but scores 'U' highest" in g.calibrated_reason


def test_calibrated_stacking_reads_a_class_written_twice_as_top_k_does(tmp_path):
    # A hand-edited ranking names S twice: top-k takes its first place (0.9), and so must
    # stacking, else S scores 0.1 and its curve misses the labels' own point at gamma 0.
    # By hand: S/a.jpg is right while d = 0.9 - 0.5 = 0.4 > gamma, U/b.jpg once
    # d = 0.2 - 0.8 = -0.6 <= gamma: both right (H = 1) for gamma in [-0.6, 0.4), 0 nearest.
    written = {
        "S/a.jpg": [("S", 0.9), ("U", 0.5), ("S", 0.1)],
        "U/b.jpg": [("U", 0.8), ("S", 0.2)],
    }
    predictions = []
    for name, ranking in written.items():
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        predictions.append(Prediction(touch(tmp_path / "w" / name), ranking[0][0], 0.5, top_k))
    result = evaluate(predictions, load_truth(tmp_path / "w"), seen=["S"], ks=(1,))
    assert result.metrics.top_k[0].overall == 1.0
    cal = result.gzsl.calibrated
    assert cal is not None
    assert calibrated_stacking_at(cal, 0.0) == (1.0, 1.0)
    assert (cal.gamma, cal.harmonic_mean, cal.ausuc) == (0.0, 1.0, 1.0)


def test_gzsl_without_unseen_images_even_when_an_unseen_class_was_a_candidate(tmp_path):
    # Images of A and B only (C's are not evaluated), though every image scores C: no unseen
    # accuracy, so no stacking curve, and a note that says why.
    predictions = scored_predictions(tmp_path / "world")[:2]
    result = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B"])
    g = result.gzsl
    assert g.unseen_classes == () and g.unseen is None and g.calibrated is None
    assert g.calibrated_reason == "the evaluated images include no unseen class"
    assert any("need images of both groups" in note for note in g.notes)


def test_calibrated_stacking_needs_the_score_of_every_class_of_the_run(tmp_path):
    # Every image scores A, B and C, but the run chose among 4 classes: the fourth's scores are
    # missing, and lowering the seen scores might have let it win. No curve, rather than a
    # wrong one.
    predictions = scored_predictions(tmp_path / "world")
    gzsl = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B"], n_classes=4).gzsl
    assert gzsl.calibrated is None and "fewer than all 4 classes" in gzsl.calibrated_reason


def test_repeated_scores_are_lowered_in_the_order_written():
    # Ties among many classes (more than numpy's small-array sort handles stably): each repeat
    # of a score goes below the ones written before it, as the labeller ranked them.
    values = np.random.default_rng(0).integers(0, 3, size=40).astype(np.float64)
    broken = _ties_as_written(values[None], np.ones((1, 40), dtype=bool))[0]
    assert len(set(broken.tolist())) == 40
    assert np.argsort(-broken).tolist() == np.argsort(-values, kind="stable").tolist()


def ties_as_written_one_image(values: np.ndarray, in_seen: np.ndarray) -> np.ndarray:
    """_ties_as_written's rule for one image's scores, written out one group at a time."""

    def broken(group: np.ndarray) -> np.ndarray:
        order = np.argsort(-group, kind="stable")
        ranked = group[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        steps = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
        result = group.copy()
        result[order] = ranked - steps * np.spacing(np.abs(ranked))
        return result

    result = values.copy()
    for group in (in_seen, ~in_seen):
        if group.any():
            result[group] = broken(values[group])
    if in_seen.any() and not in_seen.all():
        top = values.max()
        if in_seen[np.flatnonzero(values == top)[0]] and (values[~in_seen] == top).any():
            result[~in_seen] -= np.spacing(np.abs(top))
    return result


@pytest.mark.parametrize("seed", range(4))
def test_ties_are_broken_for_many_images_at_once_as_for_each_alone(seed):
    # Scores of a few levels tie within and across the seen and unseen groups, at the top and
    # below, 0.0 next to -0.0; a third of the rows hold distinct scores.
    rng = np.random.default_rng(seed)
    n, k = 400, int(rng.integers(2, 12))
    values = rng.integers(-2, 3, size=(n, k)) / 4
    values[values == 0] *= rng.choice([-1.0, 1.0], size=int((values == 0).sum()))
    distinct = rng.random(n) < 0.3
    values[distinct] = rng.random((int(distinct.sum()), k))
    in_seen = rng.random((n, k)) < 0.5
    result = _ties_as_written(values, in_seen)
    for row in range(n):
        expected = ties_as_written_one_image(values[row], in_seen[row])
        assert result[row].tobytes() == expected.tobytes(), row


def test_calibrated_stacking_is_the_same_whatever_the_block_of_images(tmp_path, monkeypatch):
    # Rankings that name every class once are stacked a block of images at a time; one with
    # "unknown" among the classes or a class twice (a hand-edited file) one at a time. Neither
    # the block size nor that mix may move a number.
    rng = np.random.default_rng(3)
    classes = ["A", "B", "C", "U", "V"]
    predictions = []
    for i in range(60):
        truth = classes[i % 5]
        scores = rng.integers(0, 4, size=5) / 4
        ranking = sorted(zip(classes, scores.tolist(), strict=True), key=lambda item: -item[1])
        if i % 7 == 3:
            ranking.insert(2, ("unknown", 0.3))
        if i % 11 == 5:
            ranking.append((ranking[1][0], 0.0))
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        path = touch(tmp_path / "w" / truth / f"{i}.jpg")
        predictions.append(Prediction(path, ranking[0][0], ranking[0][1], top_k))
    truth = load_truth(tmp_path / "w")
    whole = evaluate(predictions, truth, seen=["A", "B", "C"]).gzsl
    monkeypatch.setattr("zsl_cli.evaluation.STACKING_BLOCK_CELLS", 1)  # an image at a time
    alone = evaluate(predictions, truth, seen=["A", "B", "C"]).gzsl

    # What the stacking must have seen: each image's scores in class columns, ties broken.
    seen_mask = np.array([True, True, True, False, False])
    scores = np.empty((len(predictions), len(classes)))
    for row, prediction in enumerate(predictions):
        named = [(classes.index(c.label), c.score) for c in prediction.top_k if c.label in classes]
        at, values = np.array([i for i, _ in named]), np.array([v for _, v in named])
        scores[row, at] = ties_as_written_one_image(values, seen_mask[at])
    truth_idx = np.array([i % 5 for i in range(len(predictions))])
    expected = calibrated_stacking(scores, truth_idx, seen_mask)
    for result in (whole.calibrated, alone.calibrated):
        assert result is not None
        for name in ("gamma", "seen", "unseen", "harmonic_mean", "ausuc"):
            assert getattr(result, name) == getattr(expected, name)
        for name in ("gammas", "seen_curve", "unseen_curve"):
            assert getattr(result, name).tobytes() == getattr(expected, name).tobytes()


def test_gzsl_without_unseen_images(tmp_path):
    predictions = scored_predictions(tmp_path / "world")
    result = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B", "C"])
    assert result.gzsl.unseen is None and result.gzsl.harmonic_mean is None
    assert result.gzsl.calibrated is None and "unseen" in result.gzsl.calibrated_reason


def test_failed_image_is_wrong_in_calibrated_stacking(tmp_path):
    predictions = scored_predictions(tmp_path / "world")
    predictions[0] = Prediction(predictions[0].path, "", None, (), "truncated", "cut short")
    result = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B"])
    # Class A's only image failed, so seen accuracy can reach 0.5 at most.
    assert result.gzsl.calibrated.seen_curve.max() == pytest.approx(0.5)
    assert result.to_json()["failed"] == {"count": 1, "by_status": {"truncated": 1}}


def test_abstention_is_wrong_in_calibrated_stacking(tmp_path):
    predictions = scored_predictions(tmp_path / "world")
    first = predictions[0]  # A's only image, right at gamma 0, but under a threshold
    predictions[0] = Prediction(first.path, "unknown", first.score, first.top_k)
    result = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B"])
    g = result.gzsl
    assert (g.seen, g.unseen) == (0.5, 0.0)
    cal = g.calibrated
    assert cal.seen_curve.max() == pytest.approx(0.5)
    # gamma 0 is the plain point: the curve passes through what the labels say.
    plain = calibrated_stacking_at(cal, 0.0)
    assert plain == (g.seen, g.unseen)


def calibrated_stacking_at(cal, gamma):
    """(seen, unseen) of the sweep's point for `gamma`: the last sweep gamma at or below it."""
    i = max(i for i, g in enumerate(cal.gammas) if g <= gamma)
    return (cal.seen_curve[i], cal.unseen_curve[i])


def test_seen_classes_with_a_colon_in_their_name(tmp_path):
    # Names from --descriptions or --attributes may hold a colon; a classes.txt line
    # "name: prompts" still names its class.
    world = tmp_path / "world"
    predictions = [
        predicted(touch(world / "shape: red circle" / "1.png"), "shape: red circle"),
        predicted(touch(world / "shape: blue square" / "1.png"), "shape: red circle"),
        predicted(touch(world / "dog" / "1.png"), "dog"),
    ]
    seen_file = tmp_path / "seen.txt"
    seen_file.write_text("shape: red circle\ndog: a photo of a dog\n", encoding="utf-8")
    with open_writer(tmp_path / "p.jsonl", "jsonl") as writer:
        for prediction in predictions:
            writer.write(prediction)
        writer.close({})
    result = evaluate_files(tmp_path / "p.jsonl", world, seen_path=seen_file)
    g = result.gzsl
    assert g.seen_classes == ("dog", "shape: red circle")
    assert g.unseen_classes == ("shape: blue square",)
    assert (g.seen, g.unseen) == (1.0, 0.0)
    assert not g.notes


# --- the JSON result and its helpers -------------------------------------------------------------


def test_json_layout_and_renderer_helpers(photos):
    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog"]),
        predicted(photos / "cat" / "b.png", "dog", ["dog", "cat"]),
        predicted(photos / "cat" / "more" / "c.jpg", "unknown", ["dog", "cat"]),
        predicted(photos / "dog" / "d.jpg", "dog", ["dog", "cat"]),
        predicted(photos / "dog" / "e.JPG", "fox", ["fox", "dog"]),
    ]
    result = evaluate(predictions, load_truth(photos), seen=["cat"])
    data = json.loads(json.dumps(result.to_json()))
    for key in (
        "n",
        "n_classes",
        "top_k",
        "per_class",
        "macro_f1",
        "confusion",
        "failed",
        "unmatched",
        "gzsl",
    ):
        assert key in data
    assert data["n"] == 5 and data["n_classes"] == 2
    assert set(data["top_k"]) == {"1", "5"}
    assert set(data["top_k"]["1"]) >= {"mean_per_class", "overall"}
    assert set(data["per_class"]["cat"]) == {"support", "accuracy", "precision", "recall", "f1"}
    assert data["confusion"]["labels"] == ["cat", "dog"]
    assert data["confusion"]["columns"] == ["cat", "dog", "fox", "unknown", "failed"]
    assert data["confusion"]["matrix"] == [[1, 1, 0, 1, 0], [0, 1, 1, 0, 0]]
    assert data["extra_predicted"] == {"fox": 1} and data["abstained"] == 1
    assert data["gzsl"]["seen"] == pytest.approx(1 / 3) and data["gzsl"]["unseen"] == 0.5
    assert [row.name for row in result.class_rows()] == ["cat", "dog"]  # 1/3 before 1/2
    assert result.top_mistakes() == [("cat", "dog", 1), ("cat", "unknown", 1), ("dog", "fox", 1)]


def test_json_confusion_of_many_classes_lists_its_nonzero_cells(photos, monkeypatch):
    import zsl_cli.evaluation as evaluation

    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog"]),
        predicted(photos / "dog" / "d.jpg", "cat", ["cat", "dog"]),
    ]
    result = evaluate(predictions, load_truth(photos))
    dense = result.to_json()["confusion"]
    monkeypatch.setattr(evaluation, "DENSE_JSON_CELLS", 4)  # as if there were thousands
    sparse = result.to_json()["confusion"]
    assert "matrix" in dense and "cells" not in dense
    assert "matrix" not in sparse and sparse["columns"] == dense["columns"]
    assert sparse["cells"] == [
        [r, c, n] for r, row in enumerate(dense["matrix"]) for c, n in enumerate(row) if n
    ]


def test_evaluate_files_reads_every_prediction_format(photos, tmp_path, monkeypatch):
    monkeypatch.chdir(photos.parent)
    predictions = [
        predicted("photos/cat/a.jpg", "cat", ["cat", "dog"]),
        predicted("photos/dog/d.jpg", "cat", ["cat", "dog"]),
        predicted("photos/dog/e.JPG", "", status="not_an_image"),
    ]
    seen_file = tmp_path / "seen.txt"
    seen_file.write_text("# seen classes\n\ncat: a photo of a cat\n", encoding="utf-8")
    assert read_seen_classes(seen_file) == ["cat: a photo of a cat"]
    for fmt, name in (("csv", "p.csv"), ("jsonl", "p.jsonl"), ("json", "p.json")):
        with open_writer(tmp_path / name, fmt) as writer:
            for prediction in predictions:
                writer.write(prediction)
            writer.close({})
        result = evaluate_files(tmp_path / name, "photos", ks=(1, 2), seen_path=seen_file)
        assert result.n == 3
        assert result.metrics.top_k[0].mean_per_class == pytest.approx(0.5)
        assert result.metrics.top_k[1].mean_per_class == pytest.approx(0.75)
        assert result.gzsl.seen == 1.0 and result.gzsl.unseen == 0.0
    with pytest.raises(ZslError, match="empty"):
        read_seen_classes(write_csv(tmp_path / "empty.txt", b"# nothing\n"))
    with pytest.raises(ZslError, match="^seen-class list not found: "):
        read_seen_classes(tmp_path / "missing.txt")
    # Any line ending; UTF-16 without its byte-order mark, or a binary file, is refused.
    assert read_seen_classes(write_csv(tmp_path / "mac.txt", b"cat\rdog\r\nbird\n")) == [
        "cat",
        "dog",
        "bird",
    ]
    # Invisible characters at a line's ends, as class lists pick them up (`cat a.txt b.txt`).
    joined = "cat\n\ufeffdog\u200b\n".encode()
    assert read_seen_classes(write_csv(tmp_path / "cat.txt", joined)) == ["cat", "dog"]
    for name, data in (("u16.txt", "cat\n".encode("utf-16-le")), ("x.png", b"\x89PNG\x00\x01")):
        with pytest.raises(ZslError, match="not UTF-8 text .UTF-16 or binary.; save it as UTF-8"):
            read_seen_classes(write_csv(tmp_path / name, data))


# --- report files --------------------------------------------------------------------------------


def test_html_and_png_reports(tmp_path):
    predictions = scored_predictions(tmp_path / "world")
    result = evaluate(predictions, load_truth(tmp_path / "world"), seen=["A", "B"])
    html_path = tmp_path / "report.html"
    write_report(result, html_path)
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "AUSUC" in page and "Confusion matrix" in page
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    png_path = tmp_path / "report.png"
    write_report(result, png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_report_errors(tmp_path, monkeypatch):
    result = evaluate(scored_predictions(tmp_path / "world"), load_truth(tmp_path / "world"))
    with pytest.raises(ZslError, match="use .html or .png"):
        write_report(result, tmp_path / "report.pdf")
    write_report(
        result, tmp_path / "new-folder" / "report.html"
    )  # folders are created, as --json's
    assert (tmp_path / "new-folder" / "report.html").read_text().startswith("<!DOCTYPE html>")
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ZslError, match="cannot create the output folder"):
        write_report(result, tmp_path / "a-file" / "report.html")
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # as if matplotlib were missing
    with pytest.raises(ZslError, match=r"zsl-cli\[report\]"):
        write_report(result, tmp_path / "report.png")
    assert not (tmp_path / "report.png").exists()


def test_png_report_draws_class_names_as_text_and_cuts_long_ones_short(tmp_path):
    pytest.importorskip("matplotlib")
    # Mathtext that fails to parse, mathtext that parses, and a name that would crush the axes:
    # tight_layout gave up on it ("Tight layout not applied"), and so did constrained layout.
    names = [r"a$\foo$b", "$5 note$", "a very long class name " * 20]
    rows = "".join(f"{i}.jpg,{name}\n" for i, name in enumerate(names))
    truth = load_truth(write_csv(tmp_path / "truth.csv", f"path,label\n{rows}".encode()))
    predictions = [predicted(tmp_path / f"{i}.jpg", name) for i, name in enumerate(names)]
    result = evaluate(predictions, truth, ks=(1,))
    png_path = tmp_path / "report.png"
    assert write_report(result, png_path) == []
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_matplotlib_warnings_become_one_line_each():
    import warnings

    from zsl_cli.report import _drawing_problems

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            warnings.warn("Tight layout not applied.\nmore detail", UserWarning, stacklevel=1)
        warnings.warn("Glyph 29483 (\\N{CJK}) missing from font(s) DejaVu Sans.", stacklevel=1)
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
    assert _drawing_problems(caught) == [
        "1 character of the class names is missing from the font and shown as boxes (an .html "
        "report shows them)",
        "matplotlib: Tight layout not applied.",
    ]


def test_html_report_limits_a_large_confusion_matrix(tmp_path):
    root = tmp_path / "many"
    predictions = []
    for i in range(40):
        name = f"class{i:02d}"
        # Half the classes are always right, the others always confused with the next class.
        label = name if i % 2 == 0 else f"class{(i + 1) % 40:02d}"
        predictions.append(predicted(touch(root / name / "x.jpg"), label))
    result = evaluate(predictions, load_truth(root), ks=(1,))
    write_report(result, tmp_path / "many.html")
    page = (tmp_path / "many.html").read_text(encoding="utf-8")
    assert "the 30 worst of 40 classes shown" in page
    assert "other classes" in page


@pytest.mark.parametrize(
    "content",
    [
        b"path,label\na.jpg,cat,\nb.jpg,dog,\n",  # a spreadsheet's empty cells past the header
        b"path,label,\na.jpg,cat\nb.jpg,dog\n",  # ... or an empty column in the header
        b"path,label,notes\na.jpg,cat\nb.jpg,dog,blurred\n",  # an optional last column
    ],
)
def test_csv_truth_takes_spreadsheet_exports(tmp_path, content):
    truth = load_truth(write_csv(tmp_path / "truth.csv", content))
    assert [(os.path.basename(item.path), item.label) for item in truth.items] == [
        ("a.jpg", "cat"),
        ("b.jpg", "dog"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"filename,label\na.jpg,cat\nb.jpg,dog\n",
        b"image,class\na.jpg,cat\nb.jpg,dog\n",
        b"path,category\na.jpg,cat\nb.jpg,dog\n",
        # COCO-ish, as Excel's "CSV UTF-8" saves it: a byte-order mark, other columns after.
        b"\xef\xbb\xbffile_name,label,split,bbox\r\n"
        b'a.jpg,cat,val,"[1, 2]"\r\nb.jpg,dog,val,"[3]"\r\n',
        b"Image Path,Class Name\na.jpg,cat\nb.jpg,dog\n",
        b"id,File-Name,Category_Name\n1,a.jpg,cat\n2,b.jpg,dog\n",
        # A column named path is the path, and one named label the label, whatever others
        # there are (as before, when others were left unread).
        b"filename,path,class,label\na,a.jpg,0,cat\nb,b.jpg,1,dog\n",
    ],
)
def test_csv_truth_takes_the_column_names_datasets_use(tmp_path, content):
    # Only path and label were read: `image,class` was refused ("found: image,class").
    truth = load_truth(write_csv(tmp_path / "truth.csv", content))
    assert [(os.path.basename(item.path), item.label) for item in truth.items] == [
        ("a.jpg", "cat"),
        ("b.jpg", "dog"),
    ]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b'{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": []}', "JSON"),
        (b'\xef\xbb\xbf\n{"path": "a.jpg", "label": "cat"}\n', "JSON"),
        (b'<?xml version="1.0"?>\n<annotations><image name="a.jpg"/></annotations>\n', "XML"),
    ],
)
def test_a_truth_file_in_json_or_xml_is_said_to_be_no_csv(tmp_path, content, kind):
    # An annotation tool's JSON or XML export was read as a CSV, its header refused as a
    # mangled first line ("found: [{"id": 1, data: ...").
    with pytest.raises(ZslError) as caught:
        load_truth(write_csv(tmp_path / "export.txt", content))
    assert caught.value.message.endswith(
        f"export.txt holds {kind}, not a ground-truth CSV: give a folder of class sub-folders, a "
        "CSV with columns path,label (from an annotation tool, export CSV or class folders) or a "
        "Label Studio project's JSON or JSON_MIN export"
    )


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("csv", "json"),
        ("jsonl", "json"),
        ("json", "jsonl"),
        ("csv", "jsonl"),
        ("json", "csv"),
        ("jsonl", "csv"),
    ],
)
def test_predictions_redirected_into_a_file_of_another_extension_read_by_content(
    tmp_path, written, named
):
    # `zsl label ... > p.json` writes CSV, the format of stdout, under a JSON name.
    source = tmp_path / f"p.{written}"
    records = [predicted("a.jpg", "cat", ["cat", "dog"]), predicted("b.jpg", "", status="empty")]
    with open_writer(source, written) as writer:
        for record in records:
            writer.write(record)
    misnamed = tmp_path / f"misnamed.{named}"
    misnamed.write_bytes(source.read_bytes())
    assert read_predictions(misnamed) == read_predictions(source)


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_a_utf32_json_document_with_a_class_ending_in_a_zero_byte_is_no_binary_file(
    tmp_path, encoding
):
    # U+4E00 (and U+0100, U+10000...) next to an ASCII character puts four or five NUL bytes in
    # a row in UTF-32, which json reads: such a file is text, not /dev/zero.
    record = predicted("a.jpg", "\u4e00", ["\u4e00", "\u0100", "\U00010000", "dog"])
    source = tmp_path / "p.json"
    with open_writer(source, "json") as writer:
        writer.write(record)
    wide = tmp_path / "wide.json"
    wide.write_bytes(source.read_text("utf-8").encode(encoding))
    assert read_predictions(wide) == [record]


def test_predictions_saved_by_a_spreadsheet_with_semicolons_say_so(tmp_path):
    header = "path;label;score;top_k_labels;top_k_scores;status;error"
    path = write_csv(
        tmp_path / "p.csv", f"\ufeff{header}\r\na.jpg;cat;0,9;cat;0,9;ok;\r\n".encode()
    )
    with pytest.raises(ZslError, match="separated by semicolons: save it with commas"):
        read_predictions(path)


def test_a_binary_file_holding_a_semicolon_is_not_said_to_be_a_semicolon_csv(tmp_path):
    # Any ';' in a one-cell first line gave the spreadsheet hint: an image named p.csv too.
    path = write_csv(tmp_path / "p.csv", b"\xde\xad\x01;\xbe\xef\x00\n")
    with pytest.raises(ZslError, match="is not a zsl predictions CSV") as refused:
        read_predictions(path)
    assert "semicolons" not in str(refused.value)


def test_a_semicolon_truth_csv_in_a_code_page_still_gets_the_hint(tmp_path):
    # Excel in a locale whose decimal mark is ',' saves ';'-separated CSV in its code page
    # (Windows-1252): a non-UTF-8 byte in the header is no binary content. Its columns are read
    # (a truth CSV may be ';'-separated): their names are what to change, not the separator.
    truth = tmp_path / "truth.csv"
    truth.write_bytes(b"Pfad;Klasse;Qualit\xe4t\na.png;cat;1\n")
    with pytest.raises(ZslError, match=r"\(its columns, Pfad, Klasse, Qualit\\xe4t, are read"):
        load_truth(truth)


@pytest.mark.parametrize(
    "content",
    [
        # Excel in a locale whose decimal mark is ',' (Germany, France...), "CSV UTF-8".
        b"\xef\xbb\xbfFile Name;Class;Confidence\r\na.jpg;cat;0,5\r\nb,1.jpg;dog;1\r\n",
        b"path\tlabel\na.jpg\tcat\nb,1.jpg\tdog\n",  # "Text (Tab delimited)", or pasted
        # Led by the line that tells Excel the delimiter: it was taken for the header ("found:
        # sep=;" with the advice to save the file with commas).
        b"sep=;\r\nFile Name;Class;Confidence\r\na.jpg;cat;0,5\r\nb,1.jpg;dog;1\r\n",
        b'sep=,\npath,label\na.jpg,cat\n"b,1.jpg",dog\n',
    ],
)
def test_a_truth_csv_separated_by_semicolons_or_tabs_is_read_by_its_header(tmp_path, content):
    # It was refused ("its columns are separated by semicolons: save it with commas").
    truth = load_truth(write_csv(tmp_path / "truth.csv", content))
    assert [(os.path.basename(item.path), item.label) for item in truth.items] == [
        ("a.jpg", "cat"),
        ("b,1.jpg", "dog"),
    ]


def test_all_failed_images_do_not_suggest_a_class_name_mismatch(photos):
    predictions = [predicted(photos / "cat" / "a.jpg", "", status="unreadable")]
    predictions.append(predicted(photos / "dog" / "d.jpg", "", status="decode_error"))
    result = evaluate(predictions, load_truth(photos), ks=(1,))
    assert result.metrics.failed == 2
    assert not any("do the class names match" in warning for warning in result.warnings)


def test_a_clipped_top_k_is_said_once_in_the_table(photos):
    import io

    from rich.console import Console

    from zsl_cli.summary import render_evaluation

    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog"]),
        predicted(photos / "dog" / "d.jpg", "dog", ["dog", "cat"]),
    ]
    result = evaluate(predictions, load_truth(photos), ks=(1, 5), n_classes=2)
    (note,) = [top.note for top in result.metrics.top_k if top.note]
    stream = io.StringIO()
    render_evaluation(Console(file=stream, width=200, markup=False, emoji=False), result)
    assert stream.getvalue().count(note) == 1


def test_csv_truth_labels_lose_invisible_characters_at_their_ends_as_class_names_do(tmp_path):
    # A zero-width space pasted from a web page, or a byte-order mark left mid-file by `cat`,
    # is stripped from a class name in classes.txt and a seen list: a truth label with one must
    # name that class, not a look-alike class no image can be labelled with.
    content = "path,label\na.jpg,cat\u200b\nb.jpg,\ufeffdog\n".encode()
    truth = load_truth(write_csv(tmp_path / "truth.csv", content))
    assert [item.label for item in truth.items] == ["cat", "dog"]
    assert truth.classes == ("cat", "dog")


def test_ok_rows_whose_label_was_emptied_are_counted_in_one_warning(photos, tmp_path):
    # pandas writes a missing value (NaN, or a label it read as one: "NA", "null") as an empty
    # cell: such rows were scored as abstentions without a word.
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog"]))
        writer.write(predicted(photos / "cat" / "b.png", "cat", ["cat", "dog"]))
        writer.write(predicted(photos / "dog" / "d.jpg", "dog", ["dog", "cat"]))
    edited = tmp_path / "edited.csv"  # as df.to_csv("edited.csv") saves it
    edited.write_text(
        output.read_text().replace("b.png,cat,", "b.png,,").replace("jpg,dog", "jpg,")
    )
    result = evaluate_files(edited, photos, ks=(1,))
    assert result.metrics.abstained == 2 and result.metrics.top_k[0].overall == pytest.approx(1 / 3)
    assert result.warnings == (
        f"2 images have status ok but no label (e.g. '{photos / 'cat' / 'b.png'}'; a cell "
        "emptied in a spreadsheet, or a missing value as pandas writes it?): each counts as an "
        "abstention, never correct",
    )


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_ok_records_whose_label_is_null_are_counted_as_an_emptied_cell_is(photos, tmp_path, fmt):
    # pandas writes a missing label as null (`df.to_json(orient="records", lines=True)`): the
    # file was refused ("label is NoneType, not a string"), where a CSV's empty cell is scored.
    output = tmp_path / f"p.{fmt}"
    with open_writer(output, fmt) as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog"]))
        writer.write(predicted(photos / "cat" / "b.png", "cat", ["cat", "dog"]))
    edited = tmp_path / f"edited.{fmt}"
    edited.write_text(
        output.read_text().replace(
            '"label": "cat", "score": 0.9, "top_k"', '"label": null, "score": 0.9, "top_k"'
        )
    )
    result = evaluate_files(edited, photos, ks=(1,))
    assert result.metrics.abstained == 2
    assert result.warnings == (
        f"2 images have status ok but no label (e.g. '{photos / 'cat' / 'a.jpg'}'; a cell "
        "emptied in a spreadsheet, or a missing value as pandas writes it?): each counts as an "
        "abstention, never correct",
    )


def test_labelled_rows_of_another_status_than_ok_are_counted_in_one_warning(photos, tmp_path):
    # A status cell left empty in a predictions CSV written by hand, or typed 'OK': each such
    # image counted as failed (0% here) without a word, its label and ranking unread.
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat", ["cat", "dog"]))
        writer.write(predicted(photos / "cat" / "b.png", "cat", ["cat", "dog"]))
        writer.write(predicted(photos / "dog" / "d.jpg", "dog", ["dog", "cat"]))
        writer.write(predicted(photos / "dog" / "e.JPG", "", status="not_an_image"))
    edited = tmp_path / "edited.csv"
    edited.write_text(output.read_text().replace(",ok,", ",,").replace(",,\n", ",OK,\n", 1))
    result = evaluate_files(edited, photos, ks=(1,))
    assert result.metrics.failed == 4 and result.metrics.top_k[0].overall == 0.0
    assert result.warnings == (
        "3 images have a label but not the status ok ('', 'OK'; e.g. "
        f"'{photos / 'cat' / 'a.jpg'}': a status emptied or typed otherwise?): each counts as "
        "failed, never correct",
    )


def test_truth_folders_that_join_a_class_s_words_are_named_so(tmp_path):
    # AwA2's folders (grizzly+bear) against the spaced class names the README asks for: every
    # metric 0% and a warning that only listed the names.
    root = tmp_path / "truth"
    predictions = [
        predicted(touch(root / "grizzly+bear" / "1.jpg"), "grizzly bear", ["grizzly bear", "ox"]),
        predicted(touch(root / "apple_pie" / "2.jpg"), "apple pie", ["apple pie", "ox"]),
    ]
    classes = ["grizzly bear", "apple pie", "ox"]
    hint = (
        "('apple_pie' in the truth is 'apple pie' among the classes, 'grizzly+bear' in the truth "
        "is 'grizzly bear' among the classes)"
    )
    (warning,) = evaluate(predictions, load_truth(root), ks=(1,)).warnings
    assert warning.endswith(hint)
    # With the run's classes, none of which the truth names: refused with the same hint, where it
    # scored 0% and exited 0.
    with pytest.raises(ZslError, match="no truth class of the 2 evaluated images") as refused:
        evaluate(predictions, load_truth(root), ks=(1,), class_names=classes)
    assert str(refused.value).endswith(hint)


def test_truth_classes_that_differ_from_a_class_in_case_or_spaces_are_named_so(tmp_path):
    # Truth folders Cat/ and 'dog '/ against the classes cat and dog: the warning listed
    # "Cat, dog " and asked whether the names matched, with nothing to see in the names shown.
    # 'dog ' is now the class dog, as a class list's or a truth CSV's 'dog ' is; Cat stays a hint.
    root = tmp_path / "truth"
    predictions = [
        predicted(touch(root / "Cat" / "1.jpg"), "cat", ["cat", "dog"]),
        predicted(touch(root / "dog " / "2.jpg"), "dog", ["dog", "cat"]),
        predicted(touch(root / "bird" / "3.jpg"), "cat", ["cat", "dog"]),
    ]
    hint = "('Cat' in the truth is 'cat' among the classes)"
    result = evaluate(predictions, load_truth(root), ks=(1,))
    assert result.metrics.top_k[0].overall == pytest.approx(1 / 3)  # Cat: a hint, not a rule
    (warning,) = result.warnings
    assert warning.startswith("2 truth classes are not the label") and warning.endswith(hint)
    # With the run's class list (its run info), the same.
    result = evaluate(predictions, load_truth(root), ks=(1,), class_names=["cat", "dog"])
    (warning,) = result.warnings
    assert warning.startswith("2 truth classes are not among the 2 classes") and warning.endswith(
        hint
    )
    matching = [predicted(root / "bird" / "3.jpg", "cat", ["cat"])]
    (warning,) = evaluate(matching, load_truth(root), ks=(1,)).warnings
    assert "in the truth is" not in warning  # bird is no class's other spelling


def test_a_predictions_file_whose_only_row_is_cut_says_so(photos, tmp_path):
    # Its one line cut: "no predictions to evaluate" said nothing of why.
    output = tmp_path / "p.jsonl"
    with open_writer(output, "jsonl") as writer:
        writer.write(predicted(photos / "cat" / "a.jpg", "cat"))
    output.write_bytes(output.read_bytes()[:30])
    with pytest.raises(ZslError, match=r"p\.jsonl: line 1: the last line is cut short .*, and "):
        evaluate_files(output, photos)


def test_the_stacking_example_counts_the_classes_an_image_scores_not_unknown(tmp_path):
    # A ranking led by 'unknown' then 2 of the 3 classes: it said "has 3", unknown counted as one.
    truth = {"A": "a.png", "B": "b.png", "C": "c.png"}
    for label, name in truth.items():
        touch(tmp_path / "w" / label / name)
    predictions = [
        predicted(tmp_path / "w" / "A" / "a.png", "unknown", ["unknown", "A", "B"]),
        predicted(tmp_path / "w" / "B" / "b.png", "B", ["B", "A", "C"]),
        predicted(tmp_path / "w" / "C" / "c.png", "C", ["C", "A", "B"]),
    ]
    gzsl = evaluate(predictions, load_truth(tmp_path / "w"), seen=["A", "B"]).gzsl
    assert gzsl.calibrated is None
    assert "1 of 3 images carry scores for fewer than all 3 classes" in gzsl.calibrated_reason
    assert "a.png' has 2);" in gzsl.calibrated_reason
