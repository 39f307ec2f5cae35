"""Label Studio's options given without its format are refused whatever their value: one typed
with the value it defaults to did nothing as well, without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SHAPE_CLASSES, run, write_images


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_images(tmp_path / "photos", 1)
    (tmp_path / "classes.txt").write_text("".join(f"{name}\n" for name in SHAPE_CLASSES))
    monkeypatch.chdir(tmp_path)
    return tmp_path


LABEL = ["label", "photos", "-c", "classes.txt", "-m", "shapes-demo", "-o", "out.csv"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--ls-from-name", "choice"], "--ls-from-name"),
        (["--ls-to-name", "image"], "--ls-to-name"),
        (["--ls-to-name=image", "--ls-from-name", "choice"], "--ls-from-name, --ls-to-name"),
        (["--ls-to-name", "image", "--ls-config", "c.xml"], "--ls-to-name, --ls-config"),
    ],
)
def test_label_studio_names_given_as_their_defaults_need_its_format(world, args, named):
    # `-o out.csv --ls-from-name choice`, -f label-studio forgotten, wrote a CSV without a word,
    # where any other name was refused.
    result = run(*LABEL, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"zsl: error: {named}: only for label-studio output (add -f label-studio)\n"
    )
    assert not Path("out.csv").exists()


def test_label_studio_names_left_out_need_nothing(world):
    result = run(*LABEL, "-q")
    assert result.exit_code == 0, result.stderr
    assert len(Path("out.csv").read_text().splitlines()) == 2
    # With its format, the names typed as their defaults are those defaults.
    studio = run(*LABEL[:-2], "-f", "label-studio", "--ls-document-root", ".", "-q",
                 "--ls-from-name", "choice", "--ls-to-name", "image")  # fmt: skip
    assert studio.exit_code == 0, studio.stderr
    assert '"from_name": "choice"' in studio.stdout and '"to_name": "image"' in studio.stdout
