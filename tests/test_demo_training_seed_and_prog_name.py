"""`python -m zsl_cli.demo`: the seed whose set is the bundled model's training set, and errors
named after the program as run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from zsl_cli.demo.__main__ import BUNDLED_TRAINING_SEED, app
from zsl_cli.demo.evaluate import render_set
from zsl_cli.demo.imageset import image_file_name
from zsl_cli.demo.train import TRAIN_SEED_OFFSET, TrainSettings
from zsl_cli.demo.world import seen_classes
from zsl_cli.encoders import BUNDLED_DIR

PROG = "python -m zsl_cli.demo"
WARNING = (
    f"warning: seed {BUNDLED_TRAINING_SEED} renders the bundled shapes-demo model's own "
    f"training images (the first {TrainSettings.images_per_class} of each seen class): accuracy "
    "on them is not a zero-shot measure"
)
README = Path(__file__).resolve().parent.parent / "README.md"


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], prog_name=PROG)


def test_the_bundled_model_was_trained_on_the_seed_that_is_warned_of():
    # The card's training command names the seed; train renders its images at this offset.
    card = (BUNDLED_DIR / "shapes-demo" / "README.md").read_text(encoding="utf-8")
    trained = re.search(
        r"python -m zsl_cli\.demo train zsl_cli/models/shapes-demo --seed (\d+)", card
    )
    assert trained is not None
    assert BUNDLED_TRAINING_SEED == TRAIN_SEED_OFFSET + int(trained[1]) == 1_000_000


def test_make_images_warns_that_the_training_seed_renders_the_training_images(tmp_path):
    out = tmp_path / "shapes"
    result = run("make-images", out, "--seed", BUNDLED_TRAINING_SEED, "--per-class", 2)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == WARNING
    assert result.stderr.count("warning") == 1
    # What the warning says: these are the images train draws, pixel for pixel.
    cls = seen_classes()[0]
    trained = render_set(TRAIN_SEED_OFFSET + TrainSettings.seed, [cls], 2)
    for index, image in enumerate(trained):
        written = Image.open(out / cls.name / image_file_name(cls.name, index))
        assert np.array_equal(np.asarray(written.convert("RGB")), np.asarray(image.convert("RGB")))


@pytest.mark.parametrize("seed", [0, BUNDLED_TRAINING_SEED - 1, BUNDLED_TRAINING_SEED + 1])
def test_make_images_says_nothing_of_other_seeds(tmp_path, seed):
    result = run("make-images", tmp_path / "shapes", "--seed", seed, "--per-class", 1)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


def test_evaluate_warns_of_the_training_seed_once_and_still_scores_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seeds = ["--seed", "7", "--seed", str(BUNDLED_TRAINING_SEED)]
    result = run("evaluate", "shapes-demo", *seeds, "--per-class", 1)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [WARNING]
    rows = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert rows == ["seed", "7", str(BUNDLED_TRAINING_SEED), "min", "mean"]
    plain = run("evaluate", "shapes-demo", "--seed", 7, "--per-class", 1)
    assert plain.exit_code == 0 and plain.stderr == ""


@pytest.mark.parametrize("command", ["make-images", "evaluate"])
def test_help_says_which_seeds_are_training_images(command):
    text = " ".join(run(command, "--help").stdout.split())
    assert (
        f"Seed {TRAIN_SEED_OFFSET:,} + S renders the images that train --seed S trains on: seed "
        f"{BUNDLED_TRAINING_SEED:,} gives the bundled shapes-demo model's own training images "
        f"(the first {TrainSettings.images_per_class} of each seen class)"
    ) in text
    assert "accuracy on them is not a zero-shot measure" in text


def test_readme_demo_section_says_which_seed_is_the_training_set():
    text = " ".join(README.read_text(encoding="utf-8").split())
    demo = text[text.index("### Evaluating and hubness") :]
    assert f"`--seed {BUNDLED_TRAINING_SEED}`" in demo
    assert "training images" in demo


def test_errors_name_the_program_as_run(tmp_path):
    # A ZslError and a command line that does not parse: both named as the hint names it.
    refused = run("make-images", tmp_path / "x", "--seed", "-1")
    assert refused.exit_code == 2
    assert refused.stderr == f"{PROG}: error: --seed must be from 0 to 4294967295, got -1\n"
    missing = run("make-images")
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"{PROG}: error: Missing argument 'DIR' (see '{PROG} make-images --help')\n"
    )
    # Run in-process without a name, as the other tests run it, the name is the same.
    unnamed = CliRunner().invoke(app, ["make-images"])
    assert (
        unnamed.stderr.startswith(f"{PROG}: error: ") and f"'{PROG} make-images" in unnamed.stderr
    )


def test_errors_of_the_module_run_name_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "zsl_cli.demo", "make-images", str(tmp_path / "x"), "--seed", "-1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr == f"{PROG}: error: --seed must be from 0 to 4294967295, got -1\n"


def test_zsl_errors_still_say_zsl(tmp_path):
    from zsl_cli.cli import app as zsl_app

    done = CliRunner().invoke(zsl_app, ["label", str(tmp_path / "missing"), "-c", "x"])
    assert done.exit_code == 2
    assert done.stderr.startswith("zsl: error: ")


def test_attribute_labelling_of_all_classes_never_picks_the_two_circles_the_card_names(tmp_path):
    # The model card: with attributes among all 30 classes, zsl label gives no red or orange
    # circle its own class (they go to the hexagon of their colour); the unseen-only column of
    # attributes (1.000) does not show it.
    from zsl_cli.cli import app as zsl_app
    from zsl_cli.demo import imageset

    card = " ".join((BUNDLED_DIR / "shapes-demo" / "README.md").read_text(encoding="utf-8").split())
    assert "predicted red circle and orange circle for no image" in card
    world = tmp_path / "shapes"
    # The two circle folders of make_image_set(world, seed=101, per_class=20), the same bytes
    # (each class draws from its own stream), without the 28 other classes' 560 images.
    world.mkdir()
    imageset.write_class_files(world)
    circles = [world / "red circle", world / "orange circle"]
    for cls in imageset.all_classes():
        if cls.name in ("red circle", "orange circle"):
            rng = imageset.class_rng(101, cls)
            (world / cls.name).mkdir()
            for index in range(20):
                image = imageset.render(cls, rng)
                image.save(world / cls.name / imageset.image_file_name(cls.name, index), "PNG")
    attributes = ["--attributes", world / "attributes.csv", "-m", "shapes-demo"]
    done = CliRunner().invoke(
        zsl_app, [str(a) for a in ["label", *circles, *attributes, "-f", "jsonl", "-q"]]
    )
    assert done.exit_code == 0, done.stderr
    labelled = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(labelled) == 40
    pairs = [(row["label"], Path(row["path"]).parent.name) for row in labelled]
    assert not [label for label, truth in pairs if label == truth]
    to_hexagon = [label for label, truth in pairs if label == f"{truth.split()[0]} hexagon"]
    assert len(to_hexagon) >= 36, pairs
