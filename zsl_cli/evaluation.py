"""`zsl evaluate`: read ground truth, match it to predictions, compute metrics, build the result.

Ground truth is either a folder whose immediate, non-hidden sub-folders are the classes
(ImageFolder: images anywhere below each class folder; a Mac's zip's `__MACOSX` is none) or a CSV
with a header that has `path` and `label` columns (or other names datasets give them:
TRUTH_COLUMNS), or a path and a 0/1 column per class (one-hot, as Roboflow exports), or a Label
Studio project's JSON or JSON_MIN export (the class its annotators chose for each task's image:
`truth_exports` reads it). In a CSV, relative paths are relative to the CSV's own folder, so the
CSV can travel with its images. A CSV's path may be a URL, percent-encoding undone: a file URL
names its file (`file:///home/u/a%20b.jpg`), Label Studio's `/data/local-files/?d=photos/a.jpg` the
relative path after `d=`, and another URL (`https://host/photos/a.jpg`, `s3://bucket/photos/a.jpg`)
the relative path after its host: two rows whose cells differ are refused where such a URL leaves
the same path as the other.

A prediction matches a truth image when, in this order:
1. their absolute paths are equal (a relative prediction path is taken from the folder the
   labelling ran in, as its run info records it, when that folder exists here; then from the
   current folder);
2. they are the same name in the same real folder (folder links resolved, as `zsl label` tells
   files apart: a link to a file is a file of its own), else their real paths are equal (the
   file's own link resolved too), else they name the same file (a disk that ignores case or
   accents' composition opens `1.jpg` as `1.JPG`; a hard link);
3. the prediction path ends with the image's path relative to the truth root (for a folder:
   `class/.../file`; for a CSV: a relative path as written), for predictions made in another
   folder or on another machine (names compared as shown, composed or decomposed alike, and
   '\\' a separator, as on Windows; a relative prediction path that ends none is also taken from
   the folder the labelling ran in, or from the current folder where no run info records that
   folder, for a run labelled from inside a folder the truth's paths name). The longest such
   ending wins; when several predictions end with the same truth path, or it is the ending of
   several truth images, none is matched. A truth CSV's absolute path
   (written on another machine, Windows' C:\\ paths too) is matched the other way round: it
   ends with a relative prediction path, as written, that ends no other of them (an absolute
   prediction path inside the folder relative ones start at is read as its path from there).
   When both paths name existing files here, they are two different images (rules 1 and 2
   would have paired them) and are not matched.
Each truth image matches at most one prediction. A truth CSV's row left over whose relative
path, read from the current folder or the labelling's, is the file of a paired prediction (and
names no file from the CSV's folder) is that image again: counted once, or refused where its
label differs; so is a row that gives a file's name alone (`a.jpg`, naming no file from either
folder) beside the row that is that predicted file by its own path (rules 1 and 2), where no
other prediction and no other row names a file of that name. What is left over on either side is
counted and reported with a few examples, never dropped silently; so are files under a truth
folder that no prediction names and whose extension is not one `zsl label` walks
(discovery.IMAGE_EXTENSIONS): readme files, thumbnail databases. A truth folder is walked as
`zsl label` walks it (folder links followed, each real folder once, under the spelling without a
link where there is one); hidden files and folders (name starting with '.') below the class
folders count only when a prediction names them (`zsl label --include-hidden`), and are
otherwise left out unreported, as `zsl label` leaves them out by default. A folder an annotation
tool exports untagged images to beside the class folders (UNTAGGED_FOLDERS) is no class, but where
the run has a class so named: its images have no ground truth.

Paths are str in os.fsdecode form: undecodable bytes stay surrogate escapes and are never
encoded strictly here; the JSON writer keeps them as \\udcXX escapes. Paths read from files (a
truth CSV, the run info's folder) are UTF-8 text, turned into that form by path_from_text, and a
class folder's name is text (path_to_text), as the class names in classes.txt are, so that both
hold whatever the locale's file system encoding; a class folder, a truth CSV's label or a seen
list's line that is not UTF-8 text names no class and is refused.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import filecmp
import io
import json
import ntpath
import os
import re
import shlex
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import chain, islice, repeat
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple
from urllib.parse import urlsplit

import numpy as np

from zsl_cli.accents import accent_form, not_found_hint
from zsl_cli.classes import class_list_warnings, parse_attributes, parse_classes
from zsl_cli.discovery import (
    IMAGE_EXTENSIONS,
    extension_counts,
    is_folder_entry,
    real_folder_keys,
    walk_files,
)
from zsl_cli.errors import JSON_ERRORS, ZslError
from zsl_cli.files import absolute_path, file_identity, sidecar_path, streams_into
from zsl_cli.formatting import (
    compatible_name,
    counted,
    delimiter_hint,
    excel_delimiter,
    failure_counts,
    has_surrogates,
    loose_name,
    path_from_text,
    path_to_text,
    percent,
    printable,
    printable_text,
    quoted_text,
    some_names,
    unseen_differ,
)
from zsl_cli.metrics import (
    FAILED,
    SELECTIVE_MIN_IMAGES,
    UNKNOWN,
    CalibratedStacking,
    ClassificationMetrics,
    ClassStats,
    Confusion,
    SelectiveLabelling,
    calibrated_stacking,
    classification_metrics,
    gzsl_accuracy,
    selective_labelling,
    worst_first,
)
from zsl_cli.readers import (
    PREDICTION_COLUMNS,
    TRUTH_PATH_COLUMNS,
    header_name,
    read_predictions_and_run_info,
    unread_run_info,
)
from zsl_cli.records import (
    SCORE_FORMAT,
    STORE_BEHIND_STATUSES,
    TOP_K_SEPARATOR,
    Prediction,
    RankedScores,
)
from zsl_cli.store import embed_options, stale_store_hint
from zsl_cli.text_files import (
    LOOKALIKE_SPACES,
    STDIN_HINT,
    composed,
    escaped_byte,
    not_there_error,
    not_utf8_encoding,
    not_utf8_error,
    plain_emoji,
    quote_left_open,
    read_text_bytes,
    read_utf16,
    split_lines,
    strip_invisible,
    utf16_or_binary,
)
from zsl_cli.truth_exports import (
    LABEL_STUDIO_UPLOAD,
    UPLOAD_MAX_LENGTH,
    ExportedImage,
    UnsettledControl,
    coco_command,
    cut_command,
    datumaro_command,
    fiftyone_command,
    file_names_command,
    imagenet_solution_command,
    imagenet_txt_command,
    label_studio_export,
    path_column_command,
    transpose_command,
    unlabelled_rows_command,
    unquoted,
    uploaded_name,
)

DEFAULT_KS = (1, 5)
EXAMPLES = 5  # unmatched paths shown per side


@dataclass(frozen=True)
class TruthItem:
    path: str  # absolute and normalised
    relative: tuple[str, ...]  # parts relative to the truth root; () when there is none
    label: str
    shown: str  # how to name it in messages: relative path or the CSV's text
    image_like: bool = True  # False: not counted as unmatched when no prediction names it
    hidden: bool = False  # True: not even reported then (zsl label skips it by default)
    line: int = 0  # a truth CSV's line that names it first; 0 for a folder's file
    # An image uploaded to Label Studio: its stored path there (upload/3/f8c57b93-a.png), whose
    # file name alone, less the prefix, is `relative`; "" for any other.
    upload: str = ""


@dataclass(frozen=True)
class GroundTruth:
    source: str  # the folder, CSV or Label Studio export as given
    kind: Literal["folder", "csv", "label-studio"]
    classes: tuple[str, ...]  # every class the truth names (empty class folders included)
    items: tuple[TruthItem, ...]
    warnings: tuple[str, ...] = ()  # what reading it left out (an export's tasks left out)
    # A truth folder's images left out as untagged (`folder_truth_settled`), warned of where
    # labelled.
    untagged: tuple[TruthItem, ...] = ()
    # A CSV's path column, delimiter and header line, for a line that rewrites its paths.
    layout: tuple[int, str, int] | None = None


@dataclass(frozen=True)
class Unmatched:
    predictions: int  # predictions with no truth image
    prediction_examples: tuple[str, ...]
    truth: int  # truth images with no prediction
    truth_examples: tuple[str, ...]
    # Matches made by rule 3 (path relative to the truth root), but those of uploads.
    matched_by_relative_path: int
    ignored_files: int  # non-image files under a truth folder that no prediction names
    ignored_examples: tuple[str, ...]
    # Truth images left unpaired as several predictions end with their path (rule 3), and one
    # of them: (its path as shown, two of those predictions' paths).
    shared_endings: int = 0
    shared_example: tuple[str, ...] = ()
    # Matches made by rule 3 of images uploaded to Label Studio, by their file name alone.
    matched_by_upload_name: int = 0


@dataclass(frozen=True)
class Matching:
    pairs: tuple[tuple[int, int], ...]  # (prediction index, truth item index)
    unmatched: Unmatched


@dataclass(frozen=True)
class GzslResult:
    """Generalized zero-shot results, given a seen-class list: the mean per-class accuracy of
    the seen and the unseen classes, their harmonic mean H, and calibrated stacking."""

    seen_classes: tuple[str, ...]  # truth classes in the seen list
    unseen_classes: tuple[str, ...]  # the other truth classes
    seen: float | None
    unseen: float | None
    harmonic_mean: float | None
    calibrated: CalibratedStacking | None
    calibrated_reason: str  # why `calibrated` is None
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        if self.calibrated is None:
            stacking: dict[str, Any] = {"available": False, "reason": self.calibrated_reason}
        else:
            cal = self.calibrated
            stacking = {
                "available": True,
                "gamma": cal.gamma,
                "seen": cal.seen,
                "unseen": cal.unseen,
                "harmonic_mean": cal.harmonic_mean,
                "ausuc": cal.ausuc,
                "n_gammas": int(cal.gammas.size),
            }
        return {
            "seen": self.seen,
            "unseen": self.unseen,
            "harmonic_mean": self.harmonic_mean,
            "n_seen_classes": len(self.seen_classes),
            "n_unseen_classes": len(self.unseen_classes),
            "calibrated_stacking": stacking,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class EvaluationResult:
    """What `zsl evaluate` found: the metrics over the matched images, what was left unmatched
    on either side, the GZSL results, and notes and warnings for the reader."""

    predictions_source: str
    truth_source: str
    metrics: ClassificationMetrics
    unmatched: Unmatched
    gzsl: GzslResult | None  # only when a seen-class list was given
    notes: tuple[str, ...]  # things the reader should know (clipped k, classes without images)
    warnings: tuple[str, ...] = ()  # things that put the numbers in doubt (an interrupted run)
    # The labelling's run info read with the predictions (model, precision, classes, prompts,
    # ... as `zsl label` recorded it); None where they came without one.
    run_info: dict[str, Any] | None = None
    # The --threshold that keeps each share of the images, and the accuracy of what it keeps;
    # None where not computed (a result made otherwise than by `evaluate`).
    selective: SelectiveLabelling | None = None

    @property
    def n(self) -> int:
        return self.metrics.n

    def class_rows(self) -> list[ClassStats]:
        """Per-class rows, worst first (metrics.worst_first)."""
        return worst_first(self.metrics.per_class)

    def top_mistakes(self, limit: int = 10) -> list[tuple[str, str, int]]:
        """The most common (true class, predicted label, count); "unknown" counts, "failed" not."""
        return self.metrics.confusion.mistakes(limit)

    def to_json(self) -> dict[str, Any]:
        m = self.metrics
        result: dict[str, Any] = {
            "predictions": path_to_text(self.predictions_source),
            "truth": path_to_text(self.truth_source),
            "n": m.n,
            "n_classes": len(m.classes),
            "top_k": {
                str(t.k): {
                    "mean_per_class": t.mean_per_class,
                    "overall": t.overall,
                    "k_used": t.k_used,
                    "note": t.note,
                }
                for t in m.top_k
            },
            "per_class": {
                s.name: {
                    "support": s.support,
                    "accuracy": s.accuracy,
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                }
                for s in m.per_class
            },
            "macro_f1": m.macro_f1,
            "confusion": _confusion_json(m.confusion),
            "extra_predicted": dict(m.extra_predicted),
            "abstained": m.abstained,
            "failed": {"count": m.failed, "by_status": dict(m.failed_by_status)},
            "unmatched": {
                "predictions": unmatched_json(
                    self.unmatched.predictions, self.unmatched.prediction_examples
                ),
                "truth": unmatched_json(self.unmatched.truth, self.unmatched.truth_examples),
                "matched_by_relative_path": self.unmatched.matched_by_relative_path,
                "matched_by_upload_name": self.unmatched.matched_by_upload_name,
                "ignored_files": unmatched_json(
                    self.unmatched.ignored_files, self.unmatched.ignored_examples
                ),
            },
            "notes": list(self.notes),
            "warnings": list(self.warnings),
        }
        if self.gzsl is not None:
            result["gzsl"] = self.gzsl.to_json()
        if self.selective is not None:
            result["selective_labelling"] = selective_json(self.selective, self.run_info)
        if self.run_info is not None:  # which run the numbers measure
            result["run_info"] = copy.deepcopy(self.run_info)
        return result


SELECTIVE_CAVEAT = (
    "accuracies measured on this sample: a threshold chosen here promises nothing for other images"
)


def selective_json(
    selective: SelectiveLabelling, run_info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The selective-labelling curve as the JSON results give it: each coverage's --threshold,
    with its counts, and where the labelling `run_info` records a hubness reduction, what that
    does to them; where there is none, why."""
    if not selective.available:
        return {"available": False, "reason": selective.reason}
    reduced = {}
    if (note := _hubness_reduction_note(run_info)) is not None:
        reduced["hubness_reduction_note"] = note
    return {
        "available": True,
        "n": selective.n,
        "abstained": selective.abstained,
        "unscored": selective.unscored,
        "points": [
            {
                "coverage": point.coverage,
                "threshold": point.threshold,
                "kept": point.kept,
                "share": point.share,
                "correct": point.correct,
                "accuracy": point.accuracy,
                "mean_per_class": point.mean_per_class,
                "n_classes": point.n_classes,
            }
            for point in selective.points
        ],
        "note": SELECTIVE_CAVEAT,
        **reduced,
    }


def selective_rows(selective: SelectiveLabelling) -> tuple[list[str], list[list[str]]]:
    """The selective-labelling table's header and rows, a coverage's cells a row, as the text
    summary and the HTML report both show them."""
    header = ["coverage", "--threshold", "kept", "top-1", "mean per class"]
    rows = [
        [
            f"{100 * point.coverage:g}%",
            format(point.threshold, SCORE_FORMAT),
            f"{point.kept} ({percent(point.share)})",
            percent(point.accuracy),
            percent(point.mean_per_class),
        ]
        for point in selective.points
    ]
    return header, rows


def selective_notes(
    selective: SelectiveLabelling, run_info: dict[str, Any] | None = None
) -> list[str]:
    """What the reader of the selective-labelling table should know, a line each: what its
    shares are of, the abstentions it cannot keep, the images without a score, that its
    thresholds are this batch's where the labelling (`run_info`) used a hubness reduction, and
    that its accuracies are this sample's."""
    notes = [
        f"kept: of the {counted(selective.n, 'scored image')} with truth; mean per class: over "
        "the classes with kept images"
    ]
    if selective.abstained:
        one = selective.abstained == 1
        notes.append(
            f"{counted(selective.abstained, 'image')} labelled unknown here "
            f"{'has' if one else 'have'} no label: no threshold keeps {'it' if one else 'them'}, "
            f"so coverages above {percent(selective.most_kept)} need the sample labelled without "
            "--threshold"
        )
    if selective.unscored:
        notes.append(f"{counted(selective.unscored, 'image')} without a score left out")
    if (note := _hubness_reduction_note(run_info)) is not None:
        notes.append(note)
    notes.append(SELECTIVE_CAVEAT)
    return notes


def selective_left_out(selective: SelectiveLabelling | None) -> str | None:
    """Why the selective-labelling table is left out, as the text summary and the HTML report
    say it after the table's title: where enough images were scored for one, yet it has no row
    (most labelled unknown, one top score). None where the table is there, or left out as a
    rule, for a small sample (as --help says; --json's reason still tells it)."""
    if selective is None or selective.available or selective.n < SELECTIVE_MIN_IMAGES:
        return None
    return f"none, {selective.reason}"


def _hubness_reduction_note(run_info: dict[str, Any] | None) -> str | None:
    """Where the labelling used a hubness reduction, that a --threshold read off its scores
    does not carry to other images: the reduction is fitted on the images labelled together,
    so an image's score moves with the others in its run (as `zsl label` warns)."""
    method = run_info.get("hubness_reduction") if isinstance(run_info, dict) else None
    if not isinstance(method, str) or method in ("", "none"):
        return None
    return (
        f"these predictions were labelled with --hubness-reduction {printable_text(method)}, "
        "which scores each image against the others labelled with it: a --threshold read here "
        "holds for these images labelled together, not for others"
    )


def unmatched_json(count: int, examples: Iterable[str]) -> dict[str, Any]:
    """What stays unpaired on one side, as the JSON results give it: how many, and a few."""
    return {"count": count, "examples": [path_to_text(path) for path in examples]}


def evaluate_files(
    predictions_path: str | os.PathLike[str],
    truth_path: str | os.PathLike[str],
    *,
    ks: Sequence[int] = DEFAULT_KS,
    seen_path: str | os.PathLike[str] | None = None,
    seen: Collection[str] | None = None,
    stdin: IO[bytes] | None = None,
    check_images: Callable[[Iterable[str]], None] | None = None,
) -> EvaluationResult:
    """Read a predictions file (any format zsl writes; "-": `stdin`, else the process's), the
    truth and an optional seen list; or take the seen classes as names, `seen`, rather than a
    list's path. `check_images`, once both are read, is given the files they name (the truth's
    images, the predicted images), for a caller to refuse an output among them."""
    if seen_path is not None and seen is not None:
        raise ZslError("give the seen classes once: as a seen-class list's path or as names")
    own_truth = None
    # A folder is no predictions file, which reading it says.
    if _same_file(predictions_path, truth_path) and not os.path.isdir(predictions_path):
        own_truth = _truth_of_itself(truth_path)

    def truth_of(classes: set[str] | None = None) -> GroundTruth:
        # The predictions' classes tell which of a Label Studio project's controls holds them,
        # and whether a truth folder's no_label/ is a class; None before they are read.
        return own_truth if own_truth is not None else load_truth(truth_path, classes)

    def seen_entries() -> list[str] | None:
        if seen_path is not None:
            return read_seen_classes(seen_path)
        return None if seen is None else list(seen)

    # Predictions from a stream (stdin, a terminal, a pipe) wait for their writer, or for Ctrl-D
    # at a terminal: a --truth or --seen that is not there, or wrong, is said first, not after
    # that wait.
    streamed = os.fspath(predictions_path) == "-" or streams_into(Path(predictions_path))
    truth, seen_list = None, None
    if streamed:
        # An export whose control holding the classes takes the predictions' classes to tell
        # is read again once they are (refused now where no control they may tell reads it).
        with contextlib.suppress(UnsettledControl):
            truth = truth_of()
        seen_list = seen_entries()
    # A last line cut short (a run stopped mid-write) is left out: the others are still scored.
    read_warnings: list[str] = []
    predictions, run_info = read_predictions_and_run_info(
        predictions_path, warn=read_warnings.append, stdin=stdin, one_per_image=True
    )
    if not predictions and read_warnings:  # said here: evaluate's "no predictions" tells no why
        raise ZslError(f"{read_warnings[0]}, and the file holds no other")
    # The classes some image is labelled or ranked with; a class the run info lists but no
    # image was ranked with too.
    classes = {label for p in predictions for label in (p.label, *(s.label for s in p.top_k))}
    classes.update(_class_names(run_info) or ())
    if truth is None:
        truth = truth_of(classes)
    elif truth.kind == "folder":  # read before the predictions, whose classes settle it
        truth = folder_truth_settled(truth, classes)
    if not streamed:
        seen_list = seen_entries()
    if check_images is not None:
        check_images(_files_named(truth, predictions, _labelling_folder(run_info)))
    result = evaluate(
        predictions,
        truth,
        ks=ks,
        seen=seen_list,
        predictions_source=os.fspath(predictions_path),
        n_classes=_class_count(run_info),
        class_names=_class_names(run_info),
        base=_labelling_folder(run_info),
        store=_labelling_store(run_info),
        store_options=_store_embed_options(run_info),
        attribute_table=_attribute_table(run_info),
    )
    result = replace(result, warnings=(*read_warnings, *result.warnings), run_info=run_info)
    if run_info is not None and run_info.get("complete") is False:
        summary = run_info.get("summary")
        summary = summary if isinstance(summary, dict) else {}
        done, planned = summary.get("total"), summary.get("inputs")
        how_many = f" ({done} of {planned} images labelled)" if done and planned else ""
        warning = (
            f"the labelling run was interrupted{how_many}: these numbers cover only the images "
            "it reached"
        )
        result = replace(result, warnings=(warning, *result.warnings))
    # A sidecar the reader left: it records another size than the file has (written over, or
    # re-saved with other line ends or in UTF-16, since), or, written by an older zsl, other
    # counts or classes than the rows. Said, as its absence changes the numbers: classes never
    # offered, top-k and calibrated stacking, the base folder.
    from_file_without_run_info = run_info is None and os.fspath(predictions_path) != "-"
    if from_file_without_run_info and (unread := unread_run_info(predictions_path, predictions)):
        sidecar, why = unread
        warning = (
            f"the run info {printable(os.fspath(sidecar))} is not read: {why}; the labelling "
            "run's classes and folder are unknown"
        )
        result = replace(result, warnings=(*result.warnings, warning))
    return result


