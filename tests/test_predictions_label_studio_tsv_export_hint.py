"""A Label Studio project's TSV export given as predictions (`zsl evaluate export.tsv --truth
...`) is told what it is and what to give instead, as its CSV export is: read with commas, its
header is one cell holding tabs, and the refusal said only "its columns are separated by tabs:
save it with commas", which gives a file that is refused just the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import error_line, run
from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions_and_run_info

# The columns of an export of the tasks zsl wrote: Label Studio's own, and the data's keys.
COLUMNS = ["annotation_id", "annotator", "choice", "created_at", "id", "image", "lead_time"]
COLUMNS += ["updated_at", "zsl_error", "zsl_label", "zsl_path", "zsl_score", "zsl_status"]
ROW = ["1", "1", "cat", "2026-12-05", "1", "/data/local-files/?d=a.png", "3.5", "2026-12-05"]
ROW += ["", "cat", "a.png", "0.75", "ok"]


def _export(path: Path, delimiter: str) -> Path:
    path.write_text(
        "".join(delimiter.join(cells) + "\n" for cells in (COLUMNS, ROW)), encoding="utf-8"
    )
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(ZslError) as refused:
        read_predictions_and_run_info(path, one_per_image=True)
    return refused.value.message


def hint(kind: str) -> str:
    return (
        f" (a Label Studio {kind} export: export the project as JSON or JSON_MIN instead, or give "
        "the tasks file 'zsl label -f label-studio' wrote)"
    )


def test_a_tsv_export_is_named_and_sent_to_the_json_export(tmp_path: Path) -> None:
    message = _refusal(_export(tmp_path / "project-1.tsv", "\t"))
    assert message.endswith(hint("TSV"))
    assert "separated by tabs" not in message


def test_a_csv_export_is_still_named_csv(tmp_path: Path) -> None:
    assert _refusal(_export(tmp_path / "project-1.csv", ",")).endswith(hint("CSV"))


def test_another_tab_separated_table_still_hears_of_its_tabs(tmp_path: Path) -> None:
    table = tmp_path / "p.tsv"
    table.write_text("path\tlabel\na.png\tcat\n", encoding="utf-8")
    message = _refusal(table)
    assert message.endswith("(its columns are separated by tabs: save it with commas)")
    assert "Label Studio" not in message


def test_the_cli_says_it_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "truth" / "cat").mkdir(parents=True)
    result = run("evaluate", _export(tmp_path / "export.tsv", "\t"), "--truth", tmp_path / "truth")
    assert result.exit_code == 2
    assert error_line(result.stderr).endswith(hint("TSV"))
