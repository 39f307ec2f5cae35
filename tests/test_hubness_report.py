"""`zsl hubness --json` writes a pinned document: every key, in its order, with its values.

The document is compared as text with tests/golden/hubness_document.json, written by the CLI on
a generated shape set with the bundled shapes-demo model, a truth CSV that leaves an image out
and names one that is not there, classes the class list lacks (which makes a hub of a class
near them), a file that cannot be read, a seen list and `-k`: every key the document can hold.
Only what differs from one machine or day to another is masked: the run's start time, working
folder, versions, device, batch size and decode workers. The table the run prints is pinned
beside it, as tests/golden/hubness_table.txt.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.hubness_helpers import REPORT_MEASURES
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.writers import write_json_file

GOLDEN = Path(__file__).parent / "golden" / "hubness_document.json"
# The table the same run prints on stdout, where it is a file (whole lines, no colour).
GOLDEN_TABLE = Path(__file__).parent / "golden" / "hubness_table.txt"
MASKED = "<varies>"
# The colours whose classes the class list leaves out: their images count as wrong, as zsl
# evaluate counts them, and most of them go to one listed class, a hub.
UNLISTED = ("orange", "purple")


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder to measure: the shape set, its class list less the UNLISTED colours, a truth CSV
    and a broken image. Paths are relative to the folder, which the tests run in."""
    root = tmp_path_factory.mktemp("hubness_report")
    shapes = make_image_set(root / "set", seed=88, per_class=2).root
    classes = (shapes / "classes.txt").read_text().splitlines()
    (root / "classes.txt").write_text(
        "".join(f"{c}\n" for c in classes if not c.startswith(UNLISTED))
    )
    (shapes / "broken.png").write_bytes(b"not a png")
    images = sorted(shapes.glob("*/*.png"))
    rows = [f"{p.relative_to(root).as_posix()},{p.parent.name}" for p in images[1:]]
    rows += ["set/broken.png,red circle", "set/gone.png,blue square"]
    (root / "truth.csv").write_text("path,label\n" + "".join(f"{row}\n" for row in rows))
    return root


def _masked(document: dict) -> dict:
    run_info = document["run"]
    # The batch size's default and the decode workers' follow the device and the cores.
    for key in ("started_at", "version", "cwd", "versions", "batch_size", "workers"):
        run_info[key] = MASKED
    run_info["model"]["device"] = MASKED
    return document


def write_masked_document(out: Path) -> str:
    """Run `zsl hubness --json OUT` in the measured folder (the working folder), then rewrite OUT
    masked, with the same writer: its text compares the key order, the values and the layout."""
    args = ["set", "-c", "classes.txt", "-m", "shapes-demo", "--truth", "truth.csv", "-k", 2]
    result = run("hubness", *args, "--seen", "set/seen.txt", "--json", out, "-q")
    assert result.exit_code == 0, result.stderr
    write_json_file(out, _masked(json.loads(out.read_text())))
    return out.read_text()


def test_hubness_json_document_is_the_pinned_one(measured, tmp_path, monkeypatch):
    monkeypatch.chdir(measured)
    assert write_masked_document(tmp_path / "hubness.json") == GOLDEN.read_text()


