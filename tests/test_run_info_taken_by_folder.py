"""An output whose run info file's name (`<output>.run.json`) is taken by a folder is refused
in one line before the images are labelled, not once the run is done, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import run


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_folder_at_the_run_infos_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (40, 30), "red").save("red.png")
    Path("classes.txt").write_text("circle\nsquare\n", encoding="utf-8")
    output = f"out.{fmt}"
    Path(f"{output}.run.json").mkdir()
    Path(f"{output}.run.json", "mine.txt").write_text("kept\n", encoding="utf-8")
    args = ["label", "red.png", "-c", "classes.txt", "-m", "shapes-demo", "-f", fmt, "-q"]
    result = run(*args, "-o", output)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"zsl: error: the run info of output '{output}' goes to '{output}.run.json', which is a "
        "directory: move it away or choose another output name\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "classes.txt",
        f"{output}.run.json",
        "red.png",
    ]
    assert Path(f"{output}.run.json", "mine.txt").read_text(encoding="utf-8") == "kept\n"
