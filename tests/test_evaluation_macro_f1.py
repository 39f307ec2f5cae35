"""`zsl evaluate`'s macro F1 says which classes it averages where that differs from scikit-learn's
default: a class only predicted (no truth image of it), and 'unknown' where images abstained, add
no F1 of 0 to zsl's mean."""

from __future__ import annotations

import json

import pytest
from sklearn.metrics import f1_score
from typer.testing import CliRunner

from tests.evaluation_helpers import predicted, touch
from zsl_cli.cli import app
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.writers import open_writer

SCOPE = (
    "over the 2 truth classes evaluated; scikit-learn's macro average also adds, at F1 0, the 1 "
    "class only predicted"
)


def predictions(root):
    return [
        predicted(touch(root / "cat" / "1.jpg"), "cat", ["cat", "dog", "fox"]),
        predicted(touch(root / "cat" / "2.jpg"), "fox", ["fox", "cat", "dog"]),
        predicted(touch(root / "dog" / "3.jpg"), "dog", ["dog", "cat", "fox"]),
    ]


def test_macro_f1_names_the_classes_it_averages_when_a_class_is_only_predicted(tmp_path):
    root = tmp_path / "truth"
    result = evaluate(
        predictions(root), load_truth(root), ks=(1,), class_names=["cat", "dog", "fox"]
    )
    cat_f1 = 2 * 1.0 * 0.5 / 1.5
    assert result.metrics.macro_f1 == pytest.approx((cat_f1 + 1.0) / 2)  # fox's 0 left out
    assert f"macro F1 {SCOPE}" in result.notes
    assert f"macro F1 {SCOPE}" in result.to_json()["notes"]
    # Where every predicted class is in the truth, the mean is scikit-learn's: nothing to say.
    right = [predicted(root / "cat" / "2.jpg", "cat", ["cat", "fox"]), *predictions(root)[::2]]
    plain = evaluate(right, load_truth(root), ks=(1,))
    assert not [note for note in plain.notes if "macro F1" in note]


def test_abstentions_are_named_as_scikit_learn_would_average_unknown_too(tmp_path):
    root = tmp_path / "truth"
    abstained = predicted(touch(root / "dog" / "4.jpg"), "unknown", ["unknown", "dog", "cat"])
    result = evaluate([*predictions(root), abstained], load_truth(root), ks=(1,))
    truth, labels = ["cat", "cat", "dog", "dog"], ["cat", "fox", "dog", "unknown"]
    assert result.metrics.macro_f1 == pytest.approx(
        f1_score(truth, labels, labels=["cat", "dog"], average="macro")
    )
    assert result.metrics.macro_f1 > f1_score(truth, labels, average="macro")  # fox, unknown: 0
    scope = [note for note in result.notes if note.startswith("macro F1 ")]
    assert scope == [
        "macro F1 over the 2 truth classes evaluated; scikit-learn's macro average also adds, at "
        "F1 0, the 1 class only predicted and 'unknown' (1 image abstained)"
    ]
    # Abstentions alone are said too: scikit-learn would still average 'unknown' in.
    alone = evaluate([*predictions(root)[::2], abstained], load_truth(root), ks=(1,))
    assert [note for note in alone.notes if note.startswith("macro F1 ")] == [
        "macro F1 over the 2 truth classes evaluated; scikit-learn's macro average also adds, at "
        "F1 0, 'unknown' (1 image abstained)"
    ]


def test_the_table_s_macro_f1_line_says_it(tmp_path):
    root = tmp_path / "truth"
    output = tmp_path / "p.csv"
    with open_writer(output, "csv") as writer:
        for prediction in predictions(root):
            writer.write(prediction)
    result = CliRunner().invoke(app, ["evaluate", str(output), "--truth", str(root)])
    assert result.exit_code == 0, result.stderr
    assert f"  macro F1: 0.833  ({SCOPE})\n" in result.stdout
    assert result.stdout.count("scikit-learn") == 1  # on its line, not again among the notes
    document = CliRunner().invoke(
        app, ["evaluate", str(output), "--truth", str(root), "--json", "-"]
    )
    assert f"macro F1 {SCOPE}" in json.loads(document.stdout)["notes"]
