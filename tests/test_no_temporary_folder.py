"""torch and transformers need a writable temporary folder as they import (torch._dynamo sets up
a cache folder in it): without one (a read-only root file system, a full /tmp), a load ends in
one line saying so and naming TMPDIR, not blaming the model."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PIL import Image

from zsl_cli.encoders.limits import no_temporary_folder

CHILD_TIMEOUT_S = 120


def test_pythons_words_for_no_temporary_folder_are_told():
    error = FileNotFoundError(
        errno.ENOENT, "No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp']"
    )
    message = no_temporary_folder(error)
    assert message is not None
    assert "TMPDIR" in message and "/var/tmp" in message


def test_the_cause_behind_an_import_error_is_told():
    try:
        try:
            raise FileNotFoundError(errno.ENOENT, "No usable temporary directory found in ['/x']")
        except FileNotFoundError as cause:
            raise RuntimeError("Failed to import transformers.models.clip") from cause
    except RuntimeError as error:
        assert no_temporary_folder(error) is not None


def test_other_missing_files_are_not_taken_for_it():
    assert no_temporary_folder(FileNotFoundError(errno.ENOENT, "No such file", "x")) is None
    assert no_temporary_folder(RuntimeError("No usable temporary directory found")) is None


def test_label_without_a_writable_temporary_folder_says_so(tmp_path: Path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (50, 40), "red").save(tmp_path / "images" / "red.png")
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    # Every folder Python would try (TMPDIR, /tmp, /var/tmp, /usr/tmp, the current folder) is
    # one that takes no file: here, one that is not there.
    script = textwrap.dedent(
        f"""
        import sys, tempfile
        tempfile._candidate_tempdir_list = lambda: [{str(tmp_path / "gone")!r}]
        sys.argv = ["zsl", "label", "images", "-c", "classes.txt", "-m", "shapes-demo",
                    "-o", "p.csv", "-q"]
        from zsl_cli.__main__ import main
        main()
        """
    )
    # torch sets TORCHINDUCTOR_CACHE_DIR in os.environ once it has found a folder for it (in
    # this test process too), and then looks for none.
    env = {k: v for k, v in os.environ.items() if k != "TORCHINDUCTOR_CACHE_DIR"}
    env["HF_HUB_OFFLINE"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_TIMEOUT_S,
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert "no writable temporary folder" in result.stderr
    assert "TMPDIR" in result.stderr
    assert "cannot load the model" not in result.stderr  # the model is fine
    assert not (tmp_path / "p.csv").exists()
