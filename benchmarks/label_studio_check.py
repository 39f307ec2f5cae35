"""Manual check: a real Label Studio server imports zsl's label-studio output and serves its images.

Not part of the test suite (it needs Label Studio, minutes, and a free port). Label Studio is big
and pins its own dependencies, so install it in a separate virtual environment and point this
script at its executable; run the script itself with the zsl environment:

    python3.11 -m venv /work/lsvenv && /work/lsvenv/bin/pip install label-studio==1.23.2
    python benchmarks/label_studio_check.py --label-studio /work/lsvenv/bin/label-studio

(with zsl installed in that environment, or `PYTHONPATH=.` from the repository root).

What it does, all offline on 127.0.0.1 inside a temporary folder:
1. makes a document root with PNG images in `photos/` (awkward names: spaces, '#', '+', '%',
   Unicode, a non-UTF-8 name, a sub-folder, a file that is not an image) and one image directly
   in the root;
2. writes predictions for them with zsl's label-studio writer (ok, abstained "unknown", failed):
   file A as local files (`--document-root`), file B with a URL prefix
   (`/data/local-files/?d=photos/`, i.e. the same server), both with every file, and file C
   as local files with the UTF-8 names, its labels and tag names ones that need escaping in
   XML, for the labelling config zsl writes (`--ls-config`);
   Then files D, E and F from `zsl label` itself (the bundled shapes-demo model, these images)
   with the config it writes (`--ls-config`): D with the awkward class names, `--top-k 3`,
   awkward tag names and a model version of its own; E from `--attributes` with
   `--ls-url-prefix`; F from `--descriptions` with a `--threshold` some images fall below
   (checked: abstentions are tasks without a prediction); H with `--ls-data-key img`, for a
   project whose Image tag reads `$img` (the config zsl writes for it); and file G as local
   files for a config of 2,006 classes (with a filter box for them), its predictions among the
   last ones;
3. `label-studio init` + `label-studio start` with local-files serving enabled and with the
   server's prediction validation on (a feature flag, off by default in 1.23.2), so that an
   import fails unless every prediction fits the project's labelling config (a prediction
   that does not is checked to be refused; servers without the flag, 1.20.0 and older, import
   it, which is printed as a NOTE, and the check compares each prediction with the config as
   the server parsed it: the Choices tag, its Image tag, a choice it offers);
4. per file: a project (Choices from_name "choice", to_name "image"; for C to H zsl's config,
   whose Choice values the server must read back as the class names), a Local Storage on
   `photos/`, and an import of the file exactly as written, through the API; H's tasks with
   their URL under `image` instead are checked to be refused by its project, which reads `$img`;
5. checks that every task arrived with the data and predictions that were written, that the
   project's task list still works, and that every image URL returns HTTP 200 with the file's
   bytes, except for the two cases zsl warns of with a document root (a file directly in the
   root, a non-UTF-8 name), for which Label Studio answers 404; then what a labeller sees:
   the project's model version is the predictions' (the labelling stream pre-annotates with
   that version's alone), the stream's first task with a prediction (the ones before it
   skipped) shows it as written, and the Data Manager's prediction score column holds the
   scores written;
6. per file, also the import the web page makes (the file uploaded as a form, into a project
   of its own), a task annotated twice there, and that the project's JSON and JSON_MIN exports
   read back in zsl as the predictions written;
   and, as the README says to add a second run's predictions to tasks already there, F's
   predictions posted with E's task ids to /import/predictions;
7. for D and H, the review loop the README describes: its tasks uploaded into another project and
   annotated through the API (two predictions accepted, one corrected, a task skipped, one left
   unannotated, one annotated twice with two classes), the JSON and JSON_MIN exports, and
   `zsl evaluate TASKS --truth EXPORT` counting the accepted right and the corrected wrong,
   the tasks left out said in its warnings.
Prints one line per check and exits 1 if any check failed. Passes with label-studio 1.15.0,
1.20.0 and 1.23.2.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from pathlib import Path

from arguments import at_least  # benchmarks/arguments.py, beside this script
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # zsl_cli from this checkout

from zsl_cli.errors import ZslError  # noqa: E402
from zsl_cli.label_studio import (  # noqa: E402
    LabelStudioOptions,
    check_label_studio_paths,
    label_studio_config,
)
from zsl_cli.readers import read_predictions  # noqa: E402
from zsl_cli.records import LabelScore, Prediction  # noqa: E402
from zsl_cli.writers import open_writer  # noqa: E402

TOKEN = "zslcheck0123456789"
REPOSITORY = Path(__file__).resolve().parents[1]
# Label Studio 1.23.2 checks imported predictions against the labelling config only with this on.
VALIDATION_FLAG = "fflag_feat_utc_210_prediction_validation_15082025"
LABEL_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <Choices name="choice" toName="image" choice="single">
    <Choice value="red circle"/><Choice value="blue square"/><Choice value="green star"/>
  </Choices>
</View>"""
# Class names that need escaping in the config zsl writes (--ls-config), for project C.
AWKWARD_CLASSES = [
    "blue, square",
    '"green" star',
    "it's <b>bold</b> & co",
    "A & B > C",
    "café 猫 🐱",
    "spaced   out",
]


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> None:
        self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {what}" + (f"  ({detail})" if detail else ""))


