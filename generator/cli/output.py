"""Console output shared by the commands."""

from __future__ import annotations

from rich.console import Console

from generator.errors import DayOneError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def print_error(exc: DayOneError) -> None:
    err_console.print(f"[bold red]error:[/] {exc.message}", markup=True, soft_wrap=True)
    if exc.hint:
        err_console.print(f"[yellow]hint:[/] {exc.hint}", soft_wrap=True)
