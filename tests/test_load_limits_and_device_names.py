"""Which errors of a load name a limit of the system (and their exact words), and the device
and precision names accepted before torch is imported."""

from __future__ import annotations

import errno

import pytest

from zsl_cli.api import ModelOptions
from zsl_cli.encoders import check_device, check_precision, limits
from zsl_cli.encoders.limits import system_limit
from zsl_cli.errors import ZslError

# With neither an address-space limit nor strict overcommit in force (see the test file on the
# limit in force for those).
MEMORY = "(out of memory: check the container's memory limit)"
THREADS = (
    "(a limit of the system is reached: on threads, ulimit -u or a container's pids limit, or "
    "on memory, ulimit -v)"
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        # ENOMEM by its number, whatever the words beside it.
        (OSError(errno.ENOMEM, "mmap failed"), f"[Errno 12] mmap failed {MEMORY}"),
        # A MemoryError with no words is named by its type.
        (MemoryError(), f"MemoryError {MEMORY}"),
        (
            RuntimeError("Out of memory while reading a tensor"),
            f"Out of memory while reading a tensor {MEMORY}",
        ),
        (ValueError("mmap: Cannot allocate memory"), f"mmap: Cannot allocate memory {MEMORY}"),
        # Lines and runs of blanks come out as one line.
        (
            RuntimeError("can't start new thread\n   in pool"),
            f"can't start new thread in pool {THREADS}",
        ),
    ],
)
def test_a_limit_of_the_system_is_said_in_these_words(monkeypatch, error, expected):
    monkeypatch.setattr(limits, "address_space_limit", lambda: None)
    monkeypatch.setattr(limits, "overcommit_is_strict", lambda: False)
    assert system_limit(error) == expected


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOENT, "No such file or directory"),
        OSError(errno.EAGAIN, "Resource temporarily unavailable"),
        RuntimeError("size mismatch for logit_scale"),
        ValueError("out of range"),
    ],
)
def test_other_errors_name_no_limit(error):
    assert system_limit(error) is None


@pytest.mark.parametrize(
    "device", ["auto", "cpu", "cuda", "mps", "cpu:0", "cuda:0", "cuda:12", "mps:0"]
)
def test_devices_of_the_kinds_zsl_runs_on_are_accepted(device):
    check_device(device)


@pytest.mark.parametrize(
    "device", ["cuda:\u0661", "cuda:\u00b2", "cuda:0x1", "cuda:", "CUDA", "auto:0"]
)
def test_device_numbers_in_other_digits_are_refused(device):
    with pytest.raises(ZslError) as info:
        check_device(device)
    assert info.value.message == f"--device {device}: choose auto, cpu, cuda, cuda:N or mps"


@pytest.mark.parametrize("precision", ["auto", "fp32", "fp16", "bf16"])
def test_the_four_precisions_are_accepted(precision):
    check_precision(precision)


@pytest.mark.parametrize("precision", ["float64", "FP16", "int8", ""])
def test_other_precisions_are_refused_in_one_line(precision):
    # Named as --precision takes them: the names run info records (float16, ...) too.
    with pytest.raises(ZslError) as info:
        check_precision(precision)
    given = precision or "''"  # an empty value shown as such
    assert info.value.message == (
        f"--precision {given}: choose auto, fp32, fp16 or bf16 (or as run info records "
        "them: float32, float16, bfloat16)"
    )
    with pytest.raises(ZslError) as info:
        ModelOptions(precision=precision)
    assert "(or as run info records them: float32, float16, bfloat16)" in info.value.message


@pytest.mark.parametrize(
    ("recorded", "precision"), [("float32", "fp32"), ("float16", "fp16"), ("bfloat16", "bf16")]
)
def test_the_library_takes_a_precision_as_run_info_records_it_as_the_cli_does(recorded, precision):
    # The refusal names them as choices: ModelOptions takes them, as --precision does.
    assert ModelOptions(precision=recorded).precision == precision