def _truth_of_itself(path: str | os.PathLike[str]) -> GroundTruth | None:
    """The truth of a file given as the predictions too, which only a Label Studio export may be
    (read as predictions, it is zsl's record of each task; as the truth, its annotators'
    choices): its truth, or None where the predictions' classes must tell which of its controls
    holds the classes. An export without ground truth is refused with its own error; any other
    file as the predictions file itself, as it would read as a path,label truth CSV and score
    every image right."""
    source = os.fspath(path)
    try:
        text = _read_text(source, "ground truth", utf16=True)
    except ZslError:
        text = ""  # no export: reading it as the predictions says what it is
    try:
        exported = _truth_from_export(text, source, ()) if text.lstrip()[:1] == "[" else None
    except UnsettledControl:
        return None
    if exported is None:
        raise ZslError(
            f"the ground truth {printable(source)} is the predictions file itself; give the "
            "true labels (a class-folder tree, a path,label CSV or a Label Studio project's "
            "JSON or JSON_MIN export)"
        )
    return exported


def _files_named(
    truth: GroundTruth, predictions: Sequence[Prediction], base: str | None
) -> Iterator[str]:
    """The files the truth and the predictions name: each truth image, and each predicted
    image from the labelling's folder (`base`) and from the current one (match_paths' rule 1)."""
    yield from (item.path for item in truth.items)
    for prediction in predictions:
        yield prediction.path
        if base and not os.path.isabs(prediction.path):
            yield os.path.join(base, prediction.path)


def _same_file(first: str | os.PathLike[str], second: str | os.PathLike[str]) -> bool:
    # Not os.path.samefile: where a drive gives no inode numbers it calls any two files one.
    try:
        return file_identity(os.stat(first), os.fspath(first)) == file_identity(
            os.stat(second), os.fspath(second)
        )
    except (OSError, ValueError):  # one is missing: reading it says so
        return False


def _labelling_folder(run_info: dict | None) -> str | None:
    """The folder the labelling ran in, which its relative paths start at, if it exists here."""
    folder = (run_info or {}).get("cwd")
    if not isinstance(folder, str):
        return None
    folder = path_from_text(folder)
    return folder if os.path.isdir(folder) else None


def _labelling_store(run_info: dict | None) -> str | None:
    """The embedding store the labelling read its images' vectors from, as a path from here: its
    run info records it as given, relative to the folder the labelling ran in."""
    store = (run_info or {}).get("embeddings")
    if not isinstance(store, str) or not store:
        return None
    store, folder = path_from_text(store), _labelling_folder(run_info)
    if folder is None or os.path.isabs(store):
        return store
    try:
        return os.path.relpath(os.path.join(folder, store))
    except ValueError:  # on Windows, on another drive than this folder
        return os.path.join(folder, store)


def _store_embed_options(run_info: dict | None) -> str | None:
    """The `zsl embed` options of the model the labelling read from its store (`-m`, the
    preprocessing, the store's precision), as its run info records them; None where it does
    not."""
    model = (run_info or {}).get("model")
    if not isinstance(model, dict) or not isinstance(name := model.get("name"), str):
        return None
    precision, revision = model.get("embeddings_precision"), model.get("revision")
    return embed_options(
        name,
        model.get("exact_preprocessing") is True,
        precision if isinstance(precision, str) else None,
        revision if isinstance(revision, str) else None,
    )


def _run_classes(run_info: dict | None) -> dict:
    """What the run info records of the classes the labelling run chose from."""
    classes = (run_info or {}).get("classes")
    return classes if isinstance(classes, dict) else {}


def _class_count(run_info: dict | None) -> int | None:
    """How many classes the labelling run chose from, as its run info records it."""
    count = _run_classes(run_info).get("n")
    return count if isinstance(count, int) and count > 0 else None


def _attribute_table(run_info: dict | None) -> str | None:
    """The attribute table the labelling run's classes came from, as its run info records it."""
    classes = _run_classes(run_info)
    sources = classes.get("sources")
    if classes.get("mode") != "attributes" or not isinstance(sources, list) or len(sources) != 1:
        return None
    return sources[0] if isinstance(sources[0], str) else None


def transposed_attributes_hint(
    truth_classes: Collection[str], table: str | None, base: str | None, again: str = "label again"
) -> str:
    """A note where every truth class is an attribute name of the run's attribute `table` (a
    path from the labelling's folder, `base`, or from here): a table written attributes x
    classes (as xlsa17's `att` is stored), its attributes labelled as the classes (or measured
    so by `zsl hubness --truth`). `again`: what to do with the table transposed."""
    if table is None or not truth_classes:
        return ""
    found = next((path for path in (_from(base, table), table) if os.path.isfile(path)), None)
    if found is None:
        return ""
    if found != table:
        # Named as found from here: the run info's path starts at the labelling's folder, and
        # the awk line below would read another file, or none, from another folder.
        with contextlib.suppress(ValueError):  # on Windows, on another drive than this folder
            found = os.path.relpath(found)
    try:
        text = _read_text(found, "attribute table")
        attributes = parse_attributes(text, printable(found)).attributes
    except (ZslError, OSError):
        return ""  # read at labelling, changed since: no hint
    spelling = class_spelling(list(attributes.names) if attributes else [])
    if not all(spelling(name) for name in truth_classes):
        return ""
    transpose = ""
    if "," in text.lstrip("\ufeff").partition("\n")[0]:
        transpose = f", e.g. `{transpose_command(found)}`"
    return (
        f" (the truth's classes are the attribute names of {printable(found)}, the classes its "
        "rows name: a table written attributes x classes? write it transposed, a row per class"
        f"{transpose}, and {again})"
    )


def _class_names(run_info: dict | None) -> list[str] | None:
    """The classes the labelling run chose from, as its run info records them."""
    names = _run_classes(run_info).get("names")
    if isinstance(names, list) and names and all(isinstance(name, str) for name in names):
        return names
    return None


def evaluate(
    predictions: Sequence[Prediction],
    truth: GroundTruth,
    *,
    ks: Sequence[int] = DEFAULT_KS,
    seen: Collection[str] | None = None,
    predictions_source: str = "predictions",
    n_classes: int | None = None,
    class_names: Collection[str] | None = None,
    base: str | None = None,
    store: str | None = None,
    store_options: str | None = None,
    attribute_table: str | None = None,
) -> EvaluationResult:
    """Match already-read predictions to the truth and compute every metric.

    `seen`: the seen classes, or a seen list's entries (see `seen_class_names`). `class_names`
    or, if only that is known, `n_classes`: the classes the predictions chose from (the run info
    records them); without either, the classes any prediction names stand in for them. `base`:
    the folder relative prediction paths start at (default: the current one). `store`: the
    embedding store the predictions were labelled from, as their run info records it, and
    `store_options` the `zsl embed` options of its model (`store.embed_options`), if known.
    `attribute_table`: the attribute table the run labelled with (its path, from the run info),
    read again only to say why no truth class is among the run's.
    """
    if not ks or any(k < 1 for k in ks):
        raise ZslError(f"top-k values must be 1 or more (got {', '.join(map(str, ks)) or 'none'})")
    if not predictions:
        raise ZslError(f"{printable(predictions_source)}: no predictions to evaluate")
    if class_names is not None:
        n_classes = len(class_names)
    ranked: set[str] = set()  # every class name a ranking holds
    for p in predictions:
        ranked.update(_ranked_labels(p))
    named = {p.label for p in predictions} | ranked
    named.update(class_names or ())
    if respelling := _one_spelling_each(named, class_names):
        predictions = [_respelled(p, respelling) for p in predictions]
        ranked = {respelling.get(name, name) for name in ranked}
        named = {respelling.get(name, name) for name in named}
    truth = spelled_as(truth, named)
    _refuse_reserved_labels(truth)
    # `named` holds every label: a search of each ranking only where one may hold it.
    if FAILED in named and any(
        p.ok and (p.label == FAILED or FAILED in _ranked_labels(p)) for p in predictions
    ):
        raise ZslError(
            f"{printable(predictions_source)}: class '{FAILED}' is a reserved name in evaluation "
            f"(images that could not be labelled); relabel with that class renamed"
        )

    matching = match_paths(
        [p.path for p in predictions], truth, base=base, source=predictions_source
    )
    if not matching.pairs:
        paths = [p.path for p in predictions]
        raise ZslError(
            _nothing_matched_message(paths, truth, predictions_source, base, matching.unmatched)
        )

    matched = [predictions[j] for j, _ in matching.pairs]
    truth_labels = [truth.items[i].label for _, i in matching.pairs]
    scored = (
        truth_labels,
        [p.label for p in matched],
        [_ranked_labels(p) for p in matched],
        [p.status for p in matched],
        ks,
    )

    def name_of(item: int) -> str:  # how a note names an image
        return printable(matched[item].path)

    metrics = classification_metrics(*scored, n_classes, name_of)
    known = {*truth.classes, *ranked}
    if n_classes is None and (edited := set(_edited_labels(matched, None, known))):
        # Without the run info the classes offered stand in for the run's; a label typed since
        # ('Circle') was never one of them, and counted, it clipped k to a class more than any
        # ranking holds: top-k not computable, for every image.
        metrics = classification_metrics(
            *scored, len(set(metrics.candidates) - edited) or None, name_of
        )

    notes = [t.note for t in metrics.top_k if t.note]
    # Names that match nothing are most often a mistake (a typo, another case, another
    # encoding), and so warnings rather than notes.
    warnings = [*truth.warnings]
    warnings += folder_truth_warnings(truth, matching, [p.path for p in predictions], base)
    warnings += _shared_ending_warnings(matching.unmatched, predictions_source, base)
    warnings += _left_out_images_warnings(truth, matching)
    warnings += _alike_but_for_case_warnings(truth, matching, [p.path for p in predictions])
    warnings += upload_warnings(truth, matching, [p.path for p in predictions], "prediction")
    # A class the run could choose but never did is a result, not a mistake; without the run
    # info, the classes some image was labelled or ranked with stand in for the run's.
    offered = named - {UNKNOWN, ""} if class_names is None else set(class_names)
    if seen is not None:
        # Its own refusal says which class each truth label is: said before no class matching.
        check_truth_spelling(metrics.classes, offered)
    choices = metrics.candidates if class_names is None else tuple(class_names)
    missing = sorted(set(metrics.classes) - set(choices))
    if missing and (class_names is not None or any(p.ok for p in matched)):  # else failures
        hints = class_mismatch_hints(truth, missing, choices, metrics.classes)
        hints += transposed_attributes_hint(metrics.classes, attribute_table, base)
        if class_names is not None and len(missing) == len(metrics.classes):
            # Every image scored 0% whatever the model did: a result nobody could use.
            raise ZslError(
                f"{printable(truth.source)}: no truth class of the "
                f"{counted(len(matched), 'evaluated image')} is among the {len(class_names)} "
                f"classes the run labelled with (their truth classes: {_some_classes(missing)}; "
                f"classes: {_some_classes(sorted(class_names))})" + hints
            )
        where = (
            f"among the {len(class_names)} classes the run labelled with"
            if class_names is not None
            else "the label or a ranked class of any image"
        )
        warnings.append(
            f"{counted(len(missing), 'truth class is', 'truth classes are')} not {where} (do "
            f"the class names match the truth's?): {_some_classes(missing)}" + hints
        )
    warnings += [_respelled_warning(respelling)] if respelling else []
    warnings += _unknown_label_warnings(matched, class_names, known)
    warnings += _repeated_class_warnings(matched, max(ks))
    # Labels with another status are a status edited since (warned of below).
    if matched and not any(p.ok or p.label for p in matched):
        each, error = (
            ("the one evaluated image", "its error")
            if len(matched) == 1
            else (f"each of the {len(matched)} evaluated images", "each one's error")
        )
        warnings.append(
            f"no image was labelled: {each} failed in the predictions "
            f"({failure_counts(metrics.failed_by_status)}) and counts as wrong; {error} says why"
        )
    # zsl label writes 'unknown' where it abstains: an ok row without a label was emptied since.
    unlabelled = [p for p in matched if p.ok and not p.label]
    if unlabelled:
        warnings.append(
            f"{counted(len(unlabelled), 'image has', 'images have')} status ok but no label "
            f"(e.g. '{printable(unlabelled[0].path)}'; a cell emptied in a spreadsheet, or a "
            "missing value as pandas writes it?): each counts as an abstention, never correct"
        )
    # zsl writes an image it could not label without a label: one with a label and another
    # status than ok had its status emptied or typed otherwise ('OK', 'ok ') since.
    mislabelled = [p for p in matched if not p.ok and p.label]
    if mislabelled:
        statuses = sorted({f"'{printable_text(p.status)}'" for p in mislabelled})
        warnings.append(
            f"{counted(len(mislabelled), 'image has', 'images have')} a label but not the "
            f"status ok ({some_names(statuses, 3)}; e.g. '{printable(mislabelled[0].path)}': a "
            "status emptied or typed otherwise?): each counts as failed, never correct"
        )
    warnings += _stale_store_warnings(matched, store, store_options, base)
    warnings += _score_warnings(matched)
    without_images = sorted(set(truth.classes) - set(metrics.classes))
    if without_images:
        notes.append(
            f"{counted(len(without_images), 'truth class has', 'truth classes have')} no "
            f"evaluated images, left out of the averages: {_some_classes(without_images)}"
        )
    if metrics.extra_predicted or metrics.abstained:
        notes.append(
            macro_f1_note(len(metrics.classes), len(metrics.extra_predicted), metrics.abstained)
        )
    notes += _paired_by_ending_notes(matching.unmatched)
    gzsl = None
    if seen is not None:
        known = {*truth.classes, *metrics.candidates, *(class_names or ())}
        seen_names = seen_class_names(seen, known)
        among = "the run's classes" if class_names is not None else "the predicted classes"
        warnings += unknown_seen_warnings(seen_names, known, among)
        warnings += _not_generalised_warnings(seen_names, truth.classes, class_names)
        # Only the run info tells a class no image was offered from one not predicted by chance.
        outside = [] if class_names is None else sorted(set(metrics.classes) - offered)
        gzsl = _gzsl(matched, truth_labels, metrics, seen_names, n_classes, outside)
    return EvaluationResult(
        predictions_source=predictions_source,
        truth_source=truth.source,
        metrics=metrics,
        unmatched=matching.unmatched,
        gzsl=gzsl,
        notes=tuple(notes),
        warnings=tuple(warnings),
        selective=selective_labelling(
            truth_labels,
            [p.label for p in matched],
            [p.score for p in matched],
            [p.status for p in matched],
        ),
    )


def _refuse_reserved_labels(truth: GroundTruth) -> None:
    """Refuse a truth class named as evaluation names abstentions and failed images. A truth
    CSV's row so labelled is a labelling team's "could not tell" (no class a model can predict,
    which renamed would score 0%): refused at its line, as rows to leave out."""
    reserved = sorted({UNKNOWN, FAILED} & set(truth.classes))
    if not reserved:
        return
    name = reserved[0]
    what = f"'{name}' is a reserved name in evaluation (abstentions and failed images)"
    if truth.kind == "folder":
        raise ZslError(f"{printable(truth.source)}: class {what}; rename that class")
    if truth.kind == "label-studio":
        example = next(item.shown for item in truth.items if item.label == name)
        raise ZslError(
            f"{printable(truth.source)}: the choice {what}: skip those tasks in Label Studio "
            f"instead (e.g. that of '{printable(example)}'), as skipped tasks are no ground truth"
        )
    rows = [item.line for item in truth.items if item.label == name]
    if not rows:  # a one-hot table's column that marks no image
        raise ZslError(f"{printable(truth.source)}: the class column {what}; leave it out")
    those, whose = (
        ("that row", "its image") if len(rows) == 1 else (f"those {len(rows)} rows", "their images")
    )
    raise ZslError(
        f"{printable(truth.source)}, line {rows[0]}: the label {what}: leave {those} out, as no "
        f"class fits {whose}"
    )


def _paired_by_ending_notes(unmatched: Unmatched) -> list[str]:
    """Notes of the predictions paired by rule 3: by their path relative to the truth root, and
    apart, by an uploaded image's file name alone (the upload kept no folder)."""
    notes = []
    relative = unmatched.matched_by_relative_path
    if relative:
        notes.append(
            f"{counted(relative, 'prediction')} matched the truth by "
            f"{'its' if relative == 1 else 'their'} path relative to the truth root, not by "
            "absolute path"
        )
    if uploads := unmatched.matched_by_upload_name:
        images = "an image" if uploads == 1 else "images"
        notes.append(
            f"{counted(uploads, 'prediction')} matched {images} uploaded through Label Studio's "
            f"web page by {'its' if uploads == 1 else 'their'} file name alone"
        )
    return notes


def _shared_ending_warnings(unmatched: Unmatched, source: str, base: str | None) -> list[str]:
    """A warning where truth images stay unpaired as several predictions end with their path
    (rule 3 guesses none of them): most often predictions of several sets holding the same
    names (set1/cat/a.jpg, set2/cat/a.jpg), read away from where they were labelled and without
    their run info, whose folder would have paired them by their own paths."""
    if not unmatched.shared_endings:
        return []
    return [_shared_ending_clause(unmatched, "predictions", _shared_ending_fixes(source, base))]


def _shared_ending_clause(unmatched: Unmatched, what: str, fixes: str) -> str:
    """How many truth images end like several of `what` (predictions, images), one of them
    with two of those, and `fixes`."""
    image, first, second = map(printable, unmatched.shared_example)
    return (
        f"{counted(unmatched.shared_endings, 'truth image ends', 'truth images each end')} "
        f"like several {what}, and {'is' if unmatched.shared_endings == 1 else 'are'} "
        f"paired with none (e.g. '{image}': '{first}' and '{second}'): {fixes}"
    )


def _shared_ending_fixes(source: str | None, base: str | None) -> str:
    """What pairs truth images that several predictions end like (`source`: the predictions
    file; None: hubness's images, named from here)."""
    if source is None:
        return "give a truth CSV with the images' paths (their class folders too)"
    fixes = "give a truth CSV with the predictions' paths"
    if base is None:  # the run info's folder is unknown here: the predictions came without it
        if source == "-":
            run_info = "evaluate the predictions' file with its run info beside it, not a pipe"
        elif os.path.isfile(source):
            sidecar = printable(os.fspath(sidecar_path(source)))
            run_info = f"keep its run info ({sidecar}) beside the predictions"
        else:  # predictions given from Python
            run_info = "give the labelling run's folder as the base"
        fixes = f"run zsl evaluate in the folder the labelling ran in, {run_info}, or {fixes}"
    return fixes


def _left_out_images_warnings(truth: GroundTruth, matching: Matching) -> list[str]:
    """A warning where a truth folder holds images no prediction names that `zsl label` left
    out by their extension (.tga, .jp2: Pillow reads them, label walks IMAGE_EXTENSIONS): they
    are truth images the metrics never see, which only --json's ignored_files counted, beside
    readme files and thumbnail databases. Whoever evaluates may never have seen label's warning
    of them."""
    if not matching.unmatched.ignored_files:
        return []
    from zsl_cli.images import pillow_extensions  # Pillow's registry: only where it is needed

    readable = pillow_extensions()
    paired = {i for _, i in matching.pairs}
    left_out = [
        item
        for i, item in enumerate(truth.items)
        if i not in paired
        and not item.image_like
        and not item.hidden
        and os.path.splitext(item.path)[1].lower() in readable
    ]
    if not left_out:
        return []
    counts = extension_counts(Counter(os.path.splitext(item.path)[1].lower() for item in left_out))
    shown = [f"'{printable(item.shown)}'" for item in left_out[:EXAMPLES]]
    one = len(left_out) == 1
    return [
        f"{counted(len(left_out), 'image')} of the truth folder {'is' if one else 'are'} not "
        f"evaluated, as zsl label leaves {'its extension' if one else 'their extensions'} out "
        f"({counts}): {some_names(shown, EXAMPLES, len(left_out))}; label with --ext naming "
        f"{'it' if one else 'them'} as well (--ext replaces the default list)"
    ]


def _alike_but_for_case_warnings(
    truth: GroundTruth, matching: Matching, paths: Sequence[str]
) -> list[str]:
    """A warning where unpaired truth images are named as an unpaired prediction is but for
    case (its folder and file name): a truth written on a disk that ignores case (Windows,
    macOS) names `1.jpg` for the `1.JPG` labelled, one file there and two names here."""
    paired_truth = {i for _, i in matching.pairs}
    paired_predictions = {j for j, _ in matching.pairs}

    def key(parts: tuple[str, ...]) -> tuple[str, ...]:
        return parts[-2:]

    lost: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
    for j, path in enumerate(paths):
        if j not in paired_predictions:
            ending = key(_ending(_parts(path)))
            lost.setdefault(tuple(part.casefold() for part in ending), (ending, path))
    alike = []
    for i, item in enumerate(truth.items):
        if i in paired_truth or not item.image_like or item.hidden:
            continue
        ending = key(_ending(item.relative or _parts(item.path)))
        found = lost.get(tuple(part.casefold() for part in ending))
        if found is not None and found[0] != ending:
            alike.append((item.shown, found[1]))
    if not alike:
        return []
    shown, predicted = map(printable, alike[0])
    one = len(alike) == 1
    return [
        f"{counted(len(alike), 'truth image')} without prediction {'is' if one else 'are'} "
        f"named as a prediction is but for case (e.g. '{shown}' and '{predicted}'): names that "
        f"differ in case are two files here, one on a disk that ignores case (Windows, macOS); "
        f"write the truth's paths as the files are named"
    ]


