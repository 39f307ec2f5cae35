"""`zsl embed`'s summary counts the stored failures among the images it reused, not every image
it reused."""

from __future__ import annotations

import io

from rich.console import Console

from tests.helpers import embed_report
from zsl_cli.summary import render_embed_summary


def test_the_stored_failures_line_counts_only_failures() -> None:
    console = Console(file=io.StringIO(), width=200, markup=False, emoji=False)
    report = embed_report(found=9, encoded=0, reused=9, reused_failed=1)
    render_embed_summary(console, report)
    assert console.file.getvalue().splitlines() == [
        "Embedded into s.zsl in 1.5 s: 9 images found, 0 encoded, 9 reused, 0 removed",
        "stored failures among those reused: 1 (retried once their files change)",
    ]
