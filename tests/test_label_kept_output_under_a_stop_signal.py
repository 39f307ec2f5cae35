"""`zsl label -o FILE` whose output is kept beside one held open (exit 2, the error naming where)
when a stop signal came as the output was moved into place: the error still names the kept file,
as `zsl embed`'s and `published_together`'s do, where the run ended as a bare `zsl: interrupted`
and the file kept was never named.

In-process: SIGINT is sent from a patched `files._move_into_place`, held until the run's files
are settled; an interrupt that escaped the CLI would fail the test, never stop pytest."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.helpers import error_line, held_open, temp_files, write_images
from zsl_cli import files
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_USAGE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends itself SIGINT")


def invoke(*args: object) -> Result:
    try:
        return CliRunner().invoke(app, [str(arg) for arg in args])
    except KeyboardInterrupt as stop:
        pytest.fail(f"the interrupt escaped the CLI: {stop!r}")


def test_a_kept_output_is_named_though_a_signal_came_as_it_was_moved(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ctrl_c_interrupts: object
) -> None:
    write_images(tmp_path / "images", 2, size=(32, 32))
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    output = tmp_path / "out.csv"
    output.write_text("old rows\n")
    held_open(monkeypatch, "out.csv")
    move = files._move_into_place

    def signalled(*args, **kwargs):  # type: ignore[no-untyped-def]
        signal.raise_signal(signal.SIGINT)  # held until the files are settled
        return move(*args, **kwargs)

    monkeypatch.setattr(files, "_move_into_place", signalled)
    result = invoke("label", tmp_path / "images", "-c", classes, "-m", "shapes-demo", "-o", output)
    assert result.exit_code == EXIT_USAGE, result.output
    kept = tmp_path / "out.new.csv"
    assert error_line(result.stderr).endswith(f"this run's output is kept as '{kept}'")
    assert f"Predictions: {kept}" in result.stderr
    assert "the run is complete" not in result.stderr
    assert output.read_text() == "old rows\n" and len(kept.read_text().splitlines()) == 3
    assert temp_files(tmp_path) == []