def make_images(photos: Path) -> dict[str, bytes]:
    """Writes the test images; returns {os.fsdecode(path): file bytes}."""
    names = [
        b"red circle 1.png",
        "猫 #1+2%.png".encode(),
        b"caf\xe9.png",  # Latin-1 name: not valid UTF-8
        b"unknown.png",
        b"sub/deep one.png",
    ]
    files = {}
    for number, name in enumerate(names):
        target = os.path.join(os.fsencode(photos), name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        buffer = io.BytesIO()
        Image.new("RGB", (16, 16), (40 * number, 100, 200)).save(buffer, format="PNG")
        with open(target, "wb") as file:
            file.write(buffer.getvalue())
        files[os.fsdecode(target)] = buffer.getvalue()
    broken = photos / "broken.png"
    broken.write_bytes(b"not a png")
    files[str(broken)] = b"not a png"
    return files


def predictions_for(files: dict[str, bytes]) -> list[Prediction]:
    paths = list(files)
    labels = ["red circle", "blue square", "green star", "unknown", "red circle"]
    predictions = [
        Prediction(
            path=path,
            label=label,
            score=0.9 - 0.1 * number,
            top_k=(LabelScore("red circle", 0.9 - 0.1 * number), LabelScore("green star", 0.05)),
        )
        for number, (path, label) in enumerate(zip(paths[:5], labels, strict=True))
    ]
    predictions.append(
        Prediction(path=paths[5], label="", score=None, status="not_an_image", error="bad header")
    )
    return predictions


def prediction_summary(predictions: list[dict]) -> list[tuple]:
    """What matters in Label Studio predictions (the server adds ids, dates, ...)."""
    summary = []
    for prediction in predictions:
        result = prediction["result"][0]
        summary.append(
            (
                prediction["model_version"],
                round(prediction["score"], 6),
                result["from_name"],
                result["to_name"],
                result["type"],
                result["value"]["choices"],
            )
        )
    return summary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_error(port: int) -> str | None:
    """Why the server cannot listen on 127.0.0.1:`port`, or None. Label Studio, finding a port
    taken, starts on the next one without failing, and the check would then wait 5 minutes for
    /health on the wrong port (or question whatever else answers there)."""
    with socket.socket() as probe:
        if os.name == "posix":  # as the server binds: a port a past run left in TIME_WAIT is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def request(
    base: str, method: str, path: str, body: object = None, content_type: str = "application/json"
) -> tuple[int, bytes, str]:
    """(status, body, content type); `body` is JSON-encoded unless it is bytes already."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Token {TOKEN}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def wait_until_up(base: str, server: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(base + "/health", timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(2)
    return False


def write_tasks(target: Path, predictions: list[Prediction], options: LabelStudioOptions) -> bytes:
    with open_writer(str(target), "label-studio", label_studio=options) as writer:
        for prediction in predictions:
            writer.write(prediction)
        writer.close({"model": "synthetic"})
    return target.read_bytes()


def zsl_label(work: Path, name: str, photos: Path, options: list[str]) -> tuple[bytes, str]:
    """The tasks and labelling config `zsl label` writes for the images in `photos`."""
    tasks, config = work / f"tasks-{name}.json", work / f"config-{name}.xml"
    command = [sys.executable, "-m", "zsl_cli", "label", str(photos), "-m", "shapes-demo"]
    command += ["-f", "label-studio", "-o", str(tasks), "--ls-config", str(config), "-q"]
    pythonpath = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": pythonpath}
    subprocess.run([*command, *options], env=env, check=True)
    return tasks.read_bytes(), config.read_text(encoding="utf-8")


def upload(base: str, project: int, name: str, data: bytes) -> tuple[int, bytes, str]:
    """An import as the web page makes it: the file sent as a form."""
    boundary = f"zsl{time.monotonic_ns()}"
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    path = f"/api/projects/{project}/import?commit_to_project=true"
    return request(base, "POST", path, form, f"multipart/form-data; boundary={boundary}")


def is_utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode kept undecodable bytes as lone surrogates
        return False
    return True


def original_path(task: dict) -> str:
    """The input path of a task zsl wrote (exact even for non-UTF-8 names)."""
    data = task["data"]
    if "zsl_path_quoted" in data:
        return os.fsdecode(urllib.parse.unquote_to_bytes(data["zsl_path_quoted"]))
    return data["zsl_path"]


def check_import(
    checks: Checks,
    base: str,
    title: str,
    tasks_bytes: bytes,
    photos: Path,
    files: dict,
    label_config: str = LABEL_CONFIG,
    labels: list[str] | None = None,
) -> int | None:
    """Project + Local Storage + import of `tasks_bytes`; then every task, prediction and image.
    With `labels`, also that the server reads exactly these Choice values from `label_config`.
    Returns the project's id, None if it could not be made."""
    config = {"title": title, "label_config": label_config}
    status, body, _ = request(base, "POST", "/api/projects", config)
    checks.check(status == 201, f"[{title}] create project", f"HTTP {status}")
    if status != 201:
        print(f"    {body[:300]!r}")
        return None
    project = json.loads(body)["id"]
    parsed = json.loads(body).get("parsed_label_config", {})
    if labels is not None:
        got = [tag.get("labels") for tag in parsed.values() if tag.get("type") == "Choices"]
        what = f"[{title}] the server reads the classes from the config"
        checks.check(got == [labels], what, f"{got}")
    storage = {"project": project, "path": str(photos), "title": "photos", "use_blob_urls": True}
    status, body, _ = request(base, "POST", "/api/storages/localfiles", storage)
    checks.check(status == 201, f"[{title}] create Local Storage on photos/", f"HTTP {status}")

    written = json.loads(tasks_bytes)
    misfits = predictions_not_in_config(written, parsed)
    what = f"[{title}] every prediction names the config's tags and one of its choices"
    checks.check(not misfits, what, "; ".join(misfits[:3]))
    status, body, _ = request(base, "POST", f"/api/projects/{project}/import", tasks_bytes)
    check_imported(checks, f"[{title}] import", written, status, body)

    status, body, _ = request(base, "GET", f"/api/tasks/?project={project}&page_size=100")
    checks.check(status == 200, f"[{title}] the project's task list works", f"HTTP {status}")
    if status != 200:
        return project
    listed = json.loads(body)
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    stored_by_path = {}
    for task in listed:
        status, body, _ = request(base, "GET", f"/api/tasks/{task['id']}/")
        stored = json.loads(body)
        stored_by_path[original_path(stored)] = stored

    key = image_key(label_config)
    for task in written:
        path = original_path(task)
        name = f"[{title}] {ascii(os.path.relpath(path, photos))}"
        stored = stored_by_path.get(path)
        if stored is None:
            checks.check(False, f"{name}: task stored")
            continue
        checks.check(stored["data"] == task["data"], f"{name}: data stored as written")
        got = prediction_summary(stored.get("predictions", []))
        want = prediction_summary(task.get("predictions", []))
        checks.check(got == want, f"{name}: predictions stored", f"{got}")

        status, body, kind = request(base, "GET", task["data"][key])
        detail = f"HTTP {status}, {kind}, {len(body)} bytes, url {task['data'][key]}"
        if "zsl_path_quoted" in task["data"]:
            what = f"{name}: not served (Label Studio decodes d= as UTF-8)"
            checks.check(status == 404, what, detail)
        else:
            served = status == 200 and body == files[path]
            checks.check(served, f"{name}: image URL serves the file", detail)
    check_labeller_view(checks, base, title, project, written)
    return project