def _stale_store_warnings(
    matched: Sequence[Prediction], store: str | None, options: str | None, base: str | None
) -> list[str]:
    """A warning where images failed as the store they were labelled from lacks them, or holds
    them as they were before they changed: not images that cannot be read, but ones that want
    `zsl embed` and labelling again, and which lower every metric until then. `options`: the
    model's `zsl embed` options, None where unknown; `base`: the folder the labelling ran in."""
    absent = Counter(p.status for p in matched if p.status in STORE_BEHIND_STATUSES)
    if not absent:
        return []
    n = sum(absent.values())
    them, were = ("it", "it was") if n == 1 else ("them", "they were")
    named = "the store" + (f" {printable(store)}" if store else "")
    # The way out in label's summary's words. PATH... is what the labelling was given, relative
    # to its folder: away from it, the command goes there first, and names the store from there.
    folder = None
    if base is not None and not _same_file(base, os.curdir):
        try:
            folder = os.path.relpath(base)
        except ValueError:  # on Windows, on another drive than this folder
            folder = base
        if store is not None and not os.path.isabs(store):
            store = os.path.relpath(store, base)
    given = "the paths the labelling was given"
    hint = stale_store_hint(absent, store, options, "label again", given, folder)
    return [
        f"{counted(n, 'image was', 'images were')} not labelled because {named} lacks {them} or "
        f"holds {them} as {were} before a change ({failure_counts(absent)}): each counts as "
        f"failed, lowering every metric; {hint}"
    ]


def _score_warnings(matched: Sequence[Prediction]) -> list[str]:
    """A warning for each kind of score no zsl head writes, found in the evaluated rows (a file
    edited or written otherwise): scores that are not finite, scores outside [0, 1], ranked
    classes whose scores do not fall. The metrics take them as written, where only calibrated
    stacking noticed any. Checked on all rows' scores at once: a loop over 100,000 rows' arrays
    took seconds."""
    rankings = [RankedScores.of(p.top_k).scores for p in matched]
    scores = np.concatenate([*rankings, [np.nan if p.score is None else p.score for p in matched]])
    rows = np.concatenate(
        [
            np.repeat(np.arange(len(matched)), [len(ranked) for ranked in rankings]),
            # a failed row's missing score is no score written
            [-1 if p.score is None else i for i, p in enumerate(matched)],
        ]
    )
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(scores)
        outside = finite & ((scores < 0) | (scores > 1))
    ranked = rows[: len(scores) - len(matched)]
    ranked_scores = scores[: len(ranked)]
    # the next class of the same row scores more than the one ranked before it
    rising = (ranked[1:] == ranked[:-1]) & (ranked_scores[1:] > ranked_scores[:-1])
    kinds = (
        (rows[~finite & (rows >= 0)], "scores that are not finite (nan, inf)"),
        (rows[outside], "scores outside [0, 1], which no zsl model gives"),
        (ranked[1:][rising], "ranked classes whose scores rise down the ranking"),
    )
    warnings = []
    for found, what in kinds:
        if len(found):
            images = np.unique(found)
            first = matched[int(images[0])]
            warnings.append(
                f"{counted(len(images), 'image has', 'images have')} {what} (e.g. "
                f"'{printable(first.path)}'; edited after labelling, or written otherwise?): "
                "the metrics take them as written"
            )
    return warnings


MACRO_F1_NOTE = "macro F1 "  # how the note on which classes macro F1 averages begins


def macro_f1_note(n_classes: int, predicted_only: int, abstained: int) -> str:
    """Which classes macro F1 averages (metrics' rule: the truth's), said where some class is
    only predicted or some image abstained, since scikit-learn's default macro average (over the
    union of the labels) would add an F1 of 0 for each of those classes and for 'unknown', and
    so differ."""
    extras = []
    if predicted_only:
        extras.append(f"the {counted(predicted_only, 'class', 'classes')} only predicted")
    if abstained:
        extras.append(f"'{UNKNOWN}' ({counted(abstained, 'image', 'images')} abstained)")
    return (
        f"{MACRO_F1_NOTE}over the {counted(n_classes, 'truth class', 'truth classes')} "
        f"evaluated; scikit-learn's macro average also adds, at F1 0, {' and '.join(extras)}"
    )


def _unknown_label_warnings(
    matched: Sequence[Prediction], class_names: Collection[str] | None, named: set[str]
) -> list[str]:
    """A warning where scored images are labelled with a name that is none of the run's classes
    (`class_names`, its run info's) or, without those, none of `named` (the truth's classes and
    those any image ranks). zsl label writes only its classes (and 'unknown', and nothing where
    an image failed), so such a label was edited since ('Cat', 'cat ' in a spreadsheet). It is
    scored as written, never matched loosely, as the truth's labels are not."""
    odd = _edited_labels(matched, class_names, named)
    if class_names is not None:
        known = set(class_names)
        where = f"not among the {len(class_names)} classes the run labelled with"
    else:
        known = named
        where = "that {} neither a truth class nor ranked for any image"
    if not odd:
        return []
    names = sorted(set(odd))
    if len(odd) == 1:
        which = f"1 image has a label {where.format('is')} (edited since?), scored as written"
    else:
        which = (
            f"{len(odd)} images have labels {where.format('are')} (edited since?), each scored "
            "as written"
        )
    shown = [f"'{_spaces_shown(printable_text(name))}'" for name in names]
    return [f"{which}: {some_names(shown)}" + other_case_hint(names, known, "the predictions")]


def _edited_labels(
    matched: Sequence[Prediction], class_names: Collection[str] | None, named: set[str]
) -> list[str]:
    """The labels of scored images, one per image, that are none of the run's classes
    (`class_names`) or, without those, none of `named` (the truth's classes and those any image
    ranks): labels edited since (`_unknown_label_warnings`)."""
    checked = [p for p in matched if p.ok and p.label and p.label != UNKNOWN]
    if class_names is not None:
        known = set(class_names)
    else:
        known = named
        # A label with no ranking beside it (a file whose top_k was dropped) has nothing to be
        # checked against: a class no image ranks may still be one of the run's.
        checked = [p for p in checked if _ranked_labels(p)]
    return [p.label for p in checked if p.label not in known]


def _one_spelling_each(
    names: Collection[str], class_names: Collection[str] | None
) -> dict[str, str]:
    """Each of these class names (the predictions' labels and ranked classes, and the run's
    classes) that is another's spelling with its accents composed (NFC) or decomposed (NFD), and
    the spelling to count it under: the run's (`class_names`), else the composed one, a choice
    that does not depend on how many classes each row ranks. No run holds both (a class list
    takes them for one name, a duplicate), but outputs of runs joined into one file may, one
    labelled from a list saved on a Mac, and so may a label retyped in a spreadsheet: counted as
    two classes, right answers scored as mistakes, and k clipped to a class no ranking holds."""
    spellings: dict[str, set[str]] = {}
    for name in names:
        spellings.setdefault(composed(name), set()).add(name)
    respelling: dict[str, str] = {}
    for key, group in spellings.items():
        if len(group) > 1:
            run_spelling = sorted(group.intersection(class_names or ()))
            keep = run_spelling[0] if run_spelling else key if key in group else min(group)
            respelling.update((name, keep) for name in group if name != keep)
    return respelling


def _respelled(prediction: Prediction, respelling: dict[str, str]) -> Prediction:
    """The prediction with its label and ranked classes spelled as `respelling` says."""
    ranked = RankedScores.of(prediction.top_k)
    labels = tuple(respelling.get(name, name) for name in ranked.labels)
    label = respelling.get(prediction.label, prediction.label)
    if labels != ranked.labels:
        return replace(prediction, label=label, top_k=RankedScores(labels, ranked.scores))
    return prediction if label == prediction.label else replace(prediction, label=label)


def _respelled_warning(respelling: dict[str, str]) -> str:
    """The warning that the predictions spell some classes both composed and decomposed, naming
    the first one's spellings (which print alike) by form and code point."""
    classes = sorted(set(respelling.values()))
    first = classes[0]
    group = [first, *sorted(name for name, keep in respelling.items() if keep == first)]
    shown = " and in ".join(f"{accent_form(name)}{_accents_shown(name, group)}" for name in group)
    more = f" ({counted(len(classes) - 1, 'other class is', 'other classes are')} so)"
    return (
        f"the predictions spell {counted(len(classes), 'class', 'classes')} with accents "
        "composed in some rows and decomposed in others, which print alike (outputs of runs "
        "whose class lists were saved on a Mac and elsewhere, joined; or a label retyped "
        f"since?): '{printable_text(first)}' in {shown}"
        + (more if len(classes) > 1 else "")
        + ("; counted as one class" if len(classes) == 1 else "; each counted as one class")
    )


def _accents_shown(name: str, group: Sequence[str]) -> str:
    """The characters in which `name` differs from the other spellings in `group`, by code point
    (`é, U+00E9`; `e + U+0301`), where they are a few; else ''."""
    start = len(os.path.commonprefix(list(group)))
    end = len(os.path.commonprefix([other[start:][::-1] for other in group]))
    part = name[start : len(name) - end]
    if not part or len(part) > 3:
        return ""
    printed = [unicodedata.category(char)[0] in "LNPS" for char in part]
    if all(printed):  # a letter that holds its accent
        points = " + ".join(f"U+{ord(char):04X}" for char in part)
        return f" ({printable_text(part)}, {points})"
    said = [
        printable_text(char) if shown else f"U+{ord(char):04X}"
        for char, shown in zip(part, printed, strict=True)
    ]
    return f" ({' + '.join(said)})"


def _some_classes(names: Sequence[str]) -> str:
    """The first few of these class names for a message, shown as errors show them: a byte that
    is not UTF-8 as \\xe9, not Python's \\udce9, and control characters escaped, so a folder's
    name cannot send escape sequences to the terminal."""
    return some_names([printable_text(name) for name in names])


def class_mismatch_hints(
    truth: GroundTruth,
    missing: Collection[str],
    classes: Collection[str],
    truth_classes: Collection[str] | None = None,
) -> str:
    """The one set of hints, for `evaluate` and `hubness` alike, on why these truth classes
    (`missing`) are none of the run's `classes`: written otherwise (case, '_' or '+', a number
    before them as CUB's folders have), a truth folder a level too high or one that is no
    class-folder tree (SUN397's letter folders), class indices, a prefix, WordNet ids.
    `truth_classes`: every truth class of the evaluated images (default: `missing`), whose
    spelling as a whole the last hints read."""
    every = sorted(missing if truth_classes is None else truth_classes)
    return (
        other_case_hint(missing, classes)
        + _numbered_names_hint(missing, classes)
        + level_down_hint(truth, missing, classes)
        + _numbers_hint(every, classes)
        + _prefix_hint(every, classes)
        + _wordnet_hint(every)
    )


# A class id and a dot or white space before a name: CUB's `001.Black_footed_Albatross`,
# AwA2's classes.txt line `1\tantelope` (tabs kept by a seen list read as names), `1 antelope`.
_NUMBER_BEFORE_NAME = re.compile(r"\s*\d+(?:\.|\s+)(?P<name>\S.*)", re.DOTALL)


def _numbered_names_hint(names: Iterable[str], classes: Iterable[str], source: str = "") -> str:
    """Where some of these names (of the truth, else of a seen list: `source`) are a class's
    name behind a class id (`001.Black_footed_Albatross` for `Black footed Albatross`, as CUB's
    folders and xlsa17's lists name the classes), written otherwise as `other_case_hint` takes
    it: the id is part of the name, which so never matches."""
    loosely = _loose_classes(list(classes))
    pairs = [
        (name, found[0])
        for name in names
        if (match := _NUMBER_BEFORE_NAME.fullmatch(name)) and (found := loosely(match["name"]))
    ]
    if not pairs:
        return ""
    name, other = (printable_text(text) for text in pairs[0])
    where = f"in {source or 'the truth'}"
    if source:
        fix = f"write each name as the classes do ('{other}')"
    else:
        # The truth keeps the dataset's names: the classes may take them too, with prompts of
        # their own, so the id reaches no prompt.
        fix = (
            "give a truth CSV (path,label) that labels each image with its class name, or name "
            f"the classes as the truth does, each with its prompts, such as '{name}: a photo of "
            f"a {other}.'"
        )
    more = f" ({counted(len(pairs) - 1, 'other name is', 'other names are')} so)"
    return (
        f" ('{name}' {where} is '{other}' among the classes behind a class id"
        + (more if len(pairs) > 1 else "")
        + f": {fix})"
    )


def _seen_not_utf8_hint(names: Iterable[str]) -> str:
    """A hint to save the seen list as UTF-8 when some of its names hold bytes that are not
    UTF-8 (a file saved in Latin-1 or Windows-1252: café read as caf\\xe9 never matches a UTF-8
    café)."""
    if not any(map(has_surrogates, names)):
        return ""
    return " (some are not UTF-8 text: save the seen-class list as UTF-8)"


def _numbers_hint(
    names: Iterable[str],
    classes: Iterable[str],
    whose: str = "the truth's labels",
    fix: str = "write each image's class name, as the class list names it",
) -> str:
    """A note where every truth label is a number and no class is (a CIFAR-style CSV of class
    indices): which class an index stands for is not guessed, and none matches a name."""
    number = re.compile(r"\d+(\.0*)?")  # 3, or 3.0 as pandas writes a column of floats
    if not all(number.fullmatch(name.strip()) for name in names):
        return ""
    if any(number.fullmatch(name.strip()) for name in classes):
        return ""
    return f" ({whose} are numbers (class indices?): {fix})"


def _prefix_hint(names: Sequence[str], classes: Iterable[str]) -> str:
    """A note where the truth's classes are class names behind one prefix ending in '_'
    (`label_cat`, as pandas' get_dummies names the columns of a one-hot table)."""
    common = os.path.commonprefix(list(names))
    prefix = common[: common.rfind("_") + 1]
    spelling = class_spelling(list(classes))
    if not prefix or not any(spelling(name[len(prefix) :]) for name in names):
        return ""
    return (
        f" (the truth's classes are the class names after '{printable_text(prefix)}': rename them)"
    )


def _wordnet_hint(names: Iterable[str]) -> str:
    """A note where every truth class is a WordNet id (ImageNet's folders, n01440764): the
    class list names the classes in words, and `id: prompts` keeps the id as the label."""
    if not all(re.fullmatch(r"n\d{8}", name) for name in names):
        return ""
    return (
        " (the truth's classes are WordNet ids, as ImageNet's folders are named: name the "
        "classes so, each with its prompts, such as 'n01440764: a photo of a tench.')"
    )


def other_case_hint(names: Iterable[str], classes: Iterable[str], source: str = "the truth") -> str:
    """Where some of these names (of the truth, or of another `source`) are a class's name but
    for case, runs of white space or words joined by '_' or '+' (a folder Cat/ for the class
    cat, grizzly+bear/ for grizzly bear), `loose_name` taking both: they are scored as written,
    so never match. Compared so as `class_spelling` compares a name with classes, invisible
    marks and emoji selectors aside (Cat with a zero-width space is still cat written
    otherwise), and else in compatibility form (`compatible_name`: half-width ｶﾒﾗ for カメラ,
    full-width ＣＰＵ for CPU). A prediction's label is scored as written, end spaces too ('dog '
    edited in a spreadsheet), which the warning's list of names cannot show."""
    classes = list(classes)
    loosely, compatibly = _loose_classes(classes), _loose_classes(classes, compatible_name)
    pairs = [(name, found[0]) for name in names if (found := loosely(name) or compatibly(name))]
    if not pairs:
        return ""
    shown = [
        f"{written} in {source} is {there} among the classes"
        for written, there in map(_pair_shown, pairs)
    ]
    return f" ({some_names(shown, 3)})"


def _pair_shown(pair: tuple[str, str]) -> tuple[str, str]:
    """A name and the class it is written otherwise, in quotes: with the characters that print
    as nothing escaped on both sides where the two differ in them, where the hint read 'red
    square' in the truth is 'red square' for a truth folder holding a zero-width joiner."""
    name, other = pair
    if unseen_differ(name, other):
        return quoted_text(name, ignorable_escaped=True), quoted_text(other, ignorable_escaped=True)
    return f"'{_spaces_shown(printable_text(name))}'", f"'{printable_text(other)}'"


def level_down_hint(truth: GroundTruth, names: Collection[str], classes: Iterable[str]) -> str:
    """Where these truth classes are folders of class folders (photos/train/cat, a split level
    above the classes): the truth folder given is a level too high, and every image is counted
    under its split's name, wrong. Where no folder level holds one class per folder, as in
    SUN397 (`a/abbey/`, `a/apartment_building/outdoor/`: letter folders, and classes two levels
    deep), no truth folder given does: a truth CSV, made by the command said, does."""
    if truth.kind != "folder":
        return ""
    spelling = class_spelling(list(classes))
    loosely = _loose_classes(list(classes))
    holders: dict[str, str] = {}
    deeper: dict[str, str] = {}  # a truth class -> its folders below that name a class
    direct = False  # whether some class folder holds images of its own
    for item in truth.items:
        if item.hidden:
            continue
        direct = direct or len(item.relative) == 2
        if len(item.relative) > 2 and item.label in names:
            inner = path_to_text(item.relative[1])
            folders = [path_to_text(part) for part in item.relative[:-1]]
            if loosely(" ".join(folders)):  # a class named by two folders and more
                deeper.setdefault(item.relative[0], "/".join(folders))
            if spelling(inner) or loosely(inner):
                holders.setdefault(item.relative[0], f"{path_to_text(item.relative[0])}/{inner}")
    if holders:
        first = sorted(holders)[0]
        held = some_names([printable(name) for name in sorted(holders)], 3)
        verb = "holds" if len(holders) == 1 else "hold"
        example = printable_text(holders[first])
        # A class named by two folders and more below a holder (a/apartment_building/outdoor);
        # not a class folder's own sub-folders (train/cat/more), whose images are that class's.
        deep = any(
            len(item.relative) > 3
            and item.label in holders
            and loosely(" ".join(map(path_to_text, item.relative[1:-1])))
            for item in truth.items
        )
        if deep or all(len(name) == 1 for name in holders):
            # Letter folders (SUN397/a): giving one of them as the truth loses the others' images,
            # and a class two levels deep (a/apartment_building/outdoor) is counted as its first.
            return (
                f" ({held} {verb} folders named as classes, such as '{example}', below letter "
                "folders or two levels deep, as SUN397's are: no folder holds one class per "
                "folder; give a truth "
                f"CSV that labels each image with its class, e.g. `{_truth_csv_command(truth, 1)}`)"
            )
        folder = printable(os.path.join(truth.source, first))
        give = (
            f"give --truth {folder}" if len(holders) == 1 else f"give one as --truth, as {folder}"
        )
        return f" ({held} {verb} folders named as classes, such as '{example}': {give})"
    if deeper and direct:
        # SUN397/a: abbey/ holds its images, apartment_building/ holds them in outdoor/.
        first = sorted(deeper)[0]
        example = printable_text(deeper[first])
        return (
            f" ('{printable_text(path_to_text(first))}' holds its images in folders below it, "
            f"such as '{example}', as SUN397's classes two folder levels deep do, and counts "
            "them as one class: give a truth CSV that labels each image with its class, e.g. "
            f"`{_truth_csv_command(truth, 0)}`)"
        )
    return ""


def _truth_csv_command(truth: GroundTruth, skip: int) -> str:
    """A shell command that writes truth.csv for this truth folder, each file labelled with the
    folders below the root (less `skip` of them, SUN397's letter folders) joined by spaces,
    '_' a space: `a/apartment_building/outdoor/x.jpg` is `apartment building outdoor`."""
    root = printable(truth.source).rstrip("/") or "/"
    first = len(root.split("/")) + 1 + skip  # awk's field of the class's first folder
    script = (
        f'{{l=${first}; for (i={first + 1}; i<NF; i++) l=l" "$i; gsub("_"," ",l); print $0","l}}'
    )
    # -mindepth: files above the class folders (SUN397's ClassName.txt, README.txt) are of none.
    return (
        f"{{ echo path,label; find {shlex.quote(root)} -mindepth {2 + skip} -type f ! -name '.*' "
        "| awk -F/ "
        f"{shlex.quote(script)}; }} > truth.csv"
    )


def load_truth(path: str | os.PathLike[str], classes: Collection[str] | None = ()) -> GroundTruth:
    """Read an ImageFolder-style folder, a `path,label` CSV or a Label Studio export, whose
    control holding the classes is the one whose answers are among `classes` (the classes the
    predictions name) where its annotations answer several; a folder's images that are no class's
    (`folder_truth_settled`) are left out where `classes` names no class so. `classes` None: the
    predictions are not read yet; an export whose control only their classes can tell is
    UnsettledControl, and a folder is read whole."""
    source = os.fspath(path)
    if os.path.isdir(source):
        truth = _truth_from_folder(source)
        return truth if classes is None else folder_truth_settled(truth, classes)
    _check_truth_found(source)
    return _truth_from_csv(source, classes)


def _check_truth_found(source: str) -> None:
    try:
        os.stat(source)  # a folder, a file, or a pipe (`--truth <(...)`, /dev/stdin)
    except (FileNotFoundError, NotADirectoryError):
        # Where it is there spelled otherwise, that is said in place of what to give.
        hint = not_found_hint(source) or (
            STDIN_HINT
            if source == "-"
            else " (give a class-folder tree, a CSV file or a Label Studio project's JSON or "
            "JSON_MIN export)"
        )
        raise ZslError(f"ground truth not found: {printable(source)}{hint}") from None
    except OSError as error:  # in a folder we may not search: not "not found"
        raise ZslError(
            f"cannot read the ground truth {printable(source)}: {error.strerror}"
        ) from None


