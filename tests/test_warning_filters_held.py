"""The warning filters that blocks change are put back as the last block ends, whatever order
overlapping blocks end in; the blocks' changes run one at a time."""

from __future__ import annotations

import threading
import warnings

from zsl_cli.process_settings import SharedOverride, warning_filters_held


def test_a_block_s_warning_filters_are_undone_as_it_ends():
    before = list(warnings.filters)
    with warning_filters_held():
        warnings.simplefilter("ignore")
        assert warnings.filters[0][0] == "ignore"
    assert warnings.filters == before


def test_overlapping_blocks_keep_the_filters_until_the_last_ends():
    before = list(warnings.filters)
    first, second = warning_filters_held(), warning_filters_held()
    first.__enter__()
    second.__enter__()
    warnings.filterwarnings("ignore", message="first block's")
    first.__exit__(None, None, None)  # the first to begin ends first
    assert warnings.filters[0][1].pattern == "first block's"
    second.__exit__(None, None, None)
    assert warnings.filters == before


def test_the_changes_of_overlapping_blocks_run_one_at_a_time():
    override = SharedOverride(lambda: None, lambda saved: None)
    first_in_change, second_in_change = threading.Event(), threading.Event()
    overlapped = []

    def first_change() -> None:
        first_in_change.set()
        # The second block's change may not start while this one runs: waited for in vain.
        overlapped.append(second_in_change.wait(1.0))

    def run_second() -> None:
        first_in_change.wait()
        with override.held(second_in_change.set):
            pass

    second = threading.Thread(target=run_second)
    second.start()
    with override.held(first_change):
        pass
    second.join()
    assert overlapped == [False] and second_in_change.is_set()
