"""The no-temporary-folder message says what needs the folder in words that hold for every
command that meets it: the demo's `train` loads no model, yet imports torch."""

from __future__ import annotations

from zsl_cli.encoders.limits import no_temporary_folder


def test_the_message_names_torch_not_a_model_load() -> None:
    error = FileNotFoundError(
        "[Errno 2] No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp']"
    )
    message = no_temporary_folder(error)
    assert message is not None
    assert "model" not in message
    assert "torch needs one" in message
    assert message.endswith("set TMPDIR to a writable folder")
