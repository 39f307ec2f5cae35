"""What reaches stderr: warnings that name a file escape its name, titles that wrap, failed
images named, a progress bar only on an interactive terminal, and an interrupted run's summary
that a second Ctrl-C does not lose."""

from __future__ import annotations

import io
import json
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from tests.evaluation_helpers import evaluated, evaluation_text
from tests.helpers import write_images
from zsl_cli import api, summary, writers
from zsl_cli.classes import load_class_spec
from zsl_cli.cli import app
from zsl_cli.errors import Interrupted
from zsl_cli.files import interrupts_holdable
from zsl_cli.formatting import printable_text
from zsl_cli.prompts import resolve_templates
from zsl_cli.store import EmbeddingStore

# Sets the window title and the colour, and a line break that would forge an error line.
ESCAPING = "x\x1b]0;PWN\x07\x1b[31m\nzsl: error: disk full.txt"
ESCAPED = "x\\x1b]0;PWN\\x07\\x1b[31m\\nzsl: error: disk full.txt"


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def console_text(width: int = 80, **options: object) -> tuple[Console, io.StringIO]:
    stream = io.StringIO()
    return Console(file=stream, width=width, soft_wrap=True, **options), stream


# 1. A file's name in a warning is escaped, in the library's warnings and on stderr.


def test_a_class_file_named_with_escape_sequences_is_named_escaped_in_its_warnings(tmp_path):
    classes = tmp_path / ESCAPING
    classes.write_text("class\ncat\ndog\n")  # a header line: warned of, naming the file
    spec = load_class_spec(classes)
    assert spec.warnings and all("\x1b" not in w and "\n" not in w for w in spec.warnings)
    assert any(f"{tmp_path}/{ESCAPED}: the first class is 'class'" in w for w in spec.warnings)
    # The run info still records the file itself.
    assert spec.sources == (str(classes),)


def test_descriptions_and_attribute_files_are_named_escaped_in_their_warnings(tmp_path):
    described = tmp_path / ESCAPING
    described.write_text(json.dumps({"cat": ["a small pet"], "dog": ["a loyal pet"]}))
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\nfox\n")  # fox has no descriptions: a warning names the file
    spec = load_class_spec(classes, descriptions=described)
    assert spec.sources == (str(classes), str(described))
    for warning in spec.warnings:
        assert "\x1b" not in warning and "\n" not in warning, warning


def test_a_template_file_named_with_escape_sequences_is_named_escaped_in_its_warnings(tmp_path):
    templates = tmp_path / ESCAPING
    templates.write_text("a photo of a {}. # mine\n")
    resolved = resolve_templates(str(templates))
    assert resolved.warnings
    assert all(w.startswith(f"{tmp_path}/{ESCAPED}:1: template") for w in resolved.warnings)


def test_stderr_shows_a_warning_escaped_whatever_gave_it():
    console, stream = console_text(no_color=True)
    summary.render_warnings(console, [f"{ESCAPING}: the first class is 'class'"])
    assert stream.getvalue() == f"warning: {ESCAPED}: the first class is 'class'\n"
    # Text already escaped is shown as it is, not escaped twice.
    assert printable_text(ESCAPED) == ESCAPED
    console, again = console_text(no_color=True)
    summary.render_warnings(console, [f"{ESCAPED}: the first class is 'class'"])
    assert again.getvalue() == stream.getvalue()


