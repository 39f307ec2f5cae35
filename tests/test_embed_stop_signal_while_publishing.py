"""`zsl embed --export FILE --json FILE`: a stop signal that comes once its files are being moved
into place (or after) waits until the last of them is in place, and the run then ends as label's
does: one line naming its outputs as complete, and the run's own exit status. One that comes
while the export is still being written stops the run before it replaces an earlier export,
which the summary says. An export kept beside one held open is still named.

In-process: SIGINT is sent from a patched function, so it lands in the window each test is
about; an interrupt that escaped the CLI would fail the test, never stop pytest."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from tests.helpers import error_line, held_open, temp_files, write_images
from zsl_cli import api, files
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends itself SIGINT")

CUT_SHORT = "zsl: stopped by a signal before the summary was shown in full; the run is complete: "
N_IMAGES = 3


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of images and a store that holds them, made once: each test copies the store."""
    folder = tmp_path_factory.mktemp("embedded")
    write_images(folder / "images", N_IMAGES, size=(32, 32))
    request = api.EmbedRequest(
        str(folder / "s.zsl"),
        api.InputOptions(paths=(str(folder / "images"),)),
        api.ModelOptions(name="shapes-demo"),
    )
    api.embed(request)
    return folder


@pytest.fixture()
def workdir(embedded: Path, tmp_path: Path, ctrl_c_interrupts: object) -> Path:
    """`tmp_path` as the current folder, holding the images and a copy of the store; an
    earlier run's export and --json there."""
    os.symlink(embedded / "images", tmp_path / "images")
    (tmp_path / "s.zsl").write_bytes((embedded / "s.zsl").read_bytes())
    np.save(tmp_path / "e.npy", np.zeros((1, 16), np.float32))
    (tmp_path / "e.npy.paths.csv").write_text("index,path\n0,old.png\n")
    (tmp_path / "run.json").write_text('{"old": 1}\n')
    return tmp_path


def signal_in(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, *, after: bool) -> None:
    """SIGINT to this process as `owner.name` is first called: before it runs, or `after`."""
    original: Callable[..., Any] = getattr(owner, name)
    sent: list[bool] = []

    def signalled(*args: object, **kwargs: object) -> object:
        if not after and not sent:
            sent.append(True)
            signal.raise_signal(signal.SIGINT)
        result = original(*args, **kwargs)
        if after and not sent:
            sent.append(True)
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(owner, name, signalled)


