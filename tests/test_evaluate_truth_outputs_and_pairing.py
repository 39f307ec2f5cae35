"""`zsl evaluate` and `zsl hubness --truth` against the same truth: outputs that would land on
the truth's images, truth-folder images `zsl label` leaves out, truth paths relative to a
parent folder, file names that several class folders share, and a label typed since."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import run
from zsl_cli.discovery import scan
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer

CLASSES = ["circle", "square", "star"]


def png(path: Path, shade: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (shade, 100, 200)).save(path)
    return path


def photos(root: Path) -> list[Path]:
    """Two images per class in root/photos/<class>/, named a.png, b.png, ..."""
    names = iter("abcdef")
    return [
        png(root / "photos" / name / f"{next(names)}.png", i) for name in CLASSES for i in range(2)
    ]


def predictions_file(
    output: Path, images: list[str], labels: list[str], run_info: bool = True
) -> Path:
    """Predictions as `zsl label -k 0` writes them (every class ranked), each image labelled as
    `labels` says and ranked with its own folder's class first."""
    with open_writer(output, "csv") as writer:
        for image, label in zip(images, labels, strict=True):
            own = Path(image).parent.name
            ranking = [own, *(name for name in CLASSES if name != own)]
            top_k = tuple(LabelScore(name, 0.7 - 0.2 * i) for i, name in enumerate(ranking))
            writer.write(Prediction(image, label, top_k[0].score, top_k=top_k))
        writer.close({"classes": {"n": len(CLASSES), "names": CLASSES}, "cwd": os.getcwd()})
    if not run_info:
        os.remove(f"{output}.run.json")
    return output


def labelled_here(root: Path, run_info: bool = True, output: str = "p.csv") -> Path:
    """`zsl label photos -k 0 -o p.csv` run in `root` (the current folder), every image right."""
    images = [os.path.relpath(path, root) for path in photos(root)]
    return predictions_file(root / output, images, [Path(p).parent.name for p in images], run_info)


def test_evaluate_refuses_to_write_over_an_image_of_the_truth(tmp_path, monkeypatch):
    # --json into the images folder (tab completion) replaced a truth image with JSON, exit 0,
    # where label and hubness refuse an output that is an input of the run.
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    truth_csv = tmp_path / "t.csv"
    truth_csv.write_text("path,label\nphotos/circle/a.png,circle\nphotos/circle/b.png,circle\n")
    image = tmp_path / "photos" / "circle" / "b.png"
    before = image.read_bytes()
    for truth in ("photos", truth_csv):
        for option in ("--json", "--report"):
            result = run("evaluate", predictions, "--truth", truth, option, image, "-q")
            assert result.exit_code == 2, result.output
            assert result.stderr == (
                f"zsl: error: {option} {image} is an input of this run; write elsewhere\n"
            )
            assert image.read_bytes() == before
    # A predicted image the truth does not name, through another spelling of its path.
    only_predicted = tmp_path / "photos" / "star" / "e.png"
    result = run(
        "evaluate", predictions, "--truth", truth_csv, "--json", "./photos/star/../star/e.png"
    )
    assert result.exit_code == 2, result.output
    assert "is an input of this run; write elsewhere" in result.stderr
    assert Image.open(only_predicted).size == (8, 8)


def test_evaluate_refuses_a_new_output_in_a_class_folder_of_the_truth(tmp_path, monkeypatch):
    # A report's chart dropped there is a truth image of that class the next time.
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    result = run("evaluate", predictions, "--truth", "photos", "--report", "photos/circle/r.png")
    assert result.exit_code == 2, result.output
    assert "--report photos/circle/r.png is in a class folder of the ground truth photos" in (
        result.stderr
    )
    assert not (tmp_path / "photos" / "circle" / "r.png").exists()
    # Beside the class folders it is no class's.
    result = run("evaluate", predictions, "--truth", "photos", "--json", "photos/r.json", "-q")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "photos" / "r.json").read_text())["n"] == 6


def test_evaluate_writes_into_hidden_folders_and_files_of_the_truth(tmp_path, monkeypatch):
    # The truth's walk takes no hidden folder for a class and reports no hidden file: an output
    # there is no truth image the next time.
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    (tmp_path / "photos" / ".reports").mkdir()
    for output in ("photos/.reports/r.png", "photos/circle/.r.png"):
        result = run("evaluate", predictions, "--truth", "photos", "--report", output, "-q")
        assert result.exit_code == 0, result.output
        assert (tmp_path / output).is_file()
        again = run("evaluate", predictions, "--truth", "photos", "--json", "-", "-q")
        assert again.exit_code == 0, again.output
        assert json.loads(again.stdout)["n"] == 6
        assert json.loads(again.stdout)["unmatched"]["truth"]["count"] == 0


