"""Turn PATH arguments into the run's list of input files.

Each input is one of:
- a folder: walked recursively for files whose extension (case-insensitive) is in `extensions`;
- a file: included whatever its extension, because the user named it;
- a glob pattern (`*`, `?`, `[...]`, negated by `[!...]` or, as in bash, `[^...]`, and `**` for
  any number of folders), expanded only when no file or folder has that literal name: matched
  folders are walked, matched files are kept when their extension is in `extensions` (a pattern
  ending in '/' matches folders only);
- `-`: a list of paths read from stdin (newline- or NUL-separated). Entries are taken as given:
  folders are walked, anything else is returned, even a path that does not exist, so that the
  decoder reports it (`not_found`, `broken_link`, ...) without stopping the run.

An http(s) URL that names or matches no file here is an error that says zsl reads local
files only. Any
other input that does not exist is an error, unless `missing_ok` and it names a file with a
listed extension: that is kept like a stdin entry (labelling from a store reads vectors, not files),
or `missing_paths_ok`: then any such path, file or folder, is kept so (`embed --forget-missing`
names a folder that is gone to forget its stored images).
Where such a path is there with its accents composed otherwise (a folder copied from a Mac holds
café decomposed), the error says so (`accents.spelled_otherwise`, which the decoder's not_found
reason uses too); the path is never taken under that other spelling.

Walks skip hidden entries (name starting with '.') unless include_hidden; wildcards do not match a
leading '.' either (as in a shell) unless include_hidden or the pattern part starts with '.'. What
they skip is counted (`Discovery.hidden_images`, `.hidden_folders`), as are the files left out
for their extension (`Discovery.left_out`) and the folders that could not be read (`.skipped`).
Only the no-images error looks inside the hidden folders passed over (a few thousand entries at
most), to say how many images --include-hidden would take there.
Symbolic links are followed, but a walk enters each real folder (st_dev, st_ino) once, so link
loops terminate and a linked folder is not listed twice; folders reachable without a link are
listed under that spelling. Every non-folder entry with a listed extension is returned, including
broken links and special files: the decoder gives them a status. A folder that cannot be read is
skipped and recorded in `Discovery.skipped`.

Output paths keep the user's spelling (relative stays relative) and are sorted by
os.fsencode(path) (the order of `LC_ALL=C sort`), so the order depends neither on the file system
nor on the order of the arguments. They are deduplicated as the embedding store keys images: one
name in one real folder (st_dev, st_ino) is one input however the folder is spelled (through
folder links, `..`, absolute or relative), but two links to one file are two inputs (a curated
folder of links). Of its spellings the plainest is kept: without a folder link, as a walk keeps
it, then without a `..` that leaves a folder it names, then relative, then the byte-wise smallest
(`_unique_spellings`). Names that are not valid UTF-8 travel as str with surrogate escapes
(os.fsdecode) and are never re-encoded strictly.
"""

from __future__ import annotations

import codecs
import fnmatch
import functools
import itertools
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from zsl_cli.accents import lexists, not_found_hint
from zsl_cli.defaults import IMAGE_EXTENSIONS
from zsl_cli.errors import ZslError
from zsl_cli.files import absolute_path, file_identity
from zsl_cli.formatting import counted, printable, printable_text

# A file as inputs are deduplicated: its folder's file_identity ((st_dev, st_ino), else its real
# path), or absolute path where it cannot be stat'ed (a listed file that is gone), and its name.
_Key = tuple[tuple[int, int] | str, str]

STDIN_INPUT = "-"
_GLOB_CHARACTERS = frozenset("*?[")
# An image's web address, where a path belongs.
_URL = re.compile(r"https?://", re.IGNORECASE)
_LOCAL_FILES_ONLY = " (zsl reads local files only: download it first, such as with `curl -O`)"
_SEPARATOR_CHARACTERS = os.sep + (os.altsep or "")
_SEPARATORS = re.compile("[" + re.escape(_SEPARATOR_CHARACTERS) + "]")
_PATH_LIST_BLOCK = 1 << 16
# Eight NUL bytes in a row are no list: find -print0 writes no empty entry, and an empty argument
# or two in `printf '%s\0' "$@"` writes fewer.
_NUL_RUN = b"\0" * 8
_NUL_RUN_MESSAGE = (
    "the path list on stdin has NUL bytes in a row, as in /dev/zero: it is no path list"
)
_NO_NUL_MESSAGE = "the path list on stdin has no NUL byte: drop -0 (--null)"
# Entries the no-images error looks at inside the hidden folders a scan passed over, in each and
# in all, to tell whether --include-hidden would find images there.
_HIDDEN_FOLDER_LOOK_LIMIT = 1000
_HIDDEN_LOOK_LIMIT = 5000