def test_label_at_the_command_line_warns_of_a_class_file_escaped(tmp_path):
    write_images(tmp_path / "images", 2)
    classes = tmp_path / ESCAPING
    classes.write_text("class\ncat\ndog\n")
    result = run("label", tmp_path / "images", "-c", classes, "-m", "shapes-demo", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and "\nzsl: error" not in result.stderr
    assert f"warning: {tmp_path}/{ESCAPED}: the first class is 'class'" in result.stderr


# 2. A title longer than the terminal is wrapped, not cut.


def test_the_hubness_title_is_whole_on_an_80_column_terminal():
    console, stream = console_text(80, no_color=True)
    title = "Hubness of 30 classes over 99 images (k = 7, a quarter of the classes: the default"
    title += " under 40 classes)"
    rows = [["none", "1.25", "10.0%", "5.0%", "0.40", "cat (9), dog (8), fox (7)"]]
    columns = ["method", "skewness", "hub occupancy", "antihubs", "Robin Hood", "top hubs"]
    summary._print_named_rows(console, columns, rows, title=title, wraps=5, min_width=20)
    text = stream.getvalue()
    assert text.startswith(title + "\n")  # one line, which the terminal wraps
    assert "cat (9), dog (8), fox (7)" in text


# 3. A second Ctrl-C while the interrupted run publishes its output keeps its summary.


def stopped_by_interrupt(call: Callable[[], object]) -> object:
    """What `call` returns, or the KeyboardInterrupt it raised: one that is not `Interrupted`
    must fail the test, not stop the whole session as pytest stops on a KeyboardInterrupt."""
    try:
        return call()
    except KeyboardInterrupt as stop:
        return stop


def _interrupt_after_rows(monkeypatch: pytest.MonkeyPatch, rows: int) -> None:
    """A Ctrl-C once `rows` rows are written, then another while the output is published."""
    write, close = writers.PredictionWriter.write, writers.PredictionWriter.close
    written = []

    def write_then_interrupt(self, prediction):  # type: ignore[no-untyped-def]
        write(self, prediction)
        written.append(prediction)
        if len(written) == rows:
            signal.raise_signal(signal.SIGINT)  # held until the row is counted

    def interrupted_close(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        signal.raise_signal(signal.SIGINT)  # the second Ctrl-C, as the output is published
        close(self, *args, **kwargs)

    monkeypatch.setattr(writers.PredictionWriter, "write", write_then_interrupt)
    monkeypatch.setattr(writers.PredictionWriter, "close", interrupted_close)


def test_a_second_ctrl_c_while_the_output_is_published_keeps_the_report(
    tmp_path, monkeypatch, ctrl_c_interrupts
):
    write_images(tmp_path / "images", 6)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    out = tmp_path / "out.jsonl"
    _interrupt_after_rows(monkeypatch, 2)
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=(str(tmp_path / "images"),)),
        classes=api.ClassOptions(classes=str(classes)),
        model=api.ModelOptions(name="shapes-demo", batch_size=1),
        output=api.OutputOptions(str(out)),
    )
    stopped = stopped_by_interrupt(lambda: api.label(request))
    assert isinstance(stopped, Interrupted), "a bare KeyboardInterrupt: the report was lost"
    report = stopped.report
    assert isinstance(report, api.LabelReport) and report.total == 2
    assert len(out.read_text().splitlines()) == 2
    assert json.loads(Path(f"{out}.run.json").read_text())["complete"] is False


def test_a_second_ctrl_c_while_a_stopping_run_closes_its_generators_waits(ctrl_c_interrupts):
    # It came as an "Exception ignored in: <generator ...>" traceback ("raise KeyboardInterrupt"
    # in HeldInterrupts.handle), and the generator's clean-up was cut short.
    cleaned = []

    def rows() -> Iterator[int]:
        try:
            yield from range(5)
        finally:
            signal.raise_signal(signal.SIGINT)  # the second Ctrl-C, as the generator closes
            cleaned.append(True)

    stopped = stopped_by_interrupt(lambda: _interrupted_in(rows))
    assert isinstance(stopped, KeyboardInterrupt) and cleaned == [True]


def _interrupted_in(rows: Callable[[], Iterator[int]]) -> None:
    with interrupts_holdable() as interrupts:
        for _ in rows():  # closed as the interrupt leaves the loop, inside the block
            interrupts.hold()
            interrupts.release()
            signal.raise_signal(signal.SIGINT)  # the first, between rows


def test_a_second_ctrl_c_while_the_output_is_published_keeps_the_summary(
    tmp_path, monkeypatch, ctrl_c_interrupts
):
    write_images(tmp_path / "images", 6)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    out = tmp_path / "out.csv"
    _interrupt_after_rows(monkeypatch, 3)
    result = stopped_by_interrupt(
        lambda: run(
            "label", tmp_path / "images", "-c", classes, "-m", "shapes-demo", "-b", "1", "-o", out
        )
    )
    assert isinstance(result, Result), f"a bare {result!r}: the summary was lost"
    assert result.exit_code == 130, result.stderr
    assert "Interrupted after 3 of 6 images" in result.stderr
    assert f"Predictions: {out} (incomplete: 3 of 6 images" in result.stderr


