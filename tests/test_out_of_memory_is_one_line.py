"""Memory that runs out outside the model's load (a numpy array of the run's similarities, a read
of /proc under a tight `ulimit -v`) ends as out of memory while loading does: one line naming the
limit in force to raise, exit 2, not a traceback and 'internal error' (exit 70), which asks for a
bug report. Run as a subprocess under a real address-space limit, set high enough not to bite."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zsl_cli.encoders import limits
from zsl_cli.errors import EXIT_USAGE

LIMIT_KIB = 64 * 2**20  # 64 GiB: far above what this run maps

# `zsl label` with api.label replaced by one that runs out of memory as numpy says it does.
_OUT_OF_MEMORY_RUN = textwrap.dedent(
    """
    import sys
    import zsl_cli.api

    def label(*args, **kwargs):
        raise MemoryError("Unable to allocate 7.45 GiB for an array with shape (100000, 10000)")

    zsl_cli.api.label = label
    from zsl_cli.cli import main

    sys.argv = ["zsl", *sys.argv[1:]]
    main()
    """
)


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_KIB * 1024, resource.RLIM_INFINITY))


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS"), reason="no address-space limit here")
def test_memory_run_out_mid_run_is_one_line_naming_the_limit(tmp_path: Path) -> None:
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    (tmp_path / "photos").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _OUT_OF_MEMORY_RUN, "label", "photos", "-c", "classes.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        preexec_fn=_limit_address_space,
    )
    assert done.returncode == EXIT_USAGE, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("zsl: error: Unable to allocate 7.45 GiB for an array")
    assert f"(out of memory: the address-space limit is ulimit -v {LIMIT_KIB} now: " in line


def test_no_memory_to_read_the_overcommit_setting_reads_as_not_strict(monkeypatch) -> None:
    # Under a tight ulimit -v the read of /proc/sys/vm/overcommit_memory itself ran out, and the
    # MemoryError escaped the message that was to name the limit.
    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("builtins.open", no_memory)
    assert limits.overcommit_is_strict() is False