@dataclass(frozen=True)
class Discovery:
    """What a scan found: the inputs, the folders it could not read with the reason, and what
    it covered (absolute: each folder walked, file named, glob's folder before its first wildcard,
    and each entry of a stdin list, found or not), and each folder the walks listed (absolute,
    as spelled: through a folder link where the walk went through one)."""

    paths: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    # Files the walks and glob expansions passed over for their extension, per lower-case
    # extension ("" for none): each once, whatever the spelling of the folders that hold it,
    # and none that is an input too (named by the user); hidden ones are not counted.
    left_out: dict[str, int] = field(default_factory=dict)
    # Hidden entries the walks and globs passed over without include_hidden, each once, where
    # include_hidden would have taken them: files with a listed extension (but inputs), and
    # folders, which were not searched.
    hidden_images: int = 0
    hidden_folders: int = 0
    # Folders and globs named as arguments that gave no file while others did: a mistyped folder,
    # or one of the wrong files, would otherwise leave the run without a word.
    empty_inputs: list[str] = field(default_factory=list)
    # Folders the walks and globs listed that held no entry at all, hidden ones included
    # (absolute, as spelled, sorted by bytes): an unmounted drive's mount point is one. Noted as
    # they are listed, so that `embed` need not look at any folder again.
    empty_folders: list[str] = field(default_factory=list)


def scan(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    stdin: IO[bytes] | None = None,
    nul_separated: bool = False,
    extensions: Collection[str] = IMAGE_EXTENSIONS,
    include_hidden: bool = False,
    allow_empty: bool = False,
    missing_ok: bool = False,
    missing_paths_ok: bool = False,
    readable_extensions: Callable[[], Collection[str]] | None = None,
    raw_extensions: Collection[str] = (),
) -> Discovery:
    """The run's input files (see the module doc), the folders that were skipped because they
    are unreadable, and what the scan covered; ZslError for a missing PATH, or for no images
    unless `allow_empty`.

    `stdin` is read for a `-` input (sys.stdin's binary buffer when None). `readable_extensions`
    gives the extensions (lower case, with the dot) of files the caller could read, which the
    no-images error names when the scan left them out for their extension; it is called only
    then, as asking Pillow takes some 50 ms that a run would otherwise spend at start-up.
    `raw_extensions` are those of cameras' raw files, which the caller decodes none of: that
    error says so of those it left out, where --ext would not help.
    """
    if not inputs:
        raise ZslError("no input paths given")
    names = [os.fspath(item) for item in inputs]
    wanted = normalize_extensions(extensions)
    walker = _Walker(wanted, include_hidden)
    found: list[str] = []
    roots: list[str] = []
    listed = 0  # entries read from stdin
    empty: list[str] = []  # arguments that gave nothing (but not for an unreadable folder)
    for item in names:
        unreadable_before = walker.unreadable_met
        if item == STDIN_INPUT:
            if stdin is None and sys.stdin is None:
                raise ZslError("stdin is closed: nothing to read for '-'")
            # A text stdin without bytes under it (a notebook's, a test runner's) is read as text.
            stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin)
            for entry in read_path_list(stream, nul_separated=nul_separated):
                listed += 1
                found.extend(walker.take(entry))
                roots.append(absolute_path(entry))
        elif _names_an_entry(item):
            taken = walker.take(item)
            if not taken and walker.unreadable_met == unreadable_before:
                empty.append(item)
            found.extend(taken)
            roots.append(absolute_path(item))
        elif (matches := walker.glob(item)) is not None:
            if not matches and walker.unreadable_met == unreadable_before:
                empty.append(item)
            found.extend(matches)
            roots.append(_glob_base(item))
        elif _URL.match(item) and not (
            _GLOB_CHARACTERS.intersection(item) and lexists(_glob_literal(item))
        ):
            # The transformers pipeline takes an image's URL; a '?' in one made it a pattern.
            # Tried as a path and a pattern first: a download's folder may be named `http:`.
            raise ZslError(f"no such file or directory: {printable(item)}{_LOCAL_FILES_ONLY}")
        elif missing_ok and _missing_file_name(item, wanted):
            found.append(_normal(item))
            roots.append(absolute_path(item))
        elif _GLOB_CHARACTERS.intersection(item):
            raise ZslError(
                f"no file or folder matches {printable(item)}{_glob_hint(item)}"
                f"{_hidden_matches_hint(item, wanted, include_hidden)}"
                f"{_LOCAL_FILES_ONLY if _URL.match(item) else ''}"
            )
        elif not item:  # `zsl label "$PHOTOS"` with the variable unset: the message quoted nothing
            raise ZslError("'' names no file or folder (an unset shell variable?)")
        elif item.endswith("/") and os.path.exists(item.rstrip("/")):
            # A file named as a folder (shell completion after a rename): it exists.
            raise ZslError(f"not a folder: {printable(item)} (give the file without the '/')")
        elif missing_paths_ok:
            found.append(_normal(item))
            roots.append(absolute_path(item))
        else:
            raise ZslError(f"no such file or directory: {printable(item)}{not_found_hint(item)}")
    unique = _unique_spellings(found, walker.key)
    paths = [Path(spelled) for spelled in sorted(unique.values(), key=os.fsencode)]
    if not paths and not allow_empty:
        if all(item == STDIN_INPUT for item in names) and not listed:
            raise ZslError("no paths on stdin (give one per line, or NUL-separated with -0)")
        raise ZslError(
            _nothing_found_message(names, wanted, walker, readable_extensions, raw_extensions)
        )
    return Discovery(
        paths=paths,
        skipped=walker.skipped,
        roots=roots,
        folders=[absolute_path(folder) for folder in walker.folders],
        left_out=walker.left_out_counts(taken=unique.keys()),
        hidden_images=len(walker.hidden_images.difference(unique.keys())),
        hidden_folders=len(walker.hidden_folders),
        empty_inputs=empty if paths else [],
        empty_folders=sorted(walker.empty_folders, key=os.fsencode),
    )


