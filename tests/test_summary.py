"""zsl_cli.summary on in-memory streams: what each end-of-run line says, and when it is shown.

Most of these came from a mutation audit: each fails under one small change to summary.py that
the command-line tests let through.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rich.console import Console

from tests.evaluation_helpers import evaluated, evaluation_text
from tests.helpers import GoneReader, Unwritable, embed_report, label_summary, run, write_images
from tests.hubness_helpers import hubness_report, method_hubness
from tests.terminal import Terminal, terminal_bytes, terminal_env
from zsl_cli.api import Hub, MethodHubness
from zsl_cli.errors import ZslError
from zsl_cli.files import sidecar_path
from zsl_cli.summary import (
    ProgressBar,
    render_embed_summary,
    render_evaluation,
    render_hubness,
    render_label_summary,
    stderr_console,
    stdout_console,
)


def plain() -> Console:
    return Console(file=io.StringIO(), width=200, markup=False, emoji=False)


def shown(console: Console) -> str:
    return console.file.getvalue()


def label_text(*, none_labelled: bool = False, **changes: Any) -> str:
    console = plain()
    render_label_summary(console, label_summary(**changes), "out.csv", none_labelled=none_labelled)
    return shown(console)


def test_label_summary_names_the_label_studio_config_written() -> None:
    console = plain()
    render_label_summary(console, label_summary(), "tasks.json", config="config.xml")
    assert "Predictions: tasks.json\nLabel Studio config: config.xml\n" in shown(console)
    assert "Label Studio config" not in label_text()
    nothing = plain()
    summary = label_summary(total=0, ok=0, by_status={}, labels={}, interrupted=True)
    render_label_summary(nothing, summary, "tasks.json", config="config.xml")
    assert "Label Studio config" not in shown(nothing)  # neither file was written


# --- consoles ------------------------------------------------------------------------------------


def test_a_console_on_a_file_writes_names_whole_and_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No markup, no emoji codes, and no fitting of tables into 80 columns.
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    long_name = "a long class name " * 8
    summary = label_summary(labels={long_name: 3, "[bold]:cat:": 1})
    render_label_summary(stderr_console(), summary, "[red]:dog:.csv")
    text = sys.stderr.getvalue()
    assert long_name in text and "[bold]:cat:" in text
    assert "Predictions: [red]:dog:.csv\n" in text


def test_a_console_on_a_terminal_leaves_numbers_and_paths_uncoloured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setattr(sys, "stderr", Terminal())
    render_label_summary(stderr_console(), label_summary(), "/tmp/run-42.csv")
    text = sys.stderr.getvalue()
    assert "\x1b[" in text  # "Labelled" is bold: the terminal takes styles
    assert text.endswith("\nPredictions: /tmp/run-42.csv\n")  # rich's highlighter colours these


@pytest.mark.parametrize("columns", ["0", "00"])
def test_a_terminal_with_columns_0_gets_every_line(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    # COLUMNS=0, which Python's shutil reads as unset, was a width of 0 to rich: the summary,
    # and evaluate's table on stdout, were not printed at all, with exit status 0.
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(sys, "stderr", Terminal())
    render_label_summary(stderr_console(), label_summary(), "out.csv")
    assert re.search(r"\ncat +3 +75%\n", sys.stderr.getvalue())
    assert sys.stderr.getvalue().endswith("\nPredictions: out.csv\n")
    monkeypatch.setattr(sys, "stdout", Terminal())
    stdout_console().print("a table")
    assert sys.stdout.getvalue() == "a table\n"


def test_an_output_that_cannot_be_written_is_an_error_diagnostics_are_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdout", Unwritable())
    with pytest.raises(ZslError, match="cannot write to stdout: No space left on device"):
        stdout_console().print("a table")
    monkeypatch.setattr(sys, "stderr", Unwritable())
    console = stderr_console()
    console.print("a summary")
    console.print("and more")  # not tried again: the console went quiet
    assert sys.stderr.tries == 1


def test_a_reader_going_away_is_a_broken_pipe_not_an_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    # rich would exit with status 1, which --strict uses for failed images.
    monkeypatch.setattr(sys, "stdout", GoneReader())
    with pytest.raises(BrokenPipeError):
        stdout_console().print("a table")


def test_the_progress_bar_stays_off_a_stderr_that_is_no_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    bar = ProgressBar()
    bar.start(3, "labelling")
    bar.advance(2)
    bar.stop()
    assert sys.stderr.getvalue() == ""


# A child that draws a progress bar of 3 images on its stderr.
BAR_OF_3 = [
    sys.executable,
    "-c",
    "from zsl_cli.summary import ProgressBar\n"
    "bar = ProgressBar()\n"
    "bar.start(3, 'encoding images')\n"
    "bar.advance(3)\n"
    "bar.stop()\n",
]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("rows", "columns"), [(0, 0), (0, 100), (30, 0), (30, 100)])
def test_the_progress_bar_shows_on_a_terminal_that_reports_no_size(rows: int, columns: int) -> None:
    # A pseudo-terminal nobody sized (`script` or `docker run -t` started from no terminal)
    # reports 0 rows and columns: tqdm showed no bar for the whole run below row 0, and with
    # 0 columns alone hung for ever trimming the coloured bar to -1 columns.
    shown = terminal_bytes(BAR_OF_3, stdout=False, size=(rows, columns), timeout=120)
    assert b"encoding images:" in shown and b"0/3" in shown


def _bar_on_a_terminal(env: dict[str, str]) -> bytes:
    """What a progress bar of 3 images draws on a pseudo-terminal, under `env`."""
    return terminal_bytes(BAR_OF_3, stdout=False, env=env, timeout=120)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    ("variable", "value", "drawn"), [("TERM", "dumb", False), ("NO_COLOR", "1", True)]
)
def test_the_progress_bar_has_no_colour_where_the_terminal_or_the_user_wants_none(
    variable: str, value: str, drawn: bool
) -> None:
    # Emacs' shell and other dumb terminals showed tqdm's green as raw ^[[32m at each redraw;
    # rich already writes no colour there, and takes them for no interactive terminal: no bar.
    coloured = _bar_on_a_terminal(terminal_env(TERM="xterm"))
    plain = _bar_on_a_terminal(terminal_env(**{variable: value}))
    assert b"\x1b[32m" in coloured  # the check can see colour
    assert (b"encoding images:" in plain) is drawn and b"\x1b[32m" not in plain


# --- label ---------------------------------------------------------------------------------------


def test_label_summary_failures_in_name_order_without_ok() -> None:
    by_status = {"truncated": 1, "ok": 3, "decode_error": 2}
    text = label_text(ok=3, failed=3, by_status=by_status)
    assert "3 failed: decode_error 2, truncated 1\n" in text
    text = label_text(ok=3, failed=1, by_status={"ok": 3, "truncated": 1})
    assert "1 failed: truncated 1\n" in text
    assert "failed" not in label_text()


def test_label_summary_of_an_interrupted_run() -> None:
    text = label_text(total=2, ok=2, inputs=5, interrupted=True, labels={"cat": 2})
    assert text.startswith("Interrupted after 2 of 5 images, 2 labelled, in 2.0 s")
    one = label_text(total=0, ok=0, inputs=1, interrupted=True, labels={}, by_status={})
    assert one.startswith("Interrupted after 0 of 1 image, 0 labelled,"), one  # not "1 images"
    assert "Predictions: out.csv" in text
    assert label_text().startswith("Labelled 4 of 4 images in 2.0 s")
    # Not interrupted, nothing labelled: the output was still written.
    empty = label_text(total=0, ok=0, inputs=0, labels={}, by_status={}, images_per_second=0.0)
    assert "Predictions: out.csv" in empty and "Nothing written" not in empty


def test_label_summary_of_an_interrupted_run_says_its_output_is_incomplete_and_where() -> None:
    # It said "Predictions: out.csv" as after a whole run, where the interrupted run had replaced
    # an earlier complete output with 2 of its 5 images.
    text = label_text(total=2, ok=2, inputs=5, interrupted=True, labels={"cat": 2})
    assert (
        'Predictions: out.csv (incomplete: 2 of 5 images; its run info says "complete": false)\n'
        in text
    )
    console = plain()
    render_label_summary(
        console, label_summary(total=1, ok=1, inputs=5, interrupted=True), "stdout"
    )
    assert shown(console).endswith(
        "Predictions: stdout (incomplete: 1 of 5 images; only the exit status, 130, says so)\n"
    )
    # Interrupted as the last image was written: every image is there, the output complete.
    assert label_text(interrupted=True).endswith("Predictions: out.csv\n")
    assert label_text().endswith("Predictions: out.csv\n")


def test_label_summary_of_an_interrupted_json_document_on_stdout_names_its_run_mark() -> None:
    # `-f json` on stdout holds its run info, "complete": false, in the document's "run": the
    # line said that only the exit status marked it, as for CSV or JSON Lines on stdout.
    console = plain()
    summary = label_summary(total=1, ok=1, inputs=5, interrupted=True)
    render_label_summary(console, summary, "stdout", run_info_inside=True)
    assert shown(console).endswith(
        'Predictions: stdout (incomplete: 1 of 5 images; its "run" says "complete": false)\n'
    )


def test_label_summary_of_a_run_where_every_image_failed_says_none_was_labelled() -> None:
    # It said "Labelled 0 of 21 images in 2.0 s (1498.0 img/s once the model was loaded)": a
    # rate of failures, read as a fast run.
    by_status = {"not_an_image": 20, "truncated": 1}
    # Whether none was labelled is the caller's to say (LabelReport.none_labelled): the rule of
    # the exit status 1 too.
    text = label_text(
        inputs=21,
        total=21,
        ok=0,
        failed=21,
        by_status=by_status,
        labels={},
        images_per_second=1498,
        none_labelled=True,
    )
    assert text == (
        "No image labelled: all 21 images failed (not_an_image 20, truncated 1)\n"
        "Predictions: out.csv\n"
    )
    one_failed = {"total": 1, "ok": 0, "failed": 1, "by_status": {"truncated": 1}, "labels": {}}
    text = label_text(inputs=1, none_labelled=True, **one_failed)
    assert text.startswith("No image labelled: the one image failed (truncated 1)\n")
    assert "No image labelled" not in label_text(inputs=1, **one_failed)


def test_label_summary_from_a_store_says_how_to_bring_images_in() -> None:
    # Images not in the store, or changed since, were counted ("2 failed: changed 1,
    # not_embedded 1") and nothing said what to run.
    by_status = {"ok": 2, "changed": 1, "not_embedded": 1, "truncated": 1}
    console = plain()
    summary = label_summary(ok=2, failed=3, by_status=by_status, total=5, inputs=5)
    render_label_summary(console, summary, "out.csv", store="my photos.zsl")
    lines = shown(console).splitlines()
    assert lines[1] == "3 failed: changed 1, not_embedded 1, truncated 1"
    assert lines[2] == (
        "hint: bring the changed and not_embedded images into the store with "
        "zsl embed PATH... --store 'my photos.zsl' (PATH...: the paths given here), then label "
        "again"
    )
    console = plain()
    summary = label_summary(ok=0, failed=2, by_status={"not_embedded": 2}, labels={}, total=2)
    render_label_summary(console, summary, "out.csv", store="s.zsl")
    assert "hint: bring the not_embedded images into the store with zsl embed PATH... " in (
        shown(console)
    )
    # One image is one image ("the not_embedded images" for one read as if others were missing).
    console = plain()
    summary = label_summary(ok=0, failed=1, by_status={"not_embedded": 1}, labels={}, total=1)
    render_label_summary(console, summary, "out.csv", store="s.zsl")
    assert "hint: bring the not_embedded image into the store with zsl embed PATH... " in (
        shown(console)
    )
    console = plain()
    summary = label_summary(ok=3, failed=1, by_status={"ok": 3, "truncated": 1})
    render_label_summary(console, summary, "out.csv", store="s.zsl")
    assert "hint" not in shown(console)


def test_label_summary_gives_no_rate_where_no_image_was_labelled() -> None:
    failed = label_text(
        inputs=5, total=3, ok=0, failed=3, by_status={"truncated": 3}, labels={}, interrupted=True
    )
    assert failed.startswith("Interrupted after 3 of 5 images, 0 labelled, in 2.0 s\n")
    assert "3 failed: truncated 3\n" in failed
    nothing = label_text(inputs=5, total=0, ok=0, by_status={}, labels={}, interrupted=True)
    assert nothing.startswith("Interrupted after 0 of 5 images, 0 labelled, in 2.0 s\n")
    one = label_text(inputs=5, total=2, ok=1, failed=1, by_status={"ok": 1, "truncated": 1})
    assert "(2.0 img/s once the model was loaded)" in one


def test_label_summary_shows_the_output_name_escaped() -> None:
    # A file name may hold a newline, escape sequences and bytes that are not UTF-8: the last
    # line must stay one line and send nothing to the terminal, as error lines show names.
    name = "out\x1b[31m\nx\udcff.csv"  # os.fsdecode's form of the bytes b"...x\xff.csv"
    console = plain()
    render_label_summary(console, label_summary(), name)
    assert shown(console).endswith("\nPredictions: out\\x1b[31m\\nx\\xff.csv\n")
    console = plain()
    render_label_summary(console, label_summary(total=0, ok=0, interrupted=True), name)
    assert "Nothing written: out\\x1b[31m\\nx\\xff.csv is as it was\n" in shown(console)


def test_label_summary_rates() -> None:
    assert "(0.1 img/s once" in label_text(images_per_second=0.1)
    assert "(0.0 img/s once" in label_text(images_per_second=0.0)
    # Under a second after the model's load (images decoded during it), a rate is noise.
    brief = label_text(processing_s=0.02, images_per_second=4372.0)
    assert "img/s" not in brief and brief.startswith("Labelled 4 of 4 images in 2.0 s\n")


def test_label_summary_shares_are_of_the_labelled_images() -> None:
    labels = {f"class{i:02d}": 1 for i in range(12)}
    text = label_text(
        inputs=24, total=24, ok=12, failed=12, by_status={"ok": 12, "truncated": 12}, labels=labels
    )
    rows = [line.split() for line in text.splitlines() if line.startswith(("class", "..."))]
    assert rows[0] == ["class00", "1", "8%"]  # 1 of 12 labelled, not of 24 images
    assert [row[0] for row in rows[:10]] == [f"class{i:02d}" for i in range(10)]
    assert rows[10] == ["...", "2", "more", "labels", "2", "17%"]
    assert len(rows) == 11


def test_label_summary_with_exactly_as_many_labels_as_rows_has_no_more_row() -> None:
    labels = {f"class{i:02d}": 1 for i in range(10)}
    text = label_text(inputs=10, total=10, ok=10, by_status={"ok": 10}, labels=labels)
    assert "more label" not in text and "class09" in text


def test_label_summary_low_confidence_line_only_when_there_are_some() -> None:
    assert "low confidence" not in label_text()
    text = label_text(low_confidence=2, low_confidence_below=0.3)
    assert "2 predictions scored below 0.3 (low confidence)\n" in text


def test_label_summary_says_nothing_of_low_confidence_where_none_was_counted() -> None:
    # A sigmoid model's run, or one under --threshold, counts none (None in the run info).
    assert "low confidence" not in label_text(low_confidence=None, low_confidence_below=None)


@pytest.mark.parametrize("width", [24, 30, 40, 60, 80])
def test_label_summary_on_a_narrow_terminal_loses_no_label_or_value(width: int) -> None:
    # rich cut a label longer than its column short: at 40 columns two labels that differ at
    # their ends (class_variant_a, class_variant_b) both read "red_circle_on_a_plain_ba…", and
    # below 30 the share column was gone.
    first, second = "ZQXJ" * 10, "KVWY" * 10  # letters nothing else has: folded, they read in order
    console = Console(file=io.StringIO(), width=width, markup=False, emoji=False)
    render_label_summary(console, label_summary(labels={first: 3, second: 1}), "out.csv")
    text = shown(console)
    assert all(len(line) <= width for line in text.splitlines()), text
    assert "".join(char for char in text if char in "ZQXJ") == first, text
    assert "".join(char for char in text if char in "KVWY") == second, text
    for value in ("images", "share", "75%", "25%"):
        assert value in text, (value, text)
    assert "…" not in text


# --- hubness -------------------------------------------------------------------------------------


def method(
    accuracy: dict[str, float] | None = None,
    hubs: int = 4,
    top_hubs: tuple[Hub, ...] | None = None,
) -> MethodHubness:
    """A method's measures, with `hubs` hubs named hub0, hub1, ... unless `top_hubs` names them."""
    if top_hubs is None:
        top_hubs = tuple(Hub(f"hub{i}", 10 - i) for i in range(hubs))
    return method_hubness(accuracy, top_hubs, skewness=1.234)


