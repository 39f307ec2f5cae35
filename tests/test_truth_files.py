"""Ground-truth files as datasets, spreadsheets, pandas and other runs leave them: read right, or
refused in one line that says what the file looks like; never read into wrong metrics."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.evaluation_helpers import label_folder, read_rows, write_file
from tests.helpers import run
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


@pytest.mark.parametrize(
    ("hot", "cold"),
    [
        ("1.0", "0.0"),  # pandas, after the 0/1 columns became floats (a NaN among them)
        ("True", "False"),  # pandas' get_dummies (bool columns since pandas 2)
        ("TRUE", "FALSE"),  # a spreadsheet's booleans
        ("1.00", "0"),  # formatted by hand or by a spreadsheet, mixed with plain ones
    ],
)
def test_a_one_hot_truth_written_as_floats_or_booleans_reads_as_0_and_1(tmp_path, hot, cold):
    # Only 0 and 1 were read: '1.0' in every cell made the table a header without a label column.
    content = f"filename,cat,dog\na.jpg,{hot},{cold}\nb.jpg,{cold},{hot}\n".encode()
    path = write_file(tmp_path / "_classes.csv", content)
    assert read_rows(path) == [("a.jpg", "cat"), ("b.jpg", "dog")]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (b"a.jpg,1.0,0.0\nb.jpg,0.5,0.5\n", "line 3: '0.5' in the column 'cat'"),
        (b"a.jpg,1.0,0.0\nb.jpg,2.0,0\n", "line 3: '2.0' in the column 'cat'"),
        (b"a.jpg,1.0,0.0\nb.jpg,nan,1\n", "line 3: 'nan' in the column 'cat'"),
        (b"a.jpg,True,False\nb.jpg,True,True\n", "line 3: 2 classes are marked"),
        (b"a.jpg,False,False\n", "line 2: no class is marked"),
    ],
)
def test_a_one_hot_truth_of_floats_or_booleans_is_checked_as_one_of_0_and_1(
    tmp_path, rows, message
):
    path = write_file(tmp_path / "_classes.csv", b"filename,cat,dog\n" + rows)
    with pytest.raises(ZslError, match=re.escape(message)):
        load_truth(path)


def test_a_wide_one_hot_truth_reads_each_row_s_header_names_only_where_its_path_is_one(
    tmp_path, monkeypatch
):
    # Looking for a repeated header, every cell of every row went through header_name: a
    # 10,000 x 1,000 table took 5 to 9 times as long to read.
    from zsl_cli import evaluation

    classes = [f"c{i}" for i in range(200)]
    rows = [
        f"img{r}.jpg," + ",".join("1" if i == r else "0" for i in range(200)) for r in range(51)
    ]
    header = "filename," + ",".join(classes)
    table = [header, *rows[:50], header, rows[50]]  # two files joined with cat
    path = write_file(tmp_path / "_classes.csv", "\n".join(table).encode())
    calls = 0
    column_name = evaluation.header_name

    def counted(name: str) -> str:
        nonlocal calls
        calls += 1
        return column_name(name)

    monkeypatch.setattr(evaluation, "header_name", counted)
    truth = read_rows(path)
    assert len(truth) == 51 and truth[0] == ("img0.jpg", "c0") and truth[-1] == ("img50.jpg", "c50")
    # The header twice (once as read, once as repeated), one path cell a row.
    assert calls <= 2 * 201 + 52


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_a_one_hot_truth_separated_by_tabs_or_semicolons_is_read_by_its_header(tmp_path, delimiter):
    # Only a path,label header told the delimiter: a one-hot TSV was refused as one cell.
    rows = [["filename", "cat", "dog"], ["a,1.jpg", "1", "0"], ["b.jpg", "0", "1"]]
    content = "".join(delimiter.join(row) + "\r\n" for row in rows).encode()
    path = write_file(tmp_path / "_classes.tsv", content)
    assert read_rows(path) == [("a,1.jpg", "cat"), ("b.jpg", "dog")]


def test_a_quoted_cell_after_a_comma_and_a_space_is_one_cell(tmp_path):
    # `a.jpg, "cat, siamese"` (written by hand, as Roboflow spaces its header) split the quoted
    # name in two, and the row was refused for more cells than the header.
    path = write_file(
        tmp_path / "truth.csv", b'path, label\na.jpg, "cat, siamese"\n"b, 1.jpg" , dog\n'
    )
    assert read_rows(path) == [("a.jpg", "cat, siamese"), ("b, 1.jpg", "dog")]


def test_imagenet_s_solution_csv_is_said_to_hold_ids_and_boxes(tmp_path):
    # LOC_val_solution.csv: an id without the file's extension, a synset and its boxes.
    path = write_file(
        tmp_path / "LOC_val_solution.csv",
        b"ImageId,PredictionString\n"
        b"ILSVRC2012_val_00008726,n02119789 255 142 454 329 n02119789 44 21 322 295 \n",
    )
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    message = refused.value.message
    assert "LOC_val_solution.csv" in message and "\n" not in message
    assert "ImageNet's localisation solution (ImageId,PredictionString)" in message
    assert "path,label CSV" in message


def predicted(path: str, label: str) -> Prediction:
    return Prediction(path=path, label=label, score=0.9, top_k=(LabelScore(label, 0.9),))


def test_truth_labels_that_are_all_class_numbers_are_said_to_be_numbers(tmp_path):
    # A CIFAR-style path,label CSV of class indices: no label is a class name, every image
    # counts wrong, and the warning said only that the names did not match.
    (tmp_path / "a.png").write_bytes(b"x")
    (tmp_path / "b.png").write_bytes(b"x")
    truth = load_truth(write_file(tmp_path / "truth.csv", b"path,label\na.png,0\nb.png,1\n"))
    predictions = [predicted(os.fspath(tmp_path / "a.png"), "cat")]
    predictions.append(predicted(os.fspath(tmp_path / "b.png"), "dog"))
    # With the run info's classes, none of which the truth names: refused (it scored 0%).
    with pytest.raises(
        ZslError, match=re.escape("the truth's labels are numbers (class indices?)")
    ):
        evaluate(predictions, truth, ks=(1,), class_names=["cat", "dog"])
    result = evaluate(predictions, truth, ks=(1,))  # no run info: the classes ranked
    (warning,) = result.warnings
    assert "the truth's labels are numbers (class indices?)" in warning


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_another_run_s_predictions_given_as_the_truth_are_said_to_be_predictions(
    tiny_clip,
    image_folder,  # noqa: F811
    tmp_path,
    fmt,
):
    # A predictions CSV has path and label columns: read as the truth, it scored the other
    # run's labels as if true (100% against a copy of itself), without a word.
    predictions = label_folder(image_folder, tiny_clip, tmp_path / f"p.{fmt}")
    other = tmp_path / f"other.{fmt}"
    shutil.copyfile(predictions, other)
    result = run("evaluate", predictions, "--truth", other)
    assert result.exit_code == 2, result.stdout
    message = result.stderr.strip()
    assert message.count("\n") == 0
    assert f"other.{fmt} looks like zsl predictions" in message
    assert "give the ground truth: a folder of class sub-folders or a CSV of path,label" in message


@pytest.mark.parametrize(
    ("content", "columns"),
    [
        # Reordered and separated by semicolons in a spreadsheet, a reviewer's column added.
        (
            b"\xef\xbb\xbfnotes;path;label;top_k_labels;top_k_scores;score;status;error\r\n"
            b";a.jpg;cat;cat|dog;0,9|0,1;0,9;ok;\r\n",
            "top_k_labels, top_k_scores, score, status",
        ),
        # pandas' to_json(orient="records", lines=True) of a predictions CSV.
        (
            b'{"path":"a.jpg","label":"cat","score":0.9,"top_k_labels":"cat",'
            b'"top_k_scores":"0.9","status":"ok","error":null}\n',
            "top_k_labels, top_k_scores, score, status",
        ),
        # A JSON list of records (df.to_json(orient="records")) of zsl's JSON Lines.
        (
            b'[{"path":"a.jpg","label":"cat","score":0.9,"top_k":[],"status":"ok","error":""}]',
            "top_k, score, status",
        ),
    ],
)
def test_predictions_edited_or_converted_are_said_to_be_predictions(tmp_path, content, columns):
    path = write_file(tmp_path / "truth.txt", content)
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    assert f"truth.txt looks like zsl predictions (it has {columns}" in refused.value.message


@pytest.mark.parametrize(
    "content",
    [
        b"path,label,score\na.jpg,cat,5\n",  # a rating beside the label: no prediction column
        b"path,label,status\na.jpg,cat,checked\n",
        b"path,label,error\na.jpg,cat,\n",
    ],
)
def test_a_truth_csv_with_one_column_named_as_zsl_s_is_still_truth(tmp_path, content):
    assert read_rows(write_file(tmp_path / "truth.csv", content)) == [("a.jpg", "cat")]


def test_a_header_repeated_below_by_joined_files_is_no_image(tmp_path):
    # `cat train.csv val.csv > all.csv` repeats the header: it was an image named 'path' of a
    # class 'label', one more truth image without a prediction and one more class.
    path = write_file(tmp_path / "all.csv", b"Path,Label\na.jpg,cat\nPath,Label\nb.jpg,dog\n")
    truth = load_truth(path)
    assert [(item.shown, item.label) for item in truth.items] == [
        ("a.jpg", "cat"),
        ("b.jpg", "dog"),
    ]
    assert truth.classes == ("cat", "dog")


def test_a_one_hot_truth_led_by_pandas_index_column_reads_without_it(tmp_path):
    # df.to_csv() without index=False: an unnamed first column of row numbers, 0 in the first
    # row; its empty name made the table no one-hot one, refused for its header.
    content = b",filename,cat,dog\n0,a.jpg,True,False\n1,b.jpg,False,True\n"
    path = write_file(tmp_path / "_classes.csv", content)
    assert read_rows(path) == [("a.jpg", "cat"), ("b.jpg", "dog")]
    assert load_truth(path).classes == ("cat", "dog")


def test_one_hot_columns_named_with_a_prefix_are_said_to_be_so(tmp_path):
    # pd.get_dummies(df, columns=["label"]) names its columns label_cat, label_dog: every image
    # counted wrong, and the warning said only that the names did not match.
    (tmp_path / "a.png").write_bytes(b"x")
    (tmp_path / "b.png").write_bytes(b"x")
    content = b"path,label_cat,label_dog\na.png,True,False\nb.png,False,True\n"
    truth = load_truth(write_file(tmp_path / "truth.csv", content))
    predictions = [predicted(os.fspath(tmp_path / "a.png"), "cat")]
    predictions.append(predicted(os.fspath(tmp_path / "b.png"), "dog"))
    hint = "(the truth's classes are the class names after 'label_': rename them)"
    (warning,) = evaluate(predictions, truth, ks=(1,)).warnings
    assert warning.endswith(hint)
    # With the run info's classes, none of which the truth names: refused (it scored 0%).
    with pytest.raises(ZslError) as refused:
        evaluate(predictions, truth, ks=(1,), class_names=["cat", "dog"])
    assert refused.value.message.endswith(hint)


def test_a_label_studio_csv_export_is_sent_to_the_json_export(tmp_path):
    # Renaming its Choices column to label, as the hint said, still failed for a task annotated
    # twice or not at all; the JSON exports are read as ground truth.
    path = write_file(
        tmp_path / "project-1-at-2026-12-05.csv",
        b"image,id,choice,annotator,annotation_id,created_at,updated_at,lead_time\n"
        b"/data/local-files/?d=photos/a.jpg,1,cat,1,1,2026-12-05,2026-12-05,3.5\n",
    )
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    assert refused.value.message.endswith(
        "(a Label Studio CSV export: export the project as JSON or JSON_MIN and give that as "
        "--truth)"
    )


def test_a_one_hot_truth_saved_with_a_decimal_comma_reads_as_0_and_1(tmp_path):
    # Excel where the decimal mark is ',' saves 1.0 as 1,0, and separates cells with ';'.
    content = b"filename;cat;dog\r\na.jpg;1,0;0,0\r\nb.jpg;0,0;1,0\r\n"
    assert read_rows(write_file(tmp_path / "_classes.csv", content)) == [
        ("a.jpg", "cat"),
        ("b.jpg", "dog"),
    ]


def test_a_header_repeated_with_its_byte_order_mark_is_no_image_either(tmp_path):
    # `cat a.csv b.csv` of two "CSV UTF-8" files: the second header keeps its BOM.
    path = write_file(
        tmp_path / "all.csv",
        b"\xef\xbb\xbfpath,label\na.jpg,cat\n\xef\xbb\xbfpath,label\nb.jpg,dog\n",
    )
    assert read_rows(path) == [("a.jpg", "cat"), ("b.jpg", "dog")]


def test_a_truth_label_holding_the_ranking_separator_is_refused(tmp_path):
    # No class name holds '|': `cat|dog` is several labels (a multi-label CSV, or a ranking
    # pasted in), and it could only ever count wrong.
    path = write_file(tmp_path / "truth.csv", b"path,label\na.jpg,cat\nb.jpg,cat|dog\n")
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    assert refused.value.message == (
        "truth.csv, line 3: the label 'cat|dog' holds '|', which no class name holds (several "
        "labels? evaluate takes one class per image)"
    ).replace("truth.csv", path)


def test_truth_labels_written_as_float_class_numbers_are_said_to_be_numbers(tmp_path):
    (tmp_path / "a.png").write_bytes(b"x")
    truth = load_truth(write_file(tmp_path / "truth.csv", b"path,label\na.png,3.0\n"))
    (warning,) = evaluate([predicted(os.fspath(tmp_path / "a.png"), "cat")], truth).warnings
    assert "the truth's labels are numbers (class indices?)" in warning


def test_truth_paths_without_an_extension_are_said_to_be_no_file_names(tmp_path):
    # Ids (ImageNet's ImageId, a Kaggle id column named image): no prediction's path ends so.
    (tmp_path / "a.png").write_bytes(b"x")
    truth = load_truth(write_file(tmp_path / "truth.csv", b"image,label\na,cat\n"))
    with pytest.raises(ZslError) as refused:
        evaluate([predicted(os.fspath(tmp_path / "a.png"), "cat")], truth)
    message = refused.value.message
    assert "(the truth's paths have no file extension: ids, not file names?)" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("truth.csv", b"path,label\nset/cat/0.png,cat\n"),
        ("_classes.csv", b"filename,cat,dog\nset/cat/0.png,1,0\n"),
        ("truth.jsonl", b'{"path": "set/cat/0.png", "label": "cat"}\n'),
        # A header that evaluate reads as a truth's (file_name, class): told so too.
        ("named.csv", b"File Name,Class\nset/cat/0.png,cat\n"),
    ],
)
def test_ground_truth_given_as_the_predictions_is_said_to_look_like_truth(
    image_folder,  # noqa: F811
    tmp_path,
    name,
    content,
):
    # `zsl evaluate truth.csv --truth set/`, the two swapped: the header was said to lack
    # zsl's columns, with no word of what the file looked like.
    given = write_file(tmp_path / name, content)
    result = run("evaluate", given, "--truth", image_folder)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1
    assert (
        "(it has no score, ranking or status: ground truth? give that as --truth, and first "
        "the predictions 'zsl label' wrote" in result.stderr
    )


def test_a_truth_csv_in_a_legacy_code_page_that_matches_nothing_says_so(tmp_path):
    # Excel's "CSV (Comma delimited)" on Windows saves café in Windows-1252: read as the bytes
    # of a file name, it names caf\xe9/a.png, and the message showed only the two paths. (A
    # label so saved is refused on reading: class names are UTF-8 text.)
    image = tmp_path / "café" / "a.png"
    image.parent.mkdir()
    image.write_bytes(b"x")
    truth = load_truth(write_file(tmp_path / "truth.csv", b"path,label\ncaf\xe9/a.png,cat\n"))
    with pytest.raises(ZslError) as refused:
        evaluate([predicted(os.fspath(image), "cat")], truth)
    assert refused.value.message.endswith(
        "(some of the truth's paths are not UTF-8: save the CSV as UTF-8)"
    )


def test_truth_classes_that_are_wordnet_ids_are_said_to_need_prompts(tmp_path):
    # ImageNet's class folders are WordNet ids (n01440764), its classes.txt names (tench):
    # every image counted wrong, and the warning said only that the names did not match.
    predictions = [
        predicted(touch(tmp_path / "val" / "n01440764" / "a.JPEG"), "tench"),
        predicted(touch(tmp_path / "val" / "n01443537" / "b.JPEG"), "goldfish"),
    ]
    hint = (
        "(the truth's classes are WordNet ids, as ImageNet's folders are named: name the "
        "classes so, each with its prompts, such as 'n01440764: a photo of a tench.')"
    )
    truth = load_truth(tmp_path / "val")
    (warning,) = evaluate(predictions, truth, ks=(1,)).warnings
    assert warning.endswith(hint)
    # With the run info's classes, none of which the truth names: refused (it scored 0%).
    with pytest.raises(ZslError) as refused:
        evaluate(predictions, truth, ks=(1,), class_names=["tench", "goldfish"])
    assert refused.value.message.endswith(hint)


def touch(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return os.fspath(path)


def _photos(root: Path) -> list[Prediction]:
    """Three images under `root`, named with a space and an accent, each predicted as its folder."""
    predictions = []
    for relative in ("my cats/a b.png", "dog/c.png", "café/d.png"):
        path = write_file(root / relative, b"x")
        predictions.append(predicted(path, relative.split("/")[0]))
    return predictions


def _truth_csv(path: Path, cells: list[str]) -> str:
    labels = ("my cats", "dog", "café")
    rows = "".join(f"{cell},{label}\n" for cell, label in zip(cells, labels, strict=True))
    return write_file(path, f"path,label\n{rows}".encode())


def _all_paired(result) -> bool:
    unmatched = result.unmatched
    return result.n == 3 and unmatched.predictions == unmatched.truth == 0


@pytest.mark.parametrize("host", ["", "localhost"])
def test_a_truth_csv_of_file_urls_matches_the_files_they_name(tmp_path, host):
    # file:///home/u/my%20cats/a%20b.png, as a browser, a file manager's "copy link" or
    # Path.as_uri() writes it: no prediction matched, the URL read as a relative path.
    predictions = _photos(tmp_path / "photos")
    cells = [f"file://{host}{Path(p.path).as_uri().removeprefix('file://')}" for p in predictions]
    assert "%20" in cells[0] and "%C3%A9" in cells[2]
    truth = load_truth(_truth_csv(tmp_path / "elsewhere" / "truth.csv", cells))
    result = evaluate(predictions, truth)
    assert _all_paired(result) and result.unmatched.matched_by_relative_path == 0
    assert result.top_mistakes() == []
    # Unencoded, as written by hand.
    cells = [f"file://{p.path}" for p in predictions]
    truth = load_truth(_truth_csv(tmp_path / "elsewhere" / "plain.csv", cells))
    assert _all_paired(evaluate(predictions, truth))


def test_a_file_url_of_another_machine_s_drive_matches_as_its_windows_path_does(
    tmp_path, monkeypatch
):
    # file:///C:/Users/u/photos/dog/c.png: C:\Users\u\photos\dog\c.png, written on Windows; it
    # ends with the relative path a prediction names, and with no other.
    monkeypatch.chdir(tmp_path)
    _photos(tmp_path / "photos")
    predictions = [
        predicted(os.path.join("photos", "my cats", "a b.png"), "my cats"),
        predicted(os.path.join("photos", "dog", "c.png"), "dog"),
        predicted(os.path.join("photos", "café", "d.png"), "café"),
    ]
    cells = [
        "file:///C:/Users/u/photos/my%20cats/a%20b.png",
        "file:///C:/Users/u/photos/dog/c.png",
        "file:///C:/Users/u/photos/caf%C3%A9/d.png",
    ]
    truth = load_truth(_truth_csv(tmp_path / "elsewhere" / "truth.csv", cells))
    assert [item.relative for item in truth.items] == [(), (), ()]
    assert _all_paired(evaluate(predictions, truth))


@pytest.mark.parametrize(
    "prefix",
    [
        "/data/local-files/?d=",  # as zsl's --format label-studio writes it
        "http://localhost:8080/data/local-files/?d=",  # as a Label Studio export may
    ],
)
def test_label_studio_local_file_urls_match_by_the_path_under_the_document_root(tmp_path, prefix):
    # A Label Studio CSV export's image column: the path under the server's document root,
    # percent-encoded after '?d='. Read as a path, no prediction ended with it.
    predictions = _photos(tmp_path / "root" / "photos")
    cells = [
        prefix + quote(os.path.relpath(p.path, tmp_path / "root"), safe="/") for p in predictions
    ]
    truth = load_truth(_truth_csv(tmp_path / "export.csv", cells))
    result = evaluate(predictions, truth)
    assert _all_paired(result) and result.unmatched.matched_by_relative_path == 3
    assert result.top_mistakes() == []


def test_http_and_cloud_storage_urls_match_by_the_path_they_end_with(tmp_path):
    # Images served over HTTP (--ls-url-prefix), a presigned S3 link's query, an s3:// key.
    predictions = _photos(tmp_path / "photos")
    cells = [
        "https://images.example.org/photos/my%20cats/a%20b.png",
        "https://bucket.s3.amazonaws.com/photos/dog/c.png?X-Amz-Signature=ab%2Fc&X-Amz-Expires=60",
        "s3://bucket/photos/caf%C3%A9/d.png",
    ]
    truth = load_truth(_truth_csv(tmp_path / "export.csv", cells))
    result = evaluate(predictions, truth)
    assert _all_paired(result) and result.top_mistakes() == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Google Drive links: one path (uc), the file named by the query.
        ("https://drive.google.com/uc?id=AAA", "https://drive.google.com/uc?id=BBB"),
        # One path on two hosts.
        ("https://a.example.com/img/1.jpg", "https://b.example.com/img/1.jpg"),
        # A URL and a relative path that ends the same.
        ("img/1.jpg", "s3://bucket/img/1.jpg"),
    ],
)
@pytest.mark.parametrize("labels", [("cat", "cat"), ("cat", "dog")])
def test_two_urls_that_leave_the_same_path_are_refused_naming_both_cells(
    tmp_path, first, second, labels
):
    # Read as one image, 4 rows counted as 2 without a word (or refused over a path, 'uc', that
    # the file does not hold): a URL's host and query are dropped.
    path = write_file(
        tmp_path / "truth.csv",
        f"path,label\n{first},{labels[0]}\nother.jpg,bird\n{second},{labels[1]}\n".encode(),
    )
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    message = refused.value.message
    assert message.startswith(f"{path}, line 4: {second} and {first} (line 2) ")
    assert message.endswith("give the files' local paths")
    assert "\n" not in message


def test_a_url_given_twice_is_one_image_as_a_path_given_twice_is(tmp_path):
    cell = "https://bucket.s3.amazonaws.com/photos/dog/c.png?X-Amz-Signature=ab"
    path = write_file(tmp_path / "truth.csv", f"path,label\n{cell},dog\n{cell},dog\n".encode())
    assert read_rows(path) == [("photos/dog/c.png", "dog")]
    # Labelled twice, the error names the cell as written, not the path it leaves.
    Path(path).write_text(f"path,label\n{cell},dog\n{cell},cat\n")
    with pytest.raises(ZslError, match=re.escape(f"line 3: {cell} is labelled 'cat' here")):
        read_rows(path)


def test_exact_urls_of_one_file_are_one_image(tmp_path):
    # A file URL and Label Studio's local-files URL name their file exactly: written beside its
    # plain path, it is the same image, not two rows that collide.
    image = Path(touch(tmp_path / "photos" / "a b.png"))
    rows = [image.as_uri(), os.fspath(image), "/data/local-files/?d=x/c.png", "x/c.png"]
    content = "".join(f"{row},cat\n" for row in rows)
    path = write_file(tmp_path / "truth.csv", f"path,label\n{content}".encode())
    assert [label for _, label in read_rows(path)] == ["cat", "cat"]


def test_evaluate_refuses_colliding_urls_in_one_line_with_exit_code_2(
    tiny_clip,
    image_folder,  # noqa: F811
    tmp_path,
):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "p.csv")
    rows = "https://drive.google.com/uc?id=AAA,cat\nhttps://drive.google.com/uc?id=BBB,cat\n"
    truth = write_file(tmp_path / "truth.csv", f"path,label\n{rows}".encode())
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "uc?id=BBB and https://drive.google.com/uc?id=AAA" in lines[0]