def image_key(label_config: str) -> str:
    """The task data key the config's Image tag reads (its value="$key")."""
    image = ElementTree.fromstring(label_config).find(".//Image")
    value = image.get("value", "") if image is not None else ""
    return value[1:] if value.startswith("$") else "image"


def check_refused_without_key(
    checks: Checks, base: str, title: str, tasks_bytes: bytes, label_config: str
) -> None:
    """A project whose Image tag reads another key refuses the same tasks with their URL under
    `image`, as zsl writes them without --ls-data-key: what the option is for."""
    key = image_key(label_config)
    moved = [
        {**task, "data": {("image" if k == key else k): v for k, v in task["data"].items()}}
        for task in json.loads(tasks_bytes)
    ]
    config = {"title": f"{title} under image", "label_config": label_config}
    status, body, _ = request(base, "POST", "/api/projects", config)
    if status != 201:
        checks.check(False, f"[{title}] create project for tasks under image", f"HTTP {status}")
        return
    project = json.loads(body)["id"]
    status, body, _ = request(base, "POST", f"/api/projects/{project}/import", moved)
    what = f"[{title}] the project refuses the tasks with their URL under 'image'"
    said = body.decode("utf-8", "replace").replace('\\"', '"')  # its JSON's quotes unescaped
    refused = status == 400 and f'"{key}" key is expected' in said
    checks.check(refused, what, f"HTTP {status}, {said[:300]}")


