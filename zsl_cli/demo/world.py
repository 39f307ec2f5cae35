"""The shapes world: coloured shapes on varied backgrounds, drawn procedurally.

Classes are colour x shape ("red circle"). A fixed set of combinations is held out (unseen): the
demo model never sees their images or their captions in training, so labelling them is true
zero-shot. The held-out set is a Latin-square diagonal, so every colour and every shape still
occurs in some seen class.

Only numpy and Pillow are used here: importing this module is cheap.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from zsl_cli.errors import ZslError

COLOURS: tuple[str, ...] = ("red", "green", "blue", "yellow", "purple", "orange")
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "hexagon")

# Hue in [0, 1) of each colour; saturation and value are drawn high so the hue reads clearly.
COLOUR_HUES: dict[str, float] = {
    "red": 0.995,
    "green": 0.33,
    "blue": 0.62,
    "yellow": 0.155,
    "purple": 0.79,
    "orange": 0.075,
}
HUE_JITTER = 0.012
# Hue bands that no colour of the world comes near. The trainer recolours some shapes into them
# so it learns what a shape looks like apart from its colour, without ever drawing an unseen class.
OFF_PALETTE_HUE_BANDS: tuple[tuple[float, float], ...] = (
    (0.21, 0.27),
    (0.40, 0.55),
    (0.68, 0.73),
    (0.85, 0.93),
)

# Colour i is held out together with shape i mod 5: each colour once, each shape at least once.
UNSEEN_CLASSES: tuple[str, ...] = tuple(
    f"{colour} {SHAPES[i % len(SHAPES)]}" for i, colour in enumerate(COLOURS)
)

# Short phrases that describe an attribute; used for descriptions.json and training captions.
COLOUR_DESCRIPTORS: dict[str, tuple[str, ...]] = {c: (f"{c} colour",) for c in COLOURS}
SHAPE_DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "circle": ("circle shape", "a round outline"),
    "square": ("square shape", "four equal sides"),
    "triangle": ("triangle shape", "three corners"),
    "star": ("star shape", "five points"),
    "hexagon": ("hexagon shape", "six sides"),
}

# Shapes stand roughly upright (a triangle points up, a square sits flat) and tilt at most this
# much either way: a small model learns them from a couple of minutes of CPU time.
MAX_TILT_DEGREES = 15.0
# Polygon rotation (radians) at which each shape is upright; image y grows downwards.
_UPRIGHT: dict[str, float] = {
    "circle": 0.0,
    "square": math.pi / 4,
    "triangle": -math.pi / 2,
    "star": -math.pi / 2,
    "hexagon": 0.0,
}

MIN_SIDE = 64
MAX_SIDE = 160
_SUPERSAMPLE = 4  # shapes are drawn this many times larger, then shrunk: smooth edges


@dataclass(frozen=True)
class ShapeClass:
    colour: str
    shape: str

    @property
    def name(self) -> str:
        return f"{self.colour} {self.shape}"


def all_classes() -> list[ShapeClass]:
    """All 30 classes, colour-major, in a fixed order."""
    return [ShapeClass(colour, shape) for colour in COLOURS for shape in SHAPES]


def class_names() -> list[str]:
    return [c.name for c in all_classes()]


def seen_classes() -> list[ShapeClass]:
    return [c for c in all_classes() if c.name not in UNSEEN_CLASSES]


def unseen_classes() -> list[ShapeClass]:
    return [c for c in all_classes() if c.name in UNSEEN_CLASSES]


def descriptors(cls: ShapeClass) -> list[str]:
    """Descriptor phrases for descriptions.json: the colour's, then the shape's."""
    return [*COLOUR_DESCRIPTORS[cls.colour], *SHAPE_DESCRIPTORS[cls.shape]]


MAX_SEED = 2**32 - 1  # numpy splits a larger seed into 32-bit words: [s + k * 2**32, 0] == [s, k]


def check_seed(seed: int) -> None:
    """Raise ZslError for a seed no image set has."""
    if not 0 <= seed <= MAX_SEED:
        raise ZslError(f"--seed must be from 0 to {MAX_SEED}, got {seed}")


def check_per_class(per_class: int, most: int, what: str = "") -> None:
    """Raise ZslError for a --per-class below 1 or above `most`; `what` says what the bound
    keeps in check, after the images it comes to."""
    if per_class < 1:
        raise ZslError(f"--per-class must be at least 1, got {per_class}")
    if per_class > most:
        images = most * len(all_classes())
        raise ZslError(
            f"--per-class must be at most {most:,} ({images:,} images{what}), got {per_class}"
        )


def class_rng(seed: int, cls: ShapeClass) -> np.random.Generator:
    """The random stream of one class for one seed: a class's images do not depend on the others."""
    check_seed(seed)
    class_index = all_classes().index(cls)
    return np.random.default_rng([seed, class_index])


# ---------------------------------------------------------------------------------------------
# Rendering