def read_seen_classes(path: str | os.PathLike[str]) -> list[str]:
    """A seen-class list's entries: its lines, less blank lines and `#` comments. An entry is a
    class name or a classes.txt line (`name: prompts`): `seen_class_names` tells which."""
    source = os.fspath(path)
    where = printable(source)
    text = _read_text(source, "seen-class list", utf16=True)
    lines = split_lines(text.replace("\r\n", "\n").replace("\r", "\n"))  # old Mac lines too
    names = []
    for number, line in enumerate(lines, start=1):
        # It lists class names only, which are UTF-8 text, as a class file's are: in Shift-JIS or
        # Windows-1252 it named no class, and the seen/unseen split was another than meant.
        _check_utf8_labels([line], where, number)
        # As a class list's lines: a byte-order mark left mid-file by `cat`, or a zero-width
        # space pasted from a web page, must not turn a class into a name nobody listed.
        entry = strip_invisible(line)
        if entry and not entry.startswith("#"):
            names.append(entry)
    if not names:
        raise ZslError(f"{where}: the seen-class list is empty; put one class name per line")
    # A class list's lines: what a class file refuses (a tab-separated table, as AwA2's
    # classes.txt, rows of numbers, as its predicate matrices, a list in code) names no class.
    # Read as the entries are: old Mac line ends, a no-break space that a seen name may have
    # where its class has a plain one (`class_spelling`), and a name listed twice, which names
    # one class (each line kept, so that a message names its line).
    read: set[str] = set()
    checked = []
    for line in lines:
        key = composed(strip_invisible(line))
        checked.append("" if key in read else line.translate(_PLAIN_SPACES))
        read.add(key)
    parse_classes("\n".join(checked), where)
    return names


def seen_class_names(entries: Iterable[str], known: Collection[str]) -> set[str]:
    """The classes a seen list names: an entry that is a `known` class's whole name is that
    class (names from descriptions or attributes may hold a colon); otherwise the part before a
    colon, as in classes.txt. A name that is a known one written otherwise is spelled as that
    one (see `class_spelling`). ZslError where a name is no known class but is one written
    otherwise (see `_check_seen_spelling`)."""
    spelling = class_spelling(known)
    names = set()
    for entry in entries:
        name = entry if spelling(entry) else entry.split(":", 1)[0].strip()
        names.add(spelling(name) or name)
    _check_seen_spelling(names, known)
    if names and known and not names.intersection(known):
        # Seen n/a and every image unseen: the split every GZSL number rests on is none.
        listed = sorted(names)
        raise ZslError(
            f"no name in the seen list is a class (a truth class or one of the run's): "
            f"{_some_classes(listed)} (classes: {_some_classes(sorted(known))})"
            + _seen_not_utf8_hint(listed)
            + _seen_format_hint(listed, known)
        )
    return names


def _seen_format_hint(names: Sequence[str], known: Collection[str]) -> str:
    """Why a seen list names no class: names behind class ids (CUB's, xlsa17's), class indices,
    or what a class file would be warned of (a header, quotes, list markers)."""
    hint = _numbered_names_hint(names, known, "the seen list") or _numbers_hint(
        names, known, "the seen names", "write the class names, as the classes are named"
    )
    listed = class_list_warnings(names, "the seen list", seen_list=True)
    return hint or "".join(f" ({warning})" for warning in listed)


def _check_seen_spelling(seen: set[str], known: Collection[str]) -> None:
    """Refuse a seen name that is no known class but is one in another case, with other end
    spaces or with words joined by '_' or '+' (`loose_name`), where that class
    is not seen by its own name: the class would count as unseen, and the seen/unseen split,
    which every GZSL number rests on, would be another than the list meant. A name like no known
    class stays a warning (`unknown_seen_warnings`): a list shared across runs may name classes
    this run lacks."""
    misspelled = [
        (name, found[0])
        for name, found in _written_otherwise(seen, known)
        if not seen.intersection(found)
    ]
    if not misspelled:
        return
    name, other = misspelled[0]
    more = f" ({counted(len(misspelled) - 1, 'other seen name is', 'other seen names are')} so)"
    raise ZslError(
        f"the seen classes name '{printable_text(name)}', which is no class: the class "
        f"'{printable_text(other)}' differs from it only in case, end spaces or '_' or '+' between "
        "words, and would count as unseen"
        + (more if len(misspelled) > 1 else "")
        + f"; spell it '{printable_text(other)}' among the seen classes, as the classes do"
    )


def check_truth_spelling(truth_classes: Iterable[str], offered: Collection[str]) -> None:
    """Refuse, where seen/unseen accuracy is asked for, a truth class that is no class the run
    offered but is one in another case, with other end spaces or with words joined by '_' or
    '+' (`loose_name`: `Blue Circle`, `blue_circle` as Kaggle writes it): its images would count
    as an unseen class at 0%, and H would fall, as for such a name in the seen list
    (`_check_seen_spelling`). Without --seen it is scored as written, with a warning."""
    misspelled = [(name, found[0]) for name, found in _written_otherwise(truth_classes, offered)]
    if not misspelled:
        return
    name, other = misspelled[0]
    more = (
        f" ({counted(len(misspelled) - 1, 'other truth class is', 'other truth classes are')} so)"
    )
    raise ZslError(
        f"the truth labels images '{printable_text(name)}', which is no class: the class "
        f"'{printable_text(other)}' differs from it only in case, end spaces or '_' or '+' between "
        "words, and its images would count as an unseen class of their own, which no image could "
        "be labelled with"
        + (more if len(misspelled) > 1 else "")
        + f"; spell it '{printable_text(other)}' in the truth, as the classes do"
    )


def _not_generalised_warnings(
    seen: set[str], truth_classes: Iterable[str], class_names: Collection[str] | None
) -> list[str]:
    """A warning where the run's classes (its run info's) leave out every seen class, or hold
    nothing but seen classes where the truth has unseen ones: the images chose among one side
    only, so the seen/unseen split measures plain zero-shot (or supervised) accuracy, not
    generalised zero-shot, whose images choose among them all."""
    if class_names is None:
        return []
    offered = set(class_names)
    # Each side is looked for among the run's classes, not the truth's: a truth whose names
    # differ from the run's ('red+circle' for 'red circle') is warned of on its own.
    left_out = []
    # Seen names that are truth classes, not the run's: where they are neither, they are
    # written otherwise (`seen_class_names` refuses a list that names no class).
    if seen & set(truth_classes) and not seen & offered:
        left_out.append("seen")
    if set(truth_classes) - seen and not offered - seen:
        left_out.append("unseen")
    if not left_out:
        return []
    return [
        f"the run's {len(offered)} classes hold no {left_out[0]} class: its images chose among "
        f"the {'unseen' if left_out[0] == 'seen' else 'seen'} classes only, so the seen/unseen "
        "numbers are not generalised zero-shot ones (label against every class, seen and "
        "unseen, for those)"
    ]


def unknown_seen_warnings(seen: set[str], known: Collection[str], among: str) -> list[str]:
    """A warning naming the seen classes that are not `known` (truth classes and those `among`):
    they change nothing, but may be names misspelled in the seen list (a known class written in
    another case is named beside it; `seen_class_names` refuses one unless that class is seen by
    its own name too)."""
    unknown = sorted(seen.difference(known))
    if not unknown:
        return []
    return [
        f"{counted(len(unknown), 'seen class is', 'seen classes are')} neither in the truth nor "
        f"among {among}: {_some_classes(unknown)}"
        + _seen_not_utf8_hint(unknown)
        + other_case_hint(unknown, known, "the seen list")
    ]


def _written_otherwise(
    names: Iterable[str], classes: Collection[str]
) -> list[tuple[str, list[str]]]:
    """Each of `names` (sorted) that is no class but is one or more of `classes` written
    otherwise (`_loose_classes`), with those classes: what the seen list's and the truth's
    spelling checks refuse."""
    loosely = _loose_classes(sorted(classes))
    return [
        (name, found) for name in sorted(set(names).difference(classes)) if (found := loosely(name))
    ]


def _loose_classes(
    classes: Iterable[str], loose: Callable[[str], str] = loose_name
) -> Callable[[str], list[str]]:
    """A function giving the classes (in the order given) that a name is but for case, runs of
    white space or '_' or '+' between words (`loose_name` of both, or another `loose` key),
    compared through `class_spelling` so that invisible marks at the ends and emoji selectors
    differ no more here than where a name is matched; [] for none."""
    by_loose: dict[str, list[str]] = {}
    for name in classes:
        by_loose.setdefault(loose(name), []).append(name)
    spelling = class_spelling(list(by_loose))

    def loosely(name: str) -> list[str]:
        key = spelling(loose(name))
        return [] if key is None else by_loose[key]

    return loosely


def class_spelling(names: Collection[str]) -> Callable[[str], str | None]:
    """The one comparison of a truth label or seen name with class names (the hints that one is
    a class in another case compare `loose_name`s through it: `_loose_classes`): a function
    giving the class among `names` that a name is, or None. A name is the class of its own
    spelling, else the class it is read as a class list's name is read, without white space or
    invisible characters at its ends (a truth folder's name may keep the right-to-left mark
    typing Hebrew or Arabic leaves, or a zero-width space pasted from a web page), and then the
    class it is but for being composed or decomposed (a class folder made on macOS spells café
    decomposed, e + U+0301, where classes.txt spells it composed), else the one class it is but
    for emoji presentation selectors (an emoji picker's ❤️ for a typed ❤): names that look the
    same wherever they are shown. So, too, a name whose words are parted by a no-break space (a
    label pasted from a web page or a spreadsheet), or by another space that prints as a plain
    one, is the class with plain spaces: no class name holds such a space (classes.py)."""
    exact = set(names)
    by_composed = {composed(name): name for name in names}
    by_plain: dict[str, str | None] = {}
    for name in names:
        key = plain_emoji(name)
        # Two classes ❤ and ❤️ (another tool's, or an older zsl's: zsl now refuses them as one
        # name): a third spelling is neither.
        by_plain[key] = name if by_plain.get(key, name) == name else None

    def spelling(name: str) -> str | None:
        if name in exact:
            return name
        name = strip_invisible(name).translate(_PLAIN_SPACES)
        if name in exact:
            return name
        return by_composed.get(composed(name)) or by_plain.get(plain_emoji(name))

    return spelling


# Each space that prints as a plain one (a no-break space...) -> a plain space.
_PLAIN_SPACES = str.maketrans(dict.fromkeys(LOOKALIKE_SPACES, " "))


def _spaces_shown(text: str) -> str:
    """`text` with its spaces that print as a plain one escaped (\\u00a0), for a message that
    sets it beside a name with plain spaces, which it would look the same as."""
    return "".join(
        f"\\u{ord(character):04x}" if character in LOOKALIKE_SPACES else character
        for character in text
    )


def spelled_as(truth: GroundTruth, names: Collection[str]) -> GroundTruth:
    """The truth with its labels spelled as these class names where they are those classes
    written otherwise (see `class_spelling`): each class is then counted under one name."""
    spelling = class_spelling(names)
    respelled = {label: spelling(label) or label for label in truth.classes}
    if all(label == name for label, name in respelled.items()):
        return truth
    return replace(
        truth,
        classes=tuple(sorted(set(respelled.values()))),
        items=tuple(
            replace(item, label=respelled.get(item.label, item.label)) for item in truth.items
        ),
    )


def match_paths(
    paths: Sequence[str],
    truth: GroundTruth,
    *,
    base: str | None = None,
    source: str | None = None,
) -> Matching:
    """Pair the paths of predictions with truth images (rules in the module docstring); relative
    paths start at `base`, then at the current folder (a copy of the labelled tree, or the
    folder the labelling ran in, where no run info tells it). `source`: the predictions file,
    for messages; None where the paths are images given here (hubness), no predictions."""
    by_path = {item.path: i for i, item in enumerate(truth.items)}
    unnamed: list[tuple[int, str]] = []  # rows rule 1 found no image for, and their path
    taken = [False] * len(truth.items)
    pairs: list[tuple[int, int]] = []
    leftover: list[int] = []
    first_row: dict[str, int] = {}

    for j, path in enumerate(paths):
        absolute = absolute_path(_from(base, path))
        if absolute in first_row:
            # Counted in predictions, not rows: a CSV's row 1 is its header to a spreadsheet.
            first = first_row[absolute]
            again = "" if paths[first] == path else f", the second as '{printable(path)}'"
            if source is None:
                raise ZslError(
                    f"'{printable(paths[first])}' is among the images twice (images {first + 1} "
                    f"and {j + 1}{again}); give each image once"
                )
            raise ZslError(
                f"{printable(source)}: '{printable(paths[first])}' is listed twice (predictions "
                f"{first + 1} and {j + 1}{again}); evaluate the output of a single run"
            )
        first_row[absolute] = j
        i = by_path.get(absolute)
        if i is None and base and not os.path.isabs(path):
            i = by_path.get(absolute_path(path))
        if i is not None and not taken[i]:
            taken[i] = True
            pairs.append((j, i))
        elif i is None:
            unnamed.append((j, absolute))
        else:
            leftover.append(j)
    # Rule 2 after rule 1 for every row: a link listed before the file itself must not take it.
    leftover.extend(_pair_real_paths(unnamed, truth.items, taken, pairs))
    by_own_path = len(pairs)  # the pairs so far are the truth's own paths of predicted files

    # Every row keeps its position; an absolute row's empty key is never looked up. Built only
    # for rows left over: composing every truth path's names takes a while.
    by_relative = _unique_index(_ending(item.relative) for item in truth.items) if leftover else {}
    by_written_ending = _absolute_endings(truth.items) if leftover else {}
    # The folder a relative path starts at: the labelling's, or the current one where the run
    # info is missing (or for hubness, whose images are named from here). Both where one is
    # known would pair another set's images that end alike from here.
    start = base or os.getcwd()
    claims: dict[int, list[int]] = {}
    for j in leftover:
        ending = _ending(_parts(paths[j]))
        i = _longest_ending(ending, by_relative)
        if i is None and not os.path.isabs(paths[j]):
            # Labelled from inside a folder the truth's paths name (`cd photos; zsl label .`
            # against photos/cat/a.jpg): the file the run's folder makes of it ends with them.
            i = _longest_ending(_ending(_parts(os.path.join(start, paths[j]))), by_relative)
        written = _written_from(start, paths[j]) if by_written_ending else None
        if written is not None and (key := _ending(_parts(written))) in by_written_ending:
            # The other way round: a relative prediction path (or one named from `start`) that
            # ends a truth CSV's absolute path (another machine's). Two images it could be are
            # none.
            other = by_written_ending[key]
            i = other if i is None or other == i else None
        if (
            i is not None
            and not taken[i]
            and not _both_exist(_from(base, paths[j]), truth.items[i].path)
        ):
            claims.setdefault(i, []).append(j)
    by_suffix = by_upload_name = 0
    for i, claimants in claims.items():
        if len(claimants) == 1:
            taken[i] = True
            pairs.append((claimants[0], i))
            # An upload kept no folder: it pairs by its name, not by a relative path.
            by_upload_name += bool(truth.items[i].upload)
            by_suffix += not truth.items[i].upload

    if truth.kind == "csv" and not all(taken):
        _take_other_spellings(paths, truth, taken, pairs, base, pairs[:by_own_path])
    # An upload that several predictions end like is said of by its own warning (an upload
    # keeps no folder: running elsewhere would not pair it).
    shared = sorted(
        i
        for i, claimants in claims.items()
        if len(claimants) > 1 and not taken[i] and not truth.items[i].upload
    )
    shared_example: tuple[str, ...] = ()
    if shared:
        first, second = claims[shared[0]][:2]
        shared_example = (truth.items[shared[0]].shown, paths[first], paths[second])

    matched_predictions = {j for j, _ in pairs}
    lost_predictions = [p for j, p in enumerate(paths) if j not in matched_predictions]
    lost_truth = [
        item.shown
        for item, used in zip(truth.items, taken, strict=True)
        if not used and item.image_like and not item.hidden
    ]
    ignored = [
        item.shown
        for item, used in zip(truth.items, taken, strict=True)
        if not used and not item.image_like and not item.hidden
    ]
    pairs.sort()
    return Matching(
        pairs=tuple(pairs),
        unmatched=Unmatched(
            predictions=len(lost_predictions),
            prediction_examples=tuple(lost_predictions[:EXAMPLES]),
            truth=len(lost_truth),
            truth_examples=tuple(lost_truth[:EXAMPLES]),
            matched_by_relative_path=by_suffix,
            ignored_files=len(ignored),
            ignored_examples=tuple(ignored[:EXAMPLES]),
            shared_endings=len(shared),
            shared_example=shared_example,
            matched_by_upload_name=by_upload_name,
        ),
    )


def _take_other_spellings(
    paths: Sequence[str],
    truth: GroundTruth,
    taken: list[bool],
    pairs: Sequence[tuple[int, int]],
    base: str | None,
    own_paths: Sequence[tuple[int, int]],
) -> None:
    """Mark taken the truth CSV's rows left unpaired that name, another way, the very file a
    paired prediction names: a path from the current folder (or the folder the labelling ran in)
    beside an absolute one, the CSV's folder holding no such file; or a bare file name (`a.jpg`)
    naming no file from either folder, beside the row that names the file by its own path
    (`own_paths`: the pairs of rules 1 and 2), where no other prediction and no other row names a
    file of that name. Their image was predicted, and is counted once. ZslError where such a
    row's label differs from the paired row's: which one the image is of cannot be told, as for
    one path written twice. (A row that only shares an ending with a row paired by its ending
    too, a.jpg beside x/a.jpg, may be another image, and stays apart; so does a name that files
    in two folders hold.)"""
    paired: dict[str, int] = {}  # a paired prediction's file, as rule 1 reads it -> its row
    for j, _ in pairs:
        paired[absolute_path(_from(base, paths[j]))] = j
        if base and not os.path.isabs(paths[j]):
            paired.setdefault(absolute_path(paths[j]), j)
    by_row = dict(pairs)
    # A row can name a paired file only by that file's name: a truth of a million rows against
    # a run of a few images is looked at no further.
    names = {os.path.basename(path) for path in paired}
    by_name: dict[str, int] | None = None  # built at the first bare name that needs it
    for i, item in enumerate(truth.items):
        if taken[i] or not item.image_like or not item.relative or item.relative[-1] not in names:
            continue
        froms = [
            absolute_path(item.shown),
            *([absolute_path(_from(base, item.shown))] * bool(base)),
        ]
        row = next((paired[path] for path in froms if path in paired), None)
        if row is None and _bare_name(item) and not any(map(os.path.lexists, [item.path, *froms])):
            if by_name is None:
                by_name = _only_files_named(paths, truth, own_paths)
            row = by_name.get(item.relative[0])
        elif os.path.lexists(item.path):
            continue
        if row is None:
            continue
        if truth.items[by_row[row]].label != item.label:
            first, second = (truth.items[k] for k in sorted((i, by_row[row])))  # the file's order
            # The predicted image, where neither row spells it as the predictions do.
            spelt = {os.path.normpath(first.shown), os.path.normpath(second.shown)}
            predicted = printable(paths[row])
            image = "" if os.path.normpath(paths[row]) in spelt else f", predicted as '{predicted}'"
            raise ZslError(
                f"{printable(truth.source)}, line {second.line}: '{printable(second.shown)}' "
                f"names the image of line {first.line} ('{printable(first.shown)}'){image}, "
                f"labelled '{printable_text(second.label)}' here and "
                f"'{printable_text(first.label)}' there; keep one label per image"
            )
        taken[i] = True


def _bare_name(item: TruthItem) -> bool:
    """Whether a truth CSV's row gives a file's name alone (`a.jpg`, `./a.jpg`; not `../a.jpg`,
    nor Windows' `x\\a.jpg`)."""
    return (
        len(item.relative) == 1
        and len(_ending(item.relative)) == 1
        and os.path.normpath(item.shown) == item.relative[0]
    )


def _only_files_named(
    paths: Sequence[str], truth: GroundTruth, own_paths: Sequence[tuple[int, int]]
) -> dict[str, int]:
    """File name -> the prediction of the one file of that name, which one prediction and one
    truth row (bare names aside) name, the two paired by the row's own path (`own_paths`): the
    file a bare name in the truth can only be. A name that two predictions or two rows hold (files
    in two folders) is left out, ambiguous. A name is a path's last part at '/' or '\\', so that
    one in a Windows path counts too."""
    predicted = Counter(ntpath.basename(path) for path in paths)
    rows = Counter(ntpath.basename(item.path) for item in truth.items if not _bare_name(item))
    by_name = {}
    for j, i in own_paths:
        name = ntpath.basename(paths[j])
        if ntpath.basename(truth.items[i].path) == name and predicted[name] == rows[name] == 1:
            by_name[name] = j
    return by_name


