"""Details of the outputs that users see (JSON Lines escapes, Label Studio tasks and config,
exports, --show-prompts rows, the CPU quota read for batching): every test fails with a small
change to the code, and passes without."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from zsl_cli import batching, exports
from zsl_cli.errors import ZslError
from zsl_cli.files import open_sink
from zsl_cli.label_studio import (
    LabelStudioOptions,
    label_studio_config,
    label_studio_config_warnings,
    label_studio_image_url,
    label_studio_size_warnings,
)
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import PROMPT_ROWS_WRITTEN_AT_ONCE, open_writer, write_class_prompts


def _write(output: Path, fmt: str, predictions: list[Prediction], **kwargs) -> bytes:
    with open_writer(str(output), fmt, **kwargs) as writer:
        for prediction in predictions:
            writer.write(prediction)
        writer.close({})
    return output.read_bytes()


def test_json_lines_escape_del_as_every_other_control_character(tmp_path: Path) -> None:
    # DEL is ASCII, so the text's isascii() says nothing of it: it must still be escaped, as
    # a printed record reaches a terminal (`zsl label -f jsonl`).
    name = "a\x7fb"
    prediction = Prediction(str(tmp_path / f"{name}.png"), name, 0.5, (LabelScore(name, 0.5),))
    raw = _write(tmp_path / "out.jsonl", "jsonl", [prediction])
    assert b"\x7f" not in raw
    assert raw.count(b"\\u007f") == 3  # path, label and the ranking's label
    record = json.loads(raw)
    assert (record["label"], record["top_k"][0]["label"]) == (name, name)


def test_label_studio_variables_of_any_spelling_are_warned_of() -> None:
    # Label Studio's pattern: "$" then word characters, dots, brackets and braces, any case.
    for name in ("$Image", "a $1 coin", "$_x", "$data[0]"):
        assert label_studio_config_warnings([name]), name


def test_label_studio_variable_warning_counts_the_class_names() -> None:
    (warning,) = label_studio_config_warnings(["$a", "b", "$c"])
    assert warning.startswith("2 class names hold '$'")
    assert "'$a'" in warning


def _config_tags(class_count: int) -> list[ElementTree.Element]:
    names = [f"c{n}" for n in range(class_count)]
    return list(ElementTree.fromstring(label_studio_config(names, LabelStudioOptions())))


def test_a_filter_box_comes_with_more_than_20_classes_as_the_readme_says() -> None:
    assert [tag.tag for tag in _config_tags(20)] == ["Image", "Choices"]
    image, box, choices = _config_tags(21)
    assert (box.tag, box.get("name"), box.get("toName")) == ("Filter", "choice-filter", "choice")


def test_a_failed_image_gets_no_label_studio_prediction_whatever_its_label(tmp_path: Path) -> None:
    # README: failed and `unknown` images get a task without a prediction; a record read back
    # from elsewhere may keep a label on a failed row.
    (tmp_path / "photos").mkdir()
    failed = Prediction(str(tmp_path / "photos" / "a.png"), "cat", 0.9, (), "truncated", "cut")
    options = LabelStudioOptions(document_root=tmp_path)
    (task,) = json.loads(
        _write(tmp_path / "t.json", "label-studio", [failed], label_studio=options)
    )
    assert "predictions" not in task
    assert (task["data"]["zsl_status"], task["data"]["zsl_label"]) == ("truncated", "cat")


def test_an_image_url_needs_to_know_how_label_studio_reaches_the_images(tmp_path: Path) -> None:
    # Without a document root or a URL prefix no URL is right: not one relative to the cwd.
    with pytest.raises(ZslError, match="needs to know how Label Studio reaches the images"):
        label_studio_image_url(str(tmp_path / "photos" / "a.png"), LabelStudioOptions())


def _export_rows() -> exports.ExportRows:
    vectors = np.eye(2, 4, dtype=np.float32)
    return exports.ExportRows([(b"/d/a.png", 10, 20), (b"/d/b.png", 30, 40)], vectors, {})


def test_an_npy_export_named_in_capitals_has_its_path_index(tmp_path: Path) -> None:
    out = tmp_path / "vectors.NPY"
    exports.check_export_path(out)
    assert exports.export_files(out) == [out, tmp_path / "vectors.NPY.paths.csv"]
    assert exports.write_export(out, _export_rows()) == []
    assert np.load(out).shape == (2, 4)
    assert (tmp_path / "vectors.NPY.paths.csv").read_bytes() == (
        b"index,path\n0,/d/a.png\n1,/d/b.png\n"
    )


def test_show_prompts_writes_each_row_once_past_a_block(tmp_path: Path) -> None:
    # Rows go out in blocks: more than one block's worth must not repeat the first block.
    count = PROMPT_ROWS_WRITTEN_AT_ONCE + 5
    prompts = [(f"c{n}", 1.0, f"a photo of a c{n}.") for n in range(count)]
    out = io.BytesIO()
    write_class_prompts(open_sink("-", out), prompts)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert rows[0] == ["class", "weight", "prompt"]
    assert [row[0] for row in rows[1:]] == [f"c{n}" for n in range(count)]


def test_an_export_to_a_folder_not_named_as_an_export_says_it_is_one(tmp_path: Path) -> None:
    # The folder is what is wrong, whatever its name: no .npy or .parquet name would fix it.
    (tmp_path / "vectors").mkdir()
    with pytest.raises(ZslError, match="it is a directory"):
        exports.check_export_path(tmp_path / "vectors")


def test_a_tasks_file_is_warned_of_only_past_label_studios_250_mib() -> None:
    # The server's default DATA_UPLOAD_MAX_MEMORY_SIZE is 250 MiB (in bytes, 262,144,000).
    limit = 250 * 1024 * 1024
    assert label_studio_size_warnings(limit, "t.json") == []
    (warning,) = label_studio_size_warnings(limit + 1, "t.json")
    assert "over 250 MiB" in warning


def test_a_writer_closed_twice_ends_its_document_once() -> None:
    # close() after an interrupt's close(complete=False), say, must not add a second "run".
    out = io.BytesIO()
    writer = open_writer(None, "json", stdout=out)
    writer.write(Prediction("/x/a.png", "cat", 0.5))
    writer.close({}, complete=False)
    writer.close({})
    document = json.loads(out.getvalue())
    assert document["run"] == {"complete": False}


def test_a_cloud_storage_prefix_in_capitals_is_one_still(tmp_path: Path) -> None:
    # URL schemes are case-insensitive: S3:// is s3://, whose keys are written as they are, not
    # percent-encoded; and in lower case, as Label Studio matches the scheme case-sensitively.
    (tmp_path / "photos").mkdir()
    options = LabelStudioOptions(document_root=tmp_path, url_prefix="S3://bucket/")
    url = label_studio_image_url(str(tmp_path / "photos" / "a b.png"), options)
    assert url == "s3://bucket/photos/a b.png"


def test_a_parquet_export_has_the_documented_columns(tmp_path: Path) -> None:
    # As the docs say: undecodable bytes as \\xNN in `path`, the exact bytes in `path_bytes`,
    # float32 vectors, size and mtime_ns.
    pq = pytest.importorskip("pyarrow.parquet")
    vectors = np.eye(2, 4, dtype=np.float32)
    rows = exports.ExportRows([(b"/d/a.png", 1, 2), (b"/d/caf\xe9.png", 3, 4)], vectors, {})
    out = tmp_path / "v.parquet"
    exports.check_export_path(out)
    assert exports.write_export(out, rows) == []
    pa = pytest.importorskip("pyarrow")
    assert pq.read_schema(out).field("vector").type == pa.list_(pa.float32(), 4)
    table = pq.read_table(out).to_pydict()
    assert table["path"] == ["/d/a.png", "/d/caf\\xe9.png"]
    assert table["path_bytes"] == [b"/d/a.png", b"/d/caf\xe9.png"]
    assert (table["size"], table["mtime_ns"]) == ([1, 3], [2, 4])


class _Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


def test_show_prompts_at_a_terminal_shows_control_characters_escaped() -> None:
    # A class descriptor's escape sequence would act on the terminal, a line break start a row.
    out = _Terminal()
    write_class_prompts(open_sink("-", out), [("cat", 1.0, "a \x1b]0;T\x07 cat\nphoto")])
    text = out.getvalue().decode()
    assert "\x1b" not in text and "\\x1b" in text
    assert text.splitlines()[1] == "cat,1,a \\x1b]0;T\\x07 cat\\nphoto"
    # A pipe gets the text itself.
    piped = io.BytesIO()
    write_class_prompts(open_sink("-", piped), [("cat", 1.0, "a\x1bb")])
    assert b"a\x1bb" in piped.getvalue()


def test_the_cpu_quota_of_a_cgroup_whose_path_holds_a_colon_is_read(tmp_path: Path) -> None:
    # /proc/self/cgroup is "id:controllers:path", and the path may itself hold ':' (a systemd
    # unit named so): only the first two separate fields.
    (tmp_path / "pod:7").mkdir()
    (tmp_path / "pod:7" / "cpu.max").write_text("300000 100000\n")
    (tmp_path / "cpu.max").write_text("max 100000\n")
    own = tmp_path / "self-cgroup"
    own.write_text("0::/pod:7\n")
    assert batching.cpu_quota(tmp_path, own) == 3
