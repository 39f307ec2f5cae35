"""`zsl hubness --show-prompts` refuses every option combination that a hubness run refuses before
it loads its model or reads an image, in the run's own line and exit status: a script that checks
a run's flags with --show-prompts must not pass flags the run then refuses. Each case runs the
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

FILES = ["one.txt", "seen.txt", "truth.csv", "two.txt"]

# Each a `zsl hubness` command line that a run refuses before it loads its model, and what its
# refusal says: the run must not stop at another of its checks (the folder holds no image).
REFUSED = {
    "-0 with folders": ([".", "-c", "two.txt", "-0"], "-0 (--null)"),
    "-0 with a store and no paths": (["--embeddings", "x.zsl", "-c", "two.txt", "-0"], "-0"),
    "--max-pixels with a store": (
        ["--embeddings", "x.zsl", "-c", "two.txt", "--max-pixels", "100"],
        "--max-pixels: with --embeddings",
    ),
    "--ext with a store and no paths": (
        ["--embeddings", "x.zsl", "-c", "two.txt", "--ext", "png"],
        "--ext: without paths",
    ),
    "--include-hidden with a store and no paths": (
        ["--embeddings", "x.zsl", "-c", "two.txt", "--include-hidden"],
        "--include-hidden: without paths",
    ),
    "one class": ([".", "-c", "one.txt"], "needs 2 or more classes"),
    "--seen without --truth": (
        [".", "-c", "two.txt", "--seen", "seen.txt"],
        "--seen needs --truth",
    ),
    "--json over the class file": (
        [".", "-c", "two.txt", "--json", "two.txt"],
        "--json two.txt is an input of this run",
    ),
    "--json over the truth": (
        [".", "-c", "two.txt", "--truth", "truth.csv", "--json", "truth.csv"],
        "--json truth.csv is an input of this run",
    ),
    "--json over the seen list": (
        [
            ".",
            "-c",
            "two.txt",
            "--truth",
            "truth.csv",
            "--seen",
            "seen.txt",
            "--json",
            "./seen.txt",
        ],
        "--json ./seen.txt is an input of this run",
    ),
}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, with class files of two classes and of one, a truth and a seen list."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "two.txt").write_text("circle\nsquare\n", encoding="utf-8")
    (tmp_path / "one.txt").write_text("circle\n", encoding="utf-8")
    (tmp_path / "seen.txt").write_text("circle\n", encoding="utf-8")
    (tmp_path / "truth.csv").write_text("path,label\na.png,circle\n", encoding="utf-8")
    return tmp_path


def hubness(args: list[str]) -> Result:
    """`zsl hubness` with the bundled model, in this process."""
    return CliRunner().invoke(app, ["hubness", *args, "-m", "shapes-demo"])


@pytest.mark.parametrize(("args", "said"), REFUSED.values(), ids=REFUSED.keys())
def test_show_prompts_refuses_as_the_run_does(folder: Path, args: list[str], said: str) -> None:
    ran = hubness(args)
    assert ran.exit_code == 2 and ran.stderr.startswith("zsl: error: "), ran.stderr
    assert said in ran.stderr and len(ran.stderr.splitlines()) == 1, ran.stderr
    shown = hubness([*args, "--show-prompts"])
    assert (shown.exit_code, shown.stderr) == (ran.exit_code, ran.stderr)
    assert shown.stdout == ""
    assert sorted(os.listdir(folder)) == FILES


@pytest.mark.parametrize("option", ["--classes", "--truth", "--seen"])
def test_show_prompts_refuses_a_file_and_the_path_list_both_on_a_stdin_pipe(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """Stdin a pipe, which the class file, the truth or the seen list names too (`/dev/fd/N`, as
    `--truth /dev/stdin` in a shell): CliRunner's stdin is no pipe, so the command is run as
    `zsl` runs it, in this process. Both runs leave the pipe unread."""
    read, write = os.pipe()
    os.write(write, b"circle\nsquare\n")
    os.close(write)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(read, "rb")))
    command = typer.main.get_command(app)
    files = {"--classes": "two.txt", "--truth": "truth.csv", "--seen": "seen.txt"}
    files[option] = f"/dev/fd/{read}"
    args = ["hubness", "-", "-m", "shapes-demo", *(a for pair in files.items() for a in pair)]

    def refusal(*extra: str) -> tuple[object, str, str]:
        code = command.main([*args, *extra], prog_name="zsl", standalone_mode=False)
        said = capsys.readouterr()
        return code, said.err, said.out

    ran = refusal()
    assert ran[0] == 2 and f"{option} /dev/fd/{read} and '-' both read stdin" in ran[1], ran
    assert refusal("--show-prompts") == ran
    assert os.read(read, 100) == b"circle\nsquare\n"


def test_show_prompts_refuses_json_over_the_path_list_read_from_a_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`zsl hubness - --json list.txt < list.txt`: stdin a file, which --json would replace. Run
    as `zsl` runs it, in this process: CliRunner's stdin is no file."""
    (folder / "list.txt").write_bytes(b"a.png\n")
    command = typer.main.get_command(app)
    args = ["hubness", "-", "-c", "two.txt", "--json", "list.txt", "-m", "shapes-demo"]

    def refusal(*extra: str) -> tuple[object, str, str]:
        with open(folder / "list.txt", "rb") as stdin:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
            code = command.main([*args, *extra], prog_name="zsl", standalone_mode=False)
        said = capsys.readouterr()
        return code, said.err, said.out

    ran = refusal()
    assert ran == (2, "zsl: error: --json list.txt is an input of this run; write elsewhere\n", "")
    assert refusal("--show-prompts") == ran
    assert (folder / "list.txt").read_bytes() == b"a.png\n"


def test_show_prompts_refuses_dash_0_without_a_path_list(folder: Path) -> None:
    """Without PATHs (not needed to show the prompts), -0 still reads no list."""
    shown = hubness(["-c", "two.txt", "-0", "--show-prompts"])
    assert shown.exit_code == 2
    assert "-0 (--null) is for a NUL-separated path list on stdin" in shown.stderr


def test_show_prompts_still_shows_the_prompts_of_a_valid_run(folder: Path) -> None:
    """What a run takes, --show-prompts takes, and reads nothing but the class file: a path list
    on stdin, read as NUL-separated; a store with the paths to choose from; --seen with --truth
    (neither there); --json elsewhere, not written."""
    for args in (
        ["-", "-0", "-c", "two.txt"],
        ["--embeddings", "x.zsl", ".", "--ext", "png", "--include-hidden", "-c", "two.txt"],
        [".", "-c", "two.txt", "--truth", "gone.csv", "--seen", "gone.txt", "--json", "h.json"],
    ):
        shown = hubness([*args, "--show-prompts", "-q"])
        assert (shown.exit_code, shown.stderr) == (0, "")
        assert shown.stdout.splitlines()[1:] == [
            "circle,1,a photo of a circle.",
            "square,1,a photo of a square.",
        ]
    assert sorted(os.listdir(folder)) == FILES
