"""The `zsl` command and `python -m zsl_cli`.

Stop signals are caught before the CLI's modules load (typer and rich take a fifth of a second),
so that a Ctrl-C or SIGTERM then ends as one during a run does: one line, exit status 130.
"""

import os
import signal
import sys

from zsl_cli.errors import EXIT_INTERRUPTED


def main() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        from zsl_cli.cli import main as run
    except KeyboardInterrupt:
        if sys.stderr is not None:
            sys.stderr.write("zsl: interrupted\n")
            sys.stderr.flush()
        # Not sys.exit: a KeyboardInterrupt raised in code that exec() ran (dataclasses make
        # their methods so) has CPython end the process by SIGINT at exit, whatever the status.
        os._exit(EXIT_INTERRUPTED)
    run()


if __name__ == "__main__":
    main()