def test_truth_folder_images_label_left_out_by_extension_are_said(tmp_path, monkeypatch):
    # .tga and .jp2 images of the star class vanished from the table and the report: only
    # --json's ignored_files, beside notes.txt, held them.
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    star = Image.open(tmp_path / "photos" / "star" / "e.png")
    star.save(tmp_path / "photos" / "star" / "g.tga")
    star.save(tmp_path / "photos" / "star" / "h.jp2")
    (tmp_path / "photos" / "circle" / "notes.txt").write_text("not an image")
    result = run("evaluate", predictions, "--truth", "photos", "--report", "r.html")
    assert result.exit_code == 0, result.output
    said = (
        "2 images of the truth folder are not evaluated, as zsl label leaves their extensions "
        "out (.jp2 1, .tga 1): 'star/g.tga', 'star/h.jp2'; label with --ext naming them as "
        "well (--ext replaces the default list)"
    )
    assert said in " ".join(result.stderr.split())
    assert "notes.txt" not in result.stderr
    assert "star/g.tga" in (tmp_path / "r.html").read_text()
    (tmp_path / "photos" / "star" / "h.jp2").unlink()
    result = run("evaluate", predictions, "--truth", "photos", "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    assert any(
        "1 image of the truth folder is not evaluated, as zsl label leaves its extension out "
        "(.tga 1): 'star/g.tga'" in warning
        for warning in json.loads(result.stdout)["warnings"]
    )


