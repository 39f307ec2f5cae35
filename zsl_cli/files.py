"""Where outputs go: files written atomically (a temporary sibling renamed into place, flushed to
disk), and streams (stdout, a FIFO, /dev/null) written straight into, like a shell redirection.
Also the check that no output of a run replaces a file the run reads (or lands in the model
folder it loads), CSV lines as zsl's CSV files hold them (and the rows whose names are not
UTF-8), and `absolute_path`, how every module makes a path absolute."""

from __future__ import annotations

import csv
import errno
import io
import os
import secrets
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, AnyStr

from zsl_cli.errors import OutputKept, ZslError, stop_signals
from zsl_cli.formatting import printable, quoted

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing's own from Python 3.13

try:
    import fcntl
except ImportError:  # Windows: outputs are published without a lock
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".zsl-tmp"
SIDECAR_SUFFIX = ".run.json"
NAME_MAX = 255  # bytes in a file name, on Linux and macOS file systems alike
PUBLISH_LOCK_WAIT_S = 10.0  # another run moving its files into the same folder
PUBLISH_LOCK_RETRY_S = 0.005


class CsvLines:
    """CSV rows as lines ending in "\n", with a "\r" or "\n" in a field (a file name's) quoted:
    the csv module quotes a field holding a character of its line terminator, so it writes
    "\r\n", which each line gives back as "\n" (a "\r" would reach `cut` and `while read`)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n")

    def line(self, values: Iterable[object]) -> str:
        self._csv.writerow(values)
        text = self._buffer.getvalue().removesuffix("\r\n") + "\n"
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


class NotUtf8Rows:
    """The rows an output holds whose text is not valid UTF-8 (a file name's undecodable bytes,
    written as `written_as` says): how many, and the first one's path."""

    def __init__(self, written_as: str) -> None:
        self.written_as = written_as
        self.count = 0
        self.first_path = ""

    def encoded(self, text: str, path: str, errors: str) -> bytes:
        """`text` as UTF-8, its lone surrogates written by `errors`; noted where it holds any."""
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            if not self.count:
                self.first_path = path
            self.count += 1
            return text.encode("utf-8", errors)

    def warnings(self, output: str) -> list[str]:
        """What a reader of `output` must know of those rows (none where there are none)."""
        if not self.count:
            return []
        rows = "1 row names a file" if self.count == 1 else f"{self.count} rows name files"
        return [
            f"{rows} in bytes that are not valid UTF-8 (e.g. '{printable(self.first_path)}'), "
            f"which {printable(output)} holds {self.written_as}"
        ]


def _csv_not_utf8(dtype: str) -> str:
    """How CSV holds a name's undecodable bytes, and how to read such a file whose columns
    `dtype` gives pandas (the path's column must stay text)."""
    return (
        "as those bytes: pandas and DuckDB refuse such a file as not UTF-8; in pandas read it "
        f"with read_csv(..., encoding_errors='surrogateescape', dtype={dtype}), or rename the "
        "files (e.g. with convmv)"
    )


# A predictions CSV, and an export's path index, whose one text column is the path.
CSV_NOT_UTF8 = _csv_not_utf8("{'path': object, 'label': str, 'top_k_labels': str}")
PATH_INDEX_NOT_UTF8 = _csv_not_utf8("{'path': object}")


def sidecar_path(output: str | os.PathLike[str]) -> Path:
    """Where the run info of an output file is written (csv, jsonl and label-studio outputs)."""
    return Path(str(output) + SIDECAR_SUFFIX)


def name_fits(path: Path) -> bool:
    """Whether `path`'s last part is short enough to name a file (a longer one names none)."""
    return len(os.fsencode(path.name)) <= NAME_MAX


def check_writable_later(output: str | os.PathLike[str] | None) -> None:
    """Fail now, not once the work is done, where a file written at the end (--json, --report,
    an export) cannot be: its folder cannot be created, a folder is in its place, its name is
    too long, the folder may not be written or takes no new file (/proc). A stream (stdout, a
    FIFO) is opened only to be written, once: a FIFO's reader would take an early open and
    close for the whole document."""
    if output and os.fspath(output) != "-" and not streams_into(Path(output)):
        open_sink(output).discard()


