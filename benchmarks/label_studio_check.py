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
3. `label-studio init` + `label-studio start` with local-files serving enabled;
4. per file: a project (Choices from_name "choice", to_name "image"; for C zsl's config,
   whose Choice values the server must read back as the class names), a Local Storage on
   `photos/`, and an import of the file exactly as written, through the API;
5. checks that every task arrived with the data and predictions that were written, that the
   project's task list still works, and that every image URL returns HTTP 200 with the file's
   bytes, except for the two cases zsl warns of with a document root (a file directly in the
   root, a non-UTF-8 name), for which Label Studio answers 404.
Prints one line per check and exits 1 if any check failed.
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
from dataclasses import replace
from pathlib import Path

from arguments import at_least  # benchmarks/arguments.py, beside this script
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # zsl_cli from this checkout

from zsl_cli.records import LabelScore, Prediction  # noqa: E402
from zsl_cli.writers import (  # noqa: E402
    LabelStudioOptions,
    check_label_studio_paths,
    label_studio_config,
    open_writer,
)

TOKEN = "zslcheck0123456789"
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


def request(base: str, method: str, path: str, body: object = None) -> tuple[int, bytes, str]:
    """(status, body, content type); `body` is JSON-encoded unless it is bytes already."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Token {TOKEN}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
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
) -> None:
    """Project + Local Storage + import of `tasks_bytes`; then every task, prediction and image.
    With `labels`, also that the server reads exactly these Choice values from `label_config`."""
    config = {"title": title, "label_config": label_config}
    status, body, _ = request(base, "POST", "/api/projects", config)
    checks.check(status == 201, f"[{title}] create project", f"HTTP {status}")
    if status != 201:
        print(f"    {body[:300]!r}")
        return
    project = json.loads(body)["id"]
    if labels is not None:
        parsed = json.loads(body).get("parsed_label_config", {})
        got = [tag.get("labels") for tag in parsed.values() if tag.get("type") == "Choices"]
        what = f"[{title}] the server reads the classes from the config"
        checks.check(got == [labels], what, f"{got}")
    storage = {"project": project, "path": str(photos), "title": "photos", "use_blob_urls": True}
    status, body, _ = request(base, "POST", "/api/storages/localfiles", storage)
    checks.check(status == 201, f"[{title}] create Local Storage on photos/", f"HTTP {status}")

    written = json.loads(tasks_bytes)
    status, body, _ = request(base, "POST", f"/api/projects/{project}/import", tasks_bytes)
    summary = json.loads(body) if status == 201 else {}
    with_predictions = sum(1 for task in written if task.get("predictions"))
    checks.check(
        status == 201
        and summary.get("task_count") == len(written)
        and summary.get("prediction_count") == with_predictions,
        f"[{title}] import {len(written)} tasks with {with_predictions} predictions",
        f"HTTP {status}, task_count={summary.get('task_count')}, "
        f"prediction_count={summary.get('prediction_count')}",
    )

    status, body, _ = request(base, "GET", f"/api/tasks/?project={project}&page_size=100")
    checks.check(status == 200, f"[{title}] the project's task list works", f"HTTP {status}")
    if status != 200:
        return
    listed = json.loads(body)
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    stored_by_path = {}
    for task in listed:
        status, body, _ = request(base, "GET", f"/api/tasks/{task['id']}/")
        stored = json.loads(body)
        stored_by_path[original_path(stored)] = stored

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

        status, body, kind = request(base, "GET", task["data"]["image"])
        detail = f"HTTP {status}, {kind}, {len(body)} bytes, url {task['data']['image']}"
        if "zsl_path_quoted" in task["data"]:
            what = f"{name}: not served (Label Studio decodes d= as UTF-8)"
            checks.check(status == 404, what, detail)
        else:
            served = status == 200 and body == files[path]
            checks.check(served, f"{name}: image URL serves the file", detail)


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

    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(work / "ls-data"),
        "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "true",
        "LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT": str(root),
        "LATEST_VERSION_CHECK": "false",  # offline: no call to pypi.org
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    }
    log = (work / "label-studio.log").open("w")
    account = ["--username", "check@example.com", "--password", "checkpass123"]
    token = ["--user-token", TOKEN, "--enable-legacy-api-token"]
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

        check_import(checks, base, "A local files", tasks_a, photos, files)
        check_import(checks, base, "B url prefix", tasks_b, photos, files)
        title = "C zsl config"
        check_import(checks, base, title, tasks_c, photos, files, config_c, AWKWARD_CLASSES)
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
