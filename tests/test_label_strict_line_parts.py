"""The line a quiet `zsl label --strict` gives for its exit status 1: the failed images and the
folders that could not be read, each a part of its own, parted by a semicolon, as the failures'
own reasons and paths are parted by commas."""

from __future__ import annotations

from zsl_cli.summary import label_strict_line

SUMMARY = {"total": 3, "failed": 2, "by_status": {"ok": 1, "truncated": 1, "unreadable": 1}}
EXAMPLES = [("a.jpg", "truncated"), ("b.png", "unreadable")]


def test_failures_and_unreadable_folders_are_parts_of_their_own() -> None:
    line = label_strict_line(SUMMARY, EXAMPLES, 2)
    assert line.plain == (
        "--strict: 2 of 3 images failed (truncated 1, unreadable 1); a.jpg (truncated), "
        "b.png (unreadable); 2 folders could not be read"
    )


def test_unreadable_folders_alone() -> None:
    summary = {"total": 3, "failed": 0, "by_status": {"ok": 3}}
    assert label_strict_line(summary, (), 1).plain == "--strict: 1 folder could not be read"


def test_failures_alone() -> None:
    assert label_strict_line(SUMMARY, (), 0).plain == (
        "--strict: 2 of 3 images failed (truncated 1, unreadable 1)"
    )
