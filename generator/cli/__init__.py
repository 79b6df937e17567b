"""The ``dayone`` command line: argument parsing and printing, nothing else."""

from __future__ import annotations

import sys

from generator.cli.app import app
from generator.cli.output import print_error
from generator.errors import DayOneError


def main() -> None:
    try:
        app()
    except DayOneError as exc:
        print_error(exc)
        sys.exit(exc.exit_code)
    except OSError as exc:  # the system refused a read or write no check foresaw
        where = f" ({exc.filename})" if exc.filename else ""
        print_error(
            DayOneError(
                f"{exc.strerror or exc}{where}",
                hint="Fix the cause (disk space, permissions, a file where a folder "
                "should be), then run the command again.",
            )
        )
        sys.exit(2)


__all__ = ["app", "main"]
