"""Where Day One's own data files live: a source checkout, or the installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    checkout = _PACKAGE.parent / "templates"
    return checkout if checkout.is_dir() else _PACKAGE / "_templates"


def examples_dir() -> Path:
    checkout = _PACKAGE.parent / "examples"
    return checkout if checkout.is_dir() else _PACKAGE / "_examples"
