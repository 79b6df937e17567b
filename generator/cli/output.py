"""Console output shared by the commands.

Lines go out through ``typer.echo`` with click's ANSI styles: colour on a
terminal, plain text when piped (CI logs, files), and never wrapped, so a long
path stays on one greppable line. Rich, which costs about as much to import as
a small command's whole work, is loaded only for what a terminal shows richer:
the plan's table and coloured diffs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from generator.errors import DayOneError

if TYPE_CHECKING:
    from rich.console import Console

    from generator.provenance import Source

_EMPHASIS = ("bold", "dim")


def styled(text: str, style: str) -> str:
    """``text`` in ``style``: a colour name, optionally with "bold" or "dim"
    (the same words rich understands, so one style table serves both)."""
    words = style.split()
    colour = next((w for w in words if w not in _EMPHASIS), None)
    return typer.style(text, fg=colour, bold="bold" in words or None, dim="dim" in words or None)


def say(text: str = "", *, err: bool = False) -> None:
    typer.echo(text, err=err)


def on_terminal() -> bool:
    return sys.stdout.isatty()


def rich_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def print_error(exc: DayOneError) -> None:
    say(f"{styled('error:', 'bold red')} {exc.message}", err=True)
    if exc.hint:
        say(f"{styled('hint:', 'yellow')} {exc.hint}", err=True)


def warn_unpinned(source: Source) -> None:
    """Warn (on standard error, so ``--json`` output stays parseable) when the
    project's CI cannot install the Day One that wrote it."""
    warning = source.warning()
    if warning is not None:
        say(f"{styled('warning:', 'yellow')} {warning}", err=True)
