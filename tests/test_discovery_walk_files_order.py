"""walk_files (the walk of a ground-truth folder) gives its files sorted by bytes, as scan does,
not in the order the walk meets them (a folder's own files before those of its subfolders)."""

from __future__ import annotations

from pathlib import Path

from zsl_cli.discovery import walk_files


def test_walk_files_are_sorted_by_bytes_not_by_folder(tmp_path: Path) -> None:
    for name in ("b.png", "a/x.png", "a/b/y.png", "a/c.png", "B.png", "c/z.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = walk_files(str(tmp_path))
    assert found.paths == [
        tmp_path / "B.png",
        tmp_path / "a/b/y.png",
        tmp_path / "a/c.png",
        tmp_path / "a/x.png",
        tmp_path / "b.png",
        tmp_path / "c/z.png",
    ]
