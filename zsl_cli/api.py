"""Library entry points: what each CLI command does, usable from Python without the CLI.

Example::

    from zsl_cli.api import ClassOptions, InputOptions, LabelRequest, ModelOptions, label

    report = label(LabelRequest(
        inputs=InputOptions(paths=("photos",)),
        classes=ClassOptions(classes=["cat", "dog", "bird"]),  # or a class file's path
        model=ModelOptions(name="openai/clip-vit-base-patch32"),
        output=None,  # keep the predictions in the report instead of writing a file
    ))
    for prediction in report.predictions:
        print(prediction.path, prediction.label, prediction.score)

User errors raise `ZslError` (one message). Ctrl-C while `label` or `embed` works through the
images raises `Interrupted` (a KeyboardInterrupt) once the finished work is saved; its `report`
says what was done. One that comes as `label`, `embed`, `evaluate` or `hubness` moves its last
outputs into place waits for them, and is raised as `InterruptedOnceWritten`, whose `result` is
the call's complete result.
"""

from __future__ import annotations

import copy
import errno
import functools
import hashlib
import inspect
import io
import math
import os
import platform
import shlex
import sys
import time
from collections import Counter
from collections.abc import (
    Callable,
    Collection,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
    Set,
)
from contextlib import ExitStack, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from stat import S_ISFIFO, S_ISREG, S_ISSOCK
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    NamedTuple,
    NoReturn,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
)

import numpy as np
import PIL

from zsl_cli import __version__, writers
from zsl_cli.batching import (
    DecodeQueue,
    default_workers,
    group_ok_items,
    loading_workers,
    processes_available,
    stack_pixels,
)
from zsl_cli.classes import (
    ClassSpec,
    formula_name_warnings,
    load_class_spec,
    missing_value_name_warnings,
    whole_prompt_warnings,
)
from zsl_cli.discovery import (
    IMAGE_EXTENSIONS,
    STDIN_INPUT,
    Discovery,
    camera_raw_left_out,
    extension_counts,
    normalize_extensions,
    scan,
)
from zsl_cli.encoders import (
    DEFAULT_MODEL,
    Encoder,
    ImagePreprocessor,
    bundled_models,
    check_device,
    check_precision,
    check_revision,
    guess_preprocessor,
    load_encoder,
    resolve_model,
)
from zsl_cli.encoders.base import ModelSource, ScoreHead, TextChunks, dtype_name
from zsl_cli.encoders.model_files import (
    loaded_weight_files,
    weight_file_records,
    weight_files_fingerprint,
)
from zsl_cli.errors import Interrupted, OutputKept, ZslError
from zsl_cli.evaluation import (
    EvaluationResult,
    GroundTruth,
    GzslResult,
    Unmatched,
    check_truth_spelling,
    class_mismatch_hints,
    evaluate_files,
    folder_truth_warnings,
    load_truth,
    match_paths,
    nothing_paired_reason,
    read_seen_classes,
    seen_class_names,
    spelled_as,
    transposed_attributes_hint,
    unknown_seen_warnings,
    unmatched_json,
    upload_warnings,
)
from zsl_cli.exports import ExportRows, check_export_path, export_files, write_export
from zsl_cli.files import (
    HeldInterrupts,
    NamedOutput,
    absolute_path,
    check_outputs_spare_inputs,
    check_writable_later,
    check_writable_stream,
    goes_to_stream,
    inside_folder,
    interrupts_deferred,
    interrupts_held_from_first_move,
    interrupts_holdable,
    named_output,
    names_a_folder,
    open_sink,
    output_key,
    published_together,
    same_file,
)
from zsl_cli.formatting import (
    MAX_EXAMPLES,
    clipped_text,
    counted,
    failure_counts,
    listed,
    option_given,
    path_to_text,
    printable,
    quoted,
    quoted_text,
    some_names,
)
from zsl_cli.hubness import METHODS as HUBNESS_METHODS
from zsl_cli.hubness import (
    Hub,
    MethodHubness,
    copies_of_one,
    default_k,
    fewest_images,
    reduced_chunks,
    similarity_matrix,
    too_few_classes,
    too_few_images,
)
from zsl_cli.hubness import check_class_count as check_hubness_class_count
from zsl_cli.hubness import check_methods as check_hubness_methods
from zsl_cli.hubness import compare as compare_hubness
from zsl_cli.image_status import BROKEN_LINK, NOT_A_FILE, NOT_FOUND
from zsl_cli.images import (
    CAMERA_RAW_EXTENSIONS,
    DEFAULT_MAX_PIXELS,
    DecodeOptions,
    ImagePreparation,
    decided_by_content,
    pillow_extensions,
    pillow_settings,
)
from zsl_cli.label_studio import (
    LabelStudioOptions,
    check_label_studio_options,
    check_label_studio_paths,
    label_studio_config,
    label_studio_config_warnings,
    label_studio_size_warnings,
    url_prefix_warnings,
)
from zsl_cli.metrics import ClassificationMetrics, ClassStats, CoveragePoint, SelectiveLabelling
from zsl_cli.prompts import (
    DEFAULT_ATTRIBUTE_TEMPLATE,
    DEFAULT_DESCRIPTION_TEMPLATE,
    ClassMix,
    PromptPlan,
    entry_weights,
    invisible_character_warnings,
    is_template_file,
    plan_prompts,
    resolve_templates,
    uses_templates,
)
from zsl_cli.readers import read_predictions_and_run_info, run_info_files
from zsl_cli.records import (
    PRECISION_OPTIONS,
    STATUS_ENCODE_ERROR,
    STATUS_NOT_EMBEDDED,
    STATUS_OK,
    STORE_BEHIND_STATUSES,
    UNKNOWN_LABEL,
    ImageItem,
    LabelScore,
    Prediction,
    RankedScores,
    encode_error_reason,
    unusable_embedding_cause,
    usable_rows,
    written_score,
)
from zsl_cli.report import check_report_path, write_report
from zsl_cli.scoring import (
    CHUNK_ROWS,
    Decision,
    SimilaritySpan,
    SpanSeen,
    is_number,
    is_whole_number,
    predict_ranked,
    ranked_rows,
    similarities,
)
from zsl_cli.store import (
    EXACT_PREPROCESSING_SUFFIX,
    AbsentRoot,
    EmbeddingStore,
    FileStat,
    GoneCopy,
    ModelInfo,
    StoredItem,
    SyncPlan,
    Unreachable,
    check_store_writable,
    embed_command,
    embed_options,
    embed_options_of,
    former_vectors_warning,
    identity_to_read,
    repaired_vectors_warnings,
    stale_store_hint,
    stat_files,
    stored_copies,
    stored_export_rows,
    stored_items,
    stored_precision,
    wait_for_mtime_ticks,
    without_store_files,
)

__all__ = [
    "ClassOptions",
    "ClassPrompt",
    "ClassPrompts",
    "ClassStats",
    "ClassificationMetrics",
    "CoveragePoint",
    "Decision",
    "EmbedReport",
    "EmbedRequest",
    "Encoder",
    "EvaluateRequest",
    "EvaluationResult",
    "GzslResult",
    "Hub",
    "HubnessReport",
    "HubnessRequest",
    "InputOptions",
    "Interrupted",
    "InterruptedOnceWritten",
    "LabelReport",
    "LabelRequest",
    "LabelScore",
    "LabelStudioOptions",
    "MethodHubness",
    "ModelOptions",
    "OutputOptions",
    "Prediction",
    "Progress",
    "RankedScores",
    "SelectiveLabelling",
    "StdoutWriter",
    "Unmatched",
    "ZslError",
    "class_prompts",
    "embed",
    "evaluate",
    "hubness",
    "label",
    "open_encoder",
    "read_predictions",
]


class InterruptedOnceWritten(KeyboardInterrupt):
    """A stop signal (Ctrl-C, SIGTERM, SIGHUP) that came while `label`, `embed`, `evaluate` or
    `hubness` moved its last outputs into place, raised once they all are: every output is this
    run's and complete (label's run info says "complete": true), and `result` is what the call
    would have returned (a LabelReport, EmbedReport, EvaluationResult or HubnessReport). A
    caller that does not catch it stops as on any Ctrl-C; one that does can still show the
    result, and tell its user that nothing was cut short."""

    def __init__(
        self, result: LabelReport | EmbedReport | EvaluationResult | HubnessReport
    ) -> None:
        super().__init__()
        self.result = result

    def __reduce__(
        self,
    ) -> tuple[
        type[InterruptedOnceWritten],
        tuple[LabelReport | EmbedReport | EvaluationResult | HubnessReport],
    ]:
        return type(self), (self.result,)  # as Interrupted's


class Progress(Protocol):
    """Where long operations report progress (the CLI draws a bar; Python callers may pass None).
    Each start() is followed by advance() calls and one stop(), which comes only after a start()."""

    def start(self, total: int, description: str) -> None: ...

    def advance(self, n: int) -> None: ...

    def stop(self) -> None: ...


class _NoProgress:
    """Progress for callers that pass None."""

    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def stop(self) -> None:
        pass


class _PairedProgress:
    """A caller's progress whose stop() is called only after a start(), once: a run refused
    before its first bar (a store's lock, another dtype) must not end in the caller's stop()
    failing on a bar it never began, hiding the ZslError."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._started = False

    def start(self, total: int, description: str) -> None:
        self._progress.start(total, description)
        self._started = True

    def advance(self, n: int) -> None:
        self._progress.advance(n)

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._progress.stop()


@dataclass(frozen=True)
class ModelOptions:
    """Which model, and how to run it."""

    name: str | os.PathLike[str] = DEFAULT_MODEL  # bundled name, local directory or hub id
    device: str = "auto"
    precision: str = "auto"
    batch_size: int | None = None  # None: a default suited to the device
    # Decode workers: threads, or processes for a CUDA GPU; None: one per core, at most 32.
    workers: int | None = None
    exact_preprocessing: bool = False  # no JPEG draft decoding: pixels exactly as transformers
    trust_remote_code: bool = False
    revision: str | None = None
    freeze_after_load: bool = False  # one-shot processes only: see encoders.load_encoder

    def __post_init__(self) -> None:
        if not isinstance(self.name, (str, os.PathLike)):
            raise ZslError(
                f"{_option(self, 'name')} {self.name!r}: give a bundled name, folder or hub id"
            )
        _file_paths(self, "name")  # a model folder may be a Path; kept as str
        _texts(self, "device", "precision")
        check_device(self.device)  # before the inputs are scanned and torch imported
        # As --precision: a precision as run info records it (float16), copied back, is taken.
        precision = check_precision(self.precision)
        object.__setattr__(self, "precision", precision)  # a frozen dataclass's own __post_init__
        if self.revision is not None:
            _texts(self, "revision")
        _at_least_one(self, "batch_size", "workers")
        _flags(self, "exact_preprocessing", "trust_remote_code", "freeze_after_load")


@dataclass(frozen=True)
class InputOptions:
    """Which images: files, folders (walked) and globs; "-" reads a path list from `stdin`."""

    paths: Sequence[str | os.PathLike[str]] = ()  # kept as a tuple
    stdin: IO[bytes] | None = None  # binary stream read for "-" (default: the process's stdin)
    nul_separated: bool = False  # the stdin list is NUL-separated (find -print0)
    extensions: Sequence[str] | None = None  # None: the common image extensions
    include_hidden: bool = False
    # Larger images fail as too_large. None: 89.5 MP, Pillow's default limit, whatever the program
    # set PIL.Image.MAX_IMAGE_PIXELS to (a call does not depend on another's global setting).
    max_pixels: int | None = None

    if TYPE_CHECKING:
        # What the generated __init__ takes: `paths` from any iterable (a generator is read once),
        # kept as a tuple, which the field's type says.
        def __init__(
            self,
            paths: Iterable[str | os.PathLike[str]] = (),
            stdin: IO[bytes] | None = None,
            nul_separated: bool = False,
            extensions: Sequence[str] | None = None,
            include_hidden: bool = False,
            max_pixels: int | None = None,
        ) -> None: ...

    def __post_init__(self) -> None:
        if isinstance(self.paths, (str, os.PathLike)):
            raise ZslError(f"paths {self.paths!r}: give a tuple of paths, e.g. ({self.paths!r},)")
        if not isinstance(self.paths, Iterable):
            raise ZslError(f"paths {self.paths!r}: give a tuple of paths, e.g. ('photos',)")
        object.__setattr__(self, "paths", tuple(self.paths))  # a list or generator, read once
        odd = next((p for p in self.paths if not isinstance(p, (str, os.PathLike))), None)
        if odd is not None:
            raise ZslError(f"paths: {type(odd).__name__} is not a file or folder path")
        for path in self.paths:
            _check_no_nul("path", path)
        _flags(self, "nul_separated", "include_hidden")
        if self.nul_separated and "-" not in self.paths:
            raise ZslError(
                "-0 (--null) is for a NUL-separated path list on stdin: add '-' as a path"
            )
        if isinstance(self.extensions, Iterable) and not isinstance(self.extensions, str):
            # A list or generator, read once: hashable, and kept as it was given.
            object.__setattr__(self, "extensions", tuple(self.extensions))
        if self.extensions is not None and not (
            isinstance(self.extensions, tuple) and all(isinstance(e, str) for e in self.extensions)
        ):
            raise ZslError(
                f'{_option(self, "extensions")} {self.extensions!r}: give a tuple, e.g. (".png",)'
            )
        if self.extensions is not None and not normalize_extensions(self.extensions):
            raise ZslError("--ext needs at least one extension, e.g. --ext jpg,png")
        if self.stdin is not None and "-" not in self.paths:
            raise ZslError('stdin is read only when paths include "-"')
        _check_stdin(self.stdin)
        _at_least_one(self, "max_pixels")


def _check_stdin(stdin: object) -> None:
    """ZslError unless a request's `stdin` is None or a binary stream."""
    if isinstance(stdin, io.TextIOBase):
        raise ZslError("stdin: give a binary stream (e.g. sys.stdin.buffer), not text")
    if stdin is not None and not hasattr(stdin, "read"):
        raise ZslError(f"stdin: {type(stdin).__name__} is not a binary stream")


# The fields whose CLI option is spelled otherwise than the field's name (README: "Error
# messages name CLI options"); None: a field with no option, which a message names as itself.
_OPTIONS_SPELLED_OTHERWISE: Mapping[str, str | None] = {
    "name": "--model",  # ModelOptions.name
    "extensions": "--ext",
    "nul_separated": "--null",
    "path": "--output",  # OutputOptions.path
    "json_out": "--json",
    "report_out": "--report",
    "ks": "--top-k",  # evaluate's; label's is Decision.top_k
    "k": "--neighbours",  # HubnessRequest.k
    "paths": None,  # the PATHS arguments
    "stdin": None,
    "stdout": None,
    "freeze_after_load": None,
    "low_confidence": None,
    "predictions": None,  # evaluate's PREDICTIONS argument
    "label_studio": None,  # its fields are the --ls-* options
}


def _option(options: object, name: str) -> str:
    """How an error message names the field `name` of `options`: by its CLI option, the field's
    name with `_` read as `-` (`max_pixels` is --max-pixels) but for the README's exceptions.
    The parts of a request (its `inputs`, `model`, ...) are no option and are not asked for."""
    if isinstance(options, LabelStudioOptions):
        return "--ls-" + name.replace("_", "-")
    option = _OPTIONS_SPELLED_OTHERWISE.get(name, "--" + name.replace("_", "-"))
    return name if option is None else option


def _at_least_one(options: object, *names: str) -> None:
    """Check that these fields are None or whole numbers >= 1, stored as int (numpy's too)."""
    for name in names:
        value = getattr(options, name)
        if value is None:
            continue
        if not is_whole_number(value) or value < 1:
            raise ZslError(f"{_option(options, name)} {value!r}: give a whole number, 1 or more")
        object.__setattr__(options, name, int(value))  # a frozen dataclass's own __post_init__


def _flags(options: object, *names: str) -> None:
    """Check that these fields are True or False, stored as bool (numpy's too): a string such as
    "false" is true to Python, and trust_remote_code="false" ran a model's own code."""
    for name in names:
        value = getattr(options, name)
        if not isinstance(value, (bool, np.bool_)):
            raise ZslError(f"{_option(options, name)} {value!r}: give True or False")
        object.__setattr__(options, name, bool(value))  # a frozen dataclass's own __post_init__


def _file_paths(options: object, *names: str) -> None:
    """Check that these fields are None or file paths (str or os.PathLike), stored as str: the
    reports and run info that repeat them are JSON."""
    for name in names:
        value = getattr(options, name)
        if value is None:
            continue
        path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
        if not isinstance(path, str):
            raise ZslError(f"{_option(options, name)}: {type(value).__name__} is not a file path")
        _check_no_nul(_option(options, name), path)
        object.__setattr__(options, name, path)  # a frozen dataclass's own __post_init__


def _check_no_nul(option: str, path: str | os.PathLike[str]) -> None:
    """A ZslError for a path with a NUL (one built from data), which no file name holds: the
    system calls refuse it with a ValueError wherever the run first looks the path up. `option`
    names it (see `_option`)."""
    if "\0" in os.fspath(path):
        raise ZslError(f"{option} {quoted(path)}: no file name holds a NUL character")


def _texts(options: object, *names: str) -> None:
    """Check that these fields are strings (a ZslError, not an AttributeError deep in the run)."""
    for name in names:
        value = getattr(options, name)
        if not isinstance(value, str):
            raise ZslError(f"{_option(options, name)} {value!r}: give a string")


