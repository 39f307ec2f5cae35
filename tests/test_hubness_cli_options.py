"""`zsl hubness`'s options as the command line reads them and hands them to the library: -k's
bounds, --methods with 'all', the input and model options (as the --json document's run info
records them), and --quiet's silence of warnings and progress."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import error_line, held_open, run
from tests.terminal import pseudo_terminal, read_until_closed, terminal_env
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One image of each of the demo's 30 classes, in class folders, with classes.txt."""
    return make_image_set(tmp_path_factory.mktemp("shapes") / "set", seed=5, per_class=1).root


def _images(shapes: Path) -> list[Path]:
    return sorted(shapes.rglob("*.png"))


def _hubness_json(*args: object, input: bytes | None = None) -> dict:
    """`zsl hubness ... --json - -q`, which must succeed: its document."""
    command = ["hubness", *map(str, args), "-m", "shapes-demo", "--json", "-", "-q"]
    result = CliRunner().invoke(app, command, input=input)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_neighbours_below_1_are_refused_as_the_command_line_is(shapes):
    result = run("hubness", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-k", "0")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "zsl: error: Invalid value for '--neighbours' / '-k': 0 is not in the range x>=1 "
        "(see 'zsl hubness --help')\n"
    )


@pytest.mark.parametrize("methods", ["all,bogus", "bogus,all", "all,none,bogus"])
def test_an_unknown_method_beside_all_is_refused(shapes, methods):
    # 'all' stands for every method; a misspelt name beside it was dropped without a word.
    result = run(
        "hubness", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "--methods", methods
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "zsl: error: --methods 'bogus': choose from none, csls, isoftmax, centering and mp, "
        "or all\n"
    )


