"""Training captions of the shapes world.

Each caption carries the attributes it asserts (a colour, a shape, or both), so the trainer knows
which images it matches: "something red" matches every red image. Captions of held-out classes are
never generated here, so they cannot leak into training.
"""

from __future__ import annotations

from dataclasses import dataclass

from zsl_cli.demo.world import (
    COLOUR_DESCRIPTORS,
    COLOURS,
    SHAPE_DESCRIPTORS,
    SHAPES,
    ShapeClass,
    descriptors,
    seen_classes,
)

CLASS_TEMPLATES: tuple[str, ...] = (
    "a photo of a {}.",
    "a {}.",
    "{}",
    "a picture of a {}.",
    "an image of a {}.",
    "a photo of the {}.",
    "a drawing of a {}.",
    "this is a {}.",
    "a rendering of a {}.",
    "a close-up photo of a {}.",
    "a photo of a small {}.",
    "a photo of a large {}.",
    "itap of a {}.",
    "a bad photo of the {}.",
    "a {} on a plain background.",
)

# "a photo of something {}." is the tool's default attribute prompt: it must be trained for every
# colour word and every shape word.
ATTRIBUTE_TEMPLATES: tuple[str, ...] = (
    "a photo of something {}.",
    "something {}",
    "{}",
    "a picture of something {}.",
    "an image of something {}.",
)
COLOUR_ONLY_TEMPLATES: tuple[str, ...] = (
    *ATTRIBUTE_TEMPLATES,
    "a {} thing.",
    "a {} object.",
    "a photo of a {} object.",
    "something with {} colour",
)
SHAPE_ONLY_TEMPLATES: tuple[str, ...] = (
    *ATTRIBUTE_TEMPLATES,
    "a {}",
    "a {} shape",
    "a photo of a {} shape.",
    "an object shaped like a {}.",
)
# Menon & Vondrick style "<class>, which has <descriptor>" and a bare-descriptor variant.
DESCRIPTION_TEMPLATES: tuple[str, ...] = (
    "{name}, which has {descriptor}",
    "a photo of a {name}, which has {descriptor}.",
)
DESCRIPTOR_ONLY_TEMPLATES: tuple[str, ...] = (
    "something which has {}",
    "a photo of something which has {}.",
)


@dataclass(frozen=True)
class Caption:
    """A caption and what it asserts; None means the caption says nothing about that attribute."""

    text: str
    colour: str | None
    shape: str | None

    def matches(self, cls: ShapeClass) -> bool:
        return (self.colour is None or self.colour == cls.colour) and (
            self.shape is None or self.shape == cls.shape
        )


def class_captions(cls: ShapeClass) -> list[Caption]:
    """Captions naming the class: templates and description-style phrases."""
    captions = [Caption(t.format(cls.name), cls.colour, cls.shape) for t in CLASS_TEMPLATES]
    for template in DESCRIPTION_TEMPLATES:
        for descriptor in descriptors(cls):
            text = template.format(name=cls.name, descriptor=descriptor)
            captions.append(Caption(text, cls.colour, cls.shape))
    return captions


def colour_captions(colour: str) -> list[Caption]:
    """Captions that assert a colour only."""
    captions = [Caption(t.format(colour), colour, None) for t in COLOUR_ONLY_TEMPLATES]
    for template in DESCRIPTOR_ONLY_TEMPLATES:
        captions += [Caption(template.format(d), colour, None) for d in COLOUR_DESCRIPTORS[colour]]
    return captions


def shape_captions(shape: str) -> list[Caption]:
    """Captions that assert a shape only."""
    captions = [Caption(t.format(shape), None, shape) for t in SHAPE_ONLY_TEMPLATES]
    for template in DESCRIPTOR_ONLY_TEMPLATES:
        captions += [Caption(template.format(d), None, shape) for d in SHAPE_DESCRIPTORS[shape]]
    return captions


@dataclass(frozen=True)
class CaptionPools:
    """All training captions, grouped so a sampler can balance the kinds."""

    by_class: dict[str, list[Caption]]  # seen class name -> its captions
    by_colour: dict[str, list[Caption]]
    by_shape: dict[str, list[Caption]]

    def all_captions(self) -> list[Caption]:
        pools = [*self.by_class.values(), *self.by_colour.values(), *self.by_shape.values()]
        return [caption for pool in pools for caption in pool]


def training_captions() -> CaptionPools:
    """Every caption the trainer may use: seen classes only, plus attribute-only phrases."""
    return CaptionPools(
        by_class={cls.name: class_captions(cls) for cls in seen_classes()},
        by_colour={colour: colour_captions(colour) for colour in COLOURS},
        by_shape={shape: shape_captions(shape) for shape in SHAPES},
    )
