"""Outputs kept beside a file held open (errors.OutputKept), the loose ends: a Label Studio
config and its tasks each published and named where they went, --json written after a kept
export or report, a kept run's real time, and an interrupted run's exit status 130."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from tests.helpers import (
    error_line,
    held_open,
    temp_files,
    write_images,
    write_truth_and_predictions,
)
from zsl_cli import api, writers
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, OutputKept
from zsl_cli.store import EmbeddingStore


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def summary_of(result: Result) -> str:
    """What stderr says before the error line."""
    return result.stderr[: result.stderr.index("zsl: error:")]


@pytest.fixture()
def studio(tmp_path: Path) -> list[object]:
    """`label` arguments for Label Studio tasks but for -o and --ls-config: 3 images."""
    write_images(tmp_path / "images", 3)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    label = ["label", tmp_path / "images", "-c", classes, "-m", "shapes-demo"]
    return [*label, "-f", "label-studio", "--ls-document-root", tmp_path]


@pytest.fixture()
def embedding(tmp_path: Path) -> list[object]:
    """`embed` arguments but for the export: 3 images, a new store, the bundled model."""
    write_images(tmp_path / "images", 3)
    return ["embed", tmp_path / "images", "--store", tmp_path / "s.zsl", "-m", "shapes-demo"]


def old_export(folder: Path) -> None:
    """A .npy export of an earlier run, and its path index."""
    np.save(folder / "out.npy", np.zeros((1, 16), np.float32))
    (folder / "out.npy.paths.csv").write_text("index,path\n0,old.png\n")


# 1. A Label Studio config and its tasks: each published, the summary naming where.


def test_a_config_kept_beside_one_held_open_is_named_in_the_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, studio: list[object]
) -> None:
    tasks, config = tmp_path / "tasks.json", tmp_path / "cfg.xml"
    config.write_text("old config")
    held_open(monkeypatch, "cfg.xml")
    result = run(*studio, "-o", tasks, "--ls-config", config)
    assert result.exit_code == EXIT_USAGE, result.output
    kept = tmp_path / "cfg.new.xml"
    assert error_line(result.stderr).endswith(f"this run's output is kept as '{kept}'")
    assert f"Label Studio config: {kept}" in summary_of(result)
    assert f"Predictions: {tasks}" in summary_of(result)
    assert config.read_text() == "old config" and "<View>" in kept.read_text()
    assert len(json.loads(tasks.read_text())) == 3 and temp_files(tmp_path) == []


def test_a_kept_config_is_in_the_reports_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_images(tmp_path / "images", 3)
    config = tmp_path / "cfg.xml"
    config.write_text("old config")
    held_open(monkeypatch, "cfg.xml")
    studio = api.LabelStudioOptions(document_root=tmp_path, config=str(config))
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=(tmp_path / "images",)),
        classes=api.ClassOptions(classes=["cat", "dog"]),
        model=api.ModelOptions(name="shapes-demo"),
        output=api.OutputOptions(
            path=tmp_path / "tasks.json", format="label-studio", label_studio=studio
        ),
    )
    with pytest.raises(OutputKept) as kept:
        api.label(request)
    assert isinstance(kept.value.result, api.LabelReport)
    assert kept.value.result.to_json()["config"] == str(tmp_path / "cfg.new.xml")


def test_tasks_kept_beside_one_held_open_still_publish_their_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, studio: list[object]
) -> None:
    tasks, config = tmp_path / "tasks.json", tmp_path / "cfg.xml"
    tasks.write_text("old tasks")
    held_open(monkeypatch, "tasks.json")
    result = run(*studio, "-o", tasks, "--ls-config", config)
    assert result.exit_code == EXIT_USAGE, result.output
    kept = tmp_path / "tasks.new.json"
    assert error_line(result.stderr).endswith(f"this run's output is kept as '{kept}'")
    assert f"Predictions: {kept}" in summary_of(result)
    assert f"Label Studio config: {config}" in summary_of(result)
    assert tasks.read_text() == "old tasks" and len(json.loads(kept.read_text())) == 3
    assert "<View>" in config.read_text() and temp_files(tmp_path) == []


def test_tasks_and_config_both_kept_are_both_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, studio: list[object]
) -> None:
    tasks, config = tmp_path / "tasks.json", tmp_path / "cfg.xml"
    tasks.write_text("old tasks")
    config.write_text("old config")
    held_open(monkeypatch, "tasks.json", "cfg.xml")
    result = run(*studio, "-o", tasks, "--ls-config", config)
    assert result.exit_code == EXIT_USAGE, result.output
    kept_tasks, kept_config = tmp_path / "tasks.new.json", tmp_path / "cfg.new.xml"
    error = error_line(result.stderr)
    assert f"kept as '{kept_tasks}'" in error and f"kept as '{kept_config}'" in error
    assert f"Predictions: {kept_tasks}" in summary_of(result)
    assert f"Label Studio config: {kept_config}" in summary_of(result)
    assert len(json.loads(kept_tasks.read_text())) == 3 and "<View>" in kept_config.read_text()
    assert tasks.read_text() == "old tasks" and config.read_text() == "old config"


# 2. --json is still written once the run's other output is kept.


def test_evaluates_json_is_written_when_its_report_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    report, metrics = tmp_path / "report.html", tmp_path / "metrics.json"
    report.write_text("old")
    held_open(monkeypatch, "report.html")
    result = run("evaluate", predictions, "--truth", truth, "--report", report, "--json", metrics)
    assert result.exit_code == EXIT_USAGE, result.output
    kept = tmp_path / "report.new.html"
    assert error_line(result.stderr).endswith(f"kept as '{kept}'")
    assert json.loads(metrics.read_text())["n"] == 2
    assert "mean per-class" in result.stdout and report.read_text() == "old" and kept.exists()


def test_evaluates_report_and_json_both_kept_are_both_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    report, metrics = tmp_path / "report.html", tmp_path / "metrics.json"
    report.write_text("old")
    metrics.write_text("old")
    held_open(monkeypatch, "report.html", "metrics.json")
    result = run("evaluate", predictions, "--truth", truth, "--report", report, "--json", metrics)
    assert result.exit_code == EXIT_USAGE, result.output
    error = error_line(result.stderr)
    assert f"kept as '{tmp_path / 'report.new.html'}'" in error
    assert f"kept as '{tmp_path / 'metrics.new.json'}'" in error
    assert json.loads((tmp_path / "metrics.new.json").read_text())["n"] == 2


@pytest.mark.parametrize("scan", [True, False])
def test_embeds_json_is_written_when_its_export_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding: list[object], scan: bool
) -> None:
    if not scan:  # the store's embeddings alone, without paths
        assert run(*embedding).exit_code == 0
        embedding = [*embedding[:1], *embedding[2:]]
    old_export(tmp_path)
    held_open(monkeypatch, "out.npy")
    summary_json = tmp_path / "run.json"
    result = run(*embedding, "--export", tmp_path / "out.npy", "--json", summary_json)
    assert result.exit_code == EXIT_USAGE, result.output
    kept = tmp_path / "out.new.npy"
    assert f"kept as '{kept}'" in error_line(result.stderr)
    written = json.loads(summary_json.read_text())
    assert written["exported"] == 3
    assert written["exported_to"] == [str(kept), f"{kept}.paths.csv"]
    assert written["encoded"] == (3 if scan else 0)


def test_embeds_export_and_json_both_kept_are_both_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding: list[object]
) -> None:
    old_export(tmp_path)
    (tmp_path / "run.json").write_text("old")
    held_open(monkeypatch, "out.npy", "run.json")
    result = run(*embedding, "--export", tmp_path / "out.npy", "--json", tmp_path / "run.json")
    assert result.exit_code == EXIT_USAGE, result.output
    error = error_line(result.stderr)
    assert f"kept as '{tmp_path / 'out.new.npy'}'" in error
    assert f"kept as '{tmp_path / 'run.new.json'}'" in error
    assert json.loads((tmp_path / "run.new.json").read_text())["exported"] == 3


# 3. A kept export's run reports its real time.


class ExportClock:
    """The clock api times a run by, which stands still but for a jump of `seconds` while the
    export is written: a run that reports its real time reports that jump, one timed before its
    export does not, and no test has to wait for it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
        self.now = 0.0
        write_export = api.write_export

        def export_taking_time(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.now += seconds
            return write_export(*args, **kwargs)

        monkeypatch.setattr(api, "write_export", export_taking_time)
        monkeypatch.setattr(api, "time", self)

    def perf_counter(self) -> float:
        return self.now


def test_a_kept_exports_summary_shows_the_runs_real_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding: list[object]
) -> None:
    old_export(tmp_path)
    held_open(monkeypatch, "out.npy")
    ExportClock(monkeypatch, 1000.0)
    result = run(*embedding, "--export", tmp_path / "out.npy")
    assert result.exit_code == EXIT_USAGE, result.output
    took = re.search(r"Embedded into .* in (\d+\.\d) s:", summary_of(result))
    assert took is not None and took.group(1) == "1000.0", summary_of(result)


