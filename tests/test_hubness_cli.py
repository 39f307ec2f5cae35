"""`zsl hubness` through the CLI on the shapes world: the table as it is written."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from zsl_cli import summary
from zsl_cli.api import Hub, HubnessReport, MethodHubness
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.summary import render_hubness


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Seed 88 is the world of the review that found the table's trailing spaces.
    return make_image_set(tmp_path_factory.mktemp("shapes") / "set", seed=88, per_class=3).root


def _table_lines(text: str) -> list[str]:
    """The lines of the table: its header (starting "method") and one row per method."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("method"))
    return lines[start : start + 6]


def _assert_aligned(table: list[str]) -> None:
    """Each right-aligned header (every column after the first two) ends where its values end."""
    header = table[0]
    ends = [
        m.end()
        for m in re.finditer(r"skewness|occupancy|antihubs|Hood|accuracy|acc\.|\bH\b", header)
    ]
    assert ends, header
    for row in table[1:]:
        for end in ends:
            assert row[end - 1] != " ", (row, end)
            assert end == len(row) or row[end] == " ", (row, end)


@pytest.mark.parametrize("with_truth", [False, True], ids=["hubs-last", "accuracy-last"])
def test_hubness_table_lines_end_without_spaces(shapes, tmp_path, with_truth, monkeypatch):
    truth = ["--truth", shapes, "--seen", shapes / "seen.txt"] if with_truth else []
    out = tmp_path / "hubness.json"
    classes = shapes / "classes.txt"
    command = ["hubness", shapes, "-c", classes, "-m", "shapes-demo", "-k", "1", *truth]
    # Each table as it is printed, and as rich prints it padded, on the run's own console.
    printed: list[tuple[str, str]] = []
    print_trimmed = summary._print_trimmed

    def print_both(console: Console, table: object) -> None:
        with console.capture() as padded:
            console.print(table)
        with console.capture() as trimmed:
            print_trimmed(console, table)
        printed.append((trimmed.get(), padded.get()))
        print_trimmed(console, table)

    monkeypatch.setattr(summary, "_print_trimmed", print_both)
    result = run(*command, "--json", out)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line == line.rstrip() for line in lines), lines
    # Only the spaces at the ends went: the title and every cell are where rich put them.
    assert printed
    for trimmed, padded in printed:
        assert trimmed in result.stdout
        assert trimmed.splitlines() == [line.rstrip() for line in padded.splitlines()]
    table = _table_lines(result.stdout)
    # The "top hubs" column is the last one without a truth: its cells were padded to its width.
    assert table[0].split("  ")[-1].strip() == ("H" if with_truth else "top hubs")
    _assert_aligned(table)
    data = json.loads(out.read_text())
    for row, (name, method) in zip(table[1:], data["methods"].items(), strict=True):
        assert row.split()[:2] == [name, f"{method['skewness']:.2f}"]
        if with_truth:  # the seen list's split: seen, unseen and H, as the advice ranks by H
            accuracy = method["accuracy"]
            keys = ("mean_per_class", "seen_mean_per_class", "unseen_mean_per_class")
            shown = [summary.percent(accuracy[key]) for key in (*keys, "harmonic_mean")]
            assert row.split()[-4:] == shown


@pytest.mark.parametrize("width", [80, 100, 200])
def test_hubness_table_wrapped_on_a_terminal_ends_lines_without_spaces(width, monkeypatch):
    # Long hub names fold within their column: the folded lines' empty cells were spaces too.
    method = MethodHubness(
        skewness=1.5,
        hub_occupancy=0.25,
        antihub_rate=0.1,
        robin_hood=0.2,
        n_hubs=3,
        top_hubs=tuple(Hub(f"a rather long class name number {i}", 9) for i in range(3)),
        accuracy={"mean_per_class": 0.5, "overall": 0.5},
    )
    report = HubnessReport(
        k=1,
        k_requested=1,
        n_images=90,
        n_classes=30,
        hub_threshold=2 * 90 * 1 / 30,
        largest_hub_k=15,
        methods={"none": method, "isoftmax": dataclasses.replace(method, top_hubs=())},
        recommendation="Keep no reduction.",
        recommended_method="none",
        failed_images=0,
        failed_by_status={},
        unreadable_folders=(),
        warnings=(),
    )

    def rendered() -> list[str]:
        stream = io.StringIO()
        render_hubness(Console(file=stream, width=width, markup=False, emoji=False), report)
        return stream.getvalue().splitlines()

    lines = rendered()
    assert len(lines) >= 5  # a title, a header, two methods and the advice
    assert all(line == line.rstrip() for line in lines), lines
    # Only the spaces at the ends went: every cell is where rich put it.
    monkeypatch.setattr(summary, "_print_trimmed", lambda console, table: console.print(table))
    assert lines == [line.rstrip() for line in rendered()]


def unreadable_images(folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        (folder / f"broken_{index}.png").write_bytes(b"not an image")
    return folder


@pytest.mark.parametrize(
    "command",
    [["hubness"], ["label", "--hubness-reduction", "csls", "-o", "out.csv"]],
    ids=["hubness", "label"],
)
def test_too_few_images_say_what_they_count(tiny_clip, tmp_path, monkeypatch, command):
    # One unreadable file was "2 or more readable images; this run has 1": the check before the
    # model loads counts the images found, which it does not know to be readable.
    monkeypatch.chdir(tmp_path)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    args = ["-c", classes, "-m", tiny_clip]
    one = run(*command, unreadable_images(tmp_path / "one", 1), *args)
    assert one.exit_code == 2
    assert one.stderr.endswith("; this run found 1 image\n"), one.stderr
    # Decoded, none read: the count is of readable images, and says so.
    three = run(*command, unreadable_images(tmp_path / "three", 3), *args)
    assert three.exit_code == 2
    assert three.stderr.endswith("; this run has 0 readable images\n"), three.stderr
