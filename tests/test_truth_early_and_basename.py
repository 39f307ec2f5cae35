"""`zsl hubness --truth --seen` refused a truth label that is a class written in another case
only once every image was encoded (minutes on a large folder): the images are known after
discovery, so the truth is paired with them and refused before the model is loaded, with the
same words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.errors import ZslError


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
    assert api.hubness(_request(shapes, plain), encoder=encoder)["images_with_truth"] == len(
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
