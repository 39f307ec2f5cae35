"""A truth CSV that names one image in two spellings, labels that differ only in how they are
written, and the rows and files a truth CSV's reader meets besides (a header again under other
names, a folder, a reserved label, UTF-16 text): one image counted once, or refused naming the
lines; never an image dropped or a class made of a header."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.evaluation_helpers import labelled_run, predicted, read_rows, touch, write_file
from tests.helpers import run
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth

NFC = "caf\u00e9"
NFD = "cafe\u0301"


def refusal(path: str) -> str:
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    message = refused.value.message
    assert "\n" not in message
    return message


def truth_csv(folder: Path, rows: list[str], name: str = "truth.csv") -> str:
    return write_file(folder / name, ("path,label\n" + "".join(f"{r}\n" for r in rows)).encode())


# --- One image, two spellings ------------------------------------------------------------------


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    for name in ("circle/a.png", "star/f.png"):
        touch(tmp_path / "photos" / name)
    return tmp_path / "photos"


def test_a_row_written_with_backslashes_is_the_image_its_slashes_name(tmp_path, photos):
    # It was a second truth image "without prediction", and its other label went unmentioned.
    path = truth_csv(tmp_path, ["photos/star/f.png,star", "photos/circle/a.png,circle"])
    Path(path).write_text(Path(path).read_text() + "photos\\star\\f.png,circle\n")
    message = refusal(path)
    assert message.startswith(f"{path}, line 4: photos\\star\\f.png names the image of line 2")
    assert "(photos/star/f.png), labelled 'circle' here and 'star' there; keep one" in message
    # With one label it is one image, whichever row comes first: the file's own path is kept.
    for rows in (
        ["photos\\star\\f.png,star", "photos/star/f.png,star"],
        ["photos/star/f.png,star", "photos\\star\\f.png,star"],
    ):
        truth = load_truth(truth_csv(tmp_path, rows))
        assert [(item.path, item.label) for item in truth.items] == [
            (str(photos / "star" / "f.png"), "star")
        ]


def test_a_row_through_a_folder_link_is_the_image_of_the_real_folder(tmp_path, photos):
    os.symlink("../circle", photos / "star" / "more")
    path = truth_csv(tmp_path, ["photos/circle/a.png,circle", "photos/star/more/a.png,star"])
    message = refusal(path)
    assert message.startswith(f"{path}, line 3: photos/star/more/a.png names the image of line 2")
    path = truth_csv(tmp_path, ["photos/circle/a.png,circle", "photos/star/more/a.png,circle"])
    assert read_rows(path) == [("photos/circle/a.png", "circle")]
    # A link to a file is a file of its own, as `zsl label` tells them apart.
    os.symlink("../circle/a.png", photos / "star" / "b.png")
    path = truth_csv(tmp_path, ["photos/circle/a.png,circle", "photos/star/b.png,star"])
    assert len(load_truth(path).items) == 2


def test_a_composed_row_and_a_decomposed_row_of_one_file_are_one_image(tmp_path):
    touch(tmp_path / "photos" / NFD / "x.png")
    path = truth_csv(
        tmp_path, [f"photos/{NFC}/x.png,{NFC}", "y.png,tea", f"photos/{NFD}/x.png,tea"]
    )
    assert refusal(path) == (
        f"{path}, line 4: photos/{NFD}/x.png names the image of line 2 (written with its accents "
        f"composed otherwise), labelled 'tea' here and '{NFC}' there; keep one label per image"
    )
    path = truth_csv(tmp_path, [f"photos/{NFC}/x.png,{NFC}", f"photos/{NFD}/x.png,{NFC}"])
    # The row naming the file here is kept: it pairs by its path.
    assert [item.path for item in load_truth(path).items] == [
        str(tmp_path / "photos" / NFD / "x.png")
    ]
    # Two files here, one of each spelling (Linux keeps them apart), are two images.
    touch(tmp_path / "photos" / NFC / "x.png")
    assert len(load_truth(path).items) == 2


@pytest.mark.parametrize("other", ["c:\\data\\photos\\star\\f.png", "C:/data/photos/star/f.png"])
def test_a_windows_path_in_another_drive_case_or_with_slashes_is_one_image(tmp_path, other):
    rows = ["C:\\data\\photos\\circle\\a.png,circle", "C:\\data\\photos\\star\\f.png,star"]
    path = truth_csv(tmp_path, [*rows, f"{other},star"])
    assert [item.label for item in load_truth(path).items] == ["circle", "star"]
    # The duplicate dropped the only misclassified image from the score (83.3% became 100%).
    result = evaluate(
        [predicted("photos/circle/a.png", "circle"), predicted("photos/star/f.png", "circle")],
        load_truth(path),
        ks=(1,),
    )
    assert result.n == 2
    assert result.unmatched.truth == 0
    path = truth_csv(tmp_path, [*rows, f"{other},circle"])
    assert refusal(path).startswith(f"{path}, line 4: {other} names the image of line 3")


# --- Labels written two ways -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"), [(NFC, NFD), ("ice tea", "ice\u00a0tea"), ("ice\u2009tea", "ice tea")]
)
def test_labels_that_differ_only_in_how_they_are_written_are_one_class(tmp_path, first, second):
    # Refused as "labelled 'café' here and 'café' earlier": two labels that print alike.
    path = truth_csv(tmp_path, [f"x.png,{first}", f"x.png,{second}"])
    assert read_rows(path) == [("x.png", first)]


def test_labels_that_look_alike_but_differ_are_shown_by_code_point(tmp_path):
    path = truth_csv(tmp_path, ["x.png,cat", "x.png,\u0441at"])  # a Cyrillic es
    message = refusal(path)
    assert message.startswith(f"{path}, line 3: x.png is labelled '\u0441at' here and 'cat' on")
    assert "U+0441 CYRILLIC SMALL LETTER ES" in message
    assert "U+0063 LATIN SMALL LETTER C" in message


def test_labels_that_print_apart_are_not_spelled_out(tmp_path):
    message = refusal(truth_csv(tmp_path, ["x.png,cat", "x.png,dog"]))
    assert message.endswith(
        "line 3: x.png is labelled 'dog' here and 'cat' on line 2; keep one label per image"
    )


# --- Reserved labels, folders, headers again, delimiters, UTF-16 -------------------------------


def test_a_reserved_truth_label_names_its_line_and_says_to_leave_such_rows_out(tmp_path):
    a, b = touch(tmp_path / "a.png"), touch(tmp_path / "b.png")
    path = truth_csv(tmp_path, ["a.png,circle", "b.png,unknown", "c.png,unknown"])
    predictions = labelled_run(
        tmp_path / "p.jsonl", [(Path(a), "circle"), (Path(b), "circle")], ["circle", "square"]
    )
    result = run("evaluate", predictions, "--truth", path)
    assert result.exit_code == 2
    error = result.stderr.strip()
    assert f"{path}, line 3: the label 'unknown' is a reserved name" in error
    assert "leave those 2 rows out" in error
    assert "rename" not in error


def test_a_row_naming_a_folder_says_so(tmp_path, photos):
    path = truth_csv(tmp_path, ["photos/circle,circle", "photos/star,star"])
    message = refusal(path)
    assert message == (
        f"{path}, line 2: photos/circle is a folder: give a row per image, or --truth "
        f"{photos}, a folder of class sub-folders"
    )


@pytest.mark.parametrize(
    "again", ["filename,class", "File Name , Category", '"image","label"', "IMAGE_PATH,class_name"]
)
def test_a_header_under_other_names_below_the_rows_is_skipped(tmp_path, again):
    # `cat` of two exports: the second header became an image 'filename' of a class 'class'.
    path = truth_csv(tmp_path, ["a.png,circle", again, "b.png,square"])
    assert read_rows(path) == [("a.png", "circle"), ("b.png", "square")]
    # With more columns too, where the others are the header's own.
    content = f"id,path,label\n1,a.png,circle\nid,{again}\n2,b.png,square\n".encode()
    path = write_file(tmp_path / "wide.csv", content)
    assert read_rows(path) == [("a.png", "circle"), ("b.png", "square")]


@pytest.mark.parametrize(
    ("content", "columns"),
    [
        (b"img;label\na.png;circle\n", "img, label"),
        (b"Dateiname;Klasse\na.png;circle\n", "Dateiname, Klasse"),
        (b"img\tlabel\na.png\tcircle\n", "img, label"),
    ],
)
def test_a_semicolon_truth_csv_whose_columns_are_unknown_is_not_told_to_use_commas(
    tmp_path, content, columns
):
    # Saved with commas it is refused just the same: the column name is the problem.
    message = refusal(write_file(tmp_path / "t.csv", content))
    assert "save it with commas" not in message
    assert f"(its columns, {columns}, are read: name them as above)" in message


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("path,label\r\na.png,circle\r\nb.png,square\r\n", "utf-16"),  # PowerShell's `>`
        ("path\tlabel\r\na.png\tcircle\r\nb.png\tsquare\r\n", "utf-16"),  # Excel's Unicode Text
        ("path,label\na.png,circle\nb.png,square\n", "utf-16-be"),
    ],
)
def test_a_utf16_truth_csv_is_read_as_utf16_predictions_are(tmp_path, text, encoding):
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = write_file(tmp_path / "t.csv", data)
    assert read_rows(path) == [("a.png", "circle"), ("b.png", "square")]


def test_a_large_utf16_truth_csv_is_read_whole(tmp_path):
    # Text is read up to its first block holding a NUL byte, which UTF-16's first block holds.
    rows = "".join(f"images/{i:07d}.png,circle\n" for i in range(60_000))
    path = write_file(tmp_path / "t.csv", f"path,label\n{rows}".encode("utf-16"))
    assert len(load_truth(path).items) == 60_000


def test_utf16_text_that_holds_nul_or_is_cut_is_refused(tmp_path):
    path = write_file(tmp_path / "t.csv", "path,label\na\0.png,x\n".encode("utf-16"))
    assert re.search("not UTF-8 text \\(UTF-16 or binary\\)", refusal(path))
    path = write_file(tmp_path / "u.csv", "path,label\na.png,x\n".encode("utf-16")[:-1])
    assert "UTF-16" in refusal(path)
