"""zsl_cli.files: outputs replaced whole or left as they were, and no temporary file left."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pytest

from zsl_cli import files
from zsl_cli.files import write_file


class InterruptedFile(io.RawIOBase):
    """A file whose write is cut short by a Ctrl-C (a signal landing while a large document is
    written), after some of its bytes reached the disk."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._file.fileno()

    def write(self, data) -> int:  # type: ignore[no-untyped-def]
        self._file.write(bytes(data[:10]))
        raise KeyboardInterrupt

    def close(self) -> None:
        self._file.close()
        super().close()


def test_a_document_whose_write_is_interrupted_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # write_file (--json, --report) discarded its temporary file on an OSError only: a Ctrl-C
    # while a large document was written left it next to the output (400 MB for a 400 MB one).
    create = files._create_temp

    def create_interrupted(target: Path) -> tuple[Path, IO[bytes]]:
        temp, file = create(target)
        return temp, io.BufferedWriter(InterruptedFile(file), buffer_size=16)

    monkeypatch.setattr(files, "_create_temp", create_interrupted)
    output = tmp_path / "metrics.json"
    output.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        write_file(output, b"a document larger than the buffer")
    assert output.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]
