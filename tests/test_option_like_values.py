"""An option that names a file, given one of the command's own options as its value.

`zsl label imgs -c classes.txt -o -q` wrote the predictions to a file named '-q' (the parser
takes the word after -o as its value) and said nothing: the user meant --quiet and stdout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app


def run(*args: str | Path):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, with a few images and a class list: where a file named after an
    option would be made."""
    monkeypatch.chdir(tmp_path)
    write_images(tmp_path / "imgs", 3)
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n")
    return tmp_path


def _refused(result, line: str, folder: Path) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""
    assert sorted(path.name for path in folder.iterdir()) == ["classes.txt", "imgs"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["-c", "classes.txt", "-f", "csv", "-o", "-q"],
            "zsl: error: -o got '-q', which is an option of zsl label; to name a file '-q', "
            "give ./-q (see 'zsl label --help')",
        ),
        (
            ["-c", "classes.txt", "--output", "--format", "csv"],
            "zsl: error: --output got '--format', which is an option of zsl label; to name a "
            "file '--format', give ./--format (see 'zsl label --help')",
        ),
        (
            ["-c", "-q"],
            "zsl: error: -c got '-q', which is an option of zsl label; to name a file '-q', "
            "give ./-q (see 'zsl label --help')",
        ),
        (
            ["-c", "classes.txt", "-f", "label-studio", "--ls-url-prefix", "/", "--ls-config"]
            + ["--strict"],
            "zsl: error: --ls-config got '--strict', which is an option of zsl label; to name "
            "a file '--strict', give ./--strict (see 'zsl label --help')",
        ),
    ],
    ids=["-o -q", "--output --format", "-c -q", "--ls-config --strict"],
)
def test_label_refuses_an_option_as_a_file_name(folder, args, line):
    _refused(run("label", "imgs", "-m", "shapes-demo", *args), line, folder)


def test_evaluate_refuses_an_option_as_a_file_name(folder):
    (folder / "imgs" / "predictions.csv").write_text(
        "path,label,score,top_k_labels,top_k_scores,status,error\n"
        "a.png,red circle,0.9,red circle,0.9,ok,\n"
    )
    (folder / "imgs" / "truth.csv").write_text("path,label\na.png,red circle\n")
    predictions, truth = folder / "imgs" / "predictions.csv", folder / "imgs" / "truth.csv"
    # Without the refusal the metrics went to a file named '-q', the table to stdout.
    result = run("evaluate", predictions, "--truth", truth, "--json", "-q")
    line = (
        "zsl: error: --json got '-q', which is an option of zsl evaluate; to name a file '-q', "
        "give ./-q (see 'zsl evaluate --help')"
    )
    _refused(result, line, folder)
    assert run("evaluate", predictions, "--truth", truth, "--json", "./-q").exit_code == 0
    assert (folder / "-q").is_file()


def test_only_the_commands_own_option_names_are_refused(folder):
    # '-' is stdout; a name that merely starts with '-', or an option of another command
    # (--store is embed's), is a file name.
    label = ["label", "imgs", "-c", "classes.txt", "-m", "shapes-demo", "-f", "csv", "-q", "-o"]
    assert run(*label, "-").exit_code == 0
    for name in ("-x-notes.csv", "--store.csv", "./-q"):
        result = run(*label, name)
        assert result.exit_code == 0, result.output
        assert (folder / name).is_file()
