"""File names under a file system encoding other than UTF-8: a C locale without UTF-8 mode
(PYTHONUTF8=0, as on a bare CI box) or a Latin-1 locale. Python spells file names otherwise there
(os.fsdecode), so zsl writes a path as the name's bytes read as UTF-8 in every locale: the file is
found again from the output, and files made in one locale pair up in another.

Each test runs zsl in a subprocess with that locale, and skips where the system lacks it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from zsl_cli.encoders import BUNDLED_DIR

SAMPLES = Path(__file__).resolve().parent.parent / "sample_images"
CLASSES = {"red circle": "red circle", "blüe square": "blue square"}  # class: sample folder
# UTF-8 names, a Latin-1 name (bytes that are not UTF-8) and a plain one, also as folders.
NAMES = ["café.png".encode(), "日本.png".encode(), b"caf\xe9.png", b"plain.png"]
FOLDERS = [b"", "sous-café/".encode(), b"dir\xe9/"]

LOCALES = {
    "C": ({"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}, "ascii"),
    "Latin-1": ({"PYTHONUTF8": "0"}, "iso8859-1"),  # and conftest's latin1_locale
}


@pytest.fixture(params=sorted(LOCALES))
def locale_env(request: pytest.FixtureRequest) -> dict[str, str]:
    settings, encoding = LOCALES[request.param]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    if request.param == "Latin-1":
        env.update(request.getfixturevalue("latin1_locale"))
    env.update(settings, PYTHONPATH=str(SAMPLES.parent))
    code = "import sys; print(sys.getfilesystemencoding())"
    found = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if found.stdout.strip() != encoding:  # a locale the system lacks falls back to C
        pytest.skip(f"no {request.param} locale here (file names in {found.stdout.strip()})")
    env["ZSL_TEST_LOCALE"] = request.param
    return env


def make_world(root: Path) -> list[bytes]:
    """Class folders of sample images under `root`; returns the images' paths relative to it."""
    images = []
    for index, (name, sample) in enumerate(CLASSES.items()):
        sources = sorted((SAMPLES / sample).glob("*.png"))
        for folder in FOLDERS:
            place = os.path.join(os.fsencode(root), name.encode(), folder)
            os.makedirs(place, exist_ok=True)
            for number, file in enumerate(NAMES):
                shutil.copyfile(sources[(index + number) % len(sources)], place + file)
                images.append(name.encode() + b"/" + folder + file)
    (root / "classes.txt").write_text(
        "red circle\nblüe square: a photo of a blue square.\n", encoding="utf-8"
    )
    return sorted(images)


def as_text(path: bytes) -> str:
    """How a path is written in a UTF-8 locale."""
    return path.decode("utf-8", "surrogateescape")


