"""Attribute classes whose rows differ only in attributes the model reads alike (the bundled
model's tokenizer lower-cases: `RED` and `red`): every class would get one vector, and the run is
refused naming the attribute weights, not the class names no attribute prompt holds."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.helpers import run


def test_attributes_the_model_reads_alike_leave_no_class_apart(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (32, 32), "red").save(images / "a.png")
    attributes = tmp_path / "attributes.csv"
    attributes.write_text("class,RED,red\ncat,1,0\ndog,0,1\n")
    output = tmp_path / "out.csv"
    result = run("label", images, "--attributes", attributes, "-m", "shapes-demo", "-o", output)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "zsl: error: the model cannot tell any of the 2 classes apart (their rows of attribute "
        "weights are the same in proportion once the attributes it reads alike are one: check "
        "the attribute names or phrases, and that the model folder's tokenizer is the model's "
        "own)\n"
    )
    assert not output.exists()
