"""`zsl evaluate` on outputs joined from several runs (`xargs -n 30 zsl label ... >> out.jsonl`):
outputs of runs with the same classes and -k evaluate as one, while rows that rank another number
of classes than the first (runs with other classes or -k) are refused, naming both lines, as
their accuracies would mix choices among 30 classes with choices among 5 (such rows used to be
scored as one run, without a word)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    return make_image_set(tmp_path_factory.mktemp("shapes"), seed=7302, per_class=2).root


@pytest.fixture(scope="module")
def five(shapes, tmp_path_factory) -> Path:
    """The first five of the world's classes (red circle ... red hexagon)."""
    names = [line for line in (shapes / "classes.txt").read_text().splitlines() if line]
    names = [name for name in names if not name.startswith("#")]
    path = tmp_path_factory.mktemp("five") / "five.txt"
    path.write_text("\n".join(names[:5]) + "\n")
    return path


def label(folder: Path, classes: Path, *options: object) -> str:
    result = run("label", folder, "-c", classes, "-m", "shapes-demo", "-q", *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def joined_error(output: Path, shapes: Path) -> str:
    result = run("evaluate", output, "--truth", shapes, "--seen", shapes / "seen.txt")
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    return result.stderr


def test_json_lines_of_runs_with_other_classes_are_refused_naming_the_lines(shapes, five, tmp_path):
    # The review's case: 30 classes, then 5, both -k 0. Scored as one, red star was 100% right
    # (chosen among 5) and blue circle 66.7% (among 30), without a word.
    output = tmp_path / "mix.jsonl"
    output.write_text(
        label(shapes / "blue circle", shapes / "classes.txt", "-f", "jsonl", "-k", "0")
        + label(shapes / "red star", five, "-f", "jsonl", "-k", "0")
    )
    assert joined_error(output, shapes) == (
        f"zsl: error: {output}: line 3: ranks 5 classes where line 1 ranks 30 (outputs of runs "
        "with other classes or -k joined?); evaluate each run's output on its own\n"
    )


def test_a_csv_joined_without_its_second_header_is_refused_too(shapes, five, tmp_path):
    # `tail -n +2` drops the second header, which the header check went by.
    output = tmp_path / "mix.csv"
    first = label(shapes / "red star", five, "-k", "0")
    second = label(shapes / "blue circle", shapes / "classes.txt", "-k", "0")
    output.write_text(first + second.split("\n", 1)[1])
    assert joined_error(output, shapes).startswith(
        f"zsl: error: {output}: line 4: ranks 30 classes where line 2 ranks 5 (outputs of runs "
        "with other classes or -k joined?)"
    )
    # The same from a pipe, which has no name to give the format.
    piped = CliRunner().invoke(
        app, ["evaluate", "-", "--truth", str(shapes)], input=output.read_bytes()
    )
    assert piped.exit_code == 2
    assert piped.stderr.startswith("zsl: error: stdin: line 4: ranks 30 classes where line 2")


def test_a_run_ranking_more_classes_than_another_has_is_refused(shapes, five, tmp_path):
    # -k 10 of 30 classes after -k 0 of 5: whatever its scores, a row ranking 10 classes is not
    # of the run whose rows' scores over 5 classes sum to 1.
    output = tmp_path / "mix.jsonl"
    output.write_text(
        label(shapes / "red star", five, "-f", "jsonl", "-k", "0")
        + label(shapes / "blue circle", shapes / "classes.txt", "-f", "jsonl", "-k", "10")
    )
    assert joined_error(output, shapes).startswith(
        f"zsl: error: {output}: line 3: ranks 10 classes where line 1 ranks 5 "
    )


def test_outputs_of_runs_with_the_same_classes_and_top_k_evaluate_as_one(shapes, tmp_path):
    # `xargs -n 30 zsl label ... >> out.jsonl`, `-k` larger than the number of classes (every
    # row ranks all 30), with --seen: calibrated stacking has every class's score.
    output = tmp_path / "same.jsonl"
    classes = shapes / "classes.txt"
    output.write_text(
        label(shapes / "blue circle", classes, "-f", "jsonl", "-k", "50")
        + label(shapes / "red circle", classes, "-f", "jsonl", "-k", "50")  # an unseen class
    )
    assert {len(json.loads(line)["top_k"]) for line in output.read_text().splitlines()} == {30}
    result = run(
        "evaluate", output, "--truth", shapes, "--seen", shapes / "seen.txt", "--json", "-"
    )
    assert result.exit_code == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["n"] == 4 and metrics["gzsl"]["calibrated_stacking"]["available"] is True


def _row(path: str, ranking: list[tuple[str, float]], label: str | None = None) -> Prediction:
    top_k = tuple(LabelScore(name, score) for name, score in ranking)
    chosen = ranking[0][0] if label is None else label
    return Prediction(path=path, label=chosen, score=ranking[0][1], top_k=top_k)


def _write(output: Path, rows: list[Prediction], fmt: str) -> None:
    with open_writer(output, fmt) as writer:
        for row in rows:
            writer.write(row)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_rows_of_one_run_are_read_whatever_they_hold(tmp_path, fmt):
    # Failed rows (no ranking), ties, an abstention (its ranking kept) and a row whose ranking
    # was dropped (pandas' null top_k) are all one run's: nothing to refuse.
    output = tmp_path / f"p.{fmt}"
    rows = [
        Prediction(path="gone.jpg", label="", score=None, status="not_found", error="gone"),
        _row("a.jpg", [("cat", 0.4), ("dog", 0.4), ("fox", 0.2)]),
        _row("b.jpg", [("dog", 0.3), ("cat", 0.3), ("fox", 0.3)], label="unknown"),
        Prediction(path="c.jpg", label="fox", score=0.9),
        Prediction(path="bad.jpg", label="", score=None, status="decode_error", error="bad"),
        _row("d.jpg", [("fox", 0.5), ("cat", 0.3), ("dog", 0.2)]),
    ]
    _write(output, rows, fmt)
    assert [p.path for p in read_predictions(output)] == [os.fsdecode(r.path) for r in rows]


@pytest.mark.parametrize(("fmt", "lines"), [("csv", (3, 5)), ("jsonl", (2, 4))])
def test_the_first_ranked_row_is_the_one_compared_with(tmp_path, fmt, lines):
    output = tmp_path / f"p.{fmt}"
    rows = [
        Prediction(path="gone.jpg", label="", score=None, status="not_found", error="gone"),
        _row("a.jpg", [("cat", 0.6), ("dog", 0.4)]),
        _row("b.jpg", [("dog", 0.7), ("cat", 0.3)]),
        _row("c.jpg", [("fox", 1.0)]),
    ]
    _write(output, rows, fmt)
    first, other = lines
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    assert str(refused.value) == (
        f"{output}: line {other}: ranks 1 class where line {first} ranks 2 (outputs of runs with "
        "other classes or -k joined?); evaluate each run's output on its own"
    )


@pytest.mark.parametrize(
    "rankings",
    [
        # Fewer classes, whose scores do not sum to 1: another -k of the same classes, maybe.
        [[("cat", 0.5), ("dog", 0.3), ("fox", 0.2)], [("dog", 0.6)], [("fox", 0.5), ("cat", 0.4)]],
        # Scores no softmax gives (a sigmoid's): nothing says a ranking holds all its classes.
        [[("cat", 0.9), ("dog", 0.8)], [("dog", 0.9), ("fox", 0.8), ("cat", 0.7)]],
        [[("cat", 0.6), ("dog", 0.4)], [("dog", 0.9), ("fox", 0.8), ("cat", 0.7)]],
        [[("cat", 0.9), ("dog", 0.8), ("fox", 0.7)], [("dog", 1.0), ("cat", 0.0)]],
        # An edited ranking: 'unknown' and empty cells rank no class; a class twice still counts.
        [[("cat", 0.5), ("dog", 0.5)], [("dog", 0.5), ("unknown", 0.25), ("cat", 0.25)]],
        [[("cat", 0.5), ("dog", 0.5)], [("dog", 0.5), ("dog", 0.5)]],
    ],
)
def test_rankings_of_other_lengths_that_may_be_of_one_class_list_are_read(tmp_path, rankings):
    output = tmp_path / "p.jsonl"
    _write(output, [_row(f"{i}.jpg", ranking) for i, ranking in enumerate(rankings)], "jsonl")
    assert len(read_predictions(output)) == len(rankings)


def test_a_row_ranking_more_classes_than_a_whole_ranking_is_refused(tmp_path):
    output = tmp_path / "p.jsonl"
    rows = [
        _row("a.jpg", [("cat", 0.75), ("dog", 0.25)]),
        _row("b.jpg", [("cat", 0.5), ("dog", 0.3), ("fox", 0.1)]),
    ]
    _write(output, rows, "jsonl")
    with pytest.raises(ZslError, match=r"p\.jsonl: line 2: ranks 3 classes where line 1 ranks 2 "):
        read_predictions(output)


def test_a_repeated_header_steers_to_joining_runs_of_the_same_classes_and_top_k(tmp_path):
    # The advice was to join JSON Lines instead, which nothing checked.
    one = tmp_path / "a.csv"
    _write(one, [_row("a.jpg", [("cat", 0.9)])], "csv")
    joined = tmp_path / "p.csv"
    joined.write_bytes(one.read_bytes() * 2)
    with pytest.raises(ZslError) as refused:
        read_predictions(joined)
    assert str(refused.value) == (
        f"{joined}: line 3: the header again (outputs joined with cat?); evaluate each run's "
        "output on its own, or join outputs of runs with the same classes and -k as JSON Lines, "
        "which have no header to repeat"
    )