def predictions_not_in_config(written: list, parsed: dict) -> list[str]:
    """The predictions the labelling screen cannot show as a pre-selected choice: ones naming a
    Choices tag, an Image tag or a choice that the project's config (as the server parsed it)
    lacks. Servers before the prediction validation flag import them without a word."""
    misfits = []
    for task in written:
        for prediction in task.get("predictions", []):
            for result in prediction["result"]:
                tag = parsed.get(result["from_name"], {})
                if (
                    tag.get("type", "").lower() != result["type"]
                    or result["to_name"] not in tag.get("to_name", [])
                    or not set(result["value"]["choices"]) <= set(tag.get("labels", []))
                ):
                    misfits.append(f"{task['data'].get('zsl_path')}: {result}")
    return misfits


def check_labeller_view(checks: Checks, base: str, title: str, project: int, written: list) -> None:
    """What a labeller sees after the import: the project pre-annotates with the version of
    the predictions written (the labelling stream shows only that version's), the next task of
    the stream carries its prediction as written, and the Data Manager's prediction score
    column holds each task's score."""
    versions = {p["model_version"] for task in written for p in task.get("predictions", [])}
    status, body, _ = request(base, "GET", f"/api/projects/{project}/")
    chosen = json.loads(body).get("model_version") if status == 200 else f"HTTP {status}"
    if versions:
        what = f"[{title}] the project pre-annotates with the predictions' model version"
        checks.check(chosen in versions, what, f"project {chosen!r}, predictions {versions}")
    by_path = {original_path(task): task for task in written}
    for _ in written:  # skipped, as a labeller does, until a task with a prediction comes
        status, body, _ = request(base, "GET", f"/api/projects/{project}/next/")
        shown = json.loads(body) if status == 200 else {}
        task = by_path.get(original_path(shown)) if shown.get("data") else None
        if task is None or task.get("predictions") or not versions:
            break
        skip = {"result": [], "was_cancelled": True}
        request(base, "POST", f"/api/tasks/{shown['id']}/annotations/?project={project}", skip)
    got = prediction_summary(shown.get("predictions", []))
    want = prediction_summary(task.get("predictions", [])) if task is not None else None
    what = f"[{title}] the labelling stream shows a task's prediction as written"
    detail = f"HTTP {status}, {ascii(task['data']['zsl_path']) if task else None}: {got}"
    checks.check(task is not None and got == want and bool(got) == bool(versions), what, detail)
    path = f"/api/tasks/?project={project}&page_size=100&fields=all"
    status, body, _ = request(base, "GET", path)
    listed = json.loads(body) if status == 200 else []
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    wrong = []
    for stored in listed:
        predictions = by_path[original_path(stored)].get("predictions", [])
        want_score = predictions[0]["score"] if predictions else None
        got_score = stored.get("predictions_score", "missing")
        if not (
            got_score == want_score
            or isinstance(got_score, float)
            and want_score is not None
            and abs(got_score - want_score) < 1e-6
        ):
            wrong.append(f"{ascii(stored['data']['zsl_path'])}: {got_score} for {want_score}")
    what = f"[{title}] the Data Manager's prediction score column holds the scores written"
    detail = f"HTTP {status}, {len(listed)} tasks" + (f"; {'; '.join(wrong[:3])}" if wrong else "")
    checks.check(status == 200 and len(listed) == len(written) and not wrong, what, detail)


def check_added_predictions(
    checks: Checks, base: str, title: str, project: int, tasks_bytes: bytes
) -> None:
    """The README's way to add a run's predictions to the tasks already there: each prediction
    with its task's id (matched by zsl_path), posted to /import/predictions."""
    status, body, _ = request(base, "GET", f"/api/tasks/?project={project}&page_size=100")
    listed = json.loads(body) if status == 200 else []
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    ids = {original_path(task): task["id"] for task in listed}
    added = {}
    for task in json.loads(tasks_bytes):
        for prediction in task.get("predictions", []):
            added[ids[original_path(task)]] = {**prediction, "task": ids[original_path(task)]}
    path = f"/api/projects/{project}/import/predictions"
    status, body, _ = request(base, "POST", path, list(added.values()))
    created = json.loads(body).get("created") if status == 201 else None
    what = f"[{title}] {len(added)} predictions of another run added to its tasks"
    checks.check(created == len(added), what, f"HTTP {status}, created={created}")
    stored = []
    for task_id, prediction in added.items():
        status, body, _ = request(base, "GET", f"/api/tasks/{task_id}/")
        kept = json.loads(body).get("predictions", []) if status == 200 else []
        stored.append(prediction_summary([prediction])[0] in prediction_summary(kept))
    what = f"[{title}] each of those tasks holds the added prediction beside its own"
    checks.check(all(stored) and bool(stored), what, f"{sum(stored)} of {len(stored)}")


