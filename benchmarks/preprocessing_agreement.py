"""How often zsl's fast preprocessing picks the same top-1 class as the model's own processor.

zsl's default path decodes JPEGs at a reduced DCT scale (draft mode, bounded by
`zsl_cli.encoders.preprocess.DRAFT_MARGIN`) and, on x86-64, shrinks images with torch's uint8
kernel instead of Pillow's; `--exact-preprocessing` decodes fully and runs the transformers
processor. For each seed this renders a shapes-world set, saves every image as a JPEG enlarged 4,
6, 8 or 12 times (256 to 1,920 px on the shorter side, so that draft decoding has something to
skip; as tests/test_demo_label.py does) and labels them with the bundled demo model several ways,
each compared with the first:

  exact             full decode + the transformers processor (the reference)
  draft Mx          draft decode bounded at M times the model's input (--margins; zsl's own
                    DRAFT_MARGIN always among them, first if not given) + zsl's resize (torch
                    on x86-64, else Pillow)
  draft, pillow     draft decode at DRAFT_MARGIN + Pillow resize
  full, torch       full decode + torch resize (torch's own share of the difference)

    python benchmarks/preprocessing_agreement.py --seeds 7302 7303 7304 --per-class 20
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np
from arguments import (  # benchmarks/arguments.py
    at_least,
    check_distinct,
    positive_number,
    random_seed,
)
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # zsl_cli from this checkout

from zsl_cli.demo.imageset import MAX_PER_CLASS, make_image_set  # noqa: E402
from zsl_cli.encoders import load_encoder  # noqa: E402
from zsl_cli.encoders.preprocess import DRAFT_MARGIN, FastPreprocessor  # noqa: E402
from zsl_cli.images import DecodeOptions, ImagePreparation  # noqa: E402

NO_LIMIT = 10**10


def jpeg_set(folder: Path, seed: int, per_class: int) -> tuple[list[Path], list[str], list[str]]:
    """The set's images as enlarged JPEGs: (paths, class of each, class names)."""
    make_image_set(folder / "png", seed, per_class)
    classes = (folder / "png" / "classes.txt").read_text().splitlines()
    paths, truth = [], []
    for index, png in enumerate(sorted((folder / "png").rglob("*.png"))):
        image = Image.open(png).convert("RGB")
        scale = (4, 6, 8, 12)[index % 4]
        size = (image.width * scale, image.height * scale)
        path = folder / "jpeg" / f"{png.stem}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        image.resize(size, Image.BICUBIC).save(path, quality=90)
        paths.append(path)
        truth.append(png.parent.name)
    return paths, truth, classes


def top1(encoder, preprocessor, draft, paths: list[Path], texts: np.ndarray) -> np.ndarray:
    prepare = ImagePreparation(
        DecodeOptions(max_pixels=NO_LIMIT, draft=draft), preprocessor, NO_LIMIT
    )
    pixels = np.stack([prepare(path) for path in paths])
    return (encoder.encode_images(pixels) @ texts.T).argmax(axis=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=random_seed, nargs="+", default=[7302, 7303, 7304])
    parser.add_argument(
        "--per-class",
        type=at_least(1, MAX_PER_CLASS),
        default=20,
        help="images per class (30 classes)",
    )
    parser.add_argument(
        "--margins",
        type=positive_number,
        nargs="+",
        default=sorted({4, 2, 1.5, 1, DRAFT_MARGIN}, reverse=True),  # zsl's among them, once
    )
    args = parser.parse_args()
    check_distinct(parser, args.seeds, "--seeds")
    check_distinct(parser, args.margins, "--margins")  # one row each: a repeat was dropped
    # zsl's own default path is the point of the comparison: measured whatever --margins says.
    margins = args.margins if DRAFT_MARGIN in args.margins else [DRAFT_MARGIN, *args.margins]
    # Each margin is a column named by its value to 6 digits: two that print alike would share
    # one column, the later overwriting the earlier.
    labels: dict[str, float] = {}
    for margin in margins:
        earlier = labels.setdefault(f"{margin:g}", margin)
        if earlier != margin:
            parser.error(
                f"--margins: {earlier:.10g} and {margin:.10g} both print as {margin:g}x; "
                "give margins that differ in their first 6 digits"
            )

    fast = load_encoder("shapes-demo", device="cpu")
    exact = load_encoder("shapes-demo", device="cpu", exact_preprocessing=True)
    zsl = fast.preprocessor
    assert isinstance(zsl, FastPreprocessor)
    for margin in margins:
        bound = zsl.draft_bound(margin)
        if bound is not None and min(bound) < 1:  # DecodeOptions refuses a draft under 1 px
            parser.error(
                f"--margins {margin:g}: {margin:g} times the model's {zsl.input_size} input "
                "is under 1 pixel"
            )
    pillow = dataclasses.replace(zsl, torch_resize=False)
    variants = {f"draft {m:g}x": (zsl, zsl.draft_bound(m)) for m in margins}
    variants[f"draft {DRAFT_MARGIN:g}x, pillow"] = (pillow, zsl.decode_hint)
    variants["full, torch"] = (dataclasses.replace(zsl, torch_resize=True), None)
    print(f"model input {zsl.input_size}; zsl resizes with torch here: {zsl.torch_resize}")
    for seed in args.seeds:
        with tempfile.TemporaryDirectory(prefix="zsl-agreement-") as work:
            paths, truth, classes = jpeg_set(Path(work), seed, args.per_class)
            texts = fast.encode_texts([f"a photo of a {name}." for name in classes])
            reference = top1(exact, exact.preprocessor, None, paths, texts)
            truth_ids = np.array([classes.index(name) for name in truth])
            accuracy = np.mean(reference == truth_ids)
            cells = []
            for name, (preprocessor, draft) in variants.items():
                labels = top1(fast, preprocessor, draft, paths, texts)
                cells.append(f"{name} {np.mean(labels == reference):.1%}")
            # Some names hold a comma ("draft 4x, pillow"): the cells are joined with a bar.
            print(
                f"seed {seed}, {len(paths)} JPEGs: exact: accuracy {accuracy:.1%}; "
                f"top-1 agreement: {' | '.join(cells)}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