def test_a_warning_is_shown_once_and_quiet_shows_none(shapes, tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text("red circle\nsame: a photo of a red circle.\nblue square\ngreen triangle\n")
    command = ["hubness", shapes, "-c", classes, "-m", "shapes-demo", "-k", "1"]
    warning = "no model can tell 'red circle' and 'same' apart"
    said = run(*command, "--methods", "none")
    assert said.exit_code == 0, said.stderr
    assert said.stderr.count(warning) == 1, said.stderr
    assert warning not in said.stdout and "skewness" in said.stdout
    quiet = run(*command, "--methods", "none", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == said.stdout  # the table is the output, not a summary
    # The document keeps the warning, quiet or not.
    document = _hubness_json(shapes, "-c", classes, "-k", "1", "--methods", "none")
    assert any(warning in line for line in document["warnings"])


def test_model_and_image_options_reach_the_run_info(shapes):
    document = _hubness_json(
        shapes,
        "-c",
        shapes / "classes.txt",
        "--methods",
        "none",
        "-k",
        "3",
        "--device",
        "cpu",
        "--precision",
        "bf16",
        "--exact-preprocessing",
        "--max-pixels",
        "100000",
    )
    model = document["run"]["model"]
    assert (model["device"], model["precision"]) == ("cpu", "bfloat16")
    assert model["exact_preprocessing"] is True
    assert document["run"]["max_pixels"] == 100000
    assert (document["k"], document["k_requested"], document["n_images"]) == (3, 3, 30)
    plain = _hubness_json(shapes, "-c", shapes / "classes.txt", "--methods", "none")
    assert plain["run"]["model"]["exact_preprocessing"] is False
    assert plain["run"]["max_pixels"] != 100000
    assert (plain["k"], plain["k_requested"]) == (7, None)  # a quarter of 30 classes


def test_max_pixels_leaves_larger_images_out(shapes):
    # The demo's images are 64x64: a limit below that fails each one, which counts as failed.
    side = 64 * 64
    document = _hubness_json(shapes, "-c", shapes / "classes.txt", "--methods", "none")
    assert (document["n_images"], document["failed_images"]) == (30, 0)
    smaller = run(
        "hubness",
        shapes,
        "-c",
        shapes / "classes.txt",
        "-m",
        "shapes-demo",
        "--max-pixels",
        side - 1,
    )
    assert smaller.exit_code == 2, smaller.stderr
    assert "this run has 0 readable images" in smaller.stderr


def test_extensions_and_hidden_files_choose_the_images(shapes, tmp_path):
    folder = shutil.copytree(shapes, tmp_path / "set")
    first = _images(folder)[0]
    shutil.copy(first, first.parent / ".hidden.png")
    classes = folder / "classes.txt"
    assert _hubness_json(folder, "-c", classes, "--methods", "none")["n_images"] == 30
    hidden = _hubness_json(folder, "-c", classes, "--methods", "none", "--include-hidden")
    assert hidden["n_images"] == 31
    other = run("hubness", folder, "-c", classes, "-m", "shapes-demo", "--ext", "jpg")
    assert other.exit_code == 2
    assert other.stderr.startswith(f"zsl: error: no images found in {folder} (looked for .jpg;")


def test_paths_on_stdin_separated_by_nul(shapes):
    images = _images(shapes)[:5]
    listed = b"".join(os.fsencode(path) + b"\0" for path in images)
    classes = shapes / "classes.txt"
    document = _hubness_json("-", "-0", "-c", classes, "--methods", "none", input=listed)
    assert document["n_images"] == 5
    # Read a line at a time, the list is one name holding NULs: no image is found.
    lines = CliRunner().invoke(
        app, ["hubness", "-", "-c", str(classes), "-m", "shapes-demo", "-q"], input=listed
    )
    assert lines.exit_code == 2 and lines.stdout == ""


def test_a_store_alone_is_the_query_bank(shapes, tmp_path):
    store = tmp_path / "s.zsl"
    embedded = run("embed", shapes, "--store", store, "-m", "shapes-demo", "-q")
    assert embedded.exit_code == 0, embedded.stderr
    classes = shapes / "classes.txt"
    from_store = _hubness_json("--embeddings", store, "-c", classes, "--methods", "none")
    from_images = _hubness_json(shapes, "-c", classes, "--methods", "none")
    assert from_store["n_images"] == 30
    assert from_store["methods"] == from_images["methods"]
    assert from_store["run"]["embeddings"] is not None and from_images["run"]["embeddings"] is None


def test_every_option_reaches_the_librarys_request(shapes, monkeypatch):
    # Options with no trace in the results (batch size, workers, remote code) as the library
    # is asked for them.
    asked: list[api.HubnessRequest] = []
    real = api.hubness

    def hubness(request, *args, **kwargs):
        asked.append(request)
        return real(request, *args, **kwargs)

    monkeypatch.setattr(api, "hubness", hubness)
    _hubness_json(
        shapes,
        "-c",
        shapes / "classes.txt",
        "--methods",
        "none,csls",
        "-b",
        "3",
        "--workers",
        "1",
        "--trust-remote-code",
        "--device",
        "cpu",
        "--truth",
        shapes,
        "--seen",
        shapes / "seen.txt",
    )
    (request,) = asked
    assert request.model.batch_size == 3 and request.model.workers == 1
    assert request.model.trust_remote_code is True and request.model.device == "cpu"
    assert request.methods == ("none", "csls")
    assert request.truth == str(shapes) and request.seen == str(shapes / "seen.txt")
    assert request.inputs.paths == (str(shapes),) and request.embeddings is None


def test_a_revision_of_a_bundled_model_is_refused(shapes):
    # A bundled model has one version: asked for another, the run is refused, not run on it
    # (before the inputs are scanned: see tests/test_revision_before_scan.py).
    result = run(
        "hubness", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "--revision", "v1"
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: --revision v1: a revision chooses a version")


def test_a_json_kept_beside_one_held_open_still_shows_the_table(shapes, tmp_path, monkeypatch):
    # Windows: the old document held open (in an editor) cannot be replaced; the new one is
    # kept beside it, the table shows, and the run ends with the error that names where.
    document = tmp_path / "hubness.json"
    document.write_text("old")
    held_open(monkeypatch, "hubness.json")
    result = run(
        "hubness",
        shapes,
        "-c",
        shapes / "classes.txt",
        "-m",
        "shapes-demo",
        "--methods",
        "none",
        "--json",
        document,
    )
    assert result.exit_code == 2, result.output
    kept = tmp_path / "hubness.new.json"
    assert error_line(result.stderr).endswith(f"kept as '{kept}'")
    assert "skewness" in result.stdout and document.read_text() == "old"
    assert json.loads(kept.read_text())["n_images"] == 30


def _on_a_terminal(command: list[str], *, stdin: bytes | None = None) -> tuple[int, bytes, bytes]:
    """`zsl` with stderr on a terminal (a pty that reads as an interactive one), stdin too where
    `stdin` is given (typed there, then Ctrl-D): its exit status, what the terminal showed (the
    typing echoed as well) and stdout."""
    with (
        pseudo_terminal((40, 100)) as (controller, terminal),
        subprocess.Popen(
            [sys.executable, "-m", "zsl_cli", *command],
            stdin=terminal if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=terminal_env(TERM="xterm", COLUMNS="100"),
        ) as process,
    ):
        os.close(terminal)
        if stdin is not None:
            os.write(controller, stdin + b"\x04")
        received = read_until_closed(controller, process)
        stdout = process.stdout.read()
        status = process.wait(timeout=300)
    return status, received, stdout


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_quiet_shows_nothing_on_a_terminal(shapes, tmp_path):
    # No progress bar, no line saying that the paths are read from the terminal.
    images = _images(shapes)[:4]
    typed = b"".join(os.fsencode(path) + b"\n" for path in images)
    command = ["hubness", "-", "-c", str(shapes / "classes.txt"), "-m", "shapes-demo"]
    command += ["--methods", "none", "--json", str(tmp_path / "h.json"), "-q"]
    status, shown, stdout = _on_a_terminal(command, stdin=typed)
    assert status == 0, shown.decode(errors="replace")
    assert shown.replace(b"\r\n", b"\n") == typed  # the echo of the typing, nothing else
    assert json.loads((tmp_path / "h.json").read_text())["n_images"] == 4
    assert b"skewness" in stdout
