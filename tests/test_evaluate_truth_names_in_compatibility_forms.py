"""Truth classes that are one of the run's classes but for Unicode compatibility forms (NFKC):
half-width katakana from older systems (ｶﾒﾗ for カメラ), full-width Latin from an input method
(ＣＰＵ for CPU). They get the hint another case gets, and are still scored as written: to the
model they are other characters, so never paired with the class silently."""

from __future__ import annotations

import shutil

import pytest

from tests.evaluation_helpers import predicted, touch
from tests.helpers import run
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.formatting import compatible_name, loose_name

HALF_WIDTH_CAMERA, CAMERA = "\uff76\uff92\uff97", "\u30ab\u30e1\u30e9"


@pytest.mark.parametrize(
    ("truth_name", "class_name"),
    [(HALF_WIDTH_CAMERA, CAMERA), ("\uff23\uff30\uff35", "CPU")],
    ids=["half-width katakana", "full-width latin"],
)
def test_a_truth_class_in_other_compatibility_forms_is_hinted_at_not_matched(
    tmp_path, truth_name, class_name
):
    truth = tmp_path / "truth"
    paths = [touch(truth / truth_name / "a.png"), touch(truth / "dog" / "b.png")]
    predictions = [
        predicted(paths[0], class_name, [class_name, "dog"]),
        predicted(paths[1], "dog", ["dog", class_name]),
    ]
    result = evaluate(predictions, load_truth(truth), ks=(1,))
    # Scored as written: a mistake, as for a truth class in another case.
    assert result.metrics.top_k[0].overall == 0.5
    assert any(
        f"('{truth_name}' in the truth is '{class_name}' among the classes)" in warning
        for warning in result.warnings
    )


def test_a_name_unlike_any_class_in_every_form_gets_no_hint(tmp_path):
    truth = tmp_path / "truth"
    paths = [touch(truth / HALF_WIDTH_CAMERA / "a.png"), touch(truth / "dog" / "b.png")]
    predictions = [predicted(paths[0], "dog", ["dog"]), predicted(paths[1], "dog", ["dog"])]
    result = evaluate(predictions, load_truth(truth), ks=(1,))
    assert not any("among the classes" in warning for warning in result.warnings)


def test_evaluate_and_hubness_name_both_spellings_when_no_truth_class_is_a_class(tmp_path):
    # The review's case: Cpu and ｶﾒﾗ folders for the classes CPU and カメラ; only the case
    # difference was explained.
    shapes = make_image_set(tmp_path / "shapes", seed=5021, per_class=2).root
    truth = tmp_path / "kt"
    shutil.copytree(shapes / "red circle", truth / "Cpu")
    shutil.copytree(shapes / "blue square", truth / HALF_WIDTH_CAMERA)
    classes = tmp_path / "kt.txt"
    classes.write_text(f"{CAMERA}: a photo of a blue square\nCPU: a photo of a red circle\n")
    output = tmp_path / "kt.csv"
    model = ["-m", "shapes-demo"]
    labelled = run("label", truth, "-c", classes, *model, "-o", output, "-q")
    assert labelled.exit_code == 0, labelled.stderr
    evaluated = run("evaluate", output, "--truth", truth)
    hubness = run("hubness", truth, "-c", classes, *model, "--truth", truth)
    for result in (evaluated, hubness):
        assert result.exit_code == 2
        message = result.stderr.replace("\n", " ")
        assert "'Cpu' in the truth is 'CPU' among the classes" in message
        assert f"'{HALF_WIDTH_CAMERA}' in the truth is '{CAMERA}' among the classes" in message


def test_the_compatibility_key_takes_width_forms_and_case_as_one_and_keeps_other_names_apart():
    assert compatible_name("\uff23\uff30\uff35") == compatible_name("cpu") == loose_name("CPU")
    assert compatible_name(HALF_WIDTH_CAMERA) == compatible_name(CAMERA)
    assert compatible_name(CAMERA) != compatible_name("\u30ab\u30e1")  # カメ, not カメラ