def render(cls: ShapeClass, rng: np.random.Generator) -> Image.Image:
    """Draw one RGB image of `cls`: size, background, pose and noise all drawn from `rng`."""
    width, height = _image_size(rng)
    background = _background(width, height, rng)
    mask = _shape_mask(cls.shape, width, height, rng)
    colour = _shape_colour(cls.colour, rng)

    alpha = np.asarray(mask, dtype=np.float32)[..., None] / 255.0
    pixels = background + (np.asarray(colour, dtype=np.float32) - background) * alpha
    if rng.random() < 0.25:
        # Grey (channel-shared) sensor-like noise: it cannot shift a hue, and it keeps PNGs small.
        sigma = rng.uniform(1.5, 4.0)
        pixels = pixels + rng.normal(0.0, sigma, size=(height, width, 1)).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), "RGB")


def _image_size(rng: np.random.Generator) -> tuple[int, int]:
    """(width, height): mostly square, sometimes landscape or portrait, sides in 64..160."""
    if rng.random() < 0.6:
        side = int(rng.integers(MIN_SIDE, MAX_SIDE + 1))
        return side, side
    short = int(rng.integers(MIN_SIDE, 121))
    long = min(MAX_SIDE, round(short * rng.uniform(1.15, 1.6)))
    return (long, short) if rng.random() < 0.5 else (short, long)


def _grey_tone(rng: np.random.Generator) -> np.ndarray:
    """A low-saturation RGB colour, so no background can pass for one of the shape colours."""
    level = rng.uniform(35.0, 225.0)
    tint = rng.uniform(-10.0, 10.0, size=3)
    return (level + tint).astype(np.float32)


def _background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """float32 H x W x 3: flat, gradient, stripes, checks or smooth noise, all greyish."""
    kind = rng.integers(5)
    first, second = _grey_tone(rng), _grey_tone(rng)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if kind == 0:  # flat
        weight = np.zeros((height, width), np.float32)
    elif kind == 1:  # linear gradient at a random angle
        angle = rng.uniform(0.0, 2.0 * math.pi)
        proj = xs * math.cos(angle) + ys * math.sin(angle)
        weight = (proj - proj.min()) / max(float(np.ptp(proj)), 1.0)
    elif kind == 2:  # soft stripes
        angle = rng.uniform(0.0, math.pi)
        period = rng.uniform(8.0, 28.0)
        proj = xs * math.cos(angle) + ys * math.sin(angle)
        weight = 0.5 + 0.5 * np.sin(2.0 * math.pi * proj / period)
    elif kind == 3:  # checks
        cell = int(rng.integers(6, 24))
        weight = ((xs // cell + ys // cell) % 2).astype(np.float32)
    else:  # smooth noise: a coarse random grid scaled up
        coarse = rng.random((int(rng.integers(3, 8)), int(rng.integers(3, 8))))
        grid = Image.fromarray((coarse * 255).astype(np.uint8), "L")
        smooth = grid.resize((width, height), Image.Resampling.BICUBIC)
        weight = np.asarray(smooth, np.float32) / 255.0
    # Keep the two tones close enough that the shape stays the most salient thing in the picture.
    second = first + (second - first) * np.float32(rng.uniform(0.2, 0.7))
    return first + (second - first) * weight.astype(np.float32)[..., None]


def _shape_colour(colour: str, rng: np.random.Generator) -> tuple[float, float, float]:
    hue = (COLOUR_HUES[colour] + rng.uniform(-HUE_JITTER, HUE_JITTER)) % 1.0
    saturation = rng.uniform(0.75, 1.0)
    value = rng.uniform(0.75, 1.0)
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return red * 255.0, green * 255.0, blue * 255.0


def _shape_mask(shape: str, width: int, height: int, rng: np.random.Generator) -> Image.Image:
    """Antialiased 'L' mask of one shape, kept inside the central square of the image.

    The tool centre-crops to a square, so a shape outside that square would be cut off.
    """
    side = min(width, height)
    radius = rng.uniform(0.24, 0.42) * side
    left, top = (width - side) / 2.0, (height - side) / 2.0
    cx = left + rng.uniform(radius, side - radius)
    cy = top + rng.uniform(radius, side - radius)
    rotation = _UPRIGHT[shape] + math.radians(rng.uniform(-MAX_TILT_DEGREES, MAX_TILT_DEGREES))

    scale = _SUPERSAMPLE
    big = Image.new("L", (width * scale, height * scale), 0)
    draw = ImageDraw.Draw(big)
    centre = (cx * scale, cy * scale)
    r = radius * scale
    if shape == "circle":
        r *= 0.85  # about the same area as the polygons
        draw.ellipse((centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r), fill=255)
    else:
        draw.polygon(_polygon(shape, centre, r, rotation), fill=255)
    mask = big.resize((width, height), Image.Resampling.BOX)
    return mask.filter(ImageFilter.GaussianBlur(0.3)) if rng.random() < 0.3 else mask


def _polygon(
    shape: str, centre: tuple[float, float], radius: float, rotation: float
) -> list[tuple[float, float]]:
    if shape == "square":
        radii, count = [radius], 4
    elif shape == "triangle":
        radii, count = [radius * 1.1], 3
    elif shape == "hexagon":
        radii, count = [radius * 0.95], 6
    elif shape == "star":
        radii, count = [radius * 1.1, radius * 0.45], 10
    else:
        raise ValueError(f"unknown shape {shape!r}")
    points = []
    for k in range(count):
        angle = rotation + 2.0 * math.pi * k / count
        r = radii[k % len(radii)]
        points.append((centre[0] + r * math.cos(angle), centre[1] + r * math.sin(angle)))
    return points
