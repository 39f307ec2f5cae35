"""What a label run records and counts, from the library, with the tiny CLIP the tests build: the
low-confidence count at the class-list limit, and the run info's settings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.helpers import write_images
from zsl_cli import api


@pytest.fixture(scope="module")
def clip_encoder(tiny_clip: Path):
    """The tiny CLIP loaded once, for the runs whose checks are not of the model's loading:
    api.label reuses a model given as `encoder=` (read only) instead of loading it again."""
    return api.open_encoder(api.ModelOptions(name=str(tiny_clip)))


def _request(
    tmp_path: Path, model_dir: Path, classes: api.ClassOptions, **changes
) -> api.LabelRequest:
    photos = tmp_path / "photos"
    if not photos.exists():
        write_images(photos, 3)
    given = {
        "inputs": api.InputOptions(paths=(str(photos),)),
        "classes": classes,
        "model": api.ModelOptions(name=str(model_dir)),
        "output": None,
    }
    return api.LabelRequest(**{**given, **changes})


def test_low_confidence_is_counted_over_exactly_the_longest_class_list_it_is_made_for(
    tiny_clip: Path, clip_encoder, tmp_path: Path
) -> None:
    names = [f"class {i}" for i in range(api.LOW_CONFIDENCE_MAX_CLASSES)]
    classes = api.ClassOptions(classes=names)
    request = _request(tmp_path, tiny_clip, classes, low_confidence=1.0)
    report = api.label(request, encoder=clip_encoder)
    # Every written score is below 1.0: a count is made, and it is every image.
    assert report.low_confidence_below == 1.0
    assert report.low_confidence == 3
    assert report.run_info["summary"]["low_confidence"] == 3


def test_the_run_info_records_the_decision_and_the_name_mode_settings(
    tiny_clip: Path, tmp_path: Path
) -> None:
    classes = api.ClassOptions(classes=["cat", "dog"], templates="imagenet7")
    decision = api.Decision(top_k=2, threshold=0.25)
    report = api.label(_request(tmp_path, tiny_clip, classes, decision=decision))
    info = report.run_info
    assert (info["top_k"], info["threshold"], info["hubness_reduction"]) == (2, 0.25, "none")
    assert info["unknown_label"] == "unknown"
    # No --max-pixels: the limit that applied, Pillow's (1024^3 / 12 pixels).
    assert info["max_pixels"] == 1024**3 // 12
    assert info["model"]["exact_preprocessing"] is False
    described = info["classes"]
    assert (described["n"], described["n_prompts"], described["mode"]) == (2, 2 * 7, "names")
    assert described["templates"] == "imagenet7"
    assert described["attribute_template"] is None and described["description_template"] is None


def test_the_run_info_records_the_templates_each_class_mode_used(
    tiny_clip: Path, tmp_path: Path
) -> None:
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps({"cat": ["whiskers", "fur"]}))
    # Two classes, only one described: the other takes the templates.
    mixed = api.ClassOptions(
        classes=["cat", "dog"], descriptions=str(descriptions), description_template="{} with {}"
    )
    inputs = api.InputOptions(paths=(str(tmp_path / "photos"),), max_pixels=5000)
    request = _request(tmp_path, tiny_clip, mixed, model=_exact(tiny_clip), inputs=inputs)
    info = api.label(request).run_info
    assert info["classes"]["mode"] == "descriptions"
    assert info["classes"]["description_template"] == "{} with {}"
    assert info["classes"]["templates"] == "default"
    assert (info["classes"]["n"], info["classes"]["n_prompts"]) == (2, 3)
    assert info["classes"]["attribute_template"] is None
    assert info["model"]["exact_preprocessing"] is True
    assert info["max_pixels"] == 5000

    attributes = tmp_path / "attributes.csv"
    attributes.write_text("class,red,round\nred ball,1,1\nblue box,0,0.5\n")
    table = api.ClassOptions(attributes=str(attributes), attribute_template="it is {}")
    info = api.label(_request(tmp_path, tiny_clip, table)).run_info
    assert info["classes"]["mode"] == "attributes"
    assert info["classes"]["attribute_template"] == "it is {}"
    assert info["classes"]["templates"] is None and info["classes"]["description_template"] is None
    assert (info["classes"]["n"], info["classes"]["n_prompts"]) == (2, 2)


def _exact(model: Path) -> api.ModelOptions:
    return api.ModelOptions(name=str(model), exact_preprocessing=True)


def test_the_report_names_stdout_whether_it_was_given_as_none_or_dash(
    tiny_clip: Path, clip_encoder, tmp_path: Path
) -> None:
    classes = api.ClassOptions(classes=["cat", "dog"])
    for path in (None, "-"):
        stream = io.BytesIO()
        output = api.OutputOptions(path=path, stdout=stream)
        request = _request(tmp_path, tiny_clip, classes, output=output)
        report = api.label(request, encoder=clip_encoder)
        assert report.output == "stdout"
        assert stream.getvalue().decode().splitlines()[0].startswith("path,label,score")
    written = tmp_path / "p.csv"
    request = _request(tmp_path, tiny_clip, classes, output=api.OutputOptions(path=str(written)))
    assert api.label(request, encoder=clip_encoder).output == str(written)
