"""Two ways a truth was read too late or too loosely:

- `zsl hubness --truth --seen` refused a truth label that is a class written in another case only
  once every image was encoded (minutes on a large folder): the images are known after discovery,
  so the truth is paired with them and refused before the model is loaded, with the same words.
- a truth CSV that names one image twice, by its bare file name (`a.png`) and by its path
  (`set/cat/a.png`, or absolute), counted it as a truth image without prediction, whatever its
  labels: it is one image, counted once, or refused where the labels differ, in `evaluate` and
  `hubness` alike, as two paths to one file are. A name that files in two folders hold is no
  one image, and stays apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth, match_paths
from zsl_cli.records import LabelScore, Prediction


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_image_set(tmp_path_factory.mktemp("shapes") / "set", seed=88, per_class=2).root


def _images(shapes: Path) -> list[Path]:
    return sorted(shapes.glob("*/*.png"))


def _write_truth(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("path,label\n" + "".join(f'"{p}","{label}"\n' for p, label in rows))
    return path


def _truth_rows(shapes: Path, rename: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Every image of the set by its absolute path, labelled with its folder (renamed)."""
    rename = rename or {}
    return [
        (str(image), rename.get(image.parent.name, image.parent.name)) for image in _images(shapes)
    ]


def _seen_class(shapes: Path) -> str:
    return (shapes / "seen.txt").read_text().splitlines()[0]


# --- the refusal before encoding ------------------------------------------------------------


