"""The seen classes of `zsl evaluate` and `zsl hubness`: a seen name that is a class's written
otherwise is refused, and HubnessRequest takes the names as EvaluateRequest does; and Excel's
separator line quoted (`"sep=;"`) in class files as in truth CSVs. Real files, written here; the
CLI through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images, write_labelled
from zsl_cli import api
from zsl_cli.classes import load_class_spec
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate_files
from zsl_cli.formatting import excel_delimiter
from zsl_cli.readers import run_info_file

# Each image's true class and the classes its prediction ranks, best first. Two seen classes and
# one unseen: each side has a right and a wrong image, so a split that moved a class to the other
# side changes the numbers.
IMAGES = {
    "red square/1.jpg": ("red square", ["red square", "blue circle", "green star"]),
    "red square/2.jpg": ("red square", ["blue circle", "red square", "green star"]),
    "blue circle/1.jpg": ("blue circle", ["blue circle", "red square", "green star"]),
    "green star/1.jpg": ("green star", ["green star", "red square", "blue circle"]),
    "green star/2.jpg": ("green star", ["red square", "green star", "blue circle"]),
}
CLASSES = ["red square", "blue circle", "green star"]


def run(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture()
def labelled(tmp_path: Path) -> tuple[Path, Path]:
    return write_labelled(tmp_path, IMAGES)


def seen_list(folder: Path, *names: str) -> Path:
    path = folder / "seen.txt"
    path.write_text("".join(f"{name}\n" for name in names))
    return path


MISSPELLED = ["Red Square", "RED SQUARE", "red_square", "red+square", "Red_Square"]


# --- a. a seen name that is a class's written otherwise ------------------------------------------


@pytest.mark.parametrize("name", MISSPELLED)
def test_evaluate_refuses_a_seen_name_that_is_a_class_written_otherwise(labelled, name):
    # It was a warning, exit 0, and red square counted as unseen: H moved.
    predictions, truth = labelled
    seen = seen_list(truth.parent, name, "blue circle")
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen)
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        f"zsl: error: the seen classes name '{name}', which is no class: the class 'red square'"
    )
    assert line.endswith("spell it 'red square' among the seen classes, as the classes do")
    assert "would count as unseen" in line
    assert not result.stdout


def test_evaluate_through_the_library_refuses_it_for_a_list_and_for_names(labelled):
    predictions, truth = labelled
    seen = seen_list(truth.parent, "Red Square", "blue circle")
    for given in (seen, ["Red Square", "blue circle"]):
        with pytest.raises(
            ZslError,
            match="^the seen classes name 'Red Square', which is no class: the class 'red square'",
        ):
            api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen=given))
    with pytest.raises(ZslError, match="the class 'red square' differs from it only in case"):
        evaluate_files(predictions, truth, seen_path=seen)


def test_several_misspelled_seen_names_are_counted_in_the_one_line(labelled):
    predictions, truth = labelled
    seen = seen_list(truth.parent, "Red Square", "Blue_Circle")
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "'blue circle' differs from it only in case" in line
    assert "and would count as unseen (1 other seen name is so)" in line


def test_the_split_with_the_right_spelling_is_what_the_misspelled_list_meant(labelled):
    predictions, truth = labelled
    seen = seen_list(truth.parent, "red square", "blue circle")
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    gzsl = json.loads(result.stdout)["gzsl"]
    assert (gzsl["seen"], gzsl["unseen"]) == (0.75, 0.5)


def test_a_seen_name_like_no_class_stays_a_warning(labelled):
    # A list shared across runs may name classes this run lacks: that changes no number.
    predictions, truth = labelled
    seen = seen_list(truth.parent, "red square", "blue circle", "purple hexagon")
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen, "--json", "-")
    assert result.exit_code == 0, result.stderr
    assert "1 seen class is neither in the truth" in result.stderr
    assert "purple hexagon" in result.stderr
    assert json.loads(result.stdout)["gzsl"]["seen"] == 0.75


def test_a_misspelled_seen_name_beside_the_class_s_own_is_a_warning(labelled):
    # The class is seen by its own name: the split is the one meant, the other name is noise.
    predictions, truth = labelled
    seen = seen_list(truth.parent, "red square", "Red Square", "blue circle")
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen, "--json", "-")
    assert result.exit_code == 0, result.stderr
    assert "'Red Square' in the seen list is 'red square' among the classes" in result.stderr
    assert json.loads(result.stdout)["gzsl"]["seen"] == 0.75


# `C` and `C++` are two classes: only a '_' or '+' between letters joins words (`red+square`).
SYMBOLS = {
    "C/1.jpg": ("C", ["C", "C++", "red square"]),
    "C++/1.jpg": ("C++", ["C++", "C", "red square"]),
    "red square/1.jpg": ("red square", ["red square", "C", "C++"]),
}


def test_a_seen_name_that_is_a_class_in_another_case_is_pointed_at_that_class(tmp_path):
    # It was pointed at 'C': a '+' that joins no words was dropped as if it did.
    predictions, truth = write_labelled(tmp_path, SYMBOLS)
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen_list(tmp_path, "c++"))
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "which is no class: the class 'C++' differs from it only in case" in line
    assert line.endswith("spell it 'C++' among the seen classes, as the classes do")


def test_a_plus_after_the_last_word_joins_no_words(labelled):
    # 'blue circle+' was taken for 'blue circle', "'+' between words": it is a name like no class.
    predictions, truth = labelled
    seen = seen_list(truth.parent, "red square", "blue circle+")
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen, "--json", "-")
    assert result.exit_code == 0, result.stderr
    assert "differs from it" not in result.stderr
    assert "blue circle+" in result.stderr  # named as a seen class neither in the truth nor run
    gzsl = json.loads(result.stdout)["gzsl"]
    assert (gzsl["n_seen_classes"], gzsl["seen"]) == (1, 0.5)  # red square alone is seen


@pytest.fixture()
def image_folder(tmp_path: Path) -> Path:
    root = tmp_path / "set"
    for index, name in enumerate(CLASSES):
        write_images(root / name, 4, seed=index)
    (tmp_path / "classes.txt").write_text("\n".join(CLASSES) + "\n")
    return root


def hubness_args(image_folder: Path, model: Path) -> list[object]:
    classes = image_folder.parent / "classes.txt"
    return ["hubness", image_folder, "-c", classes, "-m", model, "--truth", image_folder]


@pytest.mark.parametrize("name", ["Red Square", "red_square"])
def test_hubness_refuses_a_seen_name_that_is_a_class_written_otherwise(
    tiny_clip, image_folder, name
):
    seen = seen_list(image_folder.parent, name, "blue circle")
    args = hubness_args(image_folder, tiny_clip)
    result = run(*args, "--seen", seen, "-k", "1", "--methods", "none")
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        f"zsl: error: the seen classes name '{name}', which is no class: the class 'red square'"
    )
    # A name like no class is still only a warning.
    seen_list(image_folder.parent, "red square", "purple hexagon")
    result = run(*args, "--seen", seen, "-k", "1", "--methods", "none")
    assert result.exit_code == 0, result.stderr
    assert "1 seen class is neither in the truth nor among the listed classes" in result.stderr


def test_hubness_through_the_library_refuses_it_before_the_model_loads(
    tiny_clip, image_folder, monkeypatch
):
    monkeypatch.setattr(api, "load_encoder", lambda *args, **kwargs: pytest.fail("loaded"))
    seen = seen_list(image_folder.parent, "Red Square", "blue circle")
    for given in (seen, ("Red Square", "blue circle")):
        request = api.HubnessRequest(
            api.InputOptions(paths=(str(image_folder),)),
            api.ClassOptions(classes=CLASSES),
            api.ModelOptions(name=tiny_clip),
            truth=image_folder,
            seen=given,
        )
        with pytest.raises(
            ZslError,
            match="^the seen classes name 'Red Square', which is no class: the class 'red square'",
        ):
            api.hubness(request)


# --- c. HubnessRequest.seen takes the names, as EvaluateRequest.seen does -------------------------


@pytest.mark.parametrize(
    "names",
    [["red square", "blue circle"], ("blue circle", "red square"), {"red square", "blue circle"}],
    ids=["list", "tuple", "set"],
)
def test_hubness_takes_the_seen_classes_as_names_and_counts_them_as_a_list(
    tiny_clip, image_folder, names
):
    def accuracy(seen: object) -> dict:
        request = api.HubnessRequest(
            api.InputOptions(paths=(str(image_folder),)),
            api.ClassOptions(classes=CLASSES),
            api.ModelOptions(name=tiny_clip),
            k=1,
            methods=("none",),
            truth=image_folder,
            seen=seen,
        )
        return api.hubness(request).methods["none"].accuracy

    from_file = accuracy(seen_list(image_folder.parent, "red square", "blue circle"))
    assert "unseen_mean_per_class" in from_file
    assert accuracy(names) == from_file
    # Another split gives other numbers: the names are not ignored.
    assert accuracy(["green star"]) != from_file


def test_hubness_seen_names_are_kept_as_a_tuple_and_a_str_is_a_path(tmp_path):
    request = api.HubnessRequest(seen=["cat", "dog"])
    assert request.seen == ("cat", "dog")
    assert hash(request) == hash(api.HubnessRequest(seen=("cat", "dog")))
    assert api.HubnessRequest(seen=tmp_path / "seen.txt").seen == str(tmp_path / "seen.txt")
    assert api.HubnessRequest(seen="cat").seen == "cat"  # a path, never the names c, a, t


@pytest.mark.parametrize(
    ("seen", "error"),
    [
        ([], "^--seen: no class names given"),
        (["cat", 3], "^--seen: class names are strings, not int \\(seen\\[1\\]\\)"),
        ([b"cat"], "^--seen: class names are strings, not bytes \\(seen\\[0\\]\\)"),
        (b"seen.txt", "^--seen b'seen.txt': give a seen-class list's path or the class names"),
        (3, "^--seen 3: give a seen-class list's path or the class names"),
        ("s\0.txt", "^--seen 's\\\\x00.txt': no file name holds a NUL"),
    ],
    ids=["empty", "int name", "bytes name", "bytes", "int", "nul"],
)
def test_hubness_seen_that_is_neither_a_path_nor_names_is_refused_as_evaluate_s(seen, error):
    with pytest.raises(ZslError, match=error):
        api.HubnessRequest(seen=seen)
    with pytest.raises(ZslError, match=error):
        api.EvaluateRequest("p.csv", "truth", seen=seen)


def test_hubness_seen_names_still_need_a_truth():
    request = api.HubnessRequest(classes=api.ClassOptions(classes=CLASSES), seen=["red square"])
    with pytest.raises(ZslError, match="--seen needs --truth"):
        api.hubness(request)


# --- b. Excel's separator line, quoted ------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [('"sep=;"', ";"), ('"sep=,"\r', ","), ('"sep=\t"', "\t"), ('"sep="', None), ('"sep=a"', None)],
)
def test_excel_delimiter_reads_the_line_quoted_as_a_csv_writer_quotes_it(line, delimiter):
    assert excel_delimiter(line) == delimiter


def test_a_class_file_below_a_quoted_sep_line_is_its_classes(tmp_path):
    # The line was read as a class named '"sep=;"'.
    classes = tmp_path / "classes.txt"
    classes.write_text('"sep=;"\nred square\nblue circle\n')
    assert load_class_spec(classes).names == ["red square", "blue circle"]


def test_an_attribute_table_below_a_quoted_sep_line_is_split_by_it(tmp_path):
    table = tmp_path / "attributes.csv"
    table.write_text('"sep=;"\nclass;red;round\nred square;1;0\nblue circle;0;1\n')
    spec = load_class_spec(attributes=table)
    assert spec.names == ["red square", "blue circle"]
    assert spec.attributes is not None and spec.attributes.names == ("red", "round")


def test_label_reads_a_class_file_with_a_quoted_sep_line(tiny_clip, image_folder, tmp_path):
    classes = tmp_path / "quoted.txt"
    classes.write_text('"sep=;"\n' + "\n".join(CLASSES) + "\n")
    out = tmp_path / "p.jsonl"
    result = run("label", image_folder, "-c", classes, "-m", tiny_clip, "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    # The run chose among the classes below the line, as its run info records them.
    info = run_info_file(out)
    assert info is not None
    assert json.loads(info.read_text())["classes"]["names"] == CLASSES
