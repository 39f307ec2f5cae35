"""Write an ImageFolder of the shapes world, with its class, attribute and description files."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from zsl_cli.demo.world import (
    COLOURS,
    SHAPES,
    all_classes,
    check_per_class,
    class_rng,
    descriptors,
    render,
    seen_classes,
    unseen_classes,
)
from zsl_cli.errors import ZslError
from zsl_cli.files import why_not_created

# As many images as the 4-digit file names number in order: 300,000 PNGs, some 2.5 GB. A typo
# such as --per-class 1000000 went on for days, filling the disk with 250 GB.
MAX_PER_CLASS = 10_000


@dataclass(frozen=True)
class ImageSetSummary:
    root: Path
    classes: int
    images: int


def image_file_name(class_name: str, index: int) -> str:
    return f"{class_name.replace(' ', '_')}_{index:04d}.png"


def write_class_files(out: Path) -> None:
    """classes.txt, seen.txt, unseen.txt, attributes.csv and descriptions.json for the world."""
    _write_lines(out / "classes.txt", [c.name for c in all_classes()])
    _write_lines(out / "seen.txt", [c.name for c in seen_classes()])
    _write_lines(out / "unseen.txt", [c.name for c in unseen_classes()])
    with open(out / "attributes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["class", *COLOURS, *SHAPES])
        for cls in all_classes():
            flags = [int(cls.colour == c) for c in COLOURS] + [int(cls.shape == s) for s in SHAPES]
            writer.writerow([cls.name, *flags])
    descriptions = {cls.name: descriptors(cls) for cls in all_classes()}
    text = json.dumps(descriptions, indent=2, ensure_ascii=False) + "\n"
    (out / "descriptions.json").write_text(text, encoding="utf-8")


def make_image_set(out: Path, seed: int, per_class: int) -> ImageSetSummary:
    """Render `per_class` PNGs of every class into OUT/<class name>/, plus the class files.

    Deterministic: the same seed and count give the same bytes. Each class draws from its own
    random stream, so a smaller set is a prefix of a larger one with the same seed. Rendering
    into an earlier set replaces it: images named as this function names them beyond
    `per_class` are removed (other files are left alone), so no image of another seed or count
    stays behind.
    """
    check_per_class(per_class, MAX_PER_CLASS)
    # os.path's checks, not pathlib's, which let ENAMETOOLONG through: mkdir below says that.
    if os.path.exists(out) and not os.path.isdir(out):
        raise ZslError(f"{out} exists and is not a directory; choose another output folder")
    streams = {cls: class_rng(seed, cls) for cls in all_classes()}  # checks the seed first
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ZslError(f"cannot create {out}: {why_not_created(error)}") from None
    try:
        write_class_files(out)
        for cls, rng in streams.items():
            folder = out / cls.name
            folder.mkdir(exist_ok=True)
            for index in range(per_class):
                render(cls, rng).save(folder / image_file_name(cls.name, index), format="PNG")
            for stale in _world_images(folder, cls.name, beyond=per_class):
                stale.unlink()
    except OSError as error:
        # A file where a class folder goes, a folder named classes.txt, a full disk: one line,
        # not a traceback.
        where = error.filename if error.filename is not None else out
        raise ZslError(f"cannot write {where}: {why_not_created(error)}") from None
    return ImageSetSummary(
        root=out, classes=len(all_classes()), images=per_class * len(all_classes())
    )


def _world_images(folder: Path, class_name: str, *, beyond: int) -> list[Path]:
    """Files in `folder` named image_file_name(class_name, i) for some i >= beyond."""
    numbered = (
        (path, path.name.removesuffix(".png").rpartition("_")[2]) for path in folder.iterdir()
    )
    return [
        path
        for path, number in numbered
        if number.isascii()
        and number.isdigit()
        and int(number) >= beyond
        and path.name == image_file_name(class_name, int(number))
    ]


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
