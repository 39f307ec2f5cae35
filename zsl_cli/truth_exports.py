"""Ground truth from a Label Studio project's export: which class the annotators chose for each
task's image. A module of its own as it knows Label Studio's export formats (as label-studio
1.23.2 writes them), which evaluation need not: it takes the (task, image, class) rows read here
and pairs them with the predictions as it pairs a truth CSV's rows.

JSON is a list of tasks: `data` (zsl's `zsl_*` keys where zsl wrote the task, and `image`, or
the key the project's Image tag reads: `img`, `url`...), `annotations` (each with `result`
items, {"from_name", "to_name" (the tag it answers for), "type": "choices", "value": {"choices":
[...]}}, and `was_cancelled` for a skipped task; `ground_truth` where a reviewer starred it) and
`predictions` (objects, or only their ids, where each annotation carries the one it started from
as `prediction`); an image uploaded through Label Studio's web page has the URL
`/data/upload/<project id>/<8 hex digits>-<its file name>`. JSON_MIN is a record per
annotation: the task's data keys, the task's `id`, each control's answer under its name (a
Choices control's one choice as a string, several as {"choices": [...]}), `annotator`,
`annotation_id` (null for a task without annotation) and the annotation's dates; it leaves out
skipped annotations and their tasks.

Other tools' truth files, which evaluation refuses, are known here only as far as the shell lines
that convert them to a path,label CSV (COCO JSON, Datumaro's JSON, FiftyOne's image
classification labels, ImageNet's solution CSV and txt exports, Kaggle's id tables), which the
refusals give.
"""

from __future__ import annotations

import os
import re
import shlex
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any
from urllib.parse import unquote_to_bytes

from zsl_cli.defaults import IMAGE_EXTENSIONS
from zsl_cli.errors import ZslError
from zsl_cli.formatting import counted, listed, path_from_text, printable, printable_text

