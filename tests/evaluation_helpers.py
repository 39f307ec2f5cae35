"""Helpers that several evaluate tests share: predictions and truth files written for a test, a
labelled image folder, and what `zsl evaluate` prints of a result."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from tests.helpers import run
from zsl_cli.evaluation import EvaluationResult, evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.summary import render_evaluation
from zsl_cli.writers import open_writer


def touch(path) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"not decoded by evaluate")
    return os.fsdecode(path)


def predicted(path, label, ranking=None, status="ok") -> Prediction:
    """A prediction whose top_k is `ranking` (default: just the label), scores falling by 0.1."""
    if status != "ok":
        return Prediction(path=os.fsdecode(path), label="", score=None, status=status, error="x")
    names = ranking or [label]
    top_k = tuple(LabelScore(name, 0.9 - 0.1 * i) for i, name in enumerate(names))
    return Prediction(path=os.fsdecode(path), label=label, score=top_k[0].score, top_k=top_k)


def write_file(path: Path, content: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return os.fspath(path)


def read_rows(path: str) -> list[tuple[str, str]]:
    return [(item.shown, item.label) for item in load_truth(path).items]


def labelled_run(
    output: Path, images: Sequence[tuple[str | os.PathLike[str], str | None]], classes: list[str]
) -> Path:
    """Predictions as `zsl label -k 0` writes them, each image labelled with its own class
    (every class ranked; None: the image failed as not_an_image), and the run info naming
    `classes`."""
    with open_writer(output, "jsonl") as writer:
        for image, label in images:
            if label is None:
                writer.write(Prediction(os.fspath(image), "", None, status="not_an_image"))
                continue
            ranking = [label, *(name for name in classes if name != label)]
            top_k = tuple(LabelScore(name, 0.9 - 0.1 * i) for i, name in enumerate(ranking))
            writer.write(Prediction(os.fspath(image), label, top_k[0].score, top_k=top_k))
        writer.close({"classes": {"n": len(classes), "names": classes}})
    return output


def evaluated_json(predictions: Path, truth: Path) -> dict:
    """What `zsl evaluate PREDICTIONS --truth TRUTH --json -` prints, read."""
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def evaluated(tmp_path: Path, rows: list[tuple[str, str]], extra: int = 0) -> EvaluationResult:
    """An evaluation of one image per (true, predicted) row ("!" predicted: the image failed),
    with `extra` predictions of images the truth does not name."""
    lines = "".join(f"{i}.jpg,{true}\n" for i, (true, _) in enumerate(rows))
    (tmp_path / "truth.csv").write_text(f"path,label\n{lines}", encoding="utf-8")
    predictions = [
        Prediction(
            path=str(tmp_path / f"{i}.jpg"), label="", score=None, status="truncated", error="x"
        )
        if label == "!"
        else Prediction(
            path=str(tmp_path / f"{i}.jpg"), label=label, score=0.9, top_k=(LabelScore(label, 0.9),)
        )
        for i, (_, label) in enumerate(rows)
    ]
    predictions += [
        Prediction(path=str(tmp_path / f"x{i}.jpg"), label="cat", score=0.9) for i in range(extra)
    ]
    return evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=(1,))


def evaluation_text(result: EvaluationResult, max_rows: int | None = 20) -> str:
    """The table `zsl evaluate` prints of `result`, on a plain console 200 columns wide."""
    console = Console(file=io.StringIO(), width=200, markup=False, emoji=False)
    render_evaluation(console, result, max_rows=max_rows)
    return console.file.getvalue()


def label_folder(image_folder: Path, model: Path, predictions: Path, *extra) -> Path:
    classes = image_folder.parent / "classes.txt"
    labelled = run(
        "label", image_folder, "-c", classes, "-m", model, "-o", predictions, "-q", *extra
    )
    assert labelled.exit_code == 0, labelled.stderr
    return predictions


def gzsl_evaluated(tmp_path: Path) -> EvaluationResult:
    """Seen A and B, unseen C, every class scored (calibrated stacking is there): it picks a gamma
    at which seen accuracy is 100% and unseen 50% (H 66.7%)."""
    scores = {
        "A/1.jpg": {"A": 0.6, "B": 0.1, "C": 0.3},
        "B/1.jpg": {"A": 0.2, "B": 0.5, "C": 0.3},
        "C/1.jpg": {"A": 0.5, "B": 0.1, "C": 0.4},
        "C/2.jpg": {"A": 0.25, "B": 0.5, "C": 0.25},
    }
    predictions = []
    for name, by_class in scores.items():
        path = touch(tmp_path / name)
        ranking = sorted(by_class.items(), key=lambda item: -item[1])
        top_k = tuple(LabelScore(label, score) for label, score in ranking)
        predictions.append(Prediction(path, top_k[0].label, top_k[0].score, top_k))
    return evaluate(predictions, load_truth(tmp_path), seen=["A", "B"])
