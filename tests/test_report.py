"""zsl_cli.report: the report types, the HTML page's content, the confusion matrix it draws and
what the PNG is drawn from.

Most of these came from a mutation audit: each fails under one small change to report.py that
the other tests let through.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from tests.evaluation_helpers import gzsl_evaluated
from zsl_cli import report
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import EvaluationResult, evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.report import (
    OTHER,
    check_report_path,
    confusion_view,
    render_html,
    write_report,
)


def evaluated(
    tmp_path: Path, rows: list[tuple[str, str]], extra: int = 0, **options
) -> EvaluationResult:
    """An evaluation of one image per (true, predicted) row ("!" predicted: the image failed),
    with `extra` predictions of images the truth does not name."""
    lines = "".join(f"{i}.jpg,{true}\n" for i, (true, _) in enumerate(rows))
    (tmp_path / "truth.csv").write_text(f"path,label\n{lines}", encoding="utf-8")
    predictions = [
        Prediction(str(tmp_path / f"{i}.jpg"), "", None, status="truncated", error="x")
        if label == "!"
        else Prediction(str(tmp_path / f"{i}.jpg"), label, 0.9, (LabelScore(label, 0.9),))
        for i, (_, label) in enumerate(rows)
    ]
    predictions += [
        Prediction(str(tmp_path / f"x\x1b{i}.jpg"), "cat", 0.9, (LabelScore("cat", 0.9),))
        for i in range(extra)
    ]
    return evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=(1,), **options)


def value_of(page: str, row: str) -> str:
    """The value of a summary table row of the page."""
    match = re.search(f"<td class='name'>{re.escape(row)}</td><td class='name'>([^<]*)</td>", page)
    assert match, row
    return match[1]


# --- report types --------------------------------------------------------------------------------


def test_report_types_are_told_by_the_name_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("r.html", "r.HTML", "r.htm", "r.Htm"):
        check_report_path(name)
    with pytest.raises(ZslError, match="^--report -: a report is a file"):
        check_report_path("-")
    with pytest.raises(ZslError, match=r"unknown report type '\(none\)'"):
        check_report_path("report")
    # A .png report is refused before any work when matplotlib is missing.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ZslError, match=r"zsl-cli\[report\]"):
        check_report_path("r.PNG")


def test_a_png_report_named_in_capitals_is_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result = evaluated(tmp_path, [("cat", "cat"), ("dog", "cat")])
    write_report(result, tmp_path / "R.PNG")
    assert (tmp_path / "R.PNG").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_drawing_problems_name_the_report_as_messages_do(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result = evaluated(tmp_path, [("cat", "cat"), ("猫", "cat")])  # a glyph the font lacks
    problems = write_report(result, tmp_path / "r\x1b.png")
    assert problems and all(problem.startswith("report ") for problem in problems)
    assert all("r\\x1b.png: " in problem for problem in problems), problems


# --- the confusion matrix drawn ------------------------------------------------------------------


def many_classes(tmp_path: Path, n: int) -> EvaluationResult:
    """c00 always right; c01...: each image taken for the class before; the last class (the
    worst: most images) has two images abstained and one failed."""
    return evaluated(tmp_path, many_class_rows(n))


def test_the_matrix_of_thirty_classes_is_drawn_whole(tmp_path: Path) -> None:
    result = many_classes(tmp_path, 30)
    m = result.metrics
    assert confusion_view(m.confusion, m.per_class) is m.confusion
    assert "worst of" not in render_html(result)


def test_the_matrix_of_more_classes_keeps_the_worst_rows(tmp_path: Path) -> None:
    result = many_classes(tmp_path, 31)
    m = result.metrics
    assert "the 30 worst of 31 classes shown" in render_html(result)
    view = confusion_view(m.confusion, m.per_class)
    # c00, the best class, is left out; the rest are in name order.
    assert view.labels == tuple(f"c{i:02d}" for i in range(1, 31))
    assert view.columns == (*view.labels, OTHER, "unknown", "failed")
    matrix = view.matrix
    assert matrix[0].tolist() == [0] * 30 + [1, 0, 0]  # c01 taken for c00: "other classes"
    assert matrix[-1].tolist() == [0] * 30 + [1, 2, 1]  # c30: c00, unknown twice, failed
    assert matrix.sum() == m.n - 1  # every image but c00's


def many_class_rows(n: int) -> list[tuple[str, str]]:
    """The (true, predicted) rows of `many_classes`."""
    rows = [("c00", "c00")] + [(f"c{i:02d}", f"c{i - 1:02d}") for i in range(1, n - 1)]
    last = f"c{n - 1:02d}"
    return rows + [(last, "unknown"), (last, "unknown"), (last, "!"), (last, "c00")]


@pytest.mark.parametrize("renamed", ["c05", "c00"])  # among the worst shown; the best, left out
def test_a_class_named_other_classes_is_not_taken_for_the_summed_column(
    tmp_path: Path, renamed: str
) -> None:
    # The column summing the classes left out was named "other classes" whatever the classes
    # were called: beside a class of that name the matrix had two columns of one name, and
    # without it, the sum read as that class's column.
    rows = [
        tuple(OTHER if name == renamed else name for name in row) for row in many_class_rows(31)
    ]
    m = evaluated(tmp_path, rows).metrics  # type: ignore[arg-type]
    view = confusion_view(m.confusion, m.per_class)
    assert (OTHER in view.labels) == (renamed == "c05")
    summed = view.columns[len(view.labels)]
    assert summed not in m.confusion.columns and summed.startswith(OTHER)
    assert view.matrix[:, len(view.labels)].sum() == 2  # c01 and c30 taken for c00, the best


# --- the HTML page -------------------------------------------------------------------------------


def test_html_summary_rows(tmp_path: Path) -> None:
    rows = [("cat", "cat"), ("cat", "cat"), ("cat", "cat"), ("dog", "cat")]
    page = render_html(evaluated(tmp_path, rows))
    assert value_of(page, "top-1 mean per class") == "50.0%"  # (1 + 0) / 2
    assert value_of(page, "top-1 overall") == "75.0%"
    # 0 to 1, as `zsl evaluate` prints it in the terminal and --json writes it.
    assert re.fullmatch(r"[01]\.\d{3}", value_of(page, "macro F1"))
    assert value_of(page, "failed images") == "0"
    assert value_of(page, "predictions without truth") == "0"
    assert "predicted classes not in truth" not in page


def test_html_summary_of_failures_and_unmatched_predictions(tmp_path: Path) -> None:
    page = render_html(evaluated(tmp_path, [("cat", "cat"), ("dog", "!"), ("dog", "fox")], 1))
    assert value_of(page, "failed images") == "1 (truncated 1)"
    unmatched = value_of(page, "predictions without truth")
    assert unmatched.startswith("1 (e.g. ") and unmatched.endswith("x\\x1b0.jpg)")
    assert value_of(page, "truth images without prediction") == "0"
    assert value_of(page, "predicted classes not in truth") == "fox 1"


def test_html_escapes_names_notes_and_sources(tmp_path: Path) -> None:
    result = evaluated(tmp_path, [("<b>\x1b", "cat"), ("cat", "cat")])
    result = dataclasses.replace(
        result, predictions_source="p<1>\x1b.csv", warnings=("w<1>",), notes=("n\x1b&",)
    )
    page = render_html(result)
    assert "\x1b" not in page and "<b>" not in page
    assert "&lt;b&gt;\\x1b" in page
    assert "predictions p&lt;1&gt;\\x1b.csv" in page
    assert "<li>w&lt;1&gt;</li>" in page and "<li>n\\x1b&amp;</li>" in page


def test_html_per_class_table_and_heat_map(tmp_path: Path) -> None:
    page = render_html(evaluated(tmp_path, [("cat", "cat"), ("dog", "cat"), ("dog", "dog")]))
    assert "<tr><th class=name>class</th><th>images</th>" in page
    assert "<td>2</td><td><span class='bar'><span style='width:50.0%'>" in page  # dog
    assert "</span></span> 0.667</td></tr>" in page  # cat's F1, as the terminal writes it
    # cat: its one image right: a full cell with white ink, and an empty one for no count.
    cat_row = re.search(r"<tr><th class='name'>cat</th>(.*?)</tr>", page)[1]
    assert "rgba(59,125,216,1.000);color:#fff'>1</td>" in cat_row
    assert "rgba(59,125,216,0.000);color:#222'></td>" in cat_row
    assert "nan" not in page


def test_html_lists_fifteen_mistakes(tmp_path: Path) -> None:
    rows = [(f"c{i:02d}", f"c{i + 1:02d}") for i in range(17)]
    page = render_html(evaluated(tmp_path, rows))
    mistakes = re.search("<h2>Most common mistakes</h2><ol>(.*?)</ol>", page)[1]
    assert mistakes.count("<li>") == 15


def test_html_mistakes_of_right_to_left_names_read_true_then_predicted(tmp_path: Path) -> None:
    # Between two Hebrew names the arrow took their direction: "שלום &rarr; עולם" was shown
    # as one right-to-left run, the predicted class first, the arrow pointing at the true one.
    page = render_html(evaluated(tmp_path, [("שלום", "עולם"), ("עולם", "עולם")]))
    assert "<li><bdi>שלום</bdi> &rarr; <bdi>עולם</bdi>: 1</li>" in page


def test_html_gzsl_section(tmp_path: Path) -> None:
    result = gzsl_evaluated(tmp_path)
    page = render_html(result)
    assert value_of(page, "AUSUC") == "0.7500"
    unavailable = dataclasses.replace(
        result.gzsl, calibrated=None, calibrated_reason="no scores <here>"
    )
    page = render_html(dataclasses.replace(result, gzsl=unavailable))
    assert value_of(page, "calibrated stacking") == "not available: no scores &lt;here&gt;"


def test_the_curve_is_drawn_upwards_through_its_first_and_last_points() -> None:
    svg = report._curve_svg(np.array([0.0, 0.0, 1.0]), np.array([1.0, 1.0, 0.0]), (0.0, 1.0))
    assert "points='30.0,30.0 270.0,270.0'" in svg  # (0, 1) top left; a repeat dropped
    assert "<circle cx='30.0' cy='30.0'" in svg


def test_a_long_curve_is_thinned_to_about_a_thousand_points_keeping_its_ends() -> None:
    xs = np.linspace(0, 1, 2501)  # every third point, and the last
    svg = report._curve_svg(xs, 1 - xs, (0.5, 0.5))
    points = re.search("<polyline points='([^']*)'", svg)[1].split()
    assert 800 < len(points) <= 1001
    assert points[0] == "30.0,30.0" and points[-1] == "270.0,270.0"


# --- the PNG -------------------------------------------------------------------------------------


def test_png_names_are_cut_past_forty_characters() -> None:
    assert report._names(["x" * 40, "y" * 41]) == ["x" * 40, "y" * 24 + "\u2026" + "y" * 15]


def test_png_names_cut_short_stay_apart() -> None:
    # Cut to their first 39 characters, both variants read "red_circle_on_a_plain_background_varia…"
    # on the axes, as the species of a genus named by their taxonomy do.
    variants = [f"red_circle_on_a_plain_background_variant_{end}" for end in "ab"]
    species = [
        f"Animalia Chordata Aves Passeriformes Corvidae Corvus {name}"
        for name in ("corax", "corone")
    ]
    middle = [f"{'x' * 25}{letter}{'y' * 25}" for letter in "ab"]  # alike but in the middle
    for names in (variants, species, middle):
        cut = report._names(names)
        assert len(set(cut)) == 2, cut
    assert report._names(variants) == [
        "red_circle_on_a_plain_ba\u2026round_variant_a",
        "red_circle_on_a_plain_ba\u2026round_variant_b",
    ]
    assert report._names(middle) == middle  # the same cut: drawn whole


def test_png_shows_at_most_sixty_classes_and_names_top1(tmp_path: Path) -> None:
    # Drawn with a stand-in for matplotlib's Figure, which records what it is asked to draw.
    figure = mock.MagicMock()
    figure.savefig.side_effect = lambda buffer, **_: buffer.write(b"png")
    rows = [(f"c{i:02d}", f"c{i:02d}") for i in range(61)]
    assert report._draw_png(evaluated(tmp_path, rows), lambda **_: figure) == b"png"
    positions = figure.add_subplot.return_value.barh.call_args[0][0]
    assert len(positions) == 60
    (title,), _ = figure.suptitle.call_args
    assert title.startswith("61 images, 61 classes") and "top-1 mean per class 100.0%" in title


def test_png_ticks_name_every_class_of_a_small_matrix(tmp_path: Path) -> None:
    figure = mock.MagicMock()
    figure.savefig.side_effect = lambda buffer, **_: buffer.write(b"png")
    report._draw_png(evaluated(tmp_path, [("cat", "cat"), ("dog", "cat")]), lambda **_: figure)
    labels = [call[0][0] for call in figure.add_subplot.return_value.set_xticklabels.call_args_list]
    assert ["cat", "dog", "unknown", "failed"] in labels


def test_blank_matplotlib_warnings_are_dropped() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(" ", UserWarning, stacklevel=1)
    assert report._drawing_problems(caught) == []


def test_example_paths_show_bytes_that_are_not_utf8_whatever_the_locale(
    latin1_locale: dict[str, str],
) -> None:
    # To Python in a Latin-1 locale, the file b"caf\xe9.png" is "café.png"; messages (and the
    # page) show the byte as \xe9 in every locale, as --json's path_to_text spells it.
    code = (
        "from zsl_cli.report import _with_examples; print(ascii(_with_examples(1, ('caf\\xe9',))))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    env.update(latin1_locale, PYTHONUTF8="0")
    encoding = "import sys; print(sys.getfilesystemencoding())"
    found = subprocess.run(
        [sys.executable, "-c", encoding], env=env, capture_output=True, text=True, timeout=60
    )
    if found.stdout.strip() != "iso8859-1":
        pytest.skip("no Latin-1 locale here")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ascii("1 (e.g. caf\\xe9)")


def drawn(result: EvaluationResult) -> mock.MagicMock:
    """The stand-in figure `result` was drawn on (see above)."""
    figure = mock.MagicMock()
    figure.savefig.side_effect = lambda buffer, **_: buffer.write(b"png")
    report._draw_png(result, lambda **_: figure)
    return figure


def test_png_title_counts_one_image_and_one_class_in_the_singular(tmp_path: Path) -> None:
    # It said "1 images, 1 classes".
    (title,), _ = drawn(evaluated(tmp_path, [("cat", "cat")])).suptitle.call_args
    assert title.startswith("1 image, 1 class, macro F1"), title


def test_png_of_many_classes_says_which_ones_it_shows(tmp_path: Path) -> None:
    # The heat map's 30 rows in name order and the 60 bars read as the first classes of the
    # list, where the .html report says that they are the worst of them.
    rows = [(f"c{i:02d}", f"c{i:02d}") for i in range(61)]
    axes = drawn(evaluated(tmp_path, rows)).add_subplot.return_value
    titles = [call[0][0] for call in axes.set_title.call_args_list]
    assert "confusion (share of each true class; the 30 worst of 61 classes)" in titles
    assert "per-class accuracy (the 60 worst of 61 classes)" in titles
    axes = drawn(evaluated(tmp_path, [("cat", "cat"), ("dog", "cat")])).add_subplot.return_value
    titles = [call[0][0] for call in axes.set_title.call_args_list]
    assert "confusion (share of each true class)" in titles
    assert "per-class accuracy (worst first)" in titles