def check_imported(checks: Checks, what: str, written: list, status: int, body: bytes) -> None:
    summary = json.loads(body) if status == 201 else {}
    with_predictions = sum(1 for task in written if task.get("predictions"))
    checks.check(
        status == 201
        and summary.get("task_count") == len(written)
        and summary.get("prediction_count") == with_predictions,
        f"{what} {len(written)} tasks with {with_predictions} predictions",
        f"HTTP {status}, task_count={summary.get('task_count')}, "
        f"prediction_count={summary.get('prediction_count')}"
        + ("" if status == 201 else f", {body[:500]!r}"),
    )


def check_upload_and_export(
    checks: Checks, base: str, title: str, tasks_path: Path, label_config: str
) -> None:
    """The file imported as the web page does it, into a project of its own; a task with a
    prediction annotated twice (its prediction accepted by two labellers); then its JSON and
    JSON_MIN exports read by zsl as the predictions of the file (README: an export reads as the
    tasks file, once per task, not the annotations)."""
    tasks_bytes = tasks_path.read_bytes()
    written = json.loads(tasks_bytes)
    config = {"title": f"{title} upload", "label_config": label_config}
    status, body, _ = request(base, "POST", "/api/projects", config)
    if status != 201:
        checks.check(False, f"[{title}] create project for the upload", f"HTTP {status}")
        return
    project = json.loads(body)["id"]
    status, body, _ = upload(base, project, tasks_path.name, tasks_bytes)
    check_imported(checks, f"[{title}] upload (web page import)", written, status, body)
    status, body, _ = request(base, "GET", f"/api/tasks/?project={project}&page_size=100")
    listed = json.loads(body) if status == 200 else []
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    ids = {original_path(task): task["id"] for task in listed}
    predicted = next((task for task in written if task.get("predictions")), None)
    if predicted is not None:
        annotation = {"result": predicted["predictions"][0]["result"]}
        path = f"/api/tasks/{ids.get(original_path(predicted))}/annotations/?project={project}"
        made = [request(base, "POST", path, annotation)[0] for _ in range(2)]
        checks.check(made == [201, 201], f"[{title}] a task annotated twice", f"HTTP {made}")
    want = sorted(read_predictions(tasks_path), key=lambda p: p.path)
    for kind in ("JSON", "JSON_MIN"):
        path = f"/api/projects/{project}/export?exportType={kind}&download_all_tasks=true"
        status, body, _ = request(base, "GET", path)
        checks.check(status == 200, f"[{title}] {kind} export", f"HTTP {status}")
        if status != 200:
            continue
        exported = tasks_path.with_name(f"export-{kind}-{tasks_path.name}")
        exported.write_bytes(body)
        try:
            got = sorted(read_predictions(exported), key=lambda p: p.path)
        except ZslError as error:
            got = [error.message]
        what = f"[{title}] zsl reads the {kind} export as the predictions written"
        checks.check(got == want, what, "" if got == want else f"{got[:2]} for {want[:2]}")


