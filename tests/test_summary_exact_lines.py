"""zsl_cli.summary: the exact lines a user reads after `zsl label`, `zsl embed`, `zsl evaluate`
and `zsl hubness` (counts, shares, singulars, which names show and in what order), written out
by hand here rather than computed by the code under test."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

from rich.console import Console

from tests.evaluation_helpers import evaluated, evaluation_text, gzsl_evaluated, predicted
from tests.helpers import embed_report, label_summary
from tests.hubness_helpers import hubness_report, method_hubness
from zsl_cli.api import Hub
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.summary import (
    render_embed_summary,
    render_evaluation,
    render_hubness,
    render_label_summary,
    render_warnings,
)


def console(width: int = 200) -> Console:
    return Console(file=io.StringIO(), width=width, markup=False, emoji=False)


def text_of(shown: Console) -> str:
    return shown.file.getvalue()


def label_lines(output: str = "out.csv", width: int = 200, **changes: Any) -> list[str]:
    shown = console(width)
    examples = changes.pop("failed_examples", ())
    render_label_summary(shown, label_summary(**changes), output, failed_examples=examples)
    return text_of(shown).splitlines()


# --- label ---------------------------------------------------------------------------------------


def test_a_run_of_exactly_one_second_after_the_load_has_its_rate() -> None:
    assert label_lines(processing_s=1.0)[0] == (
        "Labelled 4 of 4 images in 2.0 s (2.0 img/s once the model was loaded)"
    )
    assert label_lines(processing_s=0.99)[0] == "Labelled 4 of 4 images in 2.0 s"


def test_a_slow_run_says_seconds_per_image_in_whole_seconds() -> None:
    assert label_lines(images_per_second=0.04)[0] == (
        "Labelled 4 of 4 images in 2.0 s (25 s per image once the model was loaded)"
    )


def test_the_failed_line_of_a_run_that_labelled_some_names_the_first_failed_images() -> None:
    examples = [("a\x1b.jpg", "truncated"), ("b.png", "not_an_image"), ("c.jpg", "truncated")]
    lines = label_lines(
        inputs=9,
        total=9,
        ok=4,
        failed=5,
        by_status={"ok": 4, "truncated": 3, "not_an_image": 2},
        failed_examples=examples,
    )
    assert lines[1] == (
        "5 failed: not_an_image 2, truncated 3; a\\x1b.jpg (truncated), b.png (not_an_image), "
        "c.jpg (truncated), ... (2 more)"
    )


def test_a_label_too_long_for_the_table_keeps_its_ends() -> None:
    long = "x" * 150 + "y" * 100 + "z" * 50  # 300 characters: the middle 100 left out
    (row,) = [line for line in label_lines(width=1000, labels={long: 4}) if line.startswith("x")]
    assert row.split("  ")[0] == "x" * 150 + " ... [100 characters left out] ... " + "z" * 50
    assert "y" not in row


def test_the_more_labels_row_counts_their_images() -> None:
    labels = {f"class{i:02d}": 10 for i in range(10)} | {"rare": 3, "rarer": 2}
    lines = label_lines(inputs=105, total=105, ok=105, by_status={"ok": 105}, labels=labels)
    (more,) = [line.split() for line in lines if line.startswith("...")]
    assert more == ["...", "2", "more", "labels", "5", "5%"]  # 5 of 105 images
    assert [line.split()[0] for line in lines if line.startswith(("class", "rare"))] == [
        f"class{i:02d}" for i in range(10)
    ]


def test_the_low_confidence_line_counts_in_the_singular_and_shows_the_cut_as_given() -> None:
    assert "1 prediction scored below 0.25 (low confidence)" in label_lines(
        low_confidence=1, low_confidence_below=0.25
    )


def test_an_interrupted_run_with_failures_only_still_names_its_output() -> None:
    # Its 3 failed images were written: the output is no longer "as it was".
    lines = label_lines(
        inputs=5, total=3, ok=0, failed=3, by_status={"truncated": 3}, labels={}, interrupted=True
    )
    assert lines[-1] == (
        'Predictions: out.csv (incomplete: 3 of 5 images; its run info says "complete": false)'
    )


def test_an_interrupted_run_that_wrote_nothing_to_stdout_says_so() -> None:
    lines = label_lines(
        "stdout", inputs=5, total=0, ok=0, by_status={}, labels={}, interrupted=True
    )
    assert lines[-1] == "Nothing written to stdout"


def test_a_long_warning_is_cut_in_the_middle() -> None:
    shown = console(10_000)
    render_warnings(shown, ["a" * 1500 + "b" * 1000 + "c" * 500])
    assert text_of(shown) == (
        "warning: " + "a" * 1500 + " ... [1,000 characters left out] ... " + "c" * 500 + "\n"
    )


# --- evaluate ------------------------------------------------------------------------------------


def test_the_evaluation_lines_of_a_generalised_zero_shot_run(tmp_path: Path) -> None:
    # A and B: each image right (100%); C: one taken for A, one for B (0%). Top-1 mean per class
    # (1 + 1 + 0) / 3, overall 2 of 4. Seen accuracy 100%, unseen 0%: H 0. Calibrated at the
    # gamma picked, C/1 turns right: unseen 50%, H = 2 x 1 x 0.5 / 1.5.
    lines = evaluation_text(gzsl_evaluated(tmp_path)).splitlines()
    assert lines[:6] == [
        "Evaluated 4 images over 3 classes (0 failed, 0 abstained)",
        "  top-1: mean per-class 66.7%, overall 50.0%",
        "  top-5: mean per-class 100.0%, overall 100.0%  (k=5 clipped to 3, the number of classes)",
        "  macro F1: 0.444",
        "  GZSL: seen 100.0%, unseen 0.0%, harmonic mean 0.0%",
        "  calibrated stacking: gamma 0.15 -> seen 100.0%, unseen 50.0%, H 66.7%; AUSUC 0.750",
    ]
    rows = [line.split() for line in lines[8:11]]
    # Precision: A and B are each predicted twice, right once; C never predicted.
    assert rows == [
        ["C", "2", "0.0%", "0.0%", "0.000"],
        ["A", "1", "100.0%", "50.0%", "0.667"],
        ["B", "1", "100.0%", "50.0%", "0.667"],
    ]
    assert lines[11] == "Most common mistakes: C -> A (1); C -> B (1)"
    assert len(lines) == 12  # the top-5 note is said once, on its line


def test_a_gamma_is_shown_to_four_significant_digits_and_a_missing_one_says_why(
    tmp_path: Path,
) -> None:
    result = gzsl_evaluated(tmp_path)
    calibrated = dataclasses.replace(result.gzsl.calibrated, gamma=0.0123456)
    gzsl = dataclasses.replace(result.gzsl, calibrated=calibrated)
    text = evaluation_text(dataclasses.replace(result, gzsl=gzsl))
    assert "  calibrated stacking: gamma 0.01235 -> seen 100.0%," in text
    gzsl = dataclasses.replace(
        result.gzsl, calibrated=None, calibrated_reason="no scores", notes=("a split note",)
    )
    lines = evaluation_text(dataclasses.replace(result, gzsl=gzsl)).splitlines()
    assert "  calibrated stacking: not available (no scores)" in lines
    assert lines[-1] == "note: a split note"


def test_the_macro_f1_scope_is_said_once_on_its_line(tmp_path: Path) -> None:
    result = evaluated(tmp_path, [("cat", "cat"), ("dog", "unknown")])
    text = evaluation_text(result)
    assert text.count("over the 2 truth classes evaluated") == 1
    assert "note:" not in text


def test_a_table_cut_short_counts_every_class_in_its_hint(tmp_path: Path) -> None:
    result = evaluated(tmp_path, [("cat", "cat"), ("dog", "cat"), ("fox", "fox")])
    lines = evaluation_text(result, max_rows=2).splitlines()
    assert "... 1 more class" in lines
    assert "  (all 3 classes show in a file or a pipe, such as | less, and in --json)" in lines


def test_the_more_classes_row_of_a_narrow_terminal_is_its_name_alone(tmp_path: Path) -> None:
    name = "a_class_name_far_longer_than_the_terminal_is_wide"
    result = evaluated(tmp_path, [(name, name), ("dog", name), ("fox", "fox")])
    shown = console(24)
    render_evaluation(shown, result, max_rows=2)
    assert "... 1 more class\n" in text_of(shown)


def test_unmatched_paths_of_each_side_are_named_escaped(tmp_path: Path) -> None:
    (tmp_path / "truth.csv").write_text("path,label\nseen.jpg,cat\nlost.jpg,dog\n")
    predictions = [
        predicted(tmp_path / "seen.jpg", "cat"),
        predicted(tmp_path / "x\x1b.jpg", "cat"),
    ]
    result = evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=(1,))
    lines = evaluation_text(result).splitlines()
    assert "Unmatched: 1 prediction without truth, 1 truth image without prediction" in lines
    assert f"  without truth: {tmp_path}/x\\x1b.jpg" in lines
    assert "  without prediction: lost.jpg" in lines  # as the truth file names it


# --- tables --------------------------------------------------------------------------------------


def test_a_table_whose_names_just_fit_their_narrowest_column_is_a_table() -> None:
    # label 16 cells at least + "  " + "images" + "  " + "share": 31 columns.
    labels = {"ZQXJ" * 10: 3, "KVWY" * 10: 1}
    table = label_lines(width=31, labels=labels)
    assert any(line.split() == ["label", "images", "share"] for line in table), table
    assert ": images 3" not in "".join(table)
    lines = label_lines(width=30, labels=labels)  # a line each, wrapped where rich wraps it
    assert f"{'ZQXJ' * 10}: images 3, share 75%" in "".join(lines), lines


def test_table_lines_end_without_padding() -> None:
    hubs = (Hub("a long hub name", 9),)
    text = hubness_text(
        methods={"none": method_hubness(top_hubs=hubs), "csls": method_hubness(top_hubs=())}
    )
    assert all(line == line.rstrip() for line in text.splitlines()), text


# --- hubness -------------------------------------------------------------------------------------


def hubness_text(**changes: Any) -> str:
    shown = console()
    render_hubness(shown, hubness_report(**changes))
    return text_of(shown)


def test_the_hubness_title_says_when_k_is_the_default_quarter_of_the_classes() -> None:
    title = hubness_text(k=10, k_requested=None).splitlines()[0]
    assert title == "Hubness of 12 classes over 30 images (k = 10)"
    title = hubness_text(k=3, k_requested=None).splitlines()[0]
    assert title == (
        "Hubness of 12 classes over 30 images "
        "(k = 3, a quarter of the classes: the default under 40 classes)"
    )


def test_a_hub_needs_more_than_every_image_for_no_class_to_be_one() -> None:
    # N_k of a hub at least 30 of 30 images: one class could still take every image's k slots.
    assert "No class can be a hub" not in hubness_text(hub_threshold=30.0)
    lines = hubness_text(hub_threshold=30.5, largest_hub_k=1).splitlines()
    assert lines[-2] == (
        "No class can be a hub at k = 5: a hub's N_k is 30.5 or more, over the 30 images; "
        "-k 1 or less counts hubs."
    )
    lines = hubness_text(hub_threshold=30.5, largest_hub_k=0).splitlines()
    assert lines[-2].endswith("over the 30 images; too few classes.")


def test_a_hubness_row_gives_each_measure_in_its_column() -> None:
    lines = hubness_text().splitlines()
    assert lines[1].split() == [
        "method",
        "skewness",
        "hub",
        "occupancy",
        "antihubs",
        "Robin",
        "Hood",
        "top",
        "hubs",
    ]
    assert lines[2].split() == ["none", "1.00", "25.0%", "50.0%", "0.33", "cat", "(12)"]
    assert lines[-1] == "Use csls."


def test_a_method_without_an_accuracy_shows_none_not_zero() -> None:
    methods = {"none": method_hubness(accuracy={"mean_per_class": 0.5}), "csls": method_hubness()}
    rows = [line.split() for line in hubness_text(methods=methods).splitlines()[2:4]]
    assert [row[0] for row in rows] == ["none", "csls"]
    assert rows[0][-1] == "50.0%" and rows[1][-1] == "n/a"


# --- embed ---------------------------------------------------------------------------------------


def embed_lines(failed_retried: int = 0, none_usable: bool = False, **changes: Any) -> list[str]:
    shown = console()
    render_embed_summary(
        shown, embed_report(**changes), failed_retried=failed_retried, none_usable=none_usable
    )
    return text_of(shown).splitlines()


def test_the_embed_line_counts_images_kept_for_a_missing_path() -> None:
    assert embed_lines(kept=3)[0] == (
        "Embedded into s.zsl in 1.5 s: 5 images found, 3 encoded, 2 reused, 0 removed, 3 kept"
    )
    assert embed_lines(kept=0)[0].endswith(", 0 removed")


def test_images_the_model_made_nothing_of_were_read_but_not_embedded() -> None:
    failed = {"encode_error": 2}
    lines = embed_lines(encoded=1, failed=2, failed_by_status=failed, failed_retried=2)
    assert lines[1] == (
        "2 could not be embedded (encode_error 2): stored as failed, read again by the next run"
    )
    failed = {"encode_error": 1, "truncated": 2}
    lines = embed_lines(encoded=0, failed=3, failed_by_status=failed)
    assert lines[1] == (
        "3 could not be read or embedded (encode_error 1, truncated 2): stored as failed, "
        "not read again until their files change"
    )


def test_the_embed_failures_line_names_the_first_failed_files() -> None:
    files = [{"path": f"bad\n{i}.png", "status": "truncated"} for i in range(4)]
    lines = embed_lines(encoded=1, failed=4, failed_by_status={"truncated": 4}, failed_files=files)
    assert lines[1] == (
        "4 could not be read (truncated 4): stored as failed, not read again until their files "
        "change; bad\\n0.png (truncated), bad\\n1.png (truncated), bad\\n2.png (truncated), "
        "... (1 more)"
    )


def test_an_embed_of_no_usable_image_says_so_before_the_export() -> None:
    lines = embed_lines(
        none_usable=True,
        found=1,
        encoded=0,
        reused=0,
        failed=1,
        failed_by_status={"truncated": 1},
        exported=0,
        exported_to=["e.npy", "e.npy.paths.csv"],
    )
    assert lines[-2:] == [
        "No image embedded: none of the 1 image found can be used",
        "Exported 0 embeddings to e.npy (their paths in e.npy.paths.csv)",
    ]
