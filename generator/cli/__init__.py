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


__all__ = ["app", "main"]
