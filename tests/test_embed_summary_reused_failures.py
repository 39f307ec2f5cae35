"""`zsl embed`'s summary: the stored failures among the images it reused (not every image
it reused), and what is at the path of an export an interrupt stopped."""

from __future__ import annotations

import io

import pytest
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


@pytest.mark.parametrize(
    ("earlier_file", "said"),
    [
        (True, "e.npy is an earlier run's, left as it was"),
        (False, "nothing written to e.npy"),
    ],
)
def test_an_export_an_interrupt_stopped_names_what_is_at_its_path(
    earlier_file: bool, said: str
) -> None:
    console = Console(file=io.StringIO(), width=200, markup=False, emoji=False)
    report = embed_report(
        interrupted=True, not_exported={"path": "e.npy", "earlier_file": earlier_file}
    )
    render_embed_summary(console, report)
    assert console.file.getvalue().splitlines()[-1] == (
        f"Not exported (interrupted before the export): {said}; run again to export"
    )