def run_python(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done


LABEL_AND_EMBED = """
from zsl_cli.api import (
    ClassOptions, EmbedRequest, InputOptions, LabelRequest, ModelOptions, OutputOptions,
    embed, label, open_encoder,
)
from zsl_cli.label_studio import LabelStudioOptions

model = ModelOptions(name="shapes-demo")
encoder = open_encoder(model)
inputs = InputOptions(paths=("world",))
classes = ClassOptions(classes="world/classes.txt")
for name in ("out/p.csv", "out/p.jsonl", "out/p.json", "out/p.ls.json"):
    studio = LabelStudioOptions(document_root=".") if name.endswith(".ls.json") else None
    kind = "label-studio" if studio else None
    output = OutputOptions(path=name, format=kind, label_studio=studio)
    report = label(LabelRequest(inputs=inputs, classes=classes, model=model, output=output),
                   encoder=encoder)
    assert report.by_status == {"ok": 24}, report.by_status
    if studio:
        print(ascii(report.warnings))
embed(EmbedRequest(store="out/s.zsl", inputs=inputs, model=model, export="out/e.npy"),
      encoder=encoder)
"""


def test_label_and_embed_write_paths_as_a_utf8_locale_does(
    tmp_path: Path, locale_env: dict[str, str]
) -> None:
    # A folder whose name is not ASCII: the run info records it, and evaluate reads it back.
    labelled_in = tmp_path / "run-café"
    images = make_world(labelled_in / "world")
    (labelled_in / "out").mkdir()
    done = run_python(LABEL_AND_EMBED, locale_env, labelled_in)
    wanted = [as_text(b"world/" + image) for image in images]
    out = labelled_in / "out"

    # Under Latin-1 the path written as UTF-8 was the Latin-1 spelling (cafÃ©, or café for
    # caf\xe9: another file); under C, JSON held caf\udcc3\udca9 where a UTF-8 locale writes café.
    raw = (out / "p.csv").read_bytes().decode("utf-8", "surrogateescape")
    assert sorted(row["path"] for row in csv.DictReader(io.StringIO(raw, newline=""))) == wanted
    lines = (out / "p.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["path"] for line in lines) == wanted
    document = json.loads((out / "p.json").read_text(encoding="utf-8"))
    assert sorted(p["path"] for p in document["predictions"]) == wanted
    for path in wanted:  # every path names its file again
        assert os.path.isfile(
            os.fsencode(labelled_in) + b"/" + path.encode("utf-8", "surrogateescape")
        )
    for run in (document["run"], json.loads((out / "p.csv.run.json").read_bytes())):
        assert run["cwd"] == as_text(os.fsencode(labelled_in))

    tasks = json.loads((out / "p.ls.json").read_text(encoding="utf-8"))
    assert sorted(task["data"]["zsl_path"] for task in tasks) == sorted(
        path.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for path in wanted
    )
    # The Latin-1 names' tasks can show no image: the run says so in every locale.
    assert "12 images are named in bytes that are not valid UTF-8" in done.stdout.decode()

    exported = (out / "e.npy.paths.csv").read_bytes().decode("utf-8", "surrogateescape")
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert sorted(row["path"] for row in rows) == [
        as_text(os.fsencode(labelled_in)) + "/" + path for path in wanted
    ]

    # Evaluated from another folder, relative paths start where the labelling ran: every image
    # is paired by its path (not by its ending), and the folder classes are the run's classes.
    truth = os.fsencode(labelled_in / "world")
    for predictions in ("p.csv", "p.jsonl", "p.json", "p.ls.json"):
        result = evaluate(os.fsencode(out / predictions), truth, locale_env, tmp_path)
        assert result["unmatched"]["matched_by_relative_path"] == 0, predictions
        assert result["truth"] == as_text(truth)


def evaluate(
    predictions: str | bytes, truth: str | bytes, env: dict[str, str], cwd: Path, *more: str
) -> dict:
    command = [sys.executable, "-m", "zsl_cli", "evaluate", predictions, "--truth", truth]
    command += ["--json", "-", *more]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    result = json.loads(done.stdout)
    assert result["n"] == 24
    assert result["unmatched"]["predictions"]["count"] == 0
    assert result["unmatched"]["truth"]["count"] == 0
    assert sorted(result["per_class"]) == sorted(CLASSES)
    assert result["top_k"]["1"]["overall"] == 1.0
    if env["ZSL_TEST_LOCALE"] == "Latin-1":  # the table, on stderr, in the terminal's encoding
        assert "blüe square" in done.stderr.decode("latin-1")
    return result


def test_evaluate_reads_utf8_paths_and_truth(tmp_path: Path, locale_env: dict[str, str]) -> None:
    # Predictions and a truth CSV as zsl writes them in a UTF-8 locale: under C, reading them
    # ended in a UnicodeEncodeError traceback; under Latin-1 no path matched, and the class
    # folder blüe square was a class blÃ¼e square no prediction names.
    images = make_world(tmp_path / "world")
    rows = [("world/" + as_text(image), as_text(image).split("/")[0]) for image in images]
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["path", "label", "score", "top_k_labels", "top_k_scores", "status", "error"])
    writer.writerows((path, label, "1", label, "1", "ok", "") for path, label in rows)
    (tmp_path / "p.csv").write_bytes(text.getvalue().encode("utf-8", "surrogateescape"))
    (tmp_path / "p.jsonl").write_text(
        "".join(
            json.dumps({"path": p, "label": c, "score": 1, "status": "ok"}) + "\n" for p, c in rows
        )
    )
    truth = io.StringIO(newline="")
    csv.writer(truth, lineterminator="\n").writerows([("path", "label"), *rows])
    (tmp_path / "truth.csv").write_bytes(truth.getvalue().encode("utf-8", "surrogateescape"))

    for predictions in ("p.csv", "p.jsonl"):
        for truth_source in ("world", "truth.csv"):
            result = evaluate(predictions, truth_source, locale_env, tmp_path)
            assert result["unmatched"]["matched_by_relative_path"] == 0
            assert result["truth"] == truth_source

    # Class names are text, shown as they are: under Latin-1 the report showed bl\xfce square.
    evaluate("p.csv", "world", locale_env, tmp_path, "--report", "report.html")
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "blüe square" in report and "bl\\xfce" not in report


def test_a_model_folder_and_a_template_file_are_named_as_a_utf8_locale_does(
    tmp_path: Path, locale_env: dict[str, str]
) -> None:
    # Under C, the store refused the model folder's name with a UnicodeEncodeError traceback;
    # under Latin-1 the store, embed --json, the Label Studio tasks and the run info named
    # modÃ¨le where a UTF-8 locale writes modèle (the template file, in the run info, likewise).
    # Under C, Python reads a typed argument's non-ASCII bytes as surrogate escapes: a template
    # typed there ended in the tokenizer's TypeError traceback.
    terminal = "latin-1" if locale_env["ZSL_TEST_LOCALE"] == "Latin-1" else "utf-8"
    typed_template = "une photo très {}".encode(terminal)
    make_world(tmp_path / "world")
    shutil.copytree(BUNDLED_DIR / "shapes-demo", tmp_path / "modèle")
    (tmp_path / "modèles.txt").write_text("a photo of a {}.\n", encoding="utf-8")
    zsl = [sys.executable, "-m", "zsl_cli"]
    model = ["-m", "./modèle".encode()]
    commands = [
        ["embed", "world", "--store", "s.zsl", *model, "--json", "e.json"],
        ["label", "world", "-c", "world/classes.txt", *model, "--embeddings", "s.zsl"]
        + ["--templates", "modèles.txt".encode(), "-o", "p.json"],
        ["label", "world", "-c", "world/classes.txt", *model, "-f", "label-studio"]
        + ["--ls-document-root", ".", "-o", "p.ls.json", "-t", typed_template],
    ]
    for command in commands:
        done = subprocess.run(zsl + command, env=locale_env, cwd=tmp_path, capture_output=True)
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")

    assert json.loads((tmp_path / "e.json").read_bytes())["model"] == "./modèle"
    with sqlite3.connect(tmp_path / "s.zsl") as store:
        # As an absolute folder, which runs in other folders can give as it is.
        assert store.execute("SELECT name FROM models").fetchall() == [(str(tmp_path / "modèle"),)]
    run = json.loads((tmp_path / "p.json").read_bytes())["run"]
    assert run["model"]["name"] == "./modèle"
    assert run["classes"]["templates"] == "modèles.txt"
    tasks = json.loads((tmp_path / "p.ls.json").read_bytes())
    versions = {p["model_version"] for task in tasks for p in task.get("predictions", [])}
    # The folder's name as typed where it is a folder's own, not the path it was typed as.
    assert len(versions) == 1 and re.fullmatch(r"zsl-.+:modèle#[0-9a-f]{8}", versions.pop())
    typed = json.loads((tmp_path / "p.ls.json.run.json").read_bytes())["classes"]["templates"]
    assert typed == "une photo très {}"
