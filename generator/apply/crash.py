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
* ``DAYONE_CRASH_DURING=N`` exits the same way in the middle of the N-th write: its
  temporary file written, not yet renamed into place (what a ``kill -9`` can leave).

And two ways to make a write fail as the operating system would, for tests of what
an apply does when the disk refuses (a full disk, an immutable file):

* ``DAYONE_FAIL_WRITE=N[:ERRNO]``: the N-th write point fails before it touches the
  disk, with ``ERRNO`` (a name such as ``ENOSPC``, the default, or ``EACCES``).
* ``DAYONE_FAIL_PATH=REL[:ERRNO]``: every write or delete of a path ending in
  ``/REL`` fails so (default ``EACCES``).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from generator.apply.fs import atomic_delete, atomic_write, temp_path

CRASH_ENV = "DAYONE_CRASH_AFTER"
CRASH_DURING_ENV = "DAYONE_CRASH_DURING"
FAIL_WRITE_ENV = "DAYONE_FAIL_WRITE"
FAIL_PATH_ENV = "DAYONE_FAIL_PATH"
CRASH_EXIT_CODE = 70


class _SimulatedCrash(BaseException):
    """Stands for the process dying right after a write point."""


def _injected(variable: str, default: str) -> tuple[str, int] | None:
    value = os.environ.get(variable)
    if not value:
        return None
    where, _, name = value.rpartition(":") if ":" in value else (value, "", default)
    return where, getattr(errno, name or default)


class Writer:
    """Performs an apply's writes through the atomic primitives, counting write points."""

    def __init__(self, crash_after: int | None = None) -> None:
        from_env = os.environ.get(CRASH_ENV)
        self._raise_at = crash_after
        self._exit_at = int(from_env) if from_env else None
        during = os.environ.get(CRASH_DURING_ENV)
        self._exit_during = int(during) if during else None
        self._fail_at = _injected(FAIL_WRITE_ENV, "ENOSPC")
        self._fail_path = _injected(FAIL_PATH_ENV, "EACCES")
        self._count = 0

    def write(self, path: Path, data: bytes, *, mode: int | None = None) -> None:
        """Write ``path`` atomically, through its fixed temporary name (see ``temp_path``)."""
        self._may_fail(path)
        if self._exit_during == self._count + 1:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp_path(path).write_bytes(data[: len(data) // 2])
            os._exit(CRASH_EXIT_CODE)
        atomic_write(path, data, mode=mode, fixed_temp=True)
        self._passed()

    def delete(self, path: Path, *, root: Path | None = None) -> None:
        self._may_fail(path)
        atomic_delete(path, root=root)
        self._passed()

    def _may_fail(self, path: Path) -> None:
        if self._fail_at is not None and int(self._fail_at[0]) == self._count + 1:
            raise OSError(self._fail_at[1], os.strerror(self._fail_at[1]), str(path))
        if self._fail_path is not None and path.as_posix().endswith("/" + self._fail_path[0]):
            raise OSError(self._fail_path[1], os.strerror(self._fail_path[1]), str(path))

    def _passed(self) -> None:
        self._count += 1
        if self._count == self._exit_at:
            os._exit(CRASH_EXIT_CODE)
        if self._count == self._raise_at:
            raise _SimulatedCrash(f"simulated crash after write point {self._count}")
