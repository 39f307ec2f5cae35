"""`zsl label --show-prompts` refuses every option combination that a run refuses before it loads
its model or reads an image, in the run's own line and exit status: a script that checks a
run's flags with --show-prompts must not pass flags the run then refuses. Each case runs the
command both ways, in-process; the run stops at its refusal, before any model or image."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from zsl_cli.cli import app

LS = ("-f", "label-studio", "--ls-url-prefix", "http://example.com/")

# Each a `zsl label` command line that a run refuses before it loads its model.
REFUSED = {
    "-0 with folders": [".", "-c", "two.txt", "-0"],
    "-0 with a store and no paths": ["--embeddings", "x.zsl", "-c", "two.txt", "-0"],
    "--max-pixels with a store": ["--embeddings", "x.zsl", "-c", "two.txt", "--max-pixels", "100"],
    "--ext with a store and no paths": ["--embeddings", "x.zsl", "-c", "two.txt", "--ext", "png"],
    "--include-hidden with a store and no paths": [
        *("--embeddings", "x.zsl", "-c", "two.txt", "--include-hidden"),
    ],
    "a hubness reduction of one class": [".", "-c", "one.txt", "--hubness-reduction", "csls"],
    "--ls-config - with the tasks on stdout": [".", "-c", "two.txt", *LS, "--ls-config", "-"],
    "-o over the class file": [".", "-c", "two.txt", "-o", "two.txt", "-f", "csv"],
    "-o's run info over the class file": [".", "-c", "p.csv.run.json", "-o", "p.csv"],
    "--ls-config over the class file": [".", "-c", "two.txt", *LS, "--ls-config", "two.txt"],
    "-o and --ls-config one file": [
        *(".", "-c", "two.txt", *LS, "-o", "tasks.json", "--ls-config", "tasks.json"),
    ],
}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, with a class file of two classes, one of one, and one beside -o."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT", raising=False)
    (tmp_path / "two.txt").write_text("circle\nsquare\n", encoding="utf-8")
    (tmp_path / "one.txt").write_text("circle\n", encoding="utf-8")
    (tmp_path / "p.csv.run.json").write_text("circle\nsquare\n", encoding="utf-8")
    return tmp_path


def label(args: list[str]) -> Result:
    """`zsl label` with the bundled model, in this process."""
    return CliRunner().invoke(app, ["label", *args, "-m", "shapes-demo"])


@pytest.mark.parametrize("args", REFUSED.values(), ids=REFUSED.keys())
def test_show_prompts_refuses_as_the_run_does(folder: Path, args: list[str]) -> None:
    ran = label(args)
    assert ran.exit_code == 2 and ran.stderr.startswith("zsl: error: "), ran.stderr
    shown = label([*args, "--show-prompts"])
    assert (shown.exit_code, shown.stderr) == (ran.exit_code, ran.stderr)
    assert shown.stdout == ""
    assert sorted(os.listdir(folder)) == ["one.txt", "p.csv.run.json", "two.txt"]


def test_show_prompts_refuses_the_class_file_and_the_path_list_both_on_a_stdin_pipe(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stdin a pipe, which the class file names too (`-c /dev/fd/N`, as `-c /dev/stdin` in a
    shell): CliRunner's stdin is no pipe, so the command is run as `zsl` runs it, in this
    process. Both runs leave the pipe unread."""
    read, write = os.pipe()
    os.write(write, b"circle\nsquare\n")
    os.close(write)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(read, "rb")))
    command = typer.main.get_command(app)
    args = ["label", "-", "-c", f"/dev/fd/{read}", "-m", "shapes-demo"]

    def refusal(*extra: str) -> tuple[object, str, str]:
        code = command.main([*args, *extra], prog_name="zsl", standalone_mode=False)
        said = capsys.readouterr()
        return code, said.err, said.out

    ran = refusal()
    assert ran[0] == 2 and "both read stdin" in ran[1], ran
    assert refusal("--show-prompts") == ran


def test_show_prompts_refuses_dash_0_without_a_path_list(folder: Path) -> None:
    """Without PATHs (not needed to show the prompts), -0 still reads no list: a run with these
    flags refuses it, or the missing paths, whatever store it is given."""
    shown = label(["-c", "two.txt", "-0", "--show-prompts"])
    assert shown.exit_code == 2
    assert "-0 (--null) is for a NUL-separated path list on stdin" in shown.stderr


def test_show_prompts_still_shows_the_prompts_of_a_valid_run(folder: Path) -> None:
    """What a run takes, --show-prompts takes: a path list on stdin, read as NUL-separated, with
    the class file a file; a store with the paths to choose from; a reduction of two classes."""
    for args in (
        ["-", "-0", "-c", "two.txt"],
        ["--embeddings", "x.zsl", ".", "--ext", "png", "--include-hidden", "-c", "two.txt"],
        [".", "-c", "two.txt", "--hubness-reduction", "csls", *LS, "--ls-config", "c.xml"],
    ):
        shown = label([*args, "--show-prompts", "-q"])
        assert (shown.exit_code, shown.stderr) == (0, "")
        assert shown.stdout.splitlines()[1:] == [
            "circle,1,a photo of a circle.",
            "square,1,a photo of a square.",
        ]
