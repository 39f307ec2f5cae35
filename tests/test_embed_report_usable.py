"""An EmbedReport's `none_usable`, the rule behind embed's exit status 1: the scan found images
and none of them has an embedding in the store, counted from every way an image can end."""

from __future__ import annotations

from pathlib import Path

from zsl_cli import api
from zsl_cli.store import Unreachable


def test_a_rerun_that_reuses_only_stored_failures_has_no_usable_image() -> None:
    assert api.EmbedReport("s.zsl", found=2, reused=2, reused_failed=2).none_usable
    assert not api.EmbedReport("s.zsl", found=2, reused=2, reused_failed=1).none_usable


def test_paths_that_are_not_files_are_unusable_images() -> None:
    gone = Unreachable(Path("a.png"), "not_found", "no such file")
    assert api.EmbedReport("s.zsl", found=1, unreachable_files=[gone]).none_usable
    assert not api.EmbedReport("s.zsl", found=2, encoded=1, unreachable_files=[gone]).none_usable


def test_an_export_without_a_scan_or_an_interrupted_run_did_not_fail() -> None:
    assert api.EmbedReport("s.zsl", failed=1).none_usable
    assert not api.EmbedReport("s.zsl", failed=1, scanned=False).none_usable
    assert not api.EmbedReport("s.zsl", failed=1, interrupted=True).none_usable
    assert not api.EmbedReport("s.zsl").none_usable  # nothing found: nothing failed
