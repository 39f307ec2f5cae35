"""SharedOverride: blocks that overlap, in threads, and end in another order than they began."""

import threading

import pytest

from zsl_cli.process_settings import SharedOverride


class Setting:
    def __init__(self, value: int) -> None:
        self.value = value
        self.saved = 0

    def save(self) -> int:
        self.saved += 1
        return self.value

    def restore(self, value: int) -> None:
        self.value = value


def test_the_first_block_saves_and_the_last_puts_back_whatever_order_they_end_in():
    setting = Setting(1)
    override = SharedOverride(setting.save, setting.restore)
    first, second = override.held(lambda: setattr(setting, "value", 2)), override.held()
    entered = threading.Barrier(2)
    first_done = threading.Event()
    seen = []

    def run_first() -> None:
        with first:
            entered.wait()
            seen.append(setting.value)
        first_done.set()

    def run_second() -> None:
        entered.wait()
        with second:
            first_done.wait()  # the first block ends before this one
            seen.append(setting.value)

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [2, 2]  # the first block's end did not put the setting back
    assert setting.value == 1
    assert setting.saved == 1


def test_blocks_after_the_last_ended_save_again_and_a_failed_change_still_puts_back():
    setting = Setting(1)
    override = SharedOverride(setting.save, setting.restore)
    with override.held(lambda: setattr(setting, "value", 2)):
        assert setting.value == 2
    setting.value = 3  # the host program changes it between our runs

    def fail() -> None:
        setting.value = 4
        raise ValueError("no")

    with pytest.raises(ValueError), override.held(fail):
        pass
    assert (setting.value, setting.saved) == (3, 2)
