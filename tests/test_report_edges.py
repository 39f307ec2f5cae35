"""zsl_cli.report at its edges: the counts the page heads with, the sections it leaves out, the
order of its notes and mistakes, the curve's thinning and the ink's cut, what the PNG draws
(bars, row names, the seen-unseen curve) and what matplotlib logs on its import."""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
import types
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from tests.evaluation_helpers import evaluated, gzsl_evaluated
from zsl_cli import report
from zsl_cli.evaluation import EvaluationResult
from zsl_cli.report import render_html


def value_of(page: str, row: str) -> str:
    """The value of a summary table row of the page."""
    match = re.search(f"<td class='name'>{re.escape(row)}</td><td class='name'>([^<]*)</td>", page)
    assert match, row
    return match[1]


def drawn(result: EvaluationResult) -> mock.MagicMock:
    """A stand-in for matplotlib's Figure, drawn on as the PNG is: it records the calls."""
    figure = mock.MagicMock()
    figure.savefig.side_effect = lambda buffer, **_: buffer.write(b"png")
    report._draw_png(result, lambda **_: figure)
    return figure


# --- the HTML page -------------------------------------------------------------------------------


def test_the_page_counts_every_image_evaluated_and_every_truth_class(tmp_path: Path) -> None:
    # Four images, one failed and one abstained, of three truth classes; "fox" is predicted only.
    rows = [("cat", "cat"), ("dog", "!"), ("dog", "unknown"), ("owl", "fox")]
    page = render_html(evaluated(tmp_path, rows))
    assert value_of(page, "images evaluated") == "4"
    assert value_of(page, "classes") == "3"
    assert value_of(page, "failed images") == "1 (truncated 1)"
    assert value_of(page, "abstained (unknown)") == "1"


def test_a_page_without_mistakes_or_notes_has_no_such_sections(tmp_path: Path) -> None:
    result = evaluated(tmp_path, [("cat", "cat"), ("dog", "dog")])
    assert not result.top_mistakes(15) and not result.warnings and not result.notes
    page = render_html(result)
    assert "Most common mistakes" not in page and "<ol>" not in page
    assert "<h2>Notes</h2>" not in page


def test_notes_list_warnings_then_notes_then_the_split_s_notes(tmp_path: Path) -> None:
    result = gzsl_evaluated(tmp_path)
    gzsl = dataclasses.replace(result.gzsl, notes=("split note",))
    result = dataclasses.replace(result, gzsl=gzsl, warnings=("a warning",), notes=("a note",))
    notes = re.search("<h2>Notes</h2><ul>(.*?)</ul>", render_html(result))[1]
    assert notes == "<li>a warning</li><li>a note</li><li>split note</li>"


def test_mistakes_are_listed_most_common_first(tmp_path: Path) -> None:
    rows = [("cat", "dog")] + [("owl", "cat")] * 3 + [("dog", "owl")] * 2 + [("dog", "dog")]
    page = render_html(evaluated(tmp_path, rows))
    mistakes = re.search("<h2>Most common mistakes</h2><ol>(.*?)</ol>", page)[1]
    assert mistakes == (
        "<li><bdi>owl</bdi> &rarr; <bdi>cat</bdi>: 3</li>"
        "<li><bdi>dog</bdi> &rarr; <bdi>owl</bdi>: 2</li>"
        "<li><bdi>cat</bdi> &rarr; <bdi>dog</bdi>: 1</li>"
    )


def test_examples_are_joined_by_commas() -> None:
    assert report._with_examples(5, ("a.jpg", "b\x1b.jpg")) == "5 (e.g. a.jpg, b\\x1b.jpg)"
    assert report._with_examples(0, ("a.jpg",)) == "0"


