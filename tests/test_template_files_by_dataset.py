"""A template file that is a JSON object of templates by dataset (CLIP_benchmark's
zeroshot_classification.json) is named so, whatever marks its editor left before the object."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.prompts import resolve_templates


@pytest.mark.parametrize("marks", ["", "\ufeff", "\ufeff\ufeff"])
def test_templates_by_dataset_are_named_a_json_object(tmp_path: Path, marks: str) -> None:
    # Two byte-order marks: a file saved with one, then saved again by a tool that adds its own.
    file = tmp_path / "zeroshot_classification.json"
    file.write_text(marks + '{"cifar10": ["a photo of a {c}.", "a blurry photo of a {c}."]}\n')
    with pytest.raises(ZslError) as refused:
        resolve_templates(str(file))
    assert str(refused.value) == (
        f"{file} is a JSON object, not a template file (templates by dataset, as "
        "CLIP_benchmark's?): write one dataset's templates one per line, with {} for the class "
        "name"
    )