@pytest.mark.parametrize("scan", [True, False])
def test_a_kept_exports_report_holds_the_runs_real_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scan: bool
) -> None:
    write_images(tmp_path / "images", 2)
    paths = (str(tmp_path / "images"),)
    model = api.ModelOptions(name="shapes-demo")
    store = str(tmp_path / "s.zsl")
    api.embed(api.EmbedRequest(store, api.InputOptions(paths=paths), model))
    old_export(tmp_path)
    held_open(monkeypatch, "out.npy")
    ExportClock(monkeypatch, 1000.0)
    inputs = api.InputOptions(paths=paths) if scan else api.InputOptions()
    with pytest.raises(OutputKept) as kept:
        api.embed(api.EmbedRequest(store, inputs, model, export=str(tmp_path / "out.npy")))
    report = kept.value.result
    assert isinstance(report, api.EmbedReport) and report.elapsed_s == 1000.0


# 4. An interrupted run whose output is kept still exits 130.


def test_an_interrupted_label_run_whose_output_is_kept_exits_130(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ctrl_c_interrupts: object
) -> None:
    write_images(tmp_path / "images", 6)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    output = tmp_path / "out.csv"
    output.write_text("old rows\n")
    held_open(monkeypatch, "out.csv")
    write, written = writers.PredictionWriter.write, []

    def write_then_interrupt(self, prediction):  # type: ignore[no-untyped-def]
        write(self, prediction)
        written.append(prediction)
        if len(written) == 2:
            signal.raise_signal(signal.SIGINT)  # held until the row is counted

    monkeypatch.setattr(writers.PredictionWriter, "write", write_then_interrupt)
    result = run(
        "label", tmp_path / "images", "-c", classes, "-m", "shapes-demo", "-b", "1", "-o", output
    )
    assert result.exit_code == EXIT_INTERRUPTED, result.output
    kept = tmp_path / "out.new.csv"
    assert error_line(result.stderr).endswith(f"this run's output is kept as '{kept}'")
    assert "Interrupted after 2 of 6 images" in summary_of(result)
    assert f"Predictions: {kept} (incomplete" in summary_of(result)
    assert output.read_text() == "old rows\n" and len(kept.read_text().splitlines()) == 3


def test_an_interrupted_embed_run_whose_json_is_kept_exits_130(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    embedding: list[object],
    ctrl_c_interrupts: object,
) -> None:
    summary_json = tmp_path / "run.json"
    summary_json.write_text("old")
    held_open(monkeypatch, "run.json")
    add = EmbeddingStore.add

    def add_then_interrupt(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        add(self, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)  # a Ctrl-C once the first batch is stored

    monkeypatch.setattr(EmbeddingStore, "add", add_then_interrupt)
    result = run(*embedding, "-b", "1", "--json", summary_json)
    assert result.exit_code == EXIT_INTERRUPTED, result.output
    kept = tmp_path / "run.new.json"
    assert error_line(result.stderr).endswith(f"kept as '{kept}'")
    assert summary_of(result).startswith("Interrupted embedding into")
    assert json.loads(kept.read_text())["interrupted"] is True