def hubness_text(width: int = 200, **changes: Any) -> str:
    """The table of `hubness_report(**changes)`, with four hubs hub0..hub3 unless changed."""
    console = Console(file=io.StringIO(), width=width, markup=False, emoji=False)
    render_hubness(console, hubness_report(**{"methods": {"none": method()}, **changes}))
    return shown(console)


def test_hubness_title_says_when_k_was_lowered() -> None:
    assert "(k = 5)" in hubness_text()
    lowered = hubness_text(k=6, k_requested=10)
    flat = " ".join(lowered.split())  # the title wraps to the width of the table
    assert "(k = 6, not 10: at most the number of classes less one)" in flat


def test_hubness_says_when_the_k_chosen_leaves_no_class_able_to_be_a_hub() -> None:
    # k = 10 over 15 classes: a hub needs N_k of 2 x 20 x 10 / 15 = 26.7 of 20 images, so every
    # method showed hub occupancy 0%, which read as no hubs.
    no_hubs = {"none": method(hubs=0)}
    assert "No class can be a hub" not in hubness_text(methods=no_hubs)
    over_15: dict[str, Any] = {"methods": no_hubs, "n_classes": 15, "n_images": 20}
    over_15["largest_hub_k"] = 7
    text = hubness_text(**over_15, k=10, k_requested=10, hub_threshold=2 * 20 * 10 / 15)
    flat = " ".join(text.split())
    assert (
        "No class can be a hub at k = 10: a hub's N_k is 26.67 or more, over the 20 images; "
        "-k 7 or less counts hubs." in flat
    )
    # -k 7 as advised: 18.67 of 20, a hub is possible again.
    assert "No class can be a hub" not in hubness_text(
        **over_15, k=7, k_requested=7, hub_threshold=2 * 20 * 7 / 15
    )