def test_a_curve_of_a_thousand_points_is_drawn_whole() -> None:
    xs = np.linspace(0, 1, report.CURVE_POINTS)
    svg = report._curve_svg(xs, 1 - xs, (0.5, 0.5))
    points = re.search("<polyline points='([^']*)'", svg)[1].split()
    assert len(points) == report.CURVE_POINTS
    assert points[0] == "30.0,30.0" and points[-1] == "270.0,270.0"


@pytest.mark.parametrize(("right", "ink"), [(11, "#222"), (12, "#fff")])
def test_white_ink_starts_past_fifty_five_percent_of_the_row(
    tmp_path: Path, right: int, ink: str
) -> None:
    # dog: `right` of 20 images right (55% or 60%), the rest taken for cat.
    rows = [("dog", "dog")] * right + [("dog", "cat")] * (20 - right) + [("cat", "cat")]
    page = render_html(evaluated(tmp_path, rows))
    dog = re.search(r"<tr><th class='name'>dog</th>(.*?)</tr>", page)[1]
    assert f"rgba(59,125,216,{right / 20:.3f});color:{ink}'>{right}</td>" in dog


# --- the PNG -------------------------------------------------------------------------------------


def test_the_png_bars_are_each_class_s_accuracy_worst_first(tmp_path: Path) -> None:
    # cat: 2 of 2 right, predicted 4 times (precision 50%, F1 0.667); dog: 1 of 3 right (33%).
    rows = [("cat", "cat")] * 2 + [("dog", "cat")] * 2 + [("dog", "dog")]
    axes = drawn(evaluated(tmp_path, rows)).add_subplot.return_value
    positions, widths = axes.barh.call_args[0]
    assert list(positions) == [0, 1]
    np.testing.assert_allclose(widths, [1 / 3, 1.0])


def test_the_png_names_the_rows_of_its_heat_map_and_its_bars(tmp_path: Path) -> None:
    rows = [("cat", "cat"), ("dog", "cat")]
    axes = drawn(evaluated(tmp_path, rows)).add_subplot.return_value
    labels = [call[0][0] for call in axes.set_yticklabels.call_args_list]
    assert labels == [["cat", "dog"], ["dog", "cat"]]  # heat map rows; bars, worst first


def test_the_png_curve_has_unseen_across_and_seen_up(tmp_path: Path) -> None:
    result = gzsl_evaluated(tmp_path)
    cal = result.gzsl.calibrated
    figure = drawn(result)
    axes = figure.add_subplot.return_value
    (curve_x, curve_y), _ = axes.plot.call_args_list[0]
    np.testing.assert_array_equal(curve_x, cal.unseen_curve)
    np.testing.assert_array_equal(curve_y, cal.seen_curve)
    (best_x, best_y, marker), _ = axes.plot.call_args_list[1]
    assert (best_x, best_y, marker) == ([0.5], [1.0], "o")  # unseen 50%, seen 100%
    titles = [call[0][0] for call in axes.set_title.call_args_list]
    assert "seen-unseen curve, AUSUC 0.750" in titles


# --- matplotlib's import -------------------------------------------------------------------------


class LoggingModule(types.ModuleType):
    """A stand-in matplotlib.figure whose import logs as matplotlib does on a read-only HOME."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # asked by the import itself
            raise AttributeError(name)
        log = logging.getLogger("matplotlib")
        log.info("an info line")
        log.warning("  cannot write the config folder \x1b[31m  ")
        log.warning("   ")
        return object


def test_what_matplotlib_logs_on_its_import_comes_back_escaped_and_goes_no_further(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", LoggingModule("matplotlib.figure"))
    logger = logging.getLogger("matplotlib")
    handlers, propagate = list(logger.handlers), logger.propagate
    with caplog.at_level(logging.DEBUG):
        figure, problems = report._matplotlib_figure()
    assert figure is object
    assert problems == ["matplotlib: cannot write the config folder \\x1b[31m"]
    assert not caplog.records  # nothing reached the root logger's handlers
    assert logger.handlers == handlers and logger.propagate is propagate
