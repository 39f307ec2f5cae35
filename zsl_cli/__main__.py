"""The `zsl` command and `python -m zsl_cli`.

Stop signals are caught as this module is imported, before anything else of zsl loads (the
CLI's modules, typer and rich, take a fifth of a second), so that a Ctrl-C, SIGTERM or SIGHUP
then ends in one line and exit status 130, not a traceback. (During a run, `cli.main` ends the
process by SIGINT after a Ctrl-C, as shells want; in this window it cannot tell a Ctrl-C from
the others.) One that lands while the interpreter itself starts (some 40 ms, before any code of
zsl runs and so before any work or file of a run) is Python's to handle: it ends the process by
the signal, or, a Ctrl-C while Python imports its `site` module, in Python's own traceback and
exit status 1 (README, exit status 130).
"""

import os
import signal
import sys

# zsl_cli.errors.EXIT_INTERRUPTED (a test keeps them equal): not imported here, as a signal while
# that import ran would end in a traceback.
EXIT_INTERRUPTED = 130


def _stop_as_on_ctrl_c() -> None:
    """SIGTERM (`timeout`, `kill`, container stops) and SIGHUP (a closed terminal) raise
    KeyboardInterrupt, as Ctrl-C does; a SIGHUP ignored (nohup) stays ignored."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) == signal.SIG_DFL:
        signal.signal(signal.SIGHUP, signal.default_int_handler)


_stop_as_on_ctrl_c()

# numpy's OpenBLAS keeps its threads spinning for 2**28 cycles (about 0.1 s) after each matrix
# product. Each batch's similarities are one: on a GPU, at a batch every 0.1-0.2 s, the threads
# spun all the time on the cores the decode processes need (H200, 16 cores, 200 classes: 949
# images/s with zsl's own process busy 7 cores; with 2**20 cycles, 1,568 and 2.3 cores). Under a
# millisecond of spinning still keeps them ready for back-to-back products (relabelling from a
# store: as fast as with 2**28, where 2**4 was slower). Read when numpy loads OpenBLAS, so set
# before anything imports numpy.
OPENBLAS_SPIN = ("OPENBLAS_THREAD_TIMEOUT", "20")


def main() -> None:
    os.environ.setdefault(*OPENBLAS_SPIN)
    try:
        from zsl_cli.cli import main as run
    except KeyboardInterrupt:
        if sys.stderr is not None:
            # cli.PROG, the name cli.main gives the program, `python -m zsl_cli` too: the
            # interrupted import is the one that would give it.
            sys.stderr.write("zsl: interrupted\n")
            sys.stderr.flush()
        # Not sys.exit: a KeyboardInterrupt raised in code that exec() ran (dataclasses make
        # their methods so) has CPython end the process by SIGINT at exit, whatever the status.
        os._exit(EXIT_INTERRUPTED)
    run()


if __name__ == "__main__":
    main()
