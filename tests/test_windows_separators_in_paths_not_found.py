"""A path written on Windows (`photos\\cat\\1.jpg`, from `dir /s /b`, a colleague's notes or a
script) names no file on Linux or macOS, where `\\` is a character of a name: where the path
with `/` for each `\\` is there, the "not found" message says so, as it says where a name is
there with its accents composed otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.accents import not_found_hint
from zsl_cli.images import DecodeError, DecodeOptions, decode_image

pytestmark = pytest.mark.skipif(os.sep != "/" or os.altsep, reason="'\\' separates folders here")


def test_the_path_with_slashes_is_named(tmp_path):
    image = tmp_path / "photos" / "red circle" / "1.JPG"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"x")
    typed = str(tmp_path) + "/photos\\red circle\\1.JPG"
    hint = not_found_hint(typed)
    assert f"{image} is there: a backslash is part of a name on this system" in hint
    assert not_found_hint(str(tmp_path) + "/photos\\red circle\\2.JPG") == ""


def test_a_truth_csv_given_with_backslashes_is_named_with_slashes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "truth.csv").write_text("path,label\na.png,cat\n")
    (tmp_path / "p.csv").write_text("path,label,score,top_k_labels,top_k_scores,status,error\n")
    result = run("evaluate", "p.csv", "--truth", "labels\\truth.csv")
    assert result.exit_code == 2, result.output
    assert "labels/truth.csv is there" in result.stderr


def test_a_listed_image_with_backslashes_says_where_it_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "1.png").write_bytes(b"x")
    with pytest.raises(DecodeError) as caught:
        decode_image(Path("photos\\1.png"), DecodeOptions())
    assert caught.value.status == "not_found"
    assert "photos/1.png is there" in str(caught.value)