def test_hubness_table_is_the_pinned_one(measured, monkeypatch):
    # Every line the table can have: accuracy columns of a seen list's split, a failed image,
    # the truth's count and what stays unmatched, then the advice.
    monkeypatch.chdir(measured)
    args = ["set", "-c", "classes.txt", "-m", "shapes-demo", "--truth", "truth.csv", "-k", 2]
    result = run("hubness", *args, "--seen", "set/seen.txt", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == GOLDEN_TABLE.read_text()


def test_hubness_returns_a_record_whose_to_json_is_the_document(measured, tmp_path, monkeypatch):
    monkeypatch.chdir(measured)
    out = tmp_path / "hubness.json"
    report = api.hubness(
        api.HubnessRequest(
            inputs=api.InputOptions(paths=("set",)),
            classes=api.ClassOptions(classes="classes.txt"),
            model=api.ModelOptions(name="shapes-demo"),
            k=2,
            truth="truth.csv",
            seen="set/seen.txt",
            json_out=out,
        )
    )
    assert isinstance(report, api.HubnessReport)
    # The file written is the report's document, which is the pinned one.
    expected = tmp_path / "expected.json"
    write_json_file(expected, report.to_json())
    assert out.read_text() == expected.read_text()
    assert _masked(report.to_json()) == json.loads(GOLDEN.read_text())
    assert report.run["started_at"] != MASKED  # to_json gave a copy to mask

    # The same values, typed.
    assert report.k == 2 and report.k_requested == 2
    assert (report.n_images, report.n_classes) == (60, 20)
    assert list(report.methods) == ["none", "csls", "isoftmax", "centering", "mp"]
    none = report.methods["none"]
    assert isinstance(none, api.MethodHubness)
    assert none.top_hubs == (api.Hub("red hexagon", 12),) and none.n_hubs == 1
    assert none.accuracy is not None and list(none.accuracy) == [
        "mean_per_class",
        "overall",
        "seen_mean_per_class",
        "unseen_mean_per_class",
        "harmonic_mean",
    ]
    # isoftmax's gain of H rests on 2 images, where one is half its class's accuracy.
    assert report.recommended_method is None
    assert report.recommendation.startswith("No verdict from the truth: isoftmax's")
    assert report.failed_images == 1 and report.failed_by_status == {"not_an_image": 1}
    assert report.unreadable_folders == ()
    assert report.images_with_truth == 60 and report.failed_images_with_truth == 1
    assert report.unmatched is not None
    assert (report.unmatched.truth, report.unmatched.truth_examples) == (1, ("set/gone.png",))
    assert report.truth_classes_not_listed is not None
    assert len(report.truth_classes_not_listed) == 10
    assert isinstance(report.warnings, tuple) and "count as wrong" in report.warnings[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.k = 3  # type: ignore[misc]


def test_a_report_without_truth_has_no_truth_keys():
    report = api.HubnessReport(
        k=1,
        k_requested=None,
        n_images=2,
        n_classes=2,
        hub_threshold=2.0,
        largest_hub_k=1,
        methods={"none": api.MethodHubness(0.0, 0.0, 0.5, 0.5, 1, (api.Hub("cat", 2),))},
        recommendation="Hubness cannot be told.",
        recommended_method=None,
        failed_images=0,
        failed_by_status={},
        unreadable_folders=((Path("locked"), "permission denied"),),
        warnings=("a warning",),
        run={"tool": "zsl"},
    )
    assert report.to_json() == {
        "k": 1,
        "k_requested": None,
        "n_images": 2,
        "n_classes": 2,
        "hub_threshold": 2.0,
        "largest_hub_k": 1,
        "methods": {
            "none": {
                "skewness": 0.0,
                "hub_occupancy": 0.0,
                "antihub_rate": 0.5,
                "robin_hood": 0.5,
                "n_hubs": 1,
                "top_hubs": [{"class": "cat", "n_k": 2}],
            }
        },
        "recommendation": "Hubness cannot be told.",
        "recommended_method": None,
        "failed_images": 0,
        "failed_by_status": {},
        "unreadable_folders": [{"path": "locked", "reason": "permission denied"}],
        "warnings": ["a warning"],
        "run": {"tool": "zsl"},
    }
    assert list(report.to_json()) == [*REPORT_MEASURES, "run"]
    # The fields are the document's keys, in its order.
    assert [f.name for f in dataclasses.fields(api.HubnessReport)] == [
        *REPORT_MEASURES,
        "images_with_truth",
        "failed_images_with_truth",
        "unmatched",
        "truth_classes_not_listed",
        "run",
    ]


def test_the_records_are_exported():
    for name in ("HubnessReport", "MethodHubness", "Hub"):
        assert name in api.__all__