# The keys of a JSON_MIN record that are neither the task's data nor an answer.
_JSON_MIN_KEYS = {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"}
_JSON_MIN_KEYS.add("agreement")  # written by Label Studio Enterprise
# A data value that is an image's URL, as Label Studio reads one: of a scheme its storages
# serve, or its own local files and uploads (/data/...); else a path, by its extension.
_IMAGE_URL = re.compile(r"(https?|s3|gs|azure-blob)://|/data/", re.IGNORECASE)
# An image uploaded through Label Studio's web page (data_import.models.upload_name_generator):
# stored as upload/<project id>/<a UUID's first 8 hex digits>-<its file name>, and served under
# /data/ (a host or a script name before it, or not), or that stored path alone where uploads go
# to a cloud storage.
LABEL_STUDIO_UPLOAD = re.compile(
    r"(?:(?:[A-Za-z][A-Za-z0-9+.-]+://[^/?#]*)?(?:/[^?#]*)?/data/)?"
    r"(?P<stored>upload/[0-9]+/[0-9a-f]{8}-(?P<name>[^/?#]+))"
)
# The longest path Label Studio stores an upload under (its FileField's max_length): Django cuts
# a longer file name and adds "_" and 7 random letters or digits before its extensions.
UPLOAD_MAX_LENGTH = 100


class UnsettledControl(ZslError):
    """Refused as the export's annotations answer several controls that could each hold the
    classes: the predictions' classes, once read, may tell which does. `candidates`: where they
    are not read yet, the controls they may make the one (read with each, the export shows
    what is wrong with it whichever it is)."""

    def __init__(self, message: str, candidates: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


@dataclass(frozen=True)
class ExportedImage:
    """A task's image and the class its annotations agree on."""

    task: object  # the task's id, as Label Studio shows it
    image: str  # zsl's own path (os.fsdecode form), else the task's image URL as written
    zsl_path: bool  # whether `image` is zsl's path, not a URL
    label: str
    url: str | None = None  # the task's image URL: a task added by hand for the image has it too
    # How a task zsl did not write is the image of one it wrote (`image`: that one's path):
    # OTHER_TASK_UPLOAD or OTHER_TASK_URL; "" for zsl's own task, or another image's.
    other_task: str = ""


# A task of an image zsl wrote a task of, beside that task: an upload of the image through
# Label Studio's web page (by its file name), or a task added with the image's URL.
OTHER_TASK_UPLOAD = "an upload of the image"
OTHER_TASK_URL = "a task added with the image's URL"


@dataclass(frozen=True)
class ExportedTruth:
    images: tuple[ExportedImage, ...]
    warnings: tuple[str, ...]  # the tasks left out, and why


def label_studio_export(
    value: Any,
    where: str,
    classes: Collection[str] | None = (),
    *,
    class_key: Callable[[str], str],
    control: str | None = None,
) -> ExportedTruth | None:
    """The ground truth of a Label Studio export's parsed JSON (`where`: its name for messages),
    or None where it is no such export; `classes`: those the predictions name, which tell the
    control holding the classes from others (None: not known yet); `class_key`: a choice as the
    class it names is compared (evaluation's rule), by which annotations agree. ZslError where
    it holds no ground truth: no task, no annotation, no Choices control's answer;
    UnsettledControl where it cannot tell which control holds the classes, or where only the
    predictions' classes, not known yet, can tell it. `control`: the one that holds the classes,
    where the caller takes one of UnsettledControl's candidates."""
    if not isinstance(value, list):
        return None
    if not value:
        raise ZslError(
            f"{where} holds an empty JSON list: no task to take the ground truth from (a Label "
            "Studio export made before any task was annotated?)"
        )
    if not all(isinstance(item, dict) for item in value):
        return None
    if all("annotation_id" in item and "id" in item for item in value):
        control, tasks = _json_min_tasks(value, where, classes, control)
    elif all(isinstance(item.get("data"), dict) for item in value):
        if not any("annotations" in item for item in value):
            raise ZslError(
                f"{where} holds Label Studio tasks without annotations (the tasks file 'zsl "
                "label -f label-studio' wrote?): give the project's JSON or JSON_MIN export, "
                "made once its tasks are annotated"
            )
        control, tasks = _json_tasks(value, where, classes, control)
    else:
        return None
    return _agreed(tasks, where, control, class_key)


@dataclass(frozen=True)
class _Task:
    id: object
    image: str
    zsl_path: bool
    answers: tuple[tuple[str, ...], ...]  # each annotation's choices for zsl's control
    skipped: bool  # its annotations were all cancelled (skipped)
    annotated: bool  # it has annotations (not skipped), whether or not they answer zsl's control
    url: str | None  # its image URL, where it has one


def _json_tasks(
    tasks: list[dict], where: str, classes: Collection[str] | None, given: str | None = None
) -> tuple[str, list[_Task]]:
    """The Choices control of a JSON export that holds the classes (see `_control`; `given`
    where the caller names it), and its tasks, each with its annotations' answers for that
    control."""
    annotations = {id(task): _kept_annotations(task) for task in tasks}
    answered: dict[str, set[str]] = {}
    for kept in annotations.values():
        for annotation in kept:
            for result in _choices_results(annotation):
                answered.setdefault(result["from_name"], set()).update(_choices(result))
    if not answered:
        if not any(annotations.values()):
            raise _no_annotation(where, len(annotations))
        raise _no_choices(where)
    predicted = _predicted_results(tasks)
    known = {choice for result in predicted for choice in _choices(result)}
    known |= _data_classes(task["data"] for task in tasks)
    control = given or _control(
        answered, {result["from_name"] for result in predicted}, known, classes, where
    )
    # The tag the control's results are given to: an Image tag named as the data key it reads
    # (Label Studio's default, `<Image name="image" value="$image"/>`) names that key.
    results = [r for a in chain(*annotations.values()) for r in _choices_results(a)]
    pointed = {
        r["to_name"]
        for r in chain(results, predicted)
        if r["from_name"] == control and isinstance(r.get("to_name"), str)
    }
    key = next(iter(pointed)) if len(pointed) == 1 else None
    usual = _usual_image_key([task["data"] for task in tasks], key)
    read = []
    for task in tasks:
        kept = annotations[id(task)]
        reviewed = [a for a in kept if a.get("ground_truth") is True and _answer(a, control)]
        answers = tuple(
            answer for a in reviewed or kept if (answer := _answer(a, control)) is not None
        )
        cancelled = any(_cancelled(a) for a in _annotations(task))
        skipped = cancelled and not kept
        read.append(_task(task, task["data"], answers, skipped, bool(kept), where, key, usual))
    return control, read


def _annotations(task: dict) -> list[dict]:
    annotations = task.get("annotations")
    return [a for a in annotations if isinstance(a, dict)] if isinstance(annotations, list) else []


def _cancelled(annotation: dict) -> bool:
    # `skipped` in exports of older Label Studio versions.
    return annotation.get("was_cancelled") is True or annotation.get("skipped") is True


def _kept_annotations(task: dict) -> list[dict]:
    return [a for a in _annotations(task) if not _cancelled(a)]


def _choices_results(source: Any) -> Iterator[dict]:
    """The results of a Choices control in an annotation or prediction."""
    results = source.get("result") if isinstance(source, dict) else None
    for result in results if isinstance(results, list) else ():
        if (
            isinstance(result, dict)
            and result.get("type") == "choices"
            and isinstance(result.get("from_name"), str)
            and isinstance(result.get("value"), dict)
        ):
            yield result


def _choices(result: dict) -> list[str]:
    # Label Studio writes a list: a string's letters are no choices, nor a dict's keys.
    choices = result["value"].get("choices")
    return [c for c in choices if isinstance(c, str)] if isinstance(choices, list) else []


def _prediction_sources(task: dict) -> list[Any]:
    """A task's predictions: the predictions themselves, or, where the export lists only their
    ids, the one each annotation started from."""
    predictions = task.get("predictions")
    sources = list(predictions) if isinstance(predictions, list) else []
    return sources + [a.get("prediction") for a in _annotations(task)]


def _predicted_results(tasks: list[dict]) -> list[dict]:
    """The Choices results of the tasks' predictions: the controls they fill, and their classes."""
    return [
        result
        for task in tasks
        for source in _prediction_sources(task)
        for result in _choices_results(source)
    ]


def _data_classes(data: Iterable[Any]) -> set[str]:
    """The classes zsl predicted, as the data of the tasks it wrote records them."""
    return {
        label
        for fields in data
        if isinstance(fields, dict) and isinstance(label := fields.get("zsl_label"), str)
    }


def _control(
    answered: dict[str, set[str]],
    predicted: set[str],
    known: set[str],
    classes: Collection[str] | None,
    where: str,
) -> str:
    """Of the controls answered (each with its answers), the one whose answers are the classes:
    the one zsl's predictions fill, else the one whose answers are most among the classes (those
    `known` from the export, and the predictions' `classes`), else the only one answered.
    UnsettledControl where the choice is the classes' and the predictions' are not known yet
    (None): their classes can make another control the one, or none."""
    chosen = answered.keys() & predicted
    if len(chosen) == 1:
        return next(iter(chosen))
    if classes is None:
        # Predictions piped in are read after the truth: a lone tag taken here (the image's
        # quality) was scored as the classes, where read from a file it is refused. They may
        # choose any control answered, or the one they fill where no annotation answers it yet.
        candidates = answered.keys() | (predicted if len(predicted) == 1 else set())
        raise UnsettledControl(
            f"{where}: the predictions' classes tell its control", sorted(candidates)
        )
    every = known | set(classes)
    overlaps = {name: len(answers & every) for name, answers in answered.items()}
    best = max(overlaps.values())
    if best == 0 and len(predicted) == 1:
        # Only other controls (image quality, ...) answered so far: no task has its class yet.
        return next(iter(predicted))
    leaders = [name for name, overlap in overlaps.items() if overlap == best]
    if len(leaders) == 1 and (best or (len(answered) == 1 and not every)):
        return leaders[0]
    names = ", ".join(f"'{printable_text(name)}'" for name in sorted(answered))
    if len(answered) == 1:
        # A JSON_MIN export names no predicted control: one answered so far (image quality, ...)
        # whose answers are none of the classes is no class's, as in a JSON export.
        shown = ", ".join(printable_text(answer) for answer in sorted(*answered.values())[:5])
        raise ZslError(
            f"{where}: no task gives one class to score against: its annotations answer only "
            f"{names} ({shown}), and none of its answers is a class the predictions name; "
            "annotate the tasks' classes in Label Studio, then export the project again"
        )
    if not every:
        why = "no prediction names the one that holds the classes"
    elif best == 0:
        why = "the answers of none of them are among the classes the predictions name"
    else:
        why = "the answers of more than one of them are among the classes the predictions name"
    raise UnsettledControl(
        f"{where}: its annotations answer several controls that could hold the classes "
        f"({names}), and {why}: give a path,label CSV of the images' classes as the ground "
        "truth instead"
    )


def _answer(annotation: dict, control: str) -> tuple[str, ...] | None:
    """An annotation's choices for `control`; None where it did not answer it."""
    choices = [
        choice
        for result in _choices_results(annotation)
        if result["from_name"] == control
        for choice in _choices(result)
    ]
    return tuple(choices) or None


def _json_min_tasks(
    records: list[dict], where: str, classes: Collection[str] | None, given: str | None = None
) -> tuple[str, list[_Task]]:
    """The key of a JSON_MIN export's answers that holds the classes (`given` where the caller
    names it), and its tasks (records of one task's annotations joined), each with its
    annotations' answers under that key."""
    control, answer_keys = _json_min_control(records, where, classes, given)
    by_task: dict[Any, list[dict]] = {}
    for record in records:
        by_task.setdefault(_hashable(record["id"]), []).append(record)
    datas = [
        {k: v for k, v in records[0].items() if k not in _JSON_MIN_KEYS and k not in answer_keys}
        for records in by_task.values()
    ]
    usual = _usual_image_key(datas, None)
    read = []
    for task_records, data in zip(by_task.values(), datas, strict=True):
        annotated = [record for record in task_records if record.get("annotation_id") is not None]
        answers = tuple(
            answer
            for record in annotated
            if (answer := _json_min_answer(record.get(control))) is not None
        )
        read.append(
            _task(task_records[0], data, answers, False, bool(annotated), where, None, usual)
        )
    return control, read


def _json_min_control(
    records: list[dict], where: str, classes: Collection[str] | None, given: str | None = None
) -> tuple[str, set[str]]:
    """The key of a JSON_MIN export's answers that holds the classes (see `_control`), and the
    keys of all its answers. Its records put the task's data keys beside the answers, and name
    no control's type: a one-line TextArea's answer is a string too. A key of a task without
    annotation is a data key, and so is an image's URL or path."""
    annotated = [record for record in records if record.get("annotation_id") is not None]
    if not annotated:
        raise _no_annotation(where, len({_hashable(record["id"]) for record in records}))
    data_keys = {key for record in records if record.get("annotation_id") is None for key in record}
    answered: dict[str, set[str]] = {}
    for record in annotated:
        for key, value in record.items():
            if key in _JSON_MIN_KEYS or key in data_keys or key == "image" or key[:4] == "zsl_":
                continue
            if _image_like(value):
                continue
            if (answer := _json_min_answer(value)) is not None:
                answered.setdefault(key, set()).update(answer)
    if not answered:
        raise _no_choices(where)
    control = given or _control(answered, set(), _data_classes(records), classes, where)
    return control, set(answered)


def _json_min_answer(value: Any) -> tuple[str, ...] | None:
    """A JSON_MIN record's choices under a key: one as a string, several as {"choices": [...]}."""
    if isinstance(value, str):
        return (value,)
    choices = value.get("choices") if isinstance(value, dict) and len(value) == 1 else None
    if isinstance(choices, list) and choices and all(isinstance(c, str) for c in choices):
        return tuple(choices)
    return None


def _hashable(task_id: Any) -> Any:
    return task_id if isinstance(task_id, (int, str)) else repr(task_id)


def _task(
    task: dict,
    data: dict,
    answers: tuple[tuple[str, ...], ...],
    skipped: bool,
    annotated: bool,
    where: str,
    pointed: str | None = None,
    usual: str | None = None,
) -> _Task:
    """A task's image: zsl's own path where zsl wrote the task, else its image URL (see
    `_image_keys`; `pointed`: the data key its results name, if they name one; `usual`: the
    key the export's tasks hold their image under, which settles several)."""
    task_id = task.get("id")
    keys = _image_keys(data, pointed)
    if len(keys) > 1:
        keys = [usual] if usual in keys else _image_files(data, keys)
    url = data[keys[0]] if len(keys) == 1 else None
    if isinstance(data.get("zsl_path_quoted"), str):
        # As the predictions reader takes it: the exact bytes of a name that is not UTF-8.
        raw = unquote_to_bytes(data["zsl_path_quoted"])
        return _Task(task_id, os.fsdecode(raw), True, answers, skipped, annotated, url)
    if isinstance(data.get("zsl_path"), str) and data["zsl_path"]:
        path = path_from_text(data["zsl_path"])
        return _Task(task_id, path, True, answers, skipped, annotated, url)
    if url is None:
        raise _no_image(data, keys, task_id, where)
    return _Task(task_id, url, False, answers, skipped, annotated, url)


def _image_keys(data: dict, pointed: str | None) -> list[str]:
    """The data keys that could hold a task's image URL: the one its results name (an Image tag
    named as the key it reads) where it holds an image's URL or path, else `image` (zsl's key,
    and Label Studio's default), else each whose value is an image's URL or path (a project
    whose Image tag reads `$img`, or a task uploaded before the project had a labelling config:
    `$undefined$`). zsl's own keys are none: `zsl_path` is no URL."""
    if pointed is not None and _image_like(data.get(pointed)):
        return [pointed]
    if isinstance(data.get("image"), str) and data["image"]:
        return ["image"]
    return [key for key, value in data.items() if key[:4] != "zsl_" and _image_like(value)]


def _image_files(data: dict, keys: list[str]) -> list[str]:
    """Of several keys that could hold a task's image, the one whose value names an image file
    (by its extension, or as Label Studio's own local file or upload), where only one does: a
    product page's link beside the image is no image. All of `keys` where that tells nothing."""
    files = [key for key in keys if _names_image_file(data[key])]
    return files if len(files) == 1 else keys


def _names_image_file(value: str) -> bool:
    lowered = value.lower()
    if "/data/local-files" in lowered or "/data/upload/" in lowered:
        return True
    return os.path.splitext(re.split(r"[?#]", value)[0])[1].lower() in IMAGE_EXTENSIONS


def _usual_image_key(datas: list[dict], pointed: str | None) -> str | None:
    """The data key the export's tasks hold their image under, which settles a task with other
    URLs beside it: the one zsl's own tasks use, else the one most tasks use, among the tasks
    whose image is under one key; None where two keys are as common."""
    zsl: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for data in datas:
        keys = _image_keys(data, pointed)
        if len(keys) > 1:
            keys = _image_files(data, keys)
        if len(keys) == 1:
            own = isinstance(data.get("zsl_path"), str) or "zsl_path_quoted" in data
            (zsl if own else others)[keys[0]] += 1
    for counts in (zsl, others):
        (first, most), *rest = counts.most_common(2) or [("", 0)]
        if most and not (rest and rest[0][1] == most):
            return first
    return None


def _image_like(value: Any) -> bool:
    """Whether a data value is an image's URL or path."""
    if not isinstance(value, str) or not value.strip():
        return False
    return bool(_IMAGE_URL.match(value)) or os.path.splitext(value)[1].lower() in IMAGE_EXTENSIONS


def _no_image(data: dict, keys: list[str], task_id: object, where: str) -> ZslError:
    """The refusal of a task whose data holds no image URL, or several values that could each
    be it (`keys`)."""
    if keys:
        named = [f"'{printable_text(key)}'" for key in sorted(keys)]
        return ZslError(
            f"{where}, task {task_id}: its data keys {listed(named)} could each hold its image: "
            "give a path,label CSV of the images' paths as the ground truth"
        )
    others = [f"'{printable_text(key)}'" for key in sorted(data)]
    if not others:
        which = "no other key"
    elif len(others) == 1:
        which = f"{others[0]} is no image's URL or path"
    elif len(others) == 2:
        which = f"neither {others[0]} nor {others[1]} is an image's URL or path"
    else:
        which = f"none of {', '.join(others)} is an image's URL or path"
    return ZslError(
        f"{where}, task {task_id}: its data has no image (no 'zsl_path' nor 'image' key, and "
        f"{which}): give the export of a project of image tasks"
    )


def _agreed(
    tasks: Iterable[_Task], where: str, control: str, class_key: Callable[[str], str]
) -> ExportedTruth:
    """The tasks whose annotations agree on one class (in `control`: choices of one
    `class_key`); the others counted in warnings. A task zsl did not write is the image of a
    task zsl wrote where it is another task of it (see `_image_of`): a task left out gives no
    class, so the image takes the one its other task gives, and the warning says so."""
    tasks = list(tasks)
    image_of = _image_of(tasks)
    images: list[ExportedImage] = []
    without: list[_Task] = []
    classless: list[_Task] = []  # annotated, but in other controls only
    several: list[_Task] = []
    disputed: list[_Task] = []
    for task in tasks:
        if not task.answers:
            (classless if task.annotated else without).append(task)
        elif any(len(answer) > 1 for answer in task.answers):
            several.append(task)
        elif len({class_key(answer) for (answer,) in task.answers}) > 1:
            disputed.append(task)
        else:
            label = task.answers[0][0]
            image, zsl_path, other_task = image_of(task)
            images.append(ExportedImage(task.id, image, zsl_path, label, task.url, other_task))
    given: dict[str, ExportedImage] = {}
    for exported in images:
        given.setdefault(exported.image, exported)

    def scored(left_out: list[_Task]) -> str:
        return _scored_all_the_same(left_out, given, image_of)

    warnings = []
    if without:
        # Each example of its kind: a lead looking for the skipped one finds it.
        skipped = [task for task in without if task.skipped]
        untouched = [task for task in without if not task.skipped]
        some = "e.g. " if len(skipped) > 1 else ""
        if not skipped:
            them = f" (e.g. task {without[0].id})"
        elif untouched:
            them = (
                f" (e.g. task {untouched[0].id}), {len(skipped)} of them skipped "
                f"({some}task {skipped[0].id})"
            )
        else:
            only = "only skipped ones" if len(skipped) > 1 else "only a skipped one"
            them = f", {only} ({some}task {skipped[0].id})"
        warnings.append(
            f"{counted(len(without), 'task', 'tasks')} of {where} {_have(without)} no "
            f"annotation{them}: no ground truth, left out{scored(without)}"
        )
    in_control = f"a class in '{printable_text(control)}'"
    if classless:
        warnings.append(
            f"{counted(len(classless), 'task')} of {where} {_have(classless)} annotations, but "
            f"none choosing {in_control} (e.g. task {classless[0].id}): no ground truth, left "
            f"out{scored(classless)}"
        )
    if several:
        example = ", ".join(f"'{printable_text(c)}'" for c in max(several[0].answers, key=len))
        warnings.append(
            f"{counted(len(several), 'task')} of {where} {_have(several)} an annotation that "
            f"chooses several classes (e.g. task {several[0].id}: {example}): left out, as "
            f"evaluate takes one class per image{scored(several)}"
        )
    if disputed:
        # Two classes, not two spellings of one (which print alike).
        spellings: dict[str, str] = {}
        for (answer,) in disputed[0].answers:
            spellings.setdefault(class_key(answer), answer)
        first, second = sorted(spellings.values())[:2]
        warnings.append(
            f"{counted(len(disputed), 'task')} of {where} {_have(disputed)} annotations that "
            f"disagree (e.g. task {disputed[0].id}: '{printable_text(first)}' and "
            f"'{printable_text(second)}'): left out{scored(disputed)}; settle them in Label "
            "Studio (keep one annotation, or in a JSON export star one as ground truth)"
        )
    if not images:
        counts = [
            f"{len(without)} without annotation" * bool(without),
            f"{len(classless)} without {in_control}" * bool(classless),
            f"{len(several)} choosing several classes" * bool(several),
            f"{len(disputed)} whose annotations disagree" * bool(disputed),
        ]
        raise ZslError(
            f"{where}: no task gives one class to score against ({', '.join(filter(None, counts))})"
        )
    return ExportedTruth(tuple(images), tuple(warnings))


def _image_of(tasks: list[_Task]) -> Callable[[_Task], tuple[str, bool, str]]:
    """For a task of `tasks`: its image, whether that is zsl's path, and how the task is
    another task of an image zsl wrote a task of (OTHER_TASK_URL, OTHER_TASK_UPLOAD; "" where
    it is none). A task added by hand with the URL of a task zsl wrote is that task's image; so
    is an upload (a teammate uploading an image already in the project) whose file name, as
    Label Studio stores it, is that of one image zsl wrote a task of, annotated or not: else it
    could pair with another run's file of that name, or with none, its image's own truth aside."""
    by_url: dict[str, str | None] = {}
    by_name: dict[str, str | None] = {}
    for task in tasks:
        if task.zsl_path:
            if task.url is not None:
                by_url[task.url] = _one(by_url, task.url, task.image)
            name = uploaded_name(os.path.basename(task.image))
            by_name[name] = _one(by_name, name, task.image)

    def image_of(task: _Task) -> tuple[str, bool, str]:
        if task.zsl_path:
            return task.image, True, ""
        if task.url is not None and (path := by_url.get(task.url)) is not None:
            return path, True, OTHER_TASK_URL
        upload = LABEL_STUDIO_UPLOAD.fullmatch(task.image)
        if upload and (path := by_name.get(unquoted(upload["name"]))) is not None:
            return path, True, OTHER_TASK_UPLOAD
        return task.image, False, ""

    return image_of


def _one(found: dict[str, str | None], key: str, path: str) -> str | None:
    """`path` where `found` has no other path under `key`; None (two images) where it has."""
    return path if found.get(key, path) == path else None


def _scored_all_the_same(
    left_out: list[_Task],
    given: dict[str, ExportedImage],
    image_of: Callable[[_Task], tuple[str, bool, str]],
) -> str:
    """Where the image of tasks `left_out` is one another task gives a class (`given`: each
    image's first such task), that it is scored all the same, as that class, for one of them:
    a warning saying "left out" alone told the image was not scored. "" where there is none."""
    pairs = [(task, given[image]) for task in left_out if (image := image_of(task)[0]) in given]
    if not pairs:
        return ""
    task, other = pairs[0]
    what = other.other_task or "another task of the image"
    of = f"'{printable_text(other.label)}', the class of task {other.task}, {what}"
    if len(left_out) == 1:
        return f", but its image is scored all the same, as {of}"
    some = "e.g. " if len(pairs) > 1 else ""
    one = len(pairs) == 1
    return (
        f", but the image{'' if one else 's'} of {len(pairs)} of them {'is' if one else 'are'} "
        f"scored all the same, as the class another task of {'it' if one else 'each'} gives "
        f"({some}task {task.id}'s: {of})"
    )


def uploaded_name(name: str) -> str:
    """A file's name as Label Studio stores it on upload (Django's get_valid_filename): its ends'
    white space stripped, spaces as '_', and characters other than letters, digits, '-', '_'
    and '.' dropped (the name as it is where nothing would be left: such an upload is refused)."""
    valid = re.sub(r"[^-\w.]", "", name.strip().replace(" ", "_"))
    return name if valid in ("", ".", "..") else valid


def unquoted(text: str) -> str:
    """`text` with its percent-encoding undone, the bytes a file's name (os.fsdecode form)."""
    return os.fsdecode(unquote_to_bytes(text))


def _have(tasks: list[_Task]) -> str:
    return "has" if len(tasks) == 1 else "have"


def _no_choices(where: str) -> ZslError:
    return ZslError(
        f"{where}: no annotation of this Label Studio export answers a Choices control (its "
        "labelling config has none?): evaluate takes one class per image, from a Choices tag"
    )


def _no_annotation(where: str, tasks: int) -> ZslError:
    return ZslError(
        f"{where}: none of its {counted(tasks, 'task')} has an annotation (skipped ones do "
        "not count): annotate them in Label Studio, then export the project again"
    )


# Shell lines that turn another tool's truth file into a path,label CSV, for the refusals of
# those files: each reads the file as given and writes a CSV to the current folder, whose
# relative paths (file names alone, where the export has no more) pair by their ending.


def _shell_path(source: str) -> str:
    return shlex.quote(printable(source))


def written_csv(source: str, name: str = "truth.csv") -> str:
    """`name`, or another where `source` is named so: the shell empties the file a line writes
    before the line reads it (told apart without regard to case, as macOS and Windows do)."""
    if os.path.basename(source).casefold() != name.casefold():
        return name
    stem, extension = os.path.splitext(name)
    return f"{stem}_converted{extension}"


def cut_command(source: str, delimiter: str, dropped: Collection[int], total: int) -> str:
    """A line writing `source`'s table of `total` columns without those `dropped` (0-based)."""
    kept = [index + 1 for index in range(total) if index not in dropped]
    ranges: list[list[int]] = []
    for field in kept:
        if ranges and ranges[-1][-1] == field - 1:
            ranges[-1].append(field)
        else:
            ranges.append([field])
    fields = ",".join(
        str(run[0])
        if len(run) == 1 and run[0] != total
        else f"{run[0]}-{'' if run[-1] == total else run[-1]}"
        for run in ranges
    )
    option = "" if delimiter == "\t" else f"-d{shlex.quote(delimiter)} "  # cut's own: a tab
    return f"cut {option}-f{fields} {_shell_path(source)} > {written_csv(source)}"


def coco_command(source: str) -> str:
    """A jq line writing a COCO annotation file's images, each with its annotations' category
    (an image of several categories, a detection set's, is then refused as labelled twice),
    cells quoted as CSV quotes them (a category named with a comma)."""
    program = (
        "(.categories | map({(.id | tostring): .name}) | add) as $c"
        " | (.images | map({(.id | tostring): .file_name}) | add) as $f"
        ' | "path,label", (.annotations[]'
        " | [$f[.image_id | tostring], $c[.category_id | tostring]] | @csv)"
    )
    return f"jq -r {shlex.quote(program)} {_shell_path(source)} > {written_csv(source)}"


def datumaro_command(source: str) -> str:
    """A jq line writing a Datumaro annotation file's items (`annotations/default.json`, as
    Datumaro and CVAT's Datumaro export write it), each with the class of its label annotations
    (a tag; boxes and other shapes are no image's class): its image's path as written, else its
    id. An item of no label, or of labels of several classes, is left out: it has no one class."""
    program = (
        "(.categories.label.labels | map(.name)) as $n"
        ' | "path,label", (.items[]'
        ' | ([.annotations[]? | select(.type == "label") | .label_id] | unique) as $l'
        " | select($l | length == 1) | [.image.path // .id, $n[$l[0]]] | @csv)"
    )
    return f"jq -r {shlex.quote(program)} {_shell_path(source)} > {written_csv(source)}"


def fiftyone_command(source: str, data: str) -> str:
    """A find and jq line writing a FiftyOne image classification export's labels (labels.json:
    `classes`, a list or null, and `labels`, each image's by its file name less the extension,
    or its path) with the file of `data` (its images' folder) each names. A label is an index
    into `classes` or a class name, or an object of it and its confidence, or a list of those
    (a Classifications field); an image of no label (null) or of several is left out."""
    # Found without a '/' after it: BSD find (macOS) writes two before each file's name.
    folder = printable(data).rstrip("/") or "/"
    program = (
        '(reduce inputs as $p ({}; .[$p | ltrimstr($d) | sub("[.][^./]*$"; "")] = $p)) as $f'
        " | $j[0].classes as $c"
        ' | "path,label", ($j[0].labels | to_entries[]'
        ' | .value |= (if type == "array" and length == 1 then .[0] else . end'
        ' | if type == "object" then .label else . end)'
        ' | select(.value | type == "number" or type == "string")'
        ' | [$f[.key] // .key, (if (.value | type) == "number" then $c[.value] else .value end)]'
        " | @csv)"
    )
    return (
        f"find {shlex.quote(folder)} ! -type d | jq -nrR --arg d {shlex.quote(folder + '/')} "
        f"--slurpfile j {_shell_path(source)} {shlex.quote(program)} > {written_csv(source)}"
    )


def imagenet_solution_command(source: str, image_column: int, labels_column: int) -> str:
    """An awk line writing ImageNet's LOC_val_solution.csv as each image's file name (its id and
    .JPEG) and the first synset id of its PredictionString (columns counted from 0)."""
    script = (
        f'NR > 1 {{split(${labels_column + 1}, w, " "); print ${image_column + 1} ".JPEG," w[1]}}'
    )
    return (
        f"{{ echo path,label; awk -F, {shlex.quote(script)} {_shell_path(source)}; }} "
        f"> {written_csv(source)}"
    )


def imagenet_txt_command(source: str, synsets: str) -> str:
    """An awk line writing a Datumaro or CVAT ImageNet txt export (`<image> <class index>` a
    line) with the class names of `synsets`, a line each from index 0 (line ends of Windows
    dropped), quoted (ImageNet's names hold commas: `tench, Tinca tinca`)."""
    script = (
        'NR == FNR {sub(/\\r$/, ""); c[FNR - 1] = $0; next} FNR == 1 {print "path,label"} '
        r'NF {l = c[$2 + 0]; gsub(/"/, "\"\"", l); print $1 ",\"" l "\""}'
    )
    return (
        f"awk {shlex.quote(script)} {_shell_path(synsets)} {_shell_path(source)} "
        f"> {written_csv(source)}"
    )


def path_column_command(
    source: str, delimiter: str, column: int, header_line: int = 1, extension: str = ""
) -> str:
    """An awk line writing `source`'s table with its `column` (from 0), headed on `header_line`,
    named `path` and, where `extension` is given, each of its cells ended so (ids naming files
    without it; inside a quoted cell's quotes). The cells are split as CSV splits them: a
    quoted cell may hold the delimiter, or a line break, which awk's own split took for the
    ends of cells and rows. Line ends of Windows are dropped: the last column's cells end in
    them."""
    field = f"c[{column + 1}]"
    script = '{sub(/\\r$/, "")} '
    if header_line > 1:  # the lines above the header (`sep=;`) as they are
        script += f"NR < {header_line} {{print; next}} "
    # Each line's fields joined back while a quote is left open (an odd count of '"' in the
    # cell so far); a row left open at the line's end goes on on the next line.
    script += (
        '!NF && p == "" {print; next} '
        '{$0 = p $0; p = ""; split("", c); n = 0; q = 0; for (i = 1; i <= NF; i++) '
        '{if (q) c[n] = c[n] OFS $i; else c[++n] = $i; q = gsub(/"/, "&", c[n]) % 2}} '
        'q {p = $0 "\\n"; next} '
        f'NR == {header_line} {{{field} = "path"}} '
    )
    if extension:
        script += (
            f'NR > {header_line} {{if (!sub(/"$/, "{extension}\\"", {field})) '
            f'{field} = {field} "{extension}"}} '
        )
    script += '{s = c[1]; for (i = 2; i <= n; i++) s = s OFS c[i]; print s} END {printf "%s", p}'
    option = shlex.quote(delimiter)
    return (
        f"awk -F{option} -v OFS={option} {shlex.quote(script)} {_shell_path(source)} "
        f"> {written_csv(source)}"
    )


def unlabelled_rows_command(source: str, delimiter: str) -> str:
    """A grep line writing `source`'s table without its rows whose last cell is empty (the
    label, a table's last column): images exported without a tag. Quoted too (`""`), as R's
    write.csv and exporters that quote every cell write it."""
    pattern = shlex.quote(f'{delimiter}[[:space:]]*("[[:space:]]*")?[[:space:]]*$')
    return f"grep -v -E {pattern} {_shell_path(source)} > {written_csv(source, 'labelled.csv')}"


def filter_command(command: str, source: str, name: str) -> str:
    """A line writing `source` through `command`, a filter (`tr ';' ,`), into the file `name`
    (`written_csv`'s, where `source` is named so)."""
    return f"{command} < {_shell_path(source)} > {written_csv(source, name)}"


def transpose_command(source: str) -> str:
    """An awk line writing a comma-separated table's rows as columns (line ends of Windows
    dropped, blank lines passed over: the last one would leave no column to write): an
    attribute table written attributes x classes as a table of a row per class."""
    script = (
        '{sub(/\\r$/, "")} !NF {next} '
        '{for (i = 1; i <= NF; i++) t[i] = (r ? t[i] "," : "") $i; r = 1; n = NF} '
        "END {for (i = 1; i <= n; i++) print t[i]}"
    )
    target = written_csv(source, "attributes.csv")
    return f"awk -F, {shlex.quote(script)} {_shell_path(source)} > {target}"


def file_names_command(root: str) -> str:
    """A line writing a truth CSV of each file below the class folders of `root` by its file
    name alone and its class folder's name (quoted), which pairs with a prediction of the file
    under another folder by that name."""
    shown = printable(root).rstrip("/") or "/"
    field = len(shown.split("/")) + 1  # awk's field of the class folder
    script = f'{{print $NF ",\\"" ${field} "\\""}}'
    return (
        f"{{ echo path,label; find {shlex.quote(shown)} -mindepth 2 -type f ! -name '.*' "
        f"| awk -F/ {shlex.quote(script)}; }} > {written_csv(root)}"
    )
