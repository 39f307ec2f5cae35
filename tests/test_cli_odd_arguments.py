"""Odd command-line values, as a fuzzer of the CLI found them: each ends in one `zsl: error:`
line and a documented exit code, never a traceback or a hang."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, write_images

resource = pytest.importorskip("resource")  # the memory limit below; not on Windows

# /dev/zero read whole takes every byte of memory the process may have: capped here, a
# regression is a MemoryError traceback rather than the test machine's memory.
MEMORY_LIMIT = 4 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_zsl(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "zsl_cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    """Two images in class folders, their class list and their predictions."""
    for name in ("red", "blue"):
        write_images(tmp_path / "truth" / name, 1)
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    predictions = "path,label,score,top_k_labels,top_k_scores,status,error\n" + "".join(
        f"truth/{name}/img_000.png,{name},0.9,{name},0.9,ok,\n" for name in ("red", "blue")
    )
    (tmp_path / "p.csv").write_text(predictions)
    return tmp_path


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "args",
    [
        ("label", "truth", "-m", "shapes-demo", "-c", "/dev/zero"),
        ("label", "truth", "-m", "shapes-demo", "--attributes", "/dev/zero"),
        ("label", "truth", "-m", "shapes-demo", "--descriptions", "/dev/zero"),
        ("label", "truth", "-m", "shapes-demo", "-c", "classes.txt", "-t", "/dev/zero"),
        ("evaluate", "/dev/zero", "--truth", "truth"),
        ("evaluate", "p.csv", "--truth", "/dev/zero"),
        ("evaluate", "p.csv", "--truth", "truth", "--seen", "/dev/zero"),
    ],
    ids=lambda args: " ".join(args[:1] + args[-2:]),
)
def test_a_device_that_never_ends_given_as_a_text_file_is_refused_as_binary(world, args):
    # Read whole, /dev/zero filled the memory until a MemoryError traceback (the run took the
    # machine's memory without a limit); its first bytes already say that it is no text.
    done = run_zsl(world, *args)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("zsl: error: ")
    assert "/dev/zero" in done.stderr and "binary" in done.stderr


def test_a_pipe_of_nul_bytes_given_as_the_predictions_is_refused_before_it_ends(world):
    # `cat /dev/zero | zsl evaluate -`: a pipe is copied to a temporary file before it is read,
    # and the copy went on until the disk was full. 256 MB stand for the endless stream here.
    blocks = 256
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "zsl_cli", "evaluate", "-", "--truth", "truth"],
        cwd=world,
        env=env,
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    ) as process:
        assert process.stdin is not None and process.stderr is not None
        written = 0
        try:
            while written < blocks:
                process.stdin.write(bytes(1 << 20))
                written += 1
        except BrokenPipeError:
            pass
        finally:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
        error = process.stderr.read().decode()
        assert process.wait(timeout=120) == 2, error[-2000:]
    assert error == "zsl: error: 'stdin' is binary, not predictions written by 'zsl label'\n"
    assert written < blocks


@pytest.mark.parametrize("command", ["label", "embed", "hubness"])
def test_an_empty_path_argument_is_named_as_one(world, command, monkeypatch):
    # `zsl label "$PHOTOS"` with the variable unset; the error read 'no such file or directory:'
    # and ended there, the name it quoted being empty.
    monkeypatch.chdir(world)
    options = ["-s", "s.zsl"] if command == "embed" else ["-c", "classes.txt"]
    result = run(command, "truth", "", *options, "-m", "shapes-demo")
    assert result.exit_code == 2
    assert result.stderr == ("zsl: error: '' names no file or folder (an unset shell variable?)\n")


@pytest.mark.parametrize("version", ["", " "])
@pytest.mark.parametrize("fmt", ["label-studio", "csv"])
def test_an_empty_label_studio_model_version_is_refused(world, version, fmt, monkeypatch):
    # `--ls-model-version "$VERSION"` with the variable unset ran with the default version in
    # its place, and with csv output the option was not even refused as label-studio's alone.
    monkeypatch.chdir(world)
    result = run(
        "label", "truth", "-c", "classes.txt", "-m", "shapes-demo", "-f", fmt,
        "--ls-document-root", ".", "--ls-model-version", version,
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("zsl: error: --ls-model-version is empty")
    assert result.stderr.count("\n") == 1


LONG_NAME = "n" * 300  # longer than a file name may be (255 bytes): ENAMETOOLONG


@pytest.mark.parametrize(
    "args",
    [
        ("label", "truth", "-c", "classes.txt", "--embeddings", LONG_NAME),
        ("label", "truth", "-c", "classes.txt", "--embeddings", f"truth/{LONG_NAME}/s.zsl"),
        ("embed", "truth", "-s", LONG_NAME),
        ("embed", "truth", "-s", "s.zsl", "--export", f"{LONG_NAME}.npy"),
        ("evaluate", LONG_NAME, "--truth", "truth"),
    ],
    ids=["label --embeddings", "label --embeddings in a folder", "embed -s", "embed --export",
         "evaluate"],
)  # fmt: skip
def test_a_path_longer_than_a_file_name_is_one_line(world, args, monkeypatch):
    # pathlib's exists() and is_dir() raise ENAMETOOLONG where os.path's say no: each of these
    # ended in a traceback.
    monkeypatch.chdir(world)
    model = () if args[0] == "evaluate" else ("-m", "shapes-demo")
    result = run(*args, *model)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert LONG_NAME in result.stderr and "too long" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("label", "truth", "-c", "classes.txt", "--embeddings", "locked/s.zsl"),
        ("embed", "truth", "-s", "locked/s.zsl"),
        ("evaluate", "locked/p.csv", "--truth", "truth"),
        ("evaluate", "p.csv", "--truth", "locked/truth.csv"),  # was 'ground truth not found'
    ],
    ids=["label --embeddings", "embed -s", "evaluate", "evaluate --truth"],
)
def test_a_path_in_a_folder_that_may_not_be_searched_is_one_line(world, args, monkeypatch):
    # pathlib's exists() and is_dir() raise EACCES where os.path's say no (a folder of another
    # user's, chmod 700): each of these ended in a traceback and exit 1. Root may search any
    # folder, so the refusal is the file system's answer as a user gets it.
    monkeypatch.chdir(world)
    (world / "locked").mkdir()
    stat, lstat = os.stat, os.lstat

    def refused(real):
        def look_up(path, *args, **kwargs):
            if isinstance(path, (str, os.PathLike)) and "locked/" in os.fspath(path):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)

        return look_up

    monkeypatch.setattr(os, "stat", refused(stat))
    monkeypatch.setattr(os, "lstat", refused(lstat))
    model = () if args[0] == "evaluate" else ("-m", "shapes-demo")
    result = run(*args, *model)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert "locked/" in result.stderr and "Permission denied" in result.stderr


def test_an_image_path_longer_than_a_file_name_is_a_missing_path(world, monkeypatch):
    # No file can have that name: the run went on and wrote an 'unreadable' row for it, exit 0,
    # where a path on the command line that does not exist stops the run.
    monkeypatch.chdir(world)
    result = run("label", f"truth/{LONG_NAME}.png", "-c", "classes.txt", "-m", "shapes-demo")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"zsl: error: no such file or directory: truth/{LONG_NAME}.png\n"


def test_a_top_k_that_is_not_utf8_shows_its_byte(tmp_path):
    # `-k $'\xe9'` in a UTF-8 locale: the message showed Python's '\udce9' for the byte.
    result = run("evaluate", tmp_path / "p.csv", "--truth", tmp_path, "-k", "\udce9")
    assert result.exit_code == 2
    assert result.stderr.startswith("zsl: error: --top-k '\\xe9': give comma-separated")


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_a_threshold_that_is_no_number_names_its_option(world, value, monkeypatch):
    # The option's range [0.0<=x<=1.0] let nan through to 'threshold nan: scores lie in [0, 1]'.
    monkeypatch.chdir(world)
    result = run("label", "truth", "-m", "shapes-demo", "-c", "classes.txt", "--threshold", value)
    assert result.exit_code == 2
    assert result.stderr == "zsl: error: --threshold nan: give a score from 0 to 1\n"


@pytest.mark.parametrize(
    ("command", "option", "values"),
    [
        ("label", "-c", ("classes.txt", "more.txt")),
        ("label", "--classes", ("classes.txt", "more.txt")),
        ("hubness", "-c", ("classes.txt", "more.txt")),
        ("label", "--descriptions", ("d.json", "d.json")),
        ("label", "-t", ("default", "imagenet7")),
    ],
)
def test_a_class_option_given_twice_is_refused(world, command, option, values, monkeypatch):
    # `-c seen.txt -c unseen.txt` labelled with the unseen classes alone, the seen ones dropped
    # without a word (the last value of an option wins).
    monkeypatch.chdir(world)
    (world / "more.txt").write_text("green\n")
    (world / "d.json").write_text('{"red": ["a red colour"]}')
    args = [arg for value in values for arg in (option, value)]
    if option in ("--descriptions", "-t"):
        args += ["-c", "classes.txt"]
    result = run(command, "truth", *args, "-m", "shapes-demo")
    assert result.exit_code == 2 and result.stdout == ""
    name = {"-c": "--classes", "-t": "--templates"}.get(option, option)
    assert result.stderr.startswith(f"zsl: error: {name} given 2 times"), result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("evaluate", ["p.csv", "--truth", "truth", "--truth", "truth"]),
        ("hubness", ["truth", "-c", "classes.txt", "--truth", "truth", "--truth", "truth"]),
        ("label", ["-c", "classes.txt", "--embeddings", "a.zsl", "--embeddings", "b.zsl"]),
    ],
)
def test_a_truth_or_store_given_twice_is_refused(world, command, args, monkeypatch):
    # Read as two truth folders or two stores, of which the last alone was used.
    monkeypatch.chdir(world)
    result = run(command, *args)
    assert result.exit_code == 2 and result.stdout == ""
    option = "--truth" if "--truth" in args else "--embeddings"
    assert result.stderr == (
        f"zsl: error: {option} given 2 times: give it once (see 'zsl {command} --help')\n"
    )


@pytest.mark.parametrize("command", ["evaluate", "hubness"])
def test_a_seen_list_given_twice_is_refused(world, command, monkeypatch):
    # `--seen seen.txt --seen unseen.txt` measured with the unseen list as the seen classes, the
    # first list dropped without a word, as -c did with two class lists.
    monkeypatch.chdir(world)
    (world / "seen.txt").write_text("red\n")
    (world / "more.txt").write_text("blue\n")
    inputs = ["p.csv"] if command == "evaluate" else ["truth", "-c", "classes.txt"]
    model = [] if command == "evaluate" else ["-m", "shapes-demo"]
    seen = ["--seen", "seen.txt", "--seen", "more.txt"]
    result = run(command, *inputs, *model, "--truth", "truth", *seen)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "zsl: error: --seen given 2 times: give it once, joining the files "
        f"(cat a.txt b.txt > all.txt) (see 'zsl {command} --help')\n"
    )


@pytest.mark.parametrize(
    ("command", "args", "option"),
    [
        (
            "evaluate",
            ["p.csv", "--truth", "truth", "--report", "r.html", "--report", "r.png"],
            "--report",
        ),
        (
            "evaluate",
            ["p.csv", "--truth", "truth", "--json", "a.json", "--json", "b.json"],
            "--json",
        ),
        ("label", ["truth", "-c", "classes.txt", "-o", "a.csv", "--output", "b.jsonl"], "--output"),
        ("embed", ["truth", "-s", "a.zsl", "--store", "b.zsl"], "--store"),
        ("embed", ["-s", "a.zsl", "--export", "a.npy", "--export", "b.parquet"], "--export"),
    ],
)
def test_an_output_given_twice_is_refused(world, command, args, option, monkeypatch):
    # The last file alone was written, the first asked for without a word: `--report r.html
    # --report r.png` wrote no HTML report.
    monkeypatch.chdir(world)
    result = run(command, *args, *([] if command == "evaluate" else ["-m", "shapes-demo"]))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"zsl: error: {option} given 2 times: give it once, and run again for another file "
        f"(see 'zsl {command} --help')\n"
    )
    assert not any((world / name).exists() for name in ("r.html", "r.png", "a.zsl", "b.zsl"))


@pytest.mark.parametrize("command", ["label", "embed", "hubness"])
@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--device", "tpu"], "--device tpu: choose auto, cpu, cuda, cuda:N or mps"),
        (
            ["--precision", "fp8"],
            "--precision fp8: choose auto, fp32, fp16 or bf16 (or as run info records them: "
            "float32, float16, bfloat16)",
        ),
    ],
    ids=["device", "precision"],
)
def test_a_device_or_precision_of_no_kind_is_told_before_any_work(
    world, command, option, said, monkeypatch
):
    # Told when the model loaded: after the inputs were scanned and torch imported (6-7 s here
    # for a typo), and after any other problem, such as a model folder that is not there.
    monkeypatch.chdir(world)
    inputs = ["-s", "x.zsl"] if command == "embed" else ["-c", "classes.txt"]
    result = run(command, "no-such-folder", *inputs, "-m", "./no-such-model", *option)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"zsl: error: {said}\n"


@pytest.mark.parametrize(
    ("args", "first", "second"),
    [
        (
            ["label", "truth", "-c", "classes.txt", "-f", "label-studio"]
            + ["--ls-document-root", ".", "-o", "t.json", "--ls-config", "./t.json"],
            "-o t.json",
            "--ls-config ./t.json",  # as typed
        ),
        (
            ["embed", "truth", "-s", "s.zsl", "--export", "e.npy", "--json", "e.npy"],
            "--export e.npy",
            "--json e.npy",
        ),
        (
            ["evaluate", "p.csv", "--truth", "truth", "--json", "r.html", "--report", "r.html"],
            "--json r.html",
            "--report r.html",
        ),
        (
            ["label", "truth", "-c", "classes.txt", "-f", "label-studio"]
            + ["--ls-document-root", ".", "-o", "t.json", "--ls-config", "t.json.run.json"],
            "the run info file of -o t.json",
            "--ls-config t.json.run.json",
        ),
        (
            # An output's run info file is written or removed with it: no other output goes there.
            ["evaluate", "p.csv", "--truth", "truth", "--json", "r.html.run.json"]
            + ["--report", "r.html"],
            "--json r.html.run.json",
            "the run info file of --report r.html",
        ),
        (
            ["embed", "truth", "-s", "s.zsl", "--export", "e.npy", "--json", "e.npy.paths.csv"],
            "the path index of --export e.npy",
            "--json e.npy.paths.csv",
        ),
    ],
    ids=["label", "embed", "evaluate", "label run info", "evaluate run info", "embed index"],
)
def test_two_outputs_into_one_file_name_both_options(world, monkeypatch, args, first, second):
    # "t.json and t.json are the same file" named neither option.
    monkeypatch.chdir(world)
    result = run(*args, *(["-m", "shapes-demo"] if args[0] != "evaluate" else []))
    assert result.exit_code == 2
    assert (
        result.stderr == f"zsl: error: {first} and {second} are the same file: give each its own\n"
    )
    assert sorted(path.name for path in world.iterdir()) == ["classes.txt", "p.csv", "truth"]


def test_the_library_names_two_outputs_in_one_file_by_their_options(world, monkeypatch):
    # Through the API the run info clash read "t.json.run.json and /tmp/.../t.json.run.json
    # are the same file", where the CLI named -o and --ls-config.
    from zsl_cli import api
    from zsl_cli.errors import ZslError

    monkeypatch.chdir(world)
    studio = api.LabelStudioOptions(config="t.json.run.json", document_root=".")
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=("truth",)),
        classes=api.ClassOptions(["red", "blue"]),
        model=api.ModelOptions(name="shapes-demo"),
        output=api.OutputOptions(path="t.json", format="label-studio", label_studio=studio),
    )
    with pytest.raises(ZslError) as error:
        api.label(request)
    assert error.value.message == (
        "the run info file of -o t.json and --ls-config t.json.run.json are the same file: "
        "give each its own"
    )


@pytest.mark.parametrize("methods", [[""], [","], [" ", ""]])
def test_hubness_methods_naming_no_method_name_the_option(world, monkeypatch, methods):
    # `--methods "$METHODS"` with the variable unset: "no hubness methods given" did not say
    # which option gave none.
    monkeypatch.chdir(world)
    given = [arg for value in methods for arg in ("--methods", value)]
    result = run("hubness", "truth", "-c", "classes.txt", "-m", "shapes-demo", *given)
    assert result.exit_code == 2
    assert result.stderr.startswith("zsl: error: --methods ")
    assert "no hubness methods given" in result.stderr and result.stderr.count("\n") == 1


def test_the_entry_point_exits_with_the_documented_interrupted_status():
    # zsl_cli.__main__ spells it out, as importing zsl_cli.errors there could be interrupted.
    code = "import zsl_cli.__main__ as m, zsl_cli.errors as e; print(m.EXIT_INTERRUPTED)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    from zsl_cli.errors import EXIT_INTERRUPTED

    assert done.stdout.strip() == str(EXIT_INTERRUPTED), done.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("label", "truth", "-c", "classes.txt", "-k", "abc"), "'abc' is not a whole number"),
        (("label", "truth", "-c", "classes.txt", "-b", "1.5"), "'1.5' is not a whole number"),
        (("label", "truth", "-c", "classes.txt", "--threshold", "50%"), "'50%' is not a number"),
        (("hubness", "truth", "-c", "classes.txt", "-k", "ten"), "'ten' is not a whole number"),
    ],
)
def test_a_value_that_is_not_a_number_is_said_so_not_named_by_its_type(
    world: Path, args: tuple[str, ...], said: str
) -> None:
    done = run_zsl(world, *args)
    assert done.returncode == 2
    assert said in done.stderr and "range" not in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_label_top_k_below_0_is_refused_by_the_command_line_first(world: Path) -> None:
    # Typer checks --top-k before the library sees it: its message names both spellings.
    result = run("label", world / "truth", "-c", world / "classes.txt", "--top-k", "-1")
    assert result.exit_code == 2
    assert result.stderr == (
        "zsl: error: Invalid value for '--top-k' / '-k': -1 is not in the range x>=0 "
        "(see 'zsl label --help')\n"
    )


def test_the_library_names_the_option_of_a_value_it_refuses():
    # The CLI checked these itself, in other words than the library's ("threshold nan: scores
    # lie in [0, 1]", "ks (0,): ...", "unknown hubness reduction 'x'"), which named no option.
    from zsl_cli import api
    from zsl_cli.errors import ZslError
    from zsl_cli.hubness import check_methods

    refused = [
        (lambda: api.Decision(threshold=float("nan")), "--threshold nan: give a score from 0 to 1"),
        # It said "top_k 7.5", the field's name, where --threshold's names the option.
        (lambda: api.Decision(top_k=7.5), "--top-k 7.5: give 0 (every class) or more"),
        (lambda: api.Decision(top_k=-1), "--top-k -1: give 0 (every class) or more"),
        (
            lambda: api.EvaluateRequest("p.csv", "truth", ks=(5, 0)),
            "--top-k '5,0': every k must be a whole number, 1 or more",
        ),
        (
            lambda: check_methods(["all"], "--hubness-reduction"),
            "--hubness-reduction 'all': choose none, csls, isoftmax, centering or mp",
        ),
        (
            lambda: check_methods([]),
            "--methods '': no hubness methods given: choose from none, csls, isoftmax, centering "
            "and mp, or all",
        ),
    ]
    for call, message in refused:
        with pytest.raises(ZslError) as error:
            call()
        assert error.value.message == message
