"""Two loads that overlap in two threads (a host program's api.open_encoder, and a load of its
own under quiet_transformers, as `python -m zsl_cli.demo evaluate` does) keep transformers'
and huggingface_hub's logging quiet while either runs, and the last to end puts back the host
program's levels, whichever ends first."""

import logging
import threading

import pytest

from zsl_cli.encoders import load_encoder, quiet_transformers

QUIET = (logging.ERROR, False, logging.ERROR)
WAIT_S = 10


def _levels() -> tuple[int, bool, int]:
    import transformers

    return (
        transformers.logging.get_verbosity(),
        transformers.logging.is_progress_bar_enabled(),
        logging.getLogger("huggingface_hub").level,
    )


@pytest.fixture
def host_levels():
    """Logging louder than the defaults, as a host program may set it; put back after."""
    import transformers

    before = _levels()
    transformers.logging.set_verbosity_info()
    transformers.logging.enable_progress_bar()
    logging.getLogger("huggingface_hub").setLevel(logging.DEBUG)
    yield _levels()
    transformers.logging.set_verbosity(before[0])
    if before[1]:
        transformers.logging.enable_progress_bar()
    else:
        transformers.logging.disable_progress_bar()
    logging.getLogger("huggingface_hub").setLevel(before[2])


@pytest.mark.parametrize("load_ends_first", [True, False])
def test_overlapping_loads_in_two_threads_put_back_the_host_logging_levels(
    tiny_clip, monkeypatch, host_levels, load_ends_first
):
    import transformers

    assert host_levels != QUIET
    entered, leave = threading.Event(), threading.Event()
    seen: dict[str, tuple[int, bool, int]] = {}

    def other_load() -> None:
        with quiet_transformers():
            entered.set()
            leave.wait(WAIT_S)
            seen["other, as it ends"] = _levels()

    other = threading.Thread(target=other_load)
    loader = transformers.AutoTokenizer.from_pretrained

    def tokenizer_load(*args, **kwargs):
        # Inside load_encoder's quiet block: the other load begins, and ends here or after.
        other.start()
        seen["overlapped"] = entered.wait(WAIT_S)
        if not load_ends_first:
            leave.set()
            other.join(WAIT_S)
            seen["load, after the other ended"] = _levels()
        return loader(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", tokenizer_load)
    try:
        load_encoder(str(tiny_clip))
        if load_ends_first:
            seen["other, after the load ended"] = _levels()
    finally:
        leave.set()
        other.join(WAIT_S)
    assert seen.pop("overlapped"), "the second load waited for the first to end"
    assert set(seen.values()) == {QUIET}, seen
    assert _levels() == host_levels
