"""`zsl label --ls-data-key KEY`: tasks for a Label Studio project whose Image tag reads another
data key than `image` (`value="$img"`). The tasks carry the image URL under that key, the config
zsl writes reads it, the run info records it, and the tasks still read back as predictions and
evaluate against a project's export; keys Label Studio cannot read as `$KEY`, and zsl's own keys,
are refused before the run."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from tests.helpers import SHAPE_CLASSES, run, write_images
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.label_studio import LabelStudioOptions, label_studio_config
from zsl_cli.readers import read_predictions


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three images under root/photos and the shape classes, in the current folder."""
    write_images(tmp_path / "root" / "photos", 3)
    (tmp_path / "classes.txt").write_text("".join(f"{name}\n" for name in SHAPE_CLASSES))
    monkeypatch.chdir(tmp_path)
    return tmp_path


LABEL = ["label", "root/photos", "-c", "classes.txt", "-m", "shapes-demo", "--threshold", "0"]
STUDIO = ["-f", "label-studio", "--ls-document-root", "root"]
URLS = [f"/data/local-files/?d=photos/img_00{i}.png" for i in range(3)]


def test_tasks_carry_the_image_url_under_the_key_and_the_config_reads_it(world: Path) -> None:
    args = [*STUDIO, "--ls-data-key", "img", "-o", "t.json", "--ls-config", "config.xml", "-q"]
    result = run(*LABEL, *args)
    assert result.exit_code == 0, result.stderr
    tasks = json.loads(Path("t.json").read_text())
    assert [task["data"]["img"] for task in tasks] == URLS
    assert not any("image" in task["data"] for task in tasks)
    image = ElementTree.parse("config.xml").getroot().find("Image")
    assert image is not None and image.get("value") == "$img"
    info = json.loads(Path("t.json.run.json").read_text())
    assert info["label_studio"]["data_key"] == "img"


def test_without_the_option_the_key_is_image_as_before(world: Path) -> None:
    result = run(*LABEL, *STUDIO, "-o", "t.json", "--ls-config", "config.xml", "-q")
    assert result.exit_code == 0, result.stderr
    tasks = json.loads(Path("t.json").read_text())
    assert [task["data"]["image"] for task in tasks] == URLS
    image = ElementTree.parse("config.xml").getroot().find("Image")
    assert image is not None and image.get("value") == "$image"
    info = json.loads(Path("t.json.run.json").read_text())
    assert info["label_studio"] == {
        "from_name": "choice",
        "to_name": "image",
        "data_key": "image",
        "model_version": tasks[0]["predictions"][0]["model_version"],
    }


def test_the_config_reads_the_key_given() -> None:
    config = label_studio_config(["cat"], LabelStudioOptions(to_name="photo", data_key="url"))
    assert b'  <Image name="photo" value="$url"/>\n' in config


@pytest.mark.parametrize(
    ("key", "why"),
    [
        # Label Studio's labelling screen reads $KEY as `\$[\w[\].{}]+` (ASCII \w): it ends the
        # key at another character, and its import reads '.' and '[' as a path into nested data.
        ("image-url", "ASCII letters, digits and '_'"),
        ("image url", "ASCII letters, digits and '_'"),
        ("img.url", "ASCII letters, digits and '_'"),
        ("img[0]", "ASCII letters, digits and '_'"),
        ("$img", "is not part of the data key: give --ls-data-key img"),
        ("bild_ä", "ASCII letters, digits and '_'"),
        ("__proto__", "reads no data key of that name"),
        # zsl's own record: what the readers read a task by.
        ("zsl_path", "zsl's own"),
        ("zsl_path_quoted", "zsl's own"),
        ("zsl_label", "zsl's own"),
        ("zsl_image", "zsl's own"),
    ],
)
def test_a_key_label_studio_or_zsl_cannot_use_is_refused_before_the_run(
    world: Path, key: str, why: str
) -> None:
    result = run(*LABEL, *STUDIO, "--ls-data-key", key, "-o", "t.json", "--ls-config", "c.xml")
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"zsl: error: --ls-data-key {key!r}: "), line
    assert why in line
    assert not Path("t.json").exists() and not Path("c.xml").exists()


