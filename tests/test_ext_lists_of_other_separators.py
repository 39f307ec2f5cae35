"""`--ext 'png;jpg'` or `'png|jpg'` is refused as `--ext 'png jpg'` is, with the list to give:
it was taken for one extension, .png;jpg, and the run found no image."""

from __future__ import annotations

import pytest

from tests.helpers import error_line, run, write_images


@pytest.fixture()
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where no file is named '-'
    return tmp_path


@pytest.mark.parametrize("listed", ["png;jpg", "png|jpg", "png jpg", "png; jpg"])
def test_ext_lists_written_with_other_separators_are_refused(in_tmp, listed):
    write_images(in_tmp / "imgs", 2)
    (in_tmp / "classes.txt").write_text("cat\ndog\n", encoding="utf-8")
    result = run("label", "imgs", "-c", "classes.txt", "-m", "shapes-demo", "--ext", listed)
    assert result.exit_code == 2, result.output
    line = error_line(result.stderr)
    assert line.startswith(f"zsl: error: --ext {listed}: an extension is the end of a file name")
    assert line.endswith("(several: --ext png,jpg)")


def test_ext_hint_gives_an_example_where_the_words_are_no_extensions(in_tmp):
    result = run("label", "-c", "x", "--show-prompts", "--ext", "*.png *.jpg")
    assert error_line(result.stderr).endswith("(several: --ext jpg,png)")
