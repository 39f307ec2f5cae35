"""How far torch's antialiased uint8 resize is from Pillow's, and how much faster it is.

On x86-64 zsl shrinks JPEGs with torch's uint8 kernel instead of Pillow's
(`zsl_cli.encoders.preprocess`) when each side shrinks by `TORCH_MIN_SHRINK` times or more (1.5
for bilinear, any shrink for bicubic), running its two passes in the order this Pillow runs them.
With torch on one thread (as in zsl's decode workers), this prints:

  agreement   for bilinear and bicubic, three source sizes in each group (small, medium, photo;
              4:3) and three contents (random pixels, the worst case; smooth: blurred noise;
              jpeg: blurred noise with grain, saved by Pillow at quality 90 and decoded), each
              side shrunk by each of --factors: the largest difference in grey levels, the share
              of the values 1 or more apart and how many per million are 2 or more apart (over
              the group's sizes), torch in Pillow's pass order; `zsl` is the resize zsl uses
  order       resizes that take more than twice as many pixels off the height as off the width,
              which Pillow 13 does height first (random pixels): torch in one call, as zsl did
              before following Pillow's order, against torch in Pillow's order
  speed       both resizes of random pixels, fastest of --repeats, in milliseconds (torch's
              includes copying the pixels out of the Pillow image)

About a minute on 2 cores (two or more under load):

    python benchmarks/resize_agreement.py
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from arguments import (  # benchmarks/arguments.py
    at_least,
    check_distinct,
    positive_number,
    random_seed,
)
from PIL import Image
from timing import fastest  # benchmarks/timing.py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # zsl_cli from this checkout

from zsl_cli.encoders.preprocess import (  # noqa: E402
    _pillow_resizes_vertically_first,
    _torch_resize,
    torch_shrinks,
)

Resize = Callable[[np.ndarray, tuple[int, int], str], np.ndarray]
# Dense below 2: zsl resizes with torch's bicubic at any shrink, and the mild ones stray most at
# particular factors (values 2 levels apart: up to 25 per million at 1.2 and 1.28, where the
# former defaults, 1.05 1.1 1.25 1.4 ..., gave at most 12). The README's bound comes from a grid
# of 0.01-0.02 steps over three seeds.
DEFAULT_FACTORS = [1.02, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4, 1.5, 1.6, 1.75, 2, 3, 4]
DEFAULT_REPEATS = 20
FILTERS = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
SIZES = {"small": (20, 36, 60), "medium": (200, 480, 900), "photo": (1000, 2000, 3000)}
# (width, height) -> (new width, new height): Pillow 13 resizes the height first in each.
PASS_ORDER_CASES = [
    ((20, 90), (16, 64)),
    ((300, 900), (224, 224)),
    ((540, 960), (224, 224)),  # a 1080x1920 portrait draft-decoded at 1/2, to a 224-px square
    ((1000, 2000), (224, 224)),
]
SPEED_CASES = [
    ((20, 90), (16, 64)),
    ((200, 200), (160, 160)),
    ((300, 400), (224, 298)),  # too small to draft-decode for a 224-px model: 1.34 times
    ((448, 336), (298, 224)),  # 1.5 times
    ((512, 384), (298, 224)),  # a 1024x768 photo drafted at 1/2 for a 224-px model
    ((540, 960), (224, 224)),  # Pillow 13 resizes the height first here
    ((1024, 768), (512, 384)),  # the same photo for a 384-px model: too small to draft
    ((2016, 1512), (682, 512)),  # a 4032x3024 photo drafted at 1/2 for a 512-px model
]


def content(kind: str, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 height x width x 3 pixels of one kind."""
    if kind == "random":
        return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    # Blurred noise: random values on a grid 16 times coarser, enlarged smoothly.
    coarse = rng.integers(0, 256, (max(2, height // 16), max(2, width // 16), 3), dtype=np.uint8)
    smooth = Image.fromarray(coarse).resize((width, height), Image.BICUBIC)
    if kind == "smooth":
        return np.asarray(smooth)
    grain = rng.normal(0, 6, (height, width, 3))
    noisy = np.clip(np.asarray(smooth) + grain, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, format="JPEG", quality=90)
    return np.asarray(Image.open(buffer).convert("RGB"))


def torch_one_call(pixels: np.ndarray, size: tuple[int, int], mode: str) -> np.ndarray:
    """torch's resize as a single interpolate call: its own pass order, whatever Pillow's."""
    import torch

    channels_last = torch.from_numpy(pixels.copy()).permute(2, 0, 1).unsqueeze(0)
    resized = torch.nn.functional.interpolate(
        channels_last, size=(size[1], size[0]), mode=mode, antialias=True
    )
    return resized[0].permute(1, 2, 0).numpy()


def differences(
    pixels: np.ndarray, size: tuple[int, int], name: str, torch_resize: Resize
) -> np.ndarray:
    pillow = np.asarray(Image.fromarray(pixels).resize(size, FILTERS[name]))
    ours = torch_resize(pixels, size, name)
    return np.abs(pillow.astype(np.int16) - ours.astype(np.int16)).ravel()


def in_pillows_order(pixels: np.ndarray, size: tuple[int, int], mode: str) -> np.ndarray:
    return _torch_resize(Image.fromarray(pixels), size, mode)


def summary(diffs: list[np.ndarray]) -> str:
    values = np.concatenate(diffs)
    per_million = np.mean(values >= 2) * 1e6
    return f"{int(values.max()):>4} {np.mean(values >= 1):>7.2%} {per_million:>9.0f}"


def agreement(factors: list[float], rng: np.random.Generator) -> None:
    print("agreement: torch (in Pillow's order) vs Pillow, both sides shrunk by `factor`")
    print("grey levels apart: max, share of values >= 1, values >= 2 per million")
    print(", ".join(f"{group} {sides}" for group, sides in SIZES.items()), "px high, 4:3\n")
    print(
        f"{'filter':<9}{'sizes':<8}{'content':<8}{'factor':>7}  {'max':>4} {'>=1':>7} "
        f"{'>=2 ppm':>9}  zsl"
    )
    for group, sides in SIZES.items():
        for kind in ("random", "smooth", "jpeg"):
            images = [content(kind, round(side * 4 / 3), side, rng) for side in sides]
            for name in FILTERS:
                for factor in factors:
                    diffs, users, too_small = [], set(), []
                    for pixels in images:
                        height, width = pixels.shape[:2]
                        # Under 1 px high the factor cannot be honoured (a 1-px result is
                        # another, milder shrink): such a source is left out of the row.
                        if height / factor < 1:
                            too_small.append(height)
                            continue
                        size = (round(width / factor), round(height / factor))
                        diffs.append(differences(pixels, size, name, in_pillows_order))
                        shrinks = torch_shrinks((width, height), size, FILTERS[name])
                        # zsl leaves an image at its target size as it is
                        unchanged = size == (width, height)
                        users.add("none" if unchanged else "torch" if shrinks else "pillow")
                    cells = [summary(diffs) if diffs else f"{'-':>4} {'-':>7} {'-':>9}"]
                    cells += ["/".join(sorted(users))] if users else []
                    if too_small:
                        heights = ", ".join(map(str, too_small))
                        cells.append(f"left out, under 1 px high: {heights} px")
                    print(
                        f"{name:<9}{group:<8}{kind:<8}{factor:>7g}  " + "  ".join(cells), flush=True
                    )
        print()


def pass_order(rng: np.random.Generator) -> None:
    print("pass order: random pixels, torch in one call vs in Pillow's order (max, >=1, >=2 ppm)")
    for size, new_size in PASS_ORDER_CASES:
        pixels = content("random", *size, rng)
        first = "height" if _pillow_resizes_vertically_first(size, new_size) else "width"
        for name in FILTERS:
            one = summary([differences(pixels, new_size, name, torch_one_call)])
            ordered = summary([differences(pixels, new_size, name, in_pillows_order)])
            print(
                f"{size[0]:>4}x{size[1]:<4} -> {new_size[0]:>3}x{new_size[1]:<3} {name:<9} "
                f"(this Pillow: {first} first)  one call {one}  Pillow's order {ordered}"
            )
    print()


def speed(repeats: int, rng: np.random.Generator) -> None:
    print(f"speed: ms, fastest of {repeats}, random pixels; * marks the resize zsl uses")
    # The first torch call of a process sets torch up (~1 ms against ~0.1): untimed, so that
    # --repeats 1 does not show the first case's torch ten times too slow.
    size, new_size = SPEED_CASES[0]
    for name, number in FILTERS.items():
        Image.new("RGB", size).resize(new_size, number)
        _torch_resize(Image.new("RGB", size), new_size, name)
    for size, new_size in SPEED_CASES:
        pixels = content("random", *size, rng)
        image = Image.fromarray(pixels)
        cells = []
        for name, number in FILTERS.items():
            pillow = fastest(lambda: image.resize(new_size, number), repeats) * 1000  # noqa: B023
            torch = fastest(lambda: _torch_resize(image, new_size, name), repeats) * 1000  # noqa: B023
            marks = ("*", " ") if torch_shrinks(size, new_size, number) else (" ", "*")
            cells.append(
                # 7 wide: 100 ms and over keep a gap after the name and mark.
                f"{name} pillow{marks[1]}{pillow:7.2f} torch{marks[0]}{torch:7.2f} "
                f"({pillow / torch:.1f}x)"
            )
        print(
            f"{size[0]:>4}x{size[1]:<4} -> {new_size[0]:>3}x{new_size[1]:<3}  " + "  ".join(cells)
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--factors",
        type=positive_number,
        nargs="+",
        help="agreement: how many times each side shrinks (default "
        + " ".join(map(str, DEFAULT_FACTORS))
        + ")",
    )
    parser.add_argument(
        "--repeats",
        type=at_least(1),
        help=f"speed: timed runs per resize (default {DEFAULT_REPEATS})",
    )
    parser.add_argument("--seed", type=random_seed, default=0)
    parser.add_argument(
        "--sections", default="agreement,order,speed", help="comma-separated: agreement,order,speed"
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if not sections <= {"agreement", "order", "speed"}:
        parser.error(f"--sections {args.sections!r}: choose from agreement, order, speed")
    # Given for a section that does not run, a flag would be ignored without a word.
    for flag, section in (("--factors", "agreement"), ("--repeats", "speed")):
        if getattr(args, flag[2:]) is not None and section not in sections:
            parser.error(f"{flag}: only section {section} uses it, and --sections leaves it out")
    args.factors = args.factors or DEFAULT_FACTORS
    args.repeats = args.repeats or DEFAULT_REPEATS
    check_distinct(parser, args.factors, "--factors")
    # zsl resizes with torch only to shrink; at 1 it does not resize, below 1 it would enlarge
    # (a photo-sized source 10 times over is 10,000 x 13,330 px: gigabytes).
    enlarging = next((factor for factor in args.factors if factor <= 1), None)
    if enlarging is not None:
        parser.error(f"--factors {enlarging:g}: a shrink factor must be more than 1")
    import torch

    torch.set_num_threads(1)  # as in zsl's decode workers
    print(f"torch {torch.__version__}, Pillow {Image.__version__}\n")
    # Each section draws from its own generator: the same pixels whichever sections run.
    if "agreement" in sections:
        agreement(args.factors, np.random.default_rng(args.seed))
    if "order" in sections:
        pass_order(np.random.default_rng(args.seed))
    if "speed" in sections:
        speed(args.repeats, np.random.default_rng(args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
