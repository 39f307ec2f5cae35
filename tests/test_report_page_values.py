"""zsl_cli.report: the values the .html page and the .png figure show, checked against numbers
worked out by hand for small evaluations."""

from __future__ import annotations

import dataclasses
import re
import sys
import types
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from tests.evaluation_helpers import gzsl_evaluated, predicted
from zsl_cli import report
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import EvaluationResult, evaluate, load_truth
from zsl_cli.report import OTHER, check_report_path, confusion_view, render_html


def value_of(page: str, row: str) -> str:
    """The value of a summary table row of the page."""
    match = re.search(f"<td class='name'>{re.escape(row)}</td><td class='name'>([^<]*)</td>", page)
    assert match, row
    return match[1]


def evaluated(tmp_path: Path, rows: list[tuple[str, str]], ks: tuple[int, ...] = (1,)):
    """One image per (true, predicted) row."""
    lines = "".join(f"{i}.jpg,{true}\n" for i, (true, _) in enumerate(rows))
    (tmp_path / "truth.csv").write_text(f"path,label\n{lines}", encoding="utf-8")
    predictions = [predicted(tmp_path / f"{i}.jpg", label) for i, (_, label) in enumerate(rows)]
    return evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=ks)


# --- the report's name ---------------------------------------------------------------------------


def test_a_report_named_as_a_folder_is_refused_as_one(tmp_path: Path) -> None:
    # Not "unknown report type '(none)'", nor, for a folder named r.html, a failure to write
    # once the evaluation is done.
    (tmp_path / "r.html").mkdir()
    with pytest.raises(ZslError, match=r"^output '.*r\.html' is a directory: give a file name$"):
        check_report_path(tmp_path / "r.html")
    with pytest.raises(ZslError, match=r"^output '.*reports/' names a folder: give a file name$"):
        check_report_path(f"{tmp_path}/reports/")


# --- the HTML page -------------------------------------------------------------------------------


def test_the_generalised_zero_shot_rows(tmp_path: Path) -> None:
    result = gzsl_evaluated(tmp_path)
    page = render_html(result)
    assert value_of(page, "seen classes") == "2"
    assert value_of(page, "unseen classes") == "1"
    assert value_of(page, "acc seen") == "100.0%"  # A and B right
    assert value_of(page, "acc unseen") == "0.0%"  # C never predicted
    assert value_of(page, "harmonic mean H") == "0.0%"
    assert value_of(page, "calibrated stacking: best gamma") == "0.15"
    assert value_of(page, "calibrated: acc seen / unseen") == "100.0% / 50.0%"
    assert value_of(page, "calibrated: H") == "66.7%"  # 2 x 1 x 0.5 / 1.5
    calibrated = dataclasses.replace(result.gzsl.calibrated, gamma=0.0123456)
    gzsl = dataclasses.replace(result.gzsl, calibrated=calibrated, notes=("a split note",))
    page = render_html(dataclasses.replace(result, gzsl=gzsl))
    assert value_of(page, "calibrated stacking: best gamma") == "0.01235"
    assert "<li>a split note</li>" in page


def test_the_summary_and_gzsl_tables_are_headed_by_value(tmp_path: Path) -> None:
    page = render_html(gzsl_evaluated(tmp_path))
    header = "<table><tr><th class='name'></th><th class='name'>value</th></tr><tr><td"
    assert page.count(header) == 2


def test_the_curve_marks_the_best_point_at_its_unseen_and_seen_accuracy(tmp_path: Path) -> None:
    page = render_html(gzsl_evaluated(tmp_path))
    # x: unseen 0.5 -> 30 + 0.5 x 240; y: seen 1.0 -> the top, 30.
    assert "<circle cx='150.0' cy='30.0'" in page
    # The curve from (unseen 0, seen 1) to (unseen 1, seen 0), its repeats left out.
    assert "points='30.0,30.0 150.0,30.0 150.0,150.0 270.0,150.0 270.0,270.0'" in page


