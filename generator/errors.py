"""Errors that reach the user.

Every failure a user can cause (a bad spec, a refused path, a stale plan) is a
``DayOneError``: the CLI prints its message and hint and exits with its code.
Anything else escaping to the CLI is a bug in Day One.
"""

from __future__ import annotations


class DayOneError(Exception):
    """A problem the user can fix. ``hint`` says how."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n{self.hint}"


class RegionError(DayOneError):
    """Region markers (``dayone:begin``/``dayone:end``) that cannot be paired up, so
    which lines Day One owns is unknown."""


class UnsafePathError(DayOneError):
    """A path that would escape the project folder or pass through a symlink."""
