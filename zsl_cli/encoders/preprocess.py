"""Image preprocessing that reproduces a Hugging Face image processor, split so the cheap part runs
in decode workers and the float part runs on the model's device.

Workers only resize and crop and hand over uint8 arrays (4x smaller than float32, and the
normalisation then happens on the GPU when there is one). The geometry follows transformers step
for step (integer size rounding, centre crop offsets). The resize itself: on x86-64, a JPEG that
shrinks is resized with torch's antialiased uint8 kernel for bicubic, and for bilinear when each
side shrinks by 1.5 times or more (TORCH_MIN_SHRINK; every draft-decoded JPEG does). It is the
kernel torchvision uses for uint8 images on the CPU, and so transformers' torchvision image
processors there: a 512x384 -> 298x224 bicubic resize takes 0.5 ms against Pillow's 2.7 ms (0.8 ms
with copying the pixels to torch). Run with its two passes in the order Pillow runs them, it is at
most 2 grey levels from Pillow's, and 1 or more on at most 1.9% of the values (1.4% from 200 px up),
2 on at most 25 per million from 200 px up (random pixels, blurred noise and JPEGs, 20 to 4,000 px,
shrunk 1.01 to 4 times; `benchmarks/resize_agreement.py`, the grid in benchmarks/README.md):
a JPEG's pixels are approximate anyway (lossy, and draft-decoded when large). Every other image,
milder bilinear shrinks, other filters, enlargements, other machines and `--exact-preprocessing` use
Pillow, which gives exactly what `AutoImageProcessor`'s PIL backend (the one `load_encoder` loads)
gives, so that PNGs score as the transformers pipeline scores them.

Configurations this fast path cannot express fall back to calling the processor itself
(`ReferencePreprocessor`).

SigLIP2's NaFlex processor (`NaFlexPreprocessor`) is split the same way: workers resize each
image, keeping its aspect ratio, to a grid of whole patches (by the rules above: torch for
shrinking JPEGs, Pillow otherwise) and hand over uint8; the batch is cut into patches and padded
as it is put together (`NaFlexPreprocessor.stack`), and normalised on the device. It has no
reference fallback: a NaFlex processor this path does not reproduce is refused.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import PIL
from PIL import Image

from zsl_cli.images import FULL_SIZE_INFO, JPEG_FORMATS

# The processor keys the fast path understands; anything else switches on one of them means the
# fast path would silently differ, so we fall back to the reference processor instead.
_UNSUPPORTED_FLAGS = ("do_pad", "do_reduce_labels", "do_image_splitting", "do_flip_channel_order")
DRAFT_MARGIN = 4  # see FastPreprocessor.decode_hint
# torch's antialiased interpolation modes for Pillow's filters of the same name (Pillow's
# Resampling values: BILINEAR 2, BICUBIC 3).
_TORCH_MODES = {2: "bilinear", 3: "bicubic"}
# How many times each side of a JPEG must shrink, at least, for torch to resize it (Pillow's filter
# number -> factor); Pillow resizes the rest. In Pillow's pass order, torch's bilinear differs from
# Pillow's on up to 8% of the values below 1.5 times (at 1.25 times), and on at most 1.9% from 1.5
# times on; bicubic on at most 1.7% at any shrink (random pixels, blurred noise and JPEGs, 20 to
# 4,000 px; `benchmarks/resize_agreement.py`). Draft-decoded JPEGs shrink by DRAFT_MARGIN (4)
# times or more, so photos keep torch's speed with either filter.
TORCH_MIN_SHRINK = {2: 1.5, 3: 1.0}
# Pillow's version, for the order of its two resize passes (_pillow_resizes_vertically_first).
_PILLOW_VERSION = tuple(int(part) for part in PIL.__version__.split(".")[:2])


@dataclass(frozen=True)
class Normalisation:
    """(pixels * rescale - mean) / std, applied to uint8 input on the model's device."""

    rescale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]


