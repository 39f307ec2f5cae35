"""The readings behind the out-of-memory messages (ulimit -v's soft limit, "unlimited" as none,
vm.overcommit_memory), and the finer points of the messages a load's limit errors make: the
type of an error that says "can't start new thread", a long cause clipped, and the temporary
folders Python tried named without their quotes, found behind an error's context too."""

from __future__ import annotations

import errno
import io
import subprocess
import sys
import textwrap

import pytest

from zsl_cli.encoders import limits
from zsl_cli.encoders.limits import no_temporary_folder, system_limit

resource = pytest.importorskip("resource")  # no address-space limit on Windows

CHILD_TIMEOUT_S = 60


def with_limits(monkeypatch: pytest.MonkeyPatch, soft: int, hard: int) -> None:
    def getrlimit(which: int) -> tuple[int, int]:
        assert which == resource.RLIMIT_AS
        return soft, hard

    monkeypatch.setattr(resource, "getrlimit", getrlimit)


def test_an_unlimited_address_space_is_no_limit(monkeypatch):
    with_limits(monkeypatch, resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    assert limits.address_space_limit() is None


def test_the_address_space_limit_in_force_is_the_soft_one(monkeypatch):
    # ulimit -v sets both; a program may lower the soft limit alone, which is the one enforced.
    with_limits(monkeypatch, 6_000_000 * 1024, resource.RLIM_INFINITY)
    assert limits.address_space_limit() == 6_000_000 * 1024


def with_overcommit(monkeypatch: pytest.MonkeyPatch, setting: str | None) -> None:
    """/proc/sys/vm/overcommit_memory as `setting` (None: not there to read)."""

    def fake_open(path: str, *args: object, **kwargs: object) -> io.StringIO:
        assert path == "/proc/sys/vm/overcommit_memory"
        if setting is None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return io.StringIO(setting)

    monkeypatch.setattr(limits, "open", fake_open, raising=False)


@pytest.mark.parametrize(
    ("setting", "strict"),
    [("2\n", True), ("2", True), ("0\n", False), ("1\n", False), (None, False)],
)
def test_only_overcommit_setting_2_is_strict(monkeypatch, setting, strict):
    with_overcommit(monkeypatch, setting)
    assert limits.overcommit_is_strict() is strict


@pytest.mark.parametrize(
    ("limit", "setting", "can_fail"),
    [(None, "0\n", False), (1 << 30, "0\n", True), (None, "2\n", True), (1 << 30, "2\n", True)],
)
def test_allocations_can_fail_under_a_limit_or_strict_overcommit(
    monkeypatch, limit, setting, can_fail
):
    monkeypatch.setattr(limits, "address_space_limit", lambda: limit)
    with_overcommit(monkeypatch, setting)
    assert limits.allocations_can_fail() is can_fail


def test_only_a_runtime_error_says_that_no_thread_could_start():
    # Python's own words come in a RuntimeError; others quoting them are no limit of threads.
    assert system_limit(ValueError("can't start new thread")) is None
    message = system_limit(RuntimeError("can't start new thread"))
    assert message is not None and "ulimit -u" in message


def test_a_long_out_of_memory_cause_is_clipped():
    message = system_limit(MemoryError("Unable to allocate " + "x" * 5000))
    assert message is not None
    assert len(message) < 500, message
    assert message.startswith("Unable to allocate") and " ... (out of memory: " in message


def test_the_folders_tried_are_named_without_their_quotes():
    error = FileNotFoundError(
        errno.ENOENT, "No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp']"
    )
    message = no_temporary_folder(error)
    assert message is not None
    assert "(tried /tmp, /var/tmp, /usr/tmp: full or read-only?)" in message, message


def test_a_long_list_of_folders_tried_is_clipped():
    folders = ", ".join(f"'/scratch/{i:04}'" for i in range(200))
    error = FileNotFoundError(errno.ENOENT, f"No usable temporary directory found in [{folders}]")
    message = no_temporary_folder(error)
    assert message is not None
    assert "/scratch/0000" in message and "/scratch/0199" not in message
    assert len(message) < 500, message


def test_the_words_are_found_in_the_context_of_an_error():
    # Raised while handling it (no "from"): the error the import raised has it as its context.
    try:
        try:
            raise FileNotFoundError(errno.ENOENT, "No usable temporary directory found in ['/x']")
        except FileNotFoundError:
            raise RuntimeError("Failed to import transformers.models.clip")  # noqa: B904
    except RuntimeError as error:
        assert error.__cause__ is None
        message = no_temporary_folder(error)
    assert message is not None and "tried /x" in message


def test_the_words_are_found_as_the_cause_of_an_error_whose_context_differs():
    cause = FileNotFoundError(errno.ENOENT, "No usable temporary directory found in ['/x']")
    error = RuntimeError("Failed to import transformers")
    error.__cause__ = cause
    error.__context__ = KeyError("something else handled at the time")
    message = no_temporary_folder(error)
    assert message is not None and "tried /x" in message


def test_errors_whose_contexts_form_a_loop_are_answered():
    # A chain that comes back to itself (an error re-raised while handling its own context)
    # must end the search, not loop for ever: in a process of its own, so a loop fails the test.
    script = textwrap.dedent(
        """
        from zsl_cli.encoders.limits import no_temporary_folder
        first, second = RuntimeError("first"), RuntimeError("second")
        first.__context__, second.__context__ = second, first
        print(no_temporary_folder(first))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=CHILD_TIMEOUT_S
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