def walk_files(root: str, *, include_hidden: bool = False) -> Discovery:
    """Every entry under folder `root` that is not a folder, whatever its extension, found by the
    same walk as `scan` (links followed, each real folder once), spelled as root joined with
    sub-paths and sorted by os.fsencode(path)."""
    walker = _Walker(None, include_hidden)
    paths = [Path(path) for path in sorted(walker.walk(root), key=os.fsencode)]
    return Discovery(paths=paths, skipped=walker.skipped, roots=[absolute_path(root)])


def real_folder_keys(paths: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Each path's real folder (links resolved) and name: what tells files apart, as a link to
    a file is a file of its own while a folder reached through a link is the same folder."""
    real_folders: dict[str, str] = {}
    keys = {}
    for path in paths:
        folder, name = os.path.split(path)
        if folder not in real_folders:
            real_folders[folder] = os.path.realpath(folder)
        keys[path] = (real_folders[folder], name)
    return keys


def _glob_literal(pattern: str) -> str:
    """A glob pattern's path up to its first wildcard part (a part that names an existing file
    or folder literally is no wildcard)."""
    parts = _SEPARATORS.split(pattern)
    literal: list[str] = []
    for part in parts:
        if _GLOB_CHARACTERS.intersection(part) and not _names_an_entry(
            os.sep.join([*literal, part])
        ):
            break
        literal.append(part)
    return os.sep.join(literal) if literal else os.curdir


def _glob_base(pattern: str) -> str:
    """The absolute folder a glob pattern searches: its literal path (_glob_literal)."""
    return absolute_path(_glob_literal(pattern) or os.sep)


def _glob_hint(pattern: str) -> str:
    """For a glob that matches nothing: its folder's name spelled otherwise, if that is why."""
    literal = _glob_literal(pattern)
    return not_found_hint(literal) if literal and not lexists(literal) else ""


def _hidden_matches_hint(pattern: str, extensions: frozenset[str], include_hidden: bool) -> str:
    """For a glob that matches nothing: the hidden images and folders it passed over, which
    --include-hidden would take or search (a fresh walker, as the scan's holds other inputs')."""
    walker = _Walker(extensions, include_hidden)
    walker.glob(pattern)
    return _hidden_hint(walker)