def test_hubness_rows_show_three_hubs_or_a_dash() -> None:
    text = hubness_text(methods={"none": method(), "csls": method(hubs=0)})
    assert "hub0 (10), hub1 (9), hub2 (8)" in text and "hub3" not in text
    (csls,) = [line for line in text.splitlines() if line.startswith("csls")]
    assert csls.split()[-1] == "-"


@pytest.mark.parametrize("width", [40, 60, 66, 80, 100, 160])
def test_hubness_on_a_narrow_terminal_loses_no_value(width: int) -> None:
    # Where the table cannot fit, rich cut the columns past the width off (at 50, Robin Hood,
    # the hubs and the accuracy were gone) and folded class names a character short.
    hub = "ZQXJ" * 10  # letters nothing else in the table has: folded, it reads in order
    m = method({"mean_per_class": 0.5, "unseen_mean_per_class": 0.25}, top_hubs=(Hub(hub, 12),))
    text = hubness_text(width, methods={"mutual_proximity": m, "none": method()})
    assert all(len(line) <= width for line in text.splitlines()), text
    assert "".join(char for char in text if char in "ZQXJ") == hub, text
    for value in ["mutual_proximity", "none", "1.23", "25.0%", "50.0%", "(12)", "hub0 (10)"]:
        assert value in text, (value, text)
    assert text.count("0.33") == 2 and "…" not in text


