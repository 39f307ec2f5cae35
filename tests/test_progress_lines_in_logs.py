"""A long run whose stderr is no interactive terminal (nohup, a CI log, `2> log`) says how far it
is in a plain line now and then, where a terminal would show the progress bar: a 23-minute
`zsl embed` under nohup wrote nothing to its log until the summary, so a slow run looked hung."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import GoneReader, Unwritable, embed, write_images
from tests.terminal import Terminal
from zsl_cli.summary import ProgressBar


class Clock:
    """A clock the test moves on: no test sleeps for a minute."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def to_a_file(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """stderr as a file: no terminal. Set in the test itself: pytest sets its own stderr
    between a fixture and the test."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


def test_a_long_run_logs_a_line_a_minute_and_none_at_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = to_a_file(monkeypatch)
    clock = Clock()
    bar = ProgressBar(clock=clock)
    bar.start(30_000, "encoding images")
    clock.now += 59
    bar.advance(3_000)
    assert log.getvalue() == ""  # not in the first minute: a short run prints what it did
    clock.now += 138  # 197 s in: 4,200 images at 21.3 a second, 25,800 to go
    bar.advance(1_200)
    assert log.getvalue() == "encoding images: 4200 of 30000 (14%), 21.3 img/s, about 20 min left\n"
    clock.now += 59  # a minute after the last line, not after the start
    bar.advance(1_000)
    assert log.getvalue().count("\n") == 1
    clock.now += 1
    bar.advance(1_000)
    lines = log.getvalue().splitlines()
    assert lines[1] == "encoding images: 6200 of 30000 (20%), 24.1 img/s, about 16 min left"
    clock.now += 600
    bar.advance(23_800)  # the last batch: the summary follows, not a line at 100%
    bar.stop()
    assert len(log.getvalue().splitlines()) == 2
    assert "\r" not in log.getvalue()


def test_each_bar_counts_its_own_minute_in_its_own_words(monkeypatch: pytest.MonkeyPatch) -> None:
    log = to_a_file(monkeypatch)
    clock = Clock()
    bar = ProgressBar(clock=clock)
    bar.start(80_000, "encoding class prompts")
    clock.now += 60
    bar.advance(16_000)
    bar.stop()
    bar.start(200, "encoding images")  # the images' minute starts with them
    clock.now += 50
    bar.advance(3)
    clock.now += 10
    bar.advance(2)
    assert log.getvalue().splitlines() == [
        "encoding class prompts: 16000 of 80000 (20%), 266.7 prompt/s, about 4 min left",
        # Under one a second, as the label summary says it.
        "encoding images: 5 of 200 (2%), 12 s per image, about 39 min left",
    ]


@pytest.mark.parametrize(
    ("done", "seconds", "said"),
    [
        (0, 61, "encoding images: 0 of 100 (0%), none yet after 61 s"),
        (90, 60, "encoding images: 90 of 100 (90%), 1.5 img/s, under a minute left"),
        (1, 3600, "encoding images: 1 of 100 (1%), 3600 s per image, about 99.0 h left"),
        (99, 120, "encoding images: 99 of 100 (99%), 0.8 img/s, under a minute left"),
    ],
)
def test_a_line_at_the_ends_of_the_range(
    monkeypatch: pytest.MonkeyPatch, done: int, seconds: float, said: str
) -> None:
    log = to_a_file(monkeypatch)
    clock = Clock()
    bar = ProgressBar(clock=clock)
    bar.start(100, "encoding images")
    clock.now += seconds
    bar.advance(done)
    assert log.getvalue() == said + "\n"


def test_quiet_logs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    log = to_a_file(monkeypatch)
    clock = Clock()
    bar = ProgressBar(quiet=True, clock=clock)
    bar.start(100, "encoding images")
    clock.now += 3600
    bar.advance(50)
    bar.stop()
    assert log.getvalue() == ""


def test_a_terminal_that_draws_the_bar_gets_no_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys, "stderr", Terminal())
    clock = Clock()
    bar = ProgressBar(clock=clock)
    bar.start(100, "encoding images")
    clock.now += 3600
    bar.advance(50)
    bar.stop()
    assert "0/100" in sys.stderr.getvalue()  # the bar was drawn
    assert "50 of 100" not in sys.stderr.getvalue()


def test_a_terminal_that_takes_no_redraws_gets_the_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    # Emacs' shell (TERM=dumb) shows no bar: it is as blind as a log without these lines.
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setattr(sys, "stderr", Terminal())
    clock = Clock()
    bar = ProgressBar(clock=clock)
    bar.start(100, "encoding images")
    clock.now += 100
    bar.advance(50)
    assert (
        sys.stderr.getvalue() == "encoding images: 50 of 100 (50%), 0.5 img/s, about 2 min left\n"
    )


