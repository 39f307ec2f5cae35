"""Hugging Face files that hold a class list (a model's config.json, a dataset's
dataset_info.json or dataset_infos.json) given as a class list: refused in one line that says
what the file is and gives a jq line writing its names one per line, in the model's or dataset's
order, where the error said only that the JSON was neither a class list nor a descriptions file."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec
from zsl_cli.errors import ZslError

# A fine-tuned classifier's config.json: ids as strings, not in order as written.
CONFIG = {
    "architectures": ["ViTForImageClassification"],
    "id2label": {"10": "zebra", "2": "cat", "0": "ant", "1": "bee"},
    "label2id": {"zebra": 10, "cat": 2, "ant": 0, "bee": 1},
}
# datasets' dataset_info.json: the ClassLabel feature under its own name.
DATASET_INFO = {
    "description": "",
    "features": {
        "img": {"_type": "Image"},
        "fine label": {"names": ["apple", "aquarium fish", "baby"], "_type": "ClassLabel"},
    },
}
# The older dataset_infos.json: the same by configuration.
DATASET_INFOS = {
    "default": {"features": {"label": {"names": ["cat", "dog"], "_type": "ClassLabel"}}}
}


@pytest.mark.parametrize(
    ("name", "content", "what", "names"),
    [
        ("config.json", CONFIG, "a model's config (id2label)", ["ant", "bee", "cat", "zebra"]),
        (
            "dataset_info.json",
            DATASET_INFO,
            "a dataset's info (ClassLabel feature 'fine label')",
            ["apple", "aquarium fish", "baby"],
        ),
        (
            "dataset_infos.json",
            DATASET_INFOS,
            "a dataset's info (ClassLabel feature 'label')",
            ["cat", "dog"],
        ),
    ],
)
@pytest.mark.parametrize("option", ["classes", "descriptions"])
def test_a_hugging_face_label_file_is_refused_with_a_jq_line(
    tmp_path: Path, name: str, content: dict, what: str, names: list[str], option: str
) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(content, indent=2))
    with pytest.raises(ZslError) as refused:
        load_class_spec(**{option: str(path)})
    message = refused.value.message
    assert message.startswith(f"{path} is {what}, not ")
    command = message.split("`")[-2]
    assert command.startswith("jq -r ") and command.endswith(" > classes.txt")
    if shutil.which("jq"):  # the line does what it says, where jq is installed
        written = subprocess.run(
            command.removesuffix(" > classes.txt"),
            shell=True,
            capture_output=True,
            text=True,
            check=True,
        )
        assert written.stdout.splitlines() == names
        listed = tmp_path / "classes.txt"
        listed.write_text(written.stdout)
        assert load_class_spec(classes=str(listed)).names == names
    assert shlex.quote(str(path)) in command
