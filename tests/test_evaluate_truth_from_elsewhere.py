"""`zsl evaluate` against ground truth written elsewhere (a colleague's CSV, a dataset's own
folders): class names spelled otherwise or missing from the run's class list, one image named
two ways, labels pasted with a no-break space, and CSVs saved by old spreadsheets."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer

CLASSES = ["blue circle", "red star", "green square", "navy dot"]
SEEN = ["blue circle", "red star"]


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded by evaluate")
    return path


def shapes(tmp_path: Path, wrong: dict[str, int] | None = None) -> tuple[Path, list[Path]]:
    """Three images per class in shapes/<class>/, labelled with every class ranked (-k 0) and
    the run info naming the classes; `wrong`: how many of a class's images are labelled with
    the next class. Returns the predictions file and the images, class by class."""
    images = [
        touch(tmp_path / "shapes" / name / f"{name.replace(' ', '_')}_{i}.png")
        for name in CLASSES
        for i in range(3)
    ]
    wrong = wrong or {}
    output = tmp_path / "p.jsonl"
    with open_writer(output, "jsonl") as writer:
        for index, image in enumerate(images):
            own = CLASSES[index // 3]
            label = own
            if index % 3 < wrong.get(own, 0):
                label = CLASSES[(index // 3 + 1) % len(CLASSES)]
            ranking = [label, *(name for name in CLASSES if name != label)]
            top_k = tuple(LabelScore(name, 0.7 - 0.2 * i) for i, name in enumerate(ranking))
            writer.write(Prediction(str(image), label, top_k[0].score, top_k=top_k))
        writer.close({"classes": {"n": len(CLASSES), "names": CLASSES}})
    return output, images


def truth_csv(tmp_path: Path, rows: list[tuple[str, str]], name: str = "truth.csv") -> Path:
    path = tmp_path / name
    path.write_text("path,label\n" + "".join(f'"{p}","{label}"\n' for p, label in rows))
    return path


def seen_list(tmp_path: Path) -> Path:
    path = tmp_path / "seen.txt"
    path.write_text("".join(f"{name}\n" for name in SEEN))
    return path


def labelled(images: list[Path], rename: dict[str, str] | None = None) -> list[tuple[str, str]]:
    rename = rename or {}
    return [(str(image), rename.get(image.parent.name, image.parent.name)) for image in images]


def evaluate_json(*args):
    result = run("evaluate", *args, "--json", "-", "-q")
    return result, (json.loads(result.stdout) if result.exit_code == 0 else None)


def test_a_truth_label_that_is_a_class_in_another_case_is_refused_with_seen(tmp_path):
    # 'Blue Circle' for the seen class 'blue circle' counted as an unseen class at 0%: H fell
    # with exit 0, where the same name in the seen list is refused.
    predictions, images = shapes(tmp_path, {"red star": 1, "navy dot": 2})
    seen = seen_list(tmp_path)
    for other in ("Blue Circle", "blue_circle", "Blue+Circle"):
        truth = truth_csv(tmp_path, labelled(images, {"blue circle": other}))
        result = run("evaluate", predictions, "--truth", truth, "--seen", seen)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            f"zsl: error: the truth labels images '{other}', which is no class: the class "
            "'blue circle' differs from it only in case"
        ), result.stderr
        assert "spell it 'blue circle' in the truth" in result.stderr
    # A truth folder whose class folder is named so: the same.
    (tmp_path / "shapes" / "blue circle").rename(tmp_path / "shapes" / "Blue Circle")
    moved = [Path(str(p).replace("blue circle", "Blue Circle")) for p in images]
    moved_predictions = tmp_path / "moved.jsonl"
    moved_predictions.write_text(predictions.read_text().replace("blue circle/", "Blue Circle/"))
    Path(f"{moved_predictions}.run.json").write_text(Path(f"{predictions}.run.json").read_text())
    assert all(p.exists() for p in moved)
    result = run("evaluate", moved_predictions, "--truth", tmp_path / "shapes", "--seen", seen)
    assert result.exit_code == 2, result.output
    assert "the truth labels images 'Blue Circle', which is no class" in result.stderr
    # Without --seen there is no split to harm: scored as written, with the warning naming it.
    result, data = evaluate_json(moved_predictions, "--truth", tmp_path / "shapes")
    assert result.exit_code == 0, result.stderr
    assert "'Blue Circle' in the truth is 'blue circle' among the classes" in data["warnings"][0]


def test_every_truth_label_spelled_otherwise_is_refused_with_seen(tmp_path):
    # All 0.0%, "seen n/a, harmonic mean n/a", exit 0.
    predictions, images = shapes(tmp_path)
    rename = {name: name.replace(" ", "_") for name in CLASSES}
    truth = truth_csv(tmp_path, labelled(images, rename))
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen_list(tmp_path))
    assert result.exit_code == 2, result.output
    assert "(3 other truth classes are so)" in result.stderr


def test_a_truth_class_the_run_could_not_predict_is_named_where_it_lowers_unseen(tmp_path):
    # 'navy dot' renamed 'teal dot', no class of the run: its images were averaged into the
    # unseen mean at 0%, and only a warning that names differ said anything of it.
    predictions, images = shapes(tmp_path, {"red star": 1, "navy dot": 2})
    seen = seen_list(tmp_path)
    truth = truth_csv(tmp_path, labelled(images, {"navy dot": "teal dot"}))
    result, data = evaluate_json(predictions, "--truth", truth, "--seen", seen)
    assert result.exit_code == 0, result.stderr
    gzsl = data["gzsl"]
    # Counted as an unseen class at 0% (the seen list does not name it), as before ...
    assert gzsl["unseen"] == 0.5 and gzsl["n_unseen_classes"] == 2
    # ... and said so.
    assert (
        "1 truth class is not among the run's classes, so no image could be labelled with it, "
        "and counted at 0% in the unseen accuracy and H (leave its images out of the truth to "
        "measure the run's own classes): teal dot"
    ) in gzsl["notes"]
    assert data["n"] == 12 and data["top_k"]["1"]["overall"] == 8 / 12
    shown = run("evaluate", predictions, "--truth", truth, "--seen", seen)
    assert shown.exit_code == 0 and "counted at 0% in the unseen accuracy" in shown.output


def test_one_image_written_two_ways_in_the_truth_is_one_image(tmp_path, monkeypatch):
    # Rows relative to the current folder, and one more giving an image's absolute path: its
    # label was used, unsaid, and the image was called a truth image without prediction.
    predictions, images = shapes(tmp_path, {"red star": 1})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t").mkdir()
    relative = [(str(image.relative_to(tmp_path)), image.parent.name) for image in images]
    absolute = [(str(image), image.parent.name) for image in images]
    first = images[0]
    for rows, extra in ((relative, str(first)), (absolute, relative[0][0])):
        truth = truth_csv(tmp_path / "t", [*rows, (extra, "red star")])
        result = run("evaluate", predictions, "--truth", truth)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            f"zsl: error: {truth}, line {len(rows) + 2}: '{extra}' names the image of line 2 "
            f"('{rows[0][0]}'), labelled 'red star' here and 'blue circle' there; "
            "keep one label per image"
        ), result.stderr
        # The same label: counted once, and not as an image without prediction.
        truth = truth_csv(tmp_path / "t", [*rows, (extra, "blue circle")])
        result, data = evaluate_json(predictions, "--truth", truth)
        assert result.exit_code == 0, result.stderr
        assert data["n"] == 12 and data["top_k"]["1"]["overall"] == 11 / 12
        assert data["unmatched"]["truth"]["count"] == 0, data["unmatched"]
        shown = run("evaluate", predictions, "--truth", truth)
        assert "truth image without prediction" not in shown.output
    # A file name beside a full path may be another image (a.jpg beside x/a.jpg, both at the
    # CSV's folder): it stays apart, shown as a truth image without prediction.
    truth = truth_csv(tmp_path / "t", [*relative, (first.name, "red star")])
    result, data = evaluate_json(predictions, "--truth", truth)
    assert result.exit_code == 0, result.stderr
    assert data["n"] == 12 and data["unmatched"]["truth"]["examples"] == [first.name]


def test_a_truth_row_of_another_image_with_the_same_ending_stays_unpaired(tmp_path):
    # Two files here are two images: a row naming an unlabelled copy is no second spelling.
    predictions, images = shapes(tmp_path)
    copy = touch(tmp_path / "copy" / images[0].relative_to(tmp_path))
    rows = [(str(image), image.parent.name) for image in images]
    truth = truth_csv(tmp_path, [*rows, (str(copy), "red star")])
    result, data = evaluate_json(predictions, "--truth", truth)
    assert result.exit_code == 0, result.stderr
    assert data["n"] == 12 and data["unmatched"]["truth"]["count"] == 1


def test_a_truth_label_with_a_no_break_space_is_the_class(tmp_path):
    # Labels pasted from a web page or a spreadsheet, U+00A0 between the words: 0.0%, exit 0,
    # and "'blue circle' in the truth is 'blue circle' among the classes", alike to the eye.
    predictions, images = shapes(tmp_path, {"red star": 1})
    rows = [(str(image), image.parent.name.replace(" ", "\u00a0")) for image in images]
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "path,label\n" + "".join(f"{p},{label}\n" for p, label in rows), encoding="utf-8"
    )
    seen = tmp_path / "seen.txt"
    seen.write_text("blue\u00a0circle\nred\u2009star\n", encoding="utf-8")  # a thin space too
    result, data = evaluate_json(predictions, "--truth", truth, "--seen", seen)
    assert result.exit_code == 0, result.stderr
    assert data["n"] == 12 and data["top_k"]["1"]["overall"] == 11 / 12
    assert data["warnings"] == [] and data["n_classes"] == 4
    assert (data["gzsl"]["n_seen_classes"], data["gzsl"]["unseen"]) == (2, 1.0)


def test_a_predicted_label_with_a_no_break_space_is_shown_escaped(tmp_path):
    # A prediction's label is scored as written; the warning must show what differs.
    predictions, images = shapes(tmp_path)
    text = predictions.read_text(encoding="utf-8")
    predictions.write_text(
        text.replace('"label": "blue circle"', '"label": "blue\\u00a0circle"', 1), encoding="utf-8"
    )
    result = run("evaluate", predictions, "--truth", tmp_path / "shapes")
    assert result.exit_code == 0, result.stderr
    assert (
        "scored as written: 'blue\\u00a0circle' ('blue\\u00a0circle' in the predictions is "
        "'blue circle' among the classes)"
    ) in result.stderr, result.stderr


def test_a_sep_line_is_read_in_a_csv_with_old_mac_line_ends(tmp_path):
    # sep=;\rpath;label\r...: the first line was split at "\n" only, so "sep=;" was the header.
    predictions, images = shapes(tmp_path, {"red star": 1})
    rows = "".join(f"{image};{image.parent.name}\r" for image in images)
    truth = tmp_path / "truth.csv"
    truth.write_bytes(f"sep=;\rpath;label\r{rows}".encode())
    result, data = evaluate_json(predictions, "--truth", truth)
    assert result.exit_code == 0, result.stderr
    assert data["n"] == 12 and data["top_k"]["1"]["overall"] == 11 / 12
    truth.write_bytes(f"sep=;\rpath;label\r{rows}".replace("\r", "\r\n").encode())  # Windows
    result, data = evaluate_json(predictions, "--truth", truth)
    assert result.exit_code == 0, result.stderr
    assert data["n"] == 12


def inner_run(tmp_path: Path) -> tuple[Path, list[Path]]:
    """Predictions labelled from inside shapes/ (`cd shapes; zsl label .`): paths 'class/file',
    the run info recording shapes/ as the folder they start at."""
    predictions, images = shapes(tmp_path, {"red star": 1})
    shapes_folder = tmp_path / "shapes"
    inner = tmp_path / "inner.jsonl"
    inner.write_text(predictions.read_text().replace(f"{shapes_folder}/", ""))
    info = json.loads(Path(f"{predictions}.run.json").read_text())
    info.update(cwd=str(shapes_folder), output_bytes=inner.stat().st_size)
    Path(f"{inner}.run.json").write_text(json.dumps(info))
    return inner, images


def test_predictions_labelled_inside_the_folder_the_truth_paths_name_pair(tmp_path, monkeypatch):
    # Truth paths shapes/<class>/<file> (from the current folder), predictions <class>/<file>
    # labelled from inside shapes/: nothing paired, "images outside the ground truth".
    inner, images = inner_run(tmp_path)
    assert '"path": "blue circle/' in inner.read_text()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t").mkdir()
    rows = [(str(image.relative_to(tmp_path)), image.parent.name) for image in images]
    truth = truth_csv(tmp_path / "t", rows)
    result, data = evaluate_json(inner, "--truth", truth)
    assert result.exit_code == 0, result.stderr
    assert data["n"] == 12 and data["top_k"]["1"]["overall"] == 11 / 12


def test_no_match_between_two_roots_of_one_dataset_names_them(tmp_path):
    # A colleague's truth, /home/alice/shapes_v2/<class>/<file>, against predictions under
    # shapes/: "the predictions name images outside the ground truth" blamed the predictions.
    predictions, images = shapes(tmp_path)
    for root in ("/home/alice/shapes_v2", "C:\\Users\\alice\\Shapes-v2"):
        separator = "\\" if root.startswith("C:") else "/"
        rows = [
            (separator.join([root, image.parent.name, image.name]), image.parent.name)
            for image in images
        ]
        result = run("evaluate", predictions, "--truth", truth_csv(tmp_path, rows))
        assert result.exit_code == 2, result.output
        assert (
            f"the paths end alike (as 'blue circle/blue_circle_0.png') but start in other "
            f"folders, '{root}' in the truth where the predictions have '{tmp_path / 'shapes'}': "
            "write the truth's paths from the class folders on"
        ) in result.stderr, result.stderr
        assert "outside the ground truth" not in result.stderr
    # A copy of the labelled folder is other images, as before.
    copy = [touch(tmp_path / "copy" / image.relative_to(tmp_path)) for image in images]
    rows = [(str(image), image.parent.name) for image in copy]
    result = run("evaluate", predictions, "--truth", truth_csv(tmp_path, rows))
    assert result.exit_code == 2 and "outside the ground truth" in result.stderr, result.stderr
