"""Run info sidecars written by a zsl before 0.2.0, which did not record their output's size:
read where they agree with the predictions beside them, left with a warning saying why where an
output written over since (`zsl label ... > p.jsonl`) holds another run's rows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.evaluation import evaluate_files
from zsl_cli.readers import read_predictions_and_run_info
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import OUTPUT_BYTES_KEY, open_writer

CLASSES = ["cat", "dog", "wolf"]


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def as_legacy(output: Path) -> dict:
    """`output`'s sidecar as a zsl before 0.2.0 wrote it: without the output's size."""
    sidecar = Path(f"{output}.run.json")
    info = json.loads(sidecar.read_text())
    del info[OUTPUT_BYTES_KEY]
    sidecar.write_text(json.dumps(info))
    return info


@pytest.fixture
def photos(tmp_path) -> Path:
    root = tmp_path / "photos"
    for name in ("cat/a.jpg", "cat/b.jpg", "dog/c.jpg"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"not decoded by evaluate")
    return root


def prediction(path: Path, ranking: list[str]) -> Prediction:
    top_k = tuple(LabelScore(name, 0.9 - 0.1 * i) for i, name in enumerate(ranking))
    return Prediction(path=os.fsdecode(path), label=ranking[0], score=0.9, top_k=top_k)


def write(output: Path, rows: list[Prediction], run_info: dict) -> None:
    with open_writer(output, "jsonl") as writer:
        for row in rows:
            writer.write(row)
        writer.close(run_info)


def run_info_of(rows: list[Prediction], names: list[str] | None = CLASSES) -> dict:
    """Run info as `zsl label` records it for `rows` (names only from 1 Dec 2026 on)."""
    labels: dict[str, int] = {}
    for row in rows:
        if row.ok:
            labels[row.label] = labels.get(row.label, 0) + 1
    classes: dict = {"n": len(CLASSES)} | ({"names": names} if names is not None else {})
    summary = {"inputs": len(rows), "total": len(rows), "labels": labels}
    return {"classes": classes, "unknown_label": "unknown", "summary": summary, "cwd": "/"}


def first_run(photos: Path) -> list[Prediction]:
    return [
        prediction(photos / "cat/a.jpg", ["cat", "dog", "wolf"]),
        prediction(photos / "cat/b.jpg", ["dog", "cat", "wolf"]),
        prediction(photos / "dog/c.jpg", ["dog", "wolf", "cat"]),
    ]


@pytest.mark.parametrize("names", [CLASSES, None], ids=["with names", "before names"])
def test_a_legacy_sidecar_that_agrees_with_its_rows_is_read(photos, tmp_path, names):
    output = tmp_path / "p.jsonl"
    rows = first_run(photos)
    write(output, rows, run_info_of(rows, names))
    info = as_legacy(output)
    assert read_predictions_and_run_info(output)[1] == info | {"complete": True}
    result = evaluate_files(output, photos, ks=(1,))
    assert result.warnings == ()  # the run's classes (wolf) are known: no class goes unnamed


@pytest.mark.parametrize(
    ("rows_after", "why"),
    [
        # Two images, not three.
        (
            lambda photos: first_run(photos)[:2],
            "its image count (3) is not the predictions' (2)",
        ),
        # As many images, each labelled otherwise: the counts per label differ.
        (
            lambda photos: [prediction(p, ["cat", "dog", "wolf"]) for p in _paths(photos)],
            "its count of images labelled 'cat' (1) is not the predictions' (3)",
        ),
        # The same top-1 labels, one ranking a class the run never offered.
        (
            lambda photos: [*first_run(photos)[:2], prediction(_paths(photos)[2], ["dog", "fox"])],
            "its classes (3) do not include 'fox', which the predictions name",
        ),
    ],
    ids=["image count", "label counts", "a ranked class"],
)
def test_a_legacy_sidecar_of_other_rows_is_left_with_why(photos, tmp_path, rows_after, why):
    output = tmp_path / "p.jsonl"
    rows = first_run(photos)
    write(output, rows, run_info_of(rows))
    as_legacy(output)
    sidecar = Path(f"{output}.run.json").read_bytes()
    # Written over by a later run to stdout (`> p.jsonl`): its sidecar stays as it was.
    with open_writer(tmp_path / "later.jsonl", "jsonl") as writer:
        for row in rows_after(photos):
            writer.write(row)
        writer.close({})
    os.replace(tmp_path / "later.jsonl", output)
    assert Path(f"{output}.run.json").read_bytes() == sidecar

    assert read_predictions_and_run_info(output)[1] is None
    (warning,) = evaluate_files(output, photos, ks=(1,)).warnings
    assert warning == (
        f"the run info {output}.run.json is not read: written by an older zsl without the "
        f"output's size, {why}, so it describes another output (written over since); the "
        "labelling run's classes and folder are unknown"
    )


def test_a_legacy_sidecar_without_names_is_checked_by_its_class_count(photos, tmp_path):
    # Before 1 Dec 2026 the run info held the classes' number, not their names.
    output = tmp_path / "p.jsonl"
    rows = first_run(photos)
    info = run_info_of(rows, names=None)
    info["summary"].pop("labels")  # so that only the classes can tell
    write(output, rows, info)
    as_legacy(output)
    assert read_predictions_and_run_info(output)[1] is not None
    write(output, [*rows[:2], prediction(_paths(photos)[2], ["dog", "fox"])], {})
    Path(f"{output}.run.json").write_text(json.dumps(info))
    assert read_predictions_and_run_info(output)[1] is None
    (warning,) = evaluate_files(output, photos, ks=(1,)).warnings
    assert "its class count (3) is below the predictions' (4), so it describes" in warning


def test_a_legacy_sidecar_agrees_with_abstentions_and_failures(photos, tmp_path):
    # An abstention's label ("unknown") is none of the classes, a failed image has none: neither
    # tells of another run.
    output = tmp_path / "p.jsonl"
    (photos / "dog/d.jpg").write_bytes(b"x")
    (photos / "dog/e.jpg").write_bytes(b"x")
    abstained = Prediction(path=os.fsdecode(photos / "dog/d.jpg"), label="unknown", score=0.4)
    failed = Prediction(os.fsdecode(photos / "dog/e.jpg"), "", None, status="truncated")
    rows = [*first_run(photos), abstained, failed]
    write(output, rows, run_info_of(rows))
    as_legacy(output)
    assert read_predictions_and_run_info(output)[1] is not None
    assert not any("run info" in w for w in evaluate_files(output, photos, ks=(1,)).warnings)


def test_a_legacy_sidecar_of_a_run_stopped_before_counting_its_last_row_is_read(photos, tmp_path):
    # Before 3 Dec 2026 a Ctrl-C could fall between writing a row and counting it: the run info
    # of an interrupted run may count one row fewer than its output holds, its last.
    output = tmp_path / "p.jsonl"
    rows = first_run(photos)
    info = run_info_of(rows[:2])
    write(output, rows, info)
    as_legacy(output)
    Path(f"{output}.run.json").write_text(json.dumps(info | {"complete": False}))
    assert read_predictions_and_run_info(output)[1] is not None
    (warning,) = evaluate_files(output, photos, ks=(1,)).warnings
    assert warning.startswith("the labelling run was interrupted (2 of 2 images labelled)")
    # Not so for a run that was not interrupted, nor for two rows more.
    Path(f"{output}.run.json").write_text(json.dumps(info | {"complete": True}))
    assert read_predictions_and_run_info(output)[1] is None
    info = run_info_of(rows[:1]) | {"complete": False}
    Path(f"{output}.run.json").write_text(json.dumps(info))
    assert read_predictions_and_run_info(output)[1] is None


def _paths(photos: Path) -> list[Path]:
    return [photos / "cat/a.jpg", photos / "cat/b.jpg", photos / "dog/c.jpg"]


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    return make_image_set(tmp_path_factory.mktemp("shapes"), seed=7301, per_class=2).root


def test_an_output_written_over_on_stdout_is_not_read_with_a_legacy_sidecar(shapes, tmp_path):
    # Labelled with 30 classes and -k 0 by a zsl before 0.2.0, then written
    # over by `zsl label ... -c four.txt > p.jsonl`; evaluate took the 30 classes from the stale
    # sidecar and advised --top-k 0 for top-5, which the run had used.
    output = tmp_path / "p.jsonl"
    label = ["label", shapes, "-m", "shapes-demo", "-k", "0", "-q"]
    assert run(*label, "-c", shapes / "classes.txt", "-o", output).exit_code == 0
    as_legacy(output)
    as_read = evaluate_files(output, shapes, ks=(1, 5))
    assert as_read.warnings == ()
    assert [accuracy.k_used for accuracy in as_read.metrics.top_k] == [1, 5]

    four = tmp_path / "four.txt"
    four.write_text("blue circle\nred square\ngreen star\norange triangle\n")
    later = run(*label, "-c", four, "-f", "jsonl")
    assert later.exit_code == 0
    output.write_text(later.stdout)

    result = evaluate_files(output, shapes, ks=(1, 5))
    unread = [w for w in result.warnings if w.startswith(f"the run info {output}.run.json")]
    assert len(unread) == 1 and "written by an older zsl without the output's size" in unread[0]
    assert not any("--top-k 0" in warning for warning in result.warnings)
    # Clipped to the 4 classes ranked, as the run info is unknown (it was not computable).
    assert [accuracy.k_used for accuracy in result.metrics.top_k] == [1, 4]
