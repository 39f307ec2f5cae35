"""SQLite embedding store: image embeddings kept per model and file, updated incrementally.

Encoding images is the expensive step; choosing classes is what users iterate on. The store keeps
embeddings so relabelling needs only the text tower, and re-running `zsl embed` encodes only new or
changed files (same absolute path, size and mtime_ns = unchanged).

Layout (schema version 2, in `PRAGMA user_version`; `PRAGMA application_id` marks a zsl store):

- `models`: one row per model identity (hash of weights + preprocessing), with its display name,
  embedding dim, the dtype its vectors are stored in (`float32` or `float16`) and the precision
  the model encoded them in (`float32`, `float16`, `bfloat16`; NULL where a version 1 store did
  not record it). Version 1 stores gain that column the first time `zsl embed` writes to them;
  the precision of the vectors they already hold stays unknown.
- `files`: one row per (model, absolute path). The path is stored as the `os.fsencode` bytes
  (a BLOB), so non-UTF-8 names round-trip exactly and ORDER BY path sorts by bytes. A row holds
  size, mtime_ns, status ("ok" or a failure reason), error text, the vector as little-endian raw
  bytes (NULL for failures; never pickle) and when it was written (UTC, ISO 8601). The table is
  clustered by (model, path), so loading reads in path order sequentially; a covering index on
  (model, path, size, mtime_ns, status) lets plan() read stats without touching vectors.

Every write is one transaction (`add()` per batch, `forget()` on its own), the journal is WAL with
synchronous=FULL, so a run killed at any point leaves a valid store holding every committed batch.
A signal's handler runs within a long SQLite call (`_let_signals_in`): what it raises (a Ctrl-C's
KeyboardInterrupt, a caller's own exception) stops the call, a write rolled back, and comes out of
it as it was raised.

`stored_items` gives a run (label, hubness) its items from the store instead of from decoded
images.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shlex
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from stat import S_ISREG
from types import TracebackType
from typing import Generic, TypeVar
from urllib.parse import quote

import numpy as np

from zsl_cli.accents import not_found_hint
from zsl_cli.defaults import DEFAULT_MODEL
from zsl_cli.discovery import real_folder_keys
from zsl_cli.errors import ZslError
from zsl_cli.exports import ExportRows, check_export_path, write_export
from zsl_cli.files import (
    TEMP_SUFFIX,
    absolute_path,
    create_folder,
    file_identity,
    why_not_created,
    written_path,
)
from zsl_cli.formatting import (
    clipped_text,
    counted,
    listed,
    printable,
    printable_text,
    some_names,
)
from zsl_cli.images import UNREADABLE, DecodeError, decided_by_content, file_problem
from zsl_cli.records import (
    PRECISION_OPTIONS,
    STATUS_CHANGED,
    STATUS_NOT_EMBEDDED,
    STATUS_OK,
    STORE_BEHIND_STATUSES,
    ImageItem,
)

SCHEMA_VERSION = 2
# How a model's name in a store (`api._stored_model_name`) says its images were preprocessed as
# transformers does (--exact-preprocessing): that makes other embeddings.
EXACT_PREPROCESSING_SUFFIX = " (exact preprocessing)"
# "zsl1" as a big-endian int: lets us tell our files from other SQLite databases.
APPLICATION_ID = 0x7A736C31
DEFAULT_TIMEOUT_S = 30.0
WAL_SWITCH_RETRY_S = 0.01
LOCK_SLICE_S = 0.1  # waiting for another writer: how often a signal can interrupt the wait
# SQLite steps of one call (a query, a whole executemany) between the calls to
# `_let_signals_in`: about a millisecond apart, and a negligible cost next to the steps.
SIGNAL_CHECK_STEPS = 10_000
VECTOR_DTYPES: dict[str, np.dtype] = {"float32": np.dtype("<f4"), "float16": np.dtype("<f2")}
# `files` is clustered by (model, path) (WITHOUT ROWID), so load() reads one model's rows in path
# order sequentially. Big pages keep rows of a few KB (a 512-d float32 vector is 2 KiB) local and
# densely packed: with the default 4 KiB pages each such row takes a page of its own.
PAGE_SIZE = 65536
# How long after a file's mtime a rewrite may leave that mtime as it was (a tick of the file
# system's clock; see `wait_for_mtime_ticks`): whole-second mtimes come from file systems that
# keep seconds (ext4 with 128-byte inodes, HFS+, some NFS and SMB shares) or two (FAT); finer ones
# move by the kernel's clock tick (1-10 ms), exFAT's by 10 ms. And how far the kernel's clock
# for mtimes (updated once a tick) may lag the one time.time_ns() reads.
COARSE_MTIME_TICK_NS = 2_000_000_000
FINE_MTIME_TICK_NS = 20_000_000
MTIME_CLOCK_LAG_NS = 10_000_000
UNIT_LENGTH_TOLERANCE = 0.01  # of an image embedding's L2 norm from 1 (`_matrix`)
CHECKED_ROWS = 4096  # vectors `plan` checks at a time (`_VectorCheck`): 8 MiB of 512-d float32
DAMAGED_NAMED = 3  # damaged images a message names
CACHE_KIB = 65536  # per connection, allocated on demand
# The -wal file is copied into the store once it holds this many pages (SQLite's default, 1,000,
# is 64 MiB of our pages: 600 images at -b 1 took a 66 MB -wal for a 2 MB store, which a small
# disk or quota refused), and cut back to this many bytes once copied where it had outgrown that
# (while a reader held it). Measured on 300 commits of 16 512-d rows: the -wal peaked at 2.7 MB,
# not 66 MB, and a commit took 5.3-5.9 ms, not 3.5-5.0.
WAL_CHECKPOINT_PAGES = 32
WAL_LIMIT_BYTES = 4 << 20
# The files SQLite keeps beside a store, named as the store with "-<kind>" after it.
JOURNAL_KINDS = ("wal", "shm", "journal")
# The schema objects (type, name, table) a store holds: those `_SCHEMA` makes, the index SQLite
# makes for `models.identity UNIQUE`, and the tables of statistics ANALYZE (or `PRAGMA optimize`)
# adds. Every schema version had these; version 1 lacked only a column.
_OWN_OBJECTS = frozenset(
    {
        ("table", "models", "models"),
        ("table", "files", "files"),
        ("index", "files_stat", "files"),
        ("index", "sqlite_autoindex_models_1", "models"),
    }
)
_STATISTICS_TABLE = re.compile(r"sqlite_stat\d")

_SCHEMA = """
CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    dim INTEGER NOT NULL CHECK (dim > 0),
    dtype TEXT NOT NULL CHECK (dtype IN ('float32', 'float16')),
    created_at TEXT NOT NULL,
    precision TEXT
);
CREATE TABLE files (
    model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    path BLOB NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    vector BLOB,
    written_at TEXT NOT NULL,
    PRIMARY KEY (model_id, path),
    CHECK ((status = 'ok') = (vector IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX files_stat ON files (model_id, path, size, mtime_ns, status);
"""


@dataclass(frozen=True)
class FileStat:
    """What identifies one version of a file: absolute path (os.fsdecode form), size, mtime_ns."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class SyncPlan:
    """What an incremental run must do for one model.

    to_encode: new or changed files, in scan order, and files whose stored failure may have
    been passing (a permission, a size limit): those are retried every run. reused: unchanged
    paths (failures of the file's content included: retried only when the file changes), in scan
    order. stale: stored paths under the scanned roots whose files no longer exist, sorted by
    path bytes. reused_failed: how many of the reused are stored failures; reused_failures:
    those, each (path, status, reason), in scan order.
    """

    to_encode: list[FileStat]
    reused: list[str]
    stale: list[str]
    reused_failed: int = 0
    reused_failures: list[tuple[str, str, str]] = field(default_factory=list)
    # Scanned roots that are missing or hold no file at all, then empty folders below them,
    # under which stored images are gone (see `plan`): kept, and not in `stale`, unless the plan
    # was asked to forget them.
    absent: list[AbsentRoot] = field(default_factory=list)
    kept: int = 0  # stored images kept under them (each once)
    # Stored images of the scan's files under a folder that is gone (`gone_copies`).
    copies: list[GoneCopy] = field(default_factory=list)
    # Unchanged images whose stored vector a read refuses as damaged (`_vector_faults`): in
    # `to_encode`, so that `zsl embed` repairs the store its readers refuse.
    repaired: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AbsentRoot:
    """A scanned root (absolute) that is missing or a folder holding no file at all, or (`below`)
    a folder below one that the scan found holding no entry at all, and how many stored images
    were under it: an unmounted drive or share looks the same as a deleted one, and its mount
    point may be a folder inside the one embedded."""

    path: str
    missing: bool
    stored: int
    below: bool = False


@dataclass(frozen=True)
class GoneCopy:
    """`images` stored images under `path`, a folder that is gone (moved, deleted or not
    mounted), with the names (below it) and sizes of images under `there`, a folder that is
    there: a collection moved with its store, embedded at its new place too, is held twice, and
    a whole-store read counts each image twice. Both absolute."""

    path: str
    there: str
    images: int


@dataclass(frozen=True)
class StoredFile:
    """What the store holds for one path: its stat when stored, status, and vector (float32)."""

    size: int
    mtime_ns: int
    status: str
    error: str
    vector: np.ndarray | None


@dataclass(frozen=True)
class StoredItem:
    """One file's result to store: `vector` (shape [dim]) for status "ok", None otherwise."""

    stat: FileStat
    status: str
    error: str
    vector: np.ndarray | None


@dataclass(frozen=True)
class StoredEmbeddings:
    """Rows of `vectors` (float32 [n, dim]) align with `paths`; both sorted by path bytes.

    failed holds (path, status, error) of the stored failures, sorted the same way.
    """

    paths: list[str]
    vectors: np.ndarray
    failed: list[tuple[str, str, str]]


@dataclass(frozen=True)
class ModelInfo:
    id: int
    identity: str
    name: str
    dim: int
    dtype: str
    precision: str | None  # what the model encoded in; None where not recorded
    n_ok: int
    n_failed: int


@dataclass(frozen=True)
class Unreachable:
    """A path that is not a readable file, with the decoder's status and reason for it."""

    path: Path
    status: str
    reason: str


def stat_files(paths: Iterable[Path]) -> tuple[list[FileStat], list[Unreachable]]:
    """Stat each path (following symlinks) -> FileStats, and why the others are not files.

    Paths are made absolute with files.absolute_path (symlinks are not resolved, so the stored
    path is the one the user sees).
    """
    stats: list[FileStat] = []
    problems: list[Unreachable] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is not None and S_ISREG(st.st_mode):
            stats.append(FileStat(absolute_path(path), st.st_size, st.st_mtime_ns))
            continue
        problem = file_problem(path) or DecodeError(UNREADABLE, "changed while it was scanned")
        problems.append(Unreachable(path, problem.status, problem.reason))
    return stats, problems


def wait_for_mtime_ticks(
    stats: Iterable[FileStat],
    sleep: Callable[[float], object] = time.sleep,
    now_ns: Callable[[], int] = time.time_ns,
) -> float:
    """Wait, before these files are read, until the tick of each one's mtime is over; return
    the seconds waited. A file rewritten in place with the same size within the tick it was
    written in keeps its mtime, and so (size, mtime) stored from a read in that tick named
    the rewritten file too, which kept the old vector for good (git's "racily clean" entries).
    Read after the tick, a later rewrite gets another mtime. The wait is at most a tick (2 s
    for whole-second mtimes, 30 ms otherwise), only where a file changed that recently: most
    runs spend longer loading the model. An mtime in the future (a clock set wrong) is not
    waited for."""
    now = now_ns()
    until = now
    for stat in stats:
        whole = stat.mtime_ns % 1_000_000_000 == 0
        tick = (COARSE_MTIME_TICK_NS if whole else FINE_MTIME_TICK_NS) + MTIME_CLOCK_LAG_NS
        if stat.mtime_ns <= now < stat.mtime_ns + tick:
            until = max(until, stat.mtime_ns + tick)
    waited = (until - now) / 1e9
    if waited > 0:
        sleep(waited)
    return waited


def without_store_files(paths: Sequence[Path], store: str | os.PathLike[str]) -> list[Path]:
    """`paths` less the store's own files, however spelled: the store and the journals SQLite
    keeps beside it (-wal, -shm, -journal). A store in the folder it holds the images of, named
    as an image (photos/store.png), or in a path list, was read as an image and stored as a
    failure. Only paths named as one of those files are resolved."""
    own, names = _own_files(store)
    return [path for path in paths if path.name not in names or os.path.realpath(path) not in own]


def _own_files(store: str | os.PathLike[str]) -> tuple[set[str], set[str]]:
    """The real paths of the store's files (the store, its journals), and the names a path to
    one of them may have (theirs, and the store's as given: a link)."""
    real = os.path.realpath(store)
    own = {real, *(f"{real}-{kind}" for kind in JOURNAL_KINDS)}
    return own, {os.path.basename(name) for name in own} | {Path(store).name}


# A store file's (st_ino, st_size, st_mtime_ns, st_ctime_ns); None where there is no such file.
_FileState = tuple[int, int, int, int] | None


def _files_state(real: str | os.PathLike[str]) -> tuple[_FileState, ...]:
    """The state of the store at real path `real` and of its -wal file."""
    state: list[_FileState] = []
    for name in (real, f"{real}-wal"):
        try:
            st = os.stat(name)
        except OSError:
            state.append(None)
        else:
            state.append((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(state)


class EmbeddingStore:
    """An open store (one SQLite connection: use it from the thread that opened it).

    Use as a context manager, or call close(). Several processes may open the same store: readers
    never wait (WAL); writers take turns, waiting up to `timeout_s` for each other.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, timeout_s: float) -> None:
        self._conn = connection
        self.path = path
        self._timeout_s = timeout_s
        self._version = SCHEMA_VERSION  # the file's, once _prepare has read it
        # Opened immutable, read without locks: its files' state then (see _read).
        self._opened: tuple[_FileState, ...] | None = None
        # What a failed write says is kept (`_kept`): the schema is being made, and how many
        # add() and forget() transactions this connection committed.
        self._creating = False
        self._commits = 0
        # This connection moved the store from schema version 1 to the current one, which an
        # older zsl then refuses (`register_model`): the run says so.
        self.migrated = False
        # Rows of a former identity's model this connection deleted, their files stored anew
        # (`add`'s `replacing`, `replace_former`).
        self.replaced = 0
        # The file opened, to tell it from another renamed over its path (`replaced_on_disk`).
        self._identity = _opened_identity(path)
        # What a signal's handler raised within a SQLite call, which SQLite then stopped
        # (`_let_signals_in`), for `_errors` to raise as the call ends.
        self._signal_raised: list[BaseException] = []

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> EmbeddingStore:
        """Open (and with create=True, create) the store at `path`.

        ZslError when the file is missing (create=False), is not SQLite, is another program's
        database, was written by a newer zsl, or stays locked by another process for timeout_s.
        """
        path = Path(path)
        _check_no_link_loop(path)
        if path.is_dir():
            raise ZslError(
                f"embedding store {path} is a directory; give a file name like photos.zsl"
            )
        if path.exists() and not path.is_file():
            # SQLite keeps a store's journal in files beside it: /dev/zero read as an empty file,
            # and as a store to write, failed with "disk I/O error".
            raise ZslError(
                f"embedding store {path} is not a regular file (a device or a pipe); give a file "
                "name like photos.zsl"
            )
        if not create and not path.exists():
            hint = " (an embedding store is an SQLite file, not stdin)" if str(path) == "-" else ""
            hint = hint or not_found_hint(path)
            raise ZslError(f"embedding store {path} not found{hint}; create it with `zsl embed`")
        _check_journal_name(path)
        if create:
            _check_one_name(path)
        # SQLite keeps the -wal and -shm files next to the file a symbolic link leads to.
        real = Path(os.path.realpath(path))
        written = create or os.access(path, os.W_OK) and os.access(real.parent, os.W_OK)
        if written:
            _check_no_journal_links(path)
        if create and not path.exists():
            # as the other outputs do: a store in a new folder (for a link, its target's, where
            # SQLite creates the file)
            folder = written_path(path).absolute().parent
            create_folder(folder, f"the folder of embedding store {path}")
            _create_store_file(path)
        no_room: ZslError | None = None
        if written:
            # SQLite takes a name starting "file:" for a URI where it is built with USE_URI,
            # whatever `uri` says: a store named file:x.zsl would be x.zsl, or only in memory.
            name = os.fspath(path)
            location = os.path.join(".", name) if name.startswith("file:") else name
            try:
                return cls._connect(location, path, timeout_s, create=create)
            except ZslError as error:
                # A full disk (a quota) has no room for the shared-memory file even a read
                # makes: a store only to be read is read as in a folder we may not write to.
                if create or not _no_room_for_shm(error):
                    raise
                no_room = error
        # Only to be read: from a read-only mount, a folder we cannot write to, or a store file
        # we cannot write (another user's, in a shared folder; one made read-only). Read-only
        # SQLite (mode=ro) makes the -wal and -shm files it reads a WAL store through where they
        # are missing, with the store's permissions and us as owner, and cannot remove them: the
        # owner's next embed could not write them. So a writer's files are used where they are
        # (in WAL mode they exist while a writer is connected: its commits are in them), and
        # otherwise the file is read as immutable, making no file, which is exact only when no
        # commit waits in a -wal; `_read` refuses a read during which the files changed.
        _check_no_journal_links(path, only_read=True)
        location = "file:" + quote(os.fsencode(real))
        wal = Path(f"{real}-wal")
        if wal.exists() and Path(f"{real}-shm").exists():
            try:
                return cls._connect(location + "?mode=ro", path, timeout_s, create=False)
            except ZslError as error:
                if not isinstance(error.__cause__, sqlite3.OperationalError):
                    raise
        state = _files_state(real)  # what the choice is made on, and each read checked against
        wal_state = state[1]
        if wal_state is not None and wal_state[1] > 0:
            if no_room is not None:
                raise no_room
            # Where it is written, a link beside it is refused: said now, not after that.
            kinds = _journal_links(path)
            links = f", and {_links_refused(path, kinds)}" if kinds else ""
            first = f"remove {_journal_names(path, kinds)}, then " if kinds else ""
            raise ZslError(
                f"embedding store {path} has commits in {wal.name} that cannot be read where zsl "
                f"may not write the store or its folder{links}; {first}open it once where it can "
                "be written (any zsl command run by a user who may write it folds them in)"
            )
        return cls._connect(location + "?immutable=1", path, timeout_s, create=False, opened=state)

    @classmethod
    def _connect(
        cls,
        location: str,
        path: Path,
        timeout_s: float,
        create: bool,
        opened: tuple[_FileState, ...] | None = None,
    ) -> EmbeddingStore:
        """`opened`: for a store read as immutable, its files' state when it was chosen so."""
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so each transaction is
            # exactly what the docstrings say. timeout is SQLite's busy timeout.
            conn = sqlite3.connect(
                location,
                timeout=timeout_s,
                isolation_level=None,
                uri=location.startswith("file:"),
            )
        except sqlite3.Error as exc:
            raise ZslError(f"cannot open embedding store {path}: {exc}") from exc
        # Besides the refusal of SQL a store holds (`_check_own_objects`), where Python can ask
        # (3.12 and later): SQLite runs no trigger and reads no view on this connection.
        setconfig = getattr(conn, "setconfig", None)
        if setconfig is not None:
            for option in ("SQLITE_DBCONFIG_ENABLE_TRIGGER", "SQLITE_DBCONFIG_ENABLE_VIEW"):
                setconfig(getattr(sqlite3, option), False)
        store = cls(conn, path, timeout_s)
        store._watch_signals()
        store._opened = opened
        try:
            store._prepare(create)
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self, create: bool) -> None:
        with self._errors():
            self._check_or_create(create)
            self._conn.execute("PRAGMA foreign_keys = ON")
            # FULL makes each committed batch survive power loss too, not just a crash;
            # one fsync per batch is nothing next to encoding the batch.
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            # Checkpoints keep a kill harmless: SQLite syncs the -wal before it copies the
            # commits into the store, and the store before it writes over the -wal.
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            self._conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")

    def replaced_on_disk(self) -> bool:
        """Whether the store's path names another file than the one this connection opened, or
        none: the store was moved, or a copy renamed over it (a backup restored), and what this
        connection commits goes to the file it has open, no longer there. One stat: embed asks
        after each commit. Never where a file system gives no inode numbers."""
        if self._identity is None:
            return False
        try:
            return _identity(self.path) != self._identity
        except FileNotFoundError:
            return True
        except OSError:  # the store's folder made unreadable: no sign of another file
            return False

    def let_go_of_replaced(self) -> None:
        """For a store `replaced_on_disk`: what this connection wrote, moved from the
        write-ahead log into the file it has open, and the log emptied. The log keeps the
        store's name, which the file now there shares: SQLite laid this connection's pages over
        that file's at its next open (a backup put back lost its rows)."""
        with suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def check_pages(self) -> None:
        """Refuse a store SQLite finds damaged; embed calls it once, before it writes. SQLite
        checks a page only as a query reads it, and embed plans from the index of stats alone:
        with a page of the table overwritten, or a copy put back beside another run's -wal file
        (SQLite lays its pages over the copy's), embed reused entries the table lacks and went
        on writing. quick_check reads every page too, but misses an index that disagrees with
        its table, as in the second case. Measured: 0.15-0.2 s for 100,000 512-d float32
        vectors (a 250 MB store) read from the page cache, 0.6-0.8 s from the disk; 1.7 s and
        6-7 s for 1,000,000."""
        with self._errors(), self._read():
            rows = self._conn.execute("PRAGMA integrity_check(1)").fetchall()
        if rows != [("ok",)]:
            # The first problem; SQLite heads its lines with the database's name.
            lines = [line for row in rows for line in str(row[0]).splitlines()]
            problem = next((line for line in lines if not line.startswith("***")), "")
            raise ZslError(_damaged(self.path, f"SQLite's integrity check: {problem}"))

    def _header(self) -> tuple[int, int, int]:
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        n_objects = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return app_id, version, n_objects

    def _check_or_create(self, create: bool) -> None:
        try:
            # One snapshot: another process may be creating the store at this moment, and reads
            # from either side of its commit would look like some other program's database.
            with self._read():
                app_id, version, n_objects = self._header()
        except sqlite3.DatabaseError as exc:
            if _error_name(exc) == "SQLITE_NOTADB" or "not a database" in str(exc):
                raise ZslError(
                    f"{self.path} is not a zsl embedding store (not an SQLite database); "
                    + _other_store_advice(create)
                ) from exc
            raise
        if app_id == 0 and n_objects == 0:
            if not create:
                raise ZslError(self._nothing_in_it_message())
            self._create_schema()
            app_id, version, _ = self._header()
        if app_id != APPLICATION_ID:
            raise ZslError(
                f"{self.path} is an SQLite database but not a zsl embedding store; "
                + _other_store_advice(create)
            )
        if version > SCHEMA_VERSION:
            raise ZslError(
                f"embedding store {self.path} has schema version {version}, newer than this "
                f"zsl-cli reads ({SCHEMA_VERSION}); upgrade zsl-cli (pip install -U zsl-cli)"
            )
        if version < 1:
            raise ZslError(f"embedding store {self.path} has no valid schema version ({version})")
        self._version = version  # version 1 is read as it is; register_model migrates it
        self._check_own_objects()
        self._check_tables()

    def _check_own_objects(self) -> None:
        """Refuse a store holding schema objects zsl did not make, before any query touches its
        tables: a trigger runs its SQL as zsl writes (one gave each image embedded later another
        image's vector; one ran for ever, beyond Ctrl-C, within one SQLite call), a view as zsl
        reads, and another table or index is no part of a store. Read as bytes: a name that is
        not UTF-8 is still named."""
        with self._read():
            rows = self._conn.execute(
                "SELECT CAST(type AS BLOB), CAST(name AS BLOB), CAST(tbl_name AS BLOB), "
                "CAST(sql AS BLOB) FROM sqlite_master"
            ).fetchall()
        foreign: list[tuple[bool, str]] = []
        for row in rows:
            kind, name, table, sql = (
                "" if value is None else bytes(value).decode("utf-8", "surrogateescape")
                for value in row
            )
            if sql.upper().startswith("CREATE VIRTUAL"):  # a module's code reads it
                kind = "virtual table"
            if (
                (kind, name, table) in _OWN_OBJECTS
                or (kind == "table" and name == table and _STATISTICS_TABLE.fullmatch(name))
                or (kind == "index" and table in ("models", "files") and _made_by_sqlite(name))
            ):
                # The index of a key of zsl's tables made otherwise (a rowid files table's),
                # which SQLite will not drop: `_check_tables` names the table.
                continue
            in_place = kind != "trigger" and name in ("models", "files")
            article = "an" if kind.startswith(("a", "e", "i", "o", "u")) else "a"
            what = f"{article} {printable_text(kind)} '{printable_text(name)}'"
            what += " where zsl keeps a table" if in_place else ""
            # Named first where it runs SQL, the reason for the refusal.
            foreign.append((not (in_place or kind in ("trigger", "view")), what))
        if not foreign:
            return
        named = [what for _, what in sorted(foreign, key=lambda pair: pair[0])]
        if len(named) == 1:
            held, them = f"{named[0]} that zsl did not make", "it"
        else:
            held = f"{len(named)} objects that zsl did not make ({some_names(named, 3)})"
            them = "them"
        raise ZslError(
            f"embedding store {self.path} holds {held}: refused, as a store is data and SQL kept "
            f"in one would run as zsl reads or writes it; remove {them} (with the sqlite3 tool), "
            "or embed the images into a new store"
        )

    def _check_tables(self) -> None:
        """zsl makes every table with the store: one missing, or a column of the store's version,
        is damage or another program's change, on which the first query failed in a traceback.
        A table of zsl's name made otherwise (a column's type, default or key, an extra column,
        its indexes, a STRICT or rowid table) is another program's or changed by hand, and zsl
        read and wrote it as its own: a REAL mtime_ns had every embed encode every unchanged
        image again. Its CHECK constraints and collations are not compared: a write one refuses
        is said (`_user_message`)."""
        precision = ", precision" if self._version >= 2 else ""
        try:
            self._conn.execute(
                f"SELECT id, identity, name, dim, dtype, created_at{precision} FROM models LIMIT 0"
            )
            self._conn.execute(
                "SELECT model_id, path, size, mtime_ns, status, error, vector, written_at "
                "FROM files LIMIT 0"
            )
        except sqlite3.OperationalError as exc:
            if not str(exc).startswith("no such"):
                raise
            raise ZslError(_damaged(self.path, str(exc))) from exc
        for table in ("models", "files"):
            made = _made_shape(table)
            shape = _table_shape(self._conn, table)
            if table == "models" and self._version < 2 and "precision" not in shape[0]:
                # version 1's, which register_model migrates
                made = ({k: v for k, v in made[0].items() if k != "precision"}, *made[1:])
            if shape != made:
                raise ZslError(
                    f"embedding store {self.path} has a table '{table}' that zsl did not make so "
                    f"({_shape_difference(shape, made)}): another program's, or changed by hand; "
                    "embed the images into a new store"
                )

    def _nothing_in_it_message(self) -> str:
        # What is left empty is a store whose first embed failed (a full disk) or was killed
        # outright as it created the store, a file made otherwise, or (pages but no tables) a
        # copy of a store killed outright, its commits in the -wal file beside the original.
        # The -wal is named only where there are pages, which an empty file lacks.
        if self.path.stat().st_size == 0:
            return (
                f"{self.path} is an empty file, not a zsl embedding store: no `zsl embed` "
                "finished creating a store there; run `zsl embed` to create it"
            )
        return (
            f"{self.path} is an SQLite database with nothing in it: the `zsl embed` that "
            "created it stopped before it saved anything (run `zsl embed` again), or it was "
            f"copied without the {self.path.name}-wal file that was beside it"
        )

    def _create_schema(self) -> None:
        # Both are properties of the file, set outside any transaction and before the first table
        # (the page size cannot change once the file is in WAL mode).
        self._creating = True
        self._conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        self._switch_to_wal()
        with self._write():
            # Another process may have created it while we waited for the write lock.
            app_id, _, n_objects = self._header()
            if app_id == 0 and n_objects == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._creating = False

    def _switch_to_wal(self) -> None:
        """Two processes creating one store at once can both hold a read lock while each asks
        for the exclusive lock this switch needs; SQLite then fails one at once ("database is
        locked") instead of waiting, so wait here, up to the busy timeout, for the other."""
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _error_name(exc).startswith("SQLITE_BUSY") or time.monotonic() > deadline:
                    raise
                time.sleep(WAL_SWITCH_RETRY_S)

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> EmbeddingStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _watch_signals(self) -> None:
        """Set `_let_signals_in` as the connection's progress handler, a new one."""
        signals = _let_signals_in(self._signal_raised)
        next(signals)
        self._conn.set_progress_handler(signals.__next__, SIGNAL_CHECK_STEPS)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite failures a user can fix (lock held too long, disk full, read-only or
        damaged file) into a ZslError; anything else is a bug and propagates as is."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if _interrupted(exc):
                # What a signal's handler raised in `_let_signals_in` (a Ctrl-C's
                # KeyboardInterrupt, a caller's own), SQLite having stopped the call (and rolled
                # back a write).
                if self._signal_raised:
                    raise self._signal_raised.pop() from exc
                # One raised where the generator resumed outside its `try` (its loop's jump
                # back), which ended it and which sqlite3 dropped: a new one keeps the next
                # calls from being stopped at once.
                self._watch_signals()
                raise KeyboardInterrupt from exc
            message = _user_message(exc, self.path, self._timeout_s, self._kept())
            if message is None:
                raise
            raise ZslError(message) from exc
        except UnicodeDecodeError as exc:
            # sqlite3 decodes SQLite's error message as UTF-8, and one quoting a damaged
            # schema's bytes raised this in place of the error (text columns are an
            # OperationalError, above).
            text = exc.object.decode("utf-8", "backslashreplace")
            raise ZslError(_damaged(self.path, text)) from exc

    def _kept(self) -> str:
        """What the store keeps of this run's work, said where a write fails (a full disk)."""
        if self._creating:
            return "the store was not created: nothing was saved"
        if self._commits:
            return "batches already written are kept"  # the caller says how many images
        if self._has_no_files():
            return "no image was saved"
        return "no image of this run was saved; the store keeps what it held"

    def _has_no_files(self) -> bool:
        try:
            return self._conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
        except sqlite3.Error:  # the same failure again: nothing to tell by
            return False

    @contextmanager
    def _write(self, committing: Callable[[], object] | None = None) -> Iterator[None]:
        """One write transaction. IMMEDIATE takes the write lock up front, so two writers queue
        on the busy timeout instead of failing when a read lock cannot be upgraded.
        `committing` is called as the block ends, before the COMMIT."""
        if self._conn.in_transaction:
            raise RuntimeError("a read is still open: finish it before writing to the store")
        try:
            # In here, so that a Ctrl-C just as the lock is taken does not leave it taken.
            self._begin_immediate()
            yield
            if committing is not None:
                committing()
        except BaseException:
            # After some errors (disk I/O, full disk) SQLite has rolled back already.
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _begin_immediate(self) -> None:
        """Wait for the write lock in short slices: SQLite's own wait is one C call, during which
        Python runs no signal handler, so Ctrl-C or SIGTERM would wait for the whole timeout."""
        deadline = time.monotonic() + self._timeout_s
        self._conn.execute(f"PRAGMA busy_timeout = {int(LOCK_SLICE_S * 1000)}")
        try:
            while True:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    busy = _error_name(exc).startswith("SQLITE_BUSY") or "locked" in str(exc)
                    if not busy or time.monotonic() > deadline:
                        raise
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {int(self._timeout_s * 1000)}")

    @contextmanager
    def _read(self) -> Iterator[None]:
        """One read transaction: several queries see the same snapshot. A store read without
        locks (immutable, where zsl may not write the store or its folder) cannot keep a writer
        out, so a read is refused when the store's files changed since it was opened (a commit
        in a -wal it does not see) or change during the read, rather than mix two versions."""
        self._check_unchanged()
        self._conn.execute("BEGIN")
        try:
            yield
        except sqlite3.DatabaseError as exc:  # pages of two versions can look damaged
            self._check_unchanged(exc)
            raise
        finally:
            if self._conn.in_transaction:  # not after an error SQLite has rolled back
                self._conn.execute("COMMIT")
        self._check_unchanged()

    def _check_unchanged(self, cause: BaseException | None = None) -> None:
        if self._opened is not None and _files_state(os.path.realpath(self.path)) != self._opened:
            raise ZslError(
                f"embedding store {self.path} changed while it was read (another zsl embed "
                "wrote to it, and zsl may not write the store or its folder, so the read could "
                "not lock the store); run again"
            ) from cause

    # -- models --------------------------------------------------------------------------------

    def register_model(
        self,
        identity: str,
        name: str,
        dim: int,
        dtype: str | None = "float32",
        precision: str | None = None,
    ) -> int:
        """Return the id of the model `identity`, adding it if new.

        An existing model keeps its name and dtype; asking for another dtype (or dim) is an error,
        because its stored vectors would not match. So is another `precision` (the one the model
        encodes in, such as "bfloat16"): vectors of two precisions would be mixed in one entry.
        dtype None: the model's own, float32 for a new one, decided as it is registered (a store
        read before then may not have it yet: another zsl embed can register it meanwhile).
        """
        if dtype is not None and dtype not in VECTOR_DTYPES:
            raise ZslError(f"unknown store dtype {dtype!r}; use one of {', '.join(VECTOR_DTYPES)}")
        if dim <= 0:
            raise ValueError(f"dim must be positive, got {dim}")
        if self._version < 2:
            with self._errors(), self._write():
                self.migrated = self._migrate_to_version_2()
            self._version = 2  # once committed
        with self._errors(), self._write():
            row = self._conn.execute(
                "SELECT id, dim, dtype, precision FROM models WHERE identity = ?", (identity,)
            ).fetchone()
            if row is None:
                cursor = self._conn.execute(
                    "INSERT INTO models (identity, name, dim, dtype, created_at, precision) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (identity, name, dim, dtype or "float32", _now(), precision),
                )
                assert cursor.lastrowid is not None  # set by the INSERT
                return cursor.lastrowid
            model_id, stored_dim, stored_dtype, stored_precision = row
            if stored_precision is None and precision is not None and not self._has_files(model_id):
                # Only while no vectors exist: those a version 1 store holds may be of another
                # precision, which stays unknown (NULL) rather than be recorded wrongly.
                self._conn.execute(
                    "UPDATE models SET precision = ? WHERE id = ?", (precision, model_id)
                )
                stored_precision = precision
        if stored_dim != dim:
            raise ZslError(
                f"embedding store {self.path} holds model {name} with dim {stored_dim}, "
                f"but the encoder reports dim {dim}; use a new store"
            )
        if dtype is not None and stored_dtype != dtype:
            raise ZslError(
                f"embedding store {self.path} holds model {name} as {stored_dtype}, not {dtype}; "
                f"use {stored_dtype} or a new store"
            )
        if None not in (precision, stored_precision) and stored_precision != precision:
            option = PRECISION_OPTIONS.get(stored_precision, stored_precision)
            raise ZslError(
                f"embedding store {self.path} holds model {name} encoded in {stored_precision}, "
                f"not {precision}: pass --precision {option} to add to it, or use a new store"
            )
        return int(model_id)

    def _migrate_to_version_2(self) -> bool:
        """Add the precision column; call inside a write transaction. False where another
        process migrated the store meanwhile."""
        if self._header()[1] != 1:
            return False
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(models)")}
        if "precision" not in columns:  # a version 2 store whose header was set back has it
            self._conn.execute("ALTER TABLE models ADD COLUMN precision TEXT")
        self._conn.execute("PRAGMA user_version = 2")
        return True

    def unknown_precision_images(self, model_id: int) -> int:
        """How many images (ok or failed) the model holds whose precision is unknown: all of
        them where a version 1 store, migrated, did not record it (nothing is checked there,
        see `register_model`), else none."""
        with self._errors():
            if self._version < 2:
                precision = None
            else:
                row = self._conn.execute(
                    "SELECT precision FROM models WHERE id = ?", (model_id,)
                ).fetchone()
                precision = None if row is None else row[0]
            if precision is not None:
                return 0
            query = "SELECT count(*) FROM files WHERE model_id = ?"
            return int(self._conn.execute(query, (model_id,)).fetchone()[0])

    def _has_files(self, model_id: int) -> bool:
        query = "SELECT 1 FROM files WHERE model_id = ? LIMIT 1"
        return self._conn.execute(query, (model_id,)).fetchone() is not None

    def find_model(self, identity: str) -> int | None:
        """The id of the model `identity`, or None if the store has none."""
        with self._errors():
            # dim too, which only the table holds: the index of identities alone gave an id
            # that a damaged table may lack, and SQLite finds that damage only in the table.
            row = self._conn.execute(
                "SELECT id, dim FROM models WHERE identity = ?", (identity,)
            ).fetchone()
        return None if row is None else int(row[0])

    def readable_model(self, identity: str, former: Sequence[str] = ()) -> tuple[int, str] | None:
        """The id and identity of the model a run that only reads the store takes: `identity`,
        unless it holds no image and one of `former` (the same model's identities under an
        older zsl's preprocessing, newest first) does: then the first such. None where the store
        has neither."""
        with self._errors():
            current = self.find_model(identity)
            if current is not None and (not former or self._has_files(current)):
                return current, identity
            for old in former:
                model_id = self.find_model(old)
                if model_id is not None and self._has_files(model_id):
                    return model_id, old
        return None if current is None else (current, identity)

    def models(self) -> list[ModelInfo]:
        """All models in the store with their counts of ok and failed files, by id."""
        with self._errors():
            precision = "m.precision" if self._version >= 2 else "NULL"
            rows = self._conn.execute(
                f"SELECT m.id, m.identity, m.name, m.dim, m.dtype, {precision}, "
                "  (SELECT count(*) FROM files f WHERE f.model_id = m.id AND f.status = 'ok'), "
                "  (SELECT count(*) FROM files f WHERE f.model_id = m.id AND f.status != 'ok') "
                "FROM models m ORDER BY m.id"
            ).fetchall()
        # zsl writes them as text; a damaged page escapes the table's types, and a blob ended
        # the messages and run info that name the models in a TypeError.
        for _, identity, name, _, _, precision, _, _ in rows:
            if not (isinstance(identity, str) and isinstance(name, str)) or not isinstance(
                precision, str | None
            ):
                raise ZslError(
                    _damaged(self.path, "a model's name, identity or precision is no text")
                )
        return [ModelInfo(*row) for row in rows]

    def _embed_options(self, model_id: int) -> str:
        """`embed_options_of` the model `model_id`."""
        name, precision = self._conn.execute(
            f"SELECT name, {self._precision_column} FROM models WHERE id = ?", (model_id,)
        ).fetchone()
        return embed_options_of(name, precision)

    @property
    def _precision_column(self) -> str:
        """The models' precision as a SELECT names it: NULL in a version 1 store (none)."""
        return "precision" if self._version >= 2 else "NULL"

    def _model(self, model_id: int) -> tuple[int, np.dtype]:
        row = self._conn.execute(
            "SELECT dim, dtype FROM models WHERE id = ?", (model_id,)
        ).fetchone()
        if row is None:
            raise ValueError(f"no model with id {model_id} in {self.path}")
        dim, dtype = row
        # The table's CHECKs hold what zsl writes; a damaged page escapes them, and int() or the
        # dtype lookup ended the read in a traceback.
        if type(dim) is not int or dim <= 0 or dtype not in VECTOR_DTYPES:
            raise ZslError(
                _damaged(self.path, f"a model's dim {dim!r} or dtype {dtype!r} is none zsl writes")
            )
        return dim, VECTOR_DTYPES[dtype]

    # -- incremental planning and writes -------------------------------------------------------

    def plan(
        self,
        model_id: int,
        scan: Sequence[FileStat],
        roots: Sequence[str],
        walked: Sequence[str] = (),
        *,
        empty_folders: Sequence[str] = (),
        forget_absent: bool = False,
    ) -> SyncPlan:
        """Compare this scan with what is stored for the model.

        `roots` are the folders or files that were scanned, in the same absolute form as the scan's
        paths (relative ones are made absolute); `walked`, the folders the scan listed
        (`Discovery.folders`). Stored paths the scan covered (`_stale`) that it
        did not find and that no longer exist are stale. A file the scan skipped but that still
        exists (another --ext, a hidden file) is kept, and so are entries outside every root:
        embedding folder A and then folder B into one store does not forget A. So are, unless
        `forget_absent`, those under a root that is missing or holds no file at all, or under
        one of `empty_folders` (`Discovery.empty_folders`: listed by the scan, holding no entry)
        (`SyncPlan.absent`): an unmounted drive's mount point is such a folder, and forgetting
        its images threw away all their encoding.
        """
        with self._errors(), self._read():
            dim, dtype = self._model(model_id)
            # files_stat covers the failed files' subquery, so it reads only their rows, for
            # their error.
            errors = dict(
                self._conn.execute(
                    "SELECT path, error FROM files WHERE model_id = ? AND path IN "
                    "(SELECT path FROM files WHERE model_id = ? AND status != ?)",
                    (model_id, model_id, STATUS_OK),
                )
            )
            # The vectors are read and checked as the readers check them, so that an unchanged
            # image with a damaged vector is encoded again: reused, it kept the store damaged
            # for good, the readers' advice to run `zsl embed` notwithstanding. The same read as
            # the stats' (the table holds both), chunk by chunk: measured on 100,000 512-d
            # vectors from the page cache, the plan took 1.3 s before and 1.5 s with it.
            known: dict[bytes, tuple] = {}
            check = _VectorCheck(dim, dtype)
            for path, size, mtime_ns, status, vector in self._conn.execute(
                "SELECT path, size, mtime_ns, status, vector FROM files WHERE model_id = ?",
                (model_id,),
            ):
                key = self._path(path)
                known[key] = (size, mtime_ns, status, errors.get(path, ""))
                if status == STATUS_OK:
                    check.add(key, vector)
            damaged = check.damaged()
        new = [stat.path for stat in scan if os.fsencode(stat.path) not in known]
        spellings = _entry_spellings(new, (os.fsdecode(path) for path in known)) if new else {}
        to_encode: list[FileStat] = []
        reused: list[str] = []
        reused_failures: list[tuple[str, str, str]] = []
        repaired: list[str] = []
        seen: set[bytes] = set()
        for stat in scan:
            if stat.path in spellings:  # the file keeps the one entry it has
                stat = FileStat(spellings[stat.path], stat.size, stat.mtime_ns)
            key = os.fsencode(stat.path)
            if key in seen:
                continue
            seen.add(key)
            size, mtime_ns, status, error = known.get(key, (None, None, None, None))
            unchanged = (size, mtime_ns) == (stat.size, stat.mtime_ns)
            if unchanged and key in damaged:
                repaired.append(stat.path)
                to_encode.append(stat)
            elif unchanged and (status == STATUS_OK or decided_by_content(status, error or "")):
                reused.append(stat.path)
                if status != STATUS_OK:
                    reused_failures.append((stat.path, status, error or ""))
            else:
                to_encode.append(stat)
        stale = _stale(known, seen, scan, roots, walked)
        absent, under_absent = _absent_roots(stale, roots, empty_folders)
        if not forget_absent:
            stale = [path for path in stale if path not in under_absent]
        # Two runs at once through a folder and a link to it each stored the file under its own
        # spelling, neither seeing the other's: the copies go once a scan meets them.
        stale = sorted({*stale, *_other_spellings(seen, known), *self._own_entries(known)})
        forgotten = set(stale)
        copies = gone_copies(
            {path: (row[0], row[1]) for path, row in known.items() if path not in forgotten},
            {os.fsencode(stat.path): (stat.size, stat.mtime_ns) for stat in scan},
        )
        return SyncPlan(
            to_encode,
            reused,
            [os.fsdecode(path) for path in stale],
            len(reused_failures),
            reused_failures,
            absent=absent,
            kept=0 if forget_absent else len(under_absent),
            copies=copies,
            repaired=repaired,
        )

    def _own_entries(self, known: Iterable[bytes]) -> list[bytes]:
        """Stored paths of this store's own files: an older zsl scanned a store among the images
        (photos/store.png) as one, and kept it as a failed image (`without_store_files`)."""
        own, names = _own_files(self.path)
        name_bytes = {os.fsencode(name) for name in names}
        return [
            path
            for path in known
            if os.path.basename(path) in name_bytes and os.path.realpath(os.fsdecode(path)) in own
        ]

    def add(
        self,
        model_id: int,
        items: Sequence[StoredItem],
        *,
        locked: Callable[[], object] | None = None,
        replacing: Sequence[int] = (),
    ) -> None:
        """Insert or replace these files' rows in one transaction (call it once per batch), and
        delete the same files' rows of the models `replacing` (`replace_former`), counted in
        `replaced`.

        `locked` is called once the rows are written, just before they are committed: a caller
        that counts what it commits holds Ctrl-C from there on, and not while another process
        holds the store (a wait that only the lock timeout would otherwise end) nor while the
        rows are written (a Ctrl-C then stops the write, rolled back: nothing to count)."""
        with self._errors():
            dim, dtype = self._model(model_id)
            written_at = _now()
            rows = [_row(model_id, item, dim, dtype, written_at) for item in items]
            with self._write(locked):
                self._conn.executemany(
                    "INSERT INTO files "
                    "(model_id, path, size, mtime_ns, status, error, vector, written_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (model_id, path) DO UPDATE SET size = excluded.size, "
                    "mtime_ns = excluded.mtime_ns, status = excluded.status, "
                    "error = excluded.error, vector = excluded.vector, "
                    "written_at = excluded.written_at",
                    rows,
                )
                replaced = self._delete_replaced(
                    replacing, [os.fsencode(item.stat.path) for item in items]
                )
            self._commits += 1
            self.replaced += replaced

    def replace_former(self, model_id: int, former: Sequence[int]) -> None:
        """Delete the rows of the models `former` (the same model under an older zsl's
        identity) of every file that `model_id` holds, in one transaction (counted in
        `replaced`).

        Where the model holds a file, read-only runs take its vectors and never the former
        model's (`readable_model`): those are the same file's, of the same model, and would only
        double the store. A former model left without files is dropped."""
        if not former:
            return
        with self._errors(), self._write():
            cursor = self._conn.executemany(
                "DELETE FROM files WHERE model_id = ? AND path IN "
                "(SELECT path FROM files WHERE model_id = ?)",
                [(old, model_id) for old in former],
            )
            self._drop_emptied(former)
        self._commits += 1
        self.replaced += cursor.rowcount

    def _delete_replaced(self, former: Sequence[int], paths: Sequence[bytes]) -> int:
        """Delete these paths' rows of the models `former`, inside a write transaction; return
        how many existed."""
        if not former:
            return 0
        cursor = self._conn.executemany(
            "DELETE FROM files WHERE model_id = ? AND path = ?",
            [(old, path) for old in former for path in paths],
        )
        self._drop_emptied(former)
        return cursor.rowcount

    def _drop_emptied(self, former: Sequence[int]) -> None:
        self._conn.executemany(
            "DELETE FROM models "
            "WHERE id = ? AND NOT EXISTS (SELECT 1 FROM files WHERE model_id = ?)",
            [(old, old) for old in former],
        )

    def forget(
        self,
        model_id: int,
        paths: Sequence[str],
        *,
        locked: Callable[[], object] | None = None,
    ) -> int:
        """Delete these paths' rows for the model in one transaction; return how many existed.
        `locked`: as for `add`."""
        with self._errors(), self._write(locked):
            cursor = self._conn.executemany(
                "DELETE FROM files WHERE model_id = ? AND path = ?",
                [(model_id, os.fsencode(path)) for path in paths],
            )
        self._commits += 1
        return cursor.rowcount

    # -- reading -------------------------------------------------------------------------------

    def load(self, model_id: int, *, unit: bool = False) -> StoredEmbeddings:
        """All ok vectors of the model as float32 [n, dim], plus the failures, both sorted by
        path bytes, from one snapshot. `unit`: the vectors are an encoder's, of length 1, and
        any other is damage (see `_matrix`)."""
        with self._errors(), self._read():
            read = _VectorRows[bytes](
                self.path, *self._model(model_id), self._embed_options(model_id), path_of=_same
            )
            for path, vector in self._select("path, vector", model_id, "status = 'ok'"):
                read.add(self._path(path), vector)
            failed = [
                (os.fsdecode(self._path(path)), self._text(status), self._text(error))
                for path, status, error in self._select(
                    "path, status, error", model_id, "status != 'ok'"
                )
            ]
        paths = [os.fsdecode(path) for path in read.keys]
        return StoredEmbeddings(paths, read.matrix(unit=unit), failed)

    def fetch(
        self, model_id: int, paths: Sequence[str], *, unit: bool = False
    ) -> dict[str, StoredFile]:
        """What the store holds for each of these absolute paths that it has, from one snapshot
        (`unit` as for `load`)."""
        with self._errors(), self._read():
            # (path, size, mtime_ns, status, error, whether it has a vector) of each path found
            read = _VectorRows[tuple[str, int, int, str, str, bool]](
                self.path,
                *self._model(model_id),
                self._embed_options(model_id),
                path_of=_first,
                failures=True,
            )
            query = (
                "SELECT size, mtime_ns, status, error, vector FROM files "
                "WHERE model_id = ? AND path = ?"
            )
            for path in paths:
                row = self._conn.execute(query, (model_id, os.fsencode(path))).fetchone()
                if row is not None:
                    size, mtime_ns, status, error, vector = row
                    status, error = self._text(status), self._text(error)
                    if (status == STATUS_OK) != (vector is not None):
                        # The table's CHECK ties them; a damaged page escapes it, and an ok
                        # image without a vector went on to the scores as one.
                        raise ZslError(_damaged(self.path, "a stored status and vector disagree"))
                    read.add((path, size, mtime_ns, status, error, vector is not None), vector)
        vectors = iter(read.matrix(unit=unit))
        return {
            path: StoredFile(size, mtime_ns, status, error, next(vectors) if ok else None)
            for path, size, mtime_ns, status, error, ok in read.keys
        }

    def versions(self, model_id: int) -> dict[bytes, tuple[int, int]]:
        """Every stored path of the model (as `_path` reads it) -> its file's size and mtime_ns."""
        with self._errors(), self._read():
            return {
                self._path(path): (size, mtime_ns)
                for path, size, mtime_ns in self._select("path, size, mtime_ns", model_id, "1")
            }

    def paths(self, model_id: int) -> list[str]:
        """Every stored path of the model (ok or failed), sorted by path bytes."""
        with self._errors(), self._read():
            return [os.fsdecode(self._path(row[0])) for row in self._select("path", model_id, "1")]

    def _path(self, value: object) -> bytes:
        """A stored path as read: the absolute path's bytes, as `add` wrote it. Anything else is
        a damaged page, which would fail in the file system calls made on it (a NUL byte)."""
        if isinstance(value, bytes) and os.path.isabs(value) and b"\0" not in value:
            return value
        raise ZslError(_damaged(self.path, "a stored path is no absolute path"))

    def _text(self, value: object) -> str:
        """A stored status or error as read: the text `add` wrote. A blob or a number in its
        place is a damaged page, which went on to the predictions and the run info as it was
        (a blob's status failed the JSON run info)."""
        if isinstance(value, str):
            return value
        raise ZslError(_damaged(self.path, "a stored status or error is no text"))

    def _select(self, columns: str, model_id: int, condition: str) -> Iterator[tuple]:
        """Rows of the model that meet `condition`, sorted by path bytes. `columns` and
        `condition` are constants from this module, never input."""
        return self._conn.execute(
            f"SELECT {columns} FROM files WHERE model_id = ? AND {condition} ORDER BY path",
            (model_id,),
        )

    # -- export --------------------------------------------------------------------------------

    def export_rows(self, model_id: int) -> ExportRows:
        """The model's ok vectors as an export writes them (`exports.write_export`), sorted by
        path bytes, from one snapshot."""
        with self._errors(), self._read():
            dim, dtype = self._model(model_id)
            identity, name, dtype_name, precision = self._conn.execute(
                f"SELECT identity, name, dtype, {self._precision_column} FROM models WHERE id = ?",
                (model_id,),
            ).fetchone()
            read = _VectorRows[tuple[bytes, int, int]](
                self.path, dim, dtype, embed_options_of(name, precision), path_of=_first
            )
            for path, size, mtime_ns, vector in self._select(
                "path, size, mtime_ns, vector", model_id, "status = 'ok'"
            ):
                if type(size) is not int or type(mtime_ns) is not int:
                    # pyarrow's int64 columns took text or a blob for a traceback, and a real
                    # for a whole number, as a damaged page can leave them.
                    raise ZslError(
                        _damaged(self.path, "a stored file's size or mtime is no whole number")
                    )
                read.add((self._path(path), size, mtime_ns), vector)
        metadata = {
            "identity": identity,
            "name": name,
            "dim": str(dim),
            "dtype": dtype_name,
            # what the model ran in, unknown in a store from before it was recorded
            **({"precision": precision} if precision else {}),
        }
        return ExportRows(read.keys, read.matrix(unit=True), metadata)

    def export(self, model_id: int, out: str | os.PathLike[str]) -> int:
        """Write the model's ok vectors to `out` for other tools, as `exports.write_export`
        says; return the number of rows. `out` is checked first (`check_export_path`, which
        makes its folder): a run that checked it before its work, as `api.embed` does, writes
        `export_rows` with `write_export` itself rather than check it twice."""
        check_export_path(out)
        rows = self.export_rows(model_id)
        write_export(out, rows)
        return len(rows)


# -- helpers -----------------------------------------------------------------------------------


def _error_name(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "")  # Python >= 3.11


def _let_signals_in(raised: list[BaseException]) -> Iterator[bool]:
    """SQLite's progress handler, as its `__next__`: Python runs a signal's handler only between
    its own instructions, and one SQLite call (a delete of every image --forget-missing forgets,
    a read of all vectors, an integrity check) ran for seconds after a Ctrl-C or SIGTERM. Called
    in the call, this lets the handler run, as it resumes at its `yield`: whatever the handler
    raises (KeyboardInterrupt, a caller's TimeoutError or SystemExit) is kept in `raised` and
    SQLite asked to stop the call (`_interrupted`), for `_errors` to raise it; sqlite3 would
    drop an exception the handler let out. A handler that holds the signal for later lets the
    call go on. A generator, as a function's handler would run as it is entered, outside its
    `try`."""
    stop = False
    while True:
        try:
            yield stop
            stop = False
        except GeneratorExit:
            return
        except BaseException as exc:
            raised[:] = [exc]
            stop = True


def _interrupted(exc: sqlite3.Error) -> bool:
    """Whether SQLite stopped a call as `_let_signals_in` asked (nothing else interrupts ours)."""
    return _error_name(exc) == "SQLITE_INTERRUPT" or str(exc) == "interrupted"


def _user_message(exc: sqlite3.Error, path: Path, timeout_s: float, kept: str) -> str | None:
    """`kept`: what the store keeps of the run's work, said where a write failed."""
    name, text = _error_name(exc), str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return (
            f"embedding store {path} is locked by another process (waited {timeout_s:g} s); "
            "wait for the other zsl run to finish"
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"disk full while writing embedding store {path}; free space and re-run ({kept})"
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (
            f"embedding store {path} is read-only ({text}); check the permissions of the file "
            "and of its folder, where SQLite writes its -wal and -shm files"
        )
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return _damaged(path, text)
    if isinstance(exc, sqlite3.IntegrityError):
        # zsl's rows meet the constraints zsl's tables declare: a table changed in place (a
        # constraint added to its SQL) has others, which SQLite quotes.
        return (
            f"embedding store {path} refused a write ({printable_text(clipped_text(text))}): "
            f"its tables are not as zsl made them; embed the images into a new store ({kept})"
        )
    if text.startswith("Could not decode to UTF-8"):
        # sqlite3's own error, for text zsl wrote as UTF-8 that a damaged page changed; its
        # message quotes the damaged bytes.
        column = re.search(r"column '([^']*)'", text)
        where = f"column {column[1]}" if column else "a column"
        return _damaged(path, f"{where} holds text that is not UTF-8")
    if name == "SQLITE_IOERR_WRITE":
        # SQLite says "disk full" for ENOSPC alone; a quota or a file size limit (EDQUOT,
        # EFBIG) refuses a write as this, and a bad disk does too.
        return (
            f"could not write embedding store {path} ({text}: a write was refused, as where a "
            "disk quota or a file size limit is reached, or the disk fails); free space or raise "
            f"the limit and re-run ({kept})"
        )
    if name == "SQLITE_IOERR_SHMSIZE":
        # Even a read makes this file (32 KiB) beside the store, where SQLite keeps its journals.
        real = Path(os.path.realpath(path))
        return (
            f"no room for the shared-memory file {real.name}-shm that embedding store {path} "
            f"needs next to {real} ({text}): the disk is full, or a quota or a file size limit is "
            "reached; free space and re-run"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"cannot open embedding store {path}: {text}"
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        real = Path(os.path.realpath(path))  # where SQLite keeps them, for a linked store
        return (
            f"disk I/O error on embedding store {path} ({text}); check the disk, and that "
            f"{real.name}-wal and {real.name}-journal next to {real} are files, if they exist"
        )
    return None


# A table's columns by name, each (declared type, NOT NULL, default, place in the primary key),
# its indexes and foreign keys, and its kind (WITHOUT ROWID, STRICT; none where SQLite is older
# than 3.37, which has no `PRAGMA table_list`).
_TableShape = tuple[dict[str, tuple[object, ...]], tuple[object, ...], tuple[object, ...] | None]


def _table_shape(conn: sqlite3.Connection, table: str) -> _TableShape:
    """What SQLite says of the table `table` (one of zsl's: its name is no input)."""
    columns = {row[1]: tuple(row[2:]) for row in conn.execute(f"PRAGMA table_info({table})")}
    indexes = []
    for _, name, unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
        keys = tuple(row[2] for row in conn.execute("SELECT * FROM pragma_index_info(?)", (name,)))
        indexes.append((name, unique, origin, partial, keys))
    foreign = sorted(tuple(row[2:]) for row in conn.execute(f"PRAGMA foreign_key_list({table})"))
    kind = next((tuple(row[4:]) for row in conn.execute(f"PRAGMA table_list({table})")), None)
    return columns, (sorted(indexes), foreign), kind


@cache
def _made_shape(table: str) -> _TableShape:
    """`_table_shape` of the table as zsl makes it (`_SCHEMA`)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(_SCHEMA)
        return _table_shape(conn, table)
    finally:
        conn.close()


def _shape_difference(shape: _TableShape, made: _TableShape) -> str:
    """The first way a table's shape differs from zsl's `made`, in words."""
    columns, made_columns = shape[0], made[0]
    for name, column in columns.items():
        if name not in made_columns:
            return f"a column '{printable_text(str(name))}' zsl does not make"
        if column != made_columns[name]:
            found, wanted = _column_words(column), _column_words(made_columns[name])
            return f"column '{name}' is {found}, not {wanted}"
    if shape[2] != made[2] and shape[2] is not None and made[2] is not None:
        (without_rowid, strict), (_, made_strict) = shape[2], made[2]
        if strict != made_strict:
            return "a STRICT table" if strict else "not a STRICT table"
        return "a WITHOUT ROWID table" if without_rowid else "a rowid table, not WITHOUT ROWID"
    return "its keys or indexes are not zsl's"


def _column_words(column: tuple[object, ...]) -> str:
    """A column's (type, NOT NULL, default, place in the primary key) as a declaration says it."""
    declared, not_null, default, key = column
    words = [printable_text(str(declared)) or "of no type"]
    words += ["NOT NULL"] if not_null else []
    words += [f"DEFAULT {printable_text(str(default))}"] if default is not None else []
    words += [f"part {key} of the primary key"] if key else []
    return " ".join(words)


def _made_by_sqlite(index: str) -> bool:
    """Whether `index` is one SQLite makes for a table's UNIQUE or PRIMARY KEY constraint."""
    return index.startswith("sqlite_autoindex_")


def _no_room_for_shm(error: ZslError) -> bool:
    """Whether `error` is SQLite's failure to make the -shm file (32 KiB) beside a store."""
    cause = error.__cause__
    return isinstance(cause, sqlite3.Error) and _error_name(cause) == "SQLITE_IOERR_SHMSIZE"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _root_key(root: str) -> bytes:
    return os.fsencode(absolute_path(root))


def _stale(
    known: Iterable[bytes],
    seen: Collection[bytes],
    scan: Sequence[FileStat],
    roots: Sequence[str],
    listed: Sequence[str],
) -> list[bytes]:
    """Stored paths, sorted, whose files are gone from where this scan looked: under a root as
    spelled, or in a real folder the scan walked (listed, or holding a file it found that was
    not named on its own), whatever folder link the entry is spelled through. A root that is a
    file covers that file alone, not its folder."""
    prefixes = {_root_key(root) for root in roots}
    files = (os.fsencode(stat.path) for stat in scan)
    walked_folders = {os.path.dirname(path) for path in files if path not in prefixes}
    walked_folders.update(root for root in prefixes if os.path.isdir(root))
    walked_folders.update(os.fsencode(folder) for folder in listed)
    walked = {os.path.realpath(folder) for folder in walked_folders}
    folders_covered: dict[bytes, bool] = {}  # decided once per folder

    def covered(path: bytes) -> bool:
        if path in prefixes:
            return True
        folder = os.path.dirname(path)
        if folder not in folders_covered:
            folders_covered[folder] = _under_any(folder, prefixes) or _under_any(
                os.path.realpath(folder), walked
            )
        return folders_covered[folder]

    return sorted(path for path in known if path not in seen and covered(path) and _gone(path))


def _absent_roots(
    stale: Sequence[bytes], roots: Sequence[str], empty_folders: Sequence[str] = ()
) -> tuple[list[AbsentRoot], set[bytes]]:
    """The roots, each once, that are missing or hold no file at all, then the `empty_folders`
    (found so by the scan), under which (as spelled, or in the real folder) some of these stale
    paths are, and those paths, each under the first that holds it. Where a folder still holds
    something, what is gone from it was deleted; where it holds nothing, it may be a drive or
    share that is not mounted, which looks the same. A folder gone entirely holds no mount point.
    An empty folder keeps only what is below it: a stored path that is itself the folder was a
    file, replaced by it, and is gone (`_gone`).
    """
    if not stale:
        return [], set()
    real_folders: dict[bytes, bytes] = {}  # a stale path's folder -> its real path

    def real_folder(path: bytes) -> bytes:
        folder = os.path.dirname(path)
        if folder not in real_folders:
            real_folders[folder] = os.path.realpath(folder)
        return real_folders[folder]

    unique = list(dict.fromkeys(_root_key(root) for root in roots))
    spellings = [{root, os.path.realpath(root)} for root in unique]
    missing = [not os.path.exists(root) for root in unique]
    # Each stale path finds its roots by walking up from it, once, rather than each root going
    # through every stale path: a path list naming N deleted files is N roots (N x N steps).
    by_spelling: dict[bytes, list[int]] = {}  # a spelling of a root -> the roots spelled so
    for n, names in enumerate(spellings):
        for name in names:
            by_spelling.setdefault(name, []).append(n)
    under: list[list[bytes]] = [[] for _ in unique]  # each root's stale paths, in their order
    for path in stale:
        found = _spelled_above(path, by_spelling)
        if len(found) < len(unique):  # some root may hold the path's real folder alone
            found |= _spelled_above(real_folder(path), by_spelling)
        for n in found:
            if missing[n] or path not in spellings[n]:
                under[n].append(path)
    absent: list[AbsentRoot] = []
    under_absent: set[bytes] = set()
    for root, is_missing, held in zip(unique, missing, under, strict=True):
        if not held:
            continue
        if is_missing or (os.path.isdir(root) and _holds_no_file(root)):
            absent.append(AbsentRoot(os.fsdecode(root), is_missing, len(held)))
            under_absent.update(held)
    # One pass over the stale paths, however many folders a big tree left empty.
    empty: dict[bytes, bytes] = {}  # a spelling of an empty folder -> the folder as listed
    for folder in map(os.fsencode, empty_folders):
        empty.setdefault(folder, folder)
        empty.setdefault(os.fsencode(os.path.realpath(folder)), folder)
    under_empty: dict[bytes, int] = {}
    for path in stale:
        if path in under_absent:
            continue
        spelled = _nearest_in(os.path.dirname(path), empty) or _nearest_in(real_folder(path), empty)
        if spelled is not None:
            under_empty[empty[spelled]] = under_empty.get(empty[spelled], 0) + 1
            under_absent.add(path)
    absent.extend(
        AbsentRoot(os.fsdecode(folder), False, n, below=True)
        for folder, n in sorted(under_empty.items())
    )
    return absent, under_absent


# Stored images of one name, size and mtime that an image found is compared with, at most: a
# name common to many folders (image.jpg in each) made the comparisons N x N.
COPIES_COMPARED = 8


def gone_copies(
    stored: Mapping[bytes, tuple[int, int]],
    present: Mapping[bytes, tuple[int, int] | None] | None = None,
) -> list[GoneCopy]:
    """Where the store holds images under a folder that is gone and under one that is there:
    `stored` (a model's paths -> size and mtime_ns) in folders that are gone, paired with
    `present` (paths -> size and mtime_ns, None where not known: read where a name pairs), the
    images a run found, or with the stored ones in folders that are there (None: a whole store).
    A pair has one name, size and modification time (`mv`, `cp -p` and `rsync -a` keep it; a
    camera's frames of one size and name in each session's folder differ in it). Each image
    pairs with the one whose path ends alike the furthest, looked up by its folder's name and
    its own (images of one name in every class folder are no copies of each other), else by its
    name (a folder renamed as it moved); each stored image pairs once. Each pair's paths differ
    only above a folder: where that folder is gone, its images were moved (or copied, or are
    not mounted). A folder still there is two copies on purpose, or images deleted from it:
    nothing said. One pass over each, one stat per stored folder."""
    folders: dict[bytes, bool] = {}  # a folder of stored images -> whether it is there
    found: dict[bytes, tuple[int, int] | None] = {}
    # (folder's name, name, size, mtime_ns) and (name, size, mtime_ns) -> stored paths gone
    by_folder: dict[tuple[bytes, bytes, int, int], list[bytes]] = {}
    by_name: dict[tuple[bytes, int, int], list[bytes]] = {}
    # Split by hand, not by os.path: its calls were most of the time on 100,000 images.
    for path, (size, mtime_ns) in stored.items():
        if present is not None and path in present:
            continue
        folder, _, name = path.rpartition(_SEP)
        if folder not in folders:
            folders[folder] = os.path.isdir(folder or _SEP)
        if not folders[folder]:
            by_folder.setdefault((folder.rpartition(_SEP)[2], name, size, mtime_ns), []).append(
                path
            )
            by_name.setdefault((name, size, mtime_ns), []).append(path)
        elif present is None:
            found[path] = (size, mtime_ns)
    names = {name for name, _, _ in by_name}
    # (the gone folder, the one there) the paths differ at -> the gone paths paired there
    paired: dict[tuple[bytes, bytes], set[bytes]] = {}
    taken: set[bytes] = set()
    for path, version in sorted((found if present is None else present).items()):
        folder, _, name = path.rpartition(_SEP)
        if name not in names:
            continue
        if version is None:
            try:
                status = os.stat(path)
            except OSError:
                continue
            version = (status.st_size, status.st_mtime_ns)
        alike = (folder.rpartition(_SEP)[2], name, *version)
        candidates = [
            old
            for old in (by_folder.get(alike) or by_name.get(alike[1:], []))[:COPIES_COMPARED]
            if old not in taken
        ]
        if not candidates:
            continue
        old, (old_folder, new_folder) = min(
            ((old, _diverging(old, path)) for old in candidates),
            key=lambda pair: len(pair[1][1]),
        )
        taken.add(old)
        paired.setdefault((old_folder, new_folder), set()).add(old)
    copies = []
    for (old, new), paths in paired.items():
        if os.path.lexists(old):
            continue
        # Named by the folder of the images paired, not above it: what else was under the gone
        # folder may be on a drive not mounted.
        folder = os.path.commonpath(list({path.rpartition(_SEP)[0] or _SEP for path in paths}))
        counterpart = new + folder[len(old) :]
        copies.append(GoneCopy(os.fsdecode(folder), os.fsdecode(counterpart), len(paths)))
    return sorted(copies, key=lambda copy: (-copy.images, os.fsencode(copy.path)))


_SEP = os.fsencode(os.sep)


def _diverging(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """The folders two absolute paths differ at: each less the trailing names they share."""
    old_names, new_names = old.split(_SEP), new.split(_SEP)
    shared, most = 0, min(len(old_names), len(new_names)) - 1  # the root's empty name stays
    while shared < most and old_names[-1 - shared] == new_names[-1 - shared]:
        shared += 1
    return (
        _SEP.join(old_names[: len(old_names) - shared]) or _SEP,
        _SEP.join(new_names[: len(new_names) - shared]) or _SEP,
    )


def stored_copies(
    store_path: str, identity: str, paths: Sequence[Path] | None
) -> tuple[ModelInfo, list[GoneCopy]] | None:
    """`gone_copies` of the model with this identity in the store, for `paths` (images a run
    read from it and did not find there), or for the whole store (None); with the model, for
    its `zsl embed` options. None where the store does not hold the model or holds no copies."""
    present = None if paths is None else {os.fsencode(absolute_path(p)): None for p in paths}
    with EmbeddingStore.open(store_path, create=False) as store:
        model_id = store.find_model(identity)
        if model_id is None:
            return None
        copies = gone_copies(store.versions(model_id), present)
        # The models' counts read every row: only where there are copies to tell of.
        if not copies:
            return None
        return next(m for m in store.models() if m.id == model_id), copies


def _identity(path: Path) -> tuple[int, int] | str:
    """The file at `path` as `file_identity` tells it; OSError where it cannot be stat'ed."""
    return file_identity(os.stat(path), os.fspath(path))


def _opened_identity(path: Path) -> tuple[int, int] | str | None:
    """`_identity` of a store just opened, or None (nothing to compare with later)."""
    try:
        return _identity(path)
    except OSError:
        return None


def _holds_no_file(folder: bytes) -> bool:
    """Whether nothing but folders is under `folder` (links followed, each real folder once,
    hidden entries too). One that cannot be listed may hold files."""
    to_list, listed = [folder], set()
    while to_list:
        current = to_list.pop()
        try:
            identity = file_identity(os.stat(current), current)
            if identity in listed:
                continue
            listed.add(identity)
            with os.scandir(current) as entries:
                for entry in entries:
                    if not entry.is_dir():  # follows links: a broken one is something there
                        return False
                    to_list.append(entry.path)
        except OSError:
            return False
    return True


def _spelled_above(path: bytes, by_spelling: dict[bytes, list[int]]) -> set[int]:
    """The roots (`by_spelling`'s values) one of whose spellings is `path` or a folder above it."""
    found: set[int] = set()
    while True:
        found.update(by_spelling.get(path, ()))
        parent = os.path.dirname(path)
        if parent == path:
            return found
        path = parent


def _under_any(path: bytes, roots: Collection[bytes]) -> bool:
    """Whether `path` or a folder above it is one of `roots` (a set: one lookup per level)."""
    return _nearest_in(path, roots) is not None


def _nearest_in(path: bytes, folders: Collection[bytes]) -> bytes | None:
    """`path` or the nearest folder above it that is one of `folders`, or None."""
    while path not in folders:
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent
    return path


def _gone(path: bytes) -> bool:
    """No file there any more (a folder in its place counts); one we may not read is still there."""
    try:
        return not S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False


def _row(
    model_id: int, item: StoredItem, dim: int, dtype: np.dtype, written_at: str
) -> tuple[object, ...]:
    if not os.path.isabs(item.stat.path):
        raise ValueError(f"{item.stat.path}: stored paths must be absolute")
    if item.status == STATUS_OK:
        if item.vector is None:
            raise ValueError(f"{item.stat.path}: status ok needs a vector")
        vector = np.asarray(item.vector)
        if vector.shape != (dim,):
            raise ValueError(f"{item.stat.path}: vector shape {vector.shape}, expected ({dim},)")
        blob: bytes | None = vector.astype(dtype, copy=False).tobytes()
    else:
        if item.vector is not None:
            raise ValueError(f"{item.stat.path}: a failed item ({item.status}) has no vector")
        blob = None
    stat = item.stat
    return (
        model_id,
        os.fsencode(stat.path),
        stat.size,
        stat.mtime_ns,
        item.status,
        item.error,
        blob,
        written_at,
    )


_Key = TypeVar("_Key")


def _same(path: bytes) -> bytes:
    return path


def _first(key: tuple) -> str | bytes:
    return key[0]


class _VectorRows(Generic[_Key]):
    """The rows one read of the store yields with their vectors, each checked as read, then
    their vectors as one matrix, checked as `_matrix` checks it, once the read is done (so
    that a store that changed during the read says so, not that its vectors are damaged)."""

    def __init__(
        self,
        store: Path,
        dim: int,
        dtype: np.dtype,
        embed_options: str,
        *,
        path_of: Callable[[_Key], str | bytes],
        failures: bool = False,
    ) -> None:
        """`embed_options`: the model's, for the `zsl embed` that a damaged vector's message
        gives. `path_of`: a key's image path, which that message names. `failures`: the rows
        include failures, whose vector is NULL (no row of the matrix)."""
        self.keys: list[_Key] = []  # what the caller keeps of each row, in the order read
        self._store = store
        self._embed_options = embed_options
        self._dim = dim
        self._dtype = dtype
        self._path_of = path_of
        self._failures = failures
        self._joined = bytearray()  # the vectors' bytes, appended as read (see `_matrix`)
        self._n_vectors = 0
        self._without: set[int] = set()  # indices of the keys with no row of the matrix
        self._wrong_length: list[_Key] = []

    def add(self, key: _Key, vector: object) -> None:
        """One row: `key`, and `vector` as read, the bytes `add` wrote. Text or a number in its
        place is a damaged page (a changed type in a row's header), which joining the rows
        failed on."""
        self.keys.append(key)
        if vector is None and self._failures:
            self._without.add(len(self.keys) - 1)
            return
        if not isinstance(vector, bytes):
            raise ZslError(_damaged(self._store, "a stored vector is no blob"))
        if len(vector) != self._dim * self._dtype.itemsize:
            self._without.add(len(self.keys) - 1)
            self._wrong_length.append(key)
            return
        self._joined += vector
        self._n_vectors += 1

    def matrix(self, *, unit: bool) -> np.ndarray:
        """The vectors added, float32 [n, dim], in the order added (`unit` as for `_matrix`);
        ZslError naming the images of the damaged ones, every kind of damage at once (one
        `zsl embed` then repairs them all)."""
        matrix = _matrix(self._joined, self._n_vectors, self._dim, self._dtype)
        not_finite, off = _vector_faults(matrix, unit=unit)
        damaged = {f"not {self._dim} values long": [self._path_of(k) for k in self._wrong_length]}
        if not_finite.any() or off.any():
            keys = [key for i, key in enumerate(self.keys) if i not in self._without]
            for faulty, what in ((not_finite, "not finite"), (off, "not of unit length")):
                damaged[what] = [self._path_of(keys[i]) for i in np.flatnonzero(faulty)]
        damaged = {what: paths for what, paths in damaged.items() if paths}
        if damaged:
            raise ZslError(_damaged_vectors(self._store, damaged, self._embed_options))
        return matrix


def _matrix(joined: bytearray, n: int, dim: int, dtype: np.dtype) -> np.ndarray:
    """The `n` rows' bytes, joined as they were read, viewed once: one numpy call for all rows,
    not one per row. Readers append each row to `joined` rather than keep a list of the rows'
    bytes to join: that list held every vector a second time. A bytearray, so the float32 view
    is writable."""
    matrix = np.frombuffer(joined, dtype=dtype).reshape(n, dim)
    return matrix.astype(np.float32, copy=False)  # converts float16 and big-endian hosts only


def _vector_faults(matrix: np.ndarray, *, unit: bool) -> tuple[np.ndarray, np.ndarray]:
    """Which rows are not finite, and (`unit`: every row is an encoder's L2-normalised
    embedding, as `zsl embed` stores them) which finite ones are not of unit length."""
    # zsl embed stores none: another writer or damage did, and every score of it would be NaN.
    # A row's float64 sum is finite exactly when its values are, without a mask of the matrix.
    not_finite = ~np.isfinite(matrix.sum(axis=1, dtype=np.float64))
    if not unit:
        return not_finite, np.zeros_like(not_finite)
    # SQLite keeps no checksum of a page: a damaged byte in a vector (1e30 where 0.3 was)
    # was labelled like any other, with a score of 1. float16 keeps a length within 1e-3.
    with np.errstate(over="ignore", invalid="ignore"):
        lengths = np.sqrt(np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64))
        off = ~not_finite & ~(np.abs(lengths - 1.0) <= UNIT_LENGTH_TOLERANCE)
    return not_finite, off


class _VectorCheck:
    """Which of the vectors `plan` reads a reader refuses (`_VectorRows.matrix`, unit length),
    checked CHECKED_ROWS at a time as they are read, so the check holds no copy of the store."""

    def __init__(self, dim: int, dtype: np.dtype) -> None:
        self._dim = dim
        self._dtype = dtype
        self._keys: list[bytes] = []
        self._vectors: list[object] = []
        self._damaged: set[bytes] = set()

    def add(self, key: bytes, vector: object) -> None:
        # Only kept here, as most rows are: a call per row is most of what the check costs.
        self._keys.append(key)
        self._vectors.append(vector)
        if len(self._keys) == CHECKED_ROWS:
            self._check()

    def damaged(self) -> set[bytes]:
        self._check()
        return self._damaged

    def _check(self) -> None:
        size = self._dim * self._dtype.itemsize
        keys, vectors = self._keys, self._vectors
        if not all(type(vector) is bytes and len(vector) == size for vector in vectors):
            whole = [type(v) is bytes and len(v) == size for v in vectors]
            self._damaged.update(key for key, ok in zip(keys, whole, strict=True) if not ok)
            keys = [key for key, ok in zip(keys, whole, strict=True) if ok]
            vectors = [vector for vector, ok in zip(vectors, whole, strict=True) if ok]
        if keys:
            matrix = np.frombuffer(b"".join(vectors), dtype=self._dtype)  # type: ignore[arg-type]
            self._damaged.update(keys[i] for i in np.flatnonzero(_not_unit(matrix, self._dim)))
        self._keys, self._vectors = [], []


def _not_unit(values: np.ndarray, dim: int) -> np.ndarray:
    """Which rows of `dim` values are not of unit length, as `_vector_faults` finds them, the
    rows that are not finite included (their squares' sum is not finite): one float32 pass, a
    quarter of the time of the readers' float64 ones, with the same answer but within
    float32's rounding of the tolerance."""
    matrix = values.reshape(-1, dim).astype(np.float32, copy=False)
    with np.errstate(over="ignore", invalid="ignore"):
        squares = np.einsum("ij,ij->i", matrix, matrix)
        return ~(np.abs(np.sqrt(squares) - 1.0) <= UNIT_LENGTH_TOLERANCE)


def embed_options(
    name: str, exact: bool, precision: str | None = None, revision: str | None = None
) -> str:
    """The options, quoted for a shell, with which `zsl embed` encodes as the model `name` (its
    name in a store, without the preprocessing's suffix) did, for the hints that say what to
    run: `-m` (left out for the default model, which embed takes without it), the preprocessing
    (`exact`), the `precision` by torch's name where given (the default differs by device, and a
    store refuses another) and the hub `revision` where one was asked for."""
    options = [] if name == DEFAULT_MODEL else ["-m", shlex.quote(printable(name))]
    if exact:
        options.append("--exact-preprocessing")
    if precision in PRECISION_OPTIONS:
        options += ["--precision", PRECISION_OPTIONS[str(precision)]]
    if revision is not None:
        options += ["--revision", shlex.quote(printable(revision))]
    return " ".join(options)


def embed_command(store: str | os.PathLike[str], options: str, paths: str = "PATH...") -> str:
    """The `zsl embed` that the hints give, quoted for a shell: of `paths` (quoted already) into
    `store`, with a model's `embed_options` (and any other options) in `options`."""
    command = ["zsl embed", paths, "--store", shlex.quote(printable(store)), options]
    return " ".join(command).rstrip()


def stale_store_hint(
    by_status: Mapping[str, int],
    store: str | None,
    options: str | None,
    then: str,
    paths: str = "the paths given here",
    folder: str | None = None,
) -> str:
    """How to bring into the `store` the images a run read from it found absent or changed
    (their counts in `by_status`): the `zsl embed` with the model's `embed_options` (None: not
    known, as of predictions without their run info) of the `paths` (what PATH... stands for),
    then what to do (`then`, "label again"); "" where none is. Label's summary says it, hubness
    and evaluate warn it. `folder`: where the paths start, if not here: the command goes there
    first (`cd`), and `store` is named from there."""
    # What `zsl embed` turns into stored vectors, in name order as on the failed line.
    absent = [s for s in STORE_BEHIND_STATUSES if by_status.get(s)]
    if not absent:
        return ""
    command = embed_command(store or "STORE", options or "")
    if folder is not None:
        command = f"cd {shlex.quote(printable(folder))} && {command}"
    if options is None:
        command += " with the labelling's model"
    images = "image" if sum(by_status[s] for s in absent) == 1 else "images"
    return (
        f"bring the {' and '.join(absent)} {images} into the store with {command} (PATH...: "
        f"{paths}), then {then}"
    )


def embed_options_of(name: object, precision: object) -> str:
    """`embed_options` of a model stored under `name` in `precision` (None: not recorded)."""
    name = str(name)
    exact = name.endswith(EXACT_PREPROCESSING_SUFFIX)
    stored_precision = precision if isinstance(precision, str) else None
    return embed_options(name.removesuffix(EXACT_PREPROCESSING_SUFFIX), exact, stored_precision)


def _damaged_vectors(store: Path, damaged: dict[str, list[str | bytes]], embed_options: str) -> str:
    """A reader's refusal of the vectors `damaged` lists by what is wrong with them, naming the
    first images of each kind, and the `zsl embed` (with the model's `embed_options`) that
    encodes them again (`plan` takes such vectors for changed files)."""
    texts = [os.fsdecode(path) for paths in damaged.values() for path in paths]
    kinds = []
    for what, paths in damaged.items():
        named = [printable(os.fsdecode(path)) for path in paths[:DAMAGED_NAMED]]
        kinds.append((len(paths), f"{what} ({some_names(named, DAMAGED_NAMED, len(paths))})"))
    if len(kinds) > 1:
        held = f"{len(texts)} damaged vectors: " + ", ".join(f"{n} {kind}" for n, kind in kinds)
    else:
        held = f"{len(texts)} {'vector that is' if len(texts) == 1 else 'vectors that are'} "
        held += kinds[0][1]
    try:
        folder = os.path.commonpath([os.path.dirname(text) for text in texts])
    except ValueError:  # on Windows, images on other drives have no common folder
        folder = os.sep
    # Their common folder is what to embed, unless that is the root of the file system.
    where = shlex.quote(printable(folder)) if os.path.dirname(folder) != folder else "FOLDER"
    command = embed_command(store, embed_options, where)
    return (
        f"embedding store {store} holds {held}; it is damaged there: `{command}` "
        "encodes those images again"
    )


# -- a run's items -------------------------------------------------------------------------


def stored_items(
    store_path: str,
    identity: str,
    model_name: str,
    paths: Sequence[Path] | None,
    revision: str | None = None,
) -> list[ImageItem]:
    """A run's items from the store (ok ones with their vectors), in order: the model with this
    identity (named so in messages, and loaded at the hub `revision` where one was asked for),
    for a run that reads no images.

    With `paths` (the discovered inputs): one item per path, in their order, failed with
    "not_embedded" or "changed" where the store has no current vector. Without: every stored
    image of the model, by path.
    """
    with EmbeddingStore.open(store_path, create=False) as store:
        model_id = store.find_model(identity)
        if model_id is None:
            raise ZslError(_no_stored_model_message(store, model_name, revision))
        if paths is None:
            items = _all_stored_items(store, model_id)
        else:
            absolute = [absolute_path(path) for path in paths]
            found = store.fetch(model_id, absolute, unit=True)
            missing = [key for key in absolute if key not in found]
            if missing:
                found.update(_stored_under_other_spellings(store, model_id, missing))
            items = [
                _item_from_store(index, path, found.get(key))
                for index, (path, key) in enumerate(zip(paths, absolute, strict=True))
            ]
        if not items:
            models = store.models()
            if not any(model.n_ok or model.n_failed for model in models):
                raise ZslError(_no_embeddings_message(store, models))
            raise ZslError(f"{store_path}: no stored images")
    return items


def _no_embeddings_message(store: EmbeddingStore, models: Sequence[ModelInfo]) -> str:
    """For a store that holds no image at all (`models`, its models): what its first embed
    leaves where it stopped before its first batch was saved, as on a full disk. A model is
    registered before its first batch and never removed, so a store without one never held an
    image."""
    # The store of a first embed still encoding its first batch looks the same, and an
    # overlapping job read it so: "stopped" sent its user to start another embed beside it.
    if not models:
        return (
            f"{store.path} holds no embeddings yet: its first `zsl embed` saved none yet (it is "
            "still running, or it stopped before it saved any); wait for it, or run `zsl embed` "
            "again"
        )
    return (
        f"{store.path} holds no embeddings: its first `zsl embed` saved none yet (it is still "
        "running, or it stopped before it saved any), or every image stored was forgotten since "
        "(gone from the folders embedded); wait for it, or run `zsl embed` on the images"
    )


def stored_export_rows(
    store_path: str | os.PathLike[str],
    identity: str,
    model_name: str,
    revision: str | None = None,
) -> ExportRows:
    """`EmbeddingStore.export_rows` of the model with this identity (named so in messages, and
    loaded at the hub `revision` where one was asked for), from a store that must exist."""
    with EmbeddingStore.open(store_path, create=False) as store:
        model_id = store.find_model(identity)
        if model_id is None:
            raise ZslError(_no_stored_model_message(store, model_name, revision))
        return store.export_rows(model_id)


def identity_to_read(
    store_path: str | os.PathLike[str], identity: str, former: Sequence[str]
) -> str:
    """The identity whose vectors a run that only reads the store takes (`readable_model`):
    `identity`, or one of `former` where only that one holds images; `identity` where the store
    holds neither (the read then says so)."""
    if not former:
        return identity
    with EmbeddingStore.open(store_path, create=False) as store:
        found = store.readable_model(identity, former)
    return identity if found is None else found[1]


def former_vectors_warning(
    store_path: str | os.PathLike[str], model_name: str, options: str
) -> str:
    """The warning of a run that reads vectors stored under a former identity of its model;
    `options`: the model's `embed_options`, for the `zsl embed` that refreshes them."""
    store = os.fspath(store_path)
    command = embed_command(store, options)
    return (
        f"{store} holds the vectors of {model_name} as an older zsl made them: its fast "
        f"preprocessing drafted large JPEGs otherwise (other images' pixels are the same), so "
        f"scores may differ slightly from a fresh embed; run `{command}` to refresh them"
    )


def repaired_vectors_warnings(repaired: Sequence[str], store: str | os.PathLike[str]) -> list[str]:
    """The warning of an embed that encoded unchanged images again, as their stored vectors
    were damaged (`SyncPlan.repaired`); none where there were none."""
    if not repaired:
        return []
    named = some_names(
        [printable(path) for path in repaired[:DAMAGED_NAMED]], DAMAGED_NAMED, len(repaired)
    )
    return [
        f"{printable(store)} held damaged vectors (not finite, not of unit length, or of the "
        f"wrong length) of {counted(len(repaired), 'unchanged image')}, which every read of the "
        f"store refuses: encoded again ({named})"
    ]


def stored_precision(store_path: str | os.PathLike[str], identity: str) -> str | None:
    """The precision the model `identity` encoded the store's images in, if recorded."""
    with EmbeddingStore.open(store_path, create=False) as store:
        return next((m.precision for m in store.models() if m.identity == identity), None)


def check_store_writable(path: Path) -> None:
    """ZslError when `zsl embed` could not write the store (a read-only file, folder or mount, a
    folder that takes no new file), said before the model loads rather than at the first commit.
    SQLite also writes its journal files next to the store (next to the file a link leads to),
    so that folder must be writable too."""
    _check_no_link_loop(path)
    _check_journal_name(path)
    _check_one_name(path)
    _check_no_journal_links(path)
    real = Path(os.path.realpath(path))
    folder = real.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the folder that would be created is checked where it would go
    # A read of a read-only store leaves its -wal and -shm files read-only as it was, and
    # SQLite cannot write the store through them once the store is writable again.
    journals = [Path(f"{real}-{kind}") for kind in ("wal", "shm")]
    places = (path, folder, *(j for j in journals if j.exists())) if path.exists() else (folder,)
    for place in places:
        if not os.access(place, os.W_OK):
            kind = "folder" if place.is_dir() else "file"
            hint = _left_by_a_read_hint(journals) if place in journals else ""
            if _on_read_only_mount(place):  # no permission of the file's or folder's to change
                hint = (
                    " (its file system is mounted read-only: embed into a store elsewhere, or "
                    "remount it read-write)"
                )
            raise ZslError(f"embedding store {path}: cannot write to its {kind} {place}{hint}")
    if not path.exists() and folder.is_dir():  # a file in the way is named as it is created
        _check_file_can_be_made(path, folder)


def _check_one_name(path: Path) -> None:
    """Refuse to write a store file that has other names (hard links: `ln`, a `cp -al` or
    rsnapshot tree). SQLite names the -wal and -shm files after the name it opens, while its
    locks sit on the one file: runs through two names each had a log and a lock index of their
    own, saw none of the other's commits and copied their pages over each other's, so one run's
    images were lost with both exiting 0, and a run killed through one name left a -wal that the
    next open through it laid over what the other name wrote since, damaging the whole store
    (sqlite.org/howtocorrupt.html, 2.4). `_identity` cannot tell them apart: it is one file.

    Only writers are refused. A read writes nothing into the file but the commits its own name's
    -wal holds, a run killed through that name, and with writers refused no other name can have
    written after them (only runs of an older zsl could have); commits waiting under another
    name are only not seen. Refused, a read would block reading a hard-linked backup, where
    each snapshot names the same unchanged store."""
    try:
        status = os.stat(path)
    except OSError:  # missing (a new store), or said where it is opened
        return
    links = status.st_nlink
    # A folder's links are its subfolders' `..`: not a store, which the checks after say.
    if S_ISREG(status.st_mode) and links > 1:
        name = shlex.quote(printable(path))
        mount = shlex.quote(printable(mount_point(path)))
        raise ZslError(
            f"embedding store {path} has {links} names (hard links to one file), and SQLite keeps "
            "a -wal and -shm file per name, so runs writing it under two names lose or damage "
            "each other's work; write it under one name only: remove its other names "
            f"(`find {mount} -xdev -samefile {name}` lists them), or write to an independent copy "
            f"(`cp {name} copy.zsl`)"
        )


def mount_point(path: Path) -> str:
    """The mount point of the file system holding `path` (beside a link, its target): where
    every other hard-linked name of that file is."""
    folder = os.path.dirname(os.path.realpath(path))
    while not os.path.ismount(folder) and folder != os.path.dirname(folder):
        folder = os.path.dirname(folder)
    return folder


def _check_no_journal_links(path: Path, *, only_read: bool = False) -> None:
    """Refuse symbolic links where SQLite keeps a -wal, -shm or -journal file beside the store
    (beside the file a link to the store leads to), all of them named at once: SQLite will not
    open one, and said only "unable to open database file" (for a new store, once its file was
    made, which was left). A store `only_read` is read as immutable where a link stands, opening
    none of these files: only a -wal link to a file holding data is refused, as commits that
    read would miss (it was taken for a killed writer's, "open it once where it can be
    written"), and that refusal names the other links too, which the owner's next writing run
    would refuse."""
    kinds = _journal_links(path)
    if kinds and not only_read:
        named = _journal_names(path, kinds)
        raise ZslError(
            f"embedding store {path}: {_links_refused(path, kinds)}; remove {named} (while no "
            "zsl command uses the store) and run again"
        )
    real = os.path.realpath(path)
    journal = f"{real}-wal"
    if "wal" in kinds and _holds_data(journal):
        link = _journal_names(path, ["wal"])
        # The other links a writer refuses are named too: removed with the -wal link alone, the
        # owner's next writing run was refused for them.
        others = [kind for kind in kinds if kind != "wal"]
        also = f", and {_links_refused(path, others)}" if others else ""
        named = _journal_names(path, kinds)
        folder = os.path.dirname(real)
        if os.access(folder, os.W_OK):
            advice = f"remove {named} (while no zsl command uses the store) and run again"
        else:
            advice = (
                f"zsl may not write its folder {printable(folder)}: ask its owner to remove "
                f"{named}, or copy {path} to a folder you may write and read the copy"
            )
        raise ZslError(
            f"embedding store {path}: {link} beside it is a symbolic link to a file holding "
            f"data, and SQLite reads no commits through one{also}; {advice}"
        )


def _journal_links(path: Path) -> list[str]:
    """The kinds (wal, shm, journal) of the files SQLite keeps beside the store (beside the file
    a link to it leads to) that are symbolic links."""
    real = os.path.realpath(path)
    return [kind for kind in JOURNAL_KINDS if os.path.islink(f"{real}-{kind}")]


def _journal_names(path: Path, kinds: Sequence[str]) -> str:
    """The files of these kinds beside the store, named as the store was given (unless that is
    a link too: then beside its target), for messages."""
    real = os.path.realpath(path)
    shown = os.fspath(path) if real == os.path.abspath(path) else real
    return listed([printable(f"{shown}-{kind}") for kind in kinds])


def _links_refused(path: Path, kinds: Sequence[str]) -> str:
    """Why the links of these kinds beside the store keep SQLite from opening it."""
    named = _journal_names(path, kinds)
    files = listed([f"-{kind}" for kind in kinds])
    if len(kinds) == 1:
        return (
            f"{named} beside it is a symbolic link, and SQLite will not open one where it keeps "
            f"the store's {files} file"
        )
    return (
        f"{named} beside it are symbolic links, and SQLite will not open one where it keeps the "
        f"store's {files} files"
    )


def _holds_data(path: str) -> bool:
    """Whether `path` leads to a file that is not empty (a dangling link does not)."""
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def _on_read_only_mount(place: Path) -> bool:
    """Whether `place` is on a file system mounted read-only; False where that cannot be told
    (Windows, which has no statvfs)."""
    statvfs = getattr(os, "statvfs", None)
    if statvfs is None:
        return False
    try:
        return bool(statvfs(place).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _left_by_a_read_hint(journals: Sequence[Path]) -> str:
    """For a -wal or -shm file embed may not write: where the -wal holds no commit, the files a
    read of the store made while it was read-only to the reader (an older zsl left
    them), which may go; a -wal holding commits is a writer's, killed outright."""
    wal = journals[0]
    if wal.exists() and wal.stat().st_size > 0:
        return ""
    files = " and ".join(journal.name for journal in journals if journal.exists())
    return (
        f" (no commit waits in it: a read of the store while it was read-only left it); delete "
        f"{files} while no zsl command uses the store (their owner or root may, in a shared "
        "folder), and run again"
    )


def _create_store_file(path: Path) -> None:
    """Create the new store's empty file with mode 0o666 less the umask, as `touch` and every
    other output do; SQLite made it 0o644 whatever the umask, so a group sharing a store under
    umask 002 could not write to it. SQLite gives its -wal and -shm files the store's mode.
    O_EXCL neither follows a link planted meanwhile nor truncates a store made meanwhile (by
    another zsl embed): that file is left as it is, for SQLite to open. An empty file is what
    SQLite makes a store of, as of one it created itself."""
    try:
        os.close(os.open(written_path(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        pass
    except OSError as error:
        raise ZslError(f"cannot create embedding store {path}: {why_not_created(error)}") from error


def _check_file_can_be_made(path: Path, folder: Path) -> None:
    """Make and remove a file in `folder`, where the store (or the folder it goes in) is to be
    made: a kernel file system (/proc) refuses even root, who has write access to it, and
    SQLite said only "unable to open database file", once the model had loaded."""
    probe = folder / f".{secrets.token_hex(4)}{TEMP_SUFFIX}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise ZslError(f"cannot create embedding store {path}: {why_not_created(error)}") from error
    os.unlink(probe)


def _check_no_link_loop(path: Path) -> None:
    """Refuse links that lead to each other: pathlib takes them for no file at all ("not found;
    create it"), and SQLite says only "unable to open database file", once the model loaded."""
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ZslError(
                f"embedding store {path} is a symbolic link loop; give a file name like photos.zsl"
            ) from None


def _damaged(path: Path, why: str) -> str:
    return f"embedding store {path} is damaged ({why}); delete it and re-run `zsl embed`"


def _other_store_advice(create: bool) -> str:
    # A new file name makes a new store to write (zsl embed), but no store to read from.
    return "give " + ("a new file name or " if create else "") + "the store `zsl embed` wrote"


def _check_journal_name(path: Path) -> None:
    """Refuse a name the file system takes but not with "-journal" after it: SQLite opens a
    store only where it can name the journal files beside it, and embed failed with "unable to
    open database file" once the model loaded, leaving the store's file empty."""
    real = Path(os.path.realpath(path))  # SQLite's journals go beside the file a link leads to
    folder = real.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # a folder to be created is on the file system of its parent
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no limit known (Windows has no pathconf)
        return
    size = len(os.fsencode(f"{real.name}-journal"))
    if size > name_max:
        raise ZslError(
            f"embedding store {path}: its name is too long: SQLite keeps a journal file beside "
            f"it, named as the store with -journal after it, which would have {size} bytes, "
            f"over the {name_max} a file name may have there; give a shorter name"
        )


def _entry_spellings(new: Sequence[str], stored: Iterable[str]) -> dict[str, str]:
    """For each of these new paths (in scan order) whose file already has an entry under another
    spelling, that spelling: the same name in the same real folder, reached through a linked
    folder (or its target, or another link to it), stored or met earlier in this scan. A file
    linked under another name, or into another folder, is another entry, whatever the order of
    the runs. Folders are resolved once each, and stored paths only where a new name matches."""
    keys = real_folder_keys(new)
    names = {name for _, name in keys.values()}
    same_name = sorted((p for p in stored if os.path.basename(p) in names), key=os.fsencode)
    first: dict[tuple[str, str], str] = {}
    for path, key in [*real_folder_keys(same_name).items(), *keys.items()]:
        first.setdefault(key, path)
    return {path: first[key] for path, key in keys.items() if first[key] != path}


def _other_spellings(kept: Collection[bytes], stored: Iterable[bytes]) -> list[bytes]:
    """Stored paths that are not kept but spell a kept path's file another way (the same name
    in the same real folder); only stored paths whose name a kept one has are resolved."""
    keys = set(real_folder_keys(os.fsdecode(path) for path in kept).values())
    names = {name for _, name in keys}
    others = (
        os.fsdecode(path)
        for path in stored
        if path not in kept and os.fsdecode(os.path.basename(path)) in names
    )
    return [os.fsencode(path) for path, key in real_folder_keys(others).items() if key in keys]


def _stored_under_other_spellings(
    store: EmbeddingStore, model_id: int, paths: Sequence[str]
) -> dict[str, StoredFile]:
    """What is stored for these absolute paths under another spelling: the same name in the same
    real folder (reached through a folder link, the entry `plan` would reuse), else the file a
    link leads to, else a stored link that leads to the same file."""
    stored = store.paths(model_id)
    stored_set = set(stored)
    spelled = {
        path: other
        for path, other in _entry_spellings(paths, stored).items()
        if other in stored_set
    }
    real = {path: os.path.realpath(path) for path in paths if path not in spelled}
    links = _stored_links(stored, {target for target in real.values() if target not in stored_set})
    for path, target in real.items():
        if target in stored_set:
            spelled[path] = target
        elif target in links:
            spelled[path] = links[target]
    by_spelling = store.fetch(model_id, sorted(set(spelled.values())), unit=True)
    # A file forgotten since the paths were read is not in by_spelling.
    return {path: by_spelling[other] for path, other in spelled.items() if other in by_spelling}


def _stored_links(stored: Iterable[str], targets: Collection[str]) -> dict[str, str]:
    """For each of these real paths that a stored path leads to, that stored path (the first by
    path bytes). Only stored files of the same name are resolved: a linked folder keeps names,
    and so a miss costs a scan of the stored names rather than a file system call per image (a
    file linked under another name is not found this way)."""
    names = {os.path.basename(target) for target in targets}
    spelled: dict[str, str] = {}
    for path in stored:
        if os.path.basename(path) in names:
            real = os.path.realpath(path)
            if real in targets:
                spelled.setdefault(real, path)
    return spelled


def _no_stored_model_message(store: EmbeddingStore, name: str, revision: str | None) -> str:
    """The refusal of a run that reads the store for the model stored as `name` (with its
    preprocessing's suffix; loaded at the hub `revision`, if one was asked for), which it does
    not hold: what it holds, and the `zsl embed` (quoted for a shell, with the model's options:
    without them embed takes the default model, or the default revision) that encodes the
    images for this one."""
    models = store.models()
    if not models:
        return _no_embeddings_message(store, models)
    names = [m.name for m in models]
    model = name.removesuffix(EXACT_PREPROCESSING_SUFFIX)
    options = embed_options(model, model != name, revision=revision)
    fix = f"run `{embed_command(store.path, options)}` to encode the images "
    fix += "for this model"
    if name in names:
        return (
            f"{store.path} holds embeddings of a model named {name}, but not of this one: its "
            f"weights or settings differ (or an older zsl identified models otherwise); {fix}"
        )
    # The same model in the other preprocessing is named with it: "shapes-demo" beside a
    # request of "shapes-demo (exact preprocessing)" read as the very model asked for.
    held = ", ".join(
        _with_preprocessing(held_name)
        if held_name.removesuffix(EXACT_PREPROCESSING_SUFFIX) == model
        else held_name
        for held_name in names
    )
    return (
        f"{store.path} has no embeddings for model {name} (it has: {held});"
        f" embeddings are kept per model and preprocessing: use the --model (and "
        f"--exact-preprocessing) of 'zsl embed', or {fix}"
    )


def _with_preprocessing(name: str) -> str:
    """A stored model's `name` with its preprocessing named, the fast one too."""
    return name if name.endswith(EXACT_PREPROCESSING_SUFFIX) else f"{name} (fast preprocessing)"


def _all_stored_items(store: EmbeddingStore, model_id: int) -> list[ImageItem]:
    stored = store.load(model_id, unit=True)
    items = [
        ImageItem(0, Path(path), embedding=vector)
        for path, vector in zip(stored.paths, stored.vectors, strict=True)
    ]
    items += [ImageItem(0, Path(path), status, error) for path, status, error in stored.failed]
    items.sort(key=lambda item: os.fsencode(item.path))
    for index, item in enumerate(items):
        item.index = index
    return items


def _item_from_store(index: int, path: Path, stored: StoredFile | None) -> ImageItem:
    if stored is None:
        # What embed would say of a path it cannot store (a broken link, a folder, ...).
        problem = file_problem(path)
        if problem is not None:
            return ImageItem(index, path, problem.status, f"{problem.reason}, and not in the store")
        return ImageItem(
            index, path, STATUS_NOT_EMBEDDED, "not in the embedding store: run 'zsl embed' on it"
        )
    try:
        now = os.stat(path)
    except OSError:
        now = None  # gone or unreadable here: the stored result is all there is
    if now is not None and (now.st_size, now.st_mtime_ns) != (stored.size, stored.mtime_ns):
        return ImageItem(
            index, path, STATUS_CHANGED, "changed since it was stored: run 'zsl embed' again"
        )
    return ImageItem(index, path, stored.status, stored.error, embedding=stored.vector)
