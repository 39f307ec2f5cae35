"""zsl_cli.files: outputs replaced whole or left as they were, and no temporary file left."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from zsl_cli import files
from zsl_cli.errors import ZslError
from zsl_cli.files import check_outputs_spare_inputs, named_output, open_sink, write_file
from zsl_cli.writers import open_writer


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


def read_only_to_this_user(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """`path` made read-only, as a user (not root, who writes any file) sees it."""
    path.chmod(0o444)
    access = os.access

    def as_a_user(name, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(name) == os.fspath(path) and mode & os.W_OK:
            return False
        return access(name, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", as_a_user)


def test_a_read_only_output_is_refused_as_a_shell_refuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A results file made read-only to keep it was replaced all the same (a rename needs only
    # the folder's permission), and stayed read-only; `> results.csv` says Permission denied.
    output = tmp_path / "results.csv"
    output.write_bytes(b"kept")
    read_only_to_this_user(monkeypatch, output)
    link = tmp_path / "latest.csv"
    link.symlink_to(output.name)
    for name in (output, link):
        with pytest.raises(ZslError, match="read-only"):
            open_sink(name, sidecar=True)
        with pytest.raises(ZslError, match="read-only"):
            write_file(name, b"new")
    assert output.read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.csv", "results.csv"]


def test_a_read_only_run_info_is_refused_as_its_output_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run info file made read-only was replaced all the same while a read-only output was
    # refused; one the run could not replace (immutable) failed the run once its work was done.
    output = tmp_path / "results.csv"
    run_info = tmp_path / "results.csv.run.json"
    run_info.write_bytes(b"kept")
    read_only_to_this_user(monkeypatch, run_info)
    link = tmp_path / "latest.csv"
    link.symlink_to(output.name)
    for name in (output, link):
        with pytest.raises(
            ZslError, match=r"^the run info .*results\.csv\.run\.json.* is read-only"
        ):
            open_sink(name, sidecar=True)
    assert run_info.read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.csv", "results.csv.run.json"]


def test_a_read_only_run_info_that_a_document_would_remove_as_stale_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A document output (-f json, --json, --report) removes an earlier run's <output>.run.json
    # as stale: one made read-only to keep it was deleted without a word, where the same file
    # is refused when the run would replace it.
    output = tmp_path / "out.json"
    run_info = tmp_path / "out.json.run.json"
    run_info.write_bytes(b"kept")
    read_only_to_this_user(monkeypatch, run_info)
    link = tmp_path / "latest.json"
    link.symlink_to(output.name)
    message = r"^the run info .*out\.json\.run\.json.* would remove as stale, is read-only"
    for name in (output, link):
        with pytest.raises(ZslError, match=message):
            open_writer(name, "json")
        with pytest.raises(ZslError, match=message):
            write_file(name, b"{}")
    assert run_info.read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "out.json.run.json"]
    # One that may be written is still removed as stale, and a folder in its place is left.
    monkeypatch.undo()
    run_info.chmod(0o644)
    write_file(output, b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "out.json"]
    run_info.mkdir()
    write_file(output, b"{}")
    assert run_info.is_dir()


def test_an_output_name_that_is_not_utf8_shows_its_bytes(tmp_path: Path) -> None:
    # repr() showed 'out\udce9/', where the README promises \xNN on stderr.
    name = os.path.join(os.fsdecode(tmp_path), os.fsdecode(b"out\xe9/"))
    with pytest.raises(ZslError, match=r"out\\xe9/' names a folder"):
        open_sink(name)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("/proc/r.csv", "cannot write '/proc/r.csv': no new file can be made in '/proc' "),
        ("/proc/new/r.csv", "cannot create the output folder '/proc/new': no new file can be "),
    ],
)
def test_an_output_in_a_folder_that_takes_no_files_says_so(output: str, message: str) -> None:
    # /proc answers "No such file or directory" for a name it does not hold, which the error
    # passed on: it read as though /proc were missing.
    with pytest.raises(ZslError) as info:
        write_file(output, b"{}")
    assert info.value.message.startswith(message), info.value.message
    assert "No such file" not in info.value.message


def test_an_input_named_as_an_outputs_run_info_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file output replaces <output>.run.json with its run info or, for a document, removes it
    # as stale: 'zsl evaluate p.jsonl --truth m.json.run.json --json m.json' deleted the truth.
    truth = tmp_path / "m.json.run.json"
    truth.write_text("path,label\n")
    with pytest.raises(
        ZslError,
        match=r"m\.json\.run\.json \(the run info file of --json .*m\.json\) is an input of",
    ):
        check_outputs_spare_inputs([named_output("--json", tmp_path / "m.json")], [truth])
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "runs" / "m.json")  # its run info goes next to the file it names
    (tmp_path / "runs").mkdir()
    moved = tmp_path / "runs" / "m.json.run.json"
    truth.rename(moved)
    with pytest.raises(ZslError, match="is an input of this run"):
        check_outputs_spare_inputs([named_output("--json", link)], [moved])
    # Stdout has no run info file beside it.
    monkeypatch.chdir(tmp_path)
    Path("-.run.json").write_text("path,label\n")
    check_outputs_spare_inputs([named_output("--json", "-")], ["-.run.json"])
    # An image of a store, known only once it is read, is no place for a run info file either.
    image = tmp_path / "t.csv.run.json"
    image.write_bytes(b"\x89PNG")
    with pytest.raises(ZslError, match=r"t\.csv\.run\.json \(the run info file of -o t\.csv\)"):
        check_outputs_spare_inputs([named_output("-o", "t.csv")], [], [image])


CHILD = """
import io, os, sys, time
from zsl_cli.files import open_sink, write_file