def test_hubness_accuracy_columns_when_any_method_has_them() -> None:
    methods = {
        "none": method({"mean_per_class": 0.5, "unseen_mean_per_class": 0.25}),
        "csls": method(),
    }
    text = hubness_text(methods=methods, images_with_truth=20)
    header = text.splitlines()[1].split()
    assert header[-3:] == ["accuracy", "unseen", "acc."]
    assert "Accuracy: mean per-class top-1 over the 20 images in the truth\n" in text
    text = hubness_text(methods=methods, images_with_truth=20, failed_images_with_truth=2)
    assert "in the truth (2 failed, counted wrong)" in text
    # Without accuracy the truth line is not given, even when the count is there.
    assert "Accuracy" not in hubness_text(images_with_truth=20)


def test_hubness_failed_images_line() -> None:
    text = hubness_text(failed_images=3, failed_by_status={"truncated": 1, "decode_error": 2})
    assert "3 images failed: decode_error 2, truncated 1\n" in text
    text = hubness_text(failed_images=1)
    assert "1 image failed\n" in text


def test_hubness_table_wraps_only_the_hubs_of_a_narrow_table() -> None:
    long_hubs = tuple(Hub("a_hub_class_name_longer_than_its_column", 9 - i) for i in range(3))
    text = hubness_text(66, methods={"isoftmax": method(top_hubs=long_hubs)})
    assert "…" not in text
    assert "isoftmax" in text and "occupancy" in text and "1.23" in text
    # A hub's name is folded onto more lines, not cut short.
    assert text.count("column") == 3 and "(9)" in text and "(7)" in text


