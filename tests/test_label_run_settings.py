"""What a label run records and counts, from the library, with the tiny CLIP the tests build: the
low-confidence count at the class-list limit, and the run info's settings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_images
from zsl_cli import api


def _request(tmp_path: Path, model: Path, classes: list[str], **changes) -> api.LabelRequest:
    photos = tmp_path / "photos"
    if not photos.exists():
        write_images(photos, 3)
    given = {
        "inputs": api.InputOptions(paths=(str(photos),)),
        "classes": api.ClassOptions(classes=classes),
        "model": api.ModelOptions(name=str(model)),
        "output": None,
    }
    return api.LabelRequest(**{**given, **changes})


def test_low_confidence_is_counted_over_exactly_the_longest_class_list_it_is_made_for(
    tiny_clip: Path, tmp_path: Path
) -> None:
    names = [f"class {i}" for i in range(api.LOW_CONFIDENCE_MAX_CLASSES)]
    report = api.label(_request(tmp_path, tiny_clip, names, low_confidence=1.0))
    # Every written score is below 1.0: a count is made, and it is every image.
    assert report.low_confidence_below == 1.0
    assert report.low_confidence == 3
    assert report.run_info["summary"]["low_confidence"] == 3
