"""`zsl evaluate` given, as predictions, another tool's JSON records of only a path and a label:
told which keys to add, as a CSV of only those columns is told which columns (see
tests/test_readers_messages.py), and the keys it names make the file evaluable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.evaluation_helpers import touch
from tests.helpers import error_line, run


@pytest.fixture
def truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("cat/a.png", "dog/b.png"):
        touch(tmp_path / "truth" / name)
    return Path("truth")


RECORDS = [("truth/cat/a.png", "cat"), ("truth/dog/b.png", "cat")]


def _records(added: str = "") -> list[str]:
    """Each record's JSON text: its path and label, then `added`."""
    return [
        f'{{"path": {json.dumps(path)}, "label": {json.dumps(label)}{added}}}'
        for path, label in RECORDS
    ]


# What the message tells to add, as JSON.
HINT = re.compile(r"another tool's predictions\? add (.+) to each record\)$")


# The ground-truth reading of the hint, for JSON: --truth reads a CSV or class folders.
TRUTH_READING = (
    "ground truth? give that as --truth, and first the predictions 'zsl label' wrote, but as a "
    "CSV of path,label or class folders: --truth reads no JSON"
)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_path_and_label_records_are_told_the_keys_to_add(truth: Path, suffix: str) -> None:
    lines = _records()
    predictions = Path("other" + suffix)
    text = "\n".join(lines) + "\n" if suffix == ".jsonl" else "[" + ",\n".join(lines) + "]\n"
    predictions.write_text(text)
    refused = run("evaluate", predictions, "--truth", truth)
    assert refused.exit_code == 2, refused.output
    message = error_line(refused.stderr)
    # Only the keys the reader needs: top_k and error may be absent.
    assert message.endswith(
        f"{TRUTH_READING}; another tool's predictions? add "
        '"score": null, "status": "ok" to each record)'
    ), message
    # What it says to add, pasted into each record, makes them predictions that evaluate.
    added = HINT.search(message)
    assert added is not None
    predictions.write_text("\n".join(_records(", " + added.group(1))) + "\n")
    evaluated = run("evaluate", predictions, "--truth", truth, "--json", "-")
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["top_k"]["1"]["overall"] == 0.5


def test_the_records_given_as_truth_are_refused_as_the_hint_says(truth: Path) -> None:
    # The hint's other reading holds: the records themselves are no --truth.
    Path("other.jsonl").write_text("\n".join(_records()) + "\n")
    Path("p.jsonl").write_text("\n".join(_records(', "score": null, "status": "ok"')) + "\n")
    refused = run("evaluate", "p.jsonl", "--truth", "other.jsonl")
    assert refused.exit_code == 2, refused.output
    assert "holds JSON, not a ground-truth CSV" in error_line(refused.stderr)


@pytest.mark.parametrize("present", [', "error": ""', ', "confidence": 0.9'])
def test_records_with_an_error_or_other_key_are_told_the_same_keys(
    truth: Path, present: str
) -> None:
    predictions = Path("other.jsonl")
    predictions.write_text("\n".join(_records(present)) + "\n")
    message = error_line(run("evaluate", predictions, "--truth", truth).stderr)
    added = HINT.search(message)
    assert added is not None, message
    assert added.group(1) == '"score": null, "status": "ok"'
    predictions.write_text("\n".join(_records(present + ", " + added.group(1))) + "\n")
    assert run("evaluate", predictions, "--truth", truth).exit_code == 0


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ('"truth/cat/a.png"', '["cat", "dog"]'),  # multi-label
        ('"truth/cat/a.png"', "3"),  # a class number
        ('"truth/cat/a.png"', '{"name": "cat"}'),
        ('["truth/cat/a.png"]', '"cat"'),
        ('""', '"cat"'),
    ],
)
def test_records_whose_path_or_label_reads_as_no_predictions_are_not_told_keys(
    truth: Path, path: str, label: str
) -> None:
    # Adding the keys would only lead to the next error ("label is a list, not a string").
    predictions = Path("other.jsonl")
    predictions.write_text(f'{{"path": {path}, "label": {label}}}\n')
    message = error_line(run("evaluate", predictions, "--truth", truth).stderr)
    assert message.endswith(f"(it has no score, ranking or status: {TRUTH_READING})"), message
    predictions.write_text(f'{{"path": {path}, "label": {label}, "score": null, "status": "ok"}}\n')
    assert run("evaluate", predictions, "--truth", truth).exit_code == 2


def test_records_of_a_null_label_are_told_the_keys_and_evaluate(truth: Path) -> None:
    # A missing label reads as an abstention, as zsl writes one.
    predictions = Path("other.jsonl")
    predictions.write_text('{"path": "truth/cat/a.png", "label": null}\n')
    message = error_line(run("evaluate", predictions, "--truth", truth).stderr)
    added = HINT.search(message)
    assert added is not None, message
    predictions.write_text(f'{{"path": "truth/cat/a.png", "label": null, {added.group(1)}}}\n')
    evaluated = run("evaluate", predictions, "--truth", truth)
    assert evaluated.exit_code == 0, evaluated.output


def test_records_of_a_path_alone_are_no_other_tools_predictions(truth: Path) -> None:
    # A list of images, or a truth keyed otherwise: what keys would make it predictions is unknown.
    Path("paths.jsonl").write_text('{"path": "truth/cat/a.png", "class": "cat"}\n')
    message = error_line(run("evaluate", "paths.jsonl", "--truth", truth).stderr)
    assert message.endswith(f"(it has no score, ranking or status: {TRUTH_READING})"), message