def test_hubness_table_splits_its_headers_for_wide_hub_names_to_fit_on_one_line() -> None:
    # The hubs were measured in characters, not terminal cells: at 80 columns these, 24
    # characters in 31 cells, seemed to fit beside the whole headers, and were folded there.
    hubs = tuple(Hub(name, 10 - i) for i, name in enumerate(["猫猫猫猫", "犬犬", "鳥"]))
    text = hubness_text(80, methods={"none": method(top_hubs=hubs)})
    assert "猫猫猫猫 (10), 犬犬 (9), 鳥 (8)" in text, text
    assert "occupancy" in text and "…" not in text


# --- embed ---------------------------------------------------------------------------------------


def embed_text(**changes: Any) -> str:
    console = plain()
    render_embed_summary(console, embed_report(**changes))
    return shown(console)


def test_embed_summary_lines() -> None:
    assert embed_text().startswith("Embedded into s.zsl in 1.5 s: 5 images found, 3 encoded")
    assert embed_text(interrupted=True).startswith("Interrupted embedding into s.zsl")
    text = embed_text(encoded=2, failed=1, failed_by_status={"truncated": 1})
    assert "5 images found, 2 encoded, 2 reused" in text
    assert (
        "1 could not be read (truncated 1): stored as failed, not read again until its file "
        "changes" in text
    )
    assert "stored failures" not in text
    text = embed_text(reused_failed=2)
    assert "stored failures among those reused: 2" in text and "could not be read" not in text
    assert "Exported 0 embeddings to e.parquet" in embed_text(exported=0, exported_to=["e.parquet"])
    text = embed_text(exported=3, exported_to=["e.npy", "e.npy.paths.csv"])
    assert "Exported 3 embeddings to e.npy (their paths in e.npy.paths.csv)" in text
    assert "Exported" not in embed_text()
    # An export without paths scans nothing: one line, naming the store.
    text = embed_text(
        scanned=False, found=0, encoded=0, reused=0, exported=3, exported_to=["e.npy"]
    )
    assert text == "Exported 3 embeddings from s.zsl to e.npy\n"