output, moment = sys.argv[1], sys.argv[2]
calls = {"fsync": 0, "replace": 0, "write": 0}

def slowed(name, call):
    # A slow disk: the parent's Ctrl-C lands while this call runs.
    def slow(*args):
        calls[name] += 1
        if f"{name} {calls[name]}" == moment:
            print(moment, flush=True)
            time.sleep(0.5)
        return call(*args)
    return slow

class SlowFile(io.FileIO):
    write = slowed("write", io.FileIO.write)

os.fsync, os.replace = slowed("fsync", os.fsync), slowed("replace", os.replace)
os.fdopen = lambda fd, mode: io.BufferedWriter(SlowFile(fd, "w"), buffer_size=4)
if moment == "write 1":
    write_file(output, b"new document")
else:
    sink = open_sink(output, sidecar=True)
    sink.write(b"new")
    sink.publish(b"new run info")
"""


@pytest.mark.parametrize(
    "moment", ["write 1", "fsync 1", "fsync 2", "replace 1", "replace 2", "fsync 3"]
)
def test_ctrl_c_at_any_moment_leaves_the_old_output_or_the_whole_new_one(
    tmp_path: Path, moment: str
) -> None:
    # A real SIGINT from another process, while the output, its run info and their folder are
    # flushed (fsync 1, 2, 3) and moved into place (replace 1, 2), or while a document is written.
    output = tmp_path / "out.csv"
    run_info = tmp_path / "out.csv.run.json"
    output.write_bytes(b"old")
    run_info.write_bytes(b"old run info")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(output), moment],
        stdout=subprocess.PIPE,
        env=env,
        # A shell that starts jobs in the background makes them ignore SIGINT; undo that here.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().decode().strip() == moment
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=60) != 0  # interrupted, never ended as if nothing happened
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["out.csv", "out.csv.run.json"]
    if moment == "write 1":  # not published, and its temporary file removed
        assert (output.read_bytes(), run_info.read_bytes()) == (b"old", b"old run info")
    else:  # the move into place holds the signal until both files are there
        assert (output.read_bytes(), run_info.read_bytes()) == (b"new", b"new run info")
