"""Zero-shot quality of the bundled demo model on fresh shapes-world sets, through the real CLI.

For each seed it makes a new image set (`python -m zsl_cli.demo make-images`), then runs `zsl`
commands exactly as a user would and reads their JSON outputs:

  unseen only   images and candidates are the held-out classes; class names, attribute rows and
                descriptions each used in turn (mean per-class top-1)
  all classes   seen + unseen images, all 30 candidates, names: mean per-class top-1, and with
                --seen the seen/unseen accuracy, harmonic mean and calibrated stacking
  hubness       `zsl hubness --truth --seen -k K` (K = 1 and 10 by default): skewness and
                accuracy of every reduction method (zsl clamps K to classes - 1; the K it used
                is printed)
  precision     with --compare-precision P: the all-classes set labelled at fp32 and again at
                `--precision P`; top-1 agreement and each run's images/s

    python benchmarks/shapes_world.py --seeds 1001 1002 1003 --per-class 20
    python benchmarks/shapes_world.py --seeds 1001 1002 1003 --per-class 20 --compare-precision bf16
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean, median

from arguments import (  # benchmarks/arguments.py
    at_least,
    check_distinct,
    prepare_output,
    random_seed,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # zsl_cli from this checkout, installed or not

from zsl_cli.demo.imageset import MAX_PER_CLASS  # noqa: E402
from zsl_cli.demo.world import class_names  # noqa: E402

ZSL = [sys.executable, "-m", "zsl_cli"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}
# For class names; attribute rows and descriptions have their own templates (zsl refuses
# --templates that no class would use).
TEMPLATE = ["--templates", "a photo of a {}."]


def sh(command: list[str]) -> None:
    subprocess.run(command, check=True, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL)


def make_set(folder: Path, seed: int, per_class: int) -> None:
    sh(
        [
            sys.executable,
            "-m",
            "zsl_cli.demo",
            "make-images",
            str(folder),
            "--seed",
            str(seed),
            "--per-class",
            str(per_class),
        ]
    )


def unseen_only_files(world: Path, work: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Class files restricted to the unseen classes, one per class mode."""
    unseen = [line for line in (world / "unseen.txt").read_text().splitlines() if line.strip()]
    (work / "unseen_classes.txt").write_text("\n".join(unseen) + "\n")
    with open(world / "attributes.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    with open(work / "unseen_attributes.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([rows[0]] + [r for r in rows[1:] if r[0] in unseen])
    descriptions = json.loads((world / "descriptions.json").read_text())
    (work / "unseen_descriptions.json").write_text(
        json.dumps({name: descriptions[name] for name in unseen})
    )
    return {
        "names": ["--classes", str(work / "unseen_classes.txt"), *TEMPLATE],
        "attributes": ["--attributes", str(work / "unseen_attributes.csv")],
        "descriptions": ["--descriptions", str(work / "unseen_descriptions.json")],
    }, [str(world / name) for name in unseen]


def label(images: list[str], class_args: list[str], predictions: Path, extra: list[str] = ()):
    """`zsl label` with the bundled model, every class score, JSON Lines to `predictions`."""
    sh(
        ZSL
        + ["label", *images, *class_args, "--model", "shapes-demo", "--top-k", "0"]
        + ["-o", str(predictions), "--quiet", *extra]
    )


def label_and_evaluate(
    images: list[str],
    class_args: list[str],
    truth: Path,
    work: Path,
    name: str,
    extra_eval: list[str] = (),
    extra_label: list[str] = (),
) -> dict:
    predictions, metrics = work / f"{name}.jsonl", work / f"{name}.metrics.json"
    label(images, class_args, predictions, extra_label)
    sh(
        ZSL
        + [
            "evaluate",
            str(predictions),
            "--truth",
            str(truth),
            "--json",
            str(metrics),
            "--quiet",
            *extra_eval,
        ]
    )
    return json.loads(metrics.read_text())


def top1_labels(predictions: Path) -> dict[str, str]:
    """path -> top-1 label of every image zsl labelled (top_k[0]: not subject to a threshold)."""
    with open(predictions, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return {row["path"]: row["top_k"][0]["label"] for row in rows if row["status"] == "ok"}


def run_summary(predictions: Path) -> tuple[str, float]:
    """The precision zsl ran at and its images/s once the model was loaded, from the run info
    it writes next to a JSON Lines output."""
    info = json.loads(Path(f"{predictions}.run.json").read_text())
    return info["model"]["precision"], info["summary"]["images_per_second"]


def compare_precision(fp32_predictions: Path, other_predictions: Path) -> dict:
    """Top-1 agreement of two runs on the same images, and each run's speed."""
    reference, other = top1_labels(fp32_predictions), top1_labels(other_predictions)
    if reference.keys() != other.keys():
        raise RuntimeError(f"{other_predictions}: not the same images as {fp32_predictions}")
    same = sum(reference[path] == other[path] for path in reference)
    fp32_precision, fp32_rate = run_summary(fp32_predictions)
    other_precision, other_rate = run_summary(other_predictions)
    return {
        "images": len(reference),
        "same_top1": same,
        "top1_agreement": same / len(reference),
        "fp32": {"precision": fp32_precision, "images_per_second": fp32_rate},
        "other": {"precision": other_precision, "images_per_second": other_rate},
    }


def measure_seed(
    seed: int, per_class: int, hubness_ks: list[int], work: Path, precision: str | None = None
) -> dict:
    world = work / f"world-{seed}"
    make_set(world, seed, per_class)
    modes, unseen_folders = unseen_only_files(world, work)
    result: dict = {"seed": seed, "unseen_only": {}}
    for mode, class_args in modes.items():
        metrics = label_and_evaluate(unseen_folders, class_args, world, work, f"{seed}-{mode}")
        result["unseen_only"][mode] = metrics["top_k"]["1"]["mean_per_class"]
    all_class_args = ["--classes", str(world / "classes.txt"), *TEMPLATE]
    # The reference for --compare-precision must be fp32 whatever zsl's auto picks (fp16 on GPU).
    reference = ["--precision", "fp32"] if precision else []
    metrics = label_and_evaluate(
        [str(world)],
        all_class_args,
        world,
        work,
        f"{seed}-all",
        ["--seen", str(world / "seen.txt")],
        reference,
    )
    result["all_classes"] = metrics["top_k"]["1"]["mean_per_class"]
    if precision:
        other = work / f"{seed}-all-{precision}.jsonl"
        label([str(world)], all_class_args, other, ["--precision", precision])
        result["precision"] = compare_precision(work / f"{seed}-all.jsonl", other)
    result["gzsl"] = metrics["gzsl"]
    result["hubness"] = {}
    for k in hubness_ks:
        hubness_json = work / f"{seed}-hubness-{k}.json"
        sh(
            ZSL
            + ["hubness", str(world), "--classes", str(world / "classes.txt"), *TEMPLATE]
            + ["--model", "shapes-demo", "--truth", str(world), "--seen", str(world / "seen.txt")]
            + ["-k", str(k), "--json", str(hubness_json), "--quiet"]
        )
        result["hubness"][k] = json.loads(hubness_json.read_text())
    return result


def print_report(results: list[dict], per_class: int) -> None:
    seeds = ", ".join(str(r["seed"]) for r in results)
    print(
        f"shapes world, bundled model shapes-demo, template 'a photo of a {{}}.', "
        f"{per_class} images per class, seeds {seeds}"
    )
    print("mean per-class top-1 (min / mean over seeds)")
    for mode in ("names", "attributes", "descriptions"):
        values = [r["unseen_only"][mode] for r in results]
        print(f"  unseen only, {mode:<12} {min(values):.3f} / {mean(values):.3f}")
    values = [r["all_classes"] for r in results]
    print(f"  all classes, names        {min(values):.3f} / {mean(values):.3f}")
    print("generalised zero-shot (all classes; mean over seeds)")
    for key in ("seen", "unseen", "harmonic_mean"):
        print(f"  {key:<14} {mean(r['gzsl'][key] for r in results):.3f}")
    stacking = [r["gzsl"]["calibrated_stacking"] for r in results]
    if all(s.get("available") for s in stacking):
        gammas = ", ".join(format(s["gamma"], ".3g") for s in stacking)
        print(
            f"  calibrated stacking: H {mean(s['harmonic_mean'] for s in stacking):.3f} "
            f"(gamma {gammas}), "
            f"seen {mean(s['seen'] for s in stacking):.3f}, "
            f"unseen {mean(s['unseen'] for s in stacking):.3f}, "
            f"AUSUC {mean(s['ausuc'] for s in stacking):.3f}"
        )
    for k in results[0]["hubness"]:
        # zsl clamps k to classes - 1: print the k it used, not the one asked for.
        used = sorted({r["hubness"][k]["k"] for r in results})
        used_text = ", ".join(str(u) for u in used)
        clamped = f"asked for {k}, zsl clamps k to classes - 1; " if used != [k] else ""
        print(f"hubness, all classes, k = {used_text} ({clamped}mean over seeds)")
        print(f"  {'method':<10} {'skewness':>9} {'accuracy':>9} {'unseen acc.':>12}")
        for method in results[0]["hubness"][k]["methods"]:
            entries = [r["hubness"][k]["methods"][method] for r in results]
            print(
                f"  {method:<10} {mean(e['skewness'] for e in entries):9.3f} "
                f"{mean(e['accuracy']['mean_per_class'] for e in entries):9.3f} "
                f"{mean(e['accuracy']['unseen_mean_per_class'] for e in entries):12.3f}"
            )


def print_precision(results: list[dict], precision: str) -> None:
    print(f"precision: all classes, names, {precision} vs fp32 (same images, bundled model)")
    rows = [(f"seed {r['seed']}", r["precision"]) for r in results]
    images = sum(p["images"] for _, p in rows)
    same = sum(p["same_top1"] for _, p in rows)
    total = {"images": images, "same_top1": same, "top1_agreement": same / images}
    # A tiny model on small images: its rates swing with other load, so all seeds get the median.
    for run in ("fp32", "other"):
        total[run] = {
            "precision": results[0]["precision"][run]["precision"],
            "images_per_second": median(r["precision"][run]["images_per_second"] for r in results),
        }
    rows.append(("all seeds", total))
    for name, p in rows:
        # zsl's rate once the model was loaded: decode, encode, score and write.
        print(
            f"  {name:<10} {p['images']:5d} images, top-1 agreement {p['top1_agreement']:.2%} "
            f"({p['same_top1']} of {p['images']}), img/s fp32 "
            f"{p['fp32']['images_per_second']:.1f}, {precision} ({p['other']['precision']}) "
            f"{p['other']['images_per_second']:.1f}"
        )
    print("  (img/s: zsl's own rate once the model was loaded; the all-seeds row is the median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=random_seed, nargs="+", default=[1001, 1002, 1003])
    parser.add_argument("--per-class", type=at_least(1, MAX_PER_CLASS), default=20)
    parser.add_argument(
        "--hubness-k",
        type=at_least(1),
        nargs="+",
        default=[1, 10],
        help="k values for zsl hubness (it clamps k to classes - 1)",
    )
    parser.add_argument(
        "--compare-precision",
        choices=["fp16", "bf16"],
        help="also label the all-classes set at this precision and compare its top-1 with fp32",
    )
    parser.add_argument("--json", type=Path, help="also write every number here")
    args = parser.parse_args()
    check_distinct(parser, args.seeds, "--seeds")
    check_distinct(parser, args.hubness_k, "--hubness-k")
    # zsl clamps k to classes - 1: two values that clamp to one k would print one table twice.
    largest_k = len(class_names()) - 1
    for index, k in enumerate(args.hubness_k):
        same = next((other for other in args.hubness_k[:index] if min(other, k) >= largest_k), None)
        if same is not None:
            parser.error(
                f"--hubness-k: {same} and {k} are both k = {largest_k} (zsl clamps k to "
                f"classes - 1, and the shapes world has {largest_k + 1} classes)"
            )
    prepare_output(parser, args.json, "--json")
    with tempfile.TemporaryDirectory() as tmp:
        results = [
            measure_seed(seed, args.per_class, args.hubness_k, Path(tmp), args.compare_precision)
            for seed in args.seeds
        ]
    print_report(results, args.per_class)
    if args.compare_precision:
        print_precision(results, args.compare_precision)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