def read_path_list(stream: IO[bytes] | IO[str], *, nul_separated: bool = False) -> Iterator[str]:
    """Paths from a newline- (CR LF tolerated) or NUL-separated byte stream, each as soon as it
    has been read; blank lines ignored, and in a newline-separated list a UTF-8 byte-order mark
    at the start of a line. A text stream's text is taken as the file names it would be in bytes.

    At most a path's length is held unread: an entry longer than any path can be, or a run of
    NUL bytes (/dev/zero), is a ZslError, where reading on would never end or fill the memory.
    """
    separator = b"\0" if nul_separated else b"\n"
    longest = _longest_path()
    read = getattr(stream, "read1", stream.read)
    pending = b""  # bytes after the last separator
    head = True  # the stream's first bytes are yet to be checked
    seen_nul = False
    tail = b""  # the last bytes read, for a run of NUL bytes split between two reads
    taken = 0
    while True:
        block = read(_PATH_LIST_BLOCK)
        if isinstance(block, str):
            block = os.fsencode(block)
        ended = not block
        if _NUL_RUN in tail + block:
            raise ZslError(_NUL_RUN_MESSAGE)
        tail = (tail + block)[-len(_NUL_RUN) + 1 :]
        pending += block
        if head and (len(pending) >= 2 or ended):
            head = False
            if pending.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                # Windows PowerShell's `>`: its NUL bytes would read as a NUL-separated list.
                raise ZslError("the path list on stdin is UTF-16: save it as UTF-8")
        if not nul_separated and b"\0" in pending:
            # No file name holds a NUL byte: this is a find -print0 / xargs -0 style list,
            # unless the NUL bytes go on (/dev/zero), which the next read tells.
            at = pending.index(b"\0")
            while len(pending) < at + len(_NUL_RUN) and (more := read(_PATH_LIST_BLOCK)):
                pending += os.fsencode(more) if isinstance(more, str) else more
            if pending[at : at + len(_NUL_RUN)] == _NUL_RUN:
                raise ZslError(_NUL_RUN_MESSAGE)
            raise ZslError("the path list on stdin is NUL-separated: add -0 (--null)")
        *entries, pending = pending.split(separator)
        if entries:
            seen_nul = nul_separated
        if ended:
            if nul_separated and not seen_nul and b"\n" in pending:
                # find -print0 ends every name with a NUL; without one, lines are a list of
                # lines (`printf 'a\nb'` too), not one name holding newlines.
                raise ZslError(_NO_NUL_MESSAGE)
            entries.append(pending)
        for entry in entries:
            if not nul_separated:
                # Notepad starts a UTF-8 file with a byte-order mark (`cat a.txt b.txt` puts one
                # mid-list): no file name starts with one.
                entry = entry.removesuffix(b"\r").removeprefix(codecs.BOM_UTF8)
            if entry.strip():
                taken += 1
                yield os.fsdecode(entry)
        if ended:
            return
        if len(pending) > longest:
            if nul_separated and not seen_nul and b"\n" in pending:
                raise ZslError(_NO_NUL_MESSAGE)
            start = printable(os.fsdecode(pending[:40]))
            raise ZslError(
                f"the path list on stdin has an entry longer than any path (over {longest} bytes):"
                f" entry {taken + 1}, {start}..."
            )