def test_a_curve_point_that_moves_along_one_axis_only_is_kept() -> None:
    svg = report._curve_svg(np.array([0.0, 0.5, 0.5]), np.array([1.0, 1.0, 0.0]), (0.5, 1.0))
    assert "points='30.0,30.0 150.0,30.0 150.0,270.0'" in svg


def test_a_curve_of_somewhat_more_than_a_thousand_points_is_thinned() -> None:
    xs = np.linspace(0, 1, 1500)  # every second point, and the last: 751
    svg = report._curve_svg(xs, 1 - xs, (0.5, 0.5))
    points = re.search("<polyline points='([^']*)'", svg)[1].split()
    assert len(points) == 751


def test_the_per_class_table_shows_precision_and_an_f1_bar(tmp_path: Path) -> None:
    # cat: 2 images, both right, predicted 3 times: recall 100%, precision 66.7%, F1 0.8.
    page = render_html(evaluated(tmp_path, [("cat", "cat"), ("cat", "cat"), ("dog", "cat")]))
    cat = re.search(r"<tr><td class='name'>cat</td>(.*?)</tr>", page)[1]
    assert cat == (
        "<td>2</td>"
        "<td><span class='bar'><span style='width:100.0%'></span></span> 100.0%</td>"
        "<td>66.7%</td>"
        "<td><span class='bar'><span style='width:80.0%'></span></span> 0.800</td>"
    )


def test_a_cell_past_a_little_over_half_of_its_row_has_white_ink(tmp_path: Path) -> None:
    # dog: 3 of 5 right (60%), 2 taken for cat (40%).
    rows = [("dog", "dog")] * 3 + [("dog", "cat")] * 2 + [("cat", "cat")]
    page = render_html(evaluated(tmp_path, rows))
    dog = re.search(r"<tr><th class='name'>dog</th>(.*?)</tr>", page)[1]
    assert "rgba(59,125,216,0.600);color:#fff'>3</td>" in dog
    assert "rgba(59,125,216,0.400);color:#222'>2</td>" in dog


def test_the_page_names_each_side_of_the_unmatched_with_its_own_paths(tmp_path: Path) -> None:
    (tmp_path / "truth.csv").write_text("path,label\nseen.jpg,cat\nlost.jpg,dog\n")
    predictions = [predicted(tmp_path / "seen.jpg", "cat"), predicted(tmp_path / "x.jpg", "cat")]
    page = render_html(evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=(1,)))
    assert value_of(page, "predictions without truth") == f"1 (e.g. {tmp_path}/x.jpg)"
    assert value_of(page, "truth images without prediction") == "1 (e.g. lost.jpg)"


def test_abstained_images_are_counted_apart_from_failed_ones(tmp_path: Path) -> None:
    rows = [("cat", "cat"), ("cat", "unknown"), ("dog", "unknown"), ("dog", "dog")]
    page = render_html(evaluated(tmp_path, rows))
    assert value_of(page, "abstained (unknown)") == "2"
    assert value_of(page, "failed images") == "0"


# --- the matrix drawn ----------------------------------------------------------------------------


def test_the_summed_column_is_named_apart_from_every_class(tmp_path: Path) -> None:
    # 31 classes, two named after the summed column: it takes a name neither has.
    names = [OTHER, f"{OTHER} (summed)"] + [f"c{i:02d}" for i in range(29)]
    rows = [(name, name) for name in names] + [(OTHER, "c00"), (f"{OTHER} (summed)", "c00")]
    m = evaluated(tmp_path, rows).metrics
    view = confusion_view(m.confusion, m.per_class)
    summed = view.columns[len(view.labels)]
    assert summed == f"{OTHER} (summed) (summed)"
    assert len(set(view.columns)) == len(view.columns)


# --- the PNG -------------------------------------------------------------------------------------


def drawn(result: EvaluationResult) -> mock.MagicMock:
    """A stand-in for matplotlib's Figure, drawn on as the PNG is: it records the calls."""
    figure = mock.MagicMock()
    figure.savefig.side_effect = lambda buffer, **_: buffer.write(b"png")
    report._draw_png(result, lambda **_: figure)
    return figure


