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


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_path_and_label_records_are_told_the_keys_to_add(truth: Path, suffix: str) -> None:
    lines = _records()
    predictions = Path("other" + suffix)
    text = "\n".join(lines) + "\n" if suffix == ".jsonl" else "[" + ",\n".join(lines) + "]\n"
    predictions.write_text(text)
    refused = run("evaluate", predictions, "--truth", truth)
    assert refused.exit_code == 2, refused.output
    message = error_line(refused.stderr)
    assert message.endswith(
        "another tool's predictions? add "
        '"score": null, "top_k": [], "status": "ok", "error": "" to each record)'
    ), message
    assert "ground truth? give that as --truth" in message  # as before, the other reading
    # What it says to add, pasted into each record, makes them predictions that evaluate.
    added = HINT.search(message)
    assert added is not None
    predictions.write_text("\n".join(_records(", " + added.group(1))) + "\n")
    evaluated = run("evaluate", predictions, "--truth", truth, "--json", "-")
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["top_k"]["1"]["overall"] == 0.5


def test_a_record_with_an_error_key_is_told_only_the_keys_it_lacks(truth: Path) -> None:
    Path("other.jsonl").write_text("\n".join(_records(', "error": ""')) + "\n")
    message = error_line(run("evaluate", "other.jsonl", "--truth", truth).stderr)
    assert message.endswith(
        'another tool\'s predictions? add "score": null, "top_k": [], "status": "ok" to each '
        "record)"
    ), message


def test_records_of_a_path_alone_are_no_other_tools_predictions(truth: Path) -> None:
    # A list of images, or a truth keyed otherwise: what keys would make it predictions is unknown.
    Path("paths.jsonl").write_text('{"path": "truth/cat/a.png", "class": "cat"}\n')
    message = error_line(run("evaluate", "paths.jsonl", "--truth", truth).stderr)
    assert message.endswith(
        "ground truth? give that as --truth, and first the predictions 'zsl label' wrote)"
    ), message
