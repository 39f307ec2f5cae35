"""Option values and a dataset info's feature name quoted in messages as other messages quote a
name (formatting.quoted_text and quoted_line): the joiners of an Indic or emoji name (U+200D)
as written, not as Python's repr wrote them (\\u200d); controls escaped; a long value cut between
grapheme clusters, never inside a flag or an emoji's ZWJ sequence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli import api
from zsl_cli.classes import load_class_spec
from zsl_cli.errors import ZslError
from zsl_cli.label_studio import (
    LabelStudioOptions,
    check_label_studio_options,
    url_prefix_warnings,
)

ZWJ = "\u200d"
KSSA = f"क्{ZWJ}ष"  # a Devanagari half form, held by its joiner
FAMILY = f"\U0001f468{ZWJ}\U0001f469{ZWJ}\U0001f467"  # one person-family emoji
FLAG = "\U0001f1ef\U0001f1f5"  # Japan's flag: two regional indicators


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_images(tmp_path / "photos", 1)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    monkeypatch.chdir(tmp_path)

    def stop(request: object, **kwargs: object) -> None:
        raise ZslError("the library was reached")

    monkeypatch.setattr(api, "label", stop)
    return tmp_path


def _threshold_refusal(value: str) -> str:
    result = run("label", "photos", "-c", "classes.txt", "-q", "--threshold", value)
    assert result.exit_code == 2, result.output
    prefix = "zsl: error: Invalid value for '--threshold': "
    suffix = " (see 'zsl label --help')\n"
    assert result.stderr.startswith(prefix) and result.stderr.endswith(suffix), result.stderr
    return result.stderr.removeprefix(prefix).removesuffix(suffix)


# 1. A number option's value (cli/common.py).


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (KSSA, f"'{KSSA}'"),  # the joiner as written, not '\u200d'
        (f"1 {FAMILY}", f"'1 {FAMILY}'"),
        ("1\x1b[31m", "'1\\x1b[31m'"),  # a control still escaped
        ("it's", '"it\'s"'),
    ],
)
def test_a_number_option_quotes_its_value_as_a_name(world: Path, value: str, shown: str) -> None:
    assert _threshold_refusal(value) == f"{shown} is not a number"


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ("1" * 19 + FLAG + "x" * 30, "1" * 19),  # a flag's indicators kept together
        ("1" * 18 + FAMILY + "x" * 30, "1" * 18),  # not a couple and a joiner
        ("1" * 19 + "e\u0301" + "x" * 30, "1" * 19),  # a letter with its accent
        (KSSA * 12, KSSA * 5),  # cut after a whole half form and its consonant
    ],
)
def test_a_long_number_option_value_is_cut_between_grapheme_clusters(
    world: Path, value: str, start: str
) -> None:
    assert len(value) > 40
    assert _threshold_refusal(value) == f"'{start}'... ({len(value)} characters) is not a number"


def test_a_long_value_of_too_many_digits_is_quoted_alike(world: Path) -> None:
    value = "1" * 5000
    result = run("label", "photos", "-c", "classes.txt", "-q", "-k", value)
    assert result.exit_code == 2
    assert f"'{'1' * 20}'... (5,000 characters) has too many digits" in result.stderr


# 2. A Hugging Face dataset info's ClassLabel feature name (wrong_file_kinds.py).


def _dataset_info_refusal(tmp_path: Path, feature: str) -> str:
    info = {"features": {feature: {"names": ["apple", "baby"], "_type": "ClassLabel"}}}
    path = tmp_path / "dataset_info.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        load_class_spec(str(path))
    message = str(refused.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("feature", "shown"),
    [
        (f"{KSSA} label", f"'{KSSA} label'"),
        (f"{FAMILY} label", f"'{FAMILY} label'"),
        ("label\x1b[2J", "'label\\x1b[2J'"),
        ("label\u202eleba", "'label\\u202eleba'"),  # a bidi override escaped
    ],
)
def test_a_feature_name_is_quoted_as_a_name(tmp_path: Path, feature: str, shown: str) -> None:
    assert f"(ClassLabel feature {shown})" in _dataset_info_refusal(tmp_path, feature)


def test_a_long_feature_name_is_cut_between_grapheme_clusters(tmp_path: Path) -> None:
    feature = "l" * 79 + FLAG + "x" * 300
    message = _dataset_info_refusal(tmp_path, feature)
    assert f"(ClassLabel feature '{'l' * 79}'... ({len(feature)} characters))" in message


# 3. Label Studio's option values (label_studio.py).


def _refusal(**options: object) -> str:
    with pytest.raises(ZslError) as refused:
        check_label_studio_options(LabelStudioOptions(document_root=Path.cwd(), **options))  # type: ignore[arg-type]
    message = str(refused.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", [KSSA, FAMILY, f"{FLAG} tag"])
def test_tag_names_are_quoted_as_names(name: str) -> None:
    assert _refusal(to_name=f"{name},b").startswith(f"--ls-to-name '{name},b' holds ','")
    assert _refusal(from_name=name, to_name=name).startswith(
        f"--ls-from-name and --ls-to-name are both '{name}':"
    )
    assert _refusal(from_name=f"{name}\x1b").startswith(
        f"--ls-from-name '{name}\\x1b' holds a control character"
    )
    assert _refusal(to_name=f"{name}\ufffe").startswith(
        f"--ls-to-name '{name}\\ufffe' holds '\\ufffe', which no XML document"
    )


@pytest.mark.parametrize("key", [KSSA, f"img{ZWJ}", f"img{FLAG}"])
def test_a_data_key_is_quoted_as_a_name(key: str) -> None:
    assert _refusal(data_key=key).startswith(f"--ls-data-key '{key}': Label Studio reads")


def test_a_long_tag_name_is_cut_between_grapheme_clusters() -> None:
    name = "t" * 79 + FLAG + "," + "x" * 300
    assert _refusal(to_name=name).startswith(
        f"--ls-to-name '{'t' * 79}'... ({len(name)} characters) holds ','"
    )
    name = "t" * 78 + FAMILY + "x" * 300
    assert _refusal(from_name=name, to_name=name).startswith(
        f"--ls-from-name and --ls-to-name are both '{'t' * 78}'... ({len(name)} characters):"
    )


def test_a_url_prefix_is_quoted_as_a_name() -> None:
    prefix = f"/DATA/LOCAL-FILES/?d={KSSA}/{FAMILY}/"
    options = LabelStudioOptions(document_root=Path.cwd(), url_prefix=prefix)
    (warning,) = url_prefix_warnings(options)
    assert warning.startswith(f"--ls-url-prefix '{prefix}' names Label Studio's local files")


def test_label_quotes_a_tag_name_with_joiners_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_images(tmp_path / "photos", 1)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    monkeypatch.chdir(tmp_path)
    result = run(
        *("label", "photos", "-c", "classes.txt", "-m", "shapes-demo", "-q", "-f", "label-studio"),
        *("--ls-document-root", ".", "--ls-to-name", f"{KSSA},b"),
    )
    assert result.exit_code != 0
    assert f"--ls-to-name '{KSSA},b' holds ','" in result.stderr
    assert "\\u200d" not in result.stderr
