"""The shapes world: renderer, image-set layout, class files and training captions."""

from __future__ import annotations

import colorsys
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.demo import world
from zsl_cli.demo.captions import training_captions
from zsl_cli.demo.imageset import image_file_name, make_image_set
from zsl_cli.encoders import BUNDLED_DIR
from zsl_cli.errors import ZslError

SEED = 31  # used only by this file
DEMO_ERROR = "python -m zsl_cli.demo: error: "  # its errors name the program as run


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def image_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world") / "set"
    make_image_set(root, seed=SEED, per_class=3)
    return root


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_same_seed_gives_identical_bytes(image_set: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    make_image_set(again, seed=SEED, per_class=3)
    assert _files(again) == _files(image_set)


def test_other_seed_gives_other_images(image_set: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    make_image_set(other, seed=SEED + 1, per_class=3)
    name = "red square/" + image_file_name("red square", 0)
    assert (other / name).read_bytes() != (image_set / name).read_bytes()


def test_smaller_set_is_prefix_of_larger(image_set: Path, tmp_path: Path) -> None:
    small = tmp_path / "small"
    make_image_set(small, seed=SEED, per_class=1)
    for cls in world.class_names():
        name = f"{cls}/{image_file_name(cls, 0)}"
        assert (small / name).read_bytes() == (image_set / name).read_bytes()


def test_rendering_into_an_earlier_set_replaces_it(image_set: Path, tmp_path: Path) -> None:
    reused = tmp_path / "reused"
    make_image_set(reused, seed=SEED + 1, per_class=5)
    keep = reused / "red square" / "notes.txt"
    keep.write_text("mine")
    make_image_set(reused, seed=SEED, per_class=3)
    keep.unlink()
    assert _files(reused) == _files(image_set)


def test_layout_is_an_image_folder(image_set: Path) -> None:
    folders = sorted(p.name for p in image_set.iterdir() if p.is_dir())
    assert folders == sorted(world.class_names())
    assert len(folders) == 30
    for folder in folders:
        pngs = sorted((image_set / folder).iterdir())
        assert [p.name for p in pngs] == [image_file_name(folder, i) for i in range(3)]
    files = sorted(p.name for p in image_set.iterdir() if p.is_file())
    expected = ["attributes.csv", "classes.txt", "descriptions.json", "seen.txt", "unseen.txt"]
    assert files == expected


def test_images_are_rgb_pngs_of_varied_size(image_set: Path) -> None:
    sizes = []
    for path in sorted(image_set.glob("*/*.png")):
        with Image.open(path) as image:
            assert image.format == "PNG" and image.mode == "RGB"
            sizes.append(image.size)
    assert all(min(s) >= world.MIN_SIDE and max(s) <= world.MAX_SIDE for s in sizes)
    assert any(w != h for w, h in sizes), "some images must be non-square"
    assert len(set(sizes)) > 20


def test_class_files_are_consistent(image_set: Path) -> None:
    classes = _lines(image_set / "classes.txt")
    seen = _lines(image_set / "seen.txt")
    unseen = _lines(image_set / "unseen.txt")
    assert classes == world.class_names()
    assert len(set(classes)) == 30
    assert set(seen) | set(unseen) == set(classes)
    assert not set(seen) & set(unseen)
    assert unseen == list(world.UNSEEN_CLASSES)
    assert len(unseen) == 6

    with open(image_set / "attributes.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["class", *world.COLOURS, *world.SHAPES]
    assert [row[0] for row in rows[1:]] == classes
    for name, *flags in rows[1:]:
        colour, shape = name.split(" ")
        expected = [int(colour == c) for c in world.COLOURS] + [
            int(shape == s) for s in world.SHAPES
        ]
        assert [int(f) for f in flags] == expected

    descriptions = json.loads((image_set / "descriptions.json").read_text(encoding="utf-8"))
    assert list(descriptions) == classes
    for name, phrases in descriptions.items():
        colour, shape = name.split(" ")
        assert len(phrases) >= 2 and all(isinstance(p, str) and p for p in phrases)
        assert any(colour in p for p in phrases) and any(shape in p for p in phrases)


def test_held_out_classes_form_a_latin_square() -> None:
    seen = world.seen_classes()
    unseen = world.unseen_classes()
    # Every attribute must still be learnable from some seen class ...
    assert {c.colour for c in seen} == set(world.COLOURS)
    assert {c.shape for c in seen} == set(world.SHAPES)
    # ... and every attribute is held out at least once, each colour exactly once.
    assert sorted(c.colour for c in unseen) == sorted(world.COLOURS)
    assert {c.shape for c in unseen} == set(world.SHAPES)


def test_training_captions_never_name_unseen_classes() -> None:
    pools = training_captions()
    assert sorted(pools.by_class) == sorted(c.name for c in world.seen_classes())
    captions = pools.all_captions()
    assert len(captions) > 300
    for caption in captions:
        for name in world.UNSEEN_CLASSES:
            assert name not in caption.text.lower(), caption.text
        # A caption that names both attributes names a seen class.
        if caption.colour and caption.shape:
            assert f"{caption.colour} {caption.shape}" not in world.UNSEEN_CLASSES
    texts = {c.text for c in captions}
    # The tool's default attribute prompt is trained for every attribute word.
    for word in (*world.COLOURS, *world.SHAPES):
        assert f"a photo of something {word}." in texts
    assert "a photo of a red square." in texts
    assert "red square, which has red colour" in texts
    assert "something red" in texts and "a circle shape" in texts


def test_caption_matches_follows_its_attributes() -> None:
    pools = training_captions()
    red_square = world.ShapeClass("red", "square")
    red_circle = world.ShapeClass("red", "circle")
    something_red = pools.by_colour["red"][0]
    assert something_red.matches(red_square) and something_red.matches(red_circle)
    assert not something_red.matches(world.ShapeClass("blue", "square"))
    square = pools.by_shape["square"][0]
    assert square.matches(red_square) and not square.matches(red_circle)
    named = pools.by_class["red square"][0]
    assert named.matches(red_square) and not named.matches(red_circle)


def test_shape_colour_reads_clearly_against_background() -> None:
    """The saturated pixels are the shape, and their hue is the class colour's."""
    hues = {"red": 0.0, "orange": 0.075, "yellow": 0.155, "green": 0.33, "blue": 0.62}
    hues["purple"] = 0.79
    for cls in world.all_classes():
        rng = world.class_rng(SEED, cls)
        for _ in range(4):
            pixels = np.asarray(world.render(cls, rng), dtype=np.float64) / 255.0
            hsv = np.array([colorsys.rgb_to_hsv(*p) for p in pixels.reshape(-1, 3)[::7]])
            vivid = hsv[hsv[:, 1] > 0.5]
            assert len(vivid) > 20, cls.name
            # Circular distance between hues.
            distance = np.abs((vivid[:, 0] - hues[cls.colour] + 0.5) % 1.0 - 0.5)
            assert np.median(distance) < 0.03, cls.name


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ZslError, match="per-class"):
        make_image_set(tmp_path / "x", seed=0, per_class=0)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ZslError, match="not a directory"):
        make_image_set(a_file, seed=0, per_class=1)
    # A typo (1000000 for 100) wrote PNGs for days, until the disk was full. Refused before the
    # output is looked at (a file here, so that a run past the check ends at once).
    with pytest.raises(ZslError) as info:
        make_image_set(a_file, seed=0, per_class=1_000_000)
    assert info.value.message == "--per-class must be at most 10,000 (300,000 images), got 1000000"
    with pytest.raises(ZslError, match="cannot create"):
        make_image_set(a_file / "inside", seed=0, per_class=1)
    if os.path.isdir("/proc/self"):
        # /proc answers "No such file or directory" for a name it does not hold, which read as
        # though /proc were missing.
        for out, message in (
            ("/proc/shapes", "cannot create /proc/shapes: no new file can be made in '/proc' "),
            ("/proc", "cannot write /proc/classes.txt: no new file can be made in '/proc' "),
        ):
            with pytest.raises(ZslError) as info:
                make_image_set(Path(out), seed=0, per_class=1)
            assert info.value.message.startswith(message), info.value.message
    # Seeds are 32-bit: numpy would give a larger seed the stream of another (seed, class).
    for seed in (-1, 2**32):
        with pytest.raises(ZslError, match="--seed must be from 0 to 4294967295"):
            make_image_set(tmp_path / "seeded", seed=seed, per_class=1)
        assert not (tmp_path / "seeded").exists()  # refused before anything is written


def test_unwritable_places_in_the_output_folder_are_one_line(tmp_path: Path) -> None:
    # A file where a class folder goes, a folder where a class file goes: a ZslError naming the
    # path (one line and exit 2 on the command line), not an OSError traceback.
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "red circle").write_text("not a folder")
    with pytest.raises(ZslError, match="cannot write .*red circle: File exists"):
        make_image_set(blocked, seed=0, per_class=1)
    (tmp_path / "taken" / "classes.txt").mkdir(parents=True)
    command = [sys.executable, "-m", "zsl_cli.demo", "make-images", str(tmp_path / "taken")]
    done = subprocess.run([*command, "--per-class", "1"], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"{DEMO_ERROR}cannot write {tmp_path / 'taken' / 'classes.txt'}: Is a directory"
    ]


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    command = [sys.executable, "-m", "zsl_cli.demo", "make-images", str(out)]
    done = subprocess.run(
        [*command, "--seed", str(SEED), "--per-class", "1"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert _lines(out / "classes.txt") == world.class_names()
    assert len(list(out.glob("*/*.png"))) == 30
    bad = subprocess.run([*command, "--per-class", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "per-class" in bad.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "zsl_cli.demo", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "make-images" in helped.stdout and "train" in helped.stdout


def test_evaluate_refuses_an_empty_set(tmp_path: Path) -> None:
    from zsl_cli.demo.evaluate import evaluate_saved

    # Refused before the model loads (this folder holds none), not a torch.cat error later.
    with pytest.raises(ZslError, match="--per-class must be at least 1, got 0"):
        evaluate_saved(tmp_path, [1], 0)
    # So is a seed no set has: this folder holds no model, which would be said first.
    with pytest.raises(ZslError, match="--seed must be from 0 to 4294967295, got -1"):
        evaluate_saved(tmp_path, [1, -1], 1)
    # A typo's million images a class would be rendered in memory until it ran out.
    with pytest.raises(ZslError) as info:
        evaluate_saved(tmp_path, [1], 1_000_000)
    assert info.value.message == (
        "--per-class must be at most 1,000 (30,000 images a set, held in memory at once), "
        "got 1000000"
    )
    model = BUNDLED_DIR / "shapes-demo"  # the installed package's, not the source tree's
    for count in ("0", "-3"):
        done = subprocess.run(
            [sys.executable, "-m", "zsl_cli.demo", "evaluate", str(model), "--per-class", count],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2, done.stderr
        assert f"--per-class must be at least 1, got {count}" in done.stderr
        assert "Traceback" not in done.stderr


def test_evaluate_refuses_a_seed_given_twice(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zsl_cli.demo.__main__ import app
    from zsl_cli.demo.evaluate import evaluate_saved

    # A seed renders the same set every time: given twice, its one row was printed and min and
    # mean were taken over the other seeds as if it had been given once, without a word (a typo
    # for another seed goes unseen). Refused before the model loads (this folder holds none).
    with pytest.raises(ZslError) as info:
        evaluate_saved(tmp_path, [101, 102, 101, 101], 1)
    assert info.value.message == (
        "--seed 101 given 3 times: a seed renders the same set every time, give it once"
    )
    done = CliRunner().invoke(app, ["evaluate", "shapes-demo", "--seed", "7", "--seed", "7"])
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"{DEMO_ERROR}--seed 7 given 2 times: a seed renders the same set every time, give it "
        "once\n"
    )


def test_evaluate_refuses_a_folder_that_holds_no_model(tmp_path: Path) -> None:
    # A folder of images, say: one line and exit 2, not transformers' ValueError traceback.
    # In this process: the error handling is the command group's, and a subprocess would spend
    # seconds importing torch to reach it.
    from typer.testing import CliRunner

    from zsl_cli.demo.__main__ import app

    (tmp_path / "photo.png").write_bytes(b"")
    done = CliRunner().invoke(app, ["evaluate", str(tmp_path), "--per-class", "1"])
    assert done.exit_code == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    # transformers' reason told to add a `model_type` key to its config.json, which is not there.
    assert done.stderr == (
        f"{DEMO_ERROR}{tmp_path} is not a model folder transformers can load: it has no "
        "config.json (is it a save_pretrained folder?)\n"
    )


@pytest.mark.parametrize(
    "make", ["make_tiny_siglip", "make_tiny_siglip2", "make_tiny_flava", "image_model"]
)
def test_evaluate_refuses_a_model_it_cannot_score(tmp_path: Path, make: str) -> None:
    # A SigLIP folder ended in KeyError: 'attention_mask', SigLIP2 in a TypeError from
    # transformers, FLAVA in matmul's ValueError and an image-only model in an AttributeError.
    from typer.testing import CliRunner

    from tests import tiny_models
    from zsl_cli.demo.__main__ import app

    if make == "image_model":
        from transformers import ViTConfig, ViTImageProcessorPil, ViTModel

        tower = {"hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 32}
        config = ViTConfig(num_hidden_layers=1, image_size=32, patch_size=8, **tower)
        ViTModel(config).save_pretrained(tmp_path)
        ViTImageProcessorPil(size={"height": 32, "width": 32}).save_pretrained(tmp_path)
    else:
        getattr(tiny_models, make)(tmp_path)
    done = CliRunner().invoke(app, ["evaluate", str(tmp_path), "--seed", "1", "--per-class", "1"])
    assert done.exit_code == 2, done.output
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"{DEMO_ERROR}{tmp_path} holds a "), done.stderr
    assert "which evaluate cannot score" in done.stderr and "zsl evaluate" in done.stderr


def test_evaluate_still_scores_clip_models_it_did_not_train(tmp_path: Path) -> None:
    from tests.tiny_models import make_tiny_clip
    from zsl_cli.demo.evaluate import evaluate_saved

    scores = evaluate_saved(make_tiny_clip(tmp_path), [1], 1)
    assert 0.0 <= scores[1].unseen_only <= 1.0


def test_demo_modules_do_not_import_torch() -> None:
    code = (
        "import sys; import zsl_cli.demo.__main__, zsl_cli.demo.train, zsl_cli.demo.imageset; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
