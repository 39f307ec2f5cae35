"""zsl in shell pipelines: what a script gets on stdout and in the exit status.

- FORCE_COLOR (any value, even 0) and TTY_COMPATIBLE=1 make rich take any stream for a terminal:
  evaluate's and hubness's tables in a file or a pipe got escape codes, and evaluate kept only
  its 20 worst classes. A command's output is styled and shortened only on a real terminal.
- A run that labelled (or embedded) no image at all, though it had images, exited 0: a `set -e`
  script carried on with an output of failure rows only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images, write_truth_and_predictions
from zsl_cli.cli import app

ZSL = [sys.executable, "-m", "zsl_cli"]
# What makes rich call any stream a terminal; NO_COLOR, which it honours, is left out of the
# reference run too.
TERMINAL_VARIABLES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "COLUMNS")
FORCING = [{"FORCE_COLOR": "1"}, {"FORCE_COLOR": "0"}, {"TTY_COMPATIBLE": "1"}]


def run(*args, **kwargs):
    return CliRunner().invoke(app, [str(a) for a in args], **kwargs)


def zsl(*args, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """The CLI in its own process, stdout and stderr pipes, none of TERMINAL_VARIABLES but `env`."""
    plain = {k: v for k, v in os.environ.items() if k not in TERMINAL_VARIABLES}
    return subprocess.run(
        [*ZSL, *[str(a) for a in args]],
        capture_output=True,
        env={**plain, **(env or {})},
        timeout=300,
        **kwargs,
    )


# --- a report's table in a file or a pipe -------------------------------------------------------


@pytest.fixture()
def thirty_classes(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    names = [f"class {i:02d}" for i in range(30)]  # over the 20 a terminal shows
    truth, predictions = write_truth_and_predictions(tmp_path, names)
    return truth, predictions, names


@pytest.mark.parametrize(
    "forcing", FORCING, ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items())
)
def test_evaluate_table_in_a_pipe_is_whole_and_plain_whatever_the_environment_forces(
    thirty_classes, forcing
):
    truth, predictions, names = thirty_classes
    reference = zsl("evaluate", predictions, "--truth", truth, "-q")
    assert reference.returncode == 0, reference.stderr.decode()
    assert all(name.encode() in reference.stdout for name in names)
    forced = zsl("evaluate", predictions, "--truth", truth, "-q", env=forcing)
    assert forced.returncode == 0, forced.stderr.decode()
    assert b"\x1b" not in forced.stdout and b"more classes" not in forced.stdout
    assert forced.stdout == reference.stdout


def test_evaluate_table_sent_to_stderr_by_json_is_whole_there_colour_and_all(thirty_classes):
    # FORCE_COLOR may colour diagnostics on stderr (CI logs), but a table is cut to the worst
    # classes only where a person reads it on a terminal.
    truth, predictions, names = thirty_classes
    forced = zsl("evaluate", predictions, "--truth", truth, "--json", "-", env={"FORCE_COLOR": "1"})
    assert forced.returncode == 0, forced.stderr.decode()
    assert json.loads(forced.stdout)["n"] == 30
    assert b"more classes" not in forced.stderr
    assert all(name.encode() in forced.stderr for name in names)
    assert b"\x1b[" in forced.stderr


def test_evaluate_table_through_the_cli_runner_is_whole_under_force_color(
    thirty_classes, monkeypatch
):
    truth, predictions, names = thirty_classes
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run("evaluate", predictions, "--truth", truth, "-q")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "more classes" not in result.stdout
    assert all(name in result.stdout for name in names)


@pytest.fixture()
def labelled_world(tmp_path: Path) -> tuple[Path, Path]:
    images = tmp_path / "images"
    for seed, name in enumerate(["cat", "dog", "bird"]):
        write_images(images / name, 3, seed=seed)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\nbird\n")
    return images, classes


def test_hubness_table_in_a_pipe_is_plain_whatever_the_environment_forces(
    tiny_clip, labelled_world
):
    images, classes = labelled_world
    command = ("hubness", images, "-c", classes, "-m", tiny_clip, "-q")
    reference = zsl(*command)
    assert reference.returncode == 0, reference.stderr.decode()
    assert b"Robin Hood" in reference.stdout
    for forcing in ({"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}):
        forced = zsl(*command, env=forcing)
        assert forced.returncode == 0, forced.stderr.decode()
        assert b"\x1b" not in forced.stdout, forcing
        assert forced.stdout == reference.stdout, forcing


def test_label_summary_on_stderr_still_takes_force_color_and_its_rows_stay_plain(
    tiny_clip, labelled_world
):
    images, classes = labelled_world
    command = ("label", images, "-c", classes, "-m", tiny_clip)
    forced = zsl(*command, env={"FORCE_COLOR": "1"})
    assert forced.returncode == 0, forced.stderr.decode()
    assert b"\x1b" not in forced.stdout and len(forced.stdout.splitlines()) == 1 + 9
    assert b"\x1b[" in forced.stderr and b"Labelled" in forced.stderr
    plain = zsl(*command)
    assert plain.stdout == forced.stdout
    assert b"\x1b" not in plain.stderr and b"Labelled 9 of 9 images" in plain.stderr


# --- a run that labelled no image ----------------------------------------------------------------


def statuses(csv_file: Path) -> list[str]:
    return [line.split(",")[5] for line in csv_file.read_text().splitlines()[1:]]


@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_label_where_every_image_fails_exits_1_and_writes_its_failure_rows(
    tiny_clip, labelled_world, tmp_path, strict
):
    images, classes = labelled_world
    out = tmp_path / "out.csv"
    result = run(
        "label", images, "-c", classes, "-m", tiny_clip, "--max-pixels", "1", "-o", out, *strict
    )
    assert result.exit_code == 1, result.stderr
    assert "No image labelled: all 9 images failed (too_large 9)" in result.stderr
    assert statuses(out) == ["too_large"] * 9  # the run's result, reasons and all


def test_label_of_a_list_of_missing_paths_exits_1(tiny_clip, labelled_world, tmp_path):
    _, classes = labelled_world
    listing = "".join(f"{tmp_path / 'gone'}/{i}.png\n" for i in range(3))
    result = run("label", "-", "-c", classes, "-m", tiny_clip, "-f", "csv", "-q", input=listing)
    assert result.exit_code == 1
    assert [row.split(",")[5] for row in result.stdout.splitlines()[1:]] == ["not_found"] * 3
    [line] = result.stderr.splitlines()  # quiet, but why it exits 1
    assert line.startswith("No image labelled: all 3 images failed (not_found 3); ")


def test_label_where_some_image_is_labelled_still_exits_0_without_strict(
    tiny_clip, labelled_world, tmp_path
):
    images, classes = labelled_world
    (images / "cat" / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "out.csv"
    result = run("label", images, "-c", classes, "-m", tiny_clip, "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    assert sorted(set(statuses(out))) == ["not_an_image", "ok"]
    strict = run("label", images, "-c", classes, "-m", tiny_clip, "-o", out, "-q", "--strict")
    assert strict.exit_code == 1


def test_embed_of_an_empty_list_is_still_a_scan_that_found_nothing(tiny_clip, tmp_path):
    # No image to embed is not a run whose images all failed.
    result = run("embed", "-", "--store", tmp_path / "photos.zsl", "-m", tiny_clip, input="")
    assert result.exit_code == 0, result.stderr


def test_label_from_a_store_without_any_of_the_images_exits_1(tiny_clip, labelled_world, tmp_path):
    images, classes = labelled_world
    store = tmp_path / "photos.zsl"
    assert run("embed", images / "cat", "--store", store, "-m", tiny_clip, "-q").exit_code == 0
    out = tmp_path / "out.csv"
    label = ("label", "--embeddings", store, "-c", classes, "-m", tiny_clip, "-o", out)
    result = run(*label, images / "dog")
    assert result.exit_code == 1, result.stderr
    assert "No image labelled" in result.stderr
    assert statuses(out) == ["not_embedded"] * 3
    assert run(*label, images, "-q").exit_code == 0  # 3 of 9 labelled


def test_embed_where_every_image_fails_exits_1_and_stores_the_failures(tiny_clip, tmp_path):
    # Every file garbage: the summary said "2 encoded" and "2 of those encoded could not be
    # read", and not that the next run would skip them.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    images.mkdir()
    for name in ("a.jpg", "b.jpg"):
        (images / name).write_bytes(b"not an image")
    summary = tmp_path / "summary.json"
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--json", summary)
    assert result.exit_code == 1, result.stderr
    assert "2 images found, 0 encoded, 0 reused, 0 removed" in result.stderr
    assert (
        "2 could not be read (not_an_image 2): stored as failed, not read again until their "
        "files change" in result.stderr
    )
    # The exit status 1 said in words, last.
    assert (
        result.stderr.splitlines()[-1]
        == "No image embedded: none of the 2 images found can be used"
    )
    # --json says what the terminal says: "encoded" counts the images encoded, not failures.
    counts = json.loads(summary.read_text())
    assert (counts["encoded"], counts["failed"]) == (0, 2)  # encoded: embeddings made
    # Run again on the same files: the store still holds no embedding of them.
    again = run("embed", images, "--store", store, "-m", tiny_clip)
    assert again.exit_code == 1
    assert "0 encoded, 2 reused" in again.stderr and "could not be read" not in again.stderr
    write_images(images, 1)  # one image the store can use: the run did its work
    assert run("embed", images, "--store", store, "-m", tiny_clip, "-q").exit_code == 0
    assert run("embed", images, "--store", store, "-m", tiny_clip, "-q").exit_code == 0


def test_embed_of_a_list_of_missing_paths_exits_1(tiny_clip, tmp_path):
    store = tmp_path / "photos.zsl"
    listing = "".join(f"{tmp_path / 'gone'}/{i}.png\n" for i in range(2))
    result = run("embed", "-", "--store", store, "-m", tiny_clip, input=listing)
    assert result.exit_code == 1, result.stderr
    assert "2 paths could not be read at all (not stored): not_found 2" in result.stderr


def test_a_set_e_script_stops_at_a_run_that_labelled_no_image(tiny_clip, labelled_world, tmp_path):
    images, classes = labelled_world
    out = tmp_path / "out.csv"
    zsl_command = " ".join(f"'{part}'" for part in ZSL)
    script = (
        "set -euo pipefail\n"
        f"{zsl_command} label '{images}' -c '{classes}' -m '{tiny_clip}' --max-pixels 1 "
        f"-o '{out}' -q\n"
        "echo carried on\n"
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, timeout=300)
    assert done.returncode == 1, done.stderr.decode()
    assert b"carried on" not in done.stdout
    assert statuses(out) == ["too_large"] * 9


def test_embed_of_good_and_broken_images_in_one_fresh_run_exits_0(tiny_clip, tmp_path):
    # As many failures as images encoded, in the run that encodes them: the run did its work.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    images.mkdir()
    write_images(images, 1)
    (images / "broken.jpg").write_bytes(b"not an image")
    result = run("embed", images, "--store", store, "-m", tiny_clip)
    assert result.exit_code == 0, result.stderr
    assert "No image embedded" not in result.stderr
    assert run("embed", images, "--store", store, "-m", tiny_clip, "--strict").exit_code == 1


@pytest.mark.parametrize(
    "command",
    [
        ["label", "--hubness-reduction", "bogus"],
        ["hubness", "--methods", "csls,bogus"],
    ],
)
def test_a_bad_method_is_refused_before_the_class_list_is_read(tmp_path, command):
    # A class list on stdin may be typed at a terminal: a typo in an option is told first.
    images = tmp_path / "images"
    images.mkdir()
    write_images(images, 1)
    name, *options = command
    result = run(name, images, "-c", "-", "-m", "shapes-demo", *options, input="")
    assert result.exit_code == 2
    assert "bogus" in result.stderr and "class" not in result.stderr.split("choose")[0]


def test_evaluate_of_predictions_where_every_image_failed_says_so(tmp_path):
    # The run exited 1; its predictions evaluated read 0.0% everywhere, which looked like a
    # model that got everything wrong.
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    rows = predictions.read_text(encoding="utf-8").splitlines()
    failed = [rows[0]] + [f"{i}.png,,,,,too_large,over --max-pixels" for i in range(2)]
    predictions.write_text("\n".join(failed) + "\n", encoding="utf-8")
    result = run("evaluate", predictions, "--truth", truth, "--json", tmp_path / "m.json")
    assert result.exit_code == 0, result.stderr
    said = "no image was labelled: each of the 2 evaluated images failed in the predictions"
    assert said + " (too_large 2)" in result.stderr
    assert any(
        w.startswith(said) for w in json.loads((tmp_path / "m.json").read_text())["warnings"]
    )
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    assert said not in run("evaluate", predictions, "--truth", truth).stderr
