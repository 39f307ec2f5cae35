"""`files.published_together`: where a stop signal comes while the files are moved into place
and one of them could not replace its own (kept beside it), the error that names the kept file
is raised, not the "every output is in place" interruption, which would call the run complete."""

from __future__ import annotations

import os
import signal

import pytest

from zsl_cli import files
from zsl_cli.errors import OutputKept

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends itself SIGINT")


class Complete(Exception):  # not a KeyboardInterrupt: on a fault, a failed test, not a stopped run
    pass


def test_a_kept_file_is_said_though_a_signal_came_meanwhile(tmp_path, monkeypatch):
    publish = files.AtomicFileSink.publish

    def publish_or_keep(self, sidecar):
        if self.target.name == "report.html":
            os.kill(os.getpid(), signal.SIGINT)  # held until both are moved
            return publish(self, sidecar)
        raise OutputKept("metrics.json is kept beside it", [tmp_path / ".metrics.json.kept"])

    monkeypatch.setattr(files.AtomicFileSink, "publish", publish_or_keep)
    with pytest.raises(OutputKept, match="kept beside"), files.published_together(Complete):
        files.write_file(tmp_path / "report.html", b"<!DOCTYPE html>")
        files.write_file(tmp_path / "metrics.json", b"{}")
    assert (tmp_path / "report.html").read_bytes() == b"<!DOCTYPE html>"


def test_without_a_kept_file_the_signal_says_every_output_is_in_place(tmp_path, monkeypatch):
    publish = files.AtomicFileSink.publish

    def publish_signalled(self, sidecar):
        os.kill(os.getpid(), signal.SIGINT)
        return publish(self, sidecar)

    monkeypatch.setattr(files.AtomicFileSink, "publish", publish_signalled)
    with pytest.raises(Complete), files.published_together(Complete):
        files.write_file(tmp_path / "report.html", b"<!DOCTYPE html>")
        files.write_file(tmp_path / "metrics.json", b"{}")
    assert (tmp_path / "metrics.json").read_bytes() == b"{}"
