"""Options that name files: every output refuses a folder alike, as `-o out/` does, and the
name reaches the library as typed (a trailing '/' included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images, write_truth_and_predictions
from zsl_cli.cli import app


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    """Images in class folders, their classes, a truth CSV and predictions, and an empty folder."""
    write_images(tmp_path / "set", 2)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    truth, _ = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    (tmp_path / "folder").mkdir()
    return tmp_path


# Each output option, with a command line that reaches it: `{}` is the name it is given.
LABEL = ["label", "set", "-c", "classes.txt", "-m", "shapes-demo", "-q"]
STUDIO = [*LABEL, "-f", "label-studio", "--ls-document-root", "."]
OUTPUTS = {
    "label -o": [*LABEL, "-f", "csv", "-o", "{}"],
    "label --ls-config": [*STUDIO, "-o", "t.json", "--ls-config", "{}"],
    "embed --store": ["embed", "set", "-m", "shapes-demo", "-q", "--store", "{}"],
    "embed --export": ["embed", "set", "-m", "shapes-demo", "-q", "-s", "s.zsl", "--export", "{}"],
    "embed --json": ["embed", "set", "-m", "shapes-demo", "-q", "-s", "s.zsl", "--json", "{}"],
    "evaluate --json": ["evaluate", "p.csv", "--truth", "truth.csv", "--json", "{}"],
    "evaluate --report": ["evaluate", "p.csv", "--truth", "truth.csv", "--report", "{}"],
    "hubness --json": [
        "hubness",
        "set",
        "-c",
        "classes.txt",
        "-m",
        "shapes-demo",
        "-q",
        "--json",
        "{}",
    ],
}


@pytest.mark.parametrize("command", OUTPUTS.values(), ids=OUTPUTS.keys())
@pytest.mark.parametrize("name", ["new/", "new.html/", "folder", "folder/"])
def test_every_output_named_as_a_folder_is_refused(world, monkeypatch, command, name):
    # --ls-config cfgdir/ wrote a file named cfgdir and exited 0, and --report newdir/ said
    # "newdir: unknown report type" (the '/' typed gone): the option parsed to a Path.
    monkeypatch.chdir(world)
    result = run(*(name if word == "{}" else word for word in command))
    assert result.exit_code == 2, result.stderr
    message = result.stderr
    assert message.startswith("zsl: error: ") and message.count("\n") == 1, message
    assert "names a folder" in message or "is a directory" in message, message
    assert name.rstrip("/") in message, message
    assert not Path("new").exists() and not Path("new.html").exists()
    assert not list(Path("folder").iterdir())