def _pair_real_paths(
    rows: list[tuple[int, str]],
    items: Sequence[TruthItem],
    taken: list[bool],
    pairs: list[tuple[int, int]],
) -> list[int]:
    """Rule 2 for these (row, absolute path): pair each with the truth image of the same name in
    the same real folder, then the rows left with the same real file, then with the same file
    under another name, marking the images taken; return the rows left. A file linked into
    another class has the real path of the file it links to, so only its real folder tells the
    two apart, as `zsl label` tells them apart. A disk that ignores case (macOS, Windows) opens
    `1.jpg` as the `1.JPG` labelled, and macOS `café` composed as the one it stores decomposed:
    two names, one file, which only the file's own identity tells."""
    if not rows:
        return []
    folder_keys = real_folder_keys([*(item.path for item in items), *(path for _, path in rows)])
    for resolve in (folder_keys.__getitem__, os.path.realpath, _named_file):
        if not rows:
            break
        index = _unique_index(resolve(item.path) for item in items)
        unpaired = []
        for j, path in rows:
            i = index.get(resolve(path))
            if i is not None and not taken[i]:
                taken[i] = True
                pairs.append((j, i))
            else:
                unpaired.append((j, path))
        rows = unpaired
    return [j for j, _ in rows]


def _named_file(path: str) -> tuple[int, int] | str:
    """The file `path` names itself (a link's own, not its target's: the real path has paired
    those), or the path where nothing is there."""
    try:
        return file_identity(os.lstat(path), path)
    except OSError:
        return path


def _longest_ending(parts: tuple[str, ...], index: dict[Any, int | None]) -> int | None:
    """The truth item whose relative path is the longest ending of `parts` in `index`; None when
    there is none, or when that ending is two items' (a shorter one would only be a guess)."""
    for length in range(len(parts), 0, -1):
        if parts[-length:] in index:
            return index[parts[-length:]]
    return None


def _absolute_endings(items: Sequence[TruthItem]) -> dict[Any, int | None]:
    """Every ending of the truth CSV's absolute paths -> its item; None where it ends two."""
    index: dict[Any, int | None] = {}
    for position, item in enumerate(items):
        if item.relative:  # a folder's image, or a CSV's relative path: rule 3 as written
            continue
        parts = _ending(_parts(item.path))
        for length in range(1, len(parts) + 1):
            key = parts[-length:]
            index[key] = None if key in index else position
    return index


def _written_from(start: str, path: str) -> str | None:
    """A prediction's path as a relative path is written from the folder `start` that relative
    paths start at: a relative one as it is, an absolute one inside `start` from there (named
    from the current folder, `$PWD/photos/a.png` is `photos/a.png`); None for one outside it."""
    if not os.path.isabs(path):
        return path
    try:
        relative = os.path.relpath(path, start)
    except ValueError:  # on Windows, on another drive than `start`
        return None
    return None if relative.split(os.sep)[0] == os.pardir else relative


def _both_exist(prediction_path: str, truth_path: str) -> bool:
    """Two existing files that rules 1 and 2 did not pair are two images with the same ending."""
    return os.path.lexists(prediction_path) and os.path.lexists(truth_path)


def _unique_index(keys: Any) -> dict[Any, int | None]:
    """key -> position; None where two positions share a key (an ambiguous key matches nothing)."""
    index: dict[Any, int | None] = {}
    for position, key in enumerate(keys):
        index[key] = None if key in index else position
    return index


def _from(base: str | None, path: str) -> str:
    """`path` as seen from folder `base` (None: the current folder)."""
    return os.path.join(base, path) if base else path


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") for part in parts)


def _parts(path: str) -> tuple[str, ...]:
    """Path components without root, '.' and '..' (for matching by path ending)."""
    return tuple(
        part for part in os.path.normpath(path).split(os.sep) if part not in ("", ".", "..")
    )


def _ending(parts: tuple[str, ...]) -> tuple[str, ...]:
    """Path components as rule 3 compares them: composed as they are shown (macOS writes names
    decomposed), and split at backslashes too (paths written on Windows)."""
    return tuple(
        composed(piece)
        for part in parts
        for piece in part.split("\\")
        if piece not in ("", ".", "..")
    )


# What macOS's zip puts beside the folders it packs: their files' AppleDouble metadata
# (`._name`), no class.
ARCHIVE_METADATA_FOLDER = "__MACOSX"


def _truth_from_folder(source: str) -> GroundTruth:
    where = printable(source)
    root = absolute_path(source)
    try:
        folders = {
            entry.name
            for entry in os.scandir(root)
            if not entry.name.startswith(".")
            and entry.name != ARCHIVE_METADATA_FOLDER
            and is_folder_entry(entry)
        }
    except OSError as error:
        raise ZslError(f"cannot read the ground-truth folder {where}: {error.strerror}") from error
    if not folders:
        raise ZslError(
            f"{where}: no class sub-folders; a ground-truth folder needs one sub-folder per "
            f"class (ImageFolder), or give a CSV with columns path,label"
        )
    _check_utf8_folders(source, folders)

    # One walk of the whole root, as `zsl label ROOT` walks it, so that a folder reached from two
    # classes (a link in one to another) belongs to the class that holds it without a link.
    # Hidden entries too: images labelled with --include-hidden find their truth.
    found = walk_files(root, include_hidden=True)
    for folder, reason in found.skipped:
        if not _hidden(_parts(os.path.relpath(folder, root))):  # a .Trash or .snapshot may fail
            raise ZslError(f"cannot read {printable(folder)} in the ground truth: {reason}")
    items = []
    for path in found.paths:
        full = os.fspath(path)
        relative = os.path.relpath(full, root)
        parts = _parts(relative)
        if len(parts) < 2 or parts[0] not in folders:
            continue  # a file at the top, or in a hidden folder there: no class
        items.append(
            TruthItem(
                path=full,
                relative=parts,
                label=path_to_text(parts[0]),
                shown=relative,
                image_like=os.path.splitext(full)[1].lower() in IMAGE_EXTENSIONS,
                hidden=_hidden(parts),
            )
        )
    # A class is the folder's name as text, as classes.txt (UTF-8) spells it, in any locale;
    # compared with class names as they are compared (`class_spelling`).
    classes = tuple(sorted(path_to_text(folder) for folder in folders))
    return GroundTruth(source=source, kind="folder", classes=classes, items=tuple(items))


# The folders annotation tools export images without a tag to, beside the class folders, and
# which tool: their images have no ground truth, not a class of that name.
UNTAGGED_FOLDERS = {
    "no_label": "CVAT's and Datumaro's ImageNet export",
    "_unlabeled": "FiftyOne's image classification tree export",
}


def folder_truth_settled(truth: GroundTruth, classes: Collection[str]) -> GroundTruth:
    """A truth folder's truth without the images of a folder an annotation tool exports
    untagged images to (UNTAGGED_FOLDERS), where none of `classes` (the run's) is named so: they
    have no ground truth, and scored as a class they lowered every mean by a class no model
    could predict. Those left out are kept aside (`untagged`), for `folder_truth_warnings` to
    count the ones labelled."""
    run_classes = {loose_name(name) for name in classes}
    untagged = {
        name
        for name in truth.classes
        if name in UNTAGGED_FOLDERS and loose_name(name) not in run_classes
    }
    if not untagged:
        return truth
    return replace(
        truth,
        classes=tuple(name for name in truth.classes if name not in untagged),
        items=tuple(item for item in truth.items if item.label not in untagged),
        untagged=tuple(item for item in truth.items if item.label in untagged),
    )


def folder_truth_warnings(
    truth: GroundTruth, matching: Matching, paths: Sequence[str], base: str | None = None
) -> list[str]:
    """Of the images labelled (`paths`, paired with `truth` as `matching`; relative ones start
    at `base`): those in a truth folder's untagged-image folder, left out (`folder_truth_settled`),
    and those in several class folders (`_multi_tag_copies`), which are scored. Only images
    labelled are warned of: a run over part of the folder is not told of the rest."""
    warnings = []
    if truth.untagged:
        aside = replace(truth, items=truth.untagged)
        labelled = [aside.items[i] for _, i in match_paths(paths, aside, base=base).pairs]
        for name in sorted({item.label for item in labelled if item.image_like}):
            count = sum(item.image_like for item in labelled if item.label == name)
            warnings.append(
                f"{counted(count, 'untagged image')} of the truth folder's '{name}' "
                f"({UNTAGGED_FOLDERS[name]} puts images with no tag there) "
                f"{'is' if count == 1 else 'are'} among those labelled: no ground truth, left "
                "out (a class of the run so named would keep it a class)"
            )
    scored = [truth.items[i] for _, i in matching.pairs]
    if truth.kind == "folder" and (images := _multi_tag_copies(scored)):
        # Warned of, but scored as the folders say, not left out as a Label Studio task choosing
        # several classes is: that task says it chose several, where these copies are only
        # guessed to be one image by their names and bytes (a file replaced by another class's
        # of the same name is two images), and a guess must not change what is measured.
        first = min(images, key=lambda copies: copies[0].relative[1:])
        folders = sorted(f"'{printable_text(item.label)}'" for item in first)
        one = len(images) == 1
        warnings.append(
            f"{counted(len(images), 'image is', 'images are')} in several class folders, the "
            f"same file in each (e.g. '{printable(os.path.join(*first[0].relative[1:]))}' in "
            f"{', '.join(folders[:-1])} and {folders[-1]}), as annotation tools export an image "
            f"with several tags: each copy is scored against its own folder, so all but one "
            f"{'is a miss' if one else 'are misses'} whatever the model says (evaluate takes "
            f"one class per image); keep {'it' if one else 'each'} in one class folder, or "
            "leave the copies out of the truth"
        )
    return warnings


def _multi_tag_copies(items: Sequence[TruthItem]) -> list[list[TruthItem]]:
    """The images among `items` (a truth folder's) that are in several class folders, each as
    its copies: the same path below each (`cat/x.jpg`, `dog/x.jpg`) and the same bytes, as
    CVAT's ImageNet export saves an image with two tags. Images only, not hidden: a desktop.ini
    or .DS_Store is alike in every folder, and so may be empty files or placeholders, which are
    no image tagged twice. Only files of one size are read, and only up to their first
    difference."""
    below: dict[tuple[str, ...], list[TruthItem]] = {}
    for item in items:
        if item.image_like and not item.hidden:
            below.setdefault(item.relative[1:], []).append(item)
    return [
        copies
        for group in below.values()
        if len({item.label for item in group}) > 1  # as good as every image's is not
        for same_size in _in_several_folders(group, _file_size)
        for copies in _same_bytes(same_size)
        if _is_image(copies[0].path)
    ]


def _in_several_folders(
    items: list[TruthItem], key: Callable[[str], object]
) -> list[list[TruthItem]]:
    """`items` grouped by their file's `key` (None: left out), the groups in several class
    folders only."""
    alike: dict[object, list[TruthItem]] = {}
    for item in items:
        if (value := key(item.path)) is not None:
            alike.setdefault(value, []).append(item)
    return [same for same in alike.values() if len({item.label for item in same}) > 1]


def _same_bytes(items: list[TruthItem]) -> list[list[TruthItem]]:
    """`items` (files of one size) grouped by their bytes, the groups in several class folders
    only: each compared with the first of those left, which stops at the first difference."""
    groups = []
    left = items
    while len(left) > 1:
        first, *others = left
        same = [first, *(item for item in others if _same_file_bytes(first.path, item.path))]
        left = [item for item in others if item not in same]
        if len({item.label for item in same}) > 1:
            groups.append(same)
    return groups


def _same_file_bytes(first: str, second: str) -> bool:
    try:
        return filecmp.cmp(first, second, shallow=False)
    except OSError:  # unreadable: scored, or reported, as any image is
        return False


def _file_size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:  # unreadable: scored, or reported, as any image is
        return None


def _is_image(path: str) -> bool:
    """Whether Pillow reads an image's header in the file (its pixels are not decoded)."""
    from PIL import Image  # only where copies are found: evaluate decodes no image otherwise

    from zsl_cli.image_formats import heif_readable

    heif_readable()
    try:
        with Image.open(path):
            return True
    except Image.DecompressionBombError:
        return True  # an image, larger than zsl decodes
    except Exception:  # Pillow raises many types for bytes that are no image
        return False


def _check_utf8_folders(source: str, folders: Iterable[str]) -> None:
    """Refuse class folders whose names are not UTF-8 text (unpacked from a Windows zip in
    Latin-1 or Shift-JIS): a folder's name is its class's name, UTF-8 text as a class file's
    names are, so such a folder could match no class and was scored 0%, as a truth CSV's label
    in a legacy code page is refused. The images below may be named in any bytes."""
    for folder in sorted(folders):
        byte = escaped_byte(path_to_text(folder))
        if byte is not None:
            raise ZslError(
                f"{printable(os.path.join(source, folder))}: a class folder's name is not UTF-8 "
                f"text (byte 0x{byte:02x}), as class names are, so it can name no class; rename "
                "it in UTF-8 (e.g. with convmv -f latin1 -t utf8 --notest) and label its images "
                "again"
            )


def _truth_from_csv(source: str, classes: Collection[str] | None = ()) -> GroundTruth:
    """Read a ground-truth CSV: a header naming a path and a label column (TRUTH_COLUMNS) over a
    row per image, or a one-hot table (a path column and a 0/1 column per class, as Roboflow
    exports). Cells are separated by ',', or by ';' or a tab as the header shows, or as a first
    `sep=;` line (Excel's) names. Relative paths are taken from the CSV's folder; an image listed
    twice must have one label. Every problem is a ZslError naming the line."""
    where = printable(source)
    base = os.path.dirname(absolute_path(source))
    items: list[TruthItem] = []
    listed = _ListedImages()
    # A binary file here is more likely an image given by mistake than a CSV in another encoding.
    text = _read_text(
        source,
        "ground truth",
        "give a folder of class sub-folders or a UTF-8 CSV (path,label)",
        utf16=True,
    )
    # Read as CSV, an export in JSON or XML was refused for its header, quoting a mangled
    # first line of it ("found: [{"id":1,data:{...").
    start = text.lstrip()[:1]
    if start and start in "[{<":
        if start == "[" and (exported := _truth_from_export(text, source, classes)) is not None:
            return exported
        if start != "<":
            first = _first_json_value(text)
            keys = _json_record_keys(first)
            _refuse_predictions(keys, where, "keys")
            _refuse_truth_export(first, keys, source)
        kind = "XML" if start == "<" else "JSON"
        raise ZslError(
            f"{where} holds {kind}, not a ground-truth CSV: give a folder of class sub-folders, "
            "a CSV with columns path,label (from an annotation tool, export CSV or class "
            "folders) or a Label Studio project's JSON or JSON_MIN export"
        )
    try:
        # The first line as the reader below splits it: old Mac Excel ends lines with "\r" alone.
        named_delimiter = excel_delimiter(io.StringIO(text, newline="").readline().rstrip("\r\n"))
        delimiter = named_delimiter or _truth_delimiter(text)

        def table() -> Iterator[tuple[int, int, list[str]]]:
            rows = _truth_rows(text, delimiter, where)
            if named_delimiter:
                next(rows)  # the "sep=;" line: no header
            return rows

        rows = table()
        header_line, _, header = next(rows, (1, 1, []))
        for cell in header:
            _refuse_line_break(
                cell, f"the column name '{printable_text(cell)}'", where, header_line
            )
        columns = [header_name(name) for name in header]
        _refuse_predictions(columns, where)
        # A one-hot table is told by its first row: peeked, then read as the others.
        first = next(rows, None)
        shape = _one_hot_table(columns, header, first, lambda: islice(table(), 1, None), where)
        if shape is None:
            hint = (
                _other_columns_hint(columns, header, first, source, delimiter)
                + _imagenet_solution_hint(columns, source)
                + _image_list_hint(header, source)
                + _id_column_hint(columns, header, first, source, delimiter, header_line)
            )
            path_col = _truth_column(columns, header, "path", where, header_line, delimiter, hint)
            label_col = _truth_column(columns, header, "label", where, header_line, delimiter, hint)
            one_hot: dict[int, str] = {}
            note = ""
        else:
            path_col, one_hot, note = shape
            label_col = -1

            def numbers_column(marked: list[int]) -> None:
                _refuse_numbers_column(
                    islice(table(), 1, None),
                    one_hot,
                    marked,
                    where,
                    lambda index: cut_command(source, delimiter, [index], len(header)),
                )

            _check_utf8_labels(one_hot.values(), where, header_line)
        for line, end, row in chain([first] if first is not None else [], rows):
            if _is_header(row, columns, path_col, label_col):
                continue  # the header again, below the rows of a file joined to this one
            if end > line:  # a quoted cell over several lines: only a path may hold a line break
                for index, cell in enumerate(row):
                    if index != path_col:
                        _refuse_line_break(cell, _cell_named(header, index, label_col), where, line)
            if one_hot and len(row) < len(columns):
                raise ZslError(
                    f"{where}, line {line}: {len(row)} cells, fewer than the header's "
                    f"{len(columns)}"
                )
            if len(row) <= max(path_col, label_col):
                names = f"{header[path_col].strip()},{header[label_col].strip()}"
                raise ZslError(f"{where}, line {line}: expected the columns {names}")
            # A path with an unquoted comma shifts the cells after it: both would be wrong.
            # (Empty cells past the header, as spreadsheets write them, shift nothing.)
            if any(cell.strip() for cell in row[len(columns) :]):
                raise ZslError(
                    f"{where}, line {line}: {len(row)} cells, more than the header's "
                    f"{len(columns)}: quote a path or label that holds a comma"
                )
            # A label is a class name: invisible characters at its ends go, as in a
            # class list (a zero-width space from a web page, a BOM left by `cat`).
            cell = written = _path_cell(row[path_col], base)
            if one_hot:
                label = _one_hot_label(row, one_hot, where, line, note, numbers_column)
            else:
                label = strip_invisible(row[label_col])
                _check_utf8_labels([label], where, line)
            # Paths as zsl writes them: the file name's bytes read as UTF-8.
            in_url = _path_in_url(written)
            inexact = in_url is not None and not in_url.exact
            written = in_url.path if in_url and in_url.path else path_from_text(written)
            if not written:
                raise ZslError(
                    f"{where}, line {line}: the path is empty: write the image's path, or leave "
                    "the row out"
                )
            if not label:
                # An image nobody tagged, as annotation tools export it: one of many, as like
                # as not.
                leave_out = ""
                if label_col == len(columns) - 1 and delimiter in ",;":
                    leave_out = f", e.g. `{unlabelled_rows_command(source, delimiter)}`"
                raise ZslError(
                    f"{where}, line {line}: the label is empty: write the image's class, or leave "
                    f"out the rows of images nobody labelled{leave_out}"
                )
            _refuse_several_labels(label, f"{where}, line {line}", "label")
            full = absolute_path(os.path.join(base, written))
            _refuse_folder(full, written, cell, where, line)
            windows = _windows_absolute(written)
            absolute = windows or os.path.isabs(written)
            item = TruthItem(full, () if absolute else _parts(written), label, written, line=line)
            named = _Row(len(items), line, cell, inexact, full)
            earlier = listed.find(named, written, windows)
            if earlier is None:
                items.append(item)
                continue
            # The same image again: kept once, or refused.
            _check_listed_again(items, earlier, named, written, label, where)
            if full != earlier.full and os.path.lexists(full) and not os.path.lexists(earlier.full):
                # The file's own path pairs with its prediction as a spelling of it may not.
                items[earlier.item] = replace(
                    items[earlier.item], path=full, relative=item.relative, shown=written
                )
    except csv.Error as error:
        raise ZslError(f"{where}: not a readable CSV ({error})") from error
    if not items:
        raise ZslError(f"{where}: the ground-truth CSV has no rows")
    # A one-hot table's header names every class, those no image is of too (as empty folders).
    classes = tuple(sorted({item.label for item in items}.union(one_hot.values())))
    layout = (path_col, delimiter, header_line)
    return GroundTruth(source, "csv", classes, tuple(items), layout=layout)


