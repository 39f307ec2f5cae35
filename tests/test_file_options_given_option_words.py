"""A file-naming option given a word that the user meant otherwise: `-o=out.csv` (GNU long-option
style, which gives the short option -o the value '=out.csv'), or an option of the command with
its value attached (`-o --top-k=3`, `-o -k3.csv`, `-o -qk3`), where the value was forgotten.
Each wrote a file of that name without a word; each is refused, with the escape ./NAME."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, with a few images and a class list, where the misnamed files would
    have been made."""
    monkeypatch.chdir(tmp_path)
    write_images(tmp_path / "imgs", 2)
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n", encoding="utf-8")
    return tmp_path


LABEL = ("label", "imgs", "-c", "classes.txt", "-m", "shapes-demo", "-q")


def _refused(result, line: str, folder: Path) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""
    assert sorted(path.name for path in folder.iterdir()) == ["classes.txt", "imgs"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["-o=out.csv"],
            "zsl: error: -o got '=out.csv': to name 'out.csv', write -o out.csv or "
            "--output=out.csv; to name a file '=out.csv', give ./=out.csv "
            "(see 'zsl label --help')",
        ),
        (
            ["--output", "=out.csv"],
            "zsl: error: --output got '=out.csv': to name 'out.csv', write -o out.csv or "
            "--output=out.csv; to name a file '=out.csv', give ./=out.csv "
            "(see 'zsl label --help')",
        ),
        (
            ["-f", "csv", "-o", "--top-k=3"],
            "zsl: error: -o got '--top-k=3', which reads as the option --top-k with its value "
            "of zsl label; to name a file '--top-k=3', give ./--top-k=3 (see 'zsl label --help')",
        ),
        (
            ["-o", "-k3.csv"],
            "zsl: error: -o got '-k3.csv', which reads as the option -k with its value of zsl "
            "label; to name a file '-k3.csv', give ./-k3.csv (see 'zsl label --help')",
        ),
        (
            ["-f", "csv", "-o", "-qk3"],
            "zsl: error: -o got '-qk3', which reads as the options -q -k with -k's value of zsl "
            "label; to name a file '-qk3', give ./-qk3 (see 'zsl label --help')",
        ),
    ],
    ids=["-o=out.csv", "--output =out.csv", "-o --top-k=3", "-o -k3.csv", "-o -qk3"],
)
def test_label_refuses_such_words_as_file_names(folder, args, line):
    _refused(run(*LABEL, *args), line, folder)


def test_embed_refuses_a_store_named_with_an_equals_sign(folder):
    result = run("embed", "imgs", "-m", "shapes-demo", "-q", "-s=photos.zsl")
    line = (
        "zsl: error: -s got '=photos.zsl': to name 'photos.zsl', write -s photos.zsl or "
        "--store=photos.zsl; to name a file '=photos.zsl', give ./=photos.zsl "
        "(see 'zsl embed --help')"
    )
    _refused(result, line, folder)


def test_the_escape_and_names_no_option_reads_as_are_written(folder):
    """./NAME names the file meant; a name starting with '-' that no option of the command
    reads as (-x..., a long option that is another command's) is a file name as before."""
    for name in ("./=out.csv", "./-k3.csv", "-x-notes.csv", "--store=a.csv", "-"):
        result = run(*LABEL, "-f", "csv", "-o", name)
        assert result.exit_code == 0, result.output
        if name != "-":
            assert (folder / name).is_file()
