"""Predictions that spell a class composed (NFC) in some rows and decomposed (NFD) in others,
without the run's class list: the class is counted under its composed spelling, whichever
spelling the truth folder has, and a label retyped composed over decomposed rankings is one of
the classes ranked, not a label edited since, even where no image's truth is that class."""

from __future__ import annotations

import unicodedata

from tests.evaluation_helpers import predicted, touch
from zsl_cli.evaluation import evaluate, load_truth

RED, BLUE, GREEN = "cercle rouge", "carr\u00e9 bleu", "\u00e9toile verte"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_without_the_runs_classes_the_composed_spelling_is_kept(tmp_path):
    truth = tmp_path / "truth"
    # the truth folder named decomposed, as a Mac names it
    paths = [touch(truth / nfd(GREEN) / "a.png"), touch(truth / RED / "b.png")]
    predictions = [
        predicted(paths[0], nfd(GREEN), [nfd(GREEN), RED]),
        predicted(paths[1], RED, [RED, GREEN]),
    ]
    result = evaluate(predictions, load_truth(truth), ks=(1,))
    assert result.metrics.top_k[0].overall == 1.0
    assert sorted(result.metrics.classes) == sorted([GREEN, RED])
    (warning,) = [w for w in result.warnings if "decomposed form (NFD)" in w]
    assert f"'{GREEN}' in composed form (NFC)" in warning


def test_a_label_retyped_composed_is_a_ranked_class_though_no_truth_is_that_class(tmp_path):
    truth = tmp_path / "truth"
    paths = [touch(truth / RED / "a.png"), touch(truth / BLUE / "b.png")]
    predictions = [
        # a mistake, retyped by hand composed over the run's decomposed rankings
        predicted(paths[0], GREEN, [nfd(GREEN), RED, nfd(BLUE)]),
        predicted(paths[1], nfd(BLUE), [nfd(BLUE), nfd(GREEN), RED]),
    ]
    result = evaluate(predictions, load_truth(truth), ks=(1, 3))
    assert [(t.k_used, t.overall) for t in result.metrics.top_k] == [(1, 0.5), (3, 1.0)]
    assert not any("edited since" in warning for warning in result.warnings)
