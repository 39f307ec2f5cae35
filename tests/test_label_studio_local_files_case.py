"""--ls-url-prefix naming Label Studio's local files in other letter case than its own URL,
/data/local-files/?d= (in its path, or only in the parameter's name): Label Studio routes URLs
case-sensitively (Django's resolver, and the d= parameter by its name), so it serves no image
under /DATA/LOCAL-FILES/?d=. Such a prefix was taken for another web server's, without a word;
it is warned of, and the tasks still written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.label_studio import LabelStudioOptions, check_label_studio_paths, url_prefix_warnings


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root" / "photos").mkdir(parents=True)
    return tmp_path / "root"


def _case_warning(prefix: str) -> str:
    return (
        f"--ls-url-prefix {prefix!r} names Label Studio's local files in other letter case than "
        "its URL, /data/local-files/?d= in lower case: Label Studio matches URLs "
        "case-sensitively and serves no image there, so the tasks will show none; write that "
        "part of the prefix in lower case"
    )


@pytest.mark.parametrize(
    "prefix",
    [
        "/DATA/LOCAL-FILES/?d=photos/",
        "http://ls:8080/Data/local-files/?d=photos",
        "/data/local-files/?D=",  # the path right, only the parameter's name not
        "/data/Local-Files?d=photos/",  # without the slash, as Label Studio also serves it
    ],
)
def test_local_files_in_other_case_are_warned_of_once(root: Path, prefix: str) -> None:
    options = LabelStudioOptions(document_root=root, url_prefix=prefix)
    assert url_prefix_warnings(options) == [_case_warning(prefix)]
    # Said of the options, not again of each image.
    photos = [root / "photos" / "a.jpg", root / "photos" / "b.jpg"]
    assert check_label_studio_paths(photos, options) == []


@pytest.mark.parametrize(
    "prefix",
    [
        "/data/local-files/?d=photos/",
        "/data/local-files?d=photos/",
        "HTTP://LS:8080/data/local-files/?d=photos",  # a scheme and host are the same in any case
        "http://images.example/DATA/photos",  # another web server's path, any case it likes
    ],
)
def test_other_prefixes_get_no_such_warning(root: Path, prefix: str) -> None:
    options = LabelStudioOptions(document_root=root, url_prefix=prefix)
    assert url_prefix_warnings(options) == []


def test_label_warns_in_one_line_and_writes_the_tasks(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_images(Path("root/photos"), 2)
    Path("classes.txt").write_text("cat\ndog\n")
    prefix = "/DATA/LOCAL-FILES/?d=photos/"
    result = run(
        *("label", "root/photos", "-c", "classes.txt", "-m", tiny_clip, "-f", "label-studio"),
        *("--ls-document-root", "root/photos", "--ls-url-prefix", prefix, "-o", "tasks.json"),
    )
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {_case_warning(prefix)}"], result.stderr
    tasks = json.loads(Path("tasks.json").read_text())
    assert sorted(task["data"]["image"] for task in tasks) == [
        prefix + "img_000.png",
        prefix + "img_001.png",
    ]


def test_a_run_from_a_store_warns_before_the_model_load(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The warning is of the options alone: a run from a store said it only once its images
    # were read, after the model load, and not at all where the load failed.
    from zsl_cli import api

    write_images(tmp_path / "root" / "photos", 2)
    store = tmp_path / "s.zsl"
    model = api.ModelOptions(name=tiny_clip)
    inputs = api.InputOptions(paths=(tmp_path / "root" / "photos",))
    api.embed(api.EmbedRequest(store, inputs=inputs, model=model))

    def failed_load(*args: object, **kwargs: object) -> None:
        raise api.ZslError("the model failed to load")

    monkeypatch.setattr(api, "load_encoder", failed_load)
    prefix = "/DATA/LOCAL-FILES/?d=photos/"
    studio = api.LabelStudioOptions(document_root=tmp_path / "root", url_prefix=prefix)
    request = api.LabelRequest(
        classes=api.ClassOptions(classes=["cat", "dog"]),
        model=model,
        output=api.OutputOptions(tmp_path / "tasks.json", "label-studio", studio),
        embeddings=store,
    )
    heard: list[str] = []
    with pytest.raises(api.ZslError, match="failed to load"):
        api.label(request, warn=heard.append)
    assert heard == [_case_warning(prefix)]
