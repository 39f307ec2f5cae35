"""A store read while its first `zsl embed` still encodes its first batch (an overlapping cron
job: `label --embeddings` started before the nightly embed saved anything): the read said the
embed "stopped before it saved any", as though it had failed, while it was still running."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import zsl_cli
from tests.helpers import run, write_images

# `zsl embed` that says when it has its first batch to encode, then holds it until stdin closes.
HOLDS_FIRST_BATCH = """
import sys
from zsl_cli.encoders import hf
encode = hf.TransformersEncoder.encode_images
def held(self, pixels):
    sys.stderr.write("ENCODING IMAGES\\n")
    sys.stderr.flush()
    sys.stdin.read()
    return encode(self, pixels)
hf.TransformersEncoder.encode_images = held
from zsl_cli.cli import main
main()
"""

WAIT_S = 120


def wait_for_line(process: subprocess.Popen, line: bytes) -> None:
    """Until `process` writes `line` on stderr, it ends, or WAIT_S pass."""
    assert process.stderr is not None
    deadline = time.monotonic() + WAIT_S
    said = b""
    while line not in said and time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([process.stderr], [], [], 0.5)
        if ready:
            said += os.read(process.stderr.fileno(), 4096)
    assert line in said, said.decode(errors="replace")


def test_a_store_read_while_its_first_embed_runs_says_it_may_still_be_running(
    tiny_clip, tmp_path: Path
) -> None:
    images, store = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 2)
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env["PYTHONPATH"] = str(Path(zsl_cli.__file__).parents[1])
    embed = subprocess.Popen(
        [sys.executable, "-c", HOLDS_FIRST_BATCH, "embed", str(images), "--store", str(store)]
        + ["-m", str(tiny_clip), "-q"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        wait_for_line(embed, b"ENCODING IMAGES")
        read = run("label", "--embeddings", store, "-c", tmp_path / "classes.txt", "-m", tiny_clip)
    finally:
        assert embed.stdin is not None
        embed.stdin.close()
        embed.wait(timeout=WAIT_S)
    said = " ".join(read.stderr.split())
    assert read.exit_code == 2 and "Traceback" not in said
    assert f"{store} holds no embeddings: its first `zsl embed` saved none yet" in said
    assert "still running" in said
    assert embed.returncode == 0  # it was running, and saved them all
