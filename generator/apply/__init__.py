"""Writing a plan into a user's project: the only code in Day One that does.

:mod:`~generator.apply.transaction` applies a plan atomically per file, resumably
and reversibly as a whole; :mod:`~generator.apply.paths` keeps every write inside
the project and off symlinks; :mod:`~generator.apply.fs` makes each write
crash-safe; :mod:`~generator.apply.journal` documents what an interrupted apply
leaves behind.
"""

from generator.apply.transaction import (
    ApplyInterrupted,
    FileOp,
    JournalInfo,
    OpOutcome,
    pending,
    resume,
    rollback,
    run,
)

__all__ = [
    "ApplyInterrupted",
    "FileOp",
    "JournalInfo",
    "OpOutcome",
    "pending",
    "resume",
    "rollback",
    "run",
]
