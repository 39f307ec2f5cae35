"""`--show-prompts` ignores the options a run needs besides the class options, but each value
given must still be one the run takes (README, --help): a value the run refuses is refused with
the run's own line and exit status 2, without the images or the model being looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import error_line, run, write_images

# Values the run refuses; the run checks them before (or, for -m '', as) it loads the model.
LABEL_REFUSED = [
    ("--threshold", "nan"),
    ("--device", "bogus"),
    ("--precision", "fp64"),
    ("-m", ""),
    ("--revision", ""),
    ("--ext", ""),
    ("--hubness-reduction", "bogus"),
    ("-f", "bogus"),
    ("--ls-data-key", "a b"),
    ("--ls-model-version", ""),
]


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("red circle\nblue square\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("option", "value"), LABEL_REFUSED)
def test_label_show_prompts_refuses_a_value_as_a_run_does(tmp_path, classes, option, value):
    images = tmp_path / "images"
    write_images(images, 2)
    ran = run("label", images, "-c", classes, "-m", "shapes-demo", "-q", option, value)
    assert ran.exit_code == 2, ran.stderr
    shown = run("label", "-c", classes, "--show-prompts", option, value)
    assert shown.exit_code == 2, shown.stdout
    assert shown.stdout == ""
    assert error_line(shown.stderr) == error_line(ran.stderr)


def test_label_show_prompts_checks_label_studio_values_with_its_format(tmp_path, classes):
    args = ("-f", "label-studio", "--ls-url-prefix", "http://x/", "--ls-data-key", "a b")
    images = tmp_path / "images"
    write_images(images, 2)
    ran = run("label", images, "-c", classes, "-m", "shapes-demo", "-q", *args)
    assert ran.exit_code == 2, ran.stderr
    shown = run("label", "-c", classes, "--show-prompts", *args)
    assert shown.exit_code == 2 and "--ls-data-key" in shown.stderr
    assert error_line(shown.stderr) == error_line(ran.stderr)
    fine = run(
        "label", "-c", classes, "--show-prompts", "-f", "label-studio", "--ls-url-prefix", "u"
    )
    assert fine.exit_code == 0, fine.stderr


@pytest.mark.parametrize(
    ("option", "value"), [("--methods", "bogus"), ("--methods", ""), ("--device", "bogus")]
)
def test_hubness_show_prompts_refuses_a_value_as_a_run_does(tmp_path, classes, option, value):
    images = tmp_path / "images"
    write_images(images, 6)
    ran = run("hubness", images, "-c", classes, "-m", "shapes-demo", "-q", option, value)
    assert ran.exit_code == 2, ran.stderr
    shown = run("hubness", "-c", classes, "--show-prompts", option, value)
    assert shown.exit_code == 2, shown.stdout
    assert error_line(shown.stderr) == error_line(ran.stderr)


def test_show_prompts_still_needs_no_image_nor_model_that_is_there(tmp_path, classes):
    """What the options name is not looked at: a folder or model that is not there is no
    invalid value."""
    missing = tmp_path / "not-there"
    for command in ("label", "hubness"):
        shown = run(command, missing, "-c", classes, "-m", missing, "--show-prompts", "-q")
        assert shown.exit_code == 0, shown.stderr
        assert shown.stdout.startswith("class,weight,prompt\n")
    valid = ("--threshold", "0.5", "--device", "cpu", "--precision", "float16", "--ext", "png")
    shown = run("label", "-c", classes, "--show-prompts", "--hubness-reduction", "csls", *valid)
    assert shown.exit_code == 0, shown.stderr