def test_an_empty_key_is_refused(world: Path) -> None:
    result = run(*LABEL, *STUDIO, "--ls-data-key", "", "-o", "t.json")
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("zsl: error: --ls-data-key is empty: ")


def test_the_key_needs_the_label_studio_format(world: Path) -> None:
    result = run(*LABEL, "--ls-data-key", "img", "-o", "out.csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "zsl: error: --ls-data-key: only for label-studio output (add -f label-studio)\n"
    )
    assert not Path("out.csv").exists()


def test_the_library_takes_the_key_and_refuses_what_the_cli_refuses(world: Path) -> None:
    def label(studio: api.LabelStudioOptions) -> api.LabelReport:
        return api.label(
            api.LabelRequest(
                inputs=api.InputOptions(paths=("root/photos",)),
                classes=api.ClassOptions(classes="classes.txt"),
                model=api.ModelOptions(name="shapes-demo"),
                output=api.OutputOptions("t.json", "label-studio", studio),
            )
        )

    label(api.LabelStudioOptions(document_root="root", data_key="url"))
    tasks = json.loads(Path("t.json").read_text())
    assert [task["data"]["url"] for task in tasks] == URLS
    with pytest.raises(ZslError, match=r"^--ls-data-key 'zsl_score': "):
        label(api.LabelStudioOptions(document_root="root", data_key="zsl_score"))
    with pytest.raises(ZslError, match=r"^--ls-data-key 3: give a string$"):
        api.OutputOptions("t.json", "label-studio", api.LabelStudioOptions(data_key=3))  # type: ignore[arg-type]


def test_tasks_with_another_key_read_back_as_the_same_predictions(world: Path) -> None:
    for name, key in (("image.json", []), ("img.json", ["--ls-data-key", "img"])):
        result = run(*LABEL, *STUDIO, *key, "-o", name, "-q")
        assert result.exit_code == 0, result.stderr
    assert read_predictions("img.json") == read_predictions("image.json")
    assert {p.path for p in read_predictions("img.json")} == {
        f"root/photos/img_00{i}.png" for i in range(3)
    }


def _exports(tasks: list[dict]) -> dict[str, list[dict]]:
    """A project's JSON and JSON_MIN exports of these tasks, each accepted as predicted (in the
    shapes label-studio 1.23.2 writes them: JSON_MIN puts the data keys beside the answer)."""
    json_export, json_min = [], []
    for number, task in enumerate(tasks, start=1):
        result = task["predictions"][0]["result"]
        annotation = {"id": number, "result": result, "was_cancelled": False, "task": number}
        json_export.append({"id": number, "annotations": [annotation], "data": task["data"]})
        choice = result[0]["value"]["choices"][0]
        json_min.append({**task["data"], "id": number, "choice": choice, "annotator": 1,
                         "annotation_id": number})  # fmt: skip
    return {"JSON": json_export, "JSON_MIN": json_min}


@pytest.mark.parametrize("kind", ["JSON", "JSON_MIN"])
def test_tasks_with_another_key_evaluate_against_their_projects_export(
    world: Path, kind: str
) -> None:
    result = run(*LABEL, *STUDIO, "--ls-data-key", "img", "-o", "t.json", "-q")
    assert result.exit_code == 0, result.stderr
    export = Path("export.json")
    export.write_text(json.dumps(_exports(json.loads(Path("t.json").read_text()))[kind]))
    evaluated = run("evaluate", "t.json", "--truth", export, "--json", "-", "-q")
    assert evaluated.exit_code == 0, evaluated.stderr
    metrics = json.loads(evaluated.stdout)
    assert (metrics["n"], metrics["top_k"]["1"]["overall"]) == (3, 1.0)


def test_the_help_names_the_key_where_the_image_tag_reads_it() -> None:
    wide = CliRunner().invoke(app, ["label", "--help"], env={"COLUMNS": "400"})
    text = " ".join(wide.stdout.split())
    assert "must be $image" not in text
    data_key = text.split("--ls-data-key KEY", 1)[1]
    assert "[default: image]" in data_key.split("--ls-document-root")[0]