def test_an_embed_where_no_image_could_be_read_encoded_none() -> None:
    # "21 encoded" then "21 of those encoded could not be read": images that failed to decode
    # were called encoded. --json's "encoded" leaves them out too, "failed" counts them.
    text = embed_text(
        found=21,
        encoded=0,
        reused=0,
        failed=21,
        failed_by_status={"not_an_image": 20, "truncated": 1},
    )
    assert text.startswith("Embedded into s.zsl in 1.5 s: 21 images found, 0 encoded, 0 reused")
    assert (
        "21 could not be read (not_an_image 20, truncated 1): stored as failed, not read again "
        "until their files change" in text
    )
    assert "encoded could not" not in text


@pytest.mark.parametrize(
    ("failed", "retried", "said"),
    [
        (2, 2, "2 could not be read (unreadable 2): stored as failed, read again by the next run"),
        (1, 1, "1 could not be read (unreadable 1): stored as failed, read again by the next run"),
        (
            3,
            1,
            "3 could not be read (unreadable 3): stored as failed; 1 read again by the next run, "
            "the others once their files change",
        ),
    ],
)
def test_embed_failures_the_next_run_reads_again_are_told_apart(
    failed: int, retried: int, said: str
) -> None:
    # A permission or a size limit may pass on the next run, which reads such files again; only
    # a failure of the file's own bytes stands until the file changes.
    console = plain()
    report = embed_report(encoded=0, failed=failed, failed_by_status={"unreadable": failed})
    render_embed_summary(console, report, failed_retried=retried)
    assert said in shown(console)