@dataclass(frozen=True)
class FastPreprocessor:
    """Resize (shortest edge or fixed size) + optional centre crop, returning uint8 H x W x 3."""

    shortest_edge: int | None
    resize_to: tuple[int, int] | None  # (height, width) for fixed-size resizes
    crop: tuple[int, int] | None  # (height, width)
    resample: int  # Pillow's filter number
    torch_resize: bool = False  # shrink JPEGs with torch (the module docstring, torch_resizes)

    @property
    def input_size(self) -> tuple[int, int]:
        if self.crop is not None:
            return self.crop
        if self.resize_to is not None:
            return self.resize_to
        raise ValueError("shortest-edge resize without a crop has no fixed input size")

    @property
    def decode_hint(self) -> tuple[int, int] | None:
        """The size a JPEG may be draft-decoded down to: DRAFT_MARGIN times the resize target.

        Reduced-scale DCT decoding low-passes the image; with the final resize still shrinking
        it by 4 times or more, labels rarely change. Shapes-demo model (32-px input, so every
        pixel counts), JPEGs of 256 to 1,920 px (`benchmarks/preprocessing_agreement.py`, 600
        a seed), top-1 agreement with --exact-preprocessing per seed: seeds 7302-7304, 99.8% at a
        margin of 4, 99.5-99.7% at 2, 99.0-99.2% at 1.5, 98.3-99.2% at 1; seeds 21-26 (5 Dec),
        99.3-99.7% at 4, 99.0-99.5% at 3, 98.5-99.5% at 2 and 98.2-99.3% at 1.5, under the
        99% asked of it on five of the six. Smaller margins are faster: for a 224-px model at
        1.5, a 1024x768 photo decodes at 1/2 scale, where at 4 it decodes whole, and decode +
        preprocess takes half the CPU time; a 4032x3024 one decodes at 1/8 scale, in 0.43 of the
        time a margin of 4 takes (benchmark photos; exact decoding takes 7.4 times as long).
        """
        return self.draft_bound(DRAFT_MARGIN)

    def draft_bound(self, margin: float) -> tuple[int, int] | None:
        """(width, height) a draft decode must still cover: `margin` times the resize target."""
        if self.resize_to is not None:
            height, width = self.resize_to
            return (round(width * margin), round(height * margin))
        if self.shortest_edge is not None:
            edge = round(self.shortest_edge * margin)
            return (edge, edge)
        return None

    def resized_pixels(self, width: int, height: int) -> int:
        new_width, new_height = self._resize_size(width, height) or (width, height)
        return new_width * new_height

    def __call__(self, image: Image.Image) -> np.ndarray:
        # Sized from the size decoded whole, as NaFlexPreprocessor's grid is: a draft rounds each
        # side up to whole pixels at its scale, which can make a shortest-edge resize's longer
        # side a pixel shorter than the processor's and move the centre crop (on 6-9% of drafted
        # photo sizes; 3.7 grey levels from the processor's pixels instead of 0.6, 32-px crop).
        size = self._resize_size(*image.info.get(FULL_SIZE_INFO, image.size))
        array = _resized(image, size, self.resample, self.torch_resize)
        if self.crop is not None:
            array = _centre_crop(array, self.crop)
        return np.ascontiguousarray(array)

    def set_up_process(self) -> None:
        _set_up_process(self.torch_resize)

    def _resize_size(self, width: int, height: int) -> tuple[int, int] | None:
        """(width, height) after resizing, rounded exactly as transformers does."""
        if self.resize_to is not None:
            return (self.resize_to[1], self.resize_to[0])
        if self.shortest_edge is None:
            return None
        return _shortest_edge_size(self.shortest_edge, width, height)