def test_truth_relative_to_a_parent_folder_pairs_without_run_info(tmp_path, monkeypatch):
    # w/photos/... from labels/: paired only through the run info's folder; without it (the
    # predictions mailed, re-saved) the very folder the labelling ran in was not taken.
    here = tmp_path / "w"
    here.mkdir()
    monkeypatch.chdir(here)
    predictions = labelled_here(here, run_info=False)
    rows = "".join(
        f"w/photos/{name}/{f}.png,{name}\n"
        for name, f in zip([c for c in CLASSES for _ in range(2)], "abcdef", strict=True)
    )
    (here / "labels").mkdir()
    (here / "labels" / "root.csv").write_text("path,label\n" + rows)
    result = run("evaluate", predictions, "--truth", "labels/root.csv", "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 6


def test_hubness_pairs_truth_relative_to_a_parent_folder_as_evaluate_does(
    tiny_clip, image_folder, tmp_path, monkeypatch
):
    # `zsl hubness set ...` refused a truth that `zsl hubness $PWD/set` and evaluate took.
    (tmp_path / "labels").mkdir()
    rows = [
        f"{tmp_path.name}/set/{p.parent.name}/{p.name},{p.parent.name}"
        for p in sorted(image_folder.rglob("*.png"))
    ]
    truth = tmp_path / "labels" / "root.csv"
    truth.write_text("path,label\n" + "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    common = ["-c", "classes.txt", "-m", tiny_clip, "--truth", truth, "--json", "-", "-q"]
    result = run("hubness", "set", *common)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["images_with_truth"] == 12


def numbered(root: Path) -> Path:
    """Class folders that each number their files (circle/0001.png, star/0001.png), labelled,
    and a truth CSV of file names only."""
    images = [
        os.path.relpath(png(root / "photos" / name / f"000{i}.png", i), root)
        for name in ("circle", "star")
        for i in (1, 2)
    ]
    (root / "labels").mkdir()
    (root / "labels" / "t2.csv").write_text("file,label\n0001.png,circle\n0002.png,circle\n")
    return predictions_file(root / "p.csv", images, [Path(p).parent.name for p in images])


def test_file_names_several_class_folders_share_are_said_when_nothing_pairs(tmp_path, monkeypatch):
    # "the predictions name images outside the ground truth": every one of them is in it, but
    # which one each truth row is cannot be told.
    monkeypatch.chdir(tmp_path)
    predictions = numbered(tmp_path)
    result = run("evaluate", predictions, "--truth", "labels/t2.csv")
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "outside the ground truth" not in message
    assert (
        "2 truth images each end like several predictions, and are paired with none (e.g. "
        "'0001.png': 'photos/circle/0001.png' and 'photos/star/0001.png'): give a truth CSV "
        "with the predictions' paths" in message
    )


def test_hubness_says_why_no_image_is_in_the_truth(tiny_clip, image_folder, tmp_path, monkeypatch):
    # Hubness said only "no image of this run is in the truth", where evaluate says why.
    monkeypatch.chdir(tmp_path)
    shared = tmp_path / "shared.csv"
    shared.write_text("path,label\nimg_000.png,cat\nimg_001.png,dog\n")
    common = ["-c", "classes.txt", "-m", tiny_clip, "-q"]
    result = run("hubness", "set", *common, "--truth", shared)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "no image of this run is in the truth" in message
    assert (
        "2 truth images each end like several images, and are paired with none (e.g. "
        "'img_000.png': 'set/bird/img_000.png' and 'set/cat/img_000.png'): give a truth CSV with "
        "the images' paths" in message
    )
    # Another root: the two roots named, as evaluate names them.
    other = tmp_path / "alice.csv"
    rows = [
        f"/home/alice/data/{p.parent.name}/{p.name},{p.parent.name}"
        for p in sorted(image_folder.rglob("*.png"))
    ]
    other.write_text("path,label\n" + "\n".join(rows) + "\n")
    result = run("hubness", image_folder, *common, "--truth", other)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "no image of this run is in the truth" in message
    assert "paths end alike" in message
    assert f"'/home/alice/data' in the truth where the images have '{image_folder}'" in message


def test_a_label_typed_since_is_no_class_the_top_k_clip_counts(tmp_path, monkeypatch):
    # 'Circle' for 'circle' in a copied CSV without run info: k=5 clipped to 4, no image ranks
    # 4 classes, top-5 n/a for every image, advising --top-k 0, which the run was.
    monkeypatch.chdir(tmp_path)
    images = [os.path.relpath(path, tmp_path) for path in photos(tmp_path)]
    labels = [Path(p).parent.name for p in images]
    labels[0] = "Circle"
    predictions = predictions_file(tmp_path / "edited.csv", images, labels, run_info=False)
    result = run("evaluate", predictions, "--truth", "photos", "--json", "-")
    assert result.exit_code == 0, result.output
    top5 = json.loads(result.stdout)["top_k"]["5"]
    assert top5["k_used"] == 3
    assert top5["overall"] == 1.0
    assert "not computable" not in top5["note"]
    assert "neither a truth class nor ranked for any image" in result.stderr
    top1 = json.loads(result.stdout)["top_k"]["1"]
    assert top1["overall"] == 5 / 6


def test_no_start_at_the_current_folder_where_run_info_names_the_labelling_one(
    tmp_path, monkeypatch
):
    # Labelled in w/setA (run info), evaluated from an empty x/setB against another machine's
    # truth of setB/...: setA's images only end like setB's rows from here, and are not them.
    labelled_in = tmp_path / "w" / "setA"
    labelled_in.mkdir(parents=True)
    monkeypatch.chdir(labelled_in)
    images = ["circle/a.png", "square/c.png"]
    predictions = predictions_file(tmp_path / "p.csv", images, ["circle", "square"])
    truth = tmp_path / "t.csv"
    truth.write_text("path,label\nsetB/circle/a.png,circle\nsetB/square/c.png,square\n")
    elsewhere = tmp_path / "x" / "setB"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2, result.output
    assert "none of the 2 predictions" in result.stderr
    # Without the run info the current folder is the labelling's, as far as can be told.
    os.remove(f"{predictions}.run.json")
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 2


@pytest.mark.parametrize("output", ["photos/report.png", "photos/Report.PNG", "photos/./r.png"])
def test_a_chart_at_the_top_of_the_truth_folder_is_refused(tmp_path, monkeypatch, output):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    result = run("evaluate", predictions, "--truth", "photos", "--report", output)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"zsl: error: --report {output} is in the ground truth folder photos, where the next "
        "zsl label or zsl embed of it would take it for an image; write elsewhere\n"
    )
    assert len(scan(["photos"]).paths) == 6  # nothing written there


def test_json_written_as_an_image_name_at_the_top_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    result = run(
        "evaluate", predictions, "--truth", str(tmp_path / "photos"), "--json", "photos/x.jpg"
    )
    assert result.exit_code == 2, result.output
    assert "--json photos/x.jpg is in the ground truth folder" in result.stderr
    assert not (tmp_path / "photos" / "x.jpg").exists()


def test_outputs_a_scan_would_not_read_as_images_are_written_at_the_top(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    for option, output in (
        ("--json", "photos/x.json"),
        ("--report", "photos/report.html"),
        ("--report", "photos/.report.png"),
    ):
        result = run("evaluate", predictions, "--truth", "photos", option, output, "-q")
        assert result.exit_code == 0, result.output
        assert (tmp_path / output).is_file()
    assert len(scan(["photos"]).paths) == 6
    again = run("evaluate", predictions, "--truth", "photos", "--json", "-", "-q")
    assert json.loads(again.stdout)["n"] == 6


def test_a_chart_beside_the_truth_folder_is_written(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = labelled_here(tmp_path)
    result = run("evaluate", predictions, "--truth", "photos", "--report", "report.png", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.png").is_file()