def _truth_from_export(
    text: str, source: str, classes: Collection[str] | None, control: str | None = None
) -> GroundTruth | None:
    """The ground truth of a Label Studio project's JSON or JSON_MIN export (`text`), None where
    it is none. A task's image is zsl's own path where zsl wrote the task, else its image URL
    read as a truth CSV's URL is; a relative path starts at the current folder, as the
    predictions' own do where no run info names the labelling's folder. An image uploaded through
    Label Studio's web page is its file name alone, less the upload's prefix, which pairs by
    rule 3 only (the upload kept no folder, and its path there names no file here), but where
    it is an image zsl wrote a task of (as is a task added with that task's URL:
    `label_studio_export` tells them, and gives them zsl's path). An image in two tasks is one,
    but for two labels, which are refused, as are two URLs that name it only once their host or
    query is dropped (see `_check_listed_again`). `control`: the Choices control that holds the
    classes, where the caller names it."""
    try:
        value = json.loads(text)
    except JSON_ERRORS:  # read as any other JSON that is no export
        return None
    where = printable(source)
    try:
        exported = label_studio_export(
            value, where, classes, class_key=_choice_key, control=control
        )
    except UnsettledControl as unsettled:
        # Before predictions that are still coming (piped from a labelling, typed at a
        # terminal): an export read wrong with every control they may choose is refused now,
        # as the first of them reads it, not once they have come.
        refusals = []
        for candidate in unsettled.candidates:
            try:
                _truth_from_export(text, source, (), candidate)
            except ZslError as refused:
                refusals.append(refused)
            else:
                raise
        if refusals:
            raise refusals[0] from None
        raise
    if exported is None:
        return None
    items: list[TruthItem] = []
    # Each image's first task, and whether its URL is one whose host and query were dropped.
    tasks: dict[str, tuple[ExportedImage, bool]] = {}
    for image in exported.images:
        label = strip_invisible(image.label)  # as a truth CSV's label
        if not label:
            raise ZslError(f"{where}, task {image.task}: the choice is empty")
        _refuse_several_labels(label, f"{where}, task {image.task}", "choice")
        image = replace(image, label=label)
        zsl_path = image.image if image.zsl_path else None
        upload = None if zsl_path is not None else LABEL_STUDIO_UPLOAD.fullmatch(image.image)
        in_url = None if zsl_path is not None or upload else _path_in_url(image.image)
        written = zsl_path or (in_url.path if in_url and in_url.path else image.image)
        if zsl_path is None and in_url is None:
            written = unquoted(written) if upload else path_from_text(written)
        inexact = in_url is not None and not in_url.exact
        full = absolute_path(written)
        if full not in tasks:
            tasks[full] = image, inexact
            if upload:
                # Its path on the server, which names no file here: it pairs by its file name
                # alone (rule 3), only where that is one image's, as the upload kept no folder.
                stored, name = unquoted(upload["stored"]), unquoted(upload["name"])
                items.append(TruthItem(full, (name,), image.label, written, upload=stored))
                continue
            absolute = _windows_absolute(written) or os.path.isabs(written)
            relative = () if absolute else _parts(written)
            items.append(TruthItem(full, relative, image.label, written))
            continue
        first, first_inexact = tasks[full]
        url, first_url = image.url or image.image, first.url or first.image
        if url != first_url and (inexact or first_inexact):
            # Other files, as like as not (two hosts, S3 or Drive URLs told apart by their
            # query): read as one, accuracy was over fewer images than the export's tasks.
            raise ZslError(
                f"{where}, task {image.task}: {printable_text(url)} and "
                f"{printable_text(first_url)} (task {first.task}) both name {printable(written)} "
                "(a URL's host and query are dropped): give the files' local paths, in a "
                "path,label CSV as the ground truth"
            )
        if _label_key(first.label) != _label_key(image.label):
            raise ZslError(
                f"{where}: the tasks with ids {first.task} and {image.task} name the same image, "
                f"'{printable(written)}', labelled '{printable_text(first.label)}' and "
                f"'{printable_text(image.label)}'; {_two_tasks_fix(first, image)}"
            )
    classes = tuple(sorted({item.label for item in items}))
    return GroundTruth(source, "label-studio", classes, tuple(items), exported.warnings)


def _two_tasks_fix(first: ExportedImage, second: ExportedImage) -> str:
    """What to do in Label Studio about two tasks of one image with two classes: a task imported
    twice is one to delete; an upload of zsl's task's image, or a task added with its URL, is
    another task of the project, and either annotation may be the wrong one."""
    said = [f"task {i.task} is {i.other_task}" for i in (first, second) if i.other_task]
    if not said:
        return "keep one of them (in Label Studio: delete the task imported twice)"
    return (
        f"{' and '.join(said)}: in Label Studio, correct the annotation that is wrong (or "
        "delete one of the two tasks), then export the project again"
    )


class _Row(NamedTuple):
    """A truth CSV's row, as later rows naming its image again are told apart from it."""

    item: int  # the index of its item in the items read
    line: int
    cell: str  # its path cell
    inexact: bool  # whether that cell is a URL whose host was dropped
    full: str  # the absolute path it names


class _ListedImages:
    """The images a truth CSV's rows have named, each by its first row, to find a row that names
    one again: by the same real file (the same name in the same real folder: through a folder
    link too, as `zsl label` tells files apart), or by the same path once read as a path written
    anywhere is (`\\` a separator, accents composed, a Windows drive's letter in either case and
    `/` for `\\`) where the two rows do not name two files here (a composed and a decomposed
    name are two files on Linux)."""

    def __init__(self) -> None:
        self._by_real: dict[tuple[str, str], _Row] = {}
        self._by_spelling: dict[str, _Row] = {}
        self._real_folders: dict[str, str] = {}  # a row's folder -> its real path

    def find(self, row: _Row, written: str, windows: bool) -> _Row | None:
        """The first row naming the image `row` names (`written`: its path as read, `windows`:
        whether absolute on Windows), or None; either way `row`'s keys lead to that first row
        from now on."""
        folder, name = os.path.split(row.full)
        if folder not in self._real_folders:
            self._real_folders[folder] = os.path.realpath(folder)
        real = (self._real_folders[folder], name)
        spelling = _spelling_key(written, row.full, windows)
        earlier = self._by_real.get(real)
        if earlier is None:
            earlier = self._by_spelling.get(spelling)
            if earlier is not None and os.path.lexists(row.full) and os.path.lexists(earlier.full):
                earlier = None  # two files here, whose names only print alike
        first = earlier or row
        self._by_real.setdefault(real, first)
        self._by_spelling.setdefault(spelling, first)
        return earlier


def _spelling_key(written: str, full: str, windows: bool) -> str:
    """A truth CSV's path (`written`; `full`: made absolute from the CSV's folder; `windows`:
    whether `written` is absolute on Windows) as written anywhere: `\\` read as a separator,
    accents composed, and a Windows path's drive in one case with `\\` for `/` (Windows reads
    them alike)."""
    if windows:
        drive, rest = ntpath.splitdrive(composed(written).replace("/", "\\"))
        return drive.lower() + ntpath.normpath(rest)
    key = composed(full)  # normalised already, but for its backslashes
    return os.path.normpath(key.replace("\\", "/")) if "\\" in key else key


def _refuse_folder(full: str, written: str, cell: str, where: str, line: int) -> None:
    """Refuse a truth CSV's row that names a folder (one row per class folder): it is no image,
    and the images below it were scored as outside the truth. An image's extension spares the
    look at the file system."""
    if os.path.splitext(written)[1].lower() in IMAGE_EXTENSIONS or not os.path.isdir(full):
        return
    parent = os.path.dirname(full)
    if not (below := os.path.relpath(parent)).startswith(os.pardir):  # as typed from here
        parent = below
    raise ZslError(
        f"{where}, line {line}: {printable_text(cell)} is a folder: give a row per image, or "
        f"--truth {printable(parent)}, a folder of class sub-folders"
    )


def _check_listed_again(
    items: list[TruthItem], first: _Row, row: _Row, written: str, label: str, where: str
) -> None:
    """Refuse a truth CSV's `row` (the path it names: `written`; its `label`) that names an
    image the `first` row named, unless it is the same image with the same label: one that is
    the same class written otherwise (composed or decomposed, a no-break space: see
    `class_spelling`)."""
    earlier = items[first.item]
    line, cell = row.line, row.cell
    if cell != first.cell and (row.inexact or first.inexact):
        # Other files, as like as not (Google Drive's uc?id=..., two hosts):
        # read as one, accuracy was over fewer images than the file lists.
        raise ZslError(
            f"{where}, line {line}: {printable_text(cell)} and "
            f"{printable_text(first.cell)} (line {first.line}) both name "
            f"{printable(written)} (a URL's host and query are dropped): give "
            "the files' local paths"
        )
    if _label_key(earlier.label) == _label_key(label):
        return
    labels = f"'{printable_text(label)}' here and '{printable_text(earlier.label)}'"
    # A URL as written: the path it leaves is in no cell.
    shown = printable(written) if cell == written else printable_text(cell)
    if row.full == first.full:
        said = f"{shown} is labelled {labels} on line {first.line}"
    else:
        # A composed and a decomposed path print alike: that they differ so is said instead.
        other = printable_text(first.cell)
        if composed(cell) == composed(first.cell):
            other = "written with its accents composed otherwise"
        said = f"{shown} names the image of line {first.line} ({other}), labelled {labels} there"
    raise ZslError(
        f"{where}, line {line}: {said}; keep one label per image"
        f"{_difference_shown(label, earlier.label)}"
    )


def _refuse_several_labels(label: str, at: str, what: str) -> None:
    """Refuse a truth `label` (a CSV's label, an export's choice: `what`, at `at`) holding the
    separator of several labels: it would count wrong, whatever was predicted."""
    if TOP_K_SEPARATOR in label:
        raise ZslError(
            f"{at}: the {what} '{printable_text(label)}' holds '{TOP_K_SEPARATOR}', which no "
            "class name holds (several labels? evaluate takes one class per image)"
        )


def _choice_key(choice: str) -> str:
    """A Label Studio choice as a truth CSV's label is compared: without invisible characters at
    its ends, then by `_label_key`."""
    return _label_key(strip_invisible(choice))


def _label_key(label: str) -> str:
    """A truth label as the class it names is compared (`class_spelling`): composed, emoji
    without presentation selectors, spaces that print as a plain one plain."""
    return plain_emoji(label.translate(_PLAIN_SPACES))


def _difference_shown(label: str, other: str) -> str:
    """Where two labels differ in a character or two beyond ASCII, which may print alike (a
    Cyrillic 'с' for a Latin 'c', a zero-width joiner): those characters, by code point; else
    ''."""
    start = len(os.path.commonprefix([label, other]))
    end = len(os.path.commonprefix([label[start:][::-1], other[start:][::-1]]))
    here, there = label[start : len(label) - end], other[start : len(other) - end]
    if (here + there).isascii() or max(len(here), len(there)) > 2:
        return ""
    return f" (they differ in {_code_points(here)} here and {_code_points(there)} there)"


def _code_points(text: str) -> str:
    return (
        ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in text) or "nothing"
    )


def _check_utf8_labels(labels: Iterable[str], where: str, line: int) -> None:
    """Refuse labels (a truth CSV's, a seen list's line) that are not UTF-8 text, as a class
    file's names are: a label is a class name, not a file name (whose bytes may be any), and one
    saved in a legacy code page (Excel's "CSV (Comma delimited)") was scored 0% under a name that
    no class has. `line` is the number of the file's line that holds them."""
    for label in labels:
        byte = escaped_byte(label)
        if byte is not None:
            raise not_utf8_error(where, line, byte)


class _OneHot(NamedTuple):
    path_col: int
    classes: dict[int, str]  # the class columns' names by index
    # Said where a row is refused: why a column named as the path or label one is a class's.
    note: str


def _one_hot_table(
    columns: list[str],
    header: list[str],
    first: tuple[int, int, list[str]] | None,
    later: Callable[[], Iterable[tuple[int, int, list[str]]]],
    where: str,
) -> _OneHot | None:
    """A one-hot table's path and class columns (Roboflow's classification export,
    _classes.csv: `filename, cat, dog` and a 0 or 1 per class), told by its `first` row: one
    path column, named as one, and two or more others, each named once, holding only 0s and 1s
    there, row numbers aside (`_row_numbers`). The path column is the one whose cell is no 0 or
    1, where several are named as a path column could be. None for another table: its header is
    read, and refused, as a path,label one. A class named as the label or path column is
    (`Label`, `path`) makes the table one-hot only where every row (`later`, read again) holds 0
    or 1 in every class's column. Where a row holds another cell, the table is a path,label one
    if that row's label is no 0 or 1 (a name); else it is refused, naming the column
    (`id,path,label` of ids and of labels 0 and 1 too)."""
    if first is None:
        return None
    first_line, _, row = first
    counted = _one_hot_columns(columns, header, row)
    loose = _unmarked_columns(counted, row)
    # A file named 0 or 1 is the path column's by its name alone.
    named = None if loose else _named_column(columns, "path")
    if len(loose) == 1 and columns[loose[0]] in TRUTH_COLUMNS["path"]:
        named = loose[0]
    if named is None:
        return None
    path_col = named
    # An unnamed first column is pandas' index (`df.to_csv()` without index=False): row numbers.
    classes = {index: strip_invisible(header[index]) for index in counted if index != path_col}
    names = list(classes.values())
    if len(names) < 2 or not all(names) or len(set(names)) < len(names):
        return None
    keywords = {*TRUTH_COLUMNS["path"], *TRUTH_COLUMNS["label"]}
    colliding = next((index for index in classes if columns[index] in keywords), None)
    if colliding is None:
        return _OneHot(path_col, classes, "")
    role = "path" if columns[colliding] in TRUTH_COLUMNS["path"] else "label"
    shape = (
        f"a 0/1 column per class, as on line {first_line} every column but "
        f"'{printable_text(strip_invisible(header[path_col]))}' holds 0 or 1: the column "
        f"'{printable_text(classes[colliding])}' is a class's, not the {role} column"
    )
    if role == "label":
        shape += "; for a table of path and label, keep only those two columns"
    unmarked = _first_unmarked(later(), columns, path_col, classes)
    if unmarked is None:
        return _OneHot(path_col, classes, f" (read as a one-hot table, {shape})")
    line, row = unmarked
    label_col = _named_column(columns, "label")
    if (
        label_col is not None
        and _marked(row[label_col]) is None
        and path_col == _named_column(columns, "path")
    ):
        return None  # a label column of names: a path,label table
    index = next(index for index in classes if _marked(row[index]) is None)
    raise _unmarked_error(
        row[index], classes[index], where, line, f" (the table looks one-hot, {shape})"
    )


# The names of a column of row numbers: pandas' for one with no name, as its index is read back
# (`Unnamed: 0`), and the usual names of an index.
_ROW_NUMBERS_COLUMN = re.compile(r"unnamed:_\d+|id|index|idx")


def _one_hot_columns(columns: list[str], header: list[str], row: list[str]) -> list[int]:
    """The columns a one-hot table's path and classes may be in, told by its first `row`: each
    named one (the first may have no name: a row index pandas wrote), row numbers aside."""
    return [
        index
        for index, name in enumerate(header)
        if (index or strip_invisible(name)) and not _row_numbers(columns, row, index)
    ]


def _unmarked_columns(indices: Iterable[int], row: list[str]) -> list[int]:
    """Those of the columns at `indices` whose cell on `row` is no 0 or 1 (or missing)."""
    return [index for index in indices if index >= len(row) or _marked(row[index]) is None]


def _row_numbers(columns: list[str], row: list[str], index: int) -> bool:
    """Whether a table's column at `index` is one of row numbers, not a class's, by its name and
    its cell on the first `row`, a whole number (no class's 0 or 1 only: 2 or 1000 too). Not in
    a table with a column named as a label column is: `id,path,label` of labels 0 and 1 is
    refused by `_one_hot_table`, which says why."""
    return (
        _ROW_NUMBERS_COLUMN.fullmatch(columns[index]) is not None
        and _named_column(columns, "label") is None
        and index < len(row)
        and re.fullmatch(r"\d+", row[index].strip()) is not None
    )


def _other_columns_hint(
    columns: list[str],
    header: list[str],
    first: tuple[int, int, list[str]] | None,
    source: str,
    delimiter: str,
) -> str:
    """A note for a table that is one-hot but for a few other columns, holding no 0 or 1 on its
    `first` row (`filename,split,cat,dog`), with a line that cuts them out of `source`; "" where
    a column is named as a label column is, or where fewer than two columns, or not most of
    them, hold 0 or 1."""
    path_col = _named_column(columns, "path")
    if first is None or path_col is None or _named_column(columns, "label") is not None:
        return ""
    if _label_studio_hint(columns):  # its ids of 1 are no classes: that hint says what it is
        return ""
    line, _, row = first
    read = _one_hot_columns(columns, header, row)
    others = [index for index in _unmarked_columns(read, row) if index != path_col]
    marks = len(read) - len(others) - 1
    if not others or marks < max(2, len(others) + 1):  # most columns: a column per class
        return ""
    shown = ", ".join(
        f"'{printable_text(header[index].strip())}' holds "
        + (f"'{printable_text(row[index].strip())}'" if index < len(row) else "no cell")
        for index in others
    )
    cut = cut_command(source, delimiter, others, len(header))
    return (
        f" (or a table of a 0/1 column per class: {marks} columns hold 0 or 1 on line {line}, "
        f"but {shown}; keep only the path column and the class columns, e.g. `{cut}`)"
    )


def _named_column(columns: list[str], role: str) -> int | None:
    """The column named as the truth's `role` ("path" or "label") is, as `_truth_column` finds
    it; None where none is, or several."""
    if role in columns:
        return columns.index(role) if columns.count(role) == 1 else None
    found = [index for index, name in enumerate(columns) if name in TRUTH_COLUMNS[role]]
    return found[0] if len(found) == 1 else None


def _first_unmarked(
    rows: Iterable[tuple[int, int, list[str]]],
    columns: list[str],
    path_col: int,
    classes: dict[int, str],
) -> tuple[int, list[str]] | None:
    """The first of a table's `rows` with a cell that is no 0 or 1 in a class column, and its
    line; None where there is none. A row short of cells is left to the reading to refuse."""
    for line, _, row in rows:
        if len(row) < len(columns) or _is_header(row, columns, path_col):
            continue
        if any(_marked(row[index]) is None for index in classes):
            return line, row
    return None


def _is_header(row: list[str], columns: list[str], path_col: int, label_col: int = -1) -> bool:
    """Whether a row repeats the header `columns`; in a table of path and label (`label_col`
    given), also where it names its path and label columns by other names they go by, its other
    cells the header's (`cat` of two exports: `filename,class` below `path,label`). Its path cell
    is looked at first: a one-hot table's rows have a thousand cells, which only a header's path
    cell makes worth reading."""
    if len(row) <= path_col:
        return False
    path_name = header_name(strip_invisible(row[path_col]))
    if path_name != columns[path_col] and (label_col < 0 or path_name not in TRUTH_PATH_COLUMNS):
        return False
    names = [header_name(strip_invisible(cell)) for cell in row[: len(columns)]]
    if names == columns:
        return True
    if label_col < 0 or len(names) <= label_col:
        return False
    return names[label_col] in TRUTH_COLUMNS["label"] and all(
        name == column or index in (path_col, label_col)
        for index, (name, column) in enumerate(zip(names, columns, strict=False))
    )


# A one-hot cell written as a number: 1 or 0, 1.0 as pandas writes it after a conversion, 1,0
# where the decimal mark is a comma.
_ONE_HOT_NUMBER = re.compile(r"[01]([.,]0*)?")


# TRUE and FALSE as Excel writes them in a CSV, in English and in the languages whose Excel
# names them otherwise (German, French, Spanish, Italian, Portuguese, Dutch).
_EXCEL_BOOLEANS = {
    **dict.fromkeys(("true", "wahr", "vrai", "verdadero", "vero", "verdadeiro", "waar"), True),
    **dict.fromkeys(("false", "falsch", "faux", "falso", "onwaar"), False),
}


def _marked(cell: str) -> bool | None:
    """Whether a one-hot cell marks its class: 1 or 0, also as pandas writes them after a
    conversion (1.0, or True from get_dummies' bool columns) or a spreadsheet does (TRUE, or
    WAHR in a German Excel: `_EXCEL_BOOLEANS`); None for anything else."""
    text = cell.strip()
    if _ONE_HOT_NUMBER.fullmatch(text):
        return text[0] == "1"
    return _EXCEL_BOOLEANS.get(text.lower())


def _one_hot_label(
    row: list[str],
    classes: dict[int, str],
    where: str,
    line: int,
    note: str = "",
    numbers_column: Callable[[list[int]], None] | None = None,
) -> str:
    """The class a one-hot row marks with its one 1; ZslError for a row that marks none, or
    several (a multi-label table: which of them is the image's one class is not guessed, but
    `numbers_column` first refuses a column of them that is none, as it sees it).
    `note`: what the refusal adds (why a column named as the label one is a class's)."""
    marked = []
    for index, name in classes.items():
        cell = row[index].strip()
        # 0 and 1 first: a thousand classes make a thousand cells a row.
        mark = cell == "1" if cell in ("0", "1") else _marked(cell)
        if mark is None:
            raise _unmarked_error(cell, name, where, line, note)
        if mark:
            marked.append(index)
    if not marked:
        raise ZslError(f"{where}, line {line}: no class is marked 1; mark the image's class{note}")
    if len(marked) > 1:
        if numbers_column is not None:
            numbers_column(marked)
        shown = some_names([printable_text(classes[index]) for index in marked], 3)
        raise ZslError(
            f"{where}, line {line}: {len(marked)} classes are marked 1 ({shown}): a multi-label "
            f"table, which evaluate does not score (it takes one class per image){note}"
        )
    return classes[marked[0]]


def _refuse_numbers_column(
    rows: Iterable[tuple[int, int, list[str]]],
    classes: dict[int, str],
    marked: list[int],
    where: str,
    cut: Callable[[int], str],
) -> None:
    """Refuse a one-hot table whose column, among those a row `marked` (indices into
    `classes`), holds another cell than 0 or 1 on a row of `rows`: no class's column, but row
    numbers (0 and 1 on its first rows), or ids, read as one. `cut`: the line that leaves a
    column out."""
    for line, _, row in rows:
        for index in marked:
            # A header repeated below (tables joined with `cat`) names the class there.
            if index >= len(row) or strip_invisible(row[index]) == classes[index]:
                continue
            if _marked(row[index]) is None:
                cell = printable_text(row[index].strip())
                name = printable_text(classes[index])
                raise ZslError(
                    f"{where}, line {line}: '{cell}' in the column '{name}', read as a class's "
                    "column as it held 0 or 1 on the first rows: row numbers or ids, not a "
                    f"class? leave the column out, e.g. `{cut(index)}`"
                )


def _unmarked_error(cell: str, name: str, where: str, line: int, note: str) -> ZslError:
    """The refusal of a one-hot table's cell that is no 0 or 1, in the class column `name`."""
    cell = cell.strip()
    shown = f"'{printable_text(cell)}'" if cell else "an empty cell"
    return ZslError(
        f"{where}, line {line}: {shown} in the column '{printable_text(name)}', where a table "
        f"of a 0/1 column per class holds 0 or 1 (or 0.0 and 1.0, or False and True){note}"
    )


