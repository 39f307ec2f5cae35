"""Class files at scale: how long does zsl take to read and check large class inputs?

Writes four inputs of made-up words (a few with accents) to a temporary folder and times, in
this process, `api.plan_classes` on each: what every `zsl label` does with --classes,
--descriptions and --attributes before it loads a model (read the file, check every name,
descriptor and weight, plan the prompts with the default template):
  classes.txt        --classes lines, one class name each (ImageNet-21k, iNaturalist species)
  descriptions.json  --described classes x --descriptors descriptions of about 200 characters
                     (1,000 x 50: 10 MB)
  one long line      a descriptions JSON of --line-mb MB on one line (minified): classes of
                     --descriptors descriptions of about 200 characters
  attributes.csv     --attributes: --attribute-classes rows of --attribute-columns weights of
                     up to 100 with 4 decimals, as in AwA2's continuous predicate matrix
Each row is the fastest of --repeats runs (other load only ever adds time) and the rate in MB/s.
`--profile` prints cProfile's top functions of one more run of each.

    python benchmarks/class_files.py                # 100,000 names, 10 MB, 1 MB line, 20,000 x 85
    python benchmarks/class_files.py --profile      # where the time goes
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import pstats
import sys
import tempfile
from pathlib import Path

import numpy as np
from arguments import at_least, positive_number, random_seed  # benchmarks/arguments.py
from timing import fastest  # benchmarks/timing.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vi", "zo", "bé", "qu", "ar", "el", "on", "us")


def words(rng: np.random.Generator, n: int) -> list[str]:
    """`n` made-up words of 2-4 syllables."""
    lengths = rng.integers(2, 5, size=n)
    picks = rng.integers(0, len(SYLLABLES), size=int(lengths.sum())).tolist()
    out, at = [], 0
    for length in lengths.tolist():
        out.append("".join(SYLLABLES[i] for i in picks[at : at + length]))
        at += length
    return out


def sentence(rng: np.random.Generator, characters: int) -> str:
    """Words joined by spaces, about `characters` long."""
    return " ".join(words(rng, max(1, characters // 7)))


def write_inputs(folder: Path, args: argparse.Namespace) -> dict[str, dict[str, Path]]:
    rng = np.random.default_rng(args.seed)
    genera, species = words(rng, args.classes), words(rng, args.classes)
    names = [f"{g} {s} {i}" for i, (g, s) in enumerate(zip(genera, species, strict=True))]
    classes = folder / "classes.txt"
    classes.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    described = {
        name: [sentence(rng, 200) for _ in range(args.descriptors)]
        for name in names[: args.described]
    }
    descriptions = folder / "descriptions.json"
    descriptions.write_text(json.dumps(described, ensure_ascii=False, indent=1), "utf-8")
    # A minified JSON: every class on one line, descriptions of about 200 characters as above (a
    # descriptor is at most 10,000), as many classes as fill --line-mb MB.
    long_line = folder / "long-line.json"
    n_classes = max(1, round(args.line_mb * 2**20 / (args.descriptors * 210)))
    one_line = {
        f"{name} {i}": [sentence(rng, 200) for _ in range(args.descriptors)]
        for i, name in enumerate(words(rng, n_classes))
    }
    long_line.write_text(json.dumps(one_line, ensure_ascii=False), "utf-8")
    attributes = folder / "attributes.csv"
    columns = [f"{word} {j}" for j, word in enumerate(words(rng, args.attribute_columns))]
    weights = rng.random((args.attribute_classes, args.attribute_columns)) * 100
    rows = [",".join(["class", *columns])] + [
        ",".join([name, *(f"{w:.4f}" for w in row)])
        for name, row in zip(names, weights.tolist(), strict=False)
    ]
    attributes.write_text("".join(f"{row}\n" for row in rows), encoding="utf-8")
    plural = "" if args.classes == 1 else "s"
    one_line_classes = f"{n_classes:,} class{'' if n_classes == 1 else 'es'}"
    return {
        f"classes.txt, {args.classes:,} name{plural}": {"classes": classes},
        f"descriptions, {args.described:,} x {args.descriptors}": {"descriptions": descriptions},
        # Named by what was written: at least one class, whatever a tiny --line-mb asked for.
        f"descriptions, one line, {one_line_classes}": {"descriptions": long_line},
        f"attributes, {args.attribute_classes:,} x {args.attribute_columns}": {
            "attributes": attributes
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=at_least(1), default=100_000)
    # Default counts of classes described or weighted: at most --classes (1,000 and 20,000).
    parser.add_argument("--described", type=at_least(1))
    parser.add_argument("--descriptors", type=at_least(1), default=50)
    parser.add_argument("--line-mb", type=positive_number, default=1.0)
    parser.add_argument("--attribute-classes", type=at_least(1))
    # One column makes every class's weights proportional to every other's: zsl refuses the table.
    parser.add_argument("--attribute-columns", type=at_least(2), default=85)
    parser.add_argument("--repeats", type=at_least(1), default=3)
    parser.add_argument("--seed", type=random_seed, default=0)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args()
    if args.described is None:
        args.described = min(1_000, args.classes)
    if args.attribute_classes is None:
        args.attribute_classes = min(20_000, args.classes)
    if args.described > args.classes:
        parser.error("--described: at most --classes")
    if args.attribute_classes > args.classes:
        parser.error("--attribute-classes: at most --classes")

    from zsl_cli.api import ClassOptions, plan_classes

    print(f"plan_classes, fastest of {args.repeats} (load average {os.getloadavg()[0]:.2f})")
    with tempfile.TemporaryDirectory() as tmp:
        for label, files in write_inputs(Path(tmp), args).items():
            options = ClassOptions(**files)
            size = sum(path.stat().st_size for path in files.values()) / 2**20
            seconds = fastest(functools.partial(plan_classes, options), args.repeats)
            print(f"  {label:32} {size:7.2f} MB {seconds:7.2f} s {size / seconds:7.1f} MB/s")
            if args.profile:
                profile = cProfile.Profile()
                profile.runcall(plan_classes, options)
                pstats.Stats(profile).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    main()