@pytest.fixture(scope="module")
def recorded() -> tuple[api.Encoder, list[str]]:
    """The bundled model, its encoding calls recorded (and still made)."""
    encoder = api.open_encoder(api.ModelOptions(name="shapes-demo"))
    calls: list[str] = []
    for name in ("encode_images", "encode_texts"):
        real = getattr(encoder, name)

        def recording(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        setattr(encoder, name, recording)
    return encoder, calls


def _request(shapes: Path, truth: Path, **changes) -> api.HubnessRequest:
    return api.HubnessRequest(
        inputs=api.InputOptions(paths=(str(shapes),)),
        classes=api.ClassOptions(classes=str(shapes / "classes.txt")),
        model=api.ModelOptions(name="shapes-demo"),
        k=1,
        methods=("none",),
        truth=str(truth),
        seen=str(shapes / "seen.txt"),
        **changes,
    )


def test_a_truth_class_in_another_case_is_refused_before_any_image_is_encoded(
    shapes, tmp_path, recorded
):
    encoder, calls = recorded
    seen_class = _seen_class(shapes)
    other = seen_class.title()
    misspelled = _write_truth(tmp_path / "t.csv", _truth_rows(shapes, {seen_class: other}))
    calls.clear()
    with pytest.raises(ZslError) as refused:
        api.hubness(_request(shapes, misspelled), encoder=encoder)
    assert str(refused.value).startswith(
        f"the truth labels images '{other}', which is no class: the class '{seen_class}' differs "
        "from it only in case"
    )
    assert calls == []  # not a prompt, not an image
    # The truth as the classes spell it: measured, every image encoded by the same encoder.
    plain = _write_truth(tmp_path / "plain.csv", _truth_rows(shapes))
    assert api.hubness(_request(shapes, plain), encoder=encoder).images_with_truth == len(
        _images(shapes)
    )
    assert "encode_images" in calls


def test_the_cli_refuses_a_truth_class_in_another_case_before_loading_the_model(
    shapes, tmp_path, monkeypatch
):
    seen_class = _seen_class(shapes)
    other = seen_class.replace(" ", "_")
    misspelled = _write_truth(tmp_path / "t.csv", _truth_rows(shapes, {seen_class: other}))
    seen = shapes / "seen.txt"
    predictions = tmp_path / "p.jsonl"
    labelled = run(
        "label", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-o", predictions, "-q"
    )
    assert labelled.exit_code == 0, labelled.stderr
    evaluated = run("evaluate", predictions, "--truth", misspelled, "--seen", seen)
    assert evaluated.exit_code == 2, evaluated.output
    loads: list[str] = []

    def no_load(name, *args, **kwargs):
        loads.append(str(name))
        raise RuntimeError("the model was loaded")

    monkeypatch.setattr(api, "load_encoder", no_load)
    command = ["hubness", shapes, "-c", shapes / "classes.txt", "-m", "shapes-demo", "-k", "1"]
    result = run(*command, "--truth", misspelled, "--seen", seen)
    assert result.exit_code == 2, result.output
    assert result.stderr == evaluated.stderr  # evaluate's very words, exit 2
    assert loads == []
    # The loader stands in for the model where the truth is spelled right: the test can fail.
    plain = _write_truth(tmp_path / "plain.csv", _truth_rows(shapes))
    result = run(*command, "--truth", plain, "--seen", seen)
    assert result.exit_code != 0 and loads == ["shapes-demo"]


def test_a_store_run_still_refuses_a_truth_class_in_another_case(shapes, tmp_path):
    # A store's images are known once it is read: refused there, before they are gathered.
    store = tmp_path / "set.zsl"
    embedded = run("embed", shapes, "--store", store, "-m", "shapes-demo", "-q")
    assert embedded.exit_code == 0, embedded.stderr
    seen_class = _seen_class(shapes)
    misspelled = _write_truth(
        tmp_path / "t.csv", _truth_rows(shapes, {seen_class: seen_class.upper()})
    )
    command = ["hubness", "--embeddings", store, "-c", shapes / "classes.txt", "-m", "shapes-demo"]
    result = run(*command, "--truth", misspelled, "--seen", shapes / "seen.txt")
    assert result.exit_code == 2, result.output
    assert f"the truth labels images '{seen_class.upper()}', which is no class" in result.stderr


# --- a bare file name beside the image's path -------------------------------------------------


def _predicted(path: Path | str, label: str) -> Prediction:
    return Prediction(str(path), label, 0.9, top_k=(LabelScore(label, 0.9),))


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    """photos/cat/{a,b}.png and photos/dog/{c,d}.png, with a truth CSV's folder beside them."""
    for name in ("cat/a.png", "cat/b.png", "dog/c.png", "dog/d.png"):
        path = tmp_path / "photos" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not decoded by evaluate")
    return tmp_path / "photos"


def _rows(photos: Path, absolute: bool) -> list[tuple[str, str]]:
    """Each image's row: its path from the CSV's folder (photos' parent), or its absolute one."""
    images = sorted(photos.glob("*/*.png"))
    return [(str(p if absolute else p.relative_to(photos.parent)), p.parent.name) for p in images]


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_a_bare_name_beside_the_images_path_is_one_image(photos, absolute):
    predictions = [_predicted(p, p.parent.name) for p in sorted(photos.glob("*/*.png"))]
    rows = _rows(photos, absolute)
    first = rows[0][0]
    for extra in ("a.png", "./a.png"):
        # Either order: the path first, or the bare name first.
        for ordered in ([*rows, (extra, "cat")], [(extra, "cat"), *rows]):
            truth = load_truth(_write_truth(photos.parent / "truth.csv", ordered))
            result = evaluate(predictions, truth, ks=(1,))
            assert result.n == 4 and result.unmatched.truth == 0, result.unmatched
        # Two labels: which one the image is of cannot be told.
        truth = load_truth(_write_truth(photos.parent / "truth.csv", [*rows, (extra, "dog")]))
        with pytest.raises(ZslError) as refused:
            evaluate(predictions, truth, ks=(1,))
        # The predicted image is named where no row spells it as the predictions do.
        image = "" if absolute else f", predicted as '{predictions[0].path}'"
        assert str(refused.value) == (
            f"{photos.parent / 'truth.csv'}, line 6: '{extra}' names the image of line 2 "
            f"('{first}'){image}, labelled 'dog' here and 'cat' there; keep one label per image"
        )


def test_a_bare_name_two_folders_hold_stays_apart(photos):
    # photos/dog/a.png too: 'a.png' may be either image, as it was before.
    (photos / "dog" / "a.png").write_bytes(b"another image")
    images = sorted(photos.glob("*/*.png"))
    rows = _rows(photos, absolute=False)
    truth = load_truth(_write_truth(photos.parent / "truth.csv", [*rows, ("a.png", "dog")]))
    matching = match_paths([str(p) for p in images], truth)
    assert len(matching.pairs) == 5 and matching.unmatched.truth_examples == ("a.png",)
    # Only one of them predicted, but both in the truth: still either.
    unpredicted = [str(p) for p in images if p != photos / "dog" / "a.png"]
    matching = match_paths(unpredicted, truth)
    assert len(matching.pairs) == 4 and matching.unmatched.truth == 2
    # Both predicted, one in the truth by its path: the bare name is the other one's ending,
    # paired with it by that ending, as before.
    truth = load_truth(
        _write_truth(
            photos.parent / "truth.csv",
            [row for row in [*rows, ("a.png", "dog")] if row[0] != "photos/dog/a.png"],
        )
    )
    matching = match_paths([str(p) for p in images], truth)
    paired = {truth.items[i].shown: images[j].relative_to(photos) for j, i in matching.pairs}
    assert len(paired) == 5 and paired["a.png"] == Path("dog/a.png")


def test_a_bare_name_that_is_a_file_of_the_csvs_folder_is_that_file(photos):
    # a.png beside truth.csv is another image than photos/cat/a.png: unpaired, as before.
    (photos.parent / "a.png").write_bytes(b"another image")
    predictions = [_predicted(p, p.parent.name) for p in sorted(photos.glob("*/*.png"))]
    rows = [*_rows(photos, absolute=False), ("a.png", "dog")]
    result = evaluate(predictions, load_truth(_write_truth(photos.parent / "truth.csv", rows)))
    assert result.n == 4 and result.unmatched.truth_examples == ("a.png",)


def test_a_bare_name_beside_a_path_paired_by_its_ending_alone_stays_apart(tmp_path):
    # Predictions made elsewhere: x/a.png is paired by its ending, a.png may be another image.
    truth_csv = _write_truth(tmp_path / "truth.csv", [("a.png", "cat"), ("x/a.png", "dog")])
    matching = match_paths(["/elsewhere/x/a.png"], load_truth(truth_csv))
    assert matching.pairs == ((0, 1),) and matching.unmatched.truth_examples == ("a.png",)


def test_evaluate_and_hubness_read_a_bare_name_beside_the_path_as_one_image(
    shapes, tmp_path, monkeypatch
):
    images = _images(shapes)
    first = images[0]
    predictions = tmp_path / "p.jsonl"
    classes = shapes / "classes.txt"
    labelled = run("label", shapes, "-c", classes, "-m", "shapes-demo", "-o", predictions, "-q")
    assert labelled.exit_code == 0, labelled.stderr
    rows = _truth_rows(shapes)
    hubness = ["hubness", shapes, "-c", classes, "-m", "shapes-demo", "-k", "1", "--json", "-"]
    same = _write_truth(tmp_path / "same.csv", [*rows, (first.name, first.parent.name)])
    result = run("evaluate", predictions, "--truth", same, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == len(images) and data["unmatched"]["truth"]["count"] == 0
    result = run(*hubness, "--truth", same, "-q")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["images_with_truth"] == len(images)
    assert data["unmatched"]["truth"] == {"count": 0, "examples": []}
    other = next(name for name in classes.read_text().splitlines() if name != first.parent.name)
    differs = _write_truth(tmp_path / "differs.csv", [*rows, (first.name, other)])
    message = (
        f"zsl: error: {differs}, line {len(rows) + 2}: '{first.name}' names the image of line 2 "
        f"('{first}'), labelled '{other}' here and '{first.parent.name}' there; keep "
        "one label per image\n"
    )
    result = run("evaluate", predictions, "--truth", differs)
    assert result.exit_code == 2 and result.stderr == message
    # hubness names the image as it found it (the same absolute path), before loading the model.
    monkeypatch.setattr(api, "load_encoder", lambda *args, **kwargs: pytest.fail("loaded"))
    result = run(*hubness, "--truth", differs)
    assert result.exit_code == 2 and result.stderr == message
