"""Which run info `read_predictions_and_run_info` finds for a predictions file: beside a link's
target before beside the link, none where the run info's name would be too long for a file, and
a run info recorded with the output's size only where that size is the file's."""

from __future__ import annotations

import json
from pathlib import Path

from zsl_cli.readers import read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS

HEADER = ",".join(CSV_COLUMNS) + "\n"
ROW = "a.png,cat,0.75,cat|dog,0.75|0.25,ok,\n"


def write_predictions(path: Path) -> bytes:
    data = (HEADER + ROW).encode()
    path.write_bytes(data)
    return data


def test_a_linked_output_reads_the_run_info_beside_its_target_before_the_links_own(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    target = runs / "r1.csv"
    size = len(write_predictions(target))
    names = {"names": ["cat", "dog"]}
    (runs / "r1.csv.run.json").write_text(
        json.dumps({"model": "new", "classes": names, "output_bytes": size})
    )
    latest = tmp_path / "latest.csv"
    latest.symlink_to(target)
    # An older zsl wrote run info beside the link; it agrees with the rows too.
    (tmp_path / "latest.csv.run.json").write_text(json.dumps({"model": "old", "classes": names}))
    predictions, run_info = read_predictions_and_run_info(latest)
    assert [p.path for p in predictions] == ["a.png"]
    assert run_info == {"model": "new", "classes": names}


def test_a_link_without_run_info_beside_its_target_reads_the_links_own(tmp_path):
    target = tmp_path / "r1.csv"
    write_predictions(target)
    latest = tmp_path / "latest.csv"
    latest.symlink_to(target)
    (tmp_path / "latest.csv.run.json").write_text(json.dumps({"model": "old"}))
    assert read_predictions_and_run_info(latest)[1] == {"model": "old"}


def test_a_name_with_no_room_for_its_run_info_reads_without_run_info(tmp_path):
    # 250 bytes names the file; its run info's name would be 259, longer than a file name.
    output = tmp_path / ("p" * 246 + ".csv")
    write_predictions(output)
    predictions, run_info = read_predictions_and_run_info(output)
    assert [p.label for p in predictions] == ["cat"]
    assert run_info is None


def test_a_run_info_name_of_the_longest_a_file_may_have_is_read(tmp_path):
    # 246 bytes names the file, and 255, the most a file name may hold, its run info.
    output = tmp_path / ("p" * 242 + ".csv")
    write_predictions(output)
    sidecar = Path(f"{output}.run.json")
    assert len(sidecar.name) == 255
    sidecar.write_text(json.dumps({"model": "m"}))
    assert read_predictions_and_run_info(output)[1] == {"model": "m"}


def test_run_info_recording_the_files_size_is_read_and_another_size_is_not(tmp_path):
    output = tmp_path / "p.csv"
    size = len(write_predictions(output))
    sidecar = tmp_path / "p.csv.run.json"
    sidecar.write_text(json.dumps({"model": "m", "output_bytes": size}))
    assert read_predictions_and_run_info(output)[1] == {"model": "m"}
    sidecar.write_text(json.dumps({"model": "m", "output_bytes": size + 1}))
    assert read_predictions_and_run_info(output)[1] is None
    # true is no size: the run info reads as one without it, checked against the rows.
    sidecar.write_text(json.dumps({"model": "m", "output_bytes": True}))
    assert read_predictions_and_run_info(output)[1] == {"model": "m"}