def zsl(folder: Path, *args: str) -> Result:
    """`zsl ARGS` run in `folder`; an interrupt that escapes the CLI fails the test."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(app, list(args))
    except KeyboardInterrupt as stop:
        pytest.fail(f"the interrupt escaped the CLI: {stop!r}")
    finally:
        os.chdir(cwd)


EMBED = ("embed", "images", "-s", "s.zsl", "-m", "shapes-demo")


def export_rows(folder: Path) -> int:
    return len((folder / "e.npy.paths.csv").read_text().splitlines()) - 1


def test_a_signal_as_the_export_is_moved_waits_for_the_json_too(monkeypatch, workdir):
    signal_in(monkeypatch, files, "_move_into_place", after=False)
    result = zsl(workdir, *EMBED, "--export", "e.npy", "--json", "run.json")
    assert result.exit_code == EXIT_OK, result.output
    assert error_line(result.stderr) == (
        f"{CUT_SHORT}store s.zsl, export e.npy, export e.npy.paths.csv, --json run.json"
    )
    assert "Embedded into" not in result.stderr
    written = json.loads((workdir / "run.json").read_text())
    assert written["exported"] == N_IMAGES and written["interrupted"] is False
    assert export_rows(workdir) == N_IMAGES and np.load(workdir / "e.npy").shape[0] == N_IMAGES
    assert temp_files(workdir) == []


def test_a_signal_as_the_json_is_moved(monkeypatch, workdir):
    signal_in(monkeypatch, files, "_move_into_place", after=False)
    result = zsl(workdir, *EMBED, "--json", "run.json")
    assert result.exit_code == EXIT_OK, result.output
    assert error_line(result.stderr) == f"{CUT_SHORT}store s.zsl, --json run.json"
    assert json.loads((workdir / "run.json").read_text())["reused"] == N_IMAGES


def test_a_signal_once_the_export_is_in_place_without_a_json(monkeypatch, workdir):
    signal_in(monkeypatch, api, "write_export", after=True)
    result = zsl(workdir, *EMBED, "--export", "e.npy")
    assert result.exit_code == EXIT_OK, result.output
    assert error_line(result.stderr) == (
        f"{CUT_SHORT}store s.zsl, export e.npy, export e.npy.paths.csv"
    )
    assert export_rows(workdir) == N_IMAGES


def test_an_export_without_paths_signalled_as_it_is_moved(monkeypatch, workdir):
    signal_in(monkeypatch, files, "_move_into_place", after=False)
    result = zsl(
        workdir, "embed", "-s", "s.zsl", "-m", "shapes-demo", "--export", "e.npy", "--json", "-"
    )
    assert result.exit_code == EXIT_OK, result.output
    assert error_line(result.stderr) == (
        f"{CUT_SHORT}export e.npy, export e.npy.paths.csv, --json -"
    )
    assert json.loads(result.stdout)["exported"] == N_IMAGES
    assert export_rows(workdir) == N_IMAGES


def test_a_signal_while_the_export_is_written_leaves_the_earlier_one(monkeypatch, workdir):
    # Before anything is moved into place the run stops at once, its store complete; the
    # summary says the export was not written, and the --json says so too.
    signal_in(monkeypatch, api, "write_export", after=False)
    result = zsl(workdir, *EMBED, "--export", "e.npy", "--json", "run.json")
    assert result.exit_code == EXIT_INTERRUPTED, result.output
    assert "Interrupted embedding into" in result.stderr
    assert "Not exported" in result.stderr
    assert export_rows(workdir) == 1  # the earlier run's
    written = json.loads((workdir / "run.json").read_text())
    assert written["interrupted"] is True
    assert written["not_exported"] == {"path": "e.npy", "earlier_file": True}
    assert temp_files(workdir) == []


def test_a_kept_export_is_named_though_a_signal_came_as_it_was_moved(monkeypatch, workdir):
    held_open(monkeypatch, "e.npy")
    signal_in(monkeypatch, files, "_move_into_place", after=False)
    result = zsl(workdir, *EMBED, "--export", "e.npy", "--json", "run.json")
    assert result.exit_code == EXIT_USAGE, result.output
    assert error_line(result.stderr).endswith(f"this run's output is kept as '{Path('e.new.npy')}'")
    assert "the run is complete" not in result.stderr
    assert json.loads((workdir / "run.json").read_text())["exported_to"] == [
        "e.new.npy",
        "e.new.npy.paths.csv",
    ]


def test_the_library_raises_with_its_report_once_every_file_is_in_place(monkeypatch, workdir):
    signal_in(monkeypatch, files, "_move_into_place", after=False)
    request = api.EmbedRequest(
        str(workdir / "s.zsl"),
        api.InputOptions(paths=(str(workdir / "images"),)),
        api.ModelOptions(name="shapes-demo"),
        export=str(workdir / "e.npy"),
        json_out=str(workdir / "run.json"),
    )
    with pytest.raises(KeyboardInterrupt) as stop:  # any other one fails the test here
        api.embed(request)
    assert isinstance(stop.value, api.InterruptedOnceWritten), repr(stop.value)
    report = stop.value.result
    assert isinstance(report, api.EmbedReport) and report.exported == N_IMAGES
    assert json.loads((workdir / "run.json").read_text()) == json.loads(
        json.dumps(report.to_json())
    )


# files.interrupts_held_from_first_move itself, without a model.


def test_a_signal_before_the_first_move_stops_the_block_at_once(tmp_path, ctrl_c_interrupts):
    reached = []
    with pytest.raises(KeyboardInterrupt), files.interrupts_held_from_first_move():
        signal.raise_signal(signal.SIGINT)
        reached.append("after the signal")
    assert reached == []


def test_a_signal_after_the_first_move_waits_for_the_block_to_end(tmp_path, ctrl_c_interrupts):
    written = []
    with pytest.raises(KeyboardInterrupt), files.interrupts_held_from_first_move() as moving:
        files.write_file(tmp_path / "a.json", b"{}")
        assert moving.holding
        signal.raise_signal(signal.SIGINT)
        files.write_file(tmp_path / "b.json", b"[]")
        written.append("both")
    assert written == ["both"] and (tmp_path / "b.json").read_bytes() == b"[]"


def test_a_signal_held_is_dropped_where_the_block_ends_with_an_error(tmp_path, ctrl_c_interrupts):
    # Caught as either, so that a signal not dropped fails the test, not stops pytest.
    with (
        pytest.raises((ValueError, KeyboardInterrupt)) as ended,
        files.interrupts_held_from_first_move(),
    ):
        files.write_file(tmp_path / "a.json", b"{}")
        signal.raise_signal(signal.SIGINT)
        raise ValueError("the error that names what happened")
    assert isinstance(ended.value, ValueError), repr(ended.value)
