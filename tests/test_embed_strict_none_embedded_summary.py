"""A --strict embed run that embedded no image ends its summary with why it exits 1 once: its
'No image embedded' line, not that line and the --strict one beside it."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run


def test_none_embedded_under_strict_says_so_once(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.png").write_text("not an image\n")
    result = run("embed", "bad", "-s", "s.zsl", "-m", "shapes-demo", "--strict")
    assert result.exit_code == 1
    assert result.stderr.endswith("No image embedded: none of the 1 image found can be used\n"), (
        result.stderr
    )
    assert "--strict" not in result.stderr