def open_sink(
    output: str | os.PathLike[str] | None,
    stdout: IO[bytes] | IO[str] | None = None,
    *,
    sidecar: bool = False,
) -> StreamSink | AtomicFileSink:
    """Where an output goes: None or "-" is stdout (`stdout`, else sys.stdout's buffer).
    `sidecar`: a file output will have a `sidecar_path` next to it, whose name must fit too."""
    if output is not None and str(output) != "-":
        return _file_sink(output, sidecar)
    text = stdout if stdout is not None else sys.stdout
    # Started with stdout closed (`>&-`), or handed a stream already closed.
    if text is None or getattr(text, "closed", False):
        raise ZslError("stdout is closed: write to a file instead")
    check_writable_stream(text)  # sys.stdout too may be a caller's object
    if not _is_text(text):
        return StreamSink(text, "stdout")
    buffer = getattr(text, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (Jupyter, redirect_stdout)
        return StreamSink(_TextWriter(text), "stdout")
    with suppress(OSError, ValueError):  # a stdout that fails is said at the first row
        text.flush()  # what the caller wrote to it comes first, not after the rows
    return StreamSink(buffer, "stdout")


def check_writable_stream(stream: object) -> None:
    """ZslError where a caller's stdout stream lacks a method an output calls, rather than an
    AttributeError once rows are written."""
    missing = [
        method for method in ("write", "flush") if not callable(getattr(stream, method, None))
    ]
    if missing:
        methods = " and ".join(f"{method}()" for method in missing)
        raise ZslError(
            f"stdout: {type(stream).__name__} has no {methods} method"
            + ("s" if len(missing) > 1 else "")
            + "; give a stream with write() and flush()"
        )


def _is_text(stream: IO[bytes] | IO[str]) -> TypeIs[IO[str]]:
    """A text stream need not be an io.TextIOBase (tempfile's wrap one), but has an encoding,
    as typing.TextIO does and typing.BinaryIO does not."""
    return isinstance(stream, io.TextIOBase) or hasattr(stream, "encoding")


class _TextWriter:
    """Bytes written as text to a text stream: file-name bytes that are not UTF-8 are kept as
    surrogate escapes, as everywhere else."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text

    def write(self, data: bytes) -> int:
        return self._text.write(data.decode("utf-8", "surrogateescape"))

    def flush(self) -> None:
        self._text.flush()

    def isatty(self) -> bool:
        return self._text.isatty()

    def close(self) -> None:
        self._text.close()


def write_file(output: str | os.PathLike[str], data: bytes) -> None:
    """A whole document (metrics, summaries, reports) written atomically; parent folders are
    created; "-" writes it to stdout."""
    sink = open_sink(output)
    try:
        sink.write(data)
        held = getattr(_held_for_together, "sinks", None)
        if held is not None and isinstance(sink, AtomicFileSink):
            sink.finish()  # a full disk fails now, before any of the files is moved into place
            held.append(sink)
            return
    except BaseException:  # a Ctrl-C while a large document is written: no temporary file left
        sink.discard()
        raise
    sink.publish(None)


# The files `write_file` has written in full and holds for `published_together`, by thread.
_held_for_together = threading.local()


@contextmanager
def published_together(
    interrupted_once_published: Callable[[], BaseException] | None = None,
) -> Iterator[None]:
    """The files of the documents `write_file` writes in the block (a run's --json and --report)
    are moved into place together when it ends without an error, stop signals waiting from the
    first rename to the last: a Ctrl-C or SIGTERM leaves every one of them this run's, or none
    (as a run's output and its run info, `_move_into_place`). An error in the block leaves each
    as it was. A document for a stream (stdout, a FIFO) is written as the block goes, never
    with a signal held. Where a file cannot replace its old one (held open by another program)
    the others are moved all the same, and one OutputKept names every file kept beside its own.
    A stop signal that came while they were moved is raised once all are in place as the
    exception `interrupted_once_published` makes, which says they are complete; without it, as
    the KeyboardInterrupt it would have been."""
    held: list[AtomicFileSink] = []
    outer = getattr(_held_for_together, "sinks", None)
    _held_for_together.sinks = held
    try:
        yield
    except BaseException:
        for sink in held:
            sink.discard()
        raise
    finally:
        _held_for_together.sinks = outer
    kept: list[OutputKept] = []
    published = False
    try:
        with interrupts_deferred():
            for sink in held:
                try:
                    sink.publish(None)
                except OutputKept as error:  # the run's other files are written all the same
                    kept.append(error)
            published = True
    except KeyboardInterrupt:
        if not published or interrupted_once_published is None:
            raise
        if not kept:  # else the file kept beside its own says the run is not all in place
            raise interrupted_once_published() from None
    finally:
        for sink in held:  # those an error left unpublished: no temporary file left behind
            sink.discard()
    if len(kept) == 1:
        raise kept[0]
    if kept:
        raise OutputKept(
            "; ".join(error.message for error in kept),
            [path for error in kept for path in error.kept],
        )


class StreamSink:
    """Writes straight to a stream: stdout, or an output that is no regular file (/dev/null, a
    FIFO, a terminal), where a temporary file and a rename would replace the thing itself. The
    run info has no sidecar there."""

    def __init__(self, stream: IO[bytes] | _TextWriter, name: str, *, owned: bool = False) -> None:
        self._stream = stream
        self._name = name
        self._owned = owned  # opened here, so closed here

    def write(self, data: bytes) -> None:
        with self._errors():
            if not isinstance(self._stream, io.RawIOBase):
                self._stream.write(data)  # buffered and text streams take all of it, or raise
                return
            # An unbuffered stdout (`python -u`, PYTHONUNBUFFERED=1 as containers often set) is a
            # raw stream, whose write() may take only part of the data: a Ctrl-C held while a
            # long row waited for a slow reader's pipe did that, and the row was cut short.
            while data:
                written = self._stream.write(data)
                if written is None:  # set non-blocking, and full: what a buffered stream raises
                    raise BlockingIOError(errno.EAGAIN, "write could not complete without blocking")
                data = data[written:]

    def is_terminal(self) -> bool:
        """Whether the stream is a terminal (stdout, -o /dev/tty), where people read the rows
        rather than programs."""
        try:
            return self._stream.isatty()
        except (AttributeError, ValueError, OSError):  # a caller's stream without it, or closed
            return False

    def record_done(self) -> None:
        with self._errors():
            self._stream.flush()

    def finish(self) -> None:
        """Everything written sent on (a stream has no rename to hold back)."""
        self.record_done()

    def publish(self, sidecar: bytes | None) -> None:
        with self._errors():
            self._stream.flush()
        self._close()

    def discard(self) -> None:
        self._close()  # what reached the stream cannot be taken back

    def _close(self) -> None:
        if self._owned:
            with suppress(OSError):
                self._stream.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            raise  # the reader went away (`| head`): not an error of this run
        except OSError as error:
            raise ZslError(f"cannot write to {self._name}: {error.strerror or error}") from error


class AtomicFileSink:
    """Writes to a temporary file next to `target`; `publish` moves it into place.

    The temporary file is created at the first write (or at `finish` or `publish`), not as the
    sink opens: an output opens before a model loads, and a load that a limit of the system ends
    natively (libgomp's exit(1), an abort) left the file behind. A probe made and removed as the
    sink opens still fails at once an output that cannot be written."""

    def __init__(self, target: Path) -> None:
        self.target = target
        _check_temp_can_be_made(target)
        self._temp: Path | None = None
        self._file: IO[bytes] | None = None

    def is_terminal(self) -> bool:
        return False

    def _opened(self) -> tuple[Path, IO[bytes]]:
        """The temporary file, created at the first call."""
        if self._temp is None or self._file is None:
            self._temp, self._file = _create_temp(self.target)
        return self._temp, self._file

    def write(self, data: bytes) -> None:
        _, file = self._opened()
        try:
            file.write(data)
        except OSError as error:
            self.discard()
            raise ZslError(f"cannot write {quoted(self.target)}: {error.strerror}") from error

    def record_done(self) -> None:
        pass

    def finish(self) -> None:
        """Write the output to disk, leaving `publish` only its rename: a full disk fails here,
        before a file that goes with this one is published."""
        _, file = self._opened()
        try:
            _finish(file)
        except OSError as error:
            self.discard()
            raise ZslError(f"cannot write {quoted(self.target)}: {error.strerror}") from error

    def publish(self, sidecar: bytes | None) -> None:
        """Move the output into place with its run info (`sidecar`), together as far as other
        zsl runs and Ctrl-C can tell (see `_move_into_place`)."""
        output, file = self._opened()
        temps = [output]
        try:
            with interrupts_deferred():
                if not file.closed:  # else `finish` wrote it
                    _finish(file)
                moves = [(output, self.target)]
                if sidecar is not None:
                    # Written in full first: a full disk then leaves the old output and run info.
                    target = sidecar_path(self.target)
                    temp, run_info = _create_temp(target)
                    temps.append(temp)
                    with run_info:
                        run_info.write(sidecar)
                        _finish(run_info)
                    moves.append((temp, target))
                # Run info kept inside the output (json) leaves an earlier run's sidecar stale.
                stale = [sidecar_path(self.target)] if sidecar is None else []
                try:
                    _move_into_place(moves, stale)
                except OSError as error:
                    raise _kept_beside(error, moves) from error
        except OSError as error:
            self._discard(temps)
            gone = _folder_gone(self.target, error)
            raise gone or ZslError(
                f"cannot write {quoted(self.target)}: {error.strerror}"
            ) from error
        except ZslError as error:
            self._discard(temps)
            gone = _folder_gone(self.target, error.__cause__)
            if gone is None:
                raise
            # Said of the output, not of the run info whose temporary file could not be made.
            raise gone from error
        except BaseException:
            self._discard(temps)
            raise

    def discard(self) -> None:
        self._discard([self._temp] if self._temp is not None else [])

    def _discard(self, temps: list[Path]) -> None:
        if self._file is not None:
            _close_unflushed(self._file)
        for temp in temps:
            temp.unlink(missing_ok=True)


def _kept_beside(error: OSError, moves: list[tuple[Path, Path]]) -> ZslError:
    """The error that says why `_move_into_place` could not move `moves` (the main file first,
    then what describes it, named after it: its run info, a .npy's path index) into place, and,
    where the old main file still stands, under which name this run's files are kept beside it
    (then an OutputKept, which holds their paths for a caller to report on): on Windows a file
    another program holds open (Excel, the usual reader of a CSV) cannot be replaced, and that
    must not throw away a run of hours. A new name, not the hidden temporary one, so that it can
    be found, opened and renamed; the describing files keep their endings after it."""
    (main_temp, main), describing = moves[0], moves[1:]
    # The file that refused: the main one, or an old describing one, which is moved aside first.
    refused = next(
        (
            os.fsdecode(name)
            for name in (error.filename, error.filename2)
            if name is not None and not os.fsdecode(name).endswith(TEMP_SUFFIX)
        ),
        os.fspath(main),
    )
    message = f"cannot write {quoted(refused)}: {error.strerror}"
    if not main_temp.exists():  # the main file was replaced; a describing one failed
        return ZslError(message)
    endings = [target.name.removeprefix(main.name) for _, target in describing]
    # Nor beside run info that is not its own (an output kept earlier had some).
    kept = _unused_name(main, {SIDECAR_SUFFIX, *endings})
    try:
        os.replace(main_temp, kept)
    except OSError:
        return ZslError(message)  # the folder takes no new name either: nothing can be kept
    kept_files = [kept]
    for (temp, _), ending in zip(describing, endings, strict=True):
        with suppress(OSError):
            os.replace(temp, kept.with_name(kept.name + ending))
            kept_files.append(kept.with_name(kept.name + ending))
    # The folder takes new files, so the file itself refused: another program holds it.
    held = " (is it open in another program, e.g. Excel?)"
    held = held if isinstance(error, PermissionError) else ""
    return OutputKept(f"{message}{held}; this run's output is kept as {quoted(kept)}", kept_files)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block ends, then deliver them as they would
    have been. Only the main thread can set signal handlers: elsewhere nothing is held."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {}
    for number in stop_signals():
        handler = signal.getsignal(number)
        if handler is None or handler == signal.SIG_IGN:  # not Python's to handle, or ignored
            continue
        previous[number] = handler
        signal.signal(number, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if held:
            signal.raise_signal(held[0])


class HeldInterrupts:
    """From `hold()` on, a Ctrl-C, SIGTERM or SIGHUP waits; `release()` ends the hold and then
    raises the KeyboardInterrupt that came meanwhile, if one did. Once one has been raised the
    run is stopping, and the others wait too: a second Ctrl-C while the block is left (its
    generators closed) came as an "Exception ignored" traceback, or stopped the stop."""

    def __init__(self) -> None:
        self.holding = False
        self._held = False
        self._stopping = False

    def handle(self, signum: int, frame: object) -> None:
        if not self.holding and not self._stopping:
            self._stopping = True
            raise KeyboardInterrupt
        self._held = True

    def hold(self) -> None:
        self.holding = True

    def release(self) -> None:
        self.holding = False
        if self._held:
            self._held = False
            raise KeyboardInterrupt


@contextmanager
def interrupts_holdable() -> Iterator[HeldInterrupts]:
    """Stop signals that Python turns into KeyboardInterrupt, made to wait while the yielded
    `holding` is set: a row written must also be counted, and a signal handled between the two
    (at any bytecode) left a row the run info did not count. A per-row `interrupts_deferred`
    would cost six signal.signal calls a row. Handlers of the caller's own are left alone, as is
    everything outside the main thread (where no handler can be set)."""
    held = HeldInterrupts()
    previous = []
    if threading.current_thread() is threading.main_thread():
        for number in stop_signals():
            if signal.getsignal(number) is signal.default_int_handler:
                previous.append(number)
                signal.signal(number, held.handle)
    try:
        yield held
    finally:
        for number in previous:
            signal.signal(number, signal.default_int_handler)


# The HeldInterrupts of the `interrupts_held_from_first_move` block running, by thread.
_held_from_first_move = threading.local()


@contextmanager
def interrupts_held_from_first_move() -> Iterator[HeldInterrupts]:
    """A block that publishes a run's outputs one after another (embed's export, then its
    --json): a stop signal stops it at once (a KeyboardInterrupt) until a file is first moved
    into place (`_move_into_place`), and from then on waits; the first that came is raised as
    the block ends without an error, every output then in place (else one that came as the first
    was moved stopped the run there: that output this run's, the others an earlier run's). Where
    the block ends with an error (an output kept beside its own, which the error names) the
    signal is dropped, as `published_together` drops it. The HeldInterrupts yielded is `holding`
    from the first move on; as for `interrupts_holdable`, a handler of the caller's own is left
    alone."""
    with interrupts_holdable() as interrupts:
        outer = getattr(_held_from_first_move, "interrupts", None)
        _held_from_first_move.interrupts = interrupts
        try:
            yield interrupts
        finally:
            _held_from_first_move.interrupts = outer
        interrupts.release()


def _open_temp(target: Path) -> tuple[Path, int]:
    """A new temporary file beside `target` and its descriptor; ZslError where none can be made.
    os.open with mode 0o666 lets the umask decide permissions, like a plain open() would
    (tempfile.mkstemp would leave the published file readable by its owner only)."""
    temp = _temp_name(target)
    try:
        return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        gone = _folder_gone(target, error)
        raise gone or ZslError(
            f"cannot write {quoted(target)}: {why_not_created(error)}"
        ) from error


def _folder_gone(target: Path, error: BaseException | None) -> ZslError | None:
    """The error for an output whose folder, there as the run began (made then where missing),
    is gone: deleted or moved away during the run (a cleanup's `rm -rf`), with the temporary file
    written in it. The system's "No such file or directory" read as though the output's name
    were wrong, and, said of the run info, as though the predictions stood. None for any other
    `error` than "No such file or directory"."""
    folder = target.parent
    if not isinstance(error, OSError) or error.errno != errno.ENOENT or os.path.isdir(folder):
        return None
    return ZslError(
        f"cannot write {quoted(target)}: its folder {quoted(folder)} was deleted or moved away "
        "during the run, and what this run wrote there with it; run again"
    )


def _check_temp_can_be_made(target: Path) -> None:
    """Make and remove a temporary file beside `target`: ZslError now, where the one written
    later could not be made."""
    temp, descriptor = _open_temp(target)
    os.close(descriptor)
    temp.unlink(missing_ok=True)


def _create_temp(target: Path) -> tuple[Path, IO[bytes]]:
    # A file that is replaced keeps its own permissions.
    temp, descriptor = _open_temp(target)
    try:
        # Windows has no fchmod before Python 3.13: there the mode is set by name.
        with suppress(OSError):
            mode = stat.S_IMODE(os.stat(target).st_mode)
            os.chmod(descriptor if os.chmod in os.supports_fd else temp, mode)
        return temp, os.fdopen(descriptor, "wb")
    except BaseException:  # nobody else knows of the file yet
        with suppress(OSError):
            os.close(descriptor)
        temp.unlink(missing_ok=True)
        raise


def _unused_name(target: Path, endings: Iterable[str]) -> Path:
    """`<stem>.new<suffix>` beside `target` (out.new.csv: it opens as out.csv does), numbered
    (out.new2.csv) where that name, or that name followed by one of `endings` (the files that
    go with it: its run info, a .npy's path index), is taken."""
    endings = list(endings)
    number = 1
    while True:
        name = f"{target.stem}.new{number if number > 1 else ''}{target.suffix}"
        kept = target.with_name(name)
        taken = [kept, *(kept.with_name(name + ending) for ending in endings)]
        if not any(os.path.lexists(path) for path in taken):
            return kept
        number += 1


def _temp_name(target: Path) -> Path:
    """A hidden name of its own beside `target`, for a file on its way in or out: the target's
    name is cut short where the name would be too long for a file name."""
    room = NAME_MAX - len(f"..{secrets.token_hex(4)}{TEMP_SUFFIX}")
    stem = os.fsdecode(os.fsencode(target.name)[:room])
    return target.with_name(f".{stem}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


@contextmanager
def atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """A file written in full or not at all: a temporary sibling, flushed to disk and renamed
    into place when the block ends without an error, else deleted."""
    with atomic_files(target) as (file,):
        yield file


@contextmanager
def atomic_files(*targets: Path) -> Iterator[list[IO[bytes]]]:
    """Files of one folder written in full or not at all, and moved into place together
    (`_move_into_place`; the first is the main one, the others named after it) when the block
    ends without an error. Where the old main file cannot be replaced (held open by another
    program), OutputKept names where this run's files are kept beside it (`_kept_beside`)."""
    temps: list[tuple[Path, IO[bytes], Path]] = []
    try:
        for target in targets:
            temps.append((*_create_temp(target), target))
        yield [file for _, file, _ in temps]
        for _, file, _ in temps:
            _finish(file)
        moves = [(temp, target) for temp, _, target in temps]
        with interrupts_deferred():  # a Ctrl-C between the renames would lose the kept files
            try:
                _move_into_place(moves)
            except OSError as error:
                raise _kept_beside(error, moves) from error
    finally:
        for temp, file, _ in temps:
            _close_unflushed(file)
            temp.unlink(missing_ok=True)


def _move_into_place(moves: list[tuple[Path, Path]], stale: Iterable[Path] = ()) -> None:
    """Rename temporary files onto their targets in one folder, the first being the main file
    and the others what describes it (its run info, the paths of its rows); `stale` files, which
    described an earlier main file, are removed.

    Other zsl runs publishing into the folder wait meanwhile (`_folder_locked`), so two runs
    writing one output at once leave one run's files, never a mix. Ctrl-C and SIGTERM wait too,
    within `interrupts_held_from_first_move` until its block ends. The old describing files are
    moved aside first: a run killed between the renames leaves a file without them rather than
    next to another run's. Aside, not removed: where the main file cannot be replaced (on
    Windows, while another program such as Excel holds it open) they are moved back, and the old
    output keeps its run info."""
    (main_temp, main), describing = moves[0], moves[1:]
    folder = main.parent
    first_move = getattr(_held_from_first_move, "interrupts", None)
    if first_move is not None:  # from here a stop signal waits for the run's other outputs
        first_move.hold()
    with interrupts_deferred(), _folder_locked(folder):
        aside: list[tuple[Path, Path]] = []  # (where an old file went, its own name)
        try:
            for target in [*stale, *(target for _, target in describing)]:
                if os.path.isdir(target):  # the user's folder, never moved (a stale one stays)
                    continue
                moved = _temp_name(target)
                try:
                    os.replace(target, moved)
                except FileNotFoundError:
                    continue
                except OSError:
                    if target in stale:  # a name too long to be one; else left as it was
                        continue
                    raise
                aside.append((moved, target))
            os.replace(main_temp, main)
        except BaseException:
            for moved, target in reversed(aside):
                with suppress(OSError):
                    os.replace(moved, target)
            raise
        for moved, _ in aside:
            with suppress(OSError):  # a hidden temporary file left is no harm
                moved.unlink()
        for temp, target in describing:
            os.replace(temp, target)
    _sync_directory(folder)


@contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """An exclusive lock (flock) on the folder itself, which leaves no lock file behind. Where
    it cannot be had (no flock, a file system without it) or another holds it for
    PUBLISH_LOCK_WAIT_S (no zsl run holds it longer than a few renames), nothing is held."""
    try:
        descriptor = None if fcntl is None else os.open(folder, os.O_RDONLY)
    except OSError:
        descriptor = None
    if descriptor is None:
        yield
        return
    try:
        deadline = time.monotonic() + PUBLISH_LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break
                time.sleep(PUBLISH_LOCK_RETRY_S)
            except OSError:
                break
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _close_unflushed(file: IO[bytes]) -> None:
    """Close a file that is being thrown away. Closing flushes what is still buffered, which on
    a full disk fails again (the file is closed all the same): that must neither hide the
    error being handled nor keep the temporary file from being removed."""
    with suppress(OSError):
        file.close()


def _finish(file: IO[bytes]) -> None:
    file.flush()
    os.fsync(file.fileno())
    file.close()


def _sync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def names_a_folder(name: str | os.PathLike[str]) -> bool:
    """Whether `name` ends in '/', saying a folder is meant: Path() drops that slash."""
    return os.fspath(name).endswith(("/", os.sep))


def refuse_folder_output(output: str | os.PathLike[str], is_directory: bool) -> None:
    """ZslError for an output that is a folder, or whose name ends in '/' (one meant)."""
    if is_directory:
        raise ZslError(f"output {quoted(Path(output))} is a directory: give a file name")
    if names_a_folder(output):
        raise ZslError(f"output {quoted(output)} names a folder: give a file name")


def _file_sink(output: str | os.PathLike[str], sidecar: bool) -> AtomicFileSink | StreamSink:
    """Like a shell redirection: through a symbolic link to its file, and straight into what is
    no regular file (a FIFO, /dev/null) or names a stream already open (/dev/stdout, /dev/fd/N),
    where a temporary file and a rename would replace the thing itself."""
    target = Path(output)
    try:
        mode = os.stat(target).st_mode  # follows links
    except (FileNotFoundError, NotADirectoryError):
        if names_open_stream(target):  # /dev/stdout after `>&-`, /dev/fd/N of no descriptor
            raise ZslError(f"cannot write {quoted(target)}: no such stream is open") from None
        mode = None
    except OSError as error:  # a link loop, a folder we may not enter
        raise ZslError(f"cannot write {quoted(target)}: {error.strerror}") from error
    refuse_folder_output(output, mode is not None and stat.S_ISDIR(mode))
    if mode is not None and streams_into(target):
        try:
            stream = open(target, "ab")  # noqa: SIM115 - closed by the sink
        except OSError as error:
            raise ZslError(f"cannot write {quoted(target)}: {error.strerror}") from error
        return StreamSink(stream, repr(str(target)), owned=True)
    target = written_path(target)
    if mode is not None:
        check_not_read_only(target)
    longest = sidecar_path(target) if sidecar else target
    excess = len(os.fsencode(longest.name)) - NAME_MAX
    if excess > 0:  # found now, not once the run is done
        also = f" (and its run info goes next to it as <name>{SIDECAR_SUFFIX})" if sidecar else ""
        raise ZslError(
            f"output name {quoted(target.name)} is {excess} bytes too long for a file "
            f"name{also}: {NAME_MAX} bytes at most"
        )
    if sidecar and sidecar_path(target).is_dir():  # found now, not once the run is done
        raise ZslError(
            f"the run info of output {quoted(target)} goes to {quoted(sidecar_path(target))}, "
            "which is a directory: move it away or choose another output name"
        )
    run_info = sidecar_path(target)
    if sidecar:  # replaced as the output is, so kept as the output is
        check_not_read_only(run_info, f"the run info {quoted(run_info)} of output {quoted(target)}")
    elif name_fits(run_info) and not run_info.is_dir():
        # removed as stale at publish, so kept as a replaced one is
        check_not_read_only(
            run_info,
            f"the run info {quoted(run_info)} of an earlier output {quoted(target)}, which "
            "this output would remove as stale,",
        )
    create_folder(target.parent, f"the output folder {quoted(target.parent)}")
    return AtomicFileSink(target)


def written_path(output: str | os.PathLike[str]) -> Path:
    """The file an output named `output` is written to: through a symbolic link, its target, as
    a shell's `>` writes it (the link stays a link)."""
    path = Path(output)
    # os.path's islink, not pathlib's: a name too long to be a file is no link either, where
    # is_symlink() raised ENAMETOOLONG before the check that says which name is too long.
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def check_not_read_only(target: Path, what: str | None = None) -> None:
    """ZslError if `target` exists and its user may not write it. A rename needs only the
    folder's permission: a file kept read-only would be replaced, where a shell's `>` says
    Permission denied. `what` names the file in the message (default: the output)."""
    if os.path.exists(target) and not os.access(target, os.W_OK):
        what = what or f"output {quoted(target)}"
        raise ZslError(f"{what} is read-only: make it writable or choose another name")


def create_folder(folder: Path, what: str) -> None:
    """`folder` and the folders above it, made where missing; ZslError "cannot create `what`"
    with the reason, which names the file or the link to nowhere in the way where there is one (the
    system's own words, "File exists" or "Not a directory", do not say which)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        why = error.strerror
        if isinstance(error, (FileExistsError, NotADirectoryError)):
            for above in reversed((folder, *folder.parents)):
                if above.exists() and not above.is_dir():
                    why = f"{quoted(above)} is a file, not a folder"
                    break
                if above.is_symlink() and not above.exists():
                    target = quoted(os.readlink(above))
                    why = f"{quoted(above)} is a link to {target}, which is not there"
                    break
        raise ZslError(f"cannot create {what}: {why_not_created(error, why)}") from error


def why_not_created(error: OSError, why: str | None = None) -> str:
    """Why a file or folder could not be created: `why` (else the system's words), unless its
    folder is there and yet the system says "No such file or directory", as /proc does for a
    name it does not hold, which reads as though the folder were missing."""
    if error.errno == errno.ENOENT and error.filename is not None:
        folder = os.path.dirname(os.fsdecode(error.filename)) or "."
        if os.path.isdir(folder):
            return (
                f"no new file can be made in {quoted(folder)} (a kernel file system such as "
                "/proc): choose another folder"
            )
    return why or error.strerror or str(error)


def point_at_devnull(*streams: IO | None) -> None:
    """Point these streams' descriptors at /dev/null, so that what is still buffered for a
    reader that went away (or a stream that cannot be written) goes nowhere at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in streams:
            if stream is None:  # started closed (`>&-`): Python's sys.stdout is None
                continue
            with suppress(OSError, ValueError):  # a test runner's buffer has no descriptor
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def goes_to_stream(output: str | os.PathLike[str]) -> bool:
    """Whether `open_sink` writes `output` straight into a stream: "-" (stdout), a FIFO,
    /dev/null, /dev/stdout, a terminal; not through a temporary file and a rename."""
    return str(output) == "-" or streams_into(Path(output))


def streams_into(path: Path) -> bool:
    """Whether an output at `path` is written straight into, as by a shell redirection: it is
    there and is no regular file or folder (a FIFO, /dev/null, a terminal), or it names a stream
    already open (/dev/stdout, /dev/fd/N)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISDIR(mode) and (not stat.S_ISREG(mode) or names_open_stream(path))


def names_open_stream(path: Path) -> bool:
    """/dev/stdout, /dev/stderr, /dev/fd/N, /proc/<pid>/fd/N: a descriptor the shell opened."""
    name = os.path.abspath(path)
    return (
        name in ("/dev/stdout", "/dev/stderr")
        or name.startswith("/dev/fd/")
        or (name.startswith("/proc/") and "/fd/" in name)
    )


NamedOutput = tuple[str, "str | os.PathLike[str] | None"]


def named_output(option: str, path: str | os.PathLike[str] | None) -> NamedOutput:
    """An output as `check_outputs_spare_inputs` takes it: its path (None: not written; '-':
    stdout), and what names it in messages, the option that gives it and the name given
    (`--json r.json`), or stdout, where a command writes without the option."""
    named = option if path is None else f"{option} {os.fspath(path)}"
    return ("stdout" if path == "-" else named, path)


def check_outputs_spare_inputs(
    outputs: Iterable[NamedOutput],
    input_files: Iterable[str | os.PathLike[str] | None],
    images: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Writing a result over a file the run reads (a store, even one this run creates, an image,
    a class file, predictions) or two results into one file would destroy one of them: refuse
    before any work. Files are compared as files, whatever the spelling or link leads to them.
    `outputs` are (name, path) pairs, as `named_output` makes them; each file output has a run
    info file beside it, which it replaces or removes, so that file is written too."""
    written: dict[tuple, str] = {}  # each file written, by what names it
    beside: dict[tuple, str] = {}  # the run info files among them, as an input's message names them
    for named, path in outputs:
        output = None if path is None else os.fspath(path)
        key = None if output is None else output_key(output)
        if output is None or key is None:
            continue  # not written, or a device (/dev/null, a terminal): nothing is kept there
        files = [(key, named)]
        if output != "-" and not streams_into(Path(output)):  # as AtomicFileSink places it
            run_info = os.fspath(sidecar_path(written_path(output)))
            run_info_key = _file_key(run_info)
            if run_info_key is not None:
                files.append((run_info_key, f"the run info file of {named}"))
                beside[run_info_key] = f"{run_info} (the run info file of {named})"
        for file_key, name in files:
            if file_key in written:
                raise ZslError(
                    f"{written[file_key]} and {name} are the same file: give each its own"
                )
            written[file_key] = name
    for input_file in input_files:
        key = _file_key(os.fspath(input_file)) if input_file is not None else None
        taken = None if key is None else beside.get(key, written.get(key))
        if taken is not None:
            raise ZslError(f"{taken} is an input of this run; write elsewhere")
    existing = {key: output for key, output in written.items() if key[0] == "file"}
    for image in images if existing else ():
        key = _file_key(os.fspath(image))
        if key in existing:
            raise ZslError(
                f"{beside.get(key, existing[key])} is an input of this run; write elsewhere"
            )


def absolute_path(path: str | os.PathLike[str]) -> str:
    """`path` made absolute and normalised as os.path.abspath does, except that a `..` after a
    linked folder leads where the file system takes it, to the parent of the link's target (the
    abspath of link/../a.png names another file than the one opened)."""
    absolute = os.path.join(os.getcwd(), os.fspath(path))
    parts = absolute.split(os.sep)
    if ".." not in parts:
        return os.path.normpath(absolute)
    resolved = os.sep
    for part in parts:
        if part == "..":
            if os.path.islink(resolved):
                resolved = os.path.realpath(resolved)
            resolved = os.path.dirname(resolved)
        elif part not in ("", "."):
            resolved = os.path.join(resolved, part)
    return resolved


def inside_folder(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether `path` is `folder` or lies inside it, links followed in both (a file not there
    yet by the folder it would be made in)."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(os.path.join(top, ""))


def output_key(output: str) -> tuple | None:
    """What writing `output` ('-': stdout) writes into, as outputs are compared to tell that two
    are one file; None for a device (/dev/null, a terminal) or a folder, which keep nothing."""
    return _stdout_key() if output == "-" else _file_key(output)


def _file_key(path: str) -> tuple | None:
    """What a path leads to: an existing regular file, pipe or socket (its `file_identity`), or,
    for a file not there yet, its real path; None for anything else."""
    try:
        return _stat_key(os.stat(path), path)
    except OSError:
        return ("path", os.path.realpath(path))


def _stdout_key() -> tuple | None:
    """What stdout writes into, as _file_key has it (/dev/stdout, or the file `>` named, is that
    too: two outputs there would run into each other)."""
    status = stdout_status()
    return _stat_key(status, None) if status is not None else None


def stdout_status() -> os.stat_result | None:
    """The status of what stdout writes into (a file, a pipe, a terminal); None for no stdout,
    or one without a descriptor (a test's)."""
    try:
        return os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        return None


def _stat_key(status: os.stat_result, path: str | None) -> tuple | None:
    """`path`: what was stat'ed; None for stdout, which has no name to go by where its file has
    no inode number (then it is known only as stdout, which two outputs there still share)."""
    if stat.S_ISREG(status.st_mode):
        kind = "file"
    elif stat.S_ISFIFO(status.st_mode) or stat.S_ISSOCK(status.st_mode):
        kind = "stream"
    else:
        return None
    if path is None and not status.st_ino:
        return (kind, "stdout")
    return (kind, file_identity(status, path or ""))  # stdout's inode number is known here


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    """Whether two statuses are of one file, as `file_identity` tells files apart: never where
    there is no inode number (st_ino 0, some Windows drives, and Windows' consoles and pipes),
    which os.path.samestat took for the same file as any other without one."""
    return a.st_ino != 0 and os.path.samestat(a, b)


def file_identity(status: os.stat_result, path: AnyStr) -> tuple[int, int] | AnyStr:
    """What tells the file or folder at `path` (whose `status` this is) from every other:
    (st_dev, st_ino), as links and other spellings lead to it. Python's st_ino identifies a
    file only "if non-zero", and some Windows network and virtual drives give 0 for every file
    (every folder then looked like one already seen): there it is its normalised real path."""
    if status.st_ino:
        return (status.st_dev, status.st_ino)
    return os.path.normcase(os.path.realpath(path))