def test_the_png_heat_map_shows_shares_of_each_row(tmp_path: Path) -> None:
    rows = [("dog", "dog")] * 3 + [("dog", "cat")] + [("cat", "cat")]
    axes = drawn(evaluated(tmp_path, rows)).add_subplot.return_value
    (shares,), _ = axes.imshow.call_args
    # Columns cat, dog, unknown, failed.
    np.testing.assert_allclose(shares, [[1, 0, 0, 0], [0.25, 0.75, 0, 0]])
    axes.invert_yaxis.assert_called_once_with()  # the worst class on top, as the page lists it


def test_the_png_title_gives_top_1_only_where_it_was_measured(tmp_path: Path) -> None:
    # cat right at top-1; dog's one image has cat first and dog second: top-1 50%, top-2 100%.
    (tmp_path / "truth.csv").write_text("path,label\n0.jpg,cat\n1.jpg,dog\n")
    predictions = [
        predicted(tmp_path / "0.jpg", "cat", ["cat", "dog"]),
        predicted(tmp_path / "1.jpg", "cat", ["cat", "dog"]),
    ]
    result = evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=(2, 1))
    (title,), _ = drawn(result).suptitle.call_args
    assert title.endswith(", top-1 mean per class 50.0%"), title
    # Without top-1 among them, the title names none (top-2 here is 100%).
    result = evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=(2,))
    (title,), _ = drawn(result).suptitle.call_args
    assert "top-" not in title and "100.0%" not in title, title


def test_the_png_names_the_columns_of_a_matrix_cut_to_thirty_classes(tmp_path: Path) -> None:
    rows = [(f"c{i:02d}", f"c{i:02d}") for i in range(40)] + [("c39", "c00")]
    axes = drawn(evaluated(tmp_path, rows)).add_subplot.return_value
    labels = [call[0][0] for call in axes.set_xticklabels.call_args_list]
    assert len(labels) == 1 and len(labels[0]) == 33  # 30 classes, other, unknown, failed
    assert labels[0][-3:] == [OTHER, "unknown", "failed"]


def test_png_names_are_escaped() -> None:
    assert report._names(["cat\x1b[31m"]) == ["cat\\x1b[31m"]


def glyph_warnings(*messages: str, category: type[Warning] = UserWarning) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for message in messages:
            warnings.warn(message, category, stacklevel=1)
    return caught


def test_missing_characters_are_counted_in_one_line() -> None:
    missing = "Glyph {} (\\N{{CJK}}) missing from font(s) DejaVu Sans."
    two = glyph_warnings(missing.format(29483), missing.format(29483), missing.format(29484))
    assert report._drawing_problems(two) == [
        "2 characters of the class names are missing from the font and shown as boxes "
        "(an .html report shows them)"
    ]
    one = glyph_warnings(missing.format(29483))
    assert report._drawing_problems(one)[0].startswith("1 character of the class names is ")


def test_other_drawing_warnings_show_once_and_deprecations_not_at_all() -> None:
    caught = glyph_warnings("too tight\nsecond line", "too tight\nsecond line")
    caught += glyph_warnings("old call", category=DeprecationWarning)
    caught += glyph_warnings("older call", category=PendingDeprecationWarning)
    assert report._drawing_problems(caught) == ["matplotlib: too tight"]


class BrokenModule(types.ModuleType):
    """A module whose every name raises `error`, as a broken backend's import does."""

    def __init__(self, name: str, error: Exception) -> None:
        super().__init__(name)
        self.error = error

    def __getattr__(self, name: str) -> object:
        raise self.error


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (RuntimeError("  no backend 'x'\n  Traceback detail\n"), "no backend 'x'"),
        (RuntimeError(), "RuntimeError"),
    ],
)
def test_a_broken_matplotlib_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str
) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.setitem(sys.modules, "matplotlib.figure", BrokenModule("matplotlib.figure", error))
    with pytest.raises(ZslError) as refused:
        report._matplotlib_figure()
    assert str(refused.value) == (
        f"matplotlib cannot be imported ({reason}): write a .html report, "
        "or fix matplotlib's install or settings"
    )