def test_embed_summary_shows_the_store_name_escaped() -> None:
    # As --json writes it: the name's bytes read as UTF-8, a byte that is not as \udcXX.
    text = embed_text(store="s\x1b[31m\nx\udcff.zsl")
    assert text.startswith("Embedded into s\\x1b[31m\\nx\\xff.zsl in 1.5 s:")


def test_embed_summary_names_three_unreachable_paths_then_counts_the_rest() -> None:
    files = [
        {"path": f"gone\n{i}.png", "status": "not_found", "reason": "no such file"}
        for i in range(5)
    ]
    for count, more in ((3, None), (4, "  ... 1 more in --json")):
        text = embed_text(unreachable=count, unreachable_files=files[:count])
        assert f"{count} paths could not be read at all (not stored): not_found {count}" in text
        assert [line for line in text.splitlines() if line.startswith("  gone")] == [
            f"  gone\\n{i}.png: no such file" for i in range(3)
        ]
        assert (more in text) if more else "more in --json" not in text


# --- evaluate ------------------------------------------------------------------------------------


def test_evaluation_headline(tmp_path: Path) -> None:
    rows = [("cat", "cat"), ("cat", "!"), ("dog", "unknown"), ("dog", "unknown"), ("dog", "dog")]
    text = evaluation_text(evaluated(tmp_path, rows))
    assert text.startswith("Evaluated 5 images over 2 classes (1 failed, 2 abstained)\n")
    assert "()" not in text  # no empty note on the top-k line
    # scikit-learn would average 'unknown' in as a class: the line says which classes it is over.
    scope = "(over the 2 truth classes evaluated; scikit-learn's macro average also adds, at F1 0, "
    assert re.search(
        rf"^  macro F1: 0\.\d\d\d  {re.escape(scope)}'unknown' \(2 images abstained\)\)$",
        text,
        re.MULTILINE,
    ), text


def test_evaluation_class_table(tmp_path: Path) -> None:
    rows = [("cat", "cat"), ("hippopotamus", "cat"), ("bee\x1b[2J", "cat")]
    result = evaluated(tmp_path, rows)
    text = evaluation_text(result)
    assert re.search(r"^cat +1 ", text, re.MULTILINE), text  # names left-aligned
    assert "bee\\x1b[2J" in text and "\x1b" not in text
    assert "more class" not in evaluation_text(result, max_rows=3)
    assert "... 1 more class" in evaluation_text(result, max_rows=2)
    assert "more class" not in evaluation_text(result, max_rows=None)


def test_evaluation_names_the_five_most_common_mistakes(tmp_path: Path) -> None:
    rows = [(f"c{i}", f"c{i + 1}") for i in range(6)] + [("c6", "c0")]
    text = evaluation_text(evaluated(tmp_path, rows))
    (line,) = [line for line in text.splitlines() if line.startswith("Most common mistakes: ")]
    assert line.count(" -> ") == 5


