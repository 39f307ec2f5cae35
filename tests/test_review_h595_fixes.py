"""What a README-vs-behaviour review found: `--show-prompts` said nothing of classes no model can
tell apart, a second `embed --forget-missing` cleanup failed, and the too-few-images errors of
hubness counted the paths found as readable images."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli import api
from zsl_cli.classes import parse_classes
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.prompts import IMAGENET80, Templates, plan_prompts


def run(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


ALL_IN_PROPORTION = "class,red,round\ncat,1,0\ndog,2,0\n"
REFUSED_ROWS = (
    "zsl: error: no model can tell any of the 2 classes apart (their rows of attribute weights "
    "are the same in proportion: check the attribute table)\n"
)
SAME_PROMPTS = "cat: a photo of a pet\ndog: a photo of a pet\n"
REFUSED_PROMPTS = (
    "zsl: error: no model can tell any of the 2 classes apart (their prompts are the same: "
    "check the class file)\n"
)


FIELDS = {"--attributes": "attributes", "-c": "classes"}


@pytest.mark.parametrize(
    ("option", "text", "refusal"),
    [("--attributes", ALL_IN_PROPORTION, REFUSED_ROWS), ("-c", SAME_PROMPTS, REFUSED_PROMPTS)],
)
def test_show_prompts_refuses_classes_alike_in_the_class_file_as_a_run_does(
    tiny_clip, tmp_path, option, text, refusal
):
    # --show-prompts printed their prompts and exited 0, where a run was refused blaming the model.
    classes = tmp_path / "classes.csv"
    classes.write_text(text)
    images, output = tmp_path / "images", tmp_path / "out.csv"
    write_images(images, 2)
    for command in ("label", "hubness"):
        shown = run(command, option, classes, "--show-prompts")
        assert (shown.exit_code, shown.stdout, shown.stderr) == (2, "", refusal)
    ran = run("label", images, option, classes, "-m", tiny_clip, "-o", output)
    assert (ran.exit_code, ran.stderr) == (2, refusal)
    assert not output.exists()
    with pytest.raises(ZslError, match="no model can tell any of the 2 classes apart"):
        api.class_prompts(api.ClassOptions(**{FIELDS[option]: classes}))


def test_show_prompts_warns_of_classes_alike_in_the_class_file_as_a_run_does(tiny_clip, tmp_path):
    table = tmp_path / "alike.csv"
    table.write_text("class,red,round\ncat,1,0\ndog,2,0\nbird,0,1\n")
    warning = (
        "warning: no model can tell 'cat' and 'dog' apart (rows of attribute weights the same in "
        "proportion): they score alike on every image, and the one listed first wins"
    )
    shown = run("label", "--attributes", table, "--show-prompts")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stderr.splitlines() == [warning]
    images = tmp_path / "images"
    write_images(images, 2)
    output = tmp_path / "out.csv"
    ran = run("label", images, "--attributes", table, "-m", tiny_clip, "-o", output)
    assert ran.exit_code == 0, ran.stderr
    # Said once, by the class file's check: the model's finds no other group.
    assert [line for line in ran.stderr.splitlines() if "apart" in line] == [warning]
    info = json.loads((tmp_path / "out.csv.run.json").read_text())
    assert info["classes"]["indistinguishable"] == [["cat", "dog"]]


def embed(store: Path, model: Path, *args: object, stdin: str | None = None):
    """The run's exit status, its --json report and its stderr."""
    out = store.with_suffix(".run.json")
    command = ["embed", *map(str, args), "--store", str(store), "-m", str(model), "--json", out]
    result = CliRunner().invoke(app, [str(arg) for arg in command], input=stdin)
    return result.exit_code, json.loads(out.read_text()), result.stderr


@pytest.mark.parametrize("through", ["argument", "path list"])
def test_a_forget_missing_cleanup_run_again_finds_no_image_and_exits_0(
    tiny_clip, tmp_path, through
):
    # The second run counted the gone folder as "1 image found" that could not be read, and
    # exited 1 ("No image embedded: none of the 1 image found can be used").
    old, store = tmp_path / "old" / "folder", tmp_path / "s.zsl"
    write_images(old, 2)
    embed(store, tiny_clip, old)
    for image in old.iterdir():
        image.unlink()
    old.rmdir()
    args, stdin = ([old], None) if through == "argument" else (["-"], f"{old}\n")
    for removed in (2, 0):  # the cleanup, then the same line again
        code, report, stderr = embed(store, tiny_clip, *args, "--forget-missing", stdin=stdin)
        assert code == 0, stderr
        assert (report["found"], report["unreachable"], report["removed"]) == (0, 0, removed)
        assert "No image embedded" not in stderr and "could not be read" not in stderr
    # Still reported not found: a path misspelt forgets nothing, and says so.
    assert report["not_found"] == [str(old)]
    assert f"warning: {old} is not found, and the store holds nothing under it" in " ".join(
        stderr.split()
    )
    assert "0 images found, 0 encoded, 0 reused, 0 removed" in stderr
    # --strict fails on images that fail, and a path named that is gone is none.
    strict = embed(store, tiny_clip, *args, "--forget-missing", "--strict", stdin=stdin)
    assert strict[0] == 0, strict[2]


def test_without_forget_missing_a_missing_path_list_entry_still_fails_the_run(tiny_clip, tmp_path):
    store, nowhere = tmp_path / "s.zsl", tmp_path / "nowhere"
    write_images(tmp_path / "images", 1)
    embed(store, tiny_clip, tmp_path / "images")
    code, report, stderr = embed(store, tiny_clip, "-", stdin=f"{nowhere}\n")
    assert code == 1, stderr
    assert (report["found"], report["unreachable"], report["not_found"]) == (1, 1, [])
    assert report["unreachable_files"][0]["status"] == "not_found"


def unreadable_images(folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        (folder / f"broken_{index}.png").write_bytes(b"not an image")
    return folder


@pytest.mark.parametrize(
    "command",
    [["hubness"], ["label", "--hubness-reduction", "csls", "-o", "out.csv"]],
    ids=["hubness", "label"],
)
def test_too_few_images_say_what_they_count(tiny_clip, tmp_path, monkeypatch, command):
    # One unreadable file was "2 or more readable images; this run has 1": the check before the
    # model loads counts the images found, which it does not know to be readable.
    monkeypatch.chdir(tmp_path)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    args = ["-c", classes, "-m", tiny_clip]
    one = run(*command, unreadable_images(tmp_path / "one", 1), *args)
    assert one.exit_code == 2
    assert one.stderr.endswith("; this run found 1 image\n"), one.stderr
    # Decoded, none read: the count is of readable images, and says so.
    three = run(*command, unreadable_images(tmp_path / "three", 3), *args)
    assert three.exit_code == 2
    assert three.stderr.endswith("; this run has 0 readable images\n"), three.stderr


def test_classes_alike_among_many_prompts_are_found():
    # 10,000 classes x 80 templates, grouped in numpy rather than by a Python loop over the
    # 800,000 prompts (0.7 s at every plan): the prompts read apart, and lowercased.
    names = [f"c{index}" for index in range(9998)] + ["C0", "C1"]
    plan = plan_prompts(parse_classes("\n".join(names) + "\n"), Templates("x", IMAGENET80))
    lowered: dict[str, int] = {}
    read_alike = np.array([lowered.setdefault(text.lower(), len(lowered)) for text in plan.texts])
    assert plan.identical_classes(np.arange(len(plan.texts))) == []
    assert plan.identical_classes(read_alike) == [[0, 9998], [1, 9999]]
