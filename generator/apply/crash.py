"""Write points, and stopping an apply at any one of them to prove it is crash-safe.

Every file write or delete an apply makes (project files and journal files alike)
goes through :class:`Writer`, which counts them. Crash-safety is then testable
exhaustively: for each N, stop right after the N-th write point and check that the
project can be resumed or rolled back. Two ways to stop:

* ``crash_after=N`` raises :class:`_SimulatedCrash`, a ``BaseException`` so that no
  ``except Exception`` on the way swallows it; in-process tests catch it.
* ``DAYONE_CRASH_AFTER=N`` in the environment calls ``os._exit(70)``: no cleanup,
  no ``finally``, exactly like a killed process. For tests that run an apply in a
  child process.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.apply.fs import atomic_delete, atomic_write

CRASH_ENV = "DAYONE_CRASH_AFTER"
CRASH_EXIT_CODE = 70


class _SimulatedCrash(BaseException):
    """Stands for the process dying right after a write point."""


class Writer:
    """Performs an apply's writes through the atomic primitives, counting write points."""

    def __init__(self, crash_after: int | None = None) -> None:
        from_env = os.environ.get(CRASH_ENV)
        self._raise_at = crash_after
        self._exit_at = int(from_env) if from_env else None
        self._count = 0

    def write(self, path: Path, data: bytes, *, mode: int | None = None) -> None:
        atomic_write(path, data, mode=mode)
        self._passed()

    def delete(self, path: Path, *, root: Path | None = None) -> None:
        atomic_delete(path, root=root)
        self._passed()

    def _passed(self) -> None:
        self._count += 1
        if self._count == self._exit_at:
            os._exit(CRASH_EXIT_CODE)
        if self._count == self._raise_at:
            raise _SimulatedCrash(f"simulated crash after write point {self._count}")