def _refuse_predictions(columns: Collection[str], where: str, what: str = "columns") -> None:
    """ZslError where a truth file's columns (a CSV's, after `header_name`, or its first JSON
    record's keys) are those of zsl's predictions: a ranking, or both a score and a status."""
    found = [name for name in PREDICTION_COLUMNS if name in columns]
    if not (set(found) - {"score", "status"} or {"score", "status"} <= set(found)):
        return
    raise ZslError(
        f"{where} looks like zsl predictions (it has {', '.join(found)} {what}); give the "
        "ground truth: a folder of class sub-folders or a CSV of path,label (of predictions "
        "whose labels you checked by hand, keep only the path and label columns)"
    )


def _refuse_truth_export(first: Any, keys: Collection[str], source: str) -> None:
    """A ZslError with a line that writes it as a path,label CSV where JSON whose first value is
    `first` (its first record's `keys`) is another tool's ground truth: a COCO annotation file,
    Datumaro's annotation file, FiftyOne's image classification labels."""
    where = printable(source)
    if {"images", "annotations", "categories"} <= set(keys):
        raise ZslError(
            f"{where} is a COCO annotation file (images, annotations, categories), not a "
            "ground-truth CSV: write each image's category as a path,label CSV, e.g. "
            f"`{coco_command(source)}`"
        )
    if {"categories", "items"} <= set(keys):
        raise ZslError(
            f"{where} is a Datumaro annotation file (categories, items), not a ground-truth "
            "CSV: write each item's image and the class of its label (tag) as a path,label "
            "CSV, items of no label or of labels of several classes left out, e.g. "
            f"`{datumaro_command(source)}`"
        )
    labels = first.get("labels") if isinstance(first, dict) else None
    if set(keys) == {"classes", "labels"} and isinstance(labels, dict):
        told = (
            f"{where} is a FiftyOne image classification export's labels (classes, labels), "
            "not a ground-truth CSV: write each image of its data folder and its class as a "
            "path,label CSV, images of no label or of several left out"
        )
        data = os.path.join(os.path.dirname(source), "data")
        if not os.path.isdir(data):  # a line finding no file would write names without extension
            raise ZslError(
                f"{told}; its keys are the images' file names without their extension, which "
                f"only the export's data folder beside it tells, and there is no "
                f"{printable(data)}: give the labels.json where the export wrote it"
            )
        raise ZslError(f"{told}, e.g. `{fiftyone_command(source, data)}`")


def _first_json_value(text: str) -> Any:
    """The first value of a JSON or JSON Lines file; None where it has none."""
    try:
        return json.JSONDecoder().raw_decode(text, len(text) - len(text.lstrip()))[0]
    except JSON_ERRORS:
        return None


def _json_record_keys(first: Any) -> list[str]:
    """The keys of the first record of a JSON or JSON Lines file whose first value is `first`:
    its own, or those of the first item of a list, or of a zsl document's "predictions"; empty
    where it has none."""
    if isinstance(first, dict) and isinstance(first.get("predictions"), list):
        first = first["predictions"]
    if isinstance(first, list):
        first = first[0] if first else None
    return list(first) if isinstance(first, dict) else []


# A URL's start (`file:///`, `https://`, `s3://`): a scheme of two characters or more, which
# tells it from a Windows drive (`C:/`).
_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")
# Label Studio's URL of a file under its document root: /data/local-files/?d=photos/a%20b.jpg,
# a server's scheme and host before it or not.
_LABEL_STUDIO_LOCAL_FILE = re.compile(
    r"([A-Za-z][A-Za-z0-9+.-]+://[^/?#]*)?/data/local-files/?\?(.*&)?d=(?P<path>[^&#]*).*"
)
# A Windows drive at the start of a file URL's path: file:///C:/Users/u/a.jpg.
_URL_DRIVE = re.compile(r"/[A-Za-z]:[/\\]")


class _UrlPath(NamedTuple):
    path: str  # os.fsdecode form, percent-encoding undone
    exact: bool  # False where the URL's host and query were dropped (http, s3, ...)


def _path_in_url(cell: str) -> _UrlPath | None:
    """The path a truth CSV's URL names, None where the cell is no URL. Read as a path, no
    prediction ever matched one. A file URL names a file here (`file:///home/u/a%20b.jpg`), or
    one written on Windows (a drive, or a host: a share), exactly; Label Studio's local-files
    URL names a path under its document root, exactly, and another URL (http, s3, ...) the path
    after its host, not exactly: those are relative paths, matched by their ending (rule 3), as
    the file is on another machine, under another folder."""
    local = _LABEL_STUDIO_LOCAL_FILE.fullmatch(cell)
    if local is not None:
        # Decoded as a query's value (the server reads it so): '+' is a space.
        return _UrlPath(unquoted(local["path"].replace("+", " ")).lstrip("/"), exact=True)
    if not _URL_START.match(cell):
        return None
    url = urlsplit(cell)
    if url.scheme.lower() != "file":
        return _UrlPath(unquoted(url.path).lstrip("/"), exact=False)
    path = unquoted(url.path)
    if url.netloc not in ("", "localhost"):
        return _UrlPath(f"//{url.netloc}{path}", exact=True)  # a Windows share: \\server\share
    return _UrlPath(path[1:] if _URL_DRIVE.match(path) else path, exact=True)


def _windows_absolute(path: str) -> bool:
    """Whether a truth CSV's path is absolute on Windows (C:\\data\\a.jpg, a \\\\server share):
    written there, it names no file here, and starts at no folder the CSV's could stand for."""
    drive, rest = ntpath.splitdrive(path)
    return bool(drive) and rest[:1] in ("\\", "/")


# The header names a truth CSV's columns go by, as datasets and exports name them (Kaggle's
# image,label or filename,class; COCO's file_name), after `header_name`. Ids (image_id,
# category_id) are not among them: they are no path, no class name.
TRUTH_COLUMNS = {
    "path": TRUTH_PATH_COLUMNS,
    "label": ("label", "class", "category", "class_name", "category_name"),
}


def _truth_rows(text: str, delimiter: str, where: str) -> Iterator[tuple[int, int, list[str]]]:
    """The rows of a ground-truth CSV's `text` that are not blank, each with the lines it starts
    and ends on; a quote left open is refused at its line."""
    # Ended by a line break, so that a quote left open on the last row keeps one in its cell.
    ended = text if text.endswith(("\n", "\r")) else text + "\n"
    read: list[str] = []  # the lines of the row being read, split as the reader splits them

    def lines() -> Iterator[str]:
        for text_line in io.StringIO(ended, newline=""):
            read.append(text_line)
            yield text_line

    # `a.jpg, "cat, siamese"`: a quote after the space that follows a comma still quotes
    # (cells lose the spaces at their ends anyway).
    reader = csv.reader(lines(), delimiter=delimiter, skipinitialspace=True)
    line = 1
    for row in reader:
        end = reader.line_num  # the reader counts the blank rows' lines too
        # A quoted cell over several lines, closed where a cell ends (a path holding a line
        # break, as csv.writer writes it), is no quote left open: that swallows the rows below
        # it up to the next '"', which no cell's end follows.
        if not (end > line and _quoted_whole(read, row, reader.dialect)):
            rule = "only a path may hold a line break, in a cell quoted whole"
            if open_quote := quote_left_open(line, end, row, rule):
                raise ZslError(f"{where}, line {line}: {open_quote}")
        if any(cell.strip() for cell in row):
            yield line, end, _leading_spaces_kept(row, "".join(read), delimiter)
        read.clear()
        line = end + 1


def _leading_spaces_kept(row: list[str], text: str, delimiter: str) -> list[str]:
    """A row read with the spaces that start its cells skipped, with those spaces back in its
    unquoted cells, as `text`, the row's lines, writes them: a file may be named with a space
    first (` a.jpg`, which csv.writer and zsl write unquoted), and `_path_cell` keeps it where
    that names a file. Cells from the first one a quote follows a space in (`a.jpg, "cat"`,
    read otherwise without skipping) keep the row's reading."""
    if not text.startswith(" ") and delimiter + " " not in text:
        return row
    written = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    kept = []
    for cell, as_written in zip(row, written, strict=False):  # until they part (see above)
        if as_written.lstrip(" ") != cell:
            break
        kept.append(as_written)
    return kept + row[len(kept) :]


def _quoted_whole(lines: list[str], row: list[str], dialect: Any) -> bool:
    """Whether a row read from `lines` is read alike by a strict reader, which refuses a '"'
    that closes a cell before its end (`"a.jpg,cat` over `"b.jpg",dog`: the open quote closed
    by the next one)."""
    try:
        return list(csv.reader(lines, dialect, strict=True)) == [row]
    except csv.Error:
        return False


def _refuse_line_break(cell: str, what: str, where: str, line: int) -> None:
    """Refuse a truth CSV's cell other than a path that holds a line break, properly quoted: a
    class name or a column's holds none. `what`: the cell, as the message names it."""
    if "\n" in cell or "\r" in cell:
        raise ZslError(
            f"{where}, line {line}: {what} holds a line break, which only a path may hold"
        )


def _cell_named(header: list[str], index: int, label_col: int) -> str:
    """A truth CSV row's cell at `index`, as a message names it."""
    if index == label_col:
        return "the label"
    name = header[index].strip() if index < len(header) else f"column {index + 1}"
    return f"the cell in the column '{printable_text(name)}'"


def _path_cell(cell: str, base: str) -> str:
    """A truth CSV's path cell without the white space at its ends that a spreadsheet or a
    hand (`a.jpg , cat`) pads cells with; as written where a file is named so (` a.jpg`) and
    the name stripped is no file's. Relative paths start at `base`, the CSV's folder."""
    stripped = cell.strip()
    if stripped == cell or not os.path.lexists(os.path.join(base, path_from_text(cell))):
        return stripped
    if stripped and os.path.lexists(os.path.join(base, path_from_text(stripped))):
        return stripped
    return cell


def _truth_delimiter(text: str) -> str:
    """The delimiter of a truth CSV's cells: ',', or ';' or a tab where its header is one cell
    with commas and names a path and a label column with that delimiter (Excel saves CSV with
    ';' in locales whose decimal mark is ','), or is a Label Studio export's (its TSV export of
    a project whose image key is no path column's name), refused then with its own hint. A file
    whose header shows neither is read with ',' and refused, its header named."""
    line = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    if len(next(csv.reader([line]))) == 1:
        for delimiter in (";", "\t"):
            names = [header_name(name) for name in next(csv.reader([line], delimiter=delimiter))]
            paths = set(names).intersection(TRUTH_COLUMNS["path"])
            if paths and set(names).intersection(TRUTH_COLUMNS["label"]):
                return delimiter
            if _label_studio_hint(names):
                return delimiter
            # A one-hot table (see _one_hot_classes): a path column and a column per class.
            if paths and len([name for name in names if name]) >= 3:
                return delimiter
    return ","


def _truth_column(
    columns: list[str],
    header: list[str],
    role: str,
    where: str,
    line: int,
    delimiter: str,
    hint: str = "",
) -> int:
    """The index of the column holding the truth's `role` ("path" or "label"): the one named so,
    else the one other name of TRUTH_COLUMNS[role] there is; ZslError where there is none, or
    where several could be it and which one holds the truth is anyone's guess (`delimiter`: the
    header's, which tells a Label Studio export's kind; `hint`: what the refusal of a header
    without such a column adds, of the file itself)."""
    if columns.count(role) > 1:
        raise ZslError(
            f"{where}, line {line}: the header has more than one '{role}' column; keep one"
        )
    if role in columns:
        return columns.index(role)
    found = [index for index, name in enumerate(columns) if name in TRUTH_COLUMNS[role]]
    if len(found) == 1:
        return found[0]
    if found:
        named = ", ".join(header[index].strip() for index in found)
        raise ZslError(
            f"{where}, line {line}: the columns {named} could each hold the {role}; rename the "
            f"one that does to '{role}'"
        )
    shown_with = ";" if delimiter == ";" else ","  # the header as the file has it; a tab shows not
    raise ZslError(
        f"{where}: a ground-truth CSV needs a header with a path column "
        f"({', '.join(TRUTH_COLUMNS['path'])}) and a label column "
        f"({', '.join(TRUTH_COLUMNS['label'])}) (found: "
        f"{shown_with.join(header) or 'nothing'}){_columns_read_note(header)}"
        f"{_headerless_hint(header)}"
        f"{_label_studio_hint(columns, delimiter)}{hint}"
    )


def _columns_read_note(header: list[str]) -> str:
    """A note for a header that is one cell holding ';' or tabs: its columns are read so (see
    `_truth_delimiter`), so their names, not the separator, are what to change ("save it with
    commas", the predictions reader's advice, left the file refused just the same)."""
    if not delimiter_hint(header):  # also no note for binary content
        return ""
    delimiter = ";" if ";" in header[0] else "\t"
    names = ", ".join(
        printable_text(name.strip()) for name in next(csv.reader(header, delimiter=delimiter))
    )
    return f" (its columns, {names}, are read: name them as above)"


def _label_studio_hint(columns: list[str], delimiter: str = ",") -> str:
    """A note for a Label Studio project's CSV or TSV export (by its `delimiter`): a row per
    annotation, and one with an empty choice per task without one, which a truth CSV cannot
    hold; its JSON and JSON_MIN exports are read as ground truth."""
    if not {"annotator", "annotation_id"} <= set(columns):
        return ""
    kind = "TSV" if delimiter == "\t" else "CSV"
    return (
        f" (a Label Studio {kind} export: export the project as JSON or JSON_MIN and give that "
        "as --truth)"
    )


def _imagenet_solution_hint(columns: list[str], source: str) -> str:
    """A note for ImageNet's LOC_val_solution.csv (on Kaggle), the ground truth many reach for:
    its ids name no file (no extension), and its labels are synset ids among boxes."""
    if not {"imageid", "predictionstring"} <= set(columns):
        return ""
    command = imagenet_solution_command(
        source, columns.index("imageid"), columns.index("predictionstring")
    )
    return (
        " (it is ImageNet's localisation solution (ImageId,PredictionString): write a path,label "
        "CSV of each ImageId's file name, ImageId.JPEG, and the first word of its "
        "PredictionString, its class's synset id, as the class list names the classes, e.g. "
        f"`{command}`)"
    )


def _image_list_hint(header: list[str], source: str) -> str:
    """A note for a file of an image and a class index a line (`a.png 3`): a Datumaro or CVAT
    ImageNet txt export, whose synsets.txt beside it names the classes, a line each from 0."""
    words = header[0].split() if len(header) == 1 else []
    if len(words) != 2 or not re.fullmatch(r"[0-9]+", words[1]):
        return ""
    synsets = os.path.join(os.path.dirname(source), "synsets.txt")
    image = os.path.splitext(words[0])[1].lower() in IMAGE_EXTENSIONS
    beside = os.path.isfile(synsets)
    if not image and not beside:
        return ""
    told = (
        " (its first line names an image and a class index, as a Datumaro or CVAT ImageNet txt "
        "export's do, whose synsets.txt names the classes, a line each from index 0: write a "
        "path,label CSV of their names"
    )
    if not beside:  # an awk line reading it would fail, and leave an empty CSV
        return (
            f"{told}; there is no {printable(synsets)}: copy the export's there, or write the "
            "class names in it, a line each in index order)"
        )
    return f"{told}, e.g. `{imagenet_txt_command(source, synsets)}`)"


def _id_column_hint(
    columns: list[str],
    header: list[str],
    first: tuple[int, int, list[str]] | None,
    source: str,
    delimiter: str,
    header_line: int,
) -> str:
    """A note for a table of an `id` column and a label column and no path column (Kaggle's
    `id,label`): its ids may name the images, with their extension or without it (the one a
    file named so beside the CSV, or a folder down, has)."""
    if "id" not in columns or first is None or _named_column(columns, "label") is None:
        return ""
    column = columns.index("id")
    row = first[2]
    if _named_column(columns, "path") is not None or column >= len(row):
        return ""
    name = row[column].strip()
    extension = "" if os.path.splitext(name)[1] else _extension_beside(name, source)
    command = path_column_command(source, delimiter, column, header_line, extension)
    if os.path.splitext(name)[1] or extension:
        return f" (if the column 'id' names the images, head it path, e.g. `{command}`)"
    return (
        " (if the column 'id' names the images, head it path, each id with the images' file "
        "extension)"
    )


def _extension_beside(stem: str, source: str) -> str:
    """The extension of a file named `stem` and an image extension in `source`'s folder or one
    of its sub-folders (Kaggle's train.csv beside train/), "" where none is found."""
    base = os.path.dirname(absolute_path(source))
    folders = [base]
    with contextlib.suppress(OSError):
        folders += [entry.path for entry in os.scandir(base) if entry.is_dir()]
    for folder in folders:
        for extension in IMAGE_EXTENSIONS:
            if os.path.isfile(os.path.join(folder, path_from_text(stem) + extension)):
                return extension
    return ""


def _headerless_hint(header: list[str]) -> str:
    """A note for a first line that names an image: a CSV without a header, whose columns are
    not guessed (a path,label file and a label,path one look alike)."""
    words = [word for cell in header for word in cell.split()]
    if not any(os.path.splitext(word)[1].lower() in IMAGE_EXTENSIONS for word in words):
        return ""
    if len(header) == 1 and len(words) == 2 and re.fullmatch(r"[0-9]+", words[1]):
        return ""  # an image and a class index: `_image_list_hint`'s
    return " (its first line names an image: add a header line, such as path,label, above it)"


def _read_text(
    source: str, what: str, fix: str = "save it as UTF-8", *, utf16: bool = False
) -> str:
    """A text file's content (a UTF-8 byte-order mark dropped). Bytes that are not UTF-8 stay
    surrogate escapes, as in file names; UTF-16 and binary files are refused, naming `fix`.
    `utf16`: UTF-16 led by its byte-order mark is read (a truth CSV from PowerShell's `>` or
    Excel's "Unicode Text", as predictions are read). `what`: the file, as "seen-class list"."""
    text = None
    try:
        with open(source, "rb") as handle:
            data = read_text_bytes(handle)
            if utf16:
                text = read_utf16(handle, data)
    except OSError as error:
        raise _cannot_read(what, source, error) from error
    except UnicodeDecodeError as error:
        raise ZslError(
            f"the {what} {printable(source)}: not UTF-16 text, though its byte-order mark says "
            "so (cut short?); save it as UTF-8"
        ) from error
    if text is not None and "\0" not in text:
        return text
    if utf16_or_binary(data):
        encoding = not_utf8_encoding(data)
        raise ZslError(f"the {what} {printable(source)}: not UTF-8 text ({encoding}); {fix}")
    return data.decode("utf-8-sig", errors="surrogateescape")


def _cannot_read(what: str, source: str, error: OSError) -> ZslError:
    """The error for a file that could not be read, in the words of a class file's where it is
    not there or is a folder."""
    shown = printable(source)
    hint = STDIN_HINT if source == "-" else not_found_hint(source)
    there = not_there_error(what, shown, error, hint)
    return there or ZslError(f"cannot read the {what} {shown}: {error.strerror}")


def _gzsl(
    matched: Sequence[Prediction],
    truth_labels: Sequence[str],
    metrics: ClassificationMetrics,
    seen: set[str],
    n_classes: int | None,
    outside: Collection[str] = (),
) -> GzslResult:
    """Seen/unseen accuracy, H and calibrated stacking. A truth class `outside` the run's
    classes (a class list without it) could never be predicted: it counts, at 0%, on the side
    the seen list puts it (unseen unless listed), as the other metrics count it, and a note
    names it, since it lowers that side's accuracy and H whatever the model does."""
    notes = []
    if outside:
        listed = len(set(outside) & seen)
        side = "seen" if listed == len(outside) else "unseen" if not listed else "seen and unseen"
        notes.append(
            f"{counted(len(outside), 'truth class is', 'truth classes are')} not among the run's "
            "classes, so no image could be labelled with "
            f"{'it' if len(outside) == 1 else 'them'}, and counted at 0% in the {side} "
            "accuracy and H (leave "
            f"{'its' if len(outside) == 1 else 'their'} images out of the truth to measure the "
            f"run's own classes): {_some_classes(sorted(outside))}"
        )
    accuracy = {stats.name: stats.accuracy for stats in metrics.per_class}
    plain = gzsl_accuracy(accuracy, seen)
    seen_classes = tuple(name for name in metrics.classes if name in seen)
    unseen_classes = tuple(name for name in metrics.classes if name not in seen)
    if not seen_classes or not unseen_classes:
        missing = "seen" if not seen_classes else "unseen"
        reason = f"the evaluated images include no {missing} class"
        notes.append(f"seen/unseen accuracy and H need images of both groups; {reason}")
        calibrated, calibrated_reason = None, reason
    else:
        calibrated, calibrated_reason = _stacking(matched, truth_labels, seen, n_classes, notes)
    return GzslResult(
        seen_classes=seen_classes,
        unseen_classes=unseen_classes,
        seen=plain.seen,
        unseen=plain.unseen,
        harmonic_mean=plain.harmonic_mean,
        calibrated=calibrated,
        calibrated_reason=calibrated_reason,
        notes=tuple(notes),
    )


