"""Predictions the reader refuses that a looser read would take: a second CSV header saved with
a byte-order mark, a class name in a legacy code page where the row ranks nothing, a JSON Lines
record with no label field, and a JSON Lines line that is no object."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions

HEADER = b"path,label,score,top_k_labels,top_k_scores,status,error"
RECORD = b'{"path": "a.png", "label": "cat", "score": 0.9, "top_k": [], "status": "ok"}'


def test_a_second_csv_header_after_a_byte_order_mark_is_told_as_the_header_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(
        HEADER
        + b"\na.png,cat,0.9,cat,0.9,ok,\n\xef\xbb\xbf"
        + HEADER
        + b"\nb.png,dog,0.8,dog,0.8,ok,\n"
    )
    with pytest.raises(ZslError, match="the header again"):
        read_predictions(path)


def test_a_csv_label_in_a_legacy_code_page_is_refused_where_the_row_ranks_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(HEADER + b"\na.png,caf\xe9,0.9,,,ok,\n")
    with pytest.raises(ZslError, match="is not UTF-8 text"):
        read_predictions(path)


def test_a_json_lines_record_with_no_label_field_is_refused_not_read_as_an_abstention(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(RECORD + b'\n{"path": "b.png", "score": null, "top_k": [], "status": "ok"}\n')
    with pytest.raises(ZslError, match=r"line 2: not a zsl prediction record \(no 'label' field\)"):
        read_predictions(path)


def test_a_json_lines_line_that_is_a_list_is_refused_as_no_object(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(RECORD + b'\n["b.png", "dog"]\n')
    with pytest.raises(ZslError, match="line 2: not a zsl prediction record .*not an object"):
        read_predictions(path)