def check_annotated_truth(
    checks: Checks, base: str, title: str, tasks_path: Path, label_config: str, classes: list[str]
) -> None:
    """The README's review loop: the file uploaded into a project of its own, its tasks
    annotated through the API as labellers would (predictions accepted, predictions corrected,
    a task skipped, one left unannotated, one whose two annotators disagree), the project
    exported as JSON and JSON_MIN, and `zsl evaluate TASKS --truth EXPORT` counting exactly
    the accepted ones right and the corrected ones wrong, the others left out and said."""
    tasks_bytes = tasks_path.read_bytes()
    written = json.loads(tasks_bytes)
    config = {"title": f"{title} annotated", "label_config": label_config}
    status, body, _ = request(base, "POST", "/api/projects", config)
    if status != 201:
        checks.check(False, f"[{title}] create project for the annotations", f"HTTP {status}")
        return
    project = json.loads(body)["id"]
    status, body, _ = upload(base, project, tasks_path.name, tasks_bytes)
    check_imported(checks, f"[{title}] upload for the annotations", written, status, body)
    status, body, _ = request(base, "GET", f"/api/tasks/?project={project}&page_size=100")
    listed = json.loads(body) if status == 200 else []
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    ids = {original_path(task): task["id"] for task in listed}
    predicted = sorted((t for t in written if t.get("predictions")), key=original_path)
    others = sorted((t for t in written if not t.get("predictions")), key=original_path)
    if len(predicted) < 5 or not others or len(classes) < 2:
        what = f"[{title}] 5 tasks with a prediction and 1 without, to annotate"
        checks.check(False, what, f"{len(predicted)} and {len(others)}")
        return

    def annotate(task: dict, result: list, cancelled: bool = False) -> int:
        path = f"/api/tasks/{ids.get(original_path(task))}/annotations/?project={project}"
        return request(base, "POST", path, {"result": result, "was_cancelled": cancelled})[0]

    def answer(choice: str) -> list:
        """A choice for the Choices tag zsl's predictions fill."""
        result = predicted[0]["predictions"][0]["result"][0]
        return [{**result, "value": {"choices": [choice]}}]

    def corrected_class(task: dict) -> str:
        wrong = task["predictions"][0]["result"][0]["value"]["choices"][0]
        return next(name for name in classes if name != wrong)

    accepted = [predicted[0], predicted[2]]
    corrected = [predicted[1]]
    made = [annotate(task, task["predictions"][0]["result"]) for task in accepted]
    made += [annotate(task, answer(corrected_class(task))) for task in corrected]
    made.append(annotate(predicted[3], [], cancelled=True))  # skipped; predicted[4] left alone
    made += [annotate(others[0], answer(choice)) for choice in classes[:2]]
    checks.check(made == [201] * 6, f"[{title}] 6 annotations made through the API", f"{made}")
    # Label Studio 1.23.2 leaves the skipped task out of JSON_MIN, and lists the unannotated
    # one there with null annotation fields.
    unannotated = {"JSON": "2 tasks of", "JSON_MIN": "1 task of"}
    for kind in ("JSON", "JSON_MIN"):
        path = f"/api/projects/{project}/export?exportType={kind}&download_all_tasks=true"
        status, body, _ = request(base, "GET", path)
        checks.check(status == 200, f"[{title}] {kind} export of the annotations", f"HTTP {status}")
        if status != 200:
            continue
        exported = tasks_path.with_name(f"annotated-{kind}-{tasks_path.name}")
        exported.write_bytes(body)
        metrics = tasks_path.with_name(f"metrics-{kind}.json")
        command = [sys.executable, "-m", "zsl_cli", "evaluate", str(tasks_path)]
        command += ["--truth", str(exported), "--json", str(metrics), "-q"]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPOSITORY)}
        ran = subprocess.run(command, env=env, capture_output=True, text=True)
        what = f"[{title}] zsl evaluate TASKS --truth the {kind} export"
        checks.check(ran.returncode == 0, what, ran.stderr.strip()[-500:])
        if ran.returncode != 0:
            continue
        result = json.loads(metrics.read_text(encoding="utf-8"))
        n, overall = result["n"], result["top_k"]["1"]["overall"]
        right = round(n * overall)
        want = (len(accepted) + len(corrected), len(accepted))
        what = f"[{title}] {kind}: {want[1]} right and {want[0] - want[1]} wrong"
        checks.check((n, right) == want, what, f"{right} right of {n}")
        warnings = result["warnings"]
        said = [
            any(w.startswith(unannotated[kind]) and "no annotation" in w for w in warnings),
            any("1 task of" in w and "disagree" in w for w in warnings),
        ]
        what = f"[{title}] {kind}: the tasks left out are said (no annotation, disagreeing)"
        checks.check(all(said), what, "; ".join(warnings))


def expect_warning(
    checks: Checks, what: str, path: Path | str, options: LabelStudioOptions, phrase: str
) -> None:
    warnings = check_label_studio_paths([path], options)
    checks.check(any(phrase in warning for warning in warnings), what, "; ".join(warnings))