def _resized(
    image: Image.Image, size: tuple[int, int] | None, resample: int, torch_resize: bool
) -> np.ndarray:
    """uint8 H x W x 3 of `image` resized to `size` (width, height); None: as it is."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    if size is None or size == (image.width, image.height):
        return np.asarray(image)
    if torch_resize and image.format in JPEG_FORMATS and torch_shrinks(image.size, size, resample):
        return _torch_resize(image, size, _TORCH_MODES[resample])
    return np.asarray(image.resize(size, resample=resample))


def torch_shrinks(size: tuple[int, int], new_size: tuple[int, int], resample: int) -> bool:
    """Whether a JPEG of `size` (width, height) is resized to `new_size` with torch (where
    torch_resizes `resample`): when each side shrinks by TORCH_MIN_SHRINK times or more. Never
    for a filter torch lacks, which a FastPreprocessor built by hand may ask for."""
    least = TORCH_MIN_SHRINK.get(resample)
    return least is not None and all(
        old >= new * least for old, new in zip(size, new_size, strict=True)
    )


def _set_up_process(torch_resize: bool) -> None:
    if torch_resize:
        _one_torch_thread()


def _one_torch_thread() -> None:
    import torch

    # One thread per worker process, as torch's DataLoader does: the processes are the
    # parallelism, and a forked child must not use the parent's OpenMP pool (its first matrix
    # product can hang there once the parent has used it).
    torch.set_num_threads(1)


@dataclass(frozen=True)
class NaFlexPreprocessor:
    """SigLIP2's NaFlex input: the image resized, its aspect ratio kept, to a grid of at most
    `max_patches` patches of `patch` x `patch` pixels. Returns uint8 H x W x 3 whose sides are
    whole numbers of patches, so the array's shape carries the grid's; `stack` cuts a batch of
    them into the padded patches the model takes.
    """

    patch: int
    max_patches: int
    resample: int  # Pillow's filter number
    torch_resize: bool = False  # shrink JPEGs with torch, as FastPreprocessor does

    @property
    def input_size(self) -> tuple[int, int]:
        """(height, width) for a square image; others have other shapes of about as many
        pixels, and never more than max_patches patches' worth."""
        side = math.isqrt(self.max_patches) * self.patch
        return (side, side)

    @property
    def decode_hint(self) -> tuple[int, int] | None:
        """DRAFT_MARGIN times a square image's input side, in both directions.

        A grid of at most max_patches patches has its shorter side at most that square's, and
        Pillow's draft keeps both sides at least the hint's and the aspect ratio, so an image is
        still decoded at about DRAFT_MARGIN times its grid or more, as FastPreprocessor's are
        (to within the patch each side of the grid is rounded up by). The grid is chosen from
        the size before the draft (`__call__`), so it is the processor's.
        """
        side = round(DRAFT_MARGIN * math.sqrt(self.max_patches) * self.patch)
        return (side, side)

    def resized_pixels(self, width: int, height: int) -> int:
        # At most max_patches patches, however elongated: the --max-pixels check never trips.
        rows, columns = self.grid(width, height)
        return rows * columns * self.patch * self.patch

    def __call__(self, image: Image.Image) -> np.ndarray:
        # The grid from the size decoded whole: a draft rounds each side up to whole pixels at
        # its scale (2000x1500 at 1/8: 250x188), which can move a patch from one side to the
        # other (16 patches: 3x4 -> 4x4), another aspect ratio, and scores far from the
        # processor's. Only the pixels are the draft's.
        rows, columns = self.grid(*image.info.get(FULL_SIZE_INFO, image.size))
        size = (columns * self.patch, rows * self.patch)
        return np.ascontiguousarray(_resized(image, size, self.resample, self.torch_resize))

    def set_up_process(self) -> None:
        _set_up_process(self.torch_resize)

    def grid(self, width: int, height: int) -> tuple[int, int]:
        """(rows, columns) of patches for a width x height image, as transformers'
        get_image_size_for_max_num_patches finds them: the largest scale (by bisection, to
        1e-5, at most 100) at which the sides, each rounded up to whole patches, make at most
        max_patches patches."""

        def patches(scale: float, size: int) -> int:
            return max(1, math.ceil(size * scale / self.patch))

        low, high = 1e-6, 100.0
        while high - low >= 1e-5:
            scale = (low + high) / 2
            if patches(scale, height) * patches(scale, width) <= self.max_patches:
                low = scale
            else:
                high = scale
        return patches(low, height), patches(low, width)

    def stack(self, images: np.ndarray | Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Arrays from this preprocessor (or several of one shape, stacked) -> (patches
        [B, max_patches, patch * patch * 3]: each image's patches row by row, each patch's
        pixels row by row with their channels, then zeros; grids [B, 2] as (rows, columns)),
        the layout of transformers' processor.

        Every image is padded to max_patches, whatever the others in its batch, so that its
        scores do not depend on them.
        """
        first = images[0]
        patch = self.patch
        patches = np.zeros(
            (len(images), self.max_patches, patch * patch * first.shape[-1]), first.dtype
        )
        grids = np.empty((len(images), 2), dtype=np.int64)
        for row, image in enumerate(images):
            rows, columns = image.shape[0] // patch, image.shape[1] // patch
            # One copy, straight into the batch: the slice is contiguous, so this is a view.
            patches[row, : rows * columns].reshape(rows, columns, patch, patch, -1)[...] = (
                image.reshape(rows, patch, columns, patch, -1).transpose(0, 2, 1, 3, 4)
            )
            grids[row] = (rows, columns)
        return patches, grids


def torch_resizes(resample: int) -> bool:
    """Whether FastPreprocessor should resize with torch: for the filters torch has, on x86-64,
    where its uint8 kernel is vectorised. Decided without importing torch, so that the guess made
    before the model loads (encoders.guess_preprocessor) matches the loaded model's."""
    return resample in _TORCH_MODES and platform.machine().lower() in ("x86_64", "amd64")


def _torch_resize(image: Image.Image, size: tuple[int, int], mode: str) -> np.ndarray:
    """uint8 H x W x 3 at `size` (width, height), antialiased like Pillow, in Pillow's order."""
    import torch

    pixels = torch.from_numpy(np.array(image))  # a copy: torch wants memory it may write to
    resized = pixels.permute(2, 0, 1).unsqueeze(0)  # channels last: torch's fast uint8 path
    width, height = size
    # One interpolate call resizes the width first, then the height, rounding to uint8 in between,
    # as Pillow used to. Pillow 13 does the height first when it takes more than twice as many
    # pixels off the height as off the width (a 9:16 portrait to a square): in torch's order 15-17%
    # of the values then come out apart (540x960 -> 224x224, random pixels; bicubic at milder
    # shrinks: a quarter, up to 10 grey levels); in Pillow's, 0.2-0.3%, at most 1.
    steps = [(height, image.width), (height, width)]
    if not _pillow_resizes_vertically_first(image.size, size):
        steps = [(height, width)]  # torch's own order is Pillow's: one call does both passes
    for step in steps:
        resized = torch.nn.functional.interpolate(resized, size=step, mode=mode, antialias=True)
    # interpolate gives its result a plane per channel, whatever the input's layout: numpy's copy
    # of that into H x W x 3 took 0.5 ms at 224x298 (a fifth of the resize), a plane at a time 0.1.
    planes = resized[0].numpy()
    interleaved = np.empty((*planes.shape[1:], len(planes)), np.uint8)
    for channel, plane in enumerate(planes):
        interleaved[..., channel] = plane
    return interleaved


def _pillow_resizes_vertically_first(size: tuple[int, int], new_size: tuple[int, int]) -> bool:
    """Whether this Pillow's resize from `size` to `new_size` (width, height) resizes the height
    before the width (Resample.c's ImagingResampleInner in 13; Image.resize in 12.2-12.3)."""
    (width, height), (new_width, new_height) = size, new_size
    if _PILLOW_VERSION >= (13, 0):
        return height - new_height > max(0, 2 * (width - new_width))
    if _PILLOW_VERSION >= (12, 2):
        return height > width * 100 and new_height < height
    return False


def _shortest_edge_size(edge: int, width: int, height: int) -> tuple[int, int]:
    """(width, height) with the shorter side scaled to `edge`, rounded as transformers does."""
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = edge, int(edge * long / short)
    return (new_short, new_long) if width <= height else (new_long, new_short)


def _centre_crop(array: np.ndarray, crop: tuple[int, int]) -> np.ndarray:
    """Centre crop with zero padding when the image is smaller, like transformers' center_crop."""
    crop_h, crop_w = crop
    height, width = array.shape[:2]
    if height >= crop_h and width >= crop_w:
        top, left = (height - crop_h) // 2, (width - crop_w) // 2
        return array[top : top + crop_h, left : left + crop_w]
    padded_h, padded_w = max(crop_h, height), max(crop_w, width)
    padded = np.zeros((padded_h, padded_w, array.shape[2]), dtype=array.dtype)
    pad_top, pad_left = -(-(padded_h - height) // 2), -(-(padded_w - width) // 2)
    padded[pad_top : pad_top + height, pad_left : pad_left + width] = array
    top, left = (height - crop_h) // 2 + pad_top, (width - crop_w) // 2 + pad_left
    top, left = max(0, top), max(0, left)
    return padded[top : top + crop_h, left : left + crop_w]


class ReferencePreprocessor:
    """Runs the model's own image processor: slower, but exactly what transformers does.

    Returns float32 C x H x W arrays that are already normalised.
    """

    def __init__(self, image_processor: Any, input_size: tuple[int, int]) -> None:
        self._processor = image_processor
        self._input_size = input_size

    @property
    def input_size(self) -> tuple[int, int]:
        return self._input_size

    @property
    def decode_hint(self) -> tuple[int, int] | None:
        return None

    def resized_pixels(self, width: int, height: int) -> int:
        resizes = getattr(self._processor, "do_resize", True)
        edge = _size_dict(getattr(self._processor, "size", None)).get("shortest_edge")
        new_width, new_height = (
            _shortest_edge_size(edge, width, height) if resizes and edge else (width, height)
        )
        # A fixed-size or longest-edge resize stays small; the original passed the pixel limit.
        return new_width * new_height

    def __call__(self, image: Image.Image) -> np.ndarray:
        pixels = self._processor(images=[image], return_tensors="np")["pixel_values"][0]
        return np.asarray(pixels, dtype=np.float32)

    def set_up_process(self) -> None:
        # Some processors run torch (torchvision's), so every worker process gets one thread.
        _one_torch_thread()


def _size_dict(value: Any) -> dict[str, int]:
    return {k: int(v) for k, v in _size_items(value).items()}


def _size_items(value: Any) -> dict[str, Any]:
    """A size setting (a number, a dict, transformers 5's SizeDict) as a dict, values unchecked."""
    if value is None:
        return {}
    if isinstance(value, int):
        return {"height": value, "width": value}
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    # transformers 5 SizeDict objects
    return {
        k: getattr(value, k)
        for k in ("shortest_edge", "longest_edge", "height", "width")
        if getattr(value, k, None) is not None
    }


# Pillow's resampling filters: NEAREST 0, LANCZOS 1, BILINEAR 2, BICUBIC 3, BOX 4, HAMMING 5.
_PILLOW_FILTERS = range(6)


def settings_problem(image_processor: Any) -> tuple[str, str] | None:
    """A setting of a loaded image processor that fails on every image (an unknown filter, a
    size of 0) or makes them all alike (a std of 0), as ("<key> <value>", what is wrong with it),
    or None. transformers loads such settings without a word."""
    get = _getter(image_processor)
    if get("do_resize", True):
        resample = get("resample")
        number = getattr(resample, "value", resample)  # PILImageResampling is an enum
        if resample is not None and (_whole(number) not in _PILLOW_FILTERS):
            return (
                f"resample {_shown(resample)}",
                "is not one of Pillow's resampling filters "
                "(0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)",
            )
    for key, used in (("size", get("do_resize", True)), ("crop_size", get("do_center_crop"))):
        size = _size_items(get(key)) if used else {}
        if not all(_whole(value) is not None and value > 0 for value in size.values()):
            return f"{key} {_shown(size)}", "is not a whole number of pixels above 0"
    if get("max_num_patches") is not None:  # NaFlex (SigLIP2): patches, not a size
        for key in ("patch_size", "max_num_patches"):
            whole = _whole(get(key))
            if whole is None or whole <= 0:
                return f"{key} {_shown(get(key))}", "is not a whole number above 0"
    if get("do_rescale", True):
        factor = get("rescale_factor")
        if factor is not None and not (_number(factor) and factor > 0):
            return f"rescale_factor {_shown(factor)}", "is not a number above 0"
    if get("do_normalize", True):
        for key in ("image_mean", "image_std"):
            values = get(key)
            if values is None and get("do_normalize") is None:
                continue  # a processor class that has neither setting
            channels = [values] * 3 if _number(values) else values
            if not (
                isinstance(channels, (list, tuple))
                and len(channels) == 3
                and all(_number(value) for value in channels)
            ):
                return f"{key} {_shown(values)}", "is not 3 numbers (one per colour channel)"
            if key == "image_std" and 0 in channels:
                # Every pixel would be divided by it: embeddings of infinities and NaNs.
                return f"image_std {_shown(values)}", "has a 0, by which pixels would be divided"
    return None


def _number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(value: Any) -> int | None:
    """`value` as an int when it is a whole number (not a bool, which JSON's true would be)."""
    if not _number(value) or value != int(value):
        return None
    return int(value)


def _shown(value: Any) -> str:
    """A setting as its JSON file spells it."""
    return json.dumps(value, default=str)


def fast_preprocessor_from(
    image_processor: Any, *, torch_resize: bool = True
) -> tuple[FastPreprocessor | NaFlexPreprocessor, Normalisation] | None:
    """The fast-path equivalent of a transformers image processor, or None if none is exact.

    Also accepts the processor's saved settings as a dict (its preprocessor_config.json).
    torch_resize=False keeps Pillow's resize, for the processor's own pixels.
    """
    get = _getter(image_processor)
    if any(get(flag) for flag in _UNSUPPORTED_FLAGS):
        return None
    if get("do_convert_rgb") is False:
        return None
    if get("max_num_patches") is not None:  # SigLIP2's NaFlex: a grid of patches per image
        naflex = naflex_settings(image_processor)
        if naflex is None or not get("do_resize", True):
            return None  # a broken setting (load_encoder names it), or images left as they are
        resample = _resample(get("resample"))
        naflex_geometry = NaFlexPreprocessor(
            *naflex, resample, torch_resize and torch_resizes(resample)
        )
        return naflex_geometry, _normalisation(get)
    size = _size_dict(get("size")) if get("do_resize", True) else {}
    crop = _size_dict(get("crop_size")) if get("do_center_crop", False) else {}
    if "longest_edge" in size or any(value <= 0 for value in (*size.values(), *crop.values())):
        return None  # no fixed size, or a broken one that load_encoder reports
    shortest_edge = size.get("shortest_edge")
    resize_to = (size["height"], size["width"]) if "height" in size and "width" in size else None
    if shortest_edge is None and resize_to is None:
        return None
    if crop and not {"height", "width"} <= crop.keys():
        return None  # transformers refuses it when it loads the processor
    crop_hw = (crop["height"], crop["width"]) if crop else None
    if crop_hw is None and resize_to is None:
        return None  # shortest-edge resize alone gives images of varying size: no batching
    # Read only for a resize: without one, nothing checks or uses it (it may hold anything).
    resample = _resample(get("resample"))
    geometry = FastPreprocessor(
        shortest_edge, resize_to, crop_hw, resample, torch_resize and torch_resizes(resample)
    )
    return geometry, _normalisation(get)


def _getter(image_processor: Any) -> Callable[..., Any]:
    """get(key, default=None): a setting of a loaded processor, or of its saved settings (a
    dict, its preprocessor_config.json)."""
    if isinstance(image_processor, Mapping):
        return image_processor.get
    return lambda key, default=None: getattr(image_processor, key, default)


def naflex_settings(image_processor: Any) -> tuple[int, int] | None:
    """(patch_size, max_num_patches) of a NaFlex processor (or its saved settings), or None
    when it is not one or they are not whole numbers above 0."""
    get = _getter(image_processor)
    patch, most = (_whole(get(key)) for key in ("patch_size", "max_num_patches"))
    if patch is None or most is None or patch <= 0 or most <= 0:
        return None
    return patch, most


def _resample(value: Any) -> int:
    """Pillow's filter number of a `resample` setting (an int or PILImageResampling)."""
    if value is None:
        return 2  # bilinear, transformers' default
    return int(value.value if hasattr(value, "value") else value)


def _normalisation(get: Any) -> Normalisation:
    rescale = float(get("rescale_factor", 1 / 255)) if get("do_rescale", True) else 1.0
    # EfficientNet's processor (ALIGN): rescale_offset subtracts 1 after rescaling, and
    # include_top divides by image_std once more after the normalisation (even without it).
    offset = 1.0 if get("do_rescale", True) and get("rescale_offset", False) else 0.0
    image_std = _three(get("image_std"), 1.0)
    if get("do_normalize", True):
        mean = [offset + float(x) for x in _three(get("image_mean"), 0.0)]
        std = [float(x) for x in image_std]
    else:
        mean, std = [offset] * 3, [1.0] * 3
    if get("include_top", False):
        std = [s * float(t) for s, t in zip(std, image_std, strict=True)]
    return Normalisation(rescale, tuple(mean), tuple(std))  # type: ignore[arg-type]


def agrees_with_processor(
    fast: tuple[FastPreprocessor | NaFlexPreprocessor, Normalisation], image_processor: Any
) -> bool:
    """Whether the fast path gives the processor's own values on a test image, so that a step it
    does not know (a processor subclass, an option added to transformers) sends the encoder to
    the processor itself rather than to silently different pixels. A processor that cannot
    process the test image gives no verdict (True): the real images will tell."""
    geometry, norm = fast
    height, width = geometry.input_size
    # Larger than the input and not square, so resizing, rounding and cropping all take part
    # (for NaFlex: more pixels than max_patches patches hold, so the resize shrinks it).
    shape = (height * 3 // 2 + 7, width * 4 // 3 + 5, 3)
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8))
    if isinstance(geometry, NaFlexPreprocessor):
        return _naflex_agrees(geometry, norm, image_processor, image)
    try:
        theirs = ReferencePreprocessor(image_processor, (height, width))(image)
    except Exception:
        return True
    ours = geometry(image).astype(np.float32).transpose(2, 0, 1) * norm.rescale
    mean = np.asarray(norm.mean, np.float32)[:, None, None]
    ours = (ours - mean) / np.asarray(norm.std, np.float32)[:, None, None]
    # Both resize with Pillow here; what remains is float rounding, far below a grey level.
    return ours.shape == theirs.shape and bool(np.allclose(ours, theirs, rtol=0, atol=1e-3))


def _naflex_agrees(
    geometry: NaFlexPreprocessor, norm: Normalisation, image_processor: Any, image: Image.Image
) -> bool:
    """agrees_with_processor for NaFlex: the same patches, mask and grid on the test `image`."""
    try:
        theirs = image_processor(images=[image], return_tensors="np")
        pixels = np.asarray(theirs["pixel_values"][0], dtype=np.float32)
        mask = np.asarray(theirs["pixel_attention_mask"][0])
        grid = tuple(np.asarray(theirs["spatial_shapes"][0]).tolist())
    except Exception:
        return True
    patches, grids = geometry.stack([geometry(image)])
    channels = patches[0].astype(np.float32).reshape(geometry.max_patches, -1, 3)
    ours = (channels * norm.rescale - np.asarray(norm.mean, np.float32)) / np.asarray(
        norm.std, np.float32
    )
    count = int(grids[0].prod())
    ours[count:] = 0  # the processor pads after normalising
    ours = ours.reshape(patches.shape[1:])
    return (
        grid == tuple(grids[0].tolist())
        and mask.tolist() == [1] * count + [0] * (geometry.max_patches - count)
        and ours.shape == pixels.shape
        and bool(np.allclose(ours, pixels, rtol=0, atol=1e-3))
    )


def _three(values: Any, unset: float) -> list[float]:
    if values is None:  # a processor that does not normalise may leave it unset (TIPSv2's)
        values = unset
    values = [values] * 3 if isinstance(values, (int, float)) else list(values)
    if len(values) != 3:
        raise ValueError(f"expected 3 channel values, got {values}")
    return values


def reference_input_size(image_processor: Any) -> tuple[int, int] | None:
    """The (height, width) the processor outputs, or None when it varies with the image (a
    shortest- or longest-edge resize without a centre crop)."""
    crop = _size_dict(getattr(image_processor, "crop_size", None))
    if getattr(image_processor, "do_center_crop", False) and "height" in crop and "width" in crop:
        return (crop["height"], crop["width"])
    resizes = getattr(image_processor, "do_resize", True)
    size = _size_dict(getattr(image_processor, "size", None)) if resizes else {}
    if "height" in size and "width" in size:
        return (size["height"], size["width"])
    return None
