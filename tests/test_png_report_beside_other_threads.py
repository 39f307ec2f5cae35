"""A PNG report drawn while a host program's other threads go on: matplotlib's warnings and
log records are kept for the report, and only those of the drawing thread. Warning filters,
warnings.showwarning and matplotlib's logger are the whole process's: what other threads warn
or log meanwhile reaches the program as before, and each is put back once the last block that
changed it has ended, whatever order overlapping blocks end in."""

from __future__ import annotations

import logging
import sys
import threading
import types
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.evaluation_helpers import evaluated
from zsl_cli import report
from zsl_cli.evaluation import EvaluationResult
from zsl_cli.images import pillow_settings

WAIT_S = 60  # only a broken test waits this long: every wait is for an event that comes


def waited(event: threading.Event) -> None:
    assert event.wait(WAIT_S), "the other thread never got there"


def drawn_while(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], None]) -> None:
    """Run `meanwhile` inside render_png, once matplotlib's Figure is imported, just before the
    figure is drawn."""
    draw = report._draw_png

    def draw_after(result: EvaluationResult, Figure: type) -> bytes:
        meanwhile()
        return draw(result, Figure)

    monkeypatch.setattr(report, "_draw_png", draw_after)


def cjk_result(tmp_path: Path) -> EvaluationResult:
    """A result whose class name has characters matplotlib's default font lacks: drawing it
    warns of them."""
    return evaluated(tmp_path, [("猫", "猫"), ("dog", "dog")])


def test_another_thread_s_warning_during_the_drawing_reaches_the_program_not_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A service warned every 50 ms in one thread while another evaluated: its warnings came
    # back as "matplotlib: service warning N" lines of the report, and never reached it.
    def service_warns() -> None:
        # stacklevel=1: the warning is this module's, as a service's own would be its.
        service = threading.Thread(
            target=lambda: warnings.warn("the service's own", RuntimeWarning, stacklevel=1)
        )
        service.start()
        service.join()

    drawn_while(monkeypatch, service_warns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data, problems = report.render_png(cjk_result(tmp_path))
    assert data.startswith(b"\x89PNG")
    assert [str(w.message) for w in caught if "service" in str(w.message)] == ["the service's own"]
    assert not [problem for problem in problems if "service" in problem]
    # The drawing's own warnings are still the report's.
    assert any("missing from the font" in problem for problem in problems), problems


def test_the_drawing_s_own_warnings_are_kept_under_a_filter_that_makes_them_errors(
    tmp_path: Path,
) -> None:
    # python -W error: a missing character would fail the report.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        data, problems = report.render_png(cjk_result(tmp_path))
    assert data.startswith(b"\x89PNG")
    assert problems == [
        "1 character of the class names is missing from the font and shown as boxes "
        "(an .html report shows them)"
    ]
    assert caught == []


def test_a_drawing_that_ends_after_a_run_began_before_it_leaves_no_warning_filter_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `label` decodes in one thread under Pillow's settings (its warning filters among them);
    # `evaluate` draws its PNG in another, from before the label run ends to after. The
    # drawing put back the filters it had found, Pillow's among them, for good.
    run_began, run_ended = threading.Event(), threading.Event()
    drawing = threading.Event()

    def run() -> None:
        with pillow_settings(1_000):
            run_began.set()
            waited(drawing)
        run_ended.set()

    def across_the_run_s_end() -> None:
        drawing.set()
        waited(run_ended)

    drawn_while(monkeypatch, across_the_run_s_end)
    filters, shown = list(warnings.filters), warnings.showwarning
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(run)
        waited(run_began)
        data, _ = report.render_png(cjk_result(tmp_path))
        running.result()
    assert data.startswith(b"\x89PNG")
    assert warnings.filters == filters
    assert warnings.showwarning is shown


class ImportedInTurn(types.ModuleType):
    """A stand-in matplotlib.figure whose import, in each thread, logs a warning naming the
    thread, then runs what the test gave for that thread's name."""

    def __init__(self, name: str, steps: dict[str, Callable[[], None]]) -> None:
        super().__init__(name)
        self.steps = steps

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # asked by the import itself
            raise AttributeError(name)
        thread = threading.current_thread().name
        logging.getLogger("matplotlib").warning("%s's import", thread)
        self.steps[thread]()
        return object


def test_imports_that_overlap_leave_matplotlib_s_logger_as_it_was_and_keep_only_their_own(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Two evaluates drew PNGs in threads: the first to begin saved the logger's propagate (True)
    # and set it False, the second saved False; the first ended first, and False stayed. And
    # each import kept what any thread logged to matplotlib's logger meanwhile.
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def host_logs() -> None:
        host = threading.Thread(
            target=lambda: logging.getLogger("matplotlib.host").warning("the host's own"),
            name="host",
        )
        host.start()
        host.join()

    def first() -> None:
        first_in.set()
        waited(second_in)
        host_logs()

    def second() -> None:
        second_in.set()
        waited(first_out)

    steps = {"first": first, "second": second}
    monkeypatch.setitem(
        sys.modules, "matplotlib.figure", ImportedInTurn("matplotlib.figure", steps)
    )
    logger = logging.getLogger("matplotlib")
    handlers, propagate = list(logger.handlers), logger.propagate
    assert propagate

    def imported(name: str, before: threading.Event | None) -> Future[tuple[type, list[str]]]:
        done: Future[tuple[type, list[str]]] = Future()

        def run() -> None:
            try:
                done.set_result(report._matplotlib_figure())
            except BaseException as error:  # re-raised by result() in the test's thread
                done.set_exception(error)
            finally:
                if threading.current_thread().name == "first":
                    first_out.set()

        threading.Thread(target=run, name=name).start()
        if before is not None:
            waited(before)
        return done

    with caplog.at_level(logging.WARNING):
        first_done = imported("first", first_in)
        second_done = imported("second", None)
        (_, first_problems), (_, second_problems) = (
            first_done.result(WAIT_S),
            second_done.result(WAIT_S),
        )
    assert first_problems == ["matplotlib: first's import"]
    assert second_problems == ["matplotlib: second's import"]
    assert [record.getMessage() for record in caplog.records] == ["the host's own"]
    assert logger.handlers == handlers
    assert logger.propagate is True
