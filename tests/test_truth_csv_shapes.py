"""Truth CSVs whose shape the column names alone do not tell: a one-hot table whose class is
named as a column zsl looks for (`Label`, `path`, `image`), a properly quoted path that holds a
line break, a path with a space at an end. Read as what they are, or refused naming the cause."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from tests.evaluation_helpers import read_rows, write_file
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def predicted(path: str, label: str) -> Prediction:
    return Prediction(path=path, label=label, score=0.9, top_k=(LabelScore(label, 0.9),))


def refusal(path: str) -> str:
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    message = refused.value.message
    assert "\n" not in message
    return message


# --- 1. One-hot tables whose classes are named as the columns zsl looks for -------------------


@pytest.mark.parametrize(
    ("path_column", "classes"),
    [
        (path_column, classes)
        for path_column in ("filename", "image_path", "Path")
        for classes in (
            ["Label", "Logo", "Text"],  # a document-element classifier
            ["cat", "CLASS"],
            ["category", "dog"],
            ["grass", "path", "road"],  # terrain: a class named as the path column
            ["IMAGE", "text"],
            ["file", "folder"],
            ["label", "path", "x"],
        )
        if path_column.lower() not in (name.lower() for name in classes)
    ],
)
def test_a_one_hot_truth_whose_class_is_named_as_a_column_reads_as_one_hot(
    tmp_path, path_column, classes
):
    # `Label` was read as the label column (every image labelled 0 or 1, and the evaluation
    # blamed class indices); `path` as the path column, the header then refused as lacking one.
    rows = [path_column + ", " + ", ".join(classes)]
    expected = []
    for index in range(len(classes) + 2):
        marked = index % len(classes)
        cells = ["1" if column == marked else "0" for column in range(len(classes))]
        rows.append(f"{index}.png, " + ", ".join(cells))
        expected.append((f"{index}.png", classes[marked]))
    path = write_file(tmp_path / "_classes.csv", ("\n".join(rows) + "\n").encode())
    assert read_rows(path) == expected
    assert load_truth(path).classes == tuple(sorted(classes))


def test_a_one_hot_truth_with_a_label_class_scores_the_images_by_their_classes(tmp_path):
    for name in ("1.png", "2.png", "3.png"):
        (tmp_path / name).write_bytes(b"x")
    content = b"filename,Label,Logo,Text\n1.png,1,0,0\n2.png,0,1,0\n3.png,0,0,1\n"
    truth = load_truth(write_file(tmp_path / "_classes.csv", content))
    predictions = [
        predicted(os.fspath(tmp_path / "1.png"), "Label"),
        predicted(os.fspath(tmp_path / "2.png"), "Logo"),
        predicted(os.fspath(tmp_path / "3.png"), "Logo"),
    ]
    result = evaluate(predictions, truth, ks=(1,), class_names=["Label", "Logo", "Text"])
    assert result.n == 3
    assert result.metrics.top_k[0].mean_per_class == pytest.approx(2 / 3)


def test_a_one_hot_truth_led_by_pandas_index_and_a_class_named_class_reads_as_one_hot(tmp_path):
    content = b",filename,class,other\n0,a.jpg,True,False\n1,b.jpg,False,True\n"
    assert read_rows(write_file(tmp_path / "_classes.csv", content)) == [
        ("a.jpg", "class"),
        ("b.jpg", "other"),
    ]


@pytest.mark.parametrize(
    ("content", "rows"),
    [
        # A path,label table of 0/1 labels: one column beside the path is no one-hot table.
        (b"path,label\na.jpg,1\nb.jpg,0\n", [("a.jpg", "1"), ("b.jpg", "0")]),
        # Another 0/1 column beside the labels on the first row only: an id column.
        (
            b"id,path,label\n0,a.jpg,1\n1,b.jpg,0\n2,c.jpg,dog\n",
            [("a.jpg", "1"), ("b.jpg", "0"), ("c.jpg", "dog")],
        ),
        # A label column of names.
        (b"filename,label,flag\na.jpg,cat,0\nb.jpg,dog,1\n", [("a.jpg", "cat"), ("b.jpg", "dog")]),
    ],
)
def test_a_path_label_truth_with_0_or_1_cells_still_reads_its_label_column(tmp_path, content, rows):
    assert read_rows(write_file(tmp_path / "truth.csv", content)) == rows


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            b"a.jpg,1,0,0\nb.jpg,0,0,0\n",
            "line 3: no class is marked 1; mark the image's class (read as a one-hot table, a "
            "0/1 column per class, as on line 2 every column but 'filename' holds 0 or 1: the "
            "column 'Label' is a class's, not the label column; for a table of path and label, "
            "keep only those two columns)",
        ),
        (
            b"a.jpg,0,0,0\n",
            "line 2: no class is marked 1; mark the image's class (read as a one-hot table",
        ),
        (
            b"a.jpg,1,0,0\nb.jpg,1,1,0\n",
            "line 3: 2 classes are marked 1 (Label, Logo): a multi-label table, which evaluate "
            "does not score (it takes one class per image) (read as a one-hot table",
        ),
    ],
)
def test_a_one_hot_truth_with_a_label_class_names_it_in_a_row_s_refusal(tmp_path, rows, message):
    path = write_file(tmp_path / "_classes.csv", b"filename,Label,Logo,Text\n" + rows)
    assert message in refusal(path)


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        # The header has a path column: it was said to lack one.
        (
            b"filename,grass,path,road\n",
            b"a.jpg,1,0,0\nb.jpg,0,yes,0\n",
            "line 3: 'yes' in the column 'path', where a table of a 0/1 column per class holds "
            "0 or 1 (or 0.0 and 1.0, or False and True) (the table looks one-hot, a 0/1 column "
            "per class, as on line 2 every column but 'filename' holds 0 or 1: the column "
            "'path' is a class's, not the path column)",
        ),
        # Two path columns, said to need a rename of the class.
        (
            b"filename,IMAGE,text\n",
            b"a.jpg,1,0\nb.jpg,0,2\n",
            "line 3: '2' in the column 'text', where a table of a 0/1 column per class holds",
        ),
        # A label column that would read as 0/1 labels had the others not been 0/1 too.
        (
            b"filename,Label,Logo,Text\n",
            b"a.jpg,1,0,0\nb.jpg,0,1,0\nc.jpg,0,0,x\n",
            "line 4: 'x' in the column 'Text', where a table of a 0/1 column per class holds 0 "
            "or 1 (or 0.0 and 1.0, or False and True) (the table looks one-hot, a 0/1 column per "
            "class, as on line 2 every column but 'filename' holds 0 or 1: the column 'Label' "
            "is a class's, not the label column; for a table of path and label, keep only "
            "those two columns)",
        ),
    ],
)
def test_a_one_hot_looking_truth_with_a_class_named_as_a_column_is_refused_as_one_hot(
    tmp_path, header, rows, message
):
    assert message in refusal(write_file(tmp_path / "_classes.csv", header + rows))


def test_a_path_label_truth_of_0_1_labels_beside_an_id_column_says_how_to_read_it(tmp_path):
    # Ids 0 and 1, then 2: no one-hot table, but the labels 0 and 1 are no class names either.
    content = b"id,path,label\n0,a.jpg,1\n1,b.jpg,0\n2,c.jpg,1\n"
    assert refusal(write_file(tmp_path / "truth.csv", content)).endswith(
        "line 4: '2' in the column 'id', where a table of a 0/1 column per class holds 0 or 1 "
        "(or 0.0 and 1.0, or False and True) (the table looks one-hot, a 0/1 column per class, "
        "as on line 2 every column but 'path' holds 0 or 1: the column 'label' is a class's, "
        "not the label column; for a table of path and label, keep only those two columns)"
    )


def test_a_path_label_truth_whose_label_column_breaks_the_one_hot_shape_reads_as_before(tmp_path):
    # The cell that is not 0/1 is the label column's: a table of labels, whatever its first row.
    content = b"filename,label,flag\na.jpg,1,0\nb.jpg,dog,0\n"
    assert read_rows(write_file(tmp_path / "truth.csv", content)) == [
        ("a.jpg", "1"),
        ("b.jpg", "dog"),
    ]


# --- 2. A properly quoted path holding a line break; paths with spaces at their ends ---------


def csv_writer_truth(path: Path, rows: list[list[str]]) -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"])
        writer.writerows(rows)
    return os.fspath(path)


@pytest.mark.parametrize("name", ["img1\nx.png", "img\r\n2.png", "a\rb.png", 'x,\n"y".png'])
def test_a_quoted_path_holding_a_line_break_is_read_as_the_path(tmp_path, name):
    # csv.writer quotes such a file name; it was refused as "a quote left open".
    rows = [["cat/a.png", "cat"], ["cat/" + name, "cat"], ["dog/b.png", "dog"]]
    path = csv_writer_truth(tmp_path / "truth.csv", rows)
    assert read_rows(path) == [(cell, label) for cell, label in rows]


def test_a_truth_with_a_path_holding_a_line_break_scores_that_image(tmp_path):
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "img1\nx.png").write_bytes(b"x")
    (tmp_path / "cat" / "a.png").write_bytes(b"x")
    path = csv_writer_truth(
        tmp_path / "truth.csv", [["cat/img1\nx.png", "cat"], ["cat/a.png", "cat"]]
    )
    predictions = [
        predicted(os.fspath(tmp_path / "cat" / "img1\nx.png"), "cat"),
        predicted(os.fspath(tmp_path / "cat" / "a.png"), "dog"),
    ]
    result = evaluate(predictions, load_truth(path), ks=(1,))
    assert result.n == 2 and result.unmatched.predictions == 0
    assert result.metrics.top_k[0].mean_per_class == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A quote left open still swallows no row: told at its line, as before.
        (
            b'path,label\n"a.jpg,cat\nb.jpg,dog\n"c.jpg",fox\n',
            "line 2: a quoted cell runs on to line 4",
        ),
        (
            b'path,label\n"a.jpg,cat\nb.jpg,dog\nc.jpg,fox\n',
            "line 2: a quoted cell runs on to line 4",
        ),
        (b'path,label\na.jpg,cat\n"b.jpg,dog\n', "line 3: a quoted cell runs on to the end"),
        (b'path,label\n"a.jpg,cat\n"b.jpg",dog\n', "line 2: a quoted cell runs on to line 3"),
    ],
)
def test_a_quote_left_open_is_still_refused_at_its_line(tmp_path, text, message):
    assert message in refusal(write_file(tmp_path / "truth.csv", text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            b'path,label\na.jpg,"cat\ndog"\n',
            "line 2: the label holds a line break, which only a path may hold",
        ),
        (
            b'filename,cat,dog\na.jpg,"1\n",0\n',
            "line 2: the cell in the column 'cat' holds a line break",
        ),
        (b'"path\n",label\na.jpg,cat\n', "line 1: the column name 'path\\n' holds a line break"),
    ],
)
def test_a_quoted_line_break_outside_the_path_column_is_said_to_be_one(tmp_path, text, message):
    # Properly quoted: not a quote left open, but no class name (nor column) holds a line break.
    refused = refusal(write_file(tmp_path / "truth.csv", text))
    assert message in refused and "closing quote" not in refused


def test_a_path_with_a_space_at_an_end_is_read_as_written_where_that_file_is(tmp_path):
    # Cells were stripped: ' ' was refused as an empty path, 'b.png ' read as 'b.png'. A space
    # that starts a cell unquoted goes with the reader's (`a.jpg, "cat, siamese"`).
    for name in (" ", " a.png", "b.png "):
        (tmp_path / name).write_bytes(b"x")
    content = b'path,label\n" ",cat\n" a.png",cat\nb.png ,dog\n" c.png ",dog\n'
    path = write_file(tmp_path / "truth.csv", content)
    assert read_rows(path) == [(" ", "cat"), (" a.png", "cat"), ("b.png ", "dog"), ("c.png", "dog")]
