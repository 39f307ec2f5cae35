"""An output's folder deleted or moved away while `label` ran (a cron job's cleanup taking the
jobs folder, `rm -rf` of the wrong folder): the rows went with the folder, and the error said
"cannot write 'jobs/out.csv.run.json': No such file or directory", as though the run info alone
had failed and the predictions stood."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.encoders import hf


def folder_deleted_at_batch(monkeypatch: pytest.MonkeyPatch, folder: Path, batch: int) -> None:
    """`folder` removed, with what it holds, as the image model is given batch `batch` (from 1)."""
    encode = hf.TransformersEncoder.encode_images
    calls = []

    def deleting(self, pixels):
        calls.append(1)
        if len(calls) == batch:
            shutil.rmtree(folder)
        return encode(self, pixels)

    monkeypatch.setattr(hf.TransformersEncoder, "encode_images", deleting)


@pytest.mark.parametrize("batch", [1, 2], ids=["before-any-row", "after-rows"])
def test_an_output_folder_deleted_mid_run_is_said_so(
    tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    images, jobs = tmp_path / "images", tmp_path / "jobs"
    write_images(images, 3)
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    output = jobs / "out.csv"
    folder_deleted_at_batch(monkeypatch, jobs, batch)
    result = run(
        "label", images, "-c", tmp_path / "classes.txt", "-m", tiny_clip, "-b", "1", "-o", output
    )
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "Traceback" not in said
    assert (
        f"zsl: error: cannot write '{output}': its folder '{jobs}' was deleted or moved away "
        "during the run, and what this run wrote there with it; run again"
    ) in said
    assert "run.json" not in said
    assert not jobs.exists()
