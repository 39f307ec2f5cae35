"""A truth label that is either of two classes but for emoji selectors (the run has both ❤ and
❤️, which the class list's rules keep apart) is neither: it is not counted under one of them."""

from __future__ import annotations

from tests.evaluation_helpers import predicted
from zsl_cli.evaluation import evaluate, load_truth

TEXT_HEART = "\u2764"
EMOJI_HEART = "\u2764\ufe0f"
TEXT_STYLE_HEART = "\u2764\ufe0e"  # a third spelling: the text presentation selector


def test_a_third_spelling_of_two_emoji_classes_stays_its_own_class(tmp_path):
    (tmp_path / "truth.csv").write_text(
        f"path,label\n1.jpg,{TEXT_STYLE_HEART}\n2.jpg,{TEXT_HEART}\n", encoding="utf-8"
    )
    predictions = [
        predicted(tmp_path / name, TEXT_HEART, [TEXT_HEART, EMOJI_HEART])
        for name in ("1.jpg", "2.jpg")
    ]
    result = evaluate(predictions, load_truth(tmp_path / "truth.csv"), ks=(1,))
    assert result.metrics.classes == tuple(sorted([TEXT_HEART, TEXT_STYLE_HEART]))
    top1 = result.metrics.top_k[0]
    # 2.jpg is right; 1.jpg's class is no class the run chose from.
    assert (top1.overall, top1.mean_per_class) == (0.5, 0.5)
