"""The README's recipes for what zsl leaves to other tools run as written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zsl_cli import api

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(after: str, language: str) -> str:
    """The first ```language block of the README after the text `after`."""
    section = README[README.index(after) :]
    start = section.index(f"```{language}\n") + len(f"```{language}\n")
    return section[start : section.index("```\n", start)]


def test_the_text_search_recipe_ranks_the_stored_images_by_a_query(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "sample_images", tmp_path / "photos")
    monkeypatch.chdir(tmp_path)
    api.embed(
        api.EmbedRequest(
            inputs=api.InputOptions(paths=("photos",)),
            model=api.ModelOptions(name="shapes-demo"),
            store="photos.zsl",
            export="photos.npy",
        )
    )
    exec(_block("does not rank a folder by a text query", "python"), {})
    found = capsys.readouterr().out.splitlines()
    assert len(found) == 5
    # The bundled model tells colours well: a red circle's nearest images are red.
    assert all(Path(path).parent.name.startswith("red ") for path in found), found


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_folder_per_label_recipe_links_each_labelled_image_once(tmp_path):
    shutil.copytree(ROOT / "sample_images", tmp_path / "photos")
    recipe = _block("To sort a folder into one folder per label", "bash")
    zsl = f"{sys.executable} -m zsl_cli"
    script = recipe.replace("zsl label", f"{zsl} label").replace(
        "--classes classes.txt", "--classes photos/classes.txt --model shapes-demo -q"
    )
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, check=True)
    links = sorted((tmp_path / "by_label").glob("*/*"))
    images = sorted((tmp_path / "photos").glob("*/*.png"))
    assert len(links) == len(images) == 90
    assert {link.resolve() for link in links} == {image.resolve() for image in images}
    assert {link.parent.name for link in links} <= {image.parent.name for image in images}


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_folder_per_label_recipe_links_an_image_named_with_a_leading_dash(tmp_path):
    # Labelled from inside its folder (`zsl label .`), an image named `-a.png` has the path
    # `-a.png`, which `realpath "$1"` took for its options: the image got no link, and `ln` was
    # given an empty target.
    photos = tmp_path / "photos"
    shutil.copytree(ROOT / "sample_images", photos)
    first = sorted(photos.glob("red circle/*.png"))[0]
    first.rename(photos / "-a.png")
    recipe = _block("To sort a folder into one folder per label", "bash")
    zsl = f"{sys.executable} -m zsl_cli"
    script = (
        recipe.replace("zsl label", f"{zsl} label")
        .replace("./photos", ".")
        .replace("--classes classes.txt", "--classes classes.txt --model shapes-demo -q")
    )
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=photos, check=True)
    links = sorted((photos / "by_label").glob("*/*"))
    assert len(links) == 90
    assert (photos / "-a.png").resolve() in {link.resolve() for link in links}


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_folder_per_label_recipe_says_what_becomes_of_a_name_not_in_utf8(tmp_path):
    # jq reads the JSONL's \udcXX escapes as U+FFFD, so the recipe linked such an image to a
    # name no file has, without a word: README said so of jq in Output, not by the recipe.
    photos = tmp_path / "photos"
    shutil.copytree(ROOT / "sample_images", photos)
    first = sorted(photos.glob("red circle/*.png"))[0]
    os.rename(first, os.path.join(os.fsencode(photos), b"caf\xe9.png"))
    recipe = _block("To sort a folder into one folder per label", "bash")
    zsl = f"{sys.executable} -m zsl_cli"
    script = recipe.replace("zsl label", f"{zsl} label").replace(
        "--classes classes.txt", "--classes photos/classes.txt --model shapes-demo -q"
    )
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, check=True)
    links = list((tmp_path / "by_label").glob("*/*"))
    assert len(links) == 90
    dangling = [link for link in links if not link.exists()]
    assert [link.name for link in dangling] == ["caf\ufffd.png"]
    after = README[README.index("To sort a folder into one folder per label") :]
    note = " ".join(after[after.index("```\n\n(") : after.index("### Inputs")].split())
    assert "not UTF-8" in note and "U+FFFD" in note and "convmv" in note
