"""The warning of a --ls-url-prefix naming Label Studio's local files in other letter case shows
the whole prefix: one with a host, a port and a path before /Data/Local-Files/ is longer than
the 80 characters a quoted line is cut at, and cut there it hid the part warned of. It is
escaped as a message quotes a name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.label_studio import LabelStudioOptions, url_prefix_warnings

LONG = (
    "https://labelstudio.internal.example-corporation.com:8443/label-studio-instance-02"
    "/Data/Local-Files/?d="
)


def test_a_long_prefix_is_shown_whole() -> None:
    assert len(LONG) > 100
    (warning,) = url_prefix_warnings(LabelStudioOptions(url_prefix=LONG))
    assert warning.startswith(f"--ls-url-prefix {LONG!r} names Label Studio's local files in ")
    assert "characters)" not in warning


def test_a_long_prefix_is_escaped_as_a_name_is() -> None:
    prefix = LONG.replace("instance", "in\u200bstance")
    (warning,) = url_prefix_warnings(LabelStudioOptions(url_prefix=prefix))
    assert warning.startswith("--ls-url-prefix 'https://")
    assert "in\\u200bstance-02/Data/Local-Files/?d=' names " in warning


def test_label_warns_with_the_whole_prefix(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_images(Path("photos"), 2)
    Path("classes.txt").write_text("cat\ndog\n")
    result = run(
        *("label", "photos", "-c", "classes.txt", "-m", tiny_clip, "-f", "label-studio"),
        *("--ls-document-root", ".", "--ls-url-prefix", LONG, "-o", "tasks.json"),
    )
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"warning: --ls-url-prefix {LONG!r} names "), result.stderr