def run(label_studio: str, work: Path, port: int) -> int:
    checks = Checks()
    root = work / "document-root"
    photos = root / "photos"
    photos.mkdir(parents=True)
    files = make_images(photos)
    top = root / "top.png"
    Image.new("RGB", (8, 8)).save(top)
    predictions = predictions_for(files)

    local = LabelStudioOptions(document_root=root, model_version="zsl-check")
    non_utf8 = [p for p in predictions if not is_utf8(p.path)]
    what = "zsl warns of a file directly in the document root"
    expect_warning(checks, what, top, local, "directly in the Label Studio document root")
    what = "zsl warns of a non-UTF-8 name as a local file"
    expect_warning(checks, what, non_utf8[0].path, local, "not valid UTF-8")
    servable = [p for p in predictions if p not in non_utf8]
    checks.check(not check_label_studio_paths([p.path for p in servable], local), "no warning")
    # Every task is written, the non-UTF-8 ones too (check_import expects a 404 for those).
    tasks_a = write_tasks(work / "tasks-local-files.json", predictions, local)
    prefixed = LabelStudioOptions(
        document_root=photos, url_prefix="/data/local-files/?d=photos/", model_version="zsl-check"
    )
    what = "zsl warns of a non-UTF-8 name under a URL prefix naming the server's local files"
    expect_warning(checks, what, non_utf8[0].path, prefixed, "not valid UTF-8")
    bare = replace(prefixed, document_root=root, url_prefix="/data/local-files/?d=")
    what = "zsl warns of a file directly in the root under a URL prefix '?d='"
    expect_warning(checks, what, top, bare, "directly in the Label Studio document root")
    tasks_b = write_tasks(work / "tasks-url-prefix.json", predictions, prefixed)
    # C: the labelling config zsl writes (--ls-config), with tag and class names to escape.
    named = LabelStudioOptions(
        from_name='zsl "choice"', to_name="photo & co", document_root=root, model_version="zsl-c"
    )
    config_c = label_studio_config(AWKWARD_CLASSES, named).decode("utf-8")
    relabelled = [
        replace(p, label=AWKWARD_CLASSES[n % len(AWKWARD_CLASSES)])
        if p.ok and p.label != "unknown"
        else p
        for n, p in enumerate(servable)
    ]
    tasks_c = write_tasks(work / "tasks-zsl-config.json", relabelled, named)
    # D, E, F: written by `zsl label` itself, with the config it writes.
    classes = work / "classes.txt"
    classes.write_text("".join(f"{name}\n" for name in AWKWARD_CLASSES), encoding="utf-8")
    samples = REPOSITORY / "sample_images"
    attributes, descriptions = samples / "attributes.csv", samples / "descriptions.json"
    runs = {
        "D zsl label": (
            ["-c", str(classes), "--top-k", "3", "--ls-document-root", str(root)]
            + ["--ls-from-name", "my <choice> & co", "--ls-to-name", "the 'image'"]
            + ["--ls-model-version", "zsl check D"],
            AWKWARD_CLASSES,
        ),
        "E attributes": (
            ["--attributes", str(attributes), "--ls-document-root", str(photos)]
            + ["--ls-url-prefix", "/data/local-files/?d=photos/"],
            [line.split(",")[0] for line in attributes.read_text().splitlines()[1:] if line],
        ),
        "F descriptions": (
            # Scores are 0.6 to 0.92 on these images: some are abstentions ("unknown").
            ["--descriptions", str(descriptions), "--threshold", "0.75"]
            + ["--ls-document-root", str(root), "--ls-model-version", "zsl check F"],
            list(json.loads(descriptions.read_text())),
        ),
        "H data key": (
            ["-c", str(classes), "--ls-document-root", str(root), "--ls-data-key", "img"]
            + ["--ls-model-version", "zsl check H"],
            AWKWARD_CLASSES,
        ),
    }
    labelled = {}
    for title, (options, labels) in runs.items():
        name = title.split()[0]
        tasks, config = zsl_label(work, name, photos, options)
        labelled[title] = (tasks, config, labels, work / f"tasks-{name}.json")
    what = "H: the config zsl writes for --ls-data-key img reads $img, where the tasks hold it"
    tasks_h, config_h = labelled["H data key"][:2]
    keys = {key for task in json.loads(tasks_h) for key in task["data"] if key[:4] != "zsl_"}
    checks.check(image_key(config_h) == "img" and keys == {"img"}, what, f"{keys}")
    written_f = json.loads(labelled["F descriptions"][0])
    abstained = [t for t in written_f if t["data"]["zsl_label"] == "unknown"]
    what = "F: --threshold makes abstentions, tasks without a prediction, beside labelled ones"
    checks.check(
        bool(abstained)
        and not any("predictions" in task for task in abstained)
        and any("predictions" in task for task in written_f),
        what,
        f"{len(abstained)} of {len(written_f)} unknown",
    )
    # G: a config of many classes, as --ls-config writes it for a large class list; the
    # predictions pick classes at its end.
    many = [f"class {number:04d}" for number in range(2000)] + AWKWARD_CLASSES
    config_g = label_studio_config(many, local).decode("utf-8")
    # Its filter box, which the server must accept (the project is made with this config).
    what = "G: a config of many classes has a filter box bound to its choices"
    checks.check('<Filter name="choice-filter" toName="choice"' in config_g, what)
    tasks_g = write_tasks(
        work / "tasks-many-classes.json",
        [
            replace(p, label=many[-1 - n]) if p.ok and p.label != "unknown" else p
            for n, p in enumerate(servable)
        ],
        local,
    )

    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(work / "ls-data"),
        "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "true",
        "LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT": str(root),
        "LATEST_VERSION_CHECK": "false",  # offline: no call to pypi.org
        "COLLECT_ANALYTICS": "false",
        VALIDATION_FLAG: "true",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    }
    log = (work / "label-studio.log").open("w")
    account = ["--username", "check@example.com", "--password", "checkpass123"]
    token = ["--user-token", TOKEN]
    # Servers with personal access tokens take the fixed token only with this flag; older ones
    # (label-studio 1.15.0) have no such flag and refuse it.
    usage = subprocess.run(
        [label_studio, "init", "--help"], env=env, capture_output=True, text=True
    )
    if "--enable-legacy-api-token" in usage.stdout:
        token.append("--enable-legacy-api-token")
    init = [label_studio, "init", str(work / "project"), *account, *token]
    started = time.monotonic()
    subprocess.run(init, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    print(f"label-studio init: {time.monotonic() - started:.0f} s")
    start = [label_studio, "start", str(work / "project"), "--no-browser"]
    start += ["--internal-host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        start, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        up = wait_until_up(base, server, 300)
        checks.check(up, "server answers /health", f"log: {work / 'label-studio.log'}")
        if not up:
            return 1
        status, body, _ = request(base, "GET", "/api/version")
        version = json.loads(body).get("release") if status == 200 else None
        print(f"label-studio version: {version}")

        # The server refuses a prediction that does not fit the config: the imports below
        # that pass show that zsl's predictions fit. Servers before the validation flag
        # (label-studio 1.20.0) import it: there the check's own comparison with the config
        # the server parsed is what shows it.
        status, body, _ = request(base, "POST", "/api/projects", {"label_config": LABEL_CONFIG})
        project = json.loads(body)["id"] if status == 201 else None
        parsed = json.loads(body).get("parsed_label_config", {}) if status == 201 else {}
        misfit = {"from_name": "choice", "to_name": "image", "type": "choices"}
        misfit["value"] = {"choices": ["not a class"]}
        task = {"data": {"image": "/x.png"}, "predictions": [{"result": [misfit]}]}
        what = "the check finds a prediction that does not fit the labelling config"
        checks.check(bool(predictions_not_in_config([task], parsed)), what)
        status, body, _ = request(base, "POST", f"/api/projects/{project}/import", [task])
        what = "the server refuses a prediction that does not fit the labelling config"
        if status == 201:
            print(f"NOTE  {what}: not this version, which imports it (HTTP {status})")
        else:
            checks.check(status == 400 and b"validation" in body.lower(), what, f"HTTP {status}")

        check_import(checks, base, "A local files", tasks_a, photos, files)
        check_import(checks, base, "B url prefix", tasks_b, photos, files)
        title = "C zsl config"
        check_import(checks, base, title, tasks_c, photos, files, config_c, AWKWARD_CLASSES)
        check_upload_and_export(checks, base, title, work / "tasks-zsl-config.json", config_c)
        check_import(checks, base, "G many classes", tasks_g, photos, files, config_g, many)
        projects = {}
        for title, (tasks, config, labels, path) in labelled.items():
            projects[title] = check_import(
                checks, base, title, tasks, photos, files, config, labels
            )
            check_upload_and_export(checks, base, title, path, config)
            if title in ("D zsl label", "H data key"):
                check_annotated_truth(checks, base, title, path, config, labels)
            if title == "H data key":
                check_refused_without_key(checks, base, title, tasks, config)
        # E and F label the same classes (tag names "choice" and "image"): F's predictions fit E.
        if projects["E attributes"] is not None:
            tasks_f = labelled["F descriptions"][0]
            check_added_predictions(checks, base, "E + F", projects["E attributes"], tasks_f)
        status, body, _ = request(base, "GET", "/data/local-files/?d=top.png")
        what = "a file directly in the document root is not served"
        checks.check(status == 404, what, f"HTTP {status}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server's own process group (new session)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    print(f"{checks.failed} check(s) failed")
    return 1 if checks.failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--label-studio", default="label-studio", help="the label-studio executable"
    )
    parser.add_argument("--port", type=at_least(0, 65535), default=0, help="default: a free port")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if shutil.which(args.label_studio) is None:
        parser.error(f"--label-studio {args.label_studio!r}: no such executable")
    if args.port and (error := port_error(args.port)):
        parser.error(f"--port {args.port}: cannot listen on it ({error})")
    # `timeout` and CI runners stop a run with SIGTERM: exit through the `finally` clauses, which
    # stop the server (in a session of its own, a signal to this process misses it).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = Path(tempfile.mkdtemp(prefix="zsl-ls-check-"))
    try:
        return run(args.label_studio, work, args.port or free_port())
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