def _longest_path() -> int:
    """The most bytes a path can have here (Linux: 4096, less the NUL that ends it)."""
    try:
        return os.pathconf("/", "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):  # Windows has no pathconf
        return 4096


def normalize_extensions(extensions: Collection[str]) -> frozenset[str]:
    """Lower-case, with a leading dot: {"JPG", " .png"} -> {".jpg", ".png"}; blanks dropped.
    ZslError for one no file's extension can be (a pattern, two words, a dot inside): files
    would be left out for an extension the user believes given."""
    wanted = set()
    for extension in extensions:
        cleaned = extension.strip().lower().removeprefix(".")
        if _NOT_IN_AN_EXTENSION.search(cleaned):
            raise ZslError(
                f"--ext {printable_text(extension.strip())}: an extension is the end of a file "
                f"name after its last dot, such as jpg or .png (several: --ext "
                f"{_listed_with_commas(extension)})"
            )
        if cleaned:
            wanted.add("." + cleaned)
    return frozenset(wanted)


# ';' and '|' too: `--ext 'png;jpg'` was taken for one extension, .png;jpg, a list meant.
_NOT_IN_AN_EXTENSION = re.compile(r"[\s.*?\[\];|" + re.escape(_SEPARATOR_CHARACTERS) + "]")
_LIST_SEPARATORS = re.compile(r"[\s;|]+")


def _listed_with_commas(extension: str) -> str:
    """`--ext`'s value for the extensions that `extension` lists with spaces, ';' or '|'
    (`png;jpg`: png,jpg); an example where it lists none that could be given so."""
    words = [word for word in _LIST_SEPARATORS.split(printable_text(extension)) if word]
    plain = all(not _NOT_IN_AN_EXTENSION.search(word.lower().removeprefix(".")) for word in words)
    return ",".join(words) if len(words) > 1 and plain else "jpg,png"


def extension_counts(counts: Mapping[str, int]) -> str:
    """{".tga": 1, ".jp2": 2} -> ".jp2 2, .tga 1" (the most frequent first)."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{extension} {count}" for extension, count in ordered)


def camera_raw_left_out(raw: Mapping[str, int], *, whatever_ext: bool = False) -> str:
    """What to say of cameras' raw files a walk left out (`raw`: files per extension), which
    zsl decodes none of; `whatever_ext`: that --ext does not change that, for the no-images
    error, which points to --ext."""
    n = sum(raw.values())
    files = "1 camera raw file was" if n == 1 else f"{n} camera raw files were"
    return (
        f"{files} left out ({extension_counts(raw)}): zsl decodes no raw image"
        f"{', whatever --ext takes' if whatever_ext else ''}; convert {_them(n)} to JPEG or "
        f"TIFF (darktable-cli, RawTherapee, dcraw) to label {_them(n)}"
    )


class _Walker:
    """Folder walks and glob expansion sharing one set of rules and one list of skipped folders.

    Paths are kept as strings in pathlib's normal spelling (str(Path(p))), so that they can be
    deduplicated and sorted before the one Path per result is built.
    """

    def __init__(self, extensions: frozenset[str] | None, include_hidden: bool) -> None:
        self.extensions = extensions  # None: every file
        self.include_hidden = include_hidden
        self.skipped: list[tuple[Path, str]] = []
        self.skipped_at: set[str] = set()  # their absolute paths
        self.unreadable_met = 0  # times a folder could not be read, each reported one or not
        # Hidden files with a wanted extension the walks passed over, keyed as `left_out`: a
        # folder walked twice (given twice, or matched by `**` and then walked) counts once.
        self.hidden_images: set[_Key] = set()
        # Hidden folders they did not enter -> the path they were met at, and what
        # --include-hidden would look for in them: the rest of a glob's parts, () to walk them.
        self.hidden_folders: dict[_Key, tuple[str, set[tuple[str, ...]]]] = {}
        self.folders: list[str] = []  # folders they listed
        self.empty_folders: set[str] = set()  # those listed, walked or globbed, with no entry
        # Files they passed over for their extension, keyed as inputs are deduplicated: a
        # folder walked twice, or inside another walked folder, counts its files once however
        # it was spelled. Walks key each folder once, not each file: making each file absolute
        # made a walk through 20,000 images and 20,000 sidecars about half as slow again.
        self.left_out: set[_Key] = set()
        self.folder_ids: dict[str, tuple[int, int] | str] = {}  # absolute folder -> its key
        # Entries the listings may still read (None: any number), and whether one was left
        # unread for it: looking inside hidden folders for the no-images error is bounded.
        self.budget: int | None = None
        self.cut_short = False

    def take(self, path: str) -> list[str]:
        """A path named by the user: a folder is walked, anything else is kept as it is."""
        return self.walk(path) if os.path.isdir(path) else [_normal(path)]

    def _note_hidden(self, entry: os.DirEntry[str], search: tuple[str, ...] = ()) -> None:
        """Note a hidden entry passed over; `search`: what the walk or glob would have looked for
        in it, were it a folder (the glob's parts left, () for everything)."""
        if is_folder_entry(entry):
            key = self.key(entry.path)
            # Spelled as pathlib spells it only where the no-images error names it.
            self.hidden_folders.setdefault(key, (entry.path, set()))[1].add(search)
        elif self.extensions is None or _extension(entry.name) in self.extensions:
            self.hidden_images.add(self.key(entry.path))

    def left_out_counts(self, taken: Collection[_Key] = ()) -> dict[str, int]:
        """Files left out per extension, but for those in `taken` (keys): a file one walk
        passed over that the user also named is an input."""
        left_out = self.left_out.difference(taken)
        return dict(sorted(Counter(_extension(name) for _, name in left_out).items()))

    def key(self, path: str) -> _Key:
        """The file `path` names, as inputs are deduplicated (see _Key)."""
        folder, name = os.path.split(absolute_path(path))
        return self._folder_id(folder), name

    def _folder_id(self, absolute: str) -> tuple[int, int] | str:
        known = self.folder_ids.get(absolute)
        if known is None:
            try:
                info = os.stat(absolute)
            except OSError:
                known = absolute
            else:
                known = file_identity(info, absolute)
            self.folder_ids[absolute] = known
        return known

    def _wanted(self, name: str) -> bool:
        """Whether a file met in a walk or a glob has a wanted extension."""
        return self.extensions is None or _extension(name) in self.extensions

    def walk(self, root: str) -> list[str]:
        """Files under `root` with a wanted extension, spelled as root joined with sub-paths."""
        found = []
        for folder, others in self._tree(_normal(root)):
            prefix, folder_id = _prefix(folder), self._folder_id(absolute_path(folder))
            for entry in others:
                if self._wanted(entry.name):
                    found.append(prefix + entry.name)
                else:
                    self.left_out.add((folder_id, entry.name))
        return found

    def glob(self, pattern: str) -> list[str] | None:
        """Files matching `pattern`, with matched folders walked; None when nothing matches,
        unless a folder it had to search could not be read (that folder is reported instead)."""
        if not _GLOB_CHARACTERS.intersection(pattern):
            return None
        drive, rest = os.path.splitdrive(pattern)
        anchor = drive + rest[: len(rest) - len(rest.lstrip(_SEPARATOR_CHARACTERS))]
        parts = [part for part in _SEPARATORS.split(rest) if part]
        if rest.endswith(tuple(_SEPARATOR_CHARACTERS)):
            parts.append("")  # 'photos/*/': folders only, as in a shell
        return self._glob_parts(anchor, parts)

    def _glob_parts(self, base: str, parts: list[str]) -> list[str] | None:
        """As `glob`, for a pattern split into its folder `base` and the parts after it."""
        met_before = self.unreadable_met
        matches = sorted(set(self._expand(base, parts)), key=lambda match: os.fsencode(match[0]))
        if not matches:
            return [] if self.unreadable_met > met_before else None
        found: list[str] = []
        walked: set[str] = set()
        for path, is_folder in matches:
            if not is_folder:
                if self._wanted(path):
                    found.append(_normal(path))
                else:
                    self.left_out.add(self.key(path))
            elif not _inside_any(path, walked):  # `a/**` matches every folder under a: walk a once
                walked.add(path)
                found.extend(self.walk(path))
        return found

    def _expand(self, base: str, parts: list[str]) -> Iterator[tuple[str, bool]]:
        """(path, is_folder) for the paths under folder `base` that match `parts`.

        `**` matches zero or more folders; a last part "" matches `base` if it is a folder. The
        standard library's glob follows folder links under `**` with no loop detection (two
        looping links make it run for ever), hence this small expander, which uses the walk's
        loop-safe traversal for `**`.
        """
        head, rest = parts[0], parts[1:]
        folder = base or os.curdir
        if not head:  # after a final separator
            if os.path.isdir(folder):
                yield folder, True
        elif head == "**":
            if not rest or rest == [""]:  # `**/` is every folder below too: one walk lists them
                yield folder, True  # everything below: a walk of `folder` lists it
                return
            # Hidden files there are noted by the listing for `rest`, where they would match it;
            # hidden folders, as --include-hidden would search them: for `**` and the rest.
            tree = self._tree(_normal(folder), note_hidden_files=False, search=("**", *rest))
            for sub_folder, _others in tree:
                yield from self._expand(sub_folder, rest)
        elif _GLOB_CHARACTERS.intersection(head) and not _names_an_entry(os.path.join(base, head)):
            # A part that names an existing entry literally is no wildcard (as in _glob_base):
            # 'Trip [2023]/*.jpg' searches the folder 'Trip [2023]'.
            head_pattern = _shell_pattern(head)
            for entry in self._list(folder):
                if not fnmatch.fnmatch(entry.name, head_pattern):
                    continue
                path, is_folder = os.path.join(base, entry.name), is_folder_entry(entry)
                if not self._wildcard_may_match(entry.name, head):
                    if is_folder or not rest:  # what --include-hidden would take or search
                        self._note_hidden(entry, tuple(rest))
                elif not rest:
                    yield path, is_folder
                elif is_folder:
                    yield from self._expand(path, rest)
        else:
            path = os.path.join(base, head)
            if not rest:
                if lexists(path):
                    yield path, os.path.isdir(path)
            elif self._is_folder(path):
                yield from self._expand(path, rest)

    def _is_folder(self, path: str) -> bool:
        """os.path.isdir, but a path that cannot be looked up for another reason than being
        absent (a folder we may not search) is recorded as skipped."""
        try:
            return stat.S_ISDIR(os.stat(path).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError as error:
            self._skip(path, error)
            return False

    def _tree(
        self, root: str, note_hidden_files: bool = True, search: tuple[str, ...] = ()
    ) -> Iterator[tuple[str, list[os.DirEntry[str]]]]:
        """(folder, its entries that are not folders) for `root` and each folder below it.

        Hidden entries are left out unless include_hidden (and noted for the no-images message,
        but for files where not `note_hidden_files`; folders with `search`, see _note_hidden).
        Each real folder (st_dev, st_ino) is listed once, so link loops end. Folders reached
        through a symbolic link wait until every folder reachable without one has been listed,
        so a folder is spelled without a link whenever it can be.
        """
        visited: set[tuple[int, int] | str] = set()
        plain_folders: list[str] = [root]
        linked_folders: list[str] = []
        while plain_folders or linked_folders:
            folder = plain_folders.pop() if plain_folders else linked_folders.pop()
            if not self._first_visit(folder, visited):
                continue
            self.folders.append(folder)
            prefix = _prefix(folder)
            others = []
            # Reversed, so the stacks pop folders in sorted order: of two sibling links to one
            # folder, the byte-wise smaller name is the one listed (of links in different folders,
            # the one met last; either way the same on every run).
            for entry in reversed(self._list(folder)):
                if not self.include_hidden and entry.name.startswith("."):
                    if note_hidden_files or is_folder_entry(entry):
                        self._note_hidden(entry, search)
                    continue
                if not is_folder_entry(entry):
                    others.append(entry)
                elif entry.is_symlink():
                    linked_folders.append(prefix + entry.name)
                else:
                    plain_folders.append(prefix + entry.name)
            yield folder, others

    def _wildcard_may_match(self, name: str, pattern_part: str) -> bool:
        return self.include_hidden or not name.startswith(".") or pattern_part.startswith(".")

    def _first_visit(self, folder: str, visited: set[tuple[int, int] | str]) -> bool:
        """Record `folder` as visited; False when this real folder was seen before (or is gone)."""
        try:
            info = os.stat(folder)
        except OSError as error:
            self._skip(folder, error)
            return False
        key = file_identity(info, folder)
        self.folder_ids[absolute_path(folder)] = key  # for _folder_id, which would stat it again
        if key in visited:
            return False
        visited.add(key)
        return True

    def _list(self, folder: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as iterator:
                cut_short = False
                if self.budget is None:
                    entries = list(iterator)
                else:
                    entries = list(itertools.islice(iterator, self.budget + 1))
                    cut_short = len(entries) > self.budget
                    del entries[self.budget :]
                    # A listing costs one entry at least, so that thousands of empty hidden
                    # folders (a .thumbnails in each folder) are bounded too.
                    self.budget = max(0, self.budget - max(1, len(entries)))
                    self.cut_short = self.cut_short or cut_short
        except OSError as error:
            self._skip(folder, error)
            return []
        if not entries and not cut_short:
            self.empty_folders.add(absolute_path(folder))
        return sorted(entries, key=lambda entry: os.fsencode(entry.name))

    def _skip(self, folder: str, error: OSError) -> None:
        """Record `folder` as unreadable, once however often walks and globs meet it."""
        self.unreadable_met += 1
        absolute = absolute_path(folder)
        if absolute not in self.skipped_at:
            self.skipped_at.add(absolute)
            self.skipped.append((Path(folder), (error.strerror or str(error)).lower()))


def is_folder_entry(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder, following links; a link loop, or one whose target may not
    be looked up, is none (as the walk takes it), where is_dir() raises for it."""
    try:
        return entry.is_dir()  # follows links; False for a broken one
    except OSError:
        return False


def _missing_file_name(item: str, extensions: frozenset[str]) -> bool:
    """A name that could be one of the run's files (not a glob, not a folder)."""
    return not _GLOB_CHARACTERS.intersection(item) and _extension(item) in extensions


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _names_an_entry(path: str) -> bool:
    """Whether `path` is taken as a name rather than expanded as a pattern: without wildcards,
    when something may have that name (_lexists); with them, only when something has it. Where
    it cannot be looked up (a folder we may not search, a path too long) it is a pattern, which
    lists the folder and reports it if that fails: taken as a name, it was a file named '*.png'
    and the folder went unreported."""
    if not _GLOB_CHARACTERS.intersection(path):
        return lexists(path)
    try:
        os.lstat(path)
    except OSError:
        return False
    return True


def _shell_pattern(part: str) -> str:
    """A pattern part for fnmatch, with a bracket expression opened by '^' negated ('[^ab]' as
    '[!ab]'), as bash and zsh negate it: fnmatch takes that '^' as a character to match."""
    pieces = []
    start = 0
    while (opening := part.find("[", start)) >= 0:
        # Where fnmatch looks for the closing ']': a ']' first in the expression is a character.
        end = opening + 1
        if part[end : end + 1] in ("!", "^"):
            end += 1
        if part[end : end + 1] == "]":
            end += 1
        end = part.find("]", end)
        if end < 0:  # no closing ']': the '[' is a character, and so is the rest
            break
        pieces.append(part[start:opening])
        expression = part[opening : end + 1]
        pieces.append("[!" + expression[2:] if expression.startswith("[^") else expression)
        start = end + 1
    return "".join(pieces) + part[start:]


def _inside_any(path: str, folders: set[str]) -> bool:
    parent = os.path.dirname(path)
    while parent and parent != path:
        if parent in folders:
            return True
        path, parent = parent, os.path.dirname(parent)
    return False


def _normal(path: str) -> str:
    """pathlib's spelling of a path: no '.' parts, repeated or trailing separators."""
    return str(Path(path))


def _prefix(folder: str) -> str:
    """What to put before an entry name of `folder` (already in pathlib's spelling)."""
    if folder == os.curdir:
        return ""
    return folder if folder.endswith(os.sep) else folder + os.sep


def _unique_spellings(found: list[str], key: Callable[[str], _Key]) -> dict[_Key, str]:
    """key(path) -> the spelling of that file in `found` to keep, the plainest, whatever their
    order: one whose folder is spelled without a link (as a walk lists a folder), then without a
    `.` or a `..` that undoes a folder it named (`blue/../red` names an unrelated folder), then a
    relative one (as the run was given), then the byte-wise smallest."""

    @functools.cache
    def through_a_link(folder: str) -> bool:
        return os.path.realpath(folder) != absolute_path(folder)

    def rank(spelled: str) -> tuple[bool, bool, bool, bytes]:
        # Leading `..` parts (`../photos` from a folder beside it) undo no folder named here.
        parts = list(itertools.dropwhile(lambda part: part == os.pardir, spelled.split(os.sep)))
        roundabout = os.curdir in parts or os.pardir in parts
        return (
            through_a_link(os.path.dirname(spelled)),
            roundabout,
            os.path.isabs(spelled),
            os.fsencode(spelled),
        )

    unique: dict[_Key, str] = {}
    for spelled in found:
        file = key(spelled)
        kept = unique.get(file)
        if kept is None or (kept != spelled and rank(spelled) < rank(kept)):
            unique[file] = spelled
    return unique


def _nothing_found_message(
    inputs: Sequence[str],
    extensions: frozenset[str],
    walker: _Walker,
    readable_extensions: Callable[[], Collection[str]] | None,
    raw_extensions: Collection[str],
) -> str:
    shown = ", ".join(printable(item) for item in inputs[:3])
    if len(inputs) > 3:
        shown += f" and {len(inputs) - 3} more"
    message = (
        f"no images found in {shown} (looked for "
        f"{' '.join(sorted(extensions))}; choose others with --ext, which replaces "
        "this list)"
    )
    left_out = walker.left_out_counts()
    readable_now = readable_extensions() if left_out and readable_extensions else ()
    readable = {extension: n for extension, n in left_out.items() if extension in readable_now}
    if readable:
        n_other = sum(readable.values())
        message += (
            f"; {counted(n_other, 'image')} with other extensions {_were(n_other)} left out "
            f"({extension_counts(readable)}): add {_them(n_other)} with --ext"
        )
    raw = {extension: n for extension, n in left_out.items() if extension in raw_extensions}
    if raw:
        message += f"; {camera_raw_left_out(raw, whatever_ext=True)}"
    message += _hidden_hint(walker)
    if walker.skipped:
        folder, reason = walker.skipped[0]
        message += (
            f"; {counted(len(walker.skipped), 'folder')} unreadable, e.g. {printable(folder)}: "
            f"{reason}"
        )
    return message


def _hidden_hint(walker: _Walker) -> str:
    """What --include-hidden would take that the walks and globs left out: hidden images, and
    images in the hidden folders they did not enter (naming the folder holding the most). Of
    hidden folders holding no image in what was looked at nothing is said: a repository's .git,
    too large to look through, was named as the way to images it does not hold."""
    n_files = len(walker.hidden_images)
    inside = _images_in_hidden_folders(walker)
    n_inside = len(inside.images)
    left_out = []
    if n_files:
        left_out.append(f"{counted(n_files, 'hidden image')} (names starting with '.')")
    if n_inside:
        # A link back (`.loop -> ..`) reaches the same images: the folder holding them is named.
        most = min(
            inside.per_folder.items(),
            key=lambda item: (-item[1], os.path.islink(item[0]), os.fsencode(item[0])),
        )
        if len(inside.per_folder) == 1 and not inside.cut_short:
            where = f"the hidden folder {printable(most[0])}"
        else:
            where = f"hidden folders such as {printable(most[0])}"
        at_least = "at least " if inside.cut_short else ""
        left_out.append(f"{at_least}{counted(n_inside, 'image')} in {where}")
    if not left_out:
        return ""
    n_hidden = n_files + n_inside
    return (
        f"; {' and '.join(left_out)} {_were(n_hidden)} left out: add --include-hidden to take "
        f"{_them(n_hidden)}"
    )


@dataclass
class _HiddenImages:
    """The images --include-hidden would take in the hidden folders a scan did not enter."""

    images: set[_Key] = field(default_factory=set)  # each once, however often it was reached
    per_folder: dict[str, int] = field(default_factory=dict)  # folder -> its images, if any
    cut_short: bool = False  # whether some were not looked through in full


def _images_in_hidden_folders(walker: _Walker) -> _HiddenImages:
    """What --include-hidden would take in the hidden folders `walker` did not enter, looking
    at no more than _HIDDEN_FOLDER_LOOK_LIMIT entries in each and _HIDDEN_LOOK_LIMIT in all (a
    folder listed costs one at least): a repository's .git holds thousands, which the no-images
    error must not wait for, and one large folder must not keep the others from being looked at."""
    hidden = _HiddenImages()
    looker = _Walker(walker.extensions, include_hidden=True)
    left = _HIDDEN_LOOK_LIMIT
    # A hidden folder also given by name (`zsl label photos photos/.thumbs`) was searched.
    listed = {walker._folder_id(absolute_path(folder)) for folder in walker.folders}
    for path, searches in walker.hidden_folders.values():
        if not left:
            hidden.cut_short = True
            break
        folder = _normal(path)
        if walker._folder_id(absolute_path(folder)) in listed:
            continue
        looker.budget = budget = min(_HIDDEN_FOLDER_LOOK_LIMIT, left)
        looker.cut_short = False
        found: set[_Key] = set()
        for search in sorted(searches):
            # () walks the folder; a glob's parts left are matched in it as the glob would.
            paths = looker._glob_parts(folder, list(search)) if search else looker.walk(folder)
            found.update(looker.key(path) for path in paths or ())
        left -= budget - looker.budget
        hidden.cut_short = hidden.cut_short or looker.cut_short
        if found:
            hidden.per_folder[folder] = len(found)
            hidden.images.update(found)
    return hidden


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def _them(n: int) -> str:
    return "it" if n == 1 else "them"
