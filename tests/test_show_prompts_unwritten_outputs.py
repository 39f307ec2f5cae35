"""--show-prompts warns of the output files given, which it does not write, and of those
alone: stdout ('-') is where the prompts go, and under --quiet nothing is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run

UNWRITTEN = "--show-prompts writes the prompts to stdout as CSV; no file is written"
PROMPTS = "class,weight,prompt\ncat,1,cat\ndog,1,dog\n"


@pytest.fixture(autouse=True)
def classes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text("cat\ndog\n")


@pytest.mark.parametrize(
    ("args", "warned"),
    [
        (["label", "-o", "-"], ""),
        (["label", "-o", "p.csv"], f"warning: -o: {UNWRITTEN}\n"),
        (["label", "-o", "p.csv", "-f", "csv"], f"warning: -o, -f: {UNWRITTEN}\n"),
        (["label", "-f", "jsonl"], f"warning: -f: {UNWRITTEN}\n"),
        (["hubness", "--json", "-"], ""),
        (["hubness", "--json", "h.json"], f"warning: --json: {UNWRITTEN}\n"),
    ],
)
def test_only_the_files_not_written_are_warned_of(args, warned):
    result = run(*args, "-c", "c.txt", "-t", "bare", "--show-prompts")
    assert result.exit_code == 0
    assert result.stdout == PROMPTS
    assert result.stderr == warned
    assert not Path("p.csv").exists() and not Path("h.json").exists()


@pytest.mark.parametrize("args", [["label", "-o", "p.csv"], ["hubness", "--json", "h.json"]])
def test_quiet_says_nothing_of_them(args):
    result = run(*args, "-c", "c.txt", "-t", "bare", "--show-prompts", "-q")
    assert result.exit_code == 0
    assert (result.stdout, result.stderr) == (PROMPTS, "")
