"""OutputOptions(stdout=...) refuses, as it is made, a stream that cannot be written: one opened
for reading, or closed. Such a stream was taken, and the call failed only once every image was
encoded, with "cannot write to stdout: write"."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from zsl_cli import api
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("mode", ["r", "rb"])
def test_a_stream_opened_for_reading_is_refused_as_options_are_made(
    tmp_path: Path, mode: str
) -> None:
    path = tmp_path / "stream.txt"
    path.write_text("")
    with path.open(mode) as stream:
        kind = type(stream).__name__
        with pytest.raises(
            ZslError, match=rf"^stdout: the {kind} is not open for writing; give a stream "
        ):
            api.OutputOptions(stdout=stream)


def test_a_closed_stream_is_refused_as_options_are_made() -> None:
    stream = io.BytesIO()
    stream.close()
    with pytest.raises(ZslError, match=r"^stdout is closed: write to a file instead$"):
        api.OutputOptions(stdout=stream)


def test_a_stream_that_cannot_say_whether_it_writes_is_refused() -> None:
    stream = io.TextIOWrapper(io.BytesIO())
    stream.detach()  # writable() raises ValueError: the buffer has been detached
    with pytest.raises(ZslError, match=r"^stdout: the TextIOWrapper is not open for writing"):
        api.OutputOptions(stdout=stream)


class _DuckWriter:
    """A writer with write() and flush() alone: no writable() to ask."""

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(
    "stream",
    [io.BytesIO(), io.StringIO(), _DuckWriter()],
    ids=["bytes", "text", "duck-typed"],
)
def test_streams_that_write_are_taken(stream: object) -> None:
    assert api.OutputOptions(stdout=stream).stdout is stream  # type: ignore[arg-type]


def test_a_file_opened_for_reading_and_writing_is_written(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1] / "sample_images"
    path = tmp_path / "both.csv"
    path.write_bytes(b"")
    with path.open("r+b") as stream:
        api.label(
            api.LabelRequest(
                inputs=api.InputOptions(paths=(str(root / "red circle"),)),
                classes=api.ClassOptions(classes=["red circle", "blue square"]),
                model=api.ModelOptions(name="shapes-demo"),
                output=api.OutputOptions(stdout=stream),
            )
        )
    assert path.read_bytes().startswith(b"path,label,score,")
