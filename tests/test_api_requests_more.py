"""The library's request checks, as a program using zsl_cli.api meets them: class prompts given
as a dict, unordered class lists, duck-typed stdout streams, ks given as an array or a set, and
empty paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli import api
from zsl_cli.errors import ZslError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"


class _WriteOnly:
    """A writer with write() alone, as a caller may hand one."""

    def __init__(self) -> None:
        self.parts: list[object] = []

    def write(self, data: object) -> int:
        self.parts.append(data)
        return len(data)  # type: ignore[arg-type]


class _Writer(_WriteOnly):
    def flush(self) -> None:
        pass


def _label_sample(output: api.OutputOptions) -> api.LabelReport:
    return api.label(
        api.LabelRequest(
            inputs=api.InputOptions(paths=(str(SAMPLES / "red circle"),)),
            classes=api.ClassOptions(classes=["red circle", "blue square"]),
            model=api.ModelOptions(name="shapes-demo"),
            output=output,
        )
    )


def test_a_dict_of_class_prompts_is_refused_rather_than_its_prompts_dropped():
    with pytest.raises(ZslError, match=r"^--classes \{'cat': .*name: prompt.*descriptions"):
        api.ClassOptions(classes={"cat": "a photo of a small cat", "dog": ["a dog"]})