@pytest.mark.parametrize("stderr", [Unwritable, GoneReader], ids=["full disk", "reader gone"])
def test_a_line_that_cannot_be_written_is_dropped_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch, stderr: type[io.StringIO]
) -> None:
    # A full disk, or `nohup zsl embed ... 2>&1 | tee log` whose tee went with the terminal: the
    # run went on to its end before these lines, and must still (its summary then ends a run
    # whose reader is gone as killed by SIGPIPE); no later line tries again.
    monkeypatch.setattr(sys, "stderr", stderr())
    clock = Clock()
    bar = ProgressBar(clock=clock)
    bar.start(100, "encoding images")
    for _ in range(3):
        clock.now += 60
        bar.advance(10)
    bar.stop()
    assert sys.stderr.tries == 1


# A line at each batch, as though each took a minute.
EVERY_BATCH = "import zsl_cli.summary as s; s.LOG_EVERY_S = 0"


def _zsl(
    *args: object, stderr: object, before: str = "", stdout: object = subprocess.DEVNULL
) -> subprocess.CompletedProcess[bytes]:
    """zsl in a process of its own, after the Python code `before`."""
    code = f"{before}\nfrom zsl_cli.cli import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=stdout,
        stderr=stderr,
        timeout=300,
        check=False,
    )


def test_a_short_run_into_a_log_file_prints_what_it_did_without_progress(tmp_path: Path) -> None:
    write_images(tmp_path / "images", 6)
    log = tmp_path / "embed.log"
    with log.open("wb") as stderr:
        done = _zsl(
            "embed", tmp_path / "images", "--store", tmp_path / "s.zsl", "-m", "shapes-demo",
            "--batch-size", "2", stderr=stderr,
        )  # fmt: skip
    assert done.returncode == 0, log.read_text()
    text = log.read_text()
    assert text.startswith("Embedded into ") and len(text.splitlines()) == 1, text


def test_a_log_file_gets_whole_lines_from_the_cli(tmp_path: Path) -> None:
    # The lines come through the CLI's own bar: here one at each batch, as a minute went by.
    write_images(tmp_path / "images", 6)
    log = tmp_path / "embed.log"
    with log.open("wb") as stderr:
        done = _zsl(
            "embed", tmp_path / "images", "--store", tmp_path / "s.zsl", "-m", "shapes-demo",
            "--batch-size", "2", stderr=stderr, before=EVERY_BATCH,
        )  # fmt: skip
    assert done.returncode == 0, log.read_text()
    lines = log.read_bytes().split(b"\n")
    assert [line.split(b",")[0] for line in lines[:2]] == [
        b"encoding images: 2 of 6 (33%)",
        b"encoding images: 4 of 6 (66%)",
    ]
    assert lines[2].startswith(b"Embedded into ") and lines[3:] == [b""]
    assert b"\r" not in log.read_bytes()


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGPIPE")
def test_a_run_whose_stderr_reader_went_away_stores_every_image(tmp_path: Path) -> None:
    write_images(tmp_path / "images", 6)
    store = tmp_path / "s.zsl"
    read, write = os.pipe()
    os.close(read)
    try:
        done = _zsl(
            "embed", tmp_path / "images", "--store", store, "-m", "shapes-demo",
            "--batch-size", "2", stderr=write, before=EVERY_BATCH,
        )  # fmt: skip
    finally:
        os.close(write)
    assert done.returncode == -signal.SIGPIPE  # at the summary, once every image was stored
    status, report, _ = embed(store, Path("shapes-demo"), tmp_path / "images")
    assert status == 0 and report["reused"] == 6 and report["encoded"] == 0, report


def test_predictions_on_stdout_into_stderrs_file_get_no_progress_line(tmp_path: Path) -> None:
    # `zsl label ... > out.csv 2>&1`, nohup's nohup.out: a line would land between the rows,
    # the first above the header. The summary still comes after the rows.
    write_images(tmp_path / "images" / "cat", 6)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    both = tmp_path / "both.csv"
    label = ("label", tmp_path / "images", "-c", tmp_path / "classes.txt", "-m", "shapes-demo")
    with both.open("wb") as out:
        done = _zsl(*label, "-b", "2", stdout=out, stderr=out, before=EVERY_BATCH)
    assert done.returncode == 0, both.read_text()
    lines = both.read_text().splitlines()
    assert lines[0].startswith("path,label,") and lines[-1] == "Predictions: stdout", lines
    assert all(line.endswith(",ok,") for line in lines[1:7]), lines
    assert lines[7].startswith("Labelled 6 of 6 images"), lines
    assert not any(line.startswith("encoding") for line in lines), lines
    # Into a file of its own, the predictions leave the log its lines.
    log = tmp_path / "label.log"
    with log.open("wb") as stderr:
        done = _zsl(*label, "-b", "2", "-o", tmp_path / "p.csv", stderr=stderr, before=EVERY_BATCH)
    assert done.returncode == 0, log.read_text()
    assert log.read_text().startswith("encoding images: 2 of 6 (33%)"), log.read_text()
