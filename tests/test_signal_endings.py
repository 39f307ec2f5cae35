"""How `zsl` ends as seen by the shell or program that started it: after a Ctrl-C, and when the
reader of its output went away, it is killed by that signal (SIGINT, SIGPIPE) once its work is
published, so that bash stops a script or loop and xargs stops launching batches; `$?` shows
130 or 141. (SIGTERM and SIGHUP end it with exit status 130: test_label_cli.)"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import (
    SHAPE_CLASSES,
    SLOW_ZSL,
    read_jsonl,
    wait_for_first_predictions,
    write_images,
)

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGPIPE") or shutil.which("bash") is None, reason="needs POSIX and bash"
)


def slow_label_world(tmp_path: Path, images: int) -> None:
    """In `tmp_path`: `images` images in images/, classes.txt, and slow_zsl.py (`zsl` with every
    image batch slowed down, so that a signal lands mid-run), which writes its pid to `pid`."""
    write_images(tmp_path / "images", images, size=(64, 64))
    (tmp_path / "classes.txt").write_text("\n".join(SHAPE_CLASSES) + "\n")
    pid = "import os\nopen('pid', 'w').write(str(os.getpid()))\n"
    (tmp_path / "slow_zsl.py").write_text(pid + SLOW_ZSL)


# `$0`: python, `$1`: the model. Each run labels the images into out<i>.jsonl.
LABEL_LOOP = """
for i in 1 2; do
  echo "start $i" >> log
  "$0" slow_zsl.py label images -c classes.txt -m "$1" -b 1 -o "out$i.jsonl"
  echo "rc $i $?" >> log
done
"""


def sigint_default() -> None:
    """SIGINT's default action, as in a terminal: a shell starts background jobs ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_a_bash_loop_of_runs(tiny_clip, tmp_path):
    # bash waits for its foreground command after a Ctrl-C and stops the loop only if that
    # command was killed by SIGINT: zsl exited 130, and the next run started.
    slow_label_world(tmp_path, 400)
    loop = subprocess.Popen(
        ["bash", "-c", LABEL_LOOP, sys.executable, str(tiny_clip)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a process group of its own, as a terminal gives a job
        preexec_fn=sigint_default,
    )
    wait_for_first_predictions(loop, tmp_path / "out1.jsonl")
    os.killpg(loop.pid, signal.SIGINT)  # a terminal's Ctrl-C: to every process of the job
    _, stderr = loop.communicate(timeout=120)
    assert loop.returncode == -signal.SIGINT, stderr.decode()
    assert (tmp_path / "log").read_text() == "start 1\n"
    # The finished work is published first.
    assert 0 < len(read_jsonl((tmp_path / "out1.jsonl").read_text())) < 400
    assert "Interrupted after" in stderr.decode() and "Traceback" not in stderr.decode()


def test_the_shell_sees_status_130_after_a_ctrl_c(tiny_clip, tmp_path):
    # SIGINT to zsl alone: the shell did not get one, goes on, and `$?` is 130.
    slow_label_world(tmp_path, 400)
    script = '"$0" slow_zsl.py label images -c classes.txt -m "$1" -b 1 -o out.jsonl; echo "rc $?"'
    shell = subprocess.Popen(
        ["bash", "-c", script, sys.executable, str(tiny_clip)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=sigint_default,
    )
    wait_for_first_predictions(shell, tmp_path / "out.jsonl")
    os.kill(int((tmp_path / "pid").read_text()), signal.SIGINT)
    stdout, stderr = shell.communicate(timeout=120)
    assert (shell.returncode, stdout) == (0, b"rc 130\n"), stderr.decode()


@pytest.mark.skipif(shutil.which("xargs") is None, reason="needs xargs")
def test_xargs_stops_launching_runs_once_the_reader_went_away(tmp_path):
    # GNU xargs stops at a command killed by a signal (its status 125); a command that exited
    # 141 it took for one that failed, and went on with every batch left.
    script = (
        'printf "%s\\n" 1 2 3 4 | xargs -t -n 1 "$0" -m zsl_cli label --help 2> xargs.err'
        ' | head -n 1 > /dev/null; echo "xargs ${PIPESTATUS[1]}"'
        # Alone, a run whose reader went away shows the status of one killed by SIGPIPE.
        '; { sleep 1; "$0" -m zsl_cli label --help; echo "rc $?" >&2; } | true'
    )
    done = subprocess.run(
        ["bash", "-c", script, sys.executable], cwd=tmp_path, capture_output=True, timeout=300
    )
    assert done.stdout == b"xargs 125\n", (tmp_path / "xargs.err").read_text()
    assert done.stderr == b"rc 141\n"
    launched = (tmp_path / "xargs.err").read_text().count(" label --help ")
    assert launched < 4
