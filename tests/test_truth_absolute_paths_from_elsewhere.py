"""A truth CSV's absolute paths written on another machine (/home/alice/photos/circle/a.png)
pair with images named here by an absolute path as with the same images named from the folder
that relative paths start at (`photos/circle/a.png` from here), by the ending they share:
`zsl hubness $PWD/photos` paired none of them, `zsl hubness photos` every one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.evaluation import evaluate, load_truth, match_paths
from zsl_cli.records import LabelScore, Prediction


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded here")
    return path


def _truth(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("path,label\n" + "".join(f"{p},{label}\n" for p, label in rows))
    return path


ALICE = [
    ("/home/alice/photos/circle/0001.png", "circle"),
    ("/home/alice/photos/square/0002.png", "square"),
]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path, the current folder, holding photos/circle/0001.png and photos/square/0002.png."""
    for name in ("photos/circle/0001.png", "photos/square/0002.png"):
        _touch(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_absolute_paths_under_the_current_folder_pair_as_their_relative_paths_do(here):
    truth = load_truth(_truth(here / "truth.csv", ALICE))
    relative = ["photos/circle/0001.png", "photos/square/0002.png"]
    absolute = [str(here / path) for path in relative]
    for paths in (relative, absolute):
        matching = match_paths(paths, truth)
        assert matching.pairs == ((0, 0), (1, 1)), paths
        assert matching.unmatched.matched_by_relative_path == 2
        assert matching.unmatched.predictions == matching.unmatched.truth == 0


def test_an_absolute_path_that_ends_two_truth_paths_is_neither(here):
    rows = [*ALICE, ("/home/bob/photos/circle/0001.png", "square")]
    truth = load_truth(_truth(here / "truth.csv", rows))
    matching = match_paths([str(here / "photos/circle/0001.png")], truth)
    assert matching.pairs == () and matching.unmatched.truth == 3
    # A longer ending tells them apart, as for a relative path.
    rows = [*ALICE, ("/home/bob/more/circle/0001.png", "square")]
    truth = load_truth(_truth(here / "truth.csv", rows))
    matching = match_paths([str(here / "photos/circle/0001.png")], truth)
    assert matching.pairs == ((0, 0),)


def test_an_absolute_path_outside_the_folder_relative_paths_start_at_stays_unpaired(
    here, tmp_path_factory
):
    # /elsewhere/photos/circle/0001.png is not named from here: whether it is Alice's is a guess.
    elsewhere = _touch(tmp_path_factory.mktemp("elsewhere") / "photos/circle/0001.png")
    truth = load_truth(_truth(here / "truth.csv", ALICE))
    assert match_paths([str(elsewhere)], truth).pairs == ()


def test_evaluate_takes_absolute_predictions_from_the_labelling_folder(
    here, tmp_path_factory, monkeypatch
):
    # Labelled as $PWD/photos in `here`, evaluated from another folder with the run's folder.
    truth = load_truth(_truth(here / "truth.csv", ALICE))
    predictions = [
        Prediction(str(here / name), "circle", 0.9, (LabelScore("circle", 0.9),))
        for name in ("photos/circle/0001.png", "photos/square/0002.png")
    ]
    monkeypatch.chdir(tmp_path_factory.mktemp("away"))
    result = evaluate(predictions, truth, ks=(1,), base=str(here))
    assert result.n == 2 and result.unmatched.matched_by_relative_path == 2
    assert result.metrics.top_k[0].overall == pytest.approx(0.5)


def test_hubness_pairs_a_truth_of_another_machines_absolute_paths_with_absolute_images(
    tmp_path, monkeypatch
):
    shapes = make_image_set(tmp_path / "photos", seed=88, per_class=2).root
    images = sorted(shapes.glob("*/*.png"))
    rows = [(f"/home/alice/photos/{p.parent.name}/{p.name}", p.parent.name) for p in images]
    truth = _truth(tmp_path / "truth.csv", rows)
    monkeypatch.chdir(tmp_path)
    common = ["-c", shapes / "classes.txt", "-m", "shapes-demo", "-k", "1", "--methods", "none"]
    for given in (shapes.relative_to(tmp_path), shapes):  # photos, and $PWD/photos
        result = run("hubness", given, *common, "--truth", truth, "--json", "-", "-q")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["images_with_truth"] == len(images), given
        assert data["unmatched"]["truth"]["count"] == 0