def test_a_second_ctrl_c_while_embed_writes_its_json_keeps_the_json_and_the_summary(
    tmp_path, monkeypatch, ctrl_c_interrupts
):
    write_images(tmp_path / "images", 4)
    store, summary_json = tmp_path / "photos.zsl", tmp_path / "embed.json"
    add, write_json = EmbeddingStore.add, writers.write_json_file

    def add_then_interrupt(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        add(self, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)  # a Ctrl-C once the first batch is stored

    def interrupted_write(*args, **kwargs):  # type: ignore[no-untyped-def]
        signal.raise_signal(signal.SIGINT)  # the second, as the report is written
        write_json(*args, **kwargs)

    monkeypatch.setattr(EmbeddingStore, "add", add_then_interrupt)
    monkeypatch.setattr(writers, "write_json_file", interrupted_write)
    result = stopped_by_interrupt(
        lambda: run(
            "embed",
            tmp_path / "images",
            "--store",
            store,
            "-m",
            "shapes-demo",
            "-b",
            "2",
            "--json",
            summary_json,
        )  # fmt: skip
    )
    assert isinstance(result, Result), f"a bare {result!r}: the summary was lost"
    assert result.exit_code == 130, result.stderr
    assert result.stderr.startswith("Interrupted embedding into") and "2 encoded" in result.stderr
    written = json.loads(summary_json.read_text())
    assert written["interrupted"] is True and written["encoded"] == 2


# 4. Failed images are named, and embed --json lists them.


def broken_images(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"broken_{i}.png"
        path.write_bytes(b"not an image at all")
        paths.append(path)
    return paths


def test_label_names_the_first_failed_images_on_its_failed_line(tmp_path):
    write_images(tmp_path / "images", 2)
    broken = broken_images(tmp_path / "images", 5)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    out = tmp_path / "out.csv"
    result = run("label", tmp_path / "images", "-c", classes, "-m", "shapes-demo", "-o", out)
    assert result.exit_code == 0, result.stderr
    named = ", ".join(f"{path} (not_an_image)" for path in broken[:3])
    assert f"5 failed: not_an_image 5; {named}, ... (2 more)\n" in result.stderr


def test_the_failed_line_names_a_failed_image_escaped():
    console, stream = console_text(no_color=True)
    counts = {"total": 1, "ok": 0, "failed": 1, "by_status": {"truncated": 1}, "labels": {}}
    counts |= {"interrupted": False, "inputs": 1, "elapsed_s": 1.0, "processing_s": 1.0}
    counts |= {"images_per_second": 1.0, "low_confidence": 0, "low_confidence_below": 0.5}
    summary.render_label_summary(
        console, counts, "out.csv", none_labelled=True, failed_examples=[(ESCAPING, "truncated")]
    )
    first = stream.getvalue().splitlines()[0]
    assert first == (
        f"No image labelled: the one image failed (truncated 1); {ESCAPED} (truncated)"
    )


def test_embed_names_the_failed_images_and_lists_them_all_in_its_json(tmp_path):
    write_images(tmp_path / "images", 2)
    broken = broken_images(tmp_path / "images", 4)
    store, summary_json = tmp_path / "photos.zsl", tmp_path / "embed.json"
    result = run(
        "embed", tmp_path / "images", "--store", store, "-m", "shapes-demo", "--json", summary_json
    )
    assert result.exit_code == 0, result.stderr
    named = ", ".join(f"{path} (not_an_image)" for path in broken[:3])
    assert f"not read again until their files change; {named}, ... (1 more)\n" in result.stderr
    listed = json.loads(summary_json.read_text())["failed_files"]
    assert [item["path"] for item in listed] == [str(path) for path in broken]
    assert all(item["status"] == "not_an_image" and item["reason"] for item in listed)


# 5. The bar only on an interactive terminal, coloured only on one.


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise io.UnsupportedOperation


@pytest.mark.parametrize(
    ("settings", "drawn"),
    [
        ({"TERM": "xterm"}, True),
        ({"TERM": "dumb"}, False),
        ({"TERM": "xterm", "TTY_COMPATIBLE": "0"}, False),
        ({"TERM": "xterm", "TTY_INTERACTIVE": "0"}, False),
    ],
)
def test_the_progress_bar_is_drawn_only_on_an_interactive_terminal(monkeypatch, settings, drawn):
    for name in ("TERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    bar = summary.ProgressBar()
    bar.start(10, "encoding images")
    bar.advance(3)
    bar.stop()
    assert bool(sys.stderr.getvalue()) is drawn


def test_the_bar_is_not_coloured_where_there_is_no_terminal(monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not summary._colour_wanted(Console(file=_Terminal()))
    monkeypatch.delenv("TTY_COMPATIBLE")
    monkeypatch.setenv("TERM", "xterm")
    assert summary._colour_wanted(Console(file=_Terminal()))


# 6. A terminal's shortened table of classes says where all of them show.


def test_a_shortened_table_of_classes_says_where_all_of_them_show(tmp_path):
    result = evaluated(tmp_path, [("cat", "cat"), ("dog", "cat"), ("fox", "cat")])
    shortened = evaluation_text(result, max_rows=1)
    assert "more class" in shortened
    assert "show in a file or a pipe, such as | less, and in --json" in shortened
    assert "show in a file or a pipe" not in evaluation_text(result, max_rows=None)