def test_evaluation_unmatched_line_when_either_side_has_some(tmp_path: Path) -> None:
    text = evaluation_text(evaluated(tmp_path, [("cat", "cat")], extra=1))
    assert "Unmatched: 1 prediction without truth, 0 truth images without prediction" in text
    assert f"  without truth: {tmp_path / 'x0.jpg'}\n" in text
    assert "without prediction:" not in text
    text = evaluation_text(evaluated(tmp_path, [("cat", "cat")], extra=4))
    assert f"  without truth: {tmp_path / 'x0.jpg'}, " in text
    # "(N more)" as every list cut short words it (`some_names`).
    assert (
        text.count(".jpg") == 3 and "..., ... (1 more)" not in text and ", ... (1 more)\n" in text
    )
    assert "Unmatched" not in evaluation_text(evaluated(tmp_path, [("cat", "cat")]))


@pytest.mark.parametrize("width", [24, 30, 40, 60, 80])
def test_evaluation_class_table_on_a_narrow_terminal_loses_no_name_or_value(
    tmp_path: Path, width: int
) -> None:
    # rich cut the class names, the header words ("suppo…", "preci…") and at 30 columns the
    # numbers ("100…", "50.…"), and below that it left whole columns out.
    first, second = "ZQXJ" * 10, "KVWY" * 10  # letters nothing else has: folded, they read in order
    result = evaluated(tmp_path, [(first, first), (second, first)])
    console = Console(file=io.StringIO(), width=width, markup=False, emoji=False)
    render_evaluation(console, result)
    text = shown(console)
    table = text[text.index("Per class") : text.index("Most common mistakes")]
    assert all(len(line) <= width for line in table.splitlines()), table
    assert "".join(char for char in table if char in "ZQXJ") == first, table
    assert "".join(char for char in table if char in "KVWY") == second, table
    for value in ("support", "accuracy", "precision", "F1", "100.0%", "50.0%", "0.0%", "0.667"):
        assert value in table, (value, table)
    assert "…" not in table


# --- through the CLI -----------------------------------------------------------------------------


def test_label_where_every_image_fails_says_none_was_labelled_and_why(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (png,) = write_images(tmp_path / "source", 1)
    jpeg = io.BytesIO()
    Image.open(png).save(jpeg, "JPEG")
    for i in range(10):
        (folder / f"cut_{i}.jpg").write_bytes(jpeg.getvalue()[: len(jpeg.getvalue()) // 2])
        (folder / f"junk_{i}.jpg").write_bytes(b"not an image\n" * 20)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    args = ["label", folder, "-c", tmp_path / "classes.txt", "-m", "shapes-demo"]
    output = tmp_path / "p.csv"
    result = run(*args, "-o", output)
    # Exit 1 without --strict too: the run labelled none of its images.
    assert result.exit_code == 1, result.stderr
    first = ", ".join(f"{folder}/cut_{i}.jpg (truncated)" for i in range(3))
    assert result.stderr == (
        "No image labelled: all 20 images failed (not_an_image 10, truncated 10); "
        f"{first}, ... (17 more)\n"
        f"Predictions: {output}\n"
    )
    assert run(*args, "-o", output, "--strict").exit_code == 1


def test_label_with_a_sigmoid_model_counts_no_low_confidence(
    tiny_siglip: Path, tmp_path: Path
) -> None:
    # Every top score of this SigLIP is below 0.5, and the summary called all of them low
    # confidence, by a cut made for a softmax.
    write_images(tmp_path / "photos", 4)
    (tmp_path / "classes.txt").write_text("cat\ndog\nbird\n")
    output = tmp_path / "p.csv"
    result = run(
        "label",
        tmp_path / "photos",
        "-c",
        tmp_path / "classes.txt",
        "-m",
        tiny_siglip,
        "-o",
        output,
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(sidecar_path(output).read_text())["summary"]
    assert summary["low_confidence"] is None  # 4 of 4 were counted, all below 0.5
    assert result.stderr.startswith("Labelled 4 of 4 images in ")
    assert "low confidence" not in result.stderr


def test_label_under_a_threshold_counts_no_low_confidence(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1] / "sample_images"
    output = tmp_path / "p.csv"
    args = ["label", root, "-c", root / "classes.txt", "-m", "shapes-demo", "--threshold", "0.9"]
    result = run(*args, "-o", output)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(sidecar_path(output).read_text())["summary"]
    assert summary["low_confidence"] is None and summary["labels"]["unknown"]
    assert "low confidence" not in result.stderr and "unknown" in result.stderr