def _stacking(
    matched: Sequence[Prediction],
    truth_labels: Sequence[str],
    seen: set[str],
    n_classes: int | None,
    notes: list[str],
) -> tuple[CalibratedStacking | None, str]:
    """Calibrated stacking from the predictions' scores, or None and the reason it cannot run."""
    scored = [p for p in matched if p.ok]
    if not scored:
        return None, "no evaluated image was labelled successfully"
    offered = [_ranked_labels(p) for p in scored]
    candidates = sorted(set().union(*offered) - {UNKNOWN, ""})
    wanted = max(len(candidates), n_classes or 0)
    short = [
        (p, names)
        for p, names in zip(scored, offered, strict=True)
        if len(names) < wanted or len(set(names) - {UNKNOWN, ""}) < wanted
    ]
    if short:
        example, names = short[0]
        return None, (
            f"{len(short)} of {len(scored)} images carry scores for fewer than all {wanted} "
            f"classes (e.g. '{printable(example.path)}' has {len(set(names) - {UNKNOWN, ''})}); "
            "label with --top-k 0 to keep every class's score"
        )
    if not any(name not in seen for name in candidates):
        return None, "no unseen class is among the predicted candidate classes"
    if not any(name in seen for name in candidates):
        return None, "no seen class is among the predicted candidate classes"

    # A truth class the labeller never offered can never be predicted: -inf keeps it that way.
    absent = sorted(set(truth_labels) - set(candidates))
    columns = candidates + absent
    column_of = {name: i for i, name in enumerate(columns)}
    seen_mask = np.array([name in seen for name in columns])
    scores = np.full((len(matched), len(columns)), -np.inf)
    rows: list[int] = []
    rankings: list[RankedScores] = []
    relabelled = None
    for row, prediction in enumerate(matched):
        if not prediction.ok or prediction.label == UNKNOWN:
            # A failed image, or one that abstained, is wrong at every gamma (as in the
            # plain metrics), so the curve passes through the labels' own point at gamma 0.
            scores[row] = np.nan
            continue
        ranked = RankedScores.of(prediction.top_k)
        if prediction.label != _top_scored(ranked, column_of):
            relabelled = prediction  # unless an image before it has scores that are no numbers
            break
        rows.append(row)
        rankings.append(ranked)
    # A block of rows at a time: each step below makes a few arrays of the block's size.
    block = max(1, STACKING_BLOCK_CELLS // len(candidates))
    for start in range(0, len(rows), block):
        unscored = _fill_scores(
            scores,
            rows[start : start + block],
            rankings[start : start + block],
            column_of,
            len(candidates),
            seen_mask,
        )
        if unscored is not None:
            path = printable(matched[unscored].path)
            return None, f"'{path}' has class labels without finite scores"
    if relabelled is not None:
        # Stacking decides every image from its scores: at gamma 0 it would not be the point
        # the labels themselves give.
        top = _top_scored(RankedScores.of(relabelled.top_k), column_of)
        return None, (
            f"'{printable(relabelled.path)}' is labelled '{printable_text(relabelled.label)}' but "
            f"scores '{printable_text(top)}' highest (edited after labelling?): stacking decides "
            "labels from the scores"
        )
    if rankings and all(np.ptp(ranked.scores) == 0 for ranked in rankings):
        # Every gamma then moves whole images from one side to the other by class order alone:
        # a curve and an AUSUC of the labeller's ties, not of its scores (a saturated or flat
        # score head; `label` warns of one).
        return None, (
            "every image scores every class alike, so no gamma tells seen from unseen classes "
            "by score"
        )
    if absent:
        notes.append(
            f"{counted(len(absent), 'truth class is', 'truth classes are')} not among the "
            f"predicted candidate classes and can never be predicted: {_some_classes(absent)}"
        )
    truth_idx = np.array([column_of[name] for name in truth_labels])
    return calibrated_stacking(scores, truth_idx, seen_mask), ""


STACKING_BLOCK_CELLS = 1 << 20  # rows x classes scored at a time (a few 8 MB arrays)


def _top_scored(ranked: RankedScores, classes: Collection[str]) -> str:
    """The class a ranking scores highest (of equal scores, the first written): its first one,
    unless a hand-edited score puts a later class above it. Labels that are no class
    ("unknown") and scores that are no numbers (refused later) are passed over."""
    first, scores = ranked.labels[0], ranked.scores
    # The usual ranking is in the order of its scores, which one comparison tells (where its
    # first label is a class with a score).
    if first in classes and not np.isnan(scores[0]) and not (scores[1:] > scores[0]).any():
        return first
    # A class written twice counts with its first score, as the stacking reads it.
    named: set[str] = set()
    usable = np.zeros(len(scores), dtype=bool)
    for i, name in enumerate(ranked.labels):
        usable[i] = name in classes and name not in named and not np.isnan(scores[i])
        named.add(name)
    return ranked.labels[int(np.argmax(np.where(usable, scores, -np.inf)))]


def _fill_scores(
    scores: np.ndarray,
    rows: Sequence[int],
    rankings: Sequence[RankedScores],
    column_of: dict[str, int],
    n_candidates: int,
    seen_mask: np.ndarray,
) -> int | None:
    """Put each ranking's scores, ties broken as written, in its row of `scores`; or return the
    first row with a class score that is no finite number (then some rows may be filled)."""
    # The usual ranking names each candidate class once (--top-k 0) and is done as one array;
    # others (a class twice, "unknown" among the classes: hand-edited files) a row at a time.
    regular = [i for i, ranked in enumerate(rankings) if len(ranked) == n_candidates]
    at = np.fromiter(
        map(column_of.get, chain.from_iterable(rankings[i].labels for i in regular), repeat(-1)),
        dtype=np.int64,
        count=len(regular) * n_candidates,
    ).reshape(len(regular), n_candidates)
    named = np.zeros(at.shape, dtype=bool)
    np.put_along_axis(named, np.maximum(at, 0), True, axis=1)
    # Every candidate exactly once: no "unknown" (-1), so no column twice either.
    permutation = named.all(axis=1) & (at >= 0).all(axis=1)
    at = at[permutation]
    picked = [regular[i] for i in np.flatnonzero(permutation)]
    others = sorted(set(range(len(rankings))) - set(picked))
    values = np.array([rankings[i].scores for i in picked], dtype=np.float64)
    values = values.reshape(len(picked), n_candidates)

    unscored = [picked[i] for i in np.flatnonzero(~np.isfinite(values).all(axis=1))[:1]]
    one_by_one = []
    for i in others:
        ranked = rankings[i]
        # Labels that are no class ("unknown", "") have no column. A class written twice keeps
        # its first score, as top-k ranks it first there (assigned last, the other would win).
        columns = np.array([column_of.get(name, -1) for name in ranked.labels], dtype=np.int64)
        chosen = np.zeros(len(columns), dtype=bool)
        chosen[np.unique(columns, return_index=True)[1]] = True
        chosen &= columns >= 0
        if not np.isfinite(ranked.scores[chosen]).all():
            unscored.append(i)
            break
        one_by_one.append((i, columns[chosen], ranked.scores[chosen]))
    if unscored:
        return rows[min(unscored)]

    if picked:
        targets = np.array([rows[i] for i in picked], dtype=np.int64)
        scores[targets[:, None], at] = _ties_as_written(values, seen_mask[at])
    for i, columns, row_values in one_by_one:
        in_seen = seen_mask[columns]
        scores[rows[i], columns] = _ties_as_written(row_values[None], in_seen[None])[0]
    return None


def _repeated_class_warnings(matched: Sequence[Prediction], k: int) -> list[str]:
    """A warning where an image's ranking names a class twice within its first `k` places:
    zsl label never writes one so (a file edited since). A class counts once, at its first
    place, so such a ranking holds fewer classes than were written, and top-k can be out of
    reach for every image, the note saying only that some rankings are short."""
    repeated: list[tuple[Prediction, str]] = []  # and a class it ranks twice
    for prediction in matched:
        first = [name for name in _ranked_labels(prediction)[:k] if name not in ("", UNKNOWN)]
        if len(set(first)) < len(first):
            repeated.append((prediction, Counter(first).most_common(1)[0][0]))
    if not repeated:
        return []
    example, twice = repeated[0]
    return [
        f"{counted(len(repeated), 'image ranks', 'images rank')} a class twice within the first "
        f"{k} (e.g. '{printable(example.path)}': '{printable_text(twice)}'; zsl label writes "
        "each class once: edited since?): each class counts once, at its first place"
    ]


def _ranked_labels(prediction: Prediction) -> Sequence[str]:
    """The prediction's ranked class names, best first. Those a reader made are held as they are:
    a list for each image would take 8 bytes a class (50,000 images x 1,000 classes: 400 MB)."""
    return RankedScores.of(prediction.top_k).labels


def _ties_as_written(values: np.ndarray, in_seen: np.ndarray) -> np.ndarray:
    """`values` (a row of scores per image, in the order the labeller wrote them) with exact
    ties broken as it ranked them. Classes the model cannot tell apart tie exactly, and without
    this the stacking would break their ties its own way and miss the labels' point at gamma 0.

    `in_seen`: a bool per value. Ties are broken within the seen and the unseen group, which
    leaves each group's best score, and so the image's switch point d = best seen - best
    unseen, exact: lowering the best unseen score because a lesser seen class tied with it would
    separate d from an equal d of another image, a curve point no gamma reaches. Each repeat of
    a score within a group goes down by as many float steps as repeats of it came before it.
    Only a tie of the two best scores, with a seen class written first, lowers the unseen side
    by one float step, so that the labels' own point stays at gamma 0 (an exact tie goes to the
    unseen class)."""
    # Most images have no two equal scores: nothing to break there (and sorting is the cost).
    ordered = np.sort(values, axis=1)
    tied = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    result = values.copy()
    if tied.any():
        result[tied] = _ties_broken(values[tied], in_seen[tied])
    return result


def _ties_broken(values: np.ndarray, in_seen: np.ndarray) -> np.ndarray:
    """_ties_as_written for rows that hold a tie."""
    positions = np.arange(values.shape[1])
    # Seen values first, then unseen; within each, high to low, equal ones in written order.
    order = np.argsort(-values, axis=1, kind="stable")
    by_group = np.argsort(~np.take_along_axis(in_seen, order, axis=1), axis=1, kind="stable")
    order = np.take_along_axis(order, by_group, axis=1)
    ranked = np.take_along_axis(values, order, axis=1)
    group = np.take_along_axis(in_seen, order, axis=1)
    run_starts = np.ones(ranked.shape, dtype=bool)
    run_starts[:, 1:] = (ranked[:, 1:] != ranked[:, :-1]) | (group[:, 1:] != group[:, :-1])
    steps = positions - np.maximum.accumulate(np.where(run_starts, positions, 0), axis=1)
    result = np.empty_like(values)
    np.put_along_axis(result, order, ranked - steps * np.spacing(np.abs(ranked)), axis=1)

    top = values.max(axis=1, keepdims=True)
    at_top = values == top
    seen_first = np.take_along_axis(in_seen, np.argmax(at_top, axis=1)[:, None], axis=1)
    lowered = seen_first & (at_top & ~in_seen).any(axis=1, keepdims=True) & ~in_seen
    result[lowered] -= np.broadcast_to(np.spacing(np.abs(top)), values.shape)[lowered]
    return result


def upload_warnings(
    truth: GroundTruth, matching: Matching, paths: Sequence[str], what: str
) -> list[str]:
    """A warning where images uploaded to Label Studio are paired with none of `paths` (`what`
    they are: prediction, image), saying why, as they pair by their file name alone."""
    paired = {i for _, i in matching.pairs}
    clause = _unpaired_uploads(truth, paired, paths, what)
    return [clause] if clause else []


def _unpaired_uploads(truth: GroundTruth, paired: set[int], paths: Sequence[str], what: str) -> str:
    """How many of the truth's images uploaded through Label Studio's web page (`upload`) pair
    with none of `paths` (not in `paired`), and why, for one of them: an upload keeps only the
    file's name, which several uploads or several of `paths` may have, or Label Studio changed
    on upload; "" where none is unpaired."""
    unpaired = [item for i, item in enumerate(truth.items) if item.upload and i not in paired]
    if not unpaired:
        return ""
    uploads = Counter(item.relative[0] for item in truth.items if item.upload)
    by_name: dict[str, list[str]] = {}
    renamed: dict[str, str] = {}  # the name Label Studio stores a file's under -> the file's
    for path in paths:
        parts = _ending(_parts(path))
        if parts:
            by_name.setdefault(parts[-1], []).append(path)
            renamed.setdefault(uploaded_name(parts[-1]), parts[-1])

    def why(item: TruthItem) -> tuple[int, str]:
        """Why `item` pairs with nothing, after how telling that is (0: most)."""
        name = item.relative[0]
        if renamed.get(name, name) != name:
            return 0, (
                f"Label Studio renamed '{printable(renamed[name])}' so on upload, its spaces as "
                "'_', characters other than letters, digits, '-', '_' and '.' dropped"
            )
        if len(item.upload) == UPLOAD_MAX_LENGTH and re.search(r"_[A-Za-z0-9]{7}(\.|$)", name):
            return 1, (
                f"Label Studio cut the long name to fit {UPLOAD_MAX_LENGTH} characters, adding "
                "'_' and 7 random ones"
            )
        if uploads[name] > 1:
            return 2, f"{uploads[name]} uploads are named so, files of other folders as like as not"
        if len(by_name.get(name, ())) > 1:
            first, second = by_name[name][:2]
            return 3, f"several {what}s end so, '{printable(first)}' and '{printable(second)}'"
        if name in by_name:
            # Rule 3 offers an upload only the predictions left over: this one is taken.
            return 4, (
                f"'{printable(by_name[name][0])}', the one {what} named so, is paired with "
                "another image of the export"
            )
        return 5, f"no {what} names a file so"

    # The example that tells most: a name Label Studio changed is one to put right.
    (_, reason), example = min(((why(item), item) for item in unpaired), key=lambda x: x[0][0])
    one = len(unpaired) == 1
    return (
        f"{counted(len(unpaired), 'image')} of {printable(truth.source)}, uploaded through Label "
        f"Studio's web page, {'is' if one else 'are'} paired with no {what}: an upload keeps "
        f"only the file's name, behind an 8-character prefix ({'' if one else 'e.g. '}"
        f"{printable(example.shown)} is '{printable(example.relative[0])}': {reason}); give a "
        "path,label CSV of the images' paths as the ground truth"
    )


def _nothing_matched_message(
    paths: Sequence[str],
    truth: GroundTruth,
    predictions_source: str,
    base: str | None,
    unmatched: Unmatched,
) -> str:
    return (
        f"none of the {len(paths)} predictions in {printable(predictions_source)} match "
        f"an image of the ground truth {printable(truth.source)}"
        + nothing_paired_reason(paths, truth, unmatched, base=base, source=predictions_source)
    )


def nothing_paired_reason(
    paths: Sequence[str],
    truth: GroundTruth,
    unmatched: Unmatched,
    *,
    base: str | None = None,
    source: str | None = None,
) -> str:
    """Why none of `paths` paired with the truth and what to do, as the end of the error that
    says so, for `evaluate` (`source`: the predictions file, `base`: the labelling's folder, if
    known) and `hubness` (`source` None: the paths are the images given, files here)."""
    what = "predictions" if source is not None else "images"
    if not paths:
        return ""
    if uploads := _unpaired_uploads(truth, set(), paths, what[:-1]):
        return ": " + uploads
    if unmatched.shared_endings:
        # Every prediction may be in the truth: which one a truth path is cannot be told.
        return ": " + _shared_ending_clause(unmatched, what, _shared_ending_fixes(source, base))
    example = next((item for item in truth.items if item.image_like and not item.hidden), None)
    example_truth = example.shown if example else "(no images)"
    example_prediction = paths[0]
    predicted_file = absolute_path(_from(base, example_prediction))
    if example and example_truth == example_prediction:
        # The same text, resolved against different folders: show where each one points.
        example_prediction, example_truth = predicted_file, example.path
    where = ""
    no_extension = truth.kind == "csv" and not any(
        os.path.splitext(item.path)[1] for item in truth.items
    )
    if no_extension:
        where = " (the truth's paths have no file extension: ids, not file names?)"
    elif truth.kind == "csv" and example and example.relative:  # an absolute one starts nowhere
        where = " (a truth CSV's relative paths start at the CSV's folder)"
    alike = _alike_ending(paths, truth, base, what)
    extension = _missing_extension(paths, truth) if no_extension else None
    if extension is not None:
        # Kaggle's ids: the images' names without their extension.
        advice = f"the truth's paths are the {what}' file names without '{extension}': add it"
        if truth.layout is not None:
            column, delimiter, header_line = truth.layout
            command = path_column_command(truth.source, delimiter, column, header_line, extension)
            advice += f", e.g. `{command}`"
    elif alike is not None:
        # The same class folders and file names under another root: a colleague's or another
        # machine's copy of the dataset, or a dataset renamed since. Not guessed: said.
        advice = (
            f"the {alike}: write the truth's paths from the class folders on ('class/file', "
            f"which pair by their ending), or with the {what}' folder in place of the truth's"
        )
    elif _named_alike(paths, base, truth):
        # The same files under other folders: a CVAT task's flat folder and its class folders.
        advice = (
            f"the {what}' file names are the truth's, in other folders: give a truth CSV of "
            f"each file's name and class, e.g. `{file_names_command(truth.source)}`"
        )
    elif source is None:
        advice = "the images are not in the ground truth: give the truth of these images, or "
        advice += "a truth CSV with their paths"
    elif os.path.isfile(predicted_file):  # found where it was labelled: a copy is other images
        advice = "the predictions name images outside the ground truth: give the truth of the "
        advice += "images that were labelled, or a truth CSV with their paths"
    else:
        advice = "run evaluate from the folder you labelled from, or give a truth CSV with those "
        advice += "paths"
    if truth.kind == "csv" and any(has_surrogates(item.shown) for item in truth.items):
        # Most often a CSV saved in a legacy code page (Excel's on Windows), not file names so.
        advice += " (some of the truth's paths are not UTF-8: save the CSV as UTF-8)"
    return (
        f" (e.g. '{printable(example_prediction)}' vs '{printable(example_truth)}'){where}; "
        f"{advice}"
    )


def _named_alike(paths: Sequence[str], base: str | None, truth: GroundTruth) -> bool:
    """Whether the first of `paths` (from `base`) that has the file name of a truth folder's
    image, which no other of its images has, is a file of the same bytes: the same image under
    other folders (a CVAT task's flat folder and its export's class folders), which a truth CSV
    of file names pairs."""
    if truth.kind != "folder":
        return False
    by_name: dict[str, list[TruthItem]] = {}
    for item in truth.items:
        if item.relative:
            by_name.setdefault(item.relative[-1], []).append(item)
    for path in paths:
        found = by_name.get("".join(_parts(path)[-1:]))
        if found is None:
            continue
        predicted = absolute_path(_from(base, path))
        # In a folder named as its class folder: a copy of the truth folder, other images.
        if len(found) > 1 or not os.path.isfile(predicted) or found[0].relative[0] in _parts(path):
            return False
        return _same_file_bytes(predicted, found[0].path)
    return False


def _missing_extension(paths: Sequence[str], truth: GroundTruth) -> str | None:
    """The one file extension of the `paths` whose names, without it, are truth paths' names
    (a truth of ids, Kaggle's); None where none is, or they have several."""
    names = {_parts(item.shown)[-1:] for item in truth.items}
    found = set()
    for path in paths:
        stem, extension = os.path.splitext("".join(_parts(path)[-1:]))
        if (stem,) in names and re.fullmatch(r"\.[A-Za-z0-9]+", extension):
            found.add(extension)
    return found.pop() if len(found) == 1 else None


def _alike_ending(
    paths: Sequence[str], truth: GroundTruth, base: str | None, what: str = "predictions"
) -> str | None:
    """Where a prediction's path and a truth image's end in the same folder and file name but
    start in other folders (one dataset from two roots: a colleague's copy, a folder renamed
    since), a clause naming an example pair's two roots; else None. Two files here are two
    images (a copy of the labelled folder), not one under two roots."""
    index: dict[tuple[str, ...], TruthItem] = {}
    for item in truth.items:
        parts = _ending(_parts(item.shown if truth.kind == "csv" else item.path))
        if len(parts) >= 2:
            index.setdefault(parts[-2:], item)
    for path in paths:
        parts = _ending(_parts(path))
        other = index.get(parts[-2:]) if len(parts) >= 2 else None
        if other is None or _both_exist(_from(base, path), other.path):
            continue
        written = other.shown if truth.kind == "csv" else other.path
        roots = [_root_of(written), _root_of(path)]
        if roots[0] == roots[1]:
            continue
        shown = [f"'{printable(root)}'" if root else "no folder" for root in roots]
        return (
            f"paths end alike (as '{printable('/'.join(parts[-2:]))}') but start in other "
            f"folders, {shown[0]} in the truth where the {what} have {shown[1]}"
        )
    return None


def _root_of(path: str) -> str:
    """`path` without its last two parts (a class folder and a file name), '/' or '\\' apart."""
    cut = re.match(r"(.*?)[/\\]*[^/\\]+[/\\]+[^/\\]+[/\\]*$", path)
    return cut.group(1) if cut else ""


# Up to this many cells the confusion matrix goes into the JSON whole; beyond (more than ~1,000
# classes), as its non-zero cells: 20,000 classes would make 400 million numbers, gigabytes of
# JSON, for at most one non-zero cell per image.
DENSE_JSON_CELLS = 1_000_000


def _confusion_json(confusion: Confusion) -> dict[str, Any]:
    """labels, columns and "matrix" (rows of counts), or for many classes "cells" ([row, column,
    count] of the non-zero cells, by row, then column) instead of "matrix"."""
    shape = len(confusion.labels) * len(confusion.columns)
    result: dict[str, Any] = {"labels": list(confusion.labels), "columns": list(confusion.columns)}
    if shape <= DENSE_JSON_CELLS:
        result["matrix"] = confusion.matrix.tolist()
    else:
        result["cells"] = confusion.cells()
    return result
