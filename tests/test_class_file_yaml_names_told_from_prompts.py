"""A class file that is a YAML list under its key (a YOLO data.yaml, `names:` over `- person`)
is told so where it is, also after a byte-order mark left mid-file; a name with ':' over a line that
merely starts with '-' (`-red`, no YAML item) is told to write its prompts, not called YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec
from zsl_cli.errors import ZslError

YAML_HINT = "(YAML, as a YOLO dataset's data.yaml has its names?"


def test_yaml_names_after_a_byte_order_mark_mid_file_are_told_yaml(tmp_path: Path) -> None:
    # `cat classes.txt data.yaml`, the second saved as Notepad's "UTF-8 with BOM": the mark
    # leads the key's line.
    classes = tmp_path / "c.txt"
    classes.write_bytes(b"cat\n" + "names:\n- person\n- bicycle\n".encode("utf-8-sig"))
    with pytest.raises(ZslError) as error:
        load_class_spec(classes=classes)
    assert f"c.txt:2: 'names' has ':' but no prompts after it {YAML_HINT}" in str(error.value)


def test_a_name_over_a_line_starting_with_a_dash_is_not_told_yaml(tmp_path: Path) -> None:
    classes = tmp_path / "c.txt"
    classes.write_text("colours:\n-red\n", encoding="utf-8")
    with pytest.raises(ZslError) as error:
        load_class_spec(classes=classes)
    message = str(error.value)
    assert "c.txt:1: 'colours' has ':' but no prompts after it (write `name: prompt" in message
    assert "YAML" not in message
