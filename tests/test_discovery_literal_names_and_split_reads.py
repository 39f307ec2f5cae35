"""scan() on real files: a named file whose name holds wildcard characters, the per-extension
counts of files left out, a stdin list whose run of NUL bytes arrives in two reads, walk_files,
a named folder that cannot be read, broken links after a wildcard, hidden entries counted and
bracket expressions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.permissions import refuse_entering
from zsl_cli.discovery import extension_counts, scan, walk_files
from zsl_cli.errors import ZslError


def test_a_named_file_with_wildcard_characters_in_its_name_is_kept_whatever_its_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Named by the user, the file is an input, as a file without '[' in its name would be; it
    # is not a pattern that matches itself and is then left out for its extension.
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("notes[1].txt", "notes1.txt", "a.png"):
        (folder / name).write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    assert [str(path) for path in scan(["photos/notes[1].txt"]).paths] == ["photos/notes[1].txt"]


def test_extension_counts_put_the_most_frequent_first_then_by_name() -> None:
    assert extension_counts({".bmp": 1, ".tga": 3, ".jp2": 3}) == ".jp2 3, .tga 3, .bmp 1"


class _Chunks:
    """A stdin that hands out its bytes a few at a time, as a pipe may."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)

    def read1(self, size: int = -1) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    read = read1


def test_a_run_of_nul_bytes_split_between_two_reads_is_no_path_list(tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"x")
    # Eight NUL bytes in a row, four in each read: /dev/zero behind a name, not a list.
    stream = _Chunks(bytes(image) + b"\0\0\0\0", b"\0\0\0\0")
    with pytest.raises(ZslError, match="NUL bytes in a row, as in /dev/zero"):
        scan(["-"], stdin=stream, nul_separated=True)  # type: ignore[arg-type]
    # Seven are a list with empty entries, which take no place in it.
    stream = _Chunks(bytes(image) + b"\0\0\0\0", b"\0\0\0")
    assert scan(["-"], stdin=stream, nul_separated=True).paths == [image]  # type: ignore[arg-type]


def test_walk_files_lists_every_file_whatever_its_extension(tmp_path: Path) -> None:
    # A ground-truth folder is walked so: images labelled with --ext tga find their truth.
    for name in ("cat/a.png", "cat/b.TGA", "cat/notes.txt", "dog/deeper/c", "dog/.d.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    root = str(tmp_path)
    found = walk_files(root)
    assert found.paths == [
        tmp_path / "cat/a.png",
        tmp_path / "cat/b.TGA",
        tmp_path / "cat/notes.txt",
    ] + [tmp_path / "dog/deeper/c"]
    assert tmp_path / "dog/.d.png" in walk_files(root, include_hidden=True).paths


def test_a_named_folder_that_cannot_be_read_is_reported_as_skipped_not_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.png").write_bytes(b"x")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.png").write_bytes(b"x")
    refuse_entering(monkeypatch, locked, listed=False)
    found = scan([str(tmp_path / "photos"), str(locked)])
    assert found.paths == [tmp_path / "photos" / "a.png"]
    assert found.skipped == [(locked, "permission denied")]
    assert found.empty_inputs == []


def test_a_broken_link_named_after_a_wildcard_folder_is_kept_for_the_decoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a walk, and a wildcard over the folder's names, keep one: the decoder reports it.
    (tmp_path / "photos" / "sub").mkdir(parents=True)
    (tmp_path / "photos" / "sub" / "x.png").symlink_to(tmp_path / "gone.png")
    monkeypatch.chdir(tmp_path)
    expected = ["photos/sub/x.png"]
    assert [str(path) for path in scan(["photos/*/x.png"]).paths] == expected
    assert [str(path) for path in scan(["photos/*/*.png"]).paths] == expected


def test_stdin_with_nothing_on_it_beside_an_empty_folder_says_no_images_found(
    tmp_path: Path,
) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ZslError, match="^no images found in -, "):
        scan(["-", str(tmp_path / "empty")], stdin=io.BytesIO(b""))
    with pytest.raises(ZslError, match="^no paths on stdin"):
        scan(["-"], stdin=io.BytesIO(b""))


def test_hidden_folders_and_hidden_images_are_counted_apart(tmp_path: Path) -> None:
    for name in ("a.png", ".h.png", ".cache/b.png", ".git/c.png", ".notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = scan([str(tmp_path)])
    assert found.paths == [tmp_path / "a.png"]
    assert (found.hidden_images, found.hidden_folders) == (1, 2)


def test_a_bracket_expression_opened_by_a_closing_bracket_holds_what_follows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in bash, '[]a[^b]' is one expression of the characters ] a [ ^ b: the '[^' inside it
    # opens no negation.
    for name in ("^.png", "!.png", "a.png", "c.png"):
        (tmp_path / name).write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    assert [str(path) for path in scan(["[]a[^b].png"]).paths] == ["^.png", "a.png"]