def _checked_arguments(
    command: str,
    request: object,
    kind: type,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
) -> Progress:
    """ZslError for an argument of the wrong kind (another command's request, a progress without
    its methods, a model's name where a loaded model goes), rather than an AttributeError once the
    run is under way. Returns where to report progress."""
    if not isinstance(request, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise ZslError(
            f"{command}: give {article} {kind.__name__}(...), not {type(request).__name__}"
        )
    if progress is None:
        progress = _NoProgress()
    missing = [m for m in ("start", "advance", "stop") if not callable(getattr(progress, m, None))]
    if missing:
        methods = f"{', '.join(missing)} method" + ("s" if len(missing) > 1 else "")
        raise ZslError(
            f"progress: {type(progress).__name__} has no {methods}; give an object with "
            "start(total, description), advance(n) and stop(), or None"
        )
    # Looked up without running them: a model's `identity` may hash its weights.
    if encoder is not None and not all(_has_static(encoder, name) for name in _ENCODER_MEMBERS):
        raise ZslError(
            f"encoder: give open_encoder(ModelOptions(...)), not {type(encoder).__name__} "
            "(or None to load request.model)"
        )
    return _PairedProgress(progress)


# The protocol's own members, so that one it gains is checked too.
_ENCODER_MEMBERS = tuple(name for name in vars(Encoder) if not name.startswith("_"))


def _has_static(thing: object, name: str) -> bool:
    try:
        inspect.getattr_static(thing, name)
    except AttributeError:
        return False
    return True


def _check_parts(request: object, **expected: type) -> None:
    """ZslError where a request's part is not of its options class (a path where
    OutputOptions(path=...) was meant, say), rather than an AttributeError deep in the run. A
    part is no CLI option: the message names the field."""
    for name, kind in expected.items():
        value = getattr(request, name)
        if not isinstance(value, kind):
            raise ZslError(
                f"{name}: give {kind.__name__}(...), not {type(value).__name__} {value!r}"
            )


@dataclass(frozen=True)
class ClassOptions:
    """The candidate classes: names (a class file or a list), attributes or descriptions."""

    classes: str | os.PathLike[str] | Sequence[str] | None = None  # file path, or the names
    attributes: str | os.PathLike[str] | None = None  # CSV: class, then a weight per attribute
    descriptions: str | os.PathLike[str] | None = None  # JSON: class -> list of descriptors
    templates: str | os.PathLike[str] = "default"  # built-in set, template file, or "a {}."
    attribute_template: str = DEFAULT_ATTRIBUTE_TEMPLATE
    description_template: str = DEFAULT_DESCRIPTION_TEMPLATE

    def __post_init__(self) -> None:
        if isinstance(self.classes, (Mapping, ItemsView)):
            # Iterated, a dict gave its keys alone: the prompts were dropped without a word.
            raise ZslError(
                f"{_option(self, 'classes')} {self.classes!r}: give the names, e.g. ['cat', "
                "'dog']; a class's own prompts go in a class file's 'name: prompt' lines, or in "
                "descriptions (a JSON file: class -> list of descriptors)"
            )
        if isinstance(self.classes, bytes) or not isinstance(
            self.classes, (str, os.PathLike, Iterable, type(None))
        ):
            raise ZslError(
                f"{_option(self, 'classes')} {self.classes!r}: give a class file's path or the "
                "names, e.g. ['cat', 'dog']"
            )
        if not isinstance(self.classes, (str, os.PathLike, type(None))):
            _check_ordered(self, "classes")  # ties go to the earlier class
            # A list becomes a tuple: the request stays hashable, and as it was made.
            object.__setattr__(self, "classes", tuple(self.classes))
        elif self.classes is not None:
            _check_not_empty(self, "classes", "give a class file's path or the names, e.g. ['cat']")
            _check_no_nul(_option(self, "classes"), self.classes)
        _file_paths(self, "attributes", "descriptions")
        _check_not_empty(self, "attributes", "give a CSV file's path")
        _check_not_empty(self, "descriptions", "give a JSON file's path")
        if not isinstance(self.templates, (str, os.PathLike)):
            # A list was read as one template, its repr; a tuple failed once the model loaded.
            raise ZslError(
                f"{_option(self, 'templates')} {self.templates!r}: give a built-in set's name, "
                "a template file's path (one template a line) or one template, e.g. "
                "'a photo of a {}.'"
            )
        _texts(self, "attribute_template", "description_template")


def _check_not_empty(options: object, name: str, give: str) -> None:
    """ZslError for an empty path (a variable left unset), which was read as the current folder:
    "class file is a directory: .". `give` says what to give instead."""
    if getattr(options, name) == "":
        raise ZslError(f"{_option(options, name)}: the path is empty; {give}")


def _check_ordered(options: object, name: str) -> None:
    """ZslError where the field `name` is a set: its order, which the run keeps, changes from
    one process to the next with the strings' hash. A dict's keys keep the dict's order."""
    value = getattr(options, name)
    if isinstance(value, ItemsView):  # pairs, where names were asked for
        raise ZslError(f"{_option(options, name)} {value!r}: give the {name} as a list or tuple")
    if isinstance(value, Set) and not isinstance(value, KeysView):
        raise ZslError(
            f"{_option(options, name)} {value!r}: give the {name} in order: a list or tuple; "
            f"a {type(value).__name__} has no order"
        )


class StdoutWriter(Protocol):
    """A duck-typed stream for `OutputOptions.stdout`: written UTF-8 bytes, then flushed."""

    def write(self, data: bytes, /) -> object: ...

    def flush(self) -> object: ...


@dataclass(frozen=True)
class OutputOptions:
    """Where predictions are written, and how."""

    path: str | os.PathLike[str] | None = None  # None or "-" = stdout; kept as str
    format: str | None = None  # None: from the file extension (csv for stdout)
    # For the label-studio format; the document root defaults to the server's own setting,
    # LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT (without a url_prefix), and the model version to
    # zsl's version and model.
    label_studio: LabelStudioOptions | None = None
    # What "stdout" means (default: the process's): a text stream is written text, any other
    # (a binary stream, a duck-typed writer) bytes.
    stdout: IO[bytes] | IO[str] | StdoutWriter | None = None

    def __post_init__(self) -> None:
        if self.path is not None and not isinstance(self.path, (str, os.PathLike)):
            option = _option(self, "path")
            raise ZslError(f"{option}: {type(self.path).__name__} is not a file path")
        if self.path is not None:
            _check_no_nul(_option(self, "path"), self.path)
            object.__setattr__(self, "path", os.fspath(self.path))
        if self.format is not None and not isinstance(self.format, str):
            raise ZslError(
                f"{_option(self, 'format')} {self.format!r}: give one of "
                f"{', '.join(writers.FORMATS)}"
            )
        if self.stdout is not None and not hasattr(self.stdout, "write"):
            raise ZslError(f"stdout: {type(self.stdout).__name__} is not a stream")
        if self.stdout is not None:
            check_writable_stream(self.stdout)
            _check_open_for_writing(self.stdout)
            # As InputOptions refuses a stdin that nothing reads: not silently ignored.
            if self.path not in (None, "-"):
                raise ZslError("stdout is written only when path is None or '-'")
        if self.label_studio is not None:
            _check_parts(self, label_studio=LabelStudioOptions)
            _check_label_studio_types(self.label_studio)
            # As the CLI refuses --ls-* options without -f label-studio: not silently ignored.
            if writers.output_format(self.path, self.format) != "label-studio":
                raise ZslError("label_studio options: only for label-studio output")


def _check_open_for_writing(stream: object) -> None:
    """ZslError for a stdout stream that is closed or says it cannot be written (one opened for
    reading), before the run: its first row failed only after every image was encoded. A
    duck-typed writer without writable() is taken at its word."""
    try:
        if getattr(stream, "closed", False):
            raise ZslError("stdout is closed: write to a file instead")
        writable = getattr(stream, "writable", None)
        can_write = not callable(writable) or writable()
    except (OSError, ValueError):  # a text stream whose buffer was detached
        can_write = False
    if not can_write:
        raise ZslError(
            f"stdout: the {type(stream).__name__} is not open for writing; give a stream opened "
            "for writing ('w' or 'wb')"
        )


def _check_label_studio_types(options: LabelStudioOptions) -> None:
    """Their types, as for the other options (they are the user's object: left as given)."""
    _texts(options, "from_name", "to_name", "model_version", "data_key")
    if options.url_prefix is not None:
        _texts(options, "url_prefix")
    for name in ("document_root", "config"):
        value = getattr(options, name)
        if value is not None and not isinstance(value, (str, os.PathLike)):
            option = _option(options, name)
            raise ZslError(f"{option}: {type(value).__name__} is not a file path")
        if value is not None:
            _check_no_nul(_option(options, name), value)


@dataclass(frozen=True)
class LabelRequest:
    """What `label` does: which images (or stored embeddings), against which classes, with
    which model, how predictions are decided, and where they go."""

    inputs: InputOptions = field(default_factory=InputOptions)
    classes: ClassOptions = field(default_factory=ClassOptions)
    model: ModelOptions = field(default_factory=ModelOptions)
    decision: Decision = field(default_factory=Decision)
    # None: write nothing; the predictions come back in the report's `predictions`.
    output: OutputOptions | None = field(default_factory=OutputOptions)
    embeddings: str | os.PathLike[str] | None = None  # label from this store, not the images
    hubness_reduction: str = "none"
    # Summary: count predictions whose top score is below this (where `_counts_low_confidence`).
    low_confidence: float = 0.5

    def __post_init__(self) -> None:
        _check_parts(
            self, inputs=InputOptions, classes=ClassOptions, model=ModelOptions, decision=Decision
        )
        if self.output is not None:
            _check_parts(self, output=OutputOptions)
        if not (is_number(self.low_confidence) and 0.0 <= self.low_confidence <= 1.0):
            option = _option(self, "low_confidence")
            raise ZslError(f"{option} {self.low_confidence!r}: scores lie in [0, 1]")
        # A numpy number becomes a Python one, as Decision's do: the run info records it as JSON.
        object.__setattr__(self, "low_confidence", float(self.low_confidence))
        _file_paths(self, "embeddings")
        _check_store_inputs(self.inputs, self.embeddings)


def _check_store_inputs(inputs: InputOptions, embeddings: str | os.PathLike[str] | None) -> None:
    """Options that choose or decode image files mean nothing where none is read: refuse them
    rather than ignore them."""
    if embeddings is None:
        return
    if inputs.max_pixels is not None:
        raise ZslError("--max-pixels: with --embeddings no image is decoded")
    if not inputs.paths:
        choosers = {
            "--ext": inputs.extensions is not None,
            "--include-hidden": inputs.include_hidden,
        }
        given = [option for option, used in choosers.items() if used]
        if given:
            raise ZslError(
                f"{', '.join(given)}: without paths every image the store holds is used; "
                "give the paths to choose from (e.g. the folder that was embedded)"
            )


def _ignored_with_store(
    model: ModelOptions, store: str | os.PathLike[str] | None, *, exporting: bool = False
) -> list[str]:
    """A warning naming the options given that pace the decoding and the image model, neither of
    which runs where the run reads a `store` (None: it reads images): only the pace of work not
    done, they are not refused as --max-pixels is (a script may give them to every run).
    `exporting`: an export without paths, which loads the model for its identity alone, so
    --device and --precision change nothing either; one line names them all, not one per kind."""
    unused = {"--batch-size": model.batch_size is not None, "--workers": model.workers is not None}
    why = "with --embeddings no image is decoded or encoded"
    if exporting:
        unused |= {"--device": model.device != "auto", "--precision": model.precision != "auto"}
        why = "without paths no image is decoded or encoded, the stored vectors are exported"
    given = [option for option, used in unused.items() if used]
    if store is None or not given:
        return []
    return [f"{', '.join(given)}: {why}; ignored"]


def _runs_as_asked(choice: str, asked: object, encoder: Encoder) -> bool:
    """Whether the loaded `encoder` runs on the device or in the precision a request `asked`
    for by name ("cpu", "fp32"), whatever open_encoder was given ("auto"): opening it again
    would change nothing. False for the other choices, and where the encoder does not say."""
    if choice == "device":
        runs = _loaded_device(encoder)
        return runs is not None and _device_index(str(asked)) == _device_index(runs)
    if choice == "precision":
        runs = _precision(encoder)
        return runs is not None and PRECISION_OPTIONS.get(runs) == asked
    return False


def _device_index(device: str) -> tuple[str, str]:
    """A device's kind and index, the first where none is given: "cuda" is "cuda:0" (unless a
    program chose another current device), "cpu" is "cpu:0"."""
    kind, _, index = device.partition(":")
    return kind, index or "0"


# What a request's model options choose of the model itself: with an `encoder=` given, the
# encoder's own choice stands (only the pace, batch_size and workers, applies).
_MODEL_CHOICES = (
    "name",
    "device",
    "precision",
    "exact_preprocessing",
    "trust_remote_code",
    "revision",
)


def _ignored_with_encoder(model: ModelOptions, encoder: Encoder | None) -> list[str]:
    """A warning naming the request's model options that differ from the defaults, from those
    the `encoder` given was opened with (open_encoder) and, for a device or precision, from the
    one it runs on or in (`_runs_as_asked`): the encoder runs as it was loaded, and a notebook
    that changed the request's options has likely forgotten to open it again. An encoder of a
    caller's own, which says nothing of how it was opened, gets no warning."""
    opened = _opened_with(encoder)
    if opened is None or encoder is None:
        return []
    default = ModelOptions()
    differ = [
        choice
        for choice in _MODEL_CHOICES
        if getattr(model, choice) not in (getattr(default, choice), getattr(opened, choice))
        and not _runs_as_asked(choice, getattr(model, choice), encoder)
    ]
    if not differ:
        return []
    # What auto chose, where the encoder says: "--device auto (cpu), --precision auto (fp32)".
    precision = _precision(encoder)
    chosen = {
        "device": _loaded_device(encoder),
        "precision": PRECISION_OPTIONS.get(precision, precision) if precision else None,
    }

    def one(options: ModelOptions, choice: str) -> str:
        option, value = _option(options, choice), getattr(options, choice)
        if value is True:
            return option
        if value is False or value is None:
            return f"no {option}"
        if value == "auto" and chosen.get(choice) and options is opened:
            return f"{option} auto ({chosen[choice]})"
        return f"{option} {value}"

    def named(options: ModelOptions) -> str:
        return ", ".join(one(options, choice) for choice in differ)

    them = "them" if len(differ) > 1 else "it"
    return [
        f"{named(model)}: the encoder given was opened with {named(opened)} and runs so; "
        f"ignored (open_encoder again to use {them})"
    ]


@dataclass
class LabelReport:
    """What a label run did. `run_info` is what was recorded with the output."""

    inputs: int = 0  # images the run set out to label
    total: int = 0  # of those, labelled or failed (fewer when interrupted)
    by_status: Counter[str] = field(default_factory=Counter)  # images per status ("ok", ...)
    labels: Counter[str] = field(default_factory=Counter)  # labelled images per label
    low_confidence: int = 0  # labelled images whose top score is below low_confidence_below
    # The request's low_confidence; None where no count is made (see `_counts_low_confidence`).
    low_confidence_below: float | None = 0.5
    elapsed_s: float = 0.0  # the whole call, model loading included
    processing_s: float = 0.0  # decoding, encoding, scoring and writing
    output: str = "stdout"  # the file written, "stdout", or "none" (request.output None)
    # The Label Studio config written (--ls-config), or where it is kept beside one held open.
    config: str | None = None
    interrupted: bool = False
    run_info: dict[str, Any] = field(default_factory=dict)
    predictions: list[Prediction] = field(default_factory=list)  # only when output is None
    warnings: list[str] = field(default_factory=list)  # what the user should know of the run
    unreadable_folders: list[tuple[Path, str]] = field(default_factory=list)  # (folder, reason)
    # (path, status) of the first images that could not be labelled, for the summary to name.
    failed_examples: list[tuple[str, str]] = field(default_factory=list)
    # Of a run from a store: the options of the `zsl embed` that stores images as this run reads
    # them (`store.embed_options`), for the summary's hint to bring missing images in.
    embed_options: str = ""

    @property
    def failed(self) -> int:
        """Images that could not be labelled (every status but "ok")."""
        return sum(n for status, n in self.by_status.items() if status != STATUS_OK)

    @property
    def none_labelled(self) -> bool:
        """Whether the run had images yet labelled none of them: each failed. An interrupted run
        did not fail (the images not reached may label)."""
        return self.total > 0 and self.failed == self.total and not self.interrupted

    @property
    def images_per_second(self) -> float:
        return self.total / self.processing_s if self.processing_s > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The report in plain values, ready for json.dumps, as EmbedReport's and
        EvaluationResult's `to_json` (dataclasses.asdict is not: it makes the Counters Counters
        of tuples and keeps each prediction's RankedScores): the run info's `summary` (counts,
        timings, folders that could not be read), then `output`, `config` (the Label Studio
        config, or null), `warnings`, the `run_info` and the `predictions` kept (each
        `Prediction.as_dict()`, empty where a file was written)."""
        return {
            **summary_dict(self),
            "output": path_to_text(self.output),
            "config": None if self.config is None else path_to_text(self.config),
            "warnings": list(self.warnings),
            "run_info": self.run_info,
            "predictions": [prediction.as_dict() for prediction in self.predictions],
        }

    def add(self, prediction: Prediction) -> None:
        self.total += 1
        self.by_status[prediction.status] += 1
        if not prediction.ok and len(self.failed_examples) < MAX_EXAMPLES:
            self.failed_examples.append((path_to_text(prediction.path), prediction.status))
        if prediction.ok:
            self.labels[prediction.label] += 1
            score, below = prediction.score, self.low_confidence_below
            if score is not None and below is not None and written_score(score) < below:
                self.low_confidence += 1


ALIKE_GROUPS_SHOWN = 5  # groups alike to the model (classes, attributes) warned of, then counted


@dataclass(frozen=True, eq=False)
class _Classifier:
    """Class vectors ready to score against image embeddings."""

    spec: ClassSpec
    plan: PromptPlan
    vectors: np.ndarray  # [n_classes, dim]
    # Groups of classes the model cannot tell apart (e.g. "Cat" and "cat" for a tokenizer that
    # lowercases): they score alike on every image.
    indistinguishable: list[list[str]]
    prompts_cut_short: list[str]  # longer than the text model reads, so encoded cut short
    prompt_tokens: int  # what the text model reads of a prompt
    # Groups of attribute columns the model cannot tell apart ("Red" and "red"): to it they are
    # one attribute, weighted with the sum of their weights.
    indistinguishable_attributes: list[list[str]]
    # Of those groups (of classes and of attributes), the ones whose prompts the tokenizer made
    # the same (`_tokenized_alike`); the others' prompts differ but get the same embedding.
    # None: the encoder does not say what its tokenizer made of the prompts.
    tokenized_alike: frozenset[tuple[str, ...]] | None = None

    def model_warnings(self) -> list[str]:
        """What the model's reading of the prompts showed: a warning per group of classes (and of
        attributes) it cannot tell apart, and one for prompts it reads only in part."""
        warnings: list[str] = []
        # Prompts cut short may be what made them alike: the warning on those follows.
        same_prompts = (
            "the same prompts as the model reads them"
            if self.prompts_cut_short
            else "the same prompts once tokenized"
        )

        def alike_prompts(group: list[str]) -> str:
            if self.tokenized_alike is None:
                return "their prompts get the same embedding"
            if tuple(group) in self.tokenized_alike:
                return same_prompts
            return "their prompts differ, but get the same embedding"

        alike: str | Callable[[list[str]], str] = alike_prompts
        if self.spec.attributes is not None:
            # No name is in an attribute prompt: attribute classes are alike by their rows.
            alike = "rows of attribute weights the same in proportion"
            if self.indistinguishable_attributes:
                alike += ", once the attributes it reads alike are one"
        # The class files' check warned of the classes alike text for text already
        # (`_classes_alike_in_text_warnings`); the run info lists them all the same.
        names = self.names  # built anew at each use: once, not per group
        in_text = {tuple(names[i] for i in group) for group in self.plan.classes_alike_in_text}
        # Past the first groups, a count: the run info lists every group of classes.
        warnings += _alike_warnings(
            [group for group in self.indistinguishable if tuple(group) not in in_text],
            "classes",
            "",
            alike,
            ALIKE_CLASSES_SCORE,
        )
        warnings += _alike_warnings(
            self.indistinguishable_attributes,
            "attributes",
            "attributes ",
            alike_prompts,
            "it reads them as one attribute, their weights added",
        )
        if self.prompts_cut_short:
            count, first = len(self.prompts_cut_short), self.prompts_cut_short[0]
            kind = "class" if self.spec.attributes is None else "attribute"
            which = f"{count} {kind} prompts are" if count > 1 else f"1 {kind} prompt is"
            warnings.append(
                f"{which} longer than the model reads ({self.prompt_tokens} tokens) and cut "
                f"short{' (the run info lists them), the first' if count > 1 else ''}: "
                f"{quoted_text(clipped_text(first, 100))}"
            )
        return warnings

    @property
    def names(self) -> list[str]:
        return self.spec.names


ALIKE_CLASSES_SCORE = "they score alike on every image, and the one listed first wins"


def _alike_warnings(
    groups: list[list[str]],
    kind: str,
    named: str,
    alike: str | Callable[[list[str]], str],
    why: str,
    cannot: str = "the model cannot",
) -> list[str]:
    """A warning per group of `kind` that cannot be told apart (`cannot`: by whom, `named`
    before the names), for the first few groups, then a count of the others; `alike` says how
    they are alike (for each group, where it is a function of the group)."""
    warnings = []
    for group in groups[:ALIKE_GROUPS_SHOWN]:
        names = [quoted_text(name) for name in group]
        how = alike if isinstance(alike, str) else alike(group)
        warnings.append(f"{cannot} tell {named}{listed(names)} apart ({how}): {why}")
    more = len(groups) - ALIKE_GROUPS_SHOWN
    if more > 0:
        some = "group" if more == 1 else "groups"
        warnings.append(f"... and {more} more {some} of {kind} {cannot} tell apart")
    return warnings


def _classes_alike_in_text_warnings(spec: ClassSpec, plan: PromptPlan) -> list[str]:
    """A warning per group of classes alike text for text (`PromptPlan.classes_alike_in_text`:
    rows of attribute weights the same in proportion, or the same prompts), and a ZslError where
    every class is alike so: the class file is at fault, whatever the model, so that
    `--show-prompts` says it as a run does, before any model is loaded."""
    names = spec.names
    groups = [[names[i] for i in group] for group in plan.classes_alike_in_text]
    if spec.attributes is not None:
        alike = "rows of attribute weights the same in proportion"
        why = (
            "their rows of attribute weights are the same in proportion: check the attribute table"
        )
    else:
        alike, why = "the same prompts", "their prompts are the same: check the class file"
    if len(groups) == 1 and len(groups[0]) == len(names):
        # Every image would get the first class: no result at all, where some alike is a warning.
        raise ZslError(f"no model can tell any of the {len(names)} classes apart ({why})")
    return _alike_warnings(groups, "classes", "", alike, ALIKE_CLASSES_SCORE, cannot="no model can")


def build_classifier(
    spec: ClassSpec, plan: PromptPlan, encoder: Encoder, progress: Progress | None = None
) -> _Classifier:
    """Encode every prompt once and mix the embeddings into class vectors, a chunk at a time
    where the encoder streams them; `progress` hears of the prompts encoded (thousands of classes
    x 80 templates take minutes on a CPU)."""
    texts = list(plan.texts)
    stream = _text_stream(encoder)
    if stream is None and not _reports_progress(encoder.encode_texts):
        progress = None  # no bar that would stand still at 0
    if progress is not None:
        progress.start(len(texts), "encoding class prompts")
    mix = ClassMix(plan)
    # Equal to the bit for texts the encoder made alike; keyed by a digest of the bytes, as
    # np.unique(axis=0) sorts rows lexicographically (2.5 s for 80,000 prompts, against 0.35 s),
    # and the bytes themselves would be one more copy of every embedding.
    ids: dict[bytes, int] = {}
    text_ids = np.full(len(texts), -1, dtype=np.int64)  # -1: not given yet
    given = 0
    try:
        chunks: Iterable[tuple[np.ndarray, np.ndarray]]
        if stream is not None:
            method, chunks = "encode_text_chunks", stream(texts)
        else:  # one chunk of every text: mixed as a stream's chunks are
            advance = progress.advance if progress is not None else None
            embeddings = (
                encoder.encode_texts(texts)
                if advance is None
                else encoder.encode_texts(texts, advance=advance)
            )
            method, chunks = "encode_texts", [(np.arange(len(texts)), embeddings)]
        width = None
        for chunk_rows, chunk in chunks:
            rows, embeddings = _checked_chunk(encoder, method, chunk_rows, chunk, text_ids, width)
            width = embeddings.shape[1]
            text_ids[rows] = [ids.setdefault(_digest(row), len(ids)) for row in embeddings]
            given += len(rows)
            mix.add(rows, embeddings)
            if progress is not None and stream is not None:
                progress.advance(len(rows))
    finally:
        if progress is not None:
            progress.stop()
    if given != len(texts):
        raise ZslError(
            f"encoder {path_to_text(encoder.name)}: {method} gave {given} embeddings for "
            f"{len(texts)} texts; an Encoder gives one row per input"
        )
    # Where the model reads every prompt apart, its groups are the class file's, found before it
    # loaded.
    if len(ids) == len(texts):
        identical = plan.classes_alike_in_text
    else:
        identical = plan.identical_classes(text_ids)
    names = spec.names  # built anew at each use: once, not per group (quadratic)
    groups = [[names[i] for i in group] for group in identical]
    cut_short = encoder.prompts_cut_short(plan.texts)
    attribute_groups = _alike_attributes(spec, text_ids)
    tokenized_alike = _tokenized_alike(encoder, spec, plan, groups + attribute_groups)
    if len(groups) == 1 and len(groups[0]) == len(names):
        # Alike text for text, the class file is at fault (`plan_classes` refused it already,
        # but a caller's own plan may not have been through it).
        _classes_alike_in_text_warnings(spec, plan)
        # Every image would get the first class: no result at all, where some alike is a warning.
        what = "class names" if spec.attributes is None else "attribute names or phrases"
        if tokenized_alike is None:
            why = (
                f"their prompts get the same embedding: check the {what}, and that the model's "
                "tokenizer is its own"
            )
        elif tuple(groups[0]) not in tokenized_alike:
            # The tokenizer told them apart: the text model reads none of the words that differ.
            why = (
                "their prompts differ, but get the same embedding: check that the model "
                "folder's tokenizer files and config.json (eos_token_id, vocab_size) are from "
                "one model"
            )
        elif cut_short:
            why = (
                f"their prompts are the same as the model reads them, cut short to its "
                f"{encoder.prompt_tokens} tokens: shorten them, and check the {what}"
            )
        else:
            why = (
                f"their prompts are the same once tokenized: check the {what}, and that "
                "the model folder's tokenizer is the model's own"
            )
        if spec.attributes is not None and not cut_short:
            # No name is in an attribute prompt: rows not in proportion (1,0 and 2,0, refused
            # above) are the same once columns the model reads alike are one.
            why = (
                "their rows of attribute weights are the same in proportion once the attributes "
                "it reads alike are one: check the attribute names or phrases, and that the "
                "model folder's tokenizer is the model's own"
            )
        raise ZslError(f"the model cannot tell any of the {len(names)} classes apart ({why})")
    vectors = mix.vectors()
    for group in identical:
        # The same mix of the same embeddings, but summed in other places of a matrix product,
        # which can round them apart: one vector, so that they score alike to the bit.
        vectors[group] = vectors[group[0]]
    return _Classifier(
        spec,
        plan,
        vectors,
        groups,
        cut_short,
        encoder.prompt_tokens,
        attribute_groups,
        tokenized_alike,
    )


def _tokenized_alike(
    encoder: Encoder, spec: ClassSpec, plan: PromptPlan, groups: list[list[str]]
) -> frozenset[tuple[str, ...]] | None:
    """Of `groups` (of classes, then of attributes, alike by their prompts' embeddings), those
    alike by their prompts' token ids too; None where the encoder does not tell its token ids
    (`token_rows`: zsl's transformers encoder does, of the texts it last encoded)."""
    token_rows = getattr(encoder, "token_rows", None)
    if not groups or not callable(token_rows):
        return None
    rows = token_rows(plan.texts)
    if rows is None:
        return None
    names = spec.names
    alike = {tuple(names[i] for i in group) for group in plan.identical_classes(rows)}
    alike |= {tuple(group) for group in _alike_attributes(spec, rows)}
    return frozenset(tuple(group) for group in groups if tuple(group) in alike)


def _text_stream(encoder: Encoder) -> Callable[[Sequence[str]], Iterable[Any]] | None:
    """The encoder's encode_text_chunks (`TextChunks`), where the class that defines it defines
    the encode_texts it has too: a wrapper that passes other names on to one of ours
    (__getattr__), a subclass or an instance with an encode_texts of its own is read through
    that encode_texts, whose embeddings a stream it inherits would bypass."""

    def owner(name: str) -> type | None:
        return next((kind for kind in type(encoder).__mro__ if name in vars(kind)), None)

    streams = owner("encode_text_chunks")
    if streams is None or streams is not owner("encode_texts"):
        return None
    if "encode_texts" in getattr(encoder, "__dict__", {}):  # set on the instance
        return None
    return cast(TextChunks, encoder).encode_text_chunks


def _checked_chunk(
    encoder: Encoder,
    method: str,
    rows: Any,
    embeddings: Any,
    text_ids: np.ndarray,
    width: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """A chunk's rows and embeddings (contiguous, as the digests read them: an Encoder may
    return any layout), or a ZslError where an Encoder of a caller's own breaks the protocol:
    rows that are no text's, a text given twice, other than one embedding per row, another
    width than the chunks before, embeddings that are not finite or all zero."""
    rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    embeddings = np.ascontiguousarray(embeddings)
    _check_rows(encoder, method, embeddings, len(rows), "texts")
    name = path_to_text(encoder.name)
    outside = rows[(rows < 0) | (rows >= len(text_ids))]
    if len(outside):
        raise ZslError(
            f"encoder {name}: {method} gave an embedding for text {outside[0]} of "
            f"{len(text_ids)} texts"
        )
    if (text_ids[rows] >= 0).any() or len(np.unique(rows)) < len(rows):
        raise ZslError(f"encoder {name}: {method} gave an embedding twice for one text")
    if width is not None and embeddings.shape[1] != width:
        raise ZslError(
            f"encoder {name}: {method} gave embeddings of {width} values, then of "
            f"{embeddings.shape[1]}"
        )
    usable, finite = usable_rows(embeddings)
    if not usable.all():  # ours says so itself; one NaN prompt would make every score NaN
        cause = unusable_embedding_cause(_precision(encoder), zero=bool(finite.all()))
        raise ZslError(f"encoder {name}: its embeddings of class prompts are {cause}")
    return rows, embeddings


def _reports_progress(encode_texts: Callable[..., np.ndarray]) -> bool:
    """Whether an Encoder's encode_texts takes `advance`: one written before the protocol had it
    encodes the prompts all the same, without a progress bar."""
    try:
        parameters = inspect.signature(encode_texts).parameters.values()
    except (TypeError, ValueError):  # no signature to read (some built-ins): try it
        return True
    return any(p.name == "advance" or p.kind is p.VAR_KEYWORD for p in parameters)


def _alike_attributes(spec: ClassSpec, text_ids: np.ndarray) -> list[list[str]]:
    """Groups of attribute columns whose prompts have equal `text_ids` (the model reads them
    alike); a class vector mixes them as one attribute."""
    if spec.attributes is None:
        return []
    # An attribute table's prompt plan has a text per column, in column order (no two columns
    # have one phrase).
    groups: dict[int, list[str]] = {}
    for name, text_id in zip(spec.attributes.names, text_ids.tolist(), strict=True):
        groups.setdefault(text_id, []).append(name)
    return [group for group in groups.values() if len(group) > 1]


def _digest(row: np.ndarray) -> bytes:
    # 128 bits: two different rows among millions of prompts share one with odds near 1e-26.
    return hashlib.blake2b(row.data, digest_size=16).digest()


_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


# Errors of looking a path up that the user can fix: a name too long to be one, a folder on the
# way that they may not search.
_PATH_ERRORS = frozenset({errno.ENAMETOOLONG, errno.EACCES, errno.EPERM})


def _path_errors_are_user_errors(run: Callable[_Params, _Result]) -> Callable[_Params, _Result]:
    """A path longer than a file name may be, or one in a folder the user may not search, is a
    ZslError wherever a run meets it: pathlib's exists() and is_dir() raise ENAMETOOLONG and
    EACCES where os.path's say no, and the paths a run is given are looked at in many places."""

    @functools.wraps(run)
    def checked(*args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        try:
            return run(*args, **kwargs)
        except OSError as error:
            if error.errno not in _PATH_ERRORS:
                raise
            name = printable(os.fsdecode(error.filename)) if error.filename else "a path"
            raise ZslError(f"{name}: {error.strerror}") from None

    return checked


def plan_classes(options: ClassOptions) -> tuple[ClassSpec, PromptPlan]:
    """Everything about the classes that can be checked before loading a model."""
    try:
        spec = load_class_spec(
            options.classes, options.attributes, options.descriptions, options.description_template
        )
    except ZslError as error:
        if isinstance(options.classes, str) and _names_meant(options.classes, error, "class file"):
            raise _names_file_not_found(error, options.classes, "class file", "classes") from None
        raise
    templates = resolve_templates(str(options.templates))
    spec = replace(spec, warnings=spec.warnings + templates.warnings)
    if str(options.templates) != "default" and not uses_templates(spec):
        raise ZslError(
            f"--templates {options.templates}: no class uses templates (every class has its own "
            "prompts, descriptors or attributes; see --attribute-template and "
            "--description-template)"
        )
    if options.attribute_template != DEFAULT_ATTRIBUTE_TEMPLATE and spec.attributes is None:
        raise ZslError("--attribute-template: only with --attributes")
    if options.description_template != DEFAULT_DESCRIPTION_TEMPLATE and not any(
        cls.descriptors for cls in spec.classes
    ):
        raise ZslError("--description-template: only with --descriptions")
    if options.description_template == DEFAULT_DESCRIPTION_TEMPLATE:
        spec = replace(spec, warnings=spec.warnings + whole_prompt_warnings(spec))
    plan = plan_prompts(
        spec,
        templates,
        description_template=options.description_template,
        attribute_template=options.attribute_template,
    )
    invisible = invisible_character_warnings(
        spec, templates, options.description_template, options.attribute_template
    )
    alike = _classes_alike_in_text_warnings(spec, plan)
    return replace(spec, warnings=(*spec.warnings, *invisible, *alike)), plan


def _names_meant(given: str, error: ZslError, what: str) -> bool:
    """Whether `error` is the "not found" of the file `what` (as "class file") where it was given
    as one str that names no file: in code, `classes="cat"` reads as a path, where the name was
    meant. Not for "-", stdin, whose message says how to read it."""
    return (
        error.message.startswith(f"{what} not found: ")
        and given != "-"
        and not os.path.lexists(given)
    )


def _names_file_not_found(error: ZslError, given: str, what: str, field: str) -> ZslError:
    """`error`, a file of class names (`what`, as "class file") not found where the request's
    `field` was one str (`_names_meant`), saying how names are given in code, a list; the CLI,
    whose option (--classes, --seen) takes a file alone, keeps `error`'s words."""
    # The names that str would have been, where it reads as a few names, not a file's path.
    names = [name.strip() for name in given.split(",") if name.strip()]
    suffix = Path(given).suffix.lower()
    a_path = "/" in given or os.sep in given or suffix in (".txt", ".csv", ".json")
    example = names if names and len(given) <= 100 and not a_path else ["cat", "dog"]
    refusal = ZslError(
        f"{error.message}; a str is a {what}'s path: give class names as a list, "
        f"e.g. {field}=[{', '.join(map(quoted_text, example))}]",
        error.exit_code,
    )
    refusal.cli_message = error.message
    return refusal


def _refuse_seen_names_as_path(seen_path: str | os.PathLike[str] | None, error: ZslError) -> None:
    """Where `error` is the seen-class list not found and `seen` was one str naming no file,
    the same refusal saying how names are given (`_names_file_not_found`); else nothing."""
    if isinstance(seen_path, str) and _names_meant(seen_path, error, "seen-class list"):
        raise _names_file_not_found(error, seen_path, "seen-class list", "seen") from None


class ClassPrompt(NamedTuple):
    """One prompt of a class and its weight in the class's vector (see `class_prompts`)."""

    name: str  # the class, as the predictions name it
    weight: float  # 1/n, or an attribute's share of its row (the scoring rounds it to float32)
    prompt: str  # the text the model's tokenizer is given


@dataclass(frozen=True)
class ClassPrompts:
    """What `class_prompts` returns."""

    prompts: tuple[ClassPrompt, ...]  # class by class, in the classes' order
    warnings: tuple[str, ...]  # of the class files, as a label run gives them before its model


@_path_errors_are_user_errors
def class_prompts(source: ClassOptions | LabelRequest | HubnessRequest) -> ClassPrompts:
    """The prompts each class is scored with, read from the class options alone: no model is
    loaded, as none changes them (its tokenizer may read two alike, or cut a long one short,
    which a run warns of). A class's vector is the weighted sum of its prompts' embeddings:
    scaled to unit length for templates and a class's own prompts (weights 1/n), not for
    descriptors (1/n) nor attributes (signed, their absolute values summing to 1); an attribute
    a class weighs 0 is not among its prompts. Given a label or hubness request (its `classes`
    read), first refuses what that run refuses before it loads its model or scans its inputs,
    with the run's own checks, as `--show-prompts` does."""
    if isinstance(source, LabelRequest):
        _check_label_stdin_read_once(source)
        spec, plan = plan_classes(source.classes)
        _check_label_classes_and_outputs(source, len(spec.names))
    elif isinstance(source, HubnessRequest):
        _check_hubness_stdin_read_once(source)
        spec, plan = plan_classes(source.classes)
        _check_hubness_classes_and_output(source, len(spec.names))
    elif isinstance(source, ClassOptions):
        spec, plan = plan_classes(source)
    else:
        raise ZslError(
            "class_prompts: give a ClassOptions(...), or a LabelRequest(...) or "
            f"HubnessRequest(...) to check as its run would, not {type(source).__name__}"
        )
    names = spec.names
    weights = entry_weights(spec, plan).tolist()  # as computed, not the mix's float32
    entries = zip(plan.classes.tolist(), plan.prompts.tolist(), weights, strict=True)
    prompts = tuple(
        ClassPrompt(names[index], weight, plan.texts[text]) for index, text, weight in entries
    )
    return ClassPrompts(prompts, tuple(_class_file_warnings(spec)))


def _class_file_warnings(spec: ClassSpec) -> list[str]:
    """What reading the class files noticed, as `label` and `class_prompts` give it before any
    model: the spec's warnings, then the class names read as missing values or as formulas."""
    return [*spec.warnings, *missing_value_name_warnings(spec), *formula_name_warnings(spec)]


def _check_revision(model: ModelOptions, encoder: Encoder | None) -> None:
    """A revision the model cannot have, refused before a run scans its inputs (a large folder,
    or a path list typed at a terminal), not only at the load; an `encoder` given is used
    whatever the request names."""
    if encoder is None:
        check_revision(model.name, model.revision)


def open_encoder(options: ModelOptions) -> Encoder:
    """Load the model; pass it as `encoder=` to several calls to load it once. The options'
    `batch_size` and `workers` stay with it: a call given it uses them where its request's
    model options leave them None (the request's own, where given, come first)."""
    _checked_arguments("open_encoder", options, ModelOptions)  # a model's name: not options
    encoder = load_encoder(
        options.name,
        device=options.device,
        precision=options.precision,
        exact_preprocessing=options.exact_preprocessing,
        trust_remote_code=options.trust_remote_code,
        revision=options.revision,
        freeze_after_load=options.freeze_after_load,
    )
    # On the encoder itself, not in a table kept here: the pace goes wherever the model goes.
    with suppress(AttributeError):  # an object without a __dict__ keeps the defaults
        setattr(encoder, _OPENED_WITH, options)
    return encoder


# The ModelOptions open_encoder loaded an encoder with: an optional attribute of an Encoder
# (see `encoders.base.Encoder`), which one of a caller's own lacks.
_OPENED_WITH = "_zsl_opened_with"


def _opened_with(encoder: Encoder | None) -> ModelOptions | None:
    """The options open_encoder loaded `encoder` with; None for one of a caller's own."""
    opened = getattr(encoder, _OPENED_WITH, None)
    return opened if isinstance(opened, ModelOptions) else None


def _options_with_opened_defaults(model: ModelOptions, encoder: Encoder | None) -> ModelOptions:
    """The request's `model` options, with the batch_size and workers that `encoder` was opened
    with (open_encoder) where they are None: given to open_encoder, they were silently dropped."""
    opened = _opened_with(encoder)
    if opened is None:
        return model
    return replace(
        model,
        batch_size=opened.batch_size if model.batch_size is None else model.batch_size,
        workers=opened.workers if model.workers is None else model.workers,
    )


CPU_BATCH_SIZE = 16  # ViT-B/32 on 2 cores: ~13.6 img/s at 8 or 16, 12.0 at 32, 11.6 at 64
GPU_BATCH_SIZE = 256


def _batch_size(model: ModelOptions, encoder: Encoder) -> int:
    """The number of images encoded at once: the options', else the device's default."""
    return model.batch_size or _default_batch_size(encoder)


def _default_batch_size(encoder: Encoder) -> int:
    on_cuda = (_loaded_device(encoder) or "cpu").split(":", 1)[0] == "cuda"
    return GPU_BATCH_SIZE if on_cuda else CPU_BATCH_SIZE


def _loaded_device(encoder: Encoder) -> str | None:
    """Where a loaded encoder runs ("cpu", "cuda:0"): ours say so with a torch.device; an Encoder
    of a caller's own need not (None)."""
    device = getattr(encoder, "device", None)
    return None if device is None else str(device)


def _scan_inputs(
    inputs: InputOptions,
    *,
    allow_empty: bool = False,
    missing_ok: bool = False,
    missing_paths_ok: bool = False,
) -> Discovery:
    extensions = IMAGE_EXTENSIONS if inputs.extensions is None else inputs.extensions
    return scan(
        inputs.paths,
        stdin=inputs.stdin,
        nul_separated=inputs.nul_separated,
        extensions=extensions,
        include_hidden=inputs.include_hidden,
        allow_empty=allow_empty,
        missing_ok=missing_ok,
        missing_paths_ok=missing_paths_ok,
        readable_extensions=pillow_extensions,
        raw_extensions=CAMERA_RAW_EXTENSIONS,
    )


EARLY_DECODE_WINDOW = 128  # images decoded ahead while the model loads (~19 MB at 224 x 224)


def start_decoding(
    paths: Sequence[Path],
    preprocessor: ImagePreprocessor,
    inputs: InputOptions,
    *,
    exact: bool,
    workers: int | None,
    device: str,
    model_loading: bool = False,
) -> DecodeQueue:
    """Begin decoding and preprocessing `paths` in background workers (fewer of them at first
    when the model is still `model_loading` on the main thread); `exact`: no reduced-scale
    JPEG decoding. `device` (as given: "auto", "cuda:1", ...) chooses threads or processes."""
    decode_options = DecodeOptions(
        max_pixels=_max_pixels(inputs),
        draft=None if exact else preprocessor.decode_hint,
    )
    # The resize may always make a few times the model's input (a 10 x 10 image becomes
    # 224 x 224): a --max-pixels below that must not refuse small images.
    height, width = preprocessor.input_size
    resize_limit = max(decode_options.max_pixels, 16 * height * width)
    preparation = ImagePreparation(decode_options, preprocessor, resize_limit)
    # More workers than images would decode nothing more, and a huge -j would start them all.
    workers = max(1, min(workers or default_workers(), len(paths)))
    processes = decode_in_processes(device, workers)
    if processes:
        # Forked after torch is imported, the processes share its modules; forked before, each
        # imported torch for its resize (1.6 CPU-s and 135 MB of its own per process on a 2-core
        # machine; 16 of them on a 16-core GPU machine). The model's load imports it anyway.
        import torch  # noqa: F401
    return DecodeQueue(
        paths,
        preparation,
        workers=workers,
        window=EARLY_DECODE_WINDOW,
        startup_workers=loading_workers(workers) if model_loading else None,
        processes=processes,
        process_setup=preparation.set_up_process,
    )


def decode_in_processes(device: str, workers: int) -> bool:
    """Whether to decode in worker processes rather than threads: for a CUDA GPU, which wants
    more images a second than threads sharing one interpreter lock decode (zsl_cli.batching).
    "auto", before the model has loaded, goes by whether the machine has an NVIDIA GPU: a guess
    that `_open_encoder_decoding` checks against the device the model loaded on."""
    if workers < 2 or not processes_available():
        return False
    kind = device.split(":", 1)[0]
    return kind == "cuda" or (kind == "auto" and _has_nvidia_gpu())


def _has_nvidia_gpu() -> bool:
    # What torch.cuda.is_available() would say, without importing torch (seconds) first.
    if os.environ.get("CUDA_VISIBLE_DEVICES", "unset").strip() in ("", "-1"):
        return False  # the GPUs are hidden from this process
    return os.path.exists("/dev/nvidiactl") or os.path.exists("/dev/dxg")  # dxg: WSL


def _max_pixels(inputs: InputOptions) -> int:
    return inputs.max_pixels or DEFAULT_MAX_PIXELS


def _open_encoder_decoding(
    paths: Sequence[Path], model: ModelOptions, inputs: InputOptions
) -> tuple[Encoder, DecodeQueue]:
    """Load the model while the first images decode.

    The preprocessing is guessed from the model's saved settings before the (slow) load; the
    early work is kept only if the loaded encoder preprocesses exactly the same way.
    """
    guess = None if model.exact_preprocessing else guess_preprocessor(model.name, model.revision)
    early = None
    if guess is not None:
        early = start_decoding(
            paths,
            guess,
            inputs,
            exact=False,
            workers=model.workers,
            device=model.device,
            model_loading=True,
        )
    try:
        encoder = open_encoder(model)
    except BaseException:
        if early is not None:
            early.close()
        raise
    # The early queue's threads or processes were chosen by a guess at the device (auto); the
    # model may have landed elsewhere (torch for ROCm runs on "cuda" without /dev/nvidiactl).
    if (
        early is not None
        and encoder.preprocessor == guess
        and early.processes == decode_in_processes(_decoding_device(encoder, model), early.workers)
    ):
        return encoder, early
    if early is not None:
        early.close()
    return encoder, decode_for(encoder, paths, model, inputs)


def decode_for(
    encoder: Encoder, paths: Sequence[Path], model: ModelOptions, inputs: InputOptions
) -> DecodeQueue:
    """Start decoding `paths` the way this loaded encoder wants its pixels, in threads or
    processes as suits the device it was loaded on."""
    return start_decoding(
        paths,
        encoder.preprocessor,
        inputs,
        exact=encoder.exact_preprocessing,
        workers=model.workers,
        device=_decoding_device(encoder, model),
    )


def _decoding_device(encoder: Encoder, model: ModelOptions) -> str:
    """The device that decides how a loaded encoder's images are decoded: the one it runs on,
    or as asked for an Encoder of a caller's own that does not say."""
    return _loaded_device(encoder) or model.device


def iter_encoded(
    decoding: DecodeQueue,
    encoder: Encoder,
    model: ModelOptions,
    progress: Progress,
    *,
    into_store: bool = False,
) -> Iterator[list[ImageItem]]:
    """Batches of items with their embeddings (ok items) or their failure status, in order.

    An image whose embedding is not finite or all zero (an fp16 overflow, one image in many)
    fails on its own as an encode_error, as an image that cannot be decoded does: its row would
    score NaN or 1/C. `into_store`: the embeddings go into a store (`embed`), whose precision
    is fixed, which the error's advice says."""
    progress.start(decoding.total, "encoding images")
    for items in decoding.batches(_batch_size(model, encoder)):
        ok_items = [item for item in items if item.ok]
        if ok_items:
            embeddings = np.asarray(encoder.encode_images(stack_pixels(ok_items)))
            _check_rows(encoder, "encode_images", embeddings, len(ok_items), "images")
            usable, finite = usable_rows(embeddings)
            for item, embedding, is_finite, is_usable in zip(
                ok_items, embeddings, finite, usable, strict=True
            ):
                item.pixels = None  # free the pixels as soon as they are encoded
                if is_usable:
                    item.embedding = embedding
                else:
                    item.status = STATUS_ENCODE_ERROR
                    item.error = encode_error_reason(
                        _precision(encoder), zero=bool(is_finite), store=into_store
                    )
        progress.advance(len(items))
        yield items


@_path_errors_are_user_errors
def label(
    request: LabelRequest,
    progress: Progress | None = None,
    *,
    encoder: Encoder | None = None,
    warn: Callable[[str], None] | None = None,
) -> LabelReport:
    """Label images (or stored embeddings) and write predictions (or keep them in the report).

    Returns a `LabelReport`: counts, warnings, the run info written with the output and, when
    `request.output` is None, the predictions (a `Prediction` per image, in input order; a
    failed image has a status and error, no label or score). A problem the user can fix raises
    `ZslError`, and an existing output file is left as it was. Ctrl-C while the images are
    worked through (the image bar's stop() included) publishes the finished work, marked
    incomplete unless every image was labelled, and raises `Interrupted`. `progress`: an object
    with start(total, description), advance(n) and stop() (see `Progress`), or None. `encoder`:
    a model already loaded (`open_encoder`), reused instead of loading `request.model` again;
    of the model options only `batch_size` and `workers` then apply, and where they are None
    those open_encoder was given (decoding runs in threads or processes as suits the device the
    model was loaded on); the others, where they differ from the defaults and from those
    open_encoder was given, get a warning. `warn`, if given, hears each warning known before the
    images are encoded (a class file's, folders that could not be read, ...) as soon as it is
    known, rather than from the report once every image is labelled; the report lists every
    warning all the same, those first.
    """
    progress = _checked_arguments("label", request, LabelRequest, progress, encoder)
    _check_warn(warn)
    started = time.perf_counter()
    # Everything that can be checked is checked before the slow model load; an option's value
    # before the class list, which may be typed at a terminal.
    check_hubness_methods([request.hubness_reduction], "--hubness-reduction")
    _check_revision(request.model, encoder)
    _check_label_stdin_read_once(request)
    spec, plan = plan_classes(request.classes)
    _check_label_classes_and_outputs(request, len(spec.names))
    output = request.output
    fmt = writers.output_format(output.path, output.format) if output is not None else ""
    studio = None
    weights = None  # the model folder's weight files hashed, for the tasks' model version
    if output is not None and fmt == "label-studio":
        weights = _model_folder_weights(request, encoder)
        version = _model_version_name(request, encoder, weights)
        studio = _label_studio_options(output.label_studio, version)
    config = studio.config if studio is not None else None
    outputs = _label_outputs(output, config)
    source = _open_source(request.inputs, request.embeddings)
    if source.paths is not None:  # at most this many readable images: known before the load
        _check_reference_set(len(source.paths), request.hubness_reduction, found=True)
    report = LabelReport(low_confidence_below=request.low_confidence)
    report.config = os.fspath(config) if config else None
    report.warnings += _ignored_with_store(request.model, request.embeddings)
    report.warnings += _ignored_with_encoder(request.model, encoder)
    model = _options_with_opened_defaults(request.model, encoder)
    report.warnings += _class_file_warnings(spec)
    writer: writers.PredictionWriter | _KeptInReport
    if output is None:
        report.output = "none"
        writer = _KeptInReport(report.predictions)
    else:
        _check_outputs_spare_inputs_and_model(
            outputs, [source.store], source.paths or (), request.model, encoder
        )
        if studio is not None:
            report.warnings += url_prefix_warnings(studio)
            if source.paths is not None:
                report.warnings += check_label_studio_paths(source.paths, studio)
        if config:
            report.warnings += label_studio_config_warnings(spec.names)
        report.output = os.fspath(output.path) if output.path not in (None, "-") else "stdout"
    report.unreadable_folders = source.unreadable_folders
    report.warnings += _source_warnings(source)
    # Before the model load, which can take a minute; and before the output opens, which an
    # error in `warn` would leave open, its temporary file behind.
    told = _tell(warn, report.warnings)
    if output is not None:
        # The output opens before the slow model load, so that one that cannot be written (a
        # folder that cannot be created, a closed stdout) fails at once. Until `close` nothing is
        # published: an error or an interrupt that finished no image leaves an older output as
        # it was.
        # open_sink writes bytes to any stream but a text one: a duck-typed writer too.
        stdout = cast("IO[bytes] | IO[str] | None", output.stdout)
        writer = writers.open_writer(output.path, fmt, label_studio=studio, stdout=stdout)
    # A stop signal after the last prediction (a second Ctrl-C) waits, from where `publishing`
    # enters interrupts_deferred below, until the block has ended: leaving it with the signal
    # would throw the finished rows away, or publish them without their Label Studio config.
    publishing = ExitStack()
    published = False
    with (
        _ends_as_interrupted(report, lambda: published),
        publishing,
        writer,
        _label_studio_config_file(config, spec.names, studio, report) as publish_config,
        _model_on_images(source, model, request.inputs, encoder, weights) as (encoder, decoding),
    ):
        classifier = build_classifier(spec, plan, encoder, progress)
        processing_started = time.perf_counter()
        identity = _source_identity(source, encoder)
        pace = _encoding_pace(model, encoder, decoding)
        report.run_info = _describe_run(request, encoder, classifier, identity, pace)
        if studio is not None:
            # What a project's labelling config must name for the tasks to show their image and
            # prediction, and the version that pre-annotates.
            report.run_info["label_studio"] = {
                "from_name": studio.from_name,
                "to_name": studio.to_name,
                "data_key": studio.data_key,
                "model_version": studio.model_version,
            }
        if source.store is not None:
            stored_in = report.run_info["model"]["embeddings_precision"]
            report.embed_options = _embed_options(encoder, stored_in)
        if not _counts_low_confidence(encoder, request.decision, len(spec.names)):
            report.low_confidence_below = None
            report.warnings += _low_confidence_ignored(encoder, request, len(spec.names))
        report.warnings += classifier.model_warnings()
        report.warnings += _abstains_on_none_warnings(encoder.head, request.decision, spec.names)
        report.warnings += head_warnings(encoder.head)
        # A store that cannot be used fails here, and the writer discards its file.
        encoded = _encoded_items(source, decoding, encoder, model, progress, outputs, identity)
        report.warnings += encoded.warnings
        report.inputs = len(encoded.paths)
        _check_reference_set(report.inputs, request.hubness_reduction, found=True)
        if source.paths is None and studio is not None:  # a store's images, known only now
            report.warnings += check_label_studio_paths(encoded.paths, studio)
        _tell(warn, report.warnings, told)
        # An error leaves the block without close(): a file output is discarded, the old one
        # kept. An interrupt publishes the finished work, marked incomplete.
        # Few, where any: what the encode_error warning counts and names.
        encode_errors: list[tuple[str, str, str]] = []
        seen = SpanSeen()  # the similarities the head is given, judged by head_warnings
        try:
            with interrupts_holdable() as interrupts:
                at_most = None if source.store is not None else report.inputs
                predictions = _predictions(
                    encoded.batches, encoder, classifier, request, report.warnings, at_most, seen
                )
                for prediction in predictions:
                    interrupts.hold()  # a row written is a row counted
                    writer.write(prediction)
                    report.add(prediction)
                    if prediction.status == STATUS_ENCODE_ERROR:
                        encode_errors.append((prediction.path, prediction.status, prediction.error))
                    interrupts.release()
        except KeyboardInterrupt:
            # The run is stopping: from here another stop signal waits until the finished work
            # is published, and then ends the run as this one does.
            publishing.enter_context(interrupts_deferred())
            report.interrupted = True
        except BaseException:
            progress.stop()
            raise
        report.interrupted |= _stopped_by_interrupt(progress)
        publishing.enter_context(interrupts_deferred())
        report.warnings += _decoding_warnings(decoding is not None and decoding.processes_stopped)
        report.warnings += _encode_error_warnings(encode_errors)
        report.warnings += _run_head_warnings(encoder.head, seen, len(spec.names))
        report.elapsed_s = time.perf_counter() - started
        report.processing_s = time.perf_counter() - processing_started
        report.run_info["summary"] = summary_dict(report)
        # A Ctrl-C as the bar closed may come after the last image: those rows are all of them.
        complete = not report.interrupted or report.total == report.inputs
        report.run_info["complete"] = complete
        if report.interrupted and not report.total:
            # Nothing was finished (a hubness reduction writes only at the end): leaving the
            # block with the interrupt leaves older outputs (the predictions, a Label Studio
            # config) as they were.
            raise Interrupted(report)
        # The config is written in full first, so that one that cannot be written leaves the tasks
        # as they were, and moved into place after them: tasks that cannot be written leave an
        # earlier config as it was too.
        kept: OutputKept | None = None
        try:
            publish_config(lambda: _close_writer(writer, report, complete))
        except OutputKept as error:
            kept = error
        published = kept is None
        if isinstance(writer, writers.PredictionWriter):
            report.warnings += writer.not_utf8_warnings(report.output)
            report.warnings += writer.formula_warnings(report.output)
        if studio is not None and isinstance(writer, writers.PredictionWriter):
            report.warnings += label_studio_size_warnings(writer.bytes_written, report.output)
        if kept is not None:
            # Everything was written, only under another name: the run's report goes with the
            # error, for a caller to tell what the run did.
            kept.result = report
            raise kept
    if report.interrupted:
        raise Interrupted(report)
    return report


def _close_writer(
    writer: writers.PredictionWriter | _KeptInReport, report: LabelReport, complete: bool
) -> None:
    """Publish the predictions; where they are kept beside an output held open, `report` names
    the file they are kept in."""
    try:
        writer.close(report.run_info, complete=complete)
    except OutputKept as kept:
        report.output = os.fspath(kept.kept[0])
        raise


@contextmanager
def _ends_as_interrupted(
    report: LabelReport | EmbedReport, published: Callable[[], bool] = lambda: False
) -> Iterator[None]:
    """Once `report` is interrupted, the KeyboardInterrupt of another stop signal (a second
    Ctrl-C, held while the finished work was published, and raised after it) ends the run as
    the first one does: with Interrupted(report), whose summary says what was written, not with
    a bare "interrupted" that reads as nothing written. A first one held while a finished run
    was published, once `published()` (every output in place), comes as
    InterruptedOnceWritten(report): the outputs are complete. One held while an output was
    kept beside its own (OutputKept, raised as the signal was) leaves the error, which names
    where, as `published_together` does: a bare "interrupted" left the kept file unnamed."""
    try:
        yield
    except KeyboardInterrupt as stop:
        if isinstance(stop, Interrupted):
            raise
        if report.interrupted:
            raise Interrupted(report) from None
        if published():
            raise InterruptedOnceWritten(report) from None
        kept = stop.__context__
        if isinstance(kept, OutputKept) and kept.result is not None:
            raise kept from kept.__cause__
        raise


def _stopped_by_interrupt(progress: Progress) -> bool:
    """Stop the image bar; True where Ctrl-C came as it closed (a caller's bar, or a real Ctrl-C
    meanwhile): the work finished before it is published all the same, as for an interrupt
    between images, not thrown away with a bare KeyboardInterrupt."""
    try:
        progress.stop()
    except KeyboardInterrupt:
        return True
    return False


def _check_warn(warn: Callable[[str], None] | None) -> None:
    if warn is not None and not callable(warn):
        raise ZslError(f"warn: {type(warn).__name__} is not callable; give a function or None")


def _tell(warn: Callable[[str], None] | None, warnings: Sequence[str], told: int = 0) -> int:
    """Pass `warn` the `warnings` after the first `told`, which it has heard; returns how many it
    has heard now."""
    if warn is not None:
        for warning in warnings[told:]:
            warn(warning)
    return len(warnings)


@contextmanager
def _label_studio_config_file(
    path: str | None,
    class_names: Sequence[str],
    studio: LabelStudioOptions | None,
    report: LabelReport,
) -> Iterator[Callable[[Callable[[], None]], None]]:
    """Opens `path` at once (a bad one fails before the model loads) and yields what publishes
    the labelling config there together with the tasks (its argument publishes them); nothing
    is written if the block ends with an error first. Where the config is kept beside one held
    open, `report.config` names the file it is kept in."""
    if not path or studio is None:
        yield lambda publish_tasks: publish_tasks()
        return
    sink = open_sink(path)

    def publish_config() -> None:
        try:
            sink.publish(None)
        except OutputKept as kept:
            report.config = os.fspath(kept.kept[0])
            raise

    def publish(publish_tasks: Callable[[], None]) -> None:
        sink.write(label_studio_config(class_names, studio))
        sink.finish()
        try:
            publish_tasks()  # another error here ends the block: the config is discarded
        except OutputKept as kept:  # the tasks are written, under another name: so is the config
            _then_kept(kept, publish_config)
        publish_config()

    try:
        yield publish
    except BaseException:
        sink.discard()
        raise


def _check_label_stdin_read_once(request: LabelRequest) -> None:
    """`_check_stdin_read_once` for a label run's path list and its class files, checked before
    the class files are read, by a run and by `class_prompts`."""
    inputs = request.inputs
    _check_stdin_read_once(inputs.paths, inputs.stdin, _class_file_options(request.classes))


def _check_label_classes_and_outputs(request: LabelRequest, n_classes: int) -> None:
    """What a label run refuses once its class files are read, before it scans its inputs (a
    path list may be typed at a terminal; the store and its images are checked after the scan):
    a hubness reduction of fewer than 2 classes, `--ls-config -` with the tasks on stdout, an
    output over a class file or the path list, and --ls-* values that no labelling config or
    way of reaching the images fits. Checked by `class_prompts` too, which reads nothing more."""
    if request.hubness_reduction != "none":
        check_hubness_class_count(n_classes, request.hubness_reduction)
    output = request.output
    if output is None:
        return
    studio = None
    if writers.output_format(output.path, output.format) == "label-studio":
        studio = _label_studio_options(output.label_studio, model="")  # the version is not checked
    config = studio.config if studio is not None else None
    if config == "-" and output.path in (None, "-"):
        raise ZslError("--ls-config -: the tasks go to stdout; give the config a file name")
    check_outputs_spare_inputs(
        _label_outputs(output, config),
        [_path_list_file(request.inputs), *_class_files(request.classes)],
    )
    if studio is not None:
        check_label_studio_options(studio)


def _label_outputs(
    output: OutputOptions | None, config: str | os.PathLike[str] | None
) -> list[NamedOutput]:
    """The files a label run writes, each with the option that names it."""
    if output is None:
        return []
    return [named_output("-o", output.path or "-"), named_output("--ls-config", config)]


def _label_studio_options(given: LabelStudioOptions | None, model: str) -> LabelStudioOptions:
    """The user's settings, completed with what the environment and the run supply."""
    options = given or LabelStudioOptions()
    root: str | Path | None = options.document_root
    if root is None and options.url_prefix is None:
        # The server's own setting describes its local files, not another server's folder.
        root = os.environ.get("LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT")
    return replace(
        options,
        document_root=Path(root) if root else None,
        model_version=options.model_version or f"zsl-{__version__}:{model}",
    )


def _model_version_name(request: LabelRequest, encoder: Encoder | None, weights: str | None) -> str:
    """The model as a default Label Studio model version names it: a hub model by its id, with
    its hub revision where one was asked for, so that two revisions of one model are two versions
    to a project; a model folder as `_model_folder_version` does, `weights` the hash of its weight
    files (`_model_folder_weights`)."""
    name = _model_name(request, encoder)
    folder = _model_folder(name)
    if folder is not None:
        return _model_folder_version(folder, weights)
    name = path_to_text(name)
    revision = request.model.revision if encoder is None else _revision(encoder)
    return f"{name}@{revision}" if revision is not None else name


def _model_name(request: LabelRequest, encoder: Encoder | None) -> str:
    """The model a run labels with, as given: the loaded encoder's, else the request's."""
    return encoder.name if encoder is not None else os.fspath(request.model.name)


def _model_folder_weights(request: LabelRequest, encoder: Encoder | None) -> str | None:
    """The hash of the weight files of the model folder the run labels with
    (`weight_files_fingerprint`), as the embedding store's identity of the model hashes them; None
    for a bundled model, a hub id, or a folder whose weight files the model load will report.
    A loaded encoder of ours has it, or makes it once for both (seconds for a 1 GB model)."""
    folder = _model_folder(_model_name(request, encoder))
    if folder is None:
        return None
    try:
        made = getattr(encoder, _WEIGHTS_FINGERPRINT, None)
        if isinstance(made, str):
            return made
        files = loaded_weight_files(Path(folder))
        return weight_files_fingerprint(files) if files else None  # none: the load says why
    except OSError:  # the model load says what is wrong with the files
        return None


# What a loaded encoder of ours calls the hash of its weight files: an optional attribute of an
# Encoder (see `encoders.base.Encoder`); one of a caller's own need not have it.
_WEIGHTS_FINGERPRINT = "weight_files_fingerprint"


def _model_folder(name: str) -> str | None:
    """The real path of the model folder `name` is (not a bundled model's, nor a hub id), or
    None."""
    source = _local_model(name)
    if source is None or name in bundled_models():
        return None
    return os.path.realpath(source.location)


def _local_model(name: str | os.PathLike[str]) -> ModelSource | None:
    """Where the model `name` is on disk (a folder or a bundled model), or None for a hub id or
    a name that names nothing, which the model load reports."""
    try:
        source = resolve_model(name)
    except ZslError:
        return None
    return source if source.is_local else None


def _model_folder_version(folder: str, weights: str | None) -> str:
    """A model folder as a Label Studio model version names it: its own name (a path would show
    the user's folders to everyone in the project) and the start of `weights`, the hash of its
    weight files. So every spelling of the path, or a link to the folder, gives one version, the
    same weights in a copy of that name too, and other weights another: a project pre-annotates
    with one version alone."""
    name = path_to_text(os.path.basename(folder))
    return f"{name}#{weights[:8]}" if weights is not None else name


def _revision(encoder: Encoder) -> str | None:
    """The hub revision a loaded encoder was asked for: ours say so; an Encoder of a caller's own
    need not (None)."""
    revision = getattr(encoder, "revision", None)
    return revision if isinstance(revision, str) else None


def _commit(encoder: Encoder) -> str | None:
    """The hub commit a loaded encoder's weights came from, whatever revision named it: ours say
    so (None for a model folder); an Encoder of a caller's own need not (None)."""
    commit = getattr(encoder, "commit", None)
    return commit if isinstance(commit, str) else None


def _weight_files(encoder: Encoder) -> list[dict[str, str | int]] | None:
    """The weight files of the model folder a loaded encoder is named after, each one's name,
    size and modification time (`weight_file_records`); None for a hub model (its commit names
    it), a bundled one (zsl's version does), or files that cannot be looked at, which the load
    would have said."""
    folder = _model_folder(encoder.name)
    if folder is None:
        return None
    try:
        return weight_file_records(Path(folder)) or None
    except OSError:
        return None


def _weight_files_hash(encoder: Encoder) -> str | None:
    """The hash of the weight files, where the run has made it already (a Label Studio model
    version, a store's identity of the model): held in the encoder's own attributes (ours cache
    it there; api sets it there). Never made for the run info alone: it reads every byte."""
    made = getattr(encoder, "__dict__", {}).get(_WEIGHTS_FINGERPRINT)
    return made if isinstance(made, str) else None


def _encoding_pace(
    model: ModelOptions, encoder: Encoder, decoding: DecodeQueue | None
) -> dict[str, int | None]:
    """The batch size and decode workers a run's images are encoded with, defaults resolved
    (workers: no more than the images); None for a run that reads its vectors from a store,
    which encodes no image, whatever -b and -j said."""
    if decoding is None:
        return {"batch_size": None, "workers": None}
    return {"batch_size": _batch_size(model, encoder), "workers": decoding.workers}


class _KeptInReport:
    """The writer of a run with no output: predictions are kept in a list."""

    def __init__(self, kept: list[Prediction]) -> None:
        self._kept = kept

    def __enter__(self) -> _KeptInReport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def write(self, prediction: Prediction) -> None:
        self._kept.append(prediction)

    def close(self, run_info: dict, *, complete: bool = True) -> None:
        return None


def _path_list_file(inputs: InputOptions) -> str | None:
    """The file a "-" path list is read from, when stdin is one (`zsl label - -o list.csv <
    list.csv` published the predictions over the list it had read); None for none, a pipe or a
    stream without a descriptor."""
    if not any(os.fspath(path) == "-" for path in inputs.paths):
        return None
    stream = inputs.stdin if inputs.stdin is not None else sys.stdin
    try:
        descriptor = stream.fileno()
        regular = S_ISREG(os.fstat(descriptor).st_mode)
    except (AttributeError, OSError, ValueError):  # no stdin, one in memory, one closed
        return None
    return f"/dev/fd/{descriptor}" if regular else None


def _class_files(options: ClassOptions) -> list[str | os.PathLike[str] | None]:
    classes = options.classes if isinstance(options.classes, (str, os.PathLike)) else None
    templates = options.templates if is_template_file(os.fspath(options.templates)) else None
    return [classes, options.attributes, options.descriptions, templates]


def _class_file_options(options: ClassOptions) -> list[tuple[str, str | os.PathLike[str] | None]]:
    """The class files of `options` (`_class_files`), each with the option that names it."""
    names = ("classes", "attributes", "descriptions", "templates")
    return [
        (_option(options, name), path)
        for name, path in zip(names, _class_files(options), strict=True)
    ]


def _check_stdin_read_once(
    inputs: Iterable[str | os.PathLike[str]],
    stdin: IO[bytes] | None,
    files: Iterable[tuple[str, str | os.PathLike[str] | None]],
) -> None:
    """ZslError where one of `inputs` is "-", read from `stdin` (None: the process's), a pipe or
    socket that an option's file (`files`: option, path) also names (`-c /dev/stdin`, `--truth
    /proc/self/fd/0`): whichever reads first takes it all, and the other's error ("no paths on
    stdin") blamed the wrong one. Files are compared as files, whatever the spelling; a regular
    file or a terminal can be read twice, and is left alone."""
    if not any(os.fspath(path) == STDIN_INPUT for path in inputs):
        return
    stream = stdin if stdin is not None else sys.stdin
    try:
        read = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # no stdin, one in memory, one closed
        return
    if not (S_ISFIFO(read.st_mode) or S_ISSOCK(read.st_mode)):
        return
    for option, path in files:
        if path is None:
            continue
        try:
            named = os.stat(path)
        except (OSError, ValueError):  # not there: the option's own check says so
            continue
        if same_file(named, read):
            raise ZslError(
                f"{option} {os.fspath(path)} and '-' both read stdin; give one of them a file"
            )


def _predictions(
    batches: Iterable[list[ImageItem]],
    encoder: Encoder,
    classifier: _Classifier,
    request: LabelRequest,
    warnings: list[str],
    at_most: int | None = None,
    seen: SpanSeen | None = None,
) -> Iterator[Prediction]:
    """Scores per batch when no hubness reduction is asked; otherwise over the whole set, since
    the reductions use statistics of every image (`at_most`: as for `_gathered`). `warnings`:
    the run's, which a reduction fitted on too few images joins once they are read. `seen`
    takes in the similarities the head is given."""
    names, head, decision = classifier.names, encoder.head, request.decision
    seen = seen or SpanSeen()
    if request.hubness_reduction == "none":
        for items in batches:
            sims = similarities(_stack([i for i in items if i.ok], classifier), classifier.vectors)
            seen.add(sims)
            rows = ranked_rows(sims, head, decision.top_k)
            del sims
            yield from predict_ranked(items, rows, names, decision)
            # Closed, and its similarities freed, before the next batch's are computed: 330 MB
            # at 20,000 classes.
            del rows
        return
    items, embeddings = _gathered(batches, classifier, at_most)
    _check_reference_set(
        len(embeddings), request.hubness_reduction, copies=copies_of_one(embeddings)
    )
    # Counted on the images read, not found: broken or not_embedded ones are no reference.
    warnings += _small_reference_set_warnings(
        len(embeddings), request.hubness_reduction, len(names)
    )
    # Blocks of rows: 100,000 images x 20,000 classes would be 8 GB of similarities at once.
    every_sims = similarity_matrix(embeddings, classifier.vectors)
    # Ranked as the predictions are made: every chunk's ranking kept at once took 12 bytes a cell
    # with top-k 0, three times the similarities (and without bound when they are not kept).
    rows = (
        row
        for adjusted in _seen_as_given(reduced_chunks(every_sims, request.hubness_reduction), seen)
        for row in ranked_rows(adjusted, head, decision.top_k)
    )
    yield from predict_ranked(items, rows, names, decision)


def _seen_as_given(chunks: Iterable[np.ndarray], seen: SpanSeen) -> Iterator[np.ndarray]:
    for chunk in chunks:
        seen.add(chunk)
        yield chunk


def _check_reference_set(
    n_images: int, method: str, *, found: bool = False, copies: bool = False
) -> None:
    """A reduction compares each class's similarities across the run's images: with one image,
    or copies of one (`copies`), every class looks alike and the label would be arbitrary.
    `found`: `n_images` counts the images found, not yet read (`_too_few`)."""
    if method == "none":
        return
    needs = (
        f"--hubness-reduction {method} needs the similarities of many images (the run's "
        "images are its reference set)"
    )
    if n_images < 2:
        raise ZslError(f"{needs}; {_too_few(n_images, found)}")
    if copies:
        raise ZslError(f"{needs}; this run's {n_images} readable images are copies of one image")


def _small_reference_set_warnings(n_images: int, method: str, n_classes: int) -> list[str]:
    """A warning where the run's images are too few for `zsl hubness` to judge hubness by at
    its default k: a reduction fitted on so few spreads them over classes no image shows, and
    its scores come out flattened (isoftmax over about as many images as classes: the labels
    mostly wrong, every score under 0.5)."""
    k = default_k(n_classes)
    if method == "none" or n_classes < 2 or not too_few_images(n_images, k, n_classes):
        return []
    # Over 2 or 3 classes zsl hubness judges from no number of images.
    judged = (
        ""
        if too_few_classes(n_classes)
        else f" (zsl hubness judges from {fewest_images(k, n_classes)} at k={k})"
    )
    return [
        f"--hubness-reduction {method} is fitted on the images labelled: "
        f"{counted(n_images, 'image')} over {n_classes} classes are too few for it{judged}; its "
        "labels may be worse, and its scores, and --threshold on them, are not comparable to a "
        "run without it"
    ]


def _gathered(
    batches: Iterable[list[ImageItem]], classifier: _Classifier, at_most: int | None
) -> tuple[list[ImageItem], np.ndarray]:
    """Every item of the batches, and the ok items' embeddings as one [n, dim] array, held once.

    `at_most`: for images encoded in this run, how many items there are. Each batch's rows are
    moved into one array of that many rows as the batch comes, so that the encoder's array of
    the batch is freed at once: stacking them at the end held every embedding twice, the items
    holding their batch's (0.2 GB more at 100,000 x 512). None for a store's items, whose vectors
    are rows of the one array they were read into already (`_rows_in_place`)."""
    if at_most is None:
        items = [item for batch in batches for item in batch]
        return items, _stack([item for item in items if item.ok], classifier)
    items = []
    gathered: np.ndarray | None = None
    n_ok = 0
    for batch in batches:
        items += batch
        ok = [item for item in batch if item.ok]
        if not ok:
            continue
        rows = _stack(ok, classifier)  # a view of the batch's own array, where its rows are
        if gathered is None:  # of the type the encoder gives, as np.stack keeps it
            gathered = np.empty((at_most, rows.shape[1]), dtype=rows.dtype)
        elif rows.dtype != gathered.dtype:  # an Encoder of a caller's own: as np.stack promotes
            gathered = gathered.astype(np.result_type(gathered, rows))
        gathered[n_ok : n_ok + len(ok)] = rows
        n_ok += len(ok)
        for item in ok:
            item.embedding = None  # its row is in `gathered`, given back to it below
    if gathered is None:
        return items, _stack([], classifier)
    embeddings = gathered[:n_ok]
    for item, row in zip((item for item in items if item.ok), embeddings, strict=True):
        item.embedding = row
    return items, embeddings


def _stack(items: Sequence[ImageItem], classifier: _Classifier) -> np.ndarray:
    if not items:
        return np.zeros((0, classifier.vectors.shape[1]), dtype=np.float32)
    embeddings = []
    for item in items:
        assert item.embedding is not None, "only encoded images are scored"
        embeddings.append(item.embedding)
    stacked = _rows_in_place(embeddings)
    if stacked is None:
        stacked = np.stack(embeddings)
    if stacked.shape[1] != classifier.vectors.shape[1]:
        raise ZslError(
            f"the encoder's image embeddings have {stacked.shape[1]} values and its text "
            f"embeddings {classifier.vectors.shape[1]}; an Encoder gives both of one width, its "
            "dim"
        )
    return stacked


def _rows_in_place(rows: Sequence[np.ndarray]) -> np.ndarray | None:
    """The rows as one [n, dim] view of the array whose consecutive rows they are, in order (a
    store's vectors, read whole), or None where they are not. Stacking a whole store's rows, as
    hubness scores them, copied every vector while the store's array was still held: memory twice
    the store's vectors (0.6 GB more at 300,000 x 512)."""
    first = rows[0]
    base = first.base
    if (
        not isinstance(base, np.ndarray)
        or first.ndim != 1
        or first.dtype != base.dtype
        or not (first.flags.c_contiguous and base.flags.c_contiguous)
    ):
        return None
    shape, strides = first.shape, first.strides
    # Cheap tests first: rows of a batch's own array (images encoded here) fail at the next batch.
    if any(row.base is not base or row.shape != shape or row.strides != strides for row in rows):
        return None
    addresses = np.fromiter(
        (row.__array_interface__["data"][0] for row in rows), dtype=np.intp, count=len(rows)
    )
    row_bytes = first.nbytes
    if not np.array_equal(np.diff(addresses), np.full(len(rows) - 1, row_bytes, dtype=np.intp)):
        return None
    # Every row lies within `base` (a view's memory is its base's): so does the span they cover,
    # unless the rows start between two of base's elements (a caller's view of its bytes).
    start, between = divmod(int(addresses[0]) - base.__array_interface__["data"][0], base.itemsize)
    if between:
        return None
    return base.reshape(-1)[start : start + len(rows) * first.size].reshape(len(rows), -1)


# A head's scores tell nothing where no score can move by more than FLAT_SCORES (relatively)
# over the similarities it is given, or where its logits are all beyond +-SATURATED_LOGIT (a
# sigmoid's score within 4e-8 of 1, or below 4.2e-8): the ranking still follows the similarities,
# but not a score or --threshold. Over one image's row of width w, a softmax's scores lie within
# a factor exp(scale * w) of 1/C, and a sigmoid's p and 1 - p each change by at most that factor
# (the slopes of log p and log(1 - p) are below 1 in size): one bound for both heads.
# A priori, w is 2 (cosines lie in [-1, 1]), which only a broken head reaches; the cosines of
# real image-text pairs lie in a narrow band (a CLIP at scale 0.01 scored 30 classes within 0.3%
# of 1/30, a SigLIP with bias 20 and scale 7.4 wrote 1 for every pair), so the run's own
# similarities are judged too, once scored. 1% is a judgement: a trained head's scores span
# orders of magnitude. A run's rows are judged as at least TYPICAL_ROW_SPAN wide: a few images
# that fit none of a few classes gave rows narrower than that (one image between two classes it
# did not show: 0.3% under the bundled model's scale of 29.4), which is the images', not the
# head's; a head is flat over that width only below a scale of 0.2, where trained ones sit at
# 10-120.
FLAT_SCORES = 1e-2
SATURATED_LOGIT = 17.0
TYPICAL_ROW_SPAN = 0.05


def head_warnings(head: ScoreHead, span: SimilaritySpan | None = None) -> list[str]:
    """The warning of a score head that cannot separate scores over the similarities in `span`
    (default: any cosine; a run's own: `span` from its similarities): a checkpoint's
    logit_scale near -inf, or a SigLIP bias that saturates every sigmoid (`_score_head` refuses
    inf and NaN)."""
    given = span or SimilaritySpan()
    widest = given.widest_row if span is None else max(span.widest_row, TYPICAL_ROW_SPAN)
    spread = math.expm1(head.scale * widest)
    flat, within = spread < FLAT_SCORES, f"within {_percent_up_to(spread)}"
    if head.kind == "softmax":
        if not flat:
            return []
        every = f"every score {within} of 1 / the number of classes"
        scale = f"score scale of {head.scale:.3g} makes"
    else:
        if head.bias + head.scale * given.lo > SATURATED_LOGIT:
            every = "every score 1 (to 7 digits)"
        elif span is None and head.bias + head.scale * given.hi < -SATURATED_LOGIT:
            # Only over any cosine: such scores are still written to 7 digits and differ, and
            # on a run's own similarities more likely mean that no class fits any image.
            every = "every score below 1e-7"
        elif flat:
            every = f"each image's scores {within} of one another"
        else:
            return []
        scale = f"score scale of {head.scale:.3g} and bias of {head.bias:.3g} make"
    where = "" if span is None else " on this run's images"
    return [
        f"the model's {scale} {every}{where}, so the written scores and --threshold tell nothing "
        "(the ranking still follows the model); are its weights a trained model's?"
    ]


def _percent_up_to(fraction: float) -> str:
    """`fraction` as a percentage rounded up to a tenth of a point (0.1% for less): a bound
    shown as 0.0% would read as no spread at all."""
    return f"{max(1, math.ceil(fraction * 1000 - 1e-9)) / 1000:.1%}"


def _run_head_warnings(head: ScoreHead, seen: SpanSeen, n_classes: int) -> list[str]:
    """head_warnings over the similarities the run gave, unless its head was warned of before
    the run (any cosine) or there was nothing to tell apart: no image scored, or one class (the
    one-class warning covers a softmax's)."""
    if seen.span is None or n_classes < 2 or head_warnings(head):
        return []
    return head_warnings(head, seen.span)


def _encode_error_warnings(
    failures: Iterable[tuple[str | os.PathLike[str], str, str]],
) -> list[str]:
    """The warning of a run whose images in `failures`, each (path, status, error) in the order
    read, include some that failed as encode_error: counted, and the first named with its error,
    which says the way out (the summary's count alone does not)."""
    errors = [(path, error) for path, status, error in failures if status == STATUS_ENCODE_ERROR]
    if not errors:
        return []
    n, (path, error) = len(errors), errors[0]
    which = printable(path) if n == 1 else f"the first, {printable(path)}"
    return [f"{counted(n, 'image')} could not be embedded (status encode_error); {which}: {error}"]


def _check_rows(encoder: Encoder, method: str, embeddings: np.ndarray, n: int, what: str) -> None:
    """A ZslError where an Encoder of a caller's own breaks the protocol, giving other than one
    embedding per input, rather than an IndexError or ValueError where the rows are used."""
    if embeddings.ndim != 2 or len(embeddings) != n:
        raise ZslError(
            f"encoder {path_to_text(encoder.name)}: {method} gave an array of shape "
            f"{embeddings.shape} for {n} {what}; an Encoder gives one row per input"
        )


def _store_batches(items: list[ImageItem], progress: Progress) -> Iterator[list[ImageItem]]:
    progress.start(len(items), "scoring stored embeddings")
    for batch in group_ok_items(items, CHUNK_ROWS):  # bounds the N x C score matrix
        progress.advance(len(batch))
        yield batch


def _stored_name(encoder: Encoder) -> str:
    return _stored_model_name(encoder.name, encoder.exact_preprocessing)


def _embed_options(encoder: Encoder, precision: str | None = None) -> str:
    """The `store.embed_options` of `encoder`'s model, in `precision` (the one its images are
    stored in, where recorded)."""
    name = _stored_model_name(encoder.name, exact_preprocessing=False)
    return embed_options(name, encoder.exact_preprocessing, precision, _revision(encoder))


def _stored_model_name(
    name: str | os.PathLike[str], exact_preprocessing: bool, absolute: bool = True
) -> str:
    """A model's name in a store: the preprocessing is part of what makes embeddings match.
    A local model's folder is written as an absolute path (unless not `absolute`), since the
    store's messages name it to runs in other folders, and as paths are (SQLite text cannot
    hold surrogates)."""
    name = os.fspath(name)
    folder = os.path.expanduser(name)
    if absolute and name not in bundled_models() and os.path.isdir(folder):
        name = absolute_path(folder)
    text = path_to_text(name)
    return text + EXACT_PREPROCESSING_SUFFIX if exact_preprocessing else text


@dataclass(frozen=True)
class _ItemSource:
    """Where a run's images come from: discovered files, an embedding store, or both (the store's
    vectors of the discovered files)."""

    paths: list[Path] | None = None
    store: str | None = None
    unreadable_folders: list[tuple[Path, str]] = field(default_factory=list)  # (folder, reason)
    left_out: dict[str, int] = field(default_factory=dict)  # files per extension not taken
    empty_inputs: list[str] = field(default_factory=list)  # arguments that gave no image


def _open_source(inputs: InputOptions, embeddings: str | os.PathLike[str] | None) -> _ItemSource:
    """Discover the images (and open the store once) before the slow model load, to fail fast."""
    store: str | None = None
    if embeddings is not None:
        store = os.fspath(embeddings)
        EmbeddingStore.open(store, create=False).close()
        if not inputs.paths:
            return _ItemSource(store=store)
    # With a store, a named file that is gone keeps its stored result: the store may have
    # outlived the images.
    try:
        discovery = _scan_inputs(inputs, missing_ok=store is not None)
    except ZslError:
        if store is not None:
            _refuse_a_stored_folder_gone(inputs, store)
        raise
    paths = discovery.paths
    if store is not None:  # as embed leaves them out: the store is no image, though among them
        paths = without_store_files(paths, store)
        if discovery.paths and not paths:
            raise ZslError(
                f"no images found: {printable(store)} is the embedding store, not an image; give "
                "the folders or files of the images it holds, or no paths for all of them"
            )
    return _ItemSource(
        paths=paths,
        store=store,
        unreadable_folders=discovery.skipped,
        left_out=discovery.left_out,
        empty_inputs=discovery.empty_inputs,
    )


def _source_warnings(source: _ItemSource) -> list[str]:
    """The warnings of the scan that found `source`'s images, as label and hubness give them:
    folders that could not be read, files left out, inputs that gave no image."""
    return [
        *_unreadable_folders_warnings(source.unreadable_folders),
        *_left_out_images_warnings(source.left_out),
        *_empty_inputs_warnings(source.empty_inputs),
    ]


def _refuse_a_stored_folder_gone(inputs: InputOptions, store_path: str) -> None:
    """ZslError for a named folder that is not there but whose images the store holds (moved or
    deleted since `zsl embed`): "no such file or directory" said nothing of what it holds. It
    gives the `zsl embed --forget-missing` of each model holding them: embedded at the new
    place only, they would be labelled twice from the whole store, once under a path now gone."""
    names = [os.fspath(item) for item in inputs.paths]
    gone = [
        item
        for item in names
        if item != STDIN_INPUT and item and not os.path.lexists(item.rstrip("/") or "/")
    ]
    if not gone:
        return
    with EmbeddingStore.open(store_path, create=False) as store:
        stored = [(model, store.paths(model.id)) for model in store.models()]
    for item in gone:
        folder = os.path.join(absolute_path(item), "")
        under = [
            (model, {path for path in paths if path.startswith(folder)}) for model, paths in stored
        ]
        held = len(set().union(*(paths for _, paths in under)))
        if held:
            forget = ", ".join(
                f"`{_forget_command(item, store_path, model)}`" for model, paths in under if paths
            )
            raise ZslError(
                f"no such file or directory: {printable(item)} (moved or deleted since 'zsl "
                f"embed': {printable(store_path)} holds {counted(held, 'image')} from it; leave "
                "out the paths to use everything it holds, or run 'zsl embed' on the "
                f"folder's new place first, and {forget} to forget them at the old one)"
            )


def _forget_command(item: str, store_path: str, model: ModelInfo) -> str:
    """The `zsl embed --forget-missing` that forgets what `model` holds under the gone `item`."""
    options = f"{embed_options_of(model.name, model.precision)} --forget-missing".lstrip()
    return embed_command(store_path, options, shlex.quote(printable(item)))


def _check_outputs_spare_inputs_and_model(
    outputs: Sequence[NamedOutput],
    input_files: Iterable[str | os.PathLike[str] | None],
    images: Iterable[str | os.PathLike[str]],
    model: ModelOptions,
    encoder: Encoder | None,
    store: str | os.PathLike[str] | None = None,
) -> None:
    """`check_outputs_spare_inputs`, and the model's: a local model folder is read by the run,
    and is often the only copy of a fine-tuned model: an output there could replace its weights
    or tokenizer, so none may go into it, nor the `store` that embed writes (among its inputs
    above)."""
    check_outputs_spare_inputs(outputs, input_files, images)
    source = _local_model(encoder.name if encoder is not None else model.name)
    if source is None:
        return
    for _, output in [*outputs, named_output("--store", store)]:
        if output is None or output == "-":
            continue
        if inside_folder(output, source.location):
            raise ZslError(
                f"the output {os.fspath(output)} is inside the model folder {source.name}, an "
                "input of this run; write elsewhere"
            )
        linked = _model_file_linked(output, source.location)
        if linked is not None:
            raise ZslError(
                f"the output {os.fspath(output)} is the model's file {linked}, which a link in "
                f"the model folder {source.name} leads to, an input of this run; write elsewhere"
            )


def _model_file_linked(output: str | os.PathLike[str], folder: str) -> str | None:
    """The name, in the model `folder`, of a link there that leads to the existing file `output`
    outside it (a Hugging Face cache snapshot's files are links into its blobs): `-o` at the
    link's target replaced the weights with CSV. None where there is none."""
    try:
        written = os.stat(output)
    except OSError:  # not there yet: a file made now is none of the model's
        return None
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            try:
                if os.path.islink(path) and same_file(os.stat(path), written):
                    return os.path.relpath(path, folder)
            except OSError:  # a broken link, or one that cannot be followed: no file of it
                continue
    return None


def _open_store_encoder(store_path: str, model: ModelOptions) -> Encoder:
    try:
        return open_encoder(model)
    except ZslError as error:
        with EmbeddingStore.open(store_path, create=False) as store:
            names = list(dict.fromkeys(m.name for m in store.models()))
        # A store of an older zsl names a local folder as -m gave it, maybe relative.
        as_typed = _stored_model_name(model.name, model.exact_preprocessing, absolute=False)
        if {as_typed, _stored_model_name(model.name, model.exact_preprocessing)} & set(names):
            raise  # the model is right; the trouble is elsewhere (device, precision, files)
        # As -m takes them: the name, and the option that makes the stored preprocessing.
        given = [
            f"{name.removesuffix(EXACT_PREPROCESSING_SUFFIX)} with --exact-preprocessing"
            if name.endswith(EXACT_PREPROCESSING_SUFFIX)
            else name
            for name in names
        ]
        listed = ", ".join(given) or "none"
        message = f"{error.message}; {store_path} holds embeddings of: {listed} (give one with -m)"
        raise ZslError(message, error.exit_code) from None


@contextmanager
def _model_on_images(
    source: _ItemSource,
    model: ModelOptions,
    inputs: InputOptions,
    loaded: Encoder | None = None,
    weights: str | None = None,
) -> Iterator[tuple[Encoder, DecodeQueue | None]]:
    """The encoder (`loaded`, else loaded now), and for image files the images decoding (Pillow
    set up for them) until the block ends. `weights`: the hash of the model folder's weight files
    where the run has made it (`_model_folder_weights`), which an encoder loaded now takes rather
    than reading the files again."""
    with pillow_settings(_max_pixels(inputs)):
        decoding: DecodeQueue | None = None
        if source.store is not None:
            encoder = loaded if loaded is not None else _open_store_encoder(source.store, model)
        else:
            assert source.paths is not None, "a source has paths, a store or both"
            if loaded is not None:
                encoder, decoding = loaded, decode_for(loaded, source.paths, model, inputs)
            else:
                encoder, decoding = _open_encoder_decoding(source.paths, model, inputs)
        if loaded is None and weights is not None:
            # On the encoder itself, as its own would be: its identity names the same hash.
            with suppress(AttributeError):  # an object without a __dict__ hashes them itself
                setattr(encoder, _WEIGHTS_FINGERPRINT, weights)
        with decoding or nullcontext():
            yield encoder, decoding


def _former_identities(encoder: Encoder) -> tuple[str, ...]:
    """The identities the encoder's model had under an older zsl's preprocessing (an optional
    attribute, see `Encoder`): none for an Encoder of a caller's own that does not say."""
    return tuple(getattr(encoder, "former_identities", ()))


def _stored_identity(store: str | os.PathLike[str], encoder: Encoder) -> str:
    """The identity whose vectors a run that only reads `store` takes: the model's own, or where
    only an older zsl's are there, the identity it gave them (`store.identity_to_read`)."""
    return identity_to_read(store, encoder.identity, _former_identities(encoder))


def _source_identity(source: _ItemSource, encoder: Encoder) -> str | None:
    """The stored identity a run on `source` reads (`_stored_identity`), None where it reads
    images: found once, for the run info and the read, as it opens the store."""
    return None if source.store is None else _stored_identity(source.store, encoder)


def _former_vectors_warnings(
    read_former: bool, store: str | os.PathLike[str], model_name: str, options: str
) -> list[str]:
    """The warning of a run that read the vectors an older zsl stored for its model (under an
    identity it gave it: `_stored_identity`), where `read_former`; else none. `options`: the
    model's (`_embed_options`)."""
    if not read_former:
        return []
    return [former_vectors_warning(printable(os.fspath(store)), model_name, options)]


@dataclass(frozen=True)
class _EncodedItems:
    """A run's items, encoded batch by batch; which images they are is known before the first."""

    paths: Sequence[Path]
    batches: Iterator[list[ImageItem]]
    warnings: Sequence[str] = ()  # on the store's vectors read: an older zsl's (`_stored_identity`)


def _encoded_items(
    source: _ItemSource,
    decoding: DecodeQueue | None,
    encoder: Encoder,
    model: ModelOptions,
    progress: Progress,
    outputs: Sequence[NamedOutput],
    identity: str | None,
) -> _EncodedItems:
    """The items in order: read from the store (here, so that its errors come first), or
    encoded from the decoded files as the batches are taken. `outputs`, the files the run
    writes, are checked against a whole store's images, which are known only here. `identity`:
    the stored vectors' (`_source_identity`)."""
    if source.store is not None:
        assert identity is not None, "a store's run finds the identity it reads"
        items = stored_items(
            source.store, identity, _stored_name(encoder), source.paths, _revision(encoder)
        )
        _check_stored_width(source.store, items, encoder)
        paths = [item.path for item in items]
        if source.paths is None:
            check_outputs_spare_inputs(outputs, [], paths)
        read_former = identity != encoder.identity
        options = _embed_options(encoder)
        warnings = _former_vectors_warnings(read_former, source.store, encoder.name, options)
        warnings += _copies_read_warnings(source, identity, items)
        return _EncodedItems(paths, _store_batches(items, progress), warnings)
    assert decoding is not None and source.paths is not None, "_model_on_images starts decoding"
    return _EncodedItems(source.paths, iter_encoded(decoding, encoder, model, progress))


def _copies_read_warnings(
    source: _ItemSource, identity: str, items: Sequence[ImageItem]
) -> list[str]:
    """For a run that read a store: the images it holds under a folder that is gone and under
    one that is there (`store.gone_copies`), which a whole store's read counts twice; or, with
    paths, the not_embedded images it holds under a folder gone since they were embedded (a
    collection moved with its store): each with the `zsl embed --forget-missing` that forgets
    them there. Nothing to look for where every image given was found."""
    assert source.store is not None, "a store's run"
    if source.paths is None:
        found = stored_copies(source.store, identity, None)
        how = "whole"
    else:
        absent = [item.path for item in items if item.status == STATUS_NOT_EMBEDDED]
        found = stored_copies(source.store, identity, absent) if absent else None
        how = "not_embedded"
    if found is None:
        return []
    model, copies = found
    return _gone_copies_warnings(copies, source.store, model, how)


def _check_stored_width(
    store: str | os.PathLike[str], items: Sequence[ImageItem], encoder: Encoder
) -> None:
    """A store's vectors (all of one width, as the store checks) must be the model's width: the
    user's store is at fault, not the encoder, as `_stack` would say."""
    width = next((len(item.embedding) for item in items if item.embedding is not None), None)
    if width is not None and width != encoder.dim:
        raise ZslError(
            f"embedding store {printable(os.fspath(store))}: its vectors have {width} values, the "
            f"model's {encoder.dim}: another model's store, or a damaged one"
        )


@dataclass(frozen=True)
class HubnessRequest:
    """What `hubness` measures: images (or a store's embeddings) against classes, with the
    k-occurrence neighbourhood `k` and the reduction `methods` to compare."""

    inputs: InputOptions = field(default_factory=InputOptions)
    classes: ClassOptions = field(default_factory=ClassOptions)
    model: ModelOptions = field(default_factory=ModelOptions)
    embeddings: str | os.PathLike[str] | None = None  # paths are kept as str
    # None: 10, or a quarter of the classes where that is less (`hubness.default_k`).
    k: int | None = None
    methods: Sequence[str] | None = None  # None: every method
    # ImageFolder or path,label CSV: adds accuracy per method.
    truth: str | os.PathLike[str] | None = None
    # The seen classes (with truth), adding unseen-class accuracy: a seen-class list's path (a
    # str is one), or the names, kept as a tuple.
    seen: str | os.PathLike[str] | Collection[str] | None = None
    # Also write the comparison here as JSON ("-": stdout).
    json_out: str | os.PathLike[str] | None = None

    def __post_init__(self) -> None:
        _check_parts(self, inputs=InputOptions, classes=ClassOptions, model=ModelOptions)
        _file_paths(self, "embeddings", "truth", "json_out")
        _check_seen(self)
        _at_least_one(self, "k")
        _check_store_inputs(self.inputs, self.embeddings)
        if isinstance(self.methods, str):
            raise ZslError(
                f"{_option(self, 'methods')} {self.methods!r}: give a tuple, e.g. "
                f"({self.methods!r},)"
            )
        if self.methods is not None:
            if not isinstance(self.methods, Iterable):
                raise ZslError(
                    f"{_option(self, 'methods')} {self.methods!r}: give a tuple, e.g. ('csls',)"
                )
            _check_ordered(self, "methods")  # the report's order
            object.__setattr__(self, "methods", tuple(self.methods))


@dataclass(frozen=True)
class HubnessReport:
    """What a hubness run measured; `to_json()` gives the `--json` document, its keys in the
    order of these fields."""

    k: int  # the k-occurrence size used
    k_requested: int | None  # the one given (clipped to the classes less one); None: the default
    n_images: int  # readable images measured
    n_classes: int
    hub_threshold: float  # the N_k, a count of images, from which a class is a hub
    largest_hub_k: int  # the largest k at which a class can be a hub
    methods: Mapping[str, MethodHubness]  # per method asked for, in their order
    recommendation: str  # the advice, as the table's last line
    # The method to pass to `LabelRequest.hubness_reduction`, "none" to keep the raw
    # similarities, or None where the measures cannot tell.
    recommended_method: str | None
    failed_images: int  # images that could not be read (not measured)
    failed_by_status: Mapping[str, int]  # those images per status, by status name
    unreadable_folders: tuple[tuple[Path, str], ...]  # (folder, reason)
    warnings: tuple[str, ...]  # those told to `warn` first, as for label
    # With a truth (None without): the run's images it names, read or not; those of them that could
    # not be read (counted wrong); what stays unpaired (images without truth, truth images not
    # measured); and the truth classes of the images that are not in the class list.
    images_with_truth: int | None = None
    failed_images_with_truth: int | None = None
    unmatched: Unmatched | None = None
    truth_classes_not_listed: tuple[str, ...] | None = None
    # The settings that `label` records in its run info, built by the same code, without
    # label's top_k, threshold, unknown_label and hubness_reduction. Last, as in the document:
    # the keys before it are where scripts read them.
    run: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The `--json` document in plain values, ready for json.dumps (a copy: changing it leaves
        the report as it is); the truth's keys only with a truth."""
        document: dict[str, Any] = {
            "k": self.k,
            "k_requested": self.k_requested,
            "n_images": self.n_images,
            "n_classes": self.n_classes,
            "hub_threshold": self.hub_threshold,
            "largest_hub_k": self.largest_hub_k,
            "methods": {name: method.to_json() for name, method in self.methods.items()},
            "recommendation": self.recommendation,
            "recommended_method": self.recommended_method,
            "failed_images": self.failed_images,
            "failed_by_status": dict(self.failed_by_status),
            "unreadable_folders": _folders_json(self.unreadable_folders),
            "warnings": list(self.warnings),
        }
        if self.images_with_truth is not None:
            document["images_with_truth"] = self.images_with_truth
        if self.failed_images_with_truth is not None:
            document["failed_images_with_truth"] = self.failed_images_with_truth
        if self.unmatched is not None:
            unmatched = self.unmatched
            document["unmatched"] = {
                "images": unmatched_json(unmatched.predictions, unmatched.prediction_examples),
                "truth": unmatched_json(unmatched.truth, unmatched.truth_examples),
            }
        if self.truth_classes_not_listed is not None:
            document["truth_classes_not_listed"] = list(self.truth_classes_not_listed)
        document["run"] = copy.deepcopy(self.run)
        return document


@_path_errors_are_user_errors
def hubness(
    request: HubnessRequest,
    progress: Progress | None = None,
    *,
    encoder: Encoder | None = None,
    warn: Callable[[str], None] | None = None,
) -> HubnessReport:
    """Hubness of the classes over a folder (or store), for each reduction method (`encoder`:
    a loaded model to reuse, and `warn`, to hear the warnings known before the images are
    encoded as soon as they are, as for `label`). The report's `to_json()` is the `--json`
    document.
    """
    progress = _checked_arguments("hubness", request, HubnessRequest, progress, encoder)
    _check_warn(warn)
    methods = check_hubness_methods(HUBNESS_METHODS if request.methods is None else request.methods)
    _check_revision(request.model, encoder)
    _check_hubness_stdin_read_once(request)
    spec, plan = plan_classes(request.classes)
    _check_hubness_classes_and_output(request, len(spec.names))  # before the slow model load
    seen_path, seen_names = _seen_path_and_names(request.seen)
    truth = spelled_as(load_truth(request.truth, spec.names), spec.names) if request.truth else None
    # Seen classes may be truth classes outside the class list (never predicted, yet counted).
    known = [*spec.names, *(truth.classes if truth else ())]
    if seen_path is not None:
        try:
            seen_names = read_seen_classes(seen_path)
        except ZslError as error:
            _refuse_seen_names_as_path(seen_path, error)
            raise
    seen = None if seen_names is None else seen_class_names(seen_names, known)
    source = _open_source(request.inputs, request.embeddings)
    if source.paths is not None:  # at most this many readable images: known before the load
        _check_enough_images(len(source.paths), found=True)
    json_out = [named_output("--json", request.json_out)]
    _check_outputs_spare_inputs_and_model(
        json_out, [source.store], source.paths or (), request.model, encoder
    )
    check_writable_later(request.json_out)
    # Paired as soon as the images are known: a truth that names one image with two labels, or
    # (with --seen) a class written otherwise, is refused before the model loads and the images
    # are encoded, minutes on a large folder. A whole store's images are known once it is read.
    paired = None
    if truth is not None and source.paths is not None:
        paired = _truth_indices(source.paths, truth, spec.names, with_seen=seen is not None)
    warnings = [
        *_ignored_with_store(request.model, request.embeddings),
        *_ignored_with_encoder(request.model, encoder),
        *spec.warnings,
        *(truth.warnings if truth else ()),  # a Label Studio export's tasks left out
        *(paired[3] if paired else ()),  # uploads left unpaired, a truth folder's images
        *_source_warnings(source),
    ]
    told = _tell(warn, warnings)  # before the model load, which can take a minute
    model = _options_with_opened_defaults(request.model, encoder)
    with _model_on_images(source, model, request.inputs, encoder) as (encoder, decoding):
        classifier = build_classifier(spec, plan, encoder, progress)
        # Label's run info, less its decision (top_k, threshold, unknown_label,
        # hubness_reduction): hubness ranks top-1 under every method it compares.
        identity = _source_identity(source, encoder)
        pace = _encoding_pace(model, encoder, decoding)
        run = _run_settings(request, encoder, classifier, {}, identity, pace)
        # Of classes that score alike, the first takes every k-occurrence: a hub and antihubs
        # that say nothing about the images.
        warnings += classifier.model_warnings()
        told = _tell(warn, warnings, told)
        try:
            encoded = _encoded_items(source, decoding, encoder, model, progress, json_out, identity)
            warnings += encoded.warnings
            told = _tell(warn, warnings, told)
            if truth is not None and paired is None:
                paired = _truth_indices(
                    encoded.paths, truth, spec.names, with_seen=seen is not None
                )
                warnings += paired[3]
                _tell(warn, warnings, told)
            at_most = None if source.store is not None else len(encoded.paths)
            items, embeddings = _gathered(encoded.batches, classifier, at_most)
        finally:
            progress.stop()
        warnings += _decoding_warnings(decoding is not None and decoding.processes_stopped)
    warnings += _encode_error_warnings((item.path, item.status, item.error) for item in items)
    failed_by_status = dict(sorted(Counter(i.status for i in items if not i.ok).items()))
    if source.store is not None:
        stored_in = run["model"]["embeddings_precision"]
        warnings += _stale_store_warning(
            failed_by_status, run["embeddings"], _embed_options(encoder, stored_in), truth
        )
    ok = [item for item in items if item.ok]
    _check_enough_images(len(ok), copies=copies_of_one(embeddings))
    sims = similarity_matrix(embeddings, classifier.vectors)
    truth_idx, failed_truth, unmatched = None, None, None
    unlisted: list[str] = []
    if truth is not None:
        assert paired is not None, "paired with the images once they were known"
        every_truth_idx, unlisted, unmatched, _ = paired
        _check_truth_overlap(
            every_truth_idx, truth, classifier.names, unlisted, request.classes.attributes
        )
        readable = np.array([item.ok for item in items])
        truth_idx, failed_truth = every_truth_idx[readable], every_truth_idx[~readable]
    unseen_mask = None
    if seen is not None:
        unseen_mask = np.array([name not in seen for name in (*classifier.names, *unlisted)])
    measures = compare_hubness(
        sims,
        classifier.names,
        k=request.k,
        methods=methods,
        truth=truth_idx,
        unseen_mask=unseen_mask,
        unlisted_classes=len(unlisted),
        failed_truth=failed_truth,
    )
    # The warnings found from here on come after those told to `warn`, as for label.
    warnings += mp_under_sigmoid_warnings(measures.recommended_method, encoder.head)
    if seen is not None:
        warnings += unknown_seen_warnings(seen, known, "the listed classes")
    measured = (method.accuracy or {} for method in measures.methods.values())
    if unseen_mask is not None and not any("unseen_mean_per_class" in a for a in measured):
        warnings.append(
            "no image's truth class is unseen (the --seen list names them all): no unseen "
            "accuracy to measure"
        )
    images_with_truth, failed_with_truth, not_listed = None, None, None
    if truth is not None and truth_idx is not None and failed_truth is not None:
        images_with_truth = int((truth_idx >= 0).sum() + (failed_truth >= 0).sum())
        failed_with_truth = int((failed_truth >= 0).sum())
        not_listed = tuple(sorted(unlisted))
        if not_listed:
            # Every truth class of the images, as evaluate's hints read them: those listed too.
            indices = np.unique(np.concatenate([truth_idx, failed_truth]))
            truth_classes = [(*classifier.names, *unlisted)[i] for i in indices if i >= 0]
            warnings.append(
                "images of truth classes not in the class list count as wrong, as in zsl "
                f"evaluate: {some_names(not_listed)}"
                + class_mismatch_hints(truth, not_listed, classifier.names, truth_classes)
            )
    report = HubnessReport(
        k=measures.k,
        k_requested=measures.k_requested,
        n_images=measures.n_images,
        n_classes=measures.n_classes,
        hub_threshold=measures.hub_threshold,
        largest_hub_k=measures.largest_hub_k,
        methods=measures.methods,
        recommendation=measures.recommendation,
        recommended_method=measures.recommended_method,
        failed_images=len(items) - len(ok),
        failed_by_status=failed_by_status,
        unreadable_folders=tuple(source.unreadable_folders),
        warnings=tuple(warnings),
        images_with_truth=images_with_truth,
        failed_images_with_truth=failed_with_truth,
        unmatched=unmatched,  # counted and shown, as evaluate does
        truth_classes_not_listed=not_listed,
        run=run,
    )
    if request.json_out:
        try:
            with published_together(lambda: InterruptedOnceWritten(report)):
                _write_json(request.json_out, report)
        except OutputKept as kept:
            kept.result = report
            raise
    return report


def _hubness_files(request: HubnessRequest) -> list[tuple[str, str | os.PathLike[str] | None]]:
    """The files a hubness run reads besides its images and store, each with the option that
    names it: the class files, the truth and the seen-class list."""
    seen_path, _ = _seen_path_and_names(request.seen)
    return [
        *_class_file_options(request.classes),
        (_option(request, "truth"), request.truth),
        (_option(request, "seen"), seen_path),
    ]


def _check_hubness_stdin_read_once(request: HubnessRequest) -> None:
    """`_check_stdin_read_once` for a hubness run's path list and the files it reads, checked
    before the class files are read, by a run and by `zsl hubness --show-prompts`."""
    inputs = request.inputs
    _check_stdin_read_once(inputs.paths, inputs.stdin, _hubness_files(request))


def _check_hubness_classes_and_output(request: HubnessRequest, n_classes: int) -> None:
    """What a hubness run refuses once its class files are read, before it reads the truth or
    scans the images (a path list may be typed at the terminal): fewer than 2 classes, --seen
    without --truth, --json over a file the run reads. Checked by `zsl hubness --show-prompts`
    too, which reads nothing more; the store and the images are checked after the scan."""
    check_hubness_class_count(n_classes)
    if request.seen and not request.truth:
        raise ZslError("--seen needs --truth: unseen-class accuracy is measured against it")
    check_outputs_spare_inputs(
        [named_output("--json", request.json_out)],
        [_path_list_file(request.inputs), *(path for _, path in _hubness_files(request))],
    )


def _stale_store_warning(
    failed_by_status: Mapping[str, int],
    store: str,
    embed_options: str,
    truth: GroundTruth | None,
) -> list[str]:
    """For hubness from a store that lacks images given, or holds them as they were before they
    changed: that they are left out (and count as wrong, like unreadable ones, against a
    truth), with label's hint to embed them (`stale_store_hint`)."""
    absent = {s: n for s, n in failed_by_status.items() if s in STORE_BEHIND_STATUSES}
    if not absent:
        return []
    wrong = ", and counted wrong where the truth names them" if truth is not None else ""
    n = sum(absent.values())
    return [
        f"{counted(n, 'image')} not in the store as {'it is' if n == 1 else 'they are'} now "
        f"({failure_counts(absent)}): not measured{wrong}; "
        + stale_store_hint(absent, store, embed_options, "run zsl hubness again")
    ]


def _check_enough_images(n_images: int, *, found: bool = False, copies: bool = False) -> None:
    """As `_check_reference_set`, for hubness itself."""
    needs = "hubness is how images spread over the classes: it needs 2 or more readable images"
    if n_images < 2:
        raise ZslError(f"{needs}; {_too_few(n_images, found)}")
    if copies:  # see hubness.copies_of_one
        raise ZslError(f"{needs}; this run's {n_images} readable images are copies of one image")


def _too_few(n_images: int, found: bool) -> str:
    """What a run short of images has: before the images are read (`found`), the images found,
    which some may fail to be; after, the readable ones."""
    if found:
        return f"this run found {counted(n_images, 'image')}"
    return f"this run has {counted(n_images, 'readable image')}"


def _precision(encoder: Encoder) -> str | None:
    """The encoder's precision by torch's dtype name ("float32", "bfloat16"), if it has one."""
    dtype = getattr(encoder, "dtype", None)
    return None if dtype is None else dtype_name(dtype)


def _check_truth_overlap(
    truth_idx: np.ndarray,
    truth: GroundTruth,
    names: Sequence[str],
    unlisted: Sequence[str],
    attribute_table: str | os.PathLike[str] | None,
) -> None:
    """A ZslError when no image of the run can be scored against the truth (`unlisted`: the
    truth classes of the run's images that are not among `names`); none in the truth at all is
    refused by `_truth_indices`. `attribute_table`: the table the classes came from, if any,
    read again only to say where its attributes are the truth's classes, as evaluate says it."""
    if not ((truth_idx >= 0) & (truth_idx < len(names))).any():
        table = None if attribute_table is None else os.fspath(attribute_table)
        raise ZslError(
            # Of this run's images, not the whole truth: a truth folder may hold listed classes
            # that the images given (one sub-folder of it) are not of.
            f"--truth {truth.source}: no image of this run has a truth class in the class list "
            f"(their truth classes: {', '.join(unlisted[:5])}; classes: {', '.join(names[:5])})"
            + class_mismatch_hints(truth, unlisted, names)
            + transposed_attributes_hint(unlisted, table, None, "run zsl hubness again")
        )


def _truth_indices(
    paths: Sequence[Path], truth: GroundTruth, names: Sequence[str], *, with_seen: bool
) -> tuple[np.ndarray, list[str], Unmatched, list[str]]:
    """Each image's true class index (-1: not in the truth): among `names`, or from len(names) on
    for the truth classes outside them, which are returned too, in index order; what stays
    unpaired (images the truth does not name, truth images that are none of these); and the
    warnings of images uploaded to Label Studio that stay unpaired and of a truth folder's
    untagged images and images in several class folders among these, as evaluate's. `with_seen`
    (seen/unseen accuracy is asked for): a ZslError where a truth class outside `names` is one
    of them written otherwise, which would count as an unseen class at 0%."""
    column = {name: i for i, name in enumerate(names)}
    unlisted: list[str] = []
    indices = np.full(len(paths), -1, dtype=np.int64)
    images = [str(path) for path in paths]
    matching = match_paths(images, truth)
    if not matching.pairs:
        raise ZslError(
            f"--truth {printable(truth.source)}: no image of this run is in the truth (paths are "
            "matched as zsl evaluate matches them)"
            + nothing_paired_reason(images, truth, matching.unmatched)
        )
    for item_index, truth_index in matching.pairs:
        label = truth.items[truth_index].label
        if label not in column:
            column[label] = len(column)
            unlisted.append(label)
        indices[item_index] = column[label]
    if with_seen:
        check_truth_spelling(unlisted, names)
    warnings = [
        *upload_warnings(truth, matching, images, "image"),
        *folder_truth_warnings(truth, matching, images),
    ]
    return indices, unlisted, matching.unmatched, warnings


@dataclass(frozen=True)
class EvaluateRequest:
    """What `evaluate` scores: a predictions file (csv, jsonl, json, label-studio; "-" is stdin)
    against ground truth (a class-folder tree, a path,label CSV or a Label Studio project's JSON
    or JSON_MIN export)."""

    predictions: str | os.PathLike[str]  # paths are kept as str
    truth: str | os.PathLike[str]
    # The seen classes: a seen-class list's path (a str is one), or the names, kept as a tuple.
    seen: str | os.PathLike[str] | Collection[str] | None = None
    ks: Sequence[int] = (1, 5)  # top-k accuracies to report
    json_out: str | os.PathLike[str] | None = None
    report_out: str | os.PathLike[str] | None = None
    stdin: IO[bytes] | None = None  # binary stream read for "-" (default: the process's stdin)

    if TYPE_CHECKING:
        # What the generated __init__ takes: `ks` from any iterable (a set's are sorted), kept as
        # a tuple, which the field's type says.
        def __init__(
            self,
            predictions: str | os.PathLike[str],
            truth: str | os.PathLike[str],
            seen: str | os.PathLike[str] | Collection[str] | None = None,
            ks: Iterable[int] = (1, 5),
            json_out: str | os.PathLike[str] | None = None,
            report_out: str | os.PathLike[str] | None = None,
            stdin: IO[bytes] | None = None,
        ) -> None: ...

    def __post_init__(self) -> None:
        for name in ("predictions", "truth"):
            if getattr(self, name) is None:
                raise ZslError(f"{_option(self, name)}: give a file path")
        _file_paths(self, "predictions", "truth", "json_out", "report_out")
        _check_not_empty(self, "predictions", "give a predictions file's path, or '-' for stdin")
        _check_not_empty(
            self, "truth", "give a class-folder tree, a CSV file or a Label Studio export"
        )
        if self.stdin is not None and self.predictions != "-":
            raise ZslError('stdin is read only when predictions is "-"')
        _check_stdin(self.stdin)
        _check_seen(self)
        ks = _whole_numbers(self.ks)
        if not ks:
            raise ZslError(
                f"{_option(self, 'ks')} {self.ks!r}: give whole numbers, 1 or more, e.g. (1, 5)"
            )
        if not all(is_whole_number(k) and k >= 1 for k in ks):
            given = ",".join(map(str, ks))  # as --top-k takes them
            raise ZslError(
                f"{_option(self, 'ks')} {given!r}: every k must be a whole number, 1 or more"
            )
        # A set's order changes from one process to the next; the results come smallest k first.
        ordered = sorted(ks) if isinstance(self.ks, (set, frozenset)) else ks
        object.__setattr__(self, "ks", tuple(int(k) for k in ordered))


def _whole_numbers(given: object) -> tuple[Any, ...]:
    """`given`'s items (a list, tuple, set, numpy array, generator), or () for what holds no
    numbers as items: a string's characters, bytes' values, a dict's keys, a number alone."""
    if isinstance(given, (str, bytes, bytearray, Mapping)) or not isinstance(given, Iterable):
        return ()
    try:
        return tuple(given)
    except TypeError:  # a numpy array of no dimension, whose class is iterable
        return ()


def _check_seen(request: EvaluateRequest | HubnessRequest) -> None:
    """A request's `seen` checked: a path kept as str, or names kept as a tuple."""
    if isinstance(request.seen, (str, os.PathLike)):
        _check_not_empty(request, "seen", "give a seen-class list's path or the names")
        _file_paths(request, "seen")
    elif request.seen is not None:
        object.__setattr__(request, "seen", _seen_names(request.seen, _option(request, "seen")))


def _seen_path_and_names(
    seen: str | os.PathLike[str] | Collection[str] | None,
) -> tuple[str | os.PathLike[str] | None, Collection[str] | None]:
    """A checked `seen` as (the seen list's path, None) or (None, the names)."""
    if isinstance(seen, (str, os.PathLike)):
        return seen, None
    return None, seen


def _seen_names(seen: object, option: str) -> tuple[str, ...]:
    """Seen classes given as names (any collection of str), as a tuple: the request stays
    hashable. Bytes are no path here, and no names either. `option` names them in errors."""
    if isinstance(seen, bytes) or not isinstance(seen, Iterable):
        raise ZslError(
            f"{option} {seen!r}: give a seen-class list's path or the class names, e.g. "
            "['cat', 'dog']"
        )
    names = tuple(seen)
    for number, name in enumerate(names):
        if not isinstance(name, str):
            raise ZslError(
                f"{option}: class names are strings, not {type(name).__name__} (seen[{number}])"
            )
    if not names:  # as an empty seen-class list is refused
        raise ZslError(f"{option}: no class names given; give at least one seen class")
    return names


@_path_errors_are_user_errors
def evaluate(request: EvaluateRequest) -> EvaluationResult:
    """Score a predictions file against ground truth; optionally write JSON and a report.

    The result's `metrics` hold `top_k` (one `TopKAccuracy` per distinct k of `request.ks`,
    smallest first), `per_class`, `macro_f1` and the `confusion`; `gzsl` the seen/unseen
    accuracies when `request.seen` is given (a seen-class list's path, or the names);
    `to_json()` is the `--json` document. Raises `ZslError` for files that cannot be read or
    matched.
    """
    _checked_arguments("evaluate", request, EvaluateRequest)
    if request.report_out:
        check_report_path(request.report_out)
    seen_path, seen_names = _seen_path_and_names(request.seen)
    _check_stdin_read_once(
        [request.predictions],
        request.stdin,
        [(_option(request, "truth"), request.truth), (_option(request, "seen"), seen_path)],
    )
    run_info = [] if request.predictions == "-" else run_info_files(request.predictions)
    predictions = _read_from(request.stdin) if request.predictions == "-" else request.predictions
    outputs = [
        named_output("--json", request.json_out),
        named_output("--report", request.report_out),
    ]
    check_outputs_spare_inputs(outputs, [predictions, *run_info, request.truth, seen_path])
    for document in (request.json_out, request.report_out):
        check_writable_later(document)
    try:
        result = evaluate_files(
            request.predictions,
            request.truth,
            ks=request.ks,
            seen_path=seen_path,
            seen=seen_names,
            stdin=request.stdin,
            check_images=lambda images: _check_outputs_spare_images(outputs, request.truth, images),
        )
    except ZslError as error:
        _refuse_seen_names_as_path(seen_path, error)
        raise
    # Both documents or neither: a run's report beside an earlier run's --json misleads. A
    # --json into a stream is no earlier run's: the report goes first, as a lone output, so a
    # reader gone early (`| true`) loses the JSON's tail, not the report.
    together = (
        nullcontext()
        if request.json_out and goes_to_stream(request.json_out)
        else published_together(lambda: InterruptedOnceWritten(result))
    )
    try:
        with together:
            if request.report_out:
                report_warnings = write_report(result, request.report_out)
                result = replace(result, warnings=(*result.warnings, *report_warnings))
            _write_json_if_asked(request.json_out, result)
    except OutputKept as kept:
        kept.result = result  # the metrics, which a caller still shows
        raise
    return result


@_path_errors_are_user_errors
def read_predictions(
    path: str | os.PathLike[str], *, stdin: IO[bytes] | None = None
) -> list[Prediction]:
    """The predictions of a file `zsl label` wrote (CSV, JSONL, JSON, Label Studio tasks), read
    as `zsl evaluate` reads them. "-" reads them from `stdin`, a binary stream (None: the
    process's stdin), as EvaluateRequest's predictions do. Raises `ZslError` for a path that
    names no file, and for a file that holds no predictions."""
    given = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(given, str):
        raise ZslError(f"path: {type(path).__name__} is not a file path")
    _check_no_nul("path", given)
    if given == "":  # a variable left unset, which was read as the current folder
        raise ZslError("path: the path is empty; give a predictions file's path, or '-' for stdin")
    if stdin is not None and given != "-":
        raise ZslError('stdin is read only when path is "-"')
    _check_stdin(stdin)
    return read_predictions_and_run_info(given, stdin=stdin)[0]


def _check_outputs_spare_images(
    outputs: Sequence[NamedOutput], truth: str | os.PathLike[str], images: Iterable[str]
) -> None:
    """A ZslError for an output that would replace an image the truth or the predictions name,
    as label and hubness refuse to write over an image they read; or that would land in a class
    folder of the ground truth, where the next evaluate counts a report's chart as a truth image
    (and any file as the truth's); or at the top of the truth folder under an image's name,
    where the truth takes no file but the next label or embed of the folder takes a chart for a
    photo."""
    check_outputs_spare_inputs(outputs, [], images)
    if not os.path.isdir(truth):
        return
    top = os.path.realpath(truth)
    for named, path in outputs:
        if path is None or path == "-" or output_key(os.fspath(path)) is None:
            continue  # not written, stdout, or a device
        folder = os.path.realpath(os.path.dirname(absolute_path(path)))
        if not inside_folder(folder, top):
            continue
        name = os.path.basename(path)
        below = [] if folder == top else os.path.relpath(folder, top).split(os.sep)
        # Neither the truth's walk nor a scan takes a hidden entry (shapes/.reports/, .r.png).
        if any(part.startswith(".") for part in [*below, name]):
            continue
        if below:
            raise ZslError(
                f"{named} is in a class folder of the ground truth {printable(os.fspath(truth))}"
                ", where the next evaluation would count it as a file of the truth; write "
                "elsewhere"
            )
        if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
            raise ZslError(
                f"{named} is in the ground truth folder {printable(os.fspath(truth))}, where the "
                "next zsl label or zsl embed of it would take it for an image; write elsewhere"
            )


def _write_json_if_asked(
    output: str | os.PathLike[str] | None, result: EmbedReport | EvaluationResult
) -> None:
    if output:
        _write_json(output, result)


def _write_json(
    output: str | os.PathLike[str], result: EmbedReport | HubnessReport | EvaluationResult
) -> None:
    """--json's document of `result`; where it is kept beside a file held open, the error
    carries `result`, which the run made in full, for a caller to show."""
    try:
        writers.write_json_file(output, result.to_json())
    except OutputKept as kept:
        kept.result = result
        raise


def _then_kept(kept: OutputKept, write: Callable[[], None]) -> NoReturn:
    """`write` what a run writes after an output of it was `kept` beside a file held open (the
    run's work is done, so the rest is written all the same), then raise `kept`; where `write`
    keeps its file too, one error names both."""
    try:
        write()
    except OutputKept as also:
        both = OutputKept(f"{kept.message}; {also.message}", [*kept.kept, *also.kept])
        both.result = also.result if also.result is not None else kept.result
        raise both from also
    raise kept


def _read_from(stdin: IO[bytes] | None) -> str | None:
    """What predictions "-" are read from, as a path (/dev/fd/N), for the outputs to spare it;
    None for a stream without a descriptor (one in memory)."""
    if stdin is None:
        return "/dev/stdin"
    try:
        return f"/dev/fd/{stdin.fileno()}"
    except (AttributeError, OSError, ValueError):  # none, or closed
        return None


def _describe_run(
    request: LabelRequest,
    encoder: Encoder,
    classifier: _Classifier,
    stored: str | None,
    pace: Mapping[str, int | None],
) -> dict[str, Any]:
    """The run's settings, recorded with the output so results can be reproduced; `stored`: the
    identity of the vectors read from the store (`_source_identity`); `pace`: `_encoding_pace`."""
    decision = {
        "top_k": request.decision.top_k,
        "threshold": request.decision.threshold,
        "unknown_label": UNKNOWN_LABEL,
        "hubness_reduction": request.hubness_reduction,
    }
    return _run_settings(request, encoder, classifier, decision, stored, pace)


def _run_settings(
    request: LabelRequest | HubnessRequest,
    encoder: Encoder,
    classifier: _Classifier,
    decision: Mapping[str, Any],
    stored: str | None,
    pace: Mapping[str, int | None],
) -> dict[str, Any]:
    """The settings that label and hubness share (the model, classes, prompts, inputs and
    versions), built here once so that the two record them alike; `decision`: the command's own
    settings, placed after the classes; `stored`: the identity of the vectors the run reads from
    its store, an older zsl's where the store holds only those (None: it reads images); `pace`:
    the batch size and workers its images are encoded with (`_encoding_pace`)."""
    import torch
    import transformers

    spec = classifier.spec
    mode = _class_mode(spec)
    return {
        "tool": "zsl",
        "version": __version__,
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": {
            "name": path_to_text(encoder.name),  # a local model's folder is a path
            # The hub revision asked for (None: the default branch, or an Encoder of a caller's
            # own that does not say), and the commit it led to: a branch moves.
            "revision": _revision(encoder),
            "commit": _commit(encoder),
            # A model folder's weights, told apart by size and time: hashing them costs seconds
            # for a large model, so the hash is there only where the run made it anyway.
            "weight_files": _weight_files(encoder),
            "weight_files_hash": _weight_files_hash(encoder),
            "identity": stored,
            "head": {
                "kind": encoder.head.kind,
                "scale": encoder.head.scale,
                "bias": encoder.head.bias,
            },
            "device": _loaded_device(encoder) or "",
            "precision": _precision(encoder),
            # Images in the store were encoded in this one (None: not recorded).
            "embeddings_precision": (
                stored_precision(request.embeddings, stored)
                if request.embeddings and stored
                else None
            ),
            "exact_preprocessing": encoder.exact_preprocessing,
        },
        "classes": {
            "n": len(classifier.names),
            "names": list(classifier.names),  # what evaluation tells apart from unlisted classes
            "sources": [path_to_text(source) for source in spec.sources],
            "hash": spec.fingerprint(),
            "mode": mode,
            "templates": (
                _templates_text(request.classes.templates) if uses_templates(spec) else None
            ),
            "attribute_template": (
                request.classes.attribute_template if mode == "attributes" else None
            ),
            "description_template": (
                request.classes.description_template if mode == "descriptions" else None
            ),
            "n_prompts": len(classifier.plan.texts),
            "prompts_hash": classifier.plan.fingerprint(),
            "indistinguishable": classifier.indistinguishable,
            "indistinguishable_attributes": classifier.indistinguishable_attributes,
            "prompts_cut_short": classifier.prompts_cut_short,  # the warning names the first
        },
        **decision,
        "embeddings": None if request.embeddings is None else path_to_text(request.embeddings),
        "max_pixels": _max_pixels(request.inputs),
        # Scores move in their last digits with the batch size (float sums in another order).
        **pace,
        # Where relative paths in the output start (zsl evaluate uses it).
        "cwd": path_to_text(os.getcwd()),
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "pillow": PIL.__version__,  # decoding: pixels may differ between versions
        },
    }


def _templates_text(templates: str | os.PathLike[str]) -> str:
    """--templates for the run info: a file's name written as paths are; a built-in set or a
    template given on the command line is text, used as it is."""
    templates = os.fspath(templates)
    return path_to_text(templates) if is_template_file(templates) else templates


def _class_mode(spec: ClassSpec) -> str:
    if spec.attributes is not None:
        return "attributes"
    if any(c.descriptors for c in spec.classes):
        return "descriptions"
    return "names"


# The most classes over which a softmax's top score is weighed against the low_confidence cut.
# Below 0.5 the top class holds less belief than the other classes together, and that "other"
# grows with the list: a right class that beats each of K-1 others by a logit margin g holds
# half only where g >= ln(K-1), 4.6 at 100 classes, 6.9 at 1,000. Over thousand-class lists
# (ImageNet's, merged vocabularies), with their near-synonyms, nearly every top score falls
# below 0.5, right or wrong, and a count of all images says nothing. A hand-written list of
# tens of classes keeps the count. A judgement, not a measured bound.
LOW_CONFIDENCE_MAX_CLASSES = 100


def _counts_low_confidence(encoder: Encoder, decision: Decision, n_classes: int) -> bool:
    """Whether a top score below the request's low_confidence says anything. Its cut (0.5) is one
    for a softmax's share of a few classes (LOW_CONFIDENCE_MAX_CLASSES): a sigmoid scores each
    class on its own, and SigLIP's right class often scores far below 0.5, so all would count.
    Under a --threshold the user's own cut made the doubtful images 'unknown', counted as a label
    already."""
    return (
        encoder.head.kind == "softmax"
        and decision.threshold is None
        and n_classes <= LOW_CONFIDENCE_MAX_CLASSES
    )


def _low_confidence_ignored(encoder: Encoder, request: LabelRequest, n_classes: int) -> list[str]:
    """The warning of a low_confidence cut a caller gave (other than the default) that the run
    does not count, for `_counts_low_confidence`'s reason: a report's count left out says
    nothing where a cut was asked for."""
    if request.low_confidence == LabelRequest.low_confidence:
        return []
    if encoder.head.kind != "softmax":
        why = "under the model's sigmoid, which scores each class on its own"
    elif request.decision.threshold is not None:
        why = "under --threshold, which labels the doubtful images unknown"
    else:
        why = (
            f"over more than {LOW_CONFIDENCE_MAX_CLASSES} classes ({n_classes}), where a softmax "
            "spreads its belief thin"
        )
    return [f"low_confidence {request.low_confidence:g}: no image is counted {why}; ignored"]


def mp_under_sigmoid_warnings(recommended_method: str | None, head: ScoreHead) -> list[str]:
    """Hubness's note where it advises mp for a sigmoid model: unlike the other reductions, mp
    is not centred per image and lowers each image's best similarities, which a sigmoid shows in
    every score (a softmax hardly does), so a threshold read off a run without it fails."""
    if recommended_method != "mp" or head.kind != "sigmoid":
        return []
    return [
        "mp lowers each image's best similarities, which this model's sigmoid shows in every "
        "score: with --hubness-reduction mp, a --threshold or selective-labelling table read "
        "off a run without it does not hold (read one off a run with it)"
    ]


def _abstains_on_none_warnings(
    head: ScoreHead, decision: Decision, names: Sequence[str]
) -> list[str]:
    """The warning of a softmax run whose scores cannot fall below its --threshold: a softmax's
    top score over C classes is at least 1/C (every score 1 with one class), so a threshold at or
    below it, as written, labels no image unknown. A sigmoid scores each class on its own."""
    n = len(names)
    if head.kind != "softmax" or not n:
        return []
    if n == 1:
        return [
            "one class under the model's softmax: every image scores 1, so the score tells "
            "nothing and --threshold abstains on none (add the classes the images may show)"
        ]
    threshold = decision.threshold
    if threshold is None or threshold > written_score(1 / n):
        return []
    return [
        f"--threshold {threshold:g} is at or below 1/{n}, the least top score a softmax over "
        f"{n} classes gives: it abstains on none"
    ]


def summary_dict(report: LabelReport) -> dict[str, Any]:
    return {
        "inputs": report.inputs,
        "total": report.total,
        "ok": report.by_status.get(STATUS_OK, 0),
        "failed": report.failed,
        "by_status": dict(report.by_status),
        "labels": dict(report.labels.most_common()),
        "low_confidence": report.low_confidence
        if report.low_confidence_below is not None
        else None,
        "low_confidence_below": report.low_confidence_below,
        "elapsed_s": round(report.elapsed_s, 3),
        "processing_s": round(report.processing_s, 3),
        # Significant digits: a slow run's rate (1 image in 300 s) must not round to 0.
        "images_per_second": float(f"{report.images_per_second:.4g}"),
        "interrupted": report.interrupted,
        "unreadable_folders": _folders_json(report.unreadable_folders),
    }


def _unreadable_folders_warnings(folders: Sequence[tuple[Path, str]]) -> list[str]:
    """The warning a run gives when folders it walks cannot be read (none when all could)."""
    if not folders:
        return []
    shown = some_names([f"{printable(folder)} ({reason})" for folder, reason in folders], 3)
    if len(folders) == 1:
        return [f"1 folder could not be read, so its images were left out: {shown}"]
    return [f"{len(folders)} folders could not be read, so their images were left out: {shown}"]


def _decoding_warnings(processes_stopped: bool) -> list[str]:
    """The warning for a run whose decode processes (a CUDA GPU's) stopped, or could not start,
    so that the rest of its images were decoded in threads (DecodeQueue.processes_stopped): as
    correct, but slower."""
    if not processes_stopped:
        return []
    return [
        "the decode processes stopped (one died, as the out-of-memory killer ends one, or none "
        "could start): the rest of the images were decoded in threads, more slowly; fewer "
        "--workers take less memory"
    ]


def _empty_inputs_warnings(inputs: Sequence[str]) -> list[str]:
    """The warning for folders and globs named as arguments that gave no image while the others
    did (`Discovery.empty_inputs`). Not embed's: there a folder that holds no files keeps its
    stored images, with `_kept_images_warnings`, unless --forget-missing removes them."""
    if not inputs:
        return []
    shown = some_names([printable(item) for item in inputs], 3)
    return [
        f"no images found in {shown}, so {'it adds' if len(inputs) == 1 else 'they add'} nothing "
        "to the run (--ext and --include-hidden choose what a folder's walk takes)"
    ]


def _left_out_images_warnings(left_out: Mapping[str, int]) -> list[str]:
    """The warning a run gives when its walks passed over files that Pillow reads for their
    extension (`left_out`: files per extension, as `Discovery.left_out`). Other files, such as
    sidecars (.json, .xmp), are left out without a word; cameras' raw files get a warning of
    their own, as Pillow decodes none of them."""
    readable = {
        extension: n for extension, n in left_out.items() if extension in pillow_extensions()
    }
    raw = {extension: n for extension, n in left_out.items() if extension in CAMERA_RAW_EXTENSIONS}
    warnings = []
    total = sum(readable.values())
    if total:
        counts = extension_counts(readable)
        if total == 1:
            warnings.append(
                f"1 file that Pillow reads was left out by its extension ({counts}): "
                "add it with --ext (which replaces the default list)"
            )
        else:
            warnings.append(
                f"{total} files that Pillow reads were left out by their extension ({counts}): "
                "add them with --ext (which replaces the default list)"
            )
    if raw:
        warnings.append(camera_raw_left_out(raw))
    return warnings


def _folders_json(folders: Sequence[tuple[Path, str]]) -> list[dict[str, str]]:
    return [{"path": path_to_text(folder), "reason": reason} for folder, reason in folders]


@dataclass(frozen=True)
class EmbedRequest:
    """What `embed` encodes: images into the SQLite store at `store`, with a model."""

    store: str | os.PathLike[str]  # kept as str, as the other paths
    inputs: InputOptions = field(default_factory=InputOptions)
    model: ModelOptions = field(default_factory=ModelOptions)
    dtype: str | None = None  # float32 or float16; None: what the store holds, else float32
    # Also write the model's embeddings to .npy (+ paths CSV) / .parquet.
    export: str | os.PathLike[str] | None = None
    # Also write the report's counts here as JSON ("-": stdout).
    json_out: str | os.PathLike[str] | None = None
    # Forget the stored images under a path that is missing or holds no file at all, or an
    # empty folder below one; without it they are kept, with a warning: an unmounted drive or
    # share looks the same.
    forget_missing: bool = False

    def __post_init__(self) -> None:
        _check_parts(self, inputs=InputOptions, model=ModelOptions)
        _flags(self, "forget_missing")
        if self.store is None:
            raise ZslError(
                f"{_option(self, 'store')}: give the embedding store's file name, e.g. 'photos.zsl'"
            )
        _file_paths(self, "store", "export", "json_out")
        if self.store == "-":  # what "-" means for the other outputs; SQLite needs a file
            raise ZslError(
                f"{_option(self, 'store')} -: an embedding store is an SQLite file, not stdout; "
                "give a file name (./- for one named '-')"
            )
        if names_a_folder(self.store):
            raise ZslError(
                f"{_option(self, 'store')} {os.fspath(self.store)} names a folder; give a file "
                "name like photos.zsl"
            )


# The statuses of a path that is no file to read: the scan finds such a path unreachable
# (`stat_files`), and so does embed where a decode finds it so, the path changed meanwhile.
_NOT_FILES = frozenset({NOT_FOUND, BROKEN_LINK, NOT_A_FILE})


@dataclass
class EmbedReport:
    """What an embed run did (`to_json` gives the `--json` document)."""

    store: str
    model: str = ""
    found: int = 0  # images discovered in this scan
    encoded: int = 0  # images encoded this run (new, changed, failures retried), not `failed`
    reused: int = 0  # unchanged images already in the store (failed ones included)
    reused_failed: int = 0  # of those, stored failures (retried once their files change)
    # Those, each (path, status, reason), named as given; --json lists them.
    reused_failed_files: list[tuple[Path, str, str]] = field(default_factory=list)
    # Unchanged images encoded again, in `encoded`, as the store held a damaged vector of them
    # (`SyncPlan.repaired`), which its readers refuse; named as given, as `failed_files` are
    repaired: list[str] = field(default_factory=list)
    removed: int = 0  # stored images no longer found under the scanned paths
    # Stored images kept though gone, under paths that are missing or hold no file, or empty
    # folders below them (`absent`)
    kept: int = 0
    absent: list[AbsentRoot] = field(default_factory=list)
    # Stored images of the images found, under a folder gone since (`store.gone_copies`), and
    # the model they are stored for, whose `zsl embed` forgets them
    copies: list[GoneCopy] = field(default_factory=list)
    stored_model: ModelInfo | None = None
    # Images the model held before this run added to it, of a precision not recorded (a
    # migrated version 1 store's), and this run's precision: nothing checks that they agree.
    unchecked_precision: tuple[int, str] | None = None
    failed: int = 0  # images encoded in this run that could not be read
    failed_by_status: Counter[str] = field(default_factory=Counter)
    # Of those, the ones the next run reads again (a permission, a size limit, a codec may change;
    # a file's own bytes do not): not in --json, whose fields stay as they were.
    failed_retried: int = 0
    # Those images, each (path, status, reason), in the order read; --json lists them.
    failed_files: list[tuple[Path, str, str]] = field(default_factory=list)
    unreachable_files: list[Unreachable] = field(default_factory=list)  # found, but not files
    # Paths named with --forget-missing that are missing, the store holding nothing under them:
    # nothing to forget, and no image found (`_note_absent_roots`)
    not_found: list[str] = field(default_factory=list)
    unreadable_folders: list[tuple[Path, str]] = field(default_factory=list)  # (folder, reason)
    left_out: dict[str, int] = field(default_factory=dict)  # files per extension not taken
    decode_processes_stopped: bool = False  # see DecodeQueue.processes_stopped
    exported: int | None = None
    exported_to: list[str] = field(default_factory=list)  # .npy and its index, or .parquet
    # The --export an interrupted run did not write, and whether a file was at that path (an
    # earlier run's, left as it was: not what the store holds now)
    not_exported: str | None = None
    earlier_export: bool = False
    scanned: bool = True  # False: no paths given, the store's embeddings only exported
    elapsed_s: float = 0.0
    interrupted: bool = False
    ignored: list[str] = field(default_factory=list)  # options given that did nothing
    export_warnings: list[str] = field(default_factory=list)  # on what --export wrote
    # This run moved a version 1 store to the current schema, which older zsl cannot read.
    migrated: bool = False
    # Images whose vectors an older zsl stored for this model (under an identity it gave it,
    # `Encoder.former_identities`) this run replaced with its own, deleting the old ones; and
    # how many such images are left (not under the paths embedded).
    replaced: int = 0
    former_left: int = 0
    read_former: bool = False  # the export is of vectors an older zsl stored (see `replaced`)
    embed_options: str = ""  # the model's (`store.embed_options`), for read_former's warning

    def add(self, item: ImageItem) -> None:
        """Count an image this run encoded and stored, or failed to read."""
        if item.ok:
            self.encoded += 1
            return
        self.failed += 1
        self.failed_by_status[item.status] += 1
        self.failed_files.append((item.path, item.status, item.error))
        self.failed_retried += not decided_by_content(item.status, item.error)

    @property
    def unreachable(self) -> int:
        """Found paths that are not files to read (missing, broken links, ...): not stored."""
        return len(self.unreachable_files)

    @property
    def none_usable(self) -> bool:
        """Whether the scan found images yet none of them has an embedding in the store: each
        failed this run, is a stored failure reused, or could not be read at all. The same files
        scanned again give the same answer. An interrupted run did not fail (as
        `LabelReport.none_labelled`): the images not reached may embed."""
        usable = self.encoded + self.reused - self.reused_failed
        unusable = self.failed + self.reused_failed + self.unreachable
        return self.scanned and unusable > 0 and usable == 0 and not self.interrupted

    @property
    def warnings(self) -> list[str]:
        return [
            *self.ignored,
            *_unreadable_folders_warnings(self.unreadable_folders),
            *_left_out_images_warnings(self.left_out),
            # In the order `warn` hears them as the run goes, those known at its end last: the
            # CLI shows the warnings after those it heard.
            *_migrated_store_warnings(self.migrated, self.store),
            *_kept_images_warnings(self.absent, self.kept),
            *_nothing_to_forget_warnings(self.not_found),
            *self._copies_warnings(),
            *_unknown_precision_warnings(self.unchecked_precision, self.store),
            *_decoding_warnings(self.decode_processes_stopped),
            *repaired_vectors_warnings(self.repaired, self.store),
            *_encode_error_warnings(self.failed_files),
            *_replaced_vectors_warnings(self.replaced, self.former_left, self.store, self.model),
            *_former_vectors_warnings(self.read_former, self.store, self.model, self.embed_options),
            *self.export_warnings,
        ]

    def _copies_warnings(self) -> list[str]:
        if self.stored_model is None:
            return []
        return _gone_copies_warnings(self.copies, self.store, self.stored_model, "embed")

    def to_json(self) -> dict[str, Any]:
        return {
            "store": path_to_text(self.store),
            "model": path_to_text(self.model),  # a local model's folder is a path
            "found": self.found,
            "encoded": self.encoded,
            "reused": self.reused,
            "reused_failed": self.reused_failed,
            "reused_failed_files": [
                {"path": path_to_text(path), "status": status, "reason": reason}
                for path, status, reason in self.reused_failed_files
            ],
            "repaired": len(self.repaired),
            "removed": self.removed,
            "replaced": self.replaced,
            "kept": self.kept,
            "failed": self.failed,
            "failed_by_status": dict(self.failed_by_status),
            "failed_files": [
                {"path": path_to_text(path), "status": status, "reason": reason}
                for path, status, reason in self.failed_files
            ],
            "unreachable": self.unreachable,
            "unreachable_files": [
                {"path": path_to_text(u.path), "status": u.status, "reason": u.reason}
                for u in self.unreachable_files
            ],
            "not_found": [path_to_text(path) for path in self.not_found],
            "gone_copies": [
                {
                    "path": path_to_text(gone.path),
                    "counterpart": path_to_text(gone.there),
                    "images": gone.images,
                }
                for gone in self.copies
            ],
            "unreadable_folders": _folders_json(self.unreadable_folders),
            "exported": self.exported,
            "exported_to": [path_to_text(path) for path in self.exported_to],
            "not_exported": None
            if self.not_exported is None
            else {"path": path_to_text(self.not_exported), "earlier_file": self.earlier_export},
            "scanned": self.scanned,
            "elapsed_s": round(self.elapsed_s, 3),
            "interrupted": self.interrupted,
        }


@_path_errors_are_user_errors
def embed(
    request: EmbedRequest,
    progress: Progress | None = None,
    *,
    encoder: Encoder | None = None,
    warn: Callable[[str], None] | None = None,
) -> EmbedReport:
    """Encode new or changed images into the store, reuse the rest, forget deleted ones.

    Every batch is committed on its own, so an interrupted run keeps what it finished and the next
    run continues from there; Ctrl-C (the image bar's stop() included) raises `Interrupted`
    once that is saved, and exports nothing; so does one as the export is read from the store
    and written, before any of its files is moved into place. One that comes once a file of the
    export or the --json is moved into place waits until every output is in place, and is
    raised as `InterruptedOnceWritten`. `encoder`: a loaded model to reuse, and `warn`, to
    hear the warnings (folders that could not be read, files left out, options that do nothing)
    as soon as they are known, before the model load, as for `label`; the report's `warnings`
    list them all the same. Without paths, with `export`: the model's stored embeddings are
    exported, and nothing is scanned (the images may be elsewhere).
    """
    progress = _checked_arguments("embed", request, EmbedRequest, progress, encoder)
    _check_warn(warn)
    started = time.perf_counter()
    if request.dtype not in (None, "float32", "float16"):
        raise ZslError(f"{option_given('--dtype', request.dtype)}: choose float32 or float16")
    _check_revision(request.model, encoder)
    if request.export:
        if not request.inputs.paths:
            return _export_stored(request, request.export, encoder, started, warn)
        check_export_path(request.export)
    exports = export_files(request.export) if request.export else []
    outputs = _embed_outputs(request.json_out, request.export, exports)
    # Before the scan, which may read a path list typed at the terminal; its images after it.
    check_outputs_spare_inputs(outputs, [request.store, _path_list_file(request.inputs)])
    # An emptied folder is still a scan: its stored images are kept, or with --forget-missing
    # forgotten (`store.plan`), as are a gone path's, which that option takes as a path list does.
    discovery = _scan_inputs(
        request.inputs, allow_empty=True, missing_paths_ok=request.forget_missing
    )
    paths = without_store_files(discovery.paths, request.store)
    _check_outputs_spare_inputs_and_model(
        outputs, [], paths, request.model, encoder, store=request.store
    )
    check_writable_later(request.json_out)
    stats, unreachable = stat_files(paths)
    report = EmbedReport(
        os.fspath(request.store),
        found=len(paths),
        unreachable_files=unreachable,
        unreadable_folders=discovery.skipped,
        left_out=discovery.left_out,
        ignored=_ignored_with_encoder(request.model, encoder),
    )
    store_path = Path(request.store)
    # First, as opening a store for writing on a read-only mount fails with no reason given.
    check_store_writable(store_path)
    if store_path.is_dir() or (store_path.is_file() and store_path.stat().st_size > 0):
        # A store that cannot be used fails now, not after the model has loaded. An empty
        # database is a store to create: a run killed while it created the store leaves one.
        with EmbeddingStore.open(store_path) as store:
            store.check_pages()
    _tell(warn, report.warnings)  # before the model load, which can take a minute
    encoder = encoder if encoder is not None else open_encoder(request.model)
    model = _options_with_opened_defaults(request.model, encoder)
    report.model = encoder.name
    # From the first stop signal on, the others wait until the work is saved and reported (see
    # `label`).
    stopping = ExitStack()
    published = False
    with _ends_as_interrupted(report, lambda: published), stopping:
        with (
            EmbeddingStore.open(request.store) as store,
            pillow_settings(_max_pixels(request.inputs)),
        ):
            to_encode: list[Path] = []
            try:
                # From the first wait for the store's lock (another zsl embed may hold it): Ctrl-C
                # there ends with the summary too, as during the batches. The decoding stops as the
                # block ends, before the bar does.
                with interrupts_holdable() as interrupts, ExitStack() as running:
                    given = _AsGiven(paths)
                    model_id, plan, former = _plan_embed(
                        store, encoder, request, discovery, stats, given, report, warn, interrupts
                    )
                    stat_by_path = {stat.path: stat for stat in plan.to_encode}
                    to_encode = [Path(stat.path) for stat in plan.to_encode]
                    # A file written in the mtime tick it is read in could be rewritten unseen.
                    wait_for_mtime_ticks(plan.to_encode)
                    decoding = running.enter_context(
                        decode_for(encoder, to_encode, model, request.inputs)
                    )
                    for items in iter_encoded(decoding, encoder, model, progress, into_store=True):
                        report.decode_processes_stopped = decoding.processes_stopped
                        _store_batch(
                            store, model_id, items, stat_by_path, given, report, interrupts, former
                        )
                        _check_store_in_place(store, report)
                    if former:
                        report.former_left = sum(
                            m.n_ok + m.n_failed for m in store.models() if m.id in former
                        )
            except KeyboardInterrupt:
                stopping.enter_context(interrupts_deferred())
                report.interrupted = True
            except BaseException as error:
                progress.stop()
                # A full disk, a lock held too long, ...; a store replaced saved nothing.
                if isinstance(error, ZslError) and not isinstance(error, _StoreReplaced):
                    _raise_with_work_saved(error, report, len(to_encode))
                raise
            report.replaced = store.replaced  # an interrupted run's too: each batch commits them
            report.interrupted |= _stopped_by_interrupt(progress)
            _check_store_in_place(store, report)  # replaced after its last commit
            kept: OutputKept | None = None  # an export kept beside one held open: the run is done
            if report.interrupted:
                if request.export:
                    _note_not_exported(report, request.export, exports)
            else:
                # The export, then the --json: a signal as either is moved waits for both.
                moving = stopping.enter_context(interrupts_held_from_first_move())
                if request.export:
                    try:
                        kept = _export_unless_stopped(
                            report,
                            request.export,
                            exports,
                            lambda: store.export_rows(model_id),
                            stopping=stopping,
                            moving=moving,
                        )
                    except ZslError as error:
                        _raise_with_work_saved(error, report, len(to_encode))
        report.elapsed_s = time.perf_counter() - started
        if kept is not None:
            try:
                _then_kept(kept, lambda: _write_json_if_asked(request.json_out, report))
            except OutputKept as error:
                _raise_with_work_saved(error, report, len(to_encode))
        _write_json_if_asked(request.json_out, report)
        published = True
    if report.interrupted:
        raise Interrupted(report)
    return report


def _plan_embed(
    store: EmbeddingStore,
    encoder: Encoder,
    request: EmbedRequest,
    discovery: Discovery,
    stats: Sequence[FileStat],
    given: _AsGiven,
    report: EmbedReport,
    warn: Callable[[str], None] | None,
    interrupts: HeldInterrupts,
) -> tuple[int, SyncPlan, list[int]]:
    """Register the model in `store` and plan the run over the scan's files (`stats`), noting in
    `report` what the plan reuses, repairs (each file as it was `given`), keeps and forgets, and
    forgetting the images gone: the model's id, the plan, and the models under its former
    identities (`_former_models`)."""
    store_path = Path(request.store)
    # No --dtype: the model's in the store, float32 for a new one (register_model decides).
    model_id = store.register_model(
        encoder.identity,
        _stored_name(encoder),
        encoder.dim,
        request.dtype,
        _precision(encoder),
    )
    report.migrated = store.migrated
    _tell(warn, _migrated_store_warnings(report.migrated, store_path))
    # Stored images under what the scan covered whose files are gone are forgotten, but under a
    # path that is missing or holds no file, or an empty folder below one (a mount point), only
    # if asked to.
    plan = store.plan(
        model_id,
        stats,
        discovery.roots,
        discovery.folders,
        empty_folders=discovery.empty_folders,
        forget_absent=request.forget_missing,
    )
    report.reused, report.reused_failed = len(plan.reused), plan.reused_failed
    report.reused_failed_files = [
        (given(Path(path)), status, reason) for path, status, reason in plan.reused_failures
    ]
    report.repaired = [os.fspath(given(Path(path))) for path in plan.repaired]
    _note_absent_roots(report, plan.absent, plan.kept, discovery.roots, request.forget_missing)
    _tell(warn, _kept_images_warnings(report.absent, report.kept))
    _tell(warn, _nothing_to_forget_warnings(report.not_found))
    if plan.copies:  # the model's options name the command that forgets them
        report.copies = plan.copies
        report.stored_model = next(m for m in store.models() if m.id == model_id)
        _tell(warn, report._copies_warnings())
    report.unchecked_precision = _unchecked_precision(store, model_id, plan, encoder)
    _tell(warn, _unknown_precision_warnings(report.unchecked_precision, store_path))
    # The model's vectors as an older zsl stored them are replaced, file by file, as this run
    # stores its own: kept, they would double the store for good.
    former = _former_models(store, encoder, model_id)
    if former:
        report.removed += _retire_former(
            store, model_id, former, stats, discovery, request.forget_missing
        )
    if plan.stale:  # held as a batch is: a removal committed is a removal counted
        report.removed += store.forget(model_id, plan.stale, locked=interrupts.hold)
        interrupts.release()
    return model_id, plan, former


class _AsGiven:
    """A file as the run was given it, from its absolute path (the store's key), for the
    report, which names files so, as label does and the scan's unreachable ones are. The paths
    are made absolute the first time one is asked for: a run without failures spends no time
    on it (a second per 200,000 paths)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = paths
        self._by_absolute: dict[str, Path] | None = None

    def __call__(self, path: Path) -> Path:
        if self._by_absolute is None:
            self._by_absolute = {absolute_path(given): given for given in self._paths}
        return self._by_absolute.get(os.fspath(path), path)


def _store_batch(
    store: EmbeddingStore,
    model_id: int,
    items: list[ImageItem],
    stat_by_path: Mapping[str, FileStat],
    given: _AsGiven,
    report: EmbedReport,
    interrupts: HeldInterrupts,
    former: Sequence[int],
) -> None:
    """Store a batch of encoded `items` (their files as the plan saw them: `stat_by_path`) and
    count it in `report`, which names each file as it was `given` (by its absolute path)."""
    # A path that stopped being a file since the scan (a broken link or a folder in its place)
    # is unreachable, as the scan would have found it: not stored, and its stored row, now of a
    # file gone, forgotten.
    gone = [item for item in items if item.status in _NOT_FILES]
    items = [item for item in items if item.status not in _NOT_FILES]
    stored = [_stored_item(item, stat_by_path[str(item.path)]) for item in items]
    # A batch committed is a batch counted. Held just before the commit, not before: another
    # zsl embed may hold the store for long, and writing the rows may take long too, and
    # Ctrl-C must end either (the write rolled back).
    store.add(model_id, stored, locked=interrupts.hold, replacing=former)
    if gone:
        report.removed += store.forget(
            model_id,
            [stat_by_path[str(item.path)].path for item in gone],
            locked=interrupts.hold,
        )
    for item in items:
        report.add(item if item.ok else replace(item, path=given(item.path)))
    report.unreachable_files.extend(
        Unreachable(given(item.path), item.status, item.error) for item in gone
    )
    interrupts.release()


def _former_models(store: EmbeddingStore, encoder: Encoder, model_id: int) -> list[int]:
    """The ids of the models in `store` that are the encoder's under an identity an older zsl
    gave it (`Encoder.former_identities`): only those may lose rows to its vectors."""
    found = (store.find_model(identity) for identity in _former_identities(encoder))
    return [old for old in found if old is not None and old != model_id]


def _retire_former(
    store: EmbeddingStore,
    model_id: int,
    former: Sequence[int],
    stats: Sequence[FileStat],
    discovery: Discovery,
    forget_missing: bool,
) -> int:
    """Forget the former models' images whose files are gone, as the model's own are forgotten
    (`EmbeddingStore.plan`), and delete their rows of files the model holds already (an earlier
    run encoded them anew); return how many images were forgotten."""
    removed = 0
    for old in former:
        stale = store.plan(
            old,
            stats,
            discovery.roots,
            discovery.folders,
            empty_folders=discovery.empty_folders,
            forget_absent=forget_missing,
        ).stale
        if stale:
            removed += store.forget(old, stale)
    store.replace_former(model_id, former)
    return removed


def _migrated_store_warnings(migrated: bool, store: str | os.PathLike[str]) -> list[str]:
    """The warning of a run that moved a version 1 store to the current schema
    (`EmbedReport.migrated`); none where it did not."""
    if not migrated:
        return []
    return [
        f"{printable(os.fspath(store))} was written by a zsl before 30 Nov 2026 (store schema "
        "version 1) and is now upgraded to version 2 to record each model's precision: a zsl "
        "from before 30 Nov 2026 can no longer read it"
    ]


def _replaced_vectors_warnings(
    replaced: int, left: int, store: str | os.PathLike[str], model: str
) -> list[str]:
    """The warning of a run that replaced vectors an older zsl stored for its model
    (`EmbedReport.replaced`); none where it replaced none."""
    if not replaced:
        return []
    images = counted(replaced, "image")
    also = (
        f"; {counted(left, 'other image')} not under the paths embedded keep theirs until "
        "they are embedded too"
        if left
        else ""
    )
    return [
        f"{printable(os.fspath(store))}: replaced the vectors of {images} that an older zsl made "
        f"with {model} (its fast preprocessing drafted large JPEGs otherwise, so they were "
        f"encoded again) and deleted the old ones{also}"
    ]


def _note_absent_roots(
    report: EmbedReport,
    absent: Sequence[AbsentRoot],
    kept: int,
    roots: Sequence[str],
    forget_missing: bool,
) -> None:
    """Record the scanned paths that are missing or hold no file, under which stored images are
    gone. A path list's entry that is missing named what the store holds (a folder moved or
    deleted, or not mounted), not an image it could not read: it is not found, nor unreachable,
    so a run that forgets what it was asked to is no failure. With --forget-missing, a path named
    (`roots`) that is missing, the store holding nothing under it, is no failure either (the same
    cleanup run again): it is reported `not_found`, with nothing to forget there."""
    report.absent, report.kept = list(absent), kept
    gone = {root.path for root in absent if root.missing}
    named = [item for item in report.unreachable_files if absolute_path(item.path) in gone]
    # A set (the items are frozen, so equal ones hash alike): a list made `in` go through all
    # the named, N x N for a path list of N gone files.
    dropped = set(named)
    if forget_missing:
        named_roots = set(roots)
        nothing_under = [
            item
            for item in report.unreachable_files
            if item not in dropped
            and item.status == NOT_FOUND
            and absolute_path(item.path) in named_roots
        ]
        report.not_found = [os.fspath(item.path) for item in nothing_under]
        named += nothing_under
        dropped.update(nothing_under)
    report.unreachable_files = [item for item in report.unreachable_files if item not in dropped]
    report.found -= len(named)


def _nothing_to_forget_warnings(not_found: Sequence[str]) -> list[str]:
    """The warning for paths --forget-missing named that are missing, the store holding nothing
    under them (`EmbedReport.not_found`): a misspelt path forgets nothing."""
    if not not_found:
        return []
    if len(not_found) == 1:
        return [
            f"{printable(not_found[0])} is not found, and the store holds nothing under it: "
            "nothing to forget there"
        ]
    shown = some_names([printable(path) for path in not_found], 3)
    return [
        f"{len(not_found)} paths are not found, and the store holds nothing under them: nothing "
        f"to forget there ({shown})"
    ]


def _kept_images_warnings(absent: Sequence[AbsentRoot], kept: int) -> list[str]:
    """The warning for stored images kept though their files are gone, under scanned paths that
    are missing or hold no file at all, or empty folders below them (`EmbedReport.absent`); none
    where none were kept."""
    if not kept:
        return []
    images = counted(kept, "stored image")
    if len(absent) == 1:
        where = f"{printable(absent[0].path)}, {_absent_state(absent[0])[0]}"
    else:
        roots = [f"{printable(root.path)} ({_absent_state(root)[1]})" for root in absent]
        where = f"{len(absent)} paths that are missing or hold no files: {some_names(roots, 3)}"
    return [
        f"kept the {images} under {where}: a drive or network share that is not mounted looks "
        "the same; if the images are gone for good (a folder deleted or moved), run again with "
        "--forget-missing to forget them"
    ]


# The folders a `_gone_copies_warnings` names, at most (one warning each).
GONE_COPIES_NAMED = 3


def _gone_copies_warnings(
    copies: Sequence[GoneCopy], store: str | os.PathLike[str], model: ModelInfo, how: str
) -> list[str]:
    """A warning for each folder (the first few) that is gone and under which `store` holds
    images with the names, sizes and modification times of images that are there (`GoneCopy`),
    with the `zsl embed --forget-missing` (of the `model`) that forgets them there. `how` the
    run met them: "embed" (at the new place), "not_embedded" (the images given, not in the
    store) or "whole" (a whole store's read, which counts each twice)."""
    named = printable(os.fspath(store))
    warnings = []
    for gone in copies[:GONE_COPIES_NAMED]:
        old, there = printable(gone.path), printable(gone.there)
        alike = f"{there} (same names, sizes and times)"
        # A drive or share not mounted looks gone too: said where the folder is named.
        gone_now = f"{old} (gone, or an unmounted drive or share)"
        # Shown at every run while the old place is away: the command last, to copy.
        command = _forget_command(gone.path, os.fspath(store), model)
        forget = f"if they moved, `{command}` forgets the old copies"
        if how == "not_embedded":
            # Not embedded here yet: the store's copies under the old folder are their only ones.
            said = (
                f"{named}: {gone.images} of the not_embedded images, under {alike}, have copies "
                f"held under {gone_now}; once they are embedded here, a whole-store label or "
                f"hubness counts each twice; {forget}"
            )
        else:
            counts = "this run" if how == "whole" else "a whole-store label or hubness"
            images = counted(gone.images, "image")
            said = (
                f"{named}: {images} held twice, under {gone_now} and {alike}; {counts} counts "
                f"each twice; {forget}"
            )
        warnings.append(said)
    if len(copies) > GONE_COPIES_NAMED:
        more = len(copies) - GONE_COPIES_NAMED
        hold = "holds" if more == 1 else "hold"
        warnings.append(
            f"{named}: {counted(more, 'more gone folder')} {hold} images found elsewhere too"
        )
    return warnings


def _absent_state(root: AbsentRoot) -> tuple[str, str]:
    """What the kept images' warning says of the path they are under: alone, and in a list."""
    if root.below:
        return "an empty folder inside a path scanned", "empty folder"
    if root.missing:
        return "which is missing", "missing"
    return "which holds no files", "no files"


def _unchecked_precision(
    store: EmbeddingStore, model_id: int, plan: SyncPlan, encoder: Encoder
) -> tuple[int, str] | None:
    """`EmbedReport.unchecked_precision` of a run that plans so: None unless it adds images to
    a model whose stored images' precision is unknown."""
    precision = _precision(encoder)
    if not plan.to_encode or precision is None:
        return None
    unknown = store.unknown_precision_images(model_id)
    return (unknown, precision) if unknown else None


def _unknown_precision_warnings(
    unchecked: tuple[int, str] | None, store: str | os.PathLike[str]
) -> list[str]:
    """The warning for a run that adds images to a model whose stored images' precision is
    unknown (`EmbedReport.unchecked_precision`): a store migrated from version 1 did not record
    it, so another precision is not refused there as it is elsewhere."""
    if unchecked is None:
        return []
    n, precision = unchecked
    return [
        f"the {counted(n, 'image')} already stored for this model in "
        f"{printable(os.fspath(store))} came from an older zsl, which did not record their "
        f"precision: their precision is unknown and not checked, so this run's ({precision}) "
        "may be of another, mixed in one model; embed into a new store to have it checked"
    ]


class _StoreReplaced(ZslError):
    """The store's path names another file than the one embed writes (`_check_store_in_place`)."""


def _check_store_in_place(store: EmbeddingStore, report: EmbedReport) -> None:
    """Stop the run where its store was moved, deleted (its folder too) or another file renamed
    over it (a backup put back with `mv`): what it committed went to the file it has open, no
    longer the store, and its summary ("3000 encoded", exit 0) said the store held it."""
    written = report.encoded + report.failed  # a failure is stored too, as failed
    if not (written or report.removed) or not store.replaced_on_disk():
        return
    store.let_go_of_replaced()  # so that the file now there is left as it was put there
    lost = [f"the {counted(written, 'image')} this run stored"] if written else []
    if report.removed:
        lost.append(f"the {counted(report.removed, 'gone image')} removed")
    name = printable(os.fspath(store.path))
    if not os.path.lexists(store.path):
        # Nothing was put in its place: the file or its folder was deleted (a cleanup's
        # `rm -rf`) or renamed, and "replaced" sent the user looking for a file that is not there.
        raise _StoreReplaced(
            f"the embedding store {name} was deleted or moved away during the run (no file is "
            f"at its path now): {' and '.join(lost)} went to the file it had open, no longer "
            "there; run zsl embed again"
        )
    raise _StoreReplaced(
        f"the embedding store {name} was replaced during the run "
        f"(moved, or another file renamed over it, as a backup restored): {' and '.join(lost)} "
        "went to the file it replaced; run zsl embed again"
    )


def _raise_with_work_saved(error: ZslError, report: EmbedReport, n_to_encode: int) -> NoReturn:
    """`error`, its message ending with what the store keeps of a run it stopped after work was
    committed (a full disk at a later batch): the error alone left that unsaid."""
    saved = []
    if stored := report.encoded + report.failed:  # a failure is stored too, as failed
        saved.append(f"{stored} of the {counted(n_to_encode, 'image')} this run had to encode")
    if report.removed:
        saved.append(f"{counted(report.removed, 'gone image')} removed")
    if not saved:
        raise error
    message = f"{error.message}; saved before it: {', '.join(saved)}"
    if isinstance(error, OutputKept):  # an export kept beside the old one: the run is done
        raise OutputKept(message, error.kept, error.result) from error
    raise ZslError(message, error.exit_code) from error


def _embed_outputs(
    json_out: str | os.PathLike[str] | None,
    export: str | os.PathLike[str] | None,
    exports: Sequence[Path],
) -> list[NamedOutput]:
    """What `embed` writes besides its store, named: the files of an export are the one given
    and, for .npy, the path index next to it."""
    indexes = [(f"the path index of --export {export}", index) for index in exports[1:]]
    return [named_output("--export", export), *indexes, named_output("--json", json_out)]


def _export_stored(
    request: EmbedRequest,
    export: str | os.PathLike[str],
    encoder: Encoder | None,
    started: float,
    warn: Callable[[str], None] | None,
) -> EmbedReport:
    """`embed` without paths: the export (to `export`, the request's) of what the store holds
    for the model, as `label --embeddings` without paths labels it."""
    given = {
        "--dtype": request.dtype is not None,
        "--ext": request.inputs.extensions is not None,
        "--include-hidden": request.inputs.include_hidden,
        "--max-pixels": request.inputs.max_pixels is not None,
        "--forget-missing": request.forget_missing,
    }
    refused = [option for option, used in given.items() if used]
    if refused:
        raise ZslError(
            f"{', '.join(refused)}: without paths no image is read or encoded, only the store's "
            "embeddings exported; give the paths to embed (e.g. the folder that was embedded)"
        )
    EmbeddingStore.open(request.store, create=False).close()  # a store to read, before the model
    check_export_path(export)  # makes its folder: once this run's own inputs are found usable
    exports = export_files(export)
    outputs = _embed_outputs(request.json_out, export, exports)
    _check_outputs_spare_inputs_and_model(
        outputs, [request.store], [], request.model, encoder, store=request.store
    )
    check_writable_later(request.json_out)
    # The device and precision are named with the options ignored without paths, not again as
    # ones an encoder given overrides.
    unplaced = replace(request.model, device="auto", precision="auto")
    ignored = [
        *_ignored_with_store(request.model, request.store, exporting=True),
        *_ignored_with_encoder(unplaced, encoder),
    ]
    _tell(warn, ignored)  # before the model load
    # As label --embeddings: a model that cannot load is named beside the ones the store holds.
    # It is loaded only for its identity: on the CPU, whatever --device and --precision said.
    store = os.fspath(request.store)
    model = replace(request.model, device="cpu", precision="auto")
    encoder = encoder if encoder is not None else _open_store_encoder(store, model)
    report = EmbedReport(
        store,
        model=encoder.name,
        scanned=False,
        ignored=ignored,
        embed_options=_embed_options(encoder),
    )
    identity = _stored_identity(store, encoder)
    report.read_former = identity != encoder.identity

    def rows() -> ExportRows:
        return stored_export_rows(
            request.store, identity, _stored_name(encoder), _revision(encoder)
        )

    published = False
    with (
        _ends_as_interrupted(report, lambda: published),
        interrupts_held_from_first_move() as moving,
        ExitStack() as stopping,
    ):
        # An export kept beside one held open: the run is done all the same.
        kept = _export_unless_stopped(
            report, export, exports, rows, stopping=stopping, moving=moving
        )
        report.elapsed_s = time.perf_counter() - started
        if kept is not None:
            _then_kept(kept, lambda: _write_json_if_asked(request.json_out, report))
        _write_json_if_asked(request.json_out, report)
        published = True
    if report.interrupted:
        raise Interrupted(report)
    return report


def _export_unless_stopped(
    report: EmbedReport,
    export: str | os.PathLike[str],
    exports: Sequence[Path],
    rows: Callable[[], ExportRows],
    *,
    stopping: ExitStack,
    moving: HeldInterrupts,
) -> OutputKept | None:
    """`_write_export` of `rows()`, in the block of `interrupts_held_from_first_move` that
    yielded `moving`. A stop signal before a file of the export is moved into place (as its rows
    are read or written) stops the run, its store saved, as one during its images does: the
    export is not written, an earlier one is left as it was, `report` says so and is
    interrupted, and the run's `stopping` holds the other signals until its --json is written."""
    try:
        return _write_export(report, export, exports, rows())
    except KeyboardInterrupt:
        if moving.holding:  # a handler of the caller's own raised it, the export in place
            raise
        stopping.enter_context(interrupts_deferred())
        report.interrupted = True
        _note_not_exported(report, export, exports)
        return None


def _note_not_exported(
    report: EmbedReport, export: str | os.PathLike[str], exports: Sequence[Path]
) -> None:
    """Note in `report` that an interrupted run did not write its `export` (its files:
    `exports`), and whether a file at its path, an earlier run's, is left as it was."""
    report.not_exported = os.fspath(export)
    report.earlier_export = os.path.exists(exports[0])


def _write_export(
    report: EmbedReport,
    export: str | os.PathLike[str],
    exports: Sequence[Path],
    rows: ExportRows,
) -> OutputKept | None:
    """Write `rows` to `export` (its files: `exports`), which the run checked before its work,
    and note in `report` what was written and the warnings on it. Where it is kept beside an
    export held open: the kept files, and the error (carrying `report`) returned, for the run
    to raise once it is done."""
    try:
        report.export_warnings = write_export(export, rows)
    except OutputKept as kept:
        report.exported = len(rows)
        report.exported_to = [os.fspath(path) for path in kept.kept]
        kept.result = report
        return kept
    report.exported = len(rows)
    report.exported_to = [os.fspath(path) for path in exports]
    return None


def _stored_item(item: ImageItem, stat: FileStat) -> StoredItem:
    return StoredItem(stat, item.status, item.error, item.embedding if item.ok else None)
