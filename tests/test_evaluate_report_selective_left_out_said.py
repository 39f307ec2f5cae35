"""`zsl evaluate --report r.html` where the selective-labelling table is left out though 20 or
more images were scored (most labelled `unknown`, or every top score the same): the HTML report
says why, in the words of the text output's line and of `--json`'s reason, where it just lacked
the table. Below 20 scored images, neither the text nor the report says more than `--json`."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from tests.evaluation_helpers import touch
from tests.helpers import run

CLASSES = ("cat", "dog", "fox")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _written(n: int, unknown: int = 0, same_score: bool = False) -> tuple[Path, Path]:
    """A truth CSV of `n` images and their predictions, all right but the `unknown` lowest
    scored ones, labelled unknown (as under a --threshold)."""
    rows = []
    for i in range(n):
        path = touch(f"images/{i:02d}.png")
        true = CLASSES[i % len(CLASSES)]
        score = 0.5 if same_score else 0.3 + 0.6 * i / n
        label = "unknown" if i < unknown else true
        rows.append((path, true, label, f"{score:.4f}"))
    with open("truth.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["path", "label"])
        writer.writerows((path, true) for path, true, _, _ in rows)
    with open("predictions.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["path", "label", "score", "top_k_labels", "top_k_scores", "status", "error"]
        )
        for path, true, label, score in rows:
            writer.writerow([path, label, score, true, score, "ok", ""])
    return Path("predictions.csv"), Path("truth.csv")


def _outputs(predictions: Path, truth: Path) -> tuple[str, str, dict]:
    """The text output (its white space runs as one space), the HTML report's text (tags
    dropped, entities undone, white space as one space) and the JSON results."""
    result = run(
        "evaluate", predictions, "--truth", truth, "--report", "r.html", "--json", "r.json"
    )
    assert result.exit_code == 0, result.output
    page = Path("r.html").read_text(encoding="utf-8")
    page_text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    document = json.loads(Path("r.json").read_text(encoding="utf-8"))
    return " ".join(result.stdout.split()), page_text, document


@pytest.mark.parametrize(
    ("unknown", "same_score", "start"),
    [(22, False, "too few labelled images: 8 of 30"), (0, True, "every labelled image has")],
)
def test_the_report_says_why_the_table_is_left_out(unknown, same_score, start) -> None:
    text, page, document = _outputs(*_written(30, unknown, same_score))
    selective = document["selective_labelling"]
    assert selective["available"] is False
    reason = selective["reason"]
    assert reason.startswith(start), reason
    assert f"Selective labelling: none, {reason}" in text
    assert f"Selective labelling none, {reason}" in page, page
    assert "--threshold kept top-1" not in page  # no table


def test_below_20_scored_images_the_report_says_what_the_text_says() -> None:
    text, page, document = _outputs(*_written(12))
    reason = document["selective_labelling"]["reason"]
    assert reason.startswith("fewer than 20 scored images (12)")
    assert "Selective labelling" not in text
    assert "Selective labelling" not in page


def test_the_table_itself_is_shown_without_the_left_out_line() -> None:
    text, page, document = _outputs(*_written(30))
    assert document["selective_labelling"]["available"] is True
    assert "none," not in page and "none," not in text
    assert "Selective labelling" in page
