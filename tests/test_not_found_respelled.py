"""Every path the user types and zsl reports missing (a class file, an attribute table, a ground
truth, a seen-class list, a model folder) says where it is there with its accents composed
otherwise, as a PATHS argument does (tests/test_discovery_respelled.py): typed composed (NFC)
for a folder copied from a Mac, which holds it decomposed (NFD). Real files, written here; the
CLI through CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.accents import accent_form
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_USAGE

CAFE = "caf\u00e9"  # composed: as typed on most keyboards
CAFE_NFD = "cafe\u0301"  # decomposed: as macOS writes it
HINT = (
    f"(the folder {CAFE_NFD} is there in decomposed form (NFD): the two spellings are different "
    "names on this file system)"
)


@pytest.fixture
def mac_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_clip) -> Path:
    """nf/café/ (decomposed) holding a class file, an attribute table, a seen list, a truth
    folder and a model folder; images/ beside it; the working directory is their parent."""
    folder = tmp_path / "nf" / CAFE_NFD
    folder.mkdir(parents=True)
    if (tmp_path / "nf" / CAFE).exists():
        pytest.skip("this file system takes composed and decomposed names as one")
    (folder / "classes.txt").write_text("red\nblue\n")
    (folder / "seen.txt").write_text("red\n")
    (folder / "attributes.csv").write_text("class,round\nred,1\nblue,0\n")
    (folder / "templates.txt").write_text("a photo of a {}.\n")
    write_images(folder / "truth" / "red", 1)
    shutil.copytree(tiny_clip, folder / "model")
    write_images(tmp_path / "images", 1)
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    (tmp_path / "p.csv").write_text(
        "path,label,score,top_k_labels,top_k_scores,status,error\n"
        "images/img_000.png,red,0.9,red|blue,0.9|0.1,ok,\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), input="")
    assert result.exit_code == EXIT_USAGE, result.output
    return result.stderr


def test_a_class_file_typed_composed_says_it_is_there_decomposed(mac_copy, tiny_clip) -> None:
    typed = f"nf/{CAFE}/classes.txt"
    stderr = refused("label", "images", "-c", typed, "-m", str(tiny_clip))
    assert stderr == f"zsl: error: class file not found: {typed} {HINT}\n"


def test_an_attribute_table_typed_composed_says_so(mac_copy, tiny_clip) -> None:
    typed = f"nf/{CAFE}/attributes.csv"
    stderr = refused("label", "images", "--attributes", typed, "-m", str(tiny_clip))
    assert stderr == f"zsl: error: attribute file not found: {typed} {HINT}\n"


@pytest.mark.parametrize("typed", [f"nf/{CAFE}/model", f"nf/{CAFE}/model/", CAFE, f"nf/{CAFE}"])
def test_a_model_folder_typed_composed_says_so(mac_copy, typed) -> None:
    # Also under a name a hub id could be (café, nf/café): the folder there is the one meant.
    (mac_copy / CAFE_NFD).mkdir()
    stderr = refused("label", "images", "-c", "classes.txt", "-m", typed)
    assert stderr == f"zsl: error: model directory not found: {typed} {HINT}\n"


@pytest.mark.parametrize("predictions", ["p.csv", "-"])
def test_a_truth_folder_typed_composed_says_so(mac_copy, predictions) -> None:
    typed = f"nf/{CAFE}/truth"
    stderr = refused("evaluate", predictions, "--truth", typed)
    # In place of the advice to give a folder tree or a CSV file: it is given, spelled otherwise.
    assert stderr == f"zsl: error: ground truth not found: {typed} {HINT}\n"


@pytest.mark.parametrize("predictions", ["p.csv", "-"])
def test_a_seen_list_typed_composed_says_so(mac_copy, predictions) -> None:
    typed = f"nf/{CAFE_NFD}/truth", f"nf/{CAFE}/seen.txt"
    stderr = refused("evaluate", predictions, "--truth", typed[0], "--seen", typed[1])
    assert stderr == f"zsl: error: seen-class list not found: {typed[1]} {HINT}\n"


def test_a_template_file_typed_composed_says_so(mac_copy, tiny_clip) -> None:
    typed = f"nf/{CAFE}/templates.txt"
    stderr = refused(
        "label", "images", "-c", "classes.txt", "--templates", typed, "-m", str(tiny_clip)
    )
    assert stderr == f"zsl: error: template file not found: {typed} {HINT}\n"


def test_a_predictions_file_typed_composed_says_so(mac_copy) -> None:
    shutil.copy(mac_copy / "p.csv", mac_copy / "nf" / CAFE_NFD / "p.csv")
    typed = f"nf/{CAFE}/p.csv"
    stderr = refused("evaluate", typed, "--truth", f"nf/{CAFE_NFD}/truth")
    assert stderr == (
        f"zsl: error: '{typed}' not found {HINT}: give a predictions file written by 'zsl label'\n"
    )


def test_an_embedding_store_typed_composed_says_so(mac_copy, tiny_clip) -> None:
    from zsl_cli.store import EmbeddingStore

    with EmbeddingStore.open(mac_copy / "nf" / CAFE_NFD / "s.zsl", create=True):
        pass
    typed = f"nf/{CAFE}/s.zsl"
    stderr = refused("label", "--embeddings", typed, "-c", "classes.txt", "-m", str(tiny_clip))
    assert stderr.startswith(f"zsl: error: embedding store {typed} not found {HINT}")


def test_no_hint_where_the_path_is_there_in_no_spelling(mac_copy, tiny_clip) -> None:
    typed = f"nf/{CAFE}/gone.txt"
    stderr = refused("label", "images", "-c", typed, "-m", str(tiny_clip))
    assert stderr == f"zsl: error: class file not found: {typed}\n"


def test_one_wording_of_the_two_forms() -> None:
    assert accent_form(CAFE) == "composed form (NFC)"
    assert accent_form(CAFE_NFD) == "decomposed form (NFD)"
    assert accent_form(CAFE + CAFE_NFD) == "a form neither NFC nor NFD"
