"""Applying a plan to a user's project: completely, resumably, or not at all.

:func:`run` is the only way Day One changes a user's project. Its protocol:

1. Take the project lock; refuse to start while an unfinished apply's journal exists.
   (Every other command checks the journal first too: :func:`check_settled`.)
2. Write the journal (see :mod:`generator.apply.journal`): every op with its new
   content, and what each target held.
3. Back up the current bytes of every file an op will overwrite or delete.
4. Do the ops in order. Right before each: check that the path is safe and that the
   file still holds what the plan expects; if not, refuse that op and go on. Then
   write or delete the file atomically, and record the outcome in the journal. An op
   that ``requires`` another runs only if that one was applied; the manifest's content
   follows from what was applied (``ManifestRecipe``).
5. Remove the journal.

A write the system refuses for that file alone (an immutable file, a read-only
folder) refuses that op and what requires it; the rest proceeds. A failure that
would hit every later write too (a full disk, an I/O error), or one of the journal's
own writes, stops the apply where it is: the journal stays, and
:class:`ApplyStopped` says to ``--resume`` (once the cause is fixed) or
``--rollback``. Before the first project file is touched, it is discarded instead.

A crash at any point leaves every file wholly old or wholly new, and a journal from
which :func:`resume` finishes the apply exactly as an uninterrupted run would have,
or :func:`rollback` puts back every file the apply changed. Nothing is deleted
unless an op says so and the file holds exactly what that op expects.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from msgspec.structs import replace

from generator.apply.crash import Writer
from generator.apply.fs import read_regular, sha256_bytes
from generator.apply.journal import JOURNAL_DIR, Entry, Journal, JournalInfo, Recorded, load
from generator.apply.lock import STATE_DIR, ApplyRunning, is_locked, project_lock
from generator.apply.ops import FileOp, ManifestRecipe, OpOutcome, short
from generator.apply.paths import check_relative, safe_target
from generator.errors import DayOneError, UnsafePathError

# Errors that no later write can escape either: the apply stops instead of refusing
# file after file, and can be resumed once the cause is fixed.
_STOPPING = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})

__all__ = [
    "ApplyInterrupted",
    "ApplyRunning",
    "ApplyStopped",
    "FileOp",
    "JournalInfo",
    "ManifestRecipe",
    "OpOutcome",
    "check_settled",
    "pending",
    "resume",
    "rollback",
    "run",
]


class ApplyInterrupted(DayOneError):
    """An earlier apply did not finish; nothing new may start until it is settled."""

    def __init__(self, info: JournalInfo, root: Path | None = None) -> None:
        super().__init__(
            f"An earlier apply to this project was interrupted ({info.describe()}).",
            hint=_recovery_hint(info.rolling_back, root),
        )
        self.info = info


class ApplyStopped(DayOneError):
    """The apply could not go on (a full disk, say); its journal is kept for recovery."""


def _recovery_hint(rolling_back: bool, root: Path | None) -> str:
    command = f"dayone apply {root}" if root is not None else "dayone apply DIR"
    if rolling_back:
        return f"Finish undoing it: `{command} --rollback`."
    return f"Finish it with `{command} --resume`, or undo it with `{command} --rollback`."


def pending(root: Path) -> JournalInfo | None:
    """The unfinished apply of ``root``, if a crash or a kill left one."""
    recorded = load(root)
    return None if recorded is None else recorded.info


def check_settled(root: Path) -> None:
    """Refuse to work on a project while an apply is running or left unfinished.

    Every command that reads the baseline calls this first: a half-done apply leaves
    baseline copies that do not match the manifest yet, and only ``--resume`` or
    ``--rollback`` (never ``dayone adopt``) puts that right.
    """
    recorded = load(root)
    if recorded is None:
        return
    if is_locked(root):
        raise ApplyRunning(root / STATE_DIR)
    raise ApplyInterrupted(recorded.info, root)


def run(root: Path, ops: Sequence[FileOp], *, crash_after: int | None = None) -> list[OpOutcome]:
    """Apply ``ops`` to the project at ``root``; one outcome per op, in order.

    ``.dayone`` is made if missing: callers have checked that ``root`` is a project
    (a regeneration has read its baseline, ``dayone adopt`` its spec).
    ``crash_after`` is for tests: see :mod:`generator.apply.crash`.
    """
    writer = Writer(crash_after)
    with project_lock(root):
        recorded = load(root)
        if recorded is not None:
            raise ApplyInterrupted(recorded.info, root)
        journal = Journal(root, writer)
        journal.clear_debris()
        surveyed = [_survey(root, op) for op in ops]
        entries = [entry for entry, _ in surveyed]
        try:
            journal.start(datetime.now(UTC), entries)
            for entry, current in surveyed:
                if current is not None and entry.found_sha256 == entry.op.expected_sha256:
                    journal.save_backup(current)
        except OSError as error:
            # No project file touched yet: the journal is dropped, nothing changed.
            shutil.rmtree(safe_target(root, JOURNAL_DIR), ignore_errors=True)
            raise DayOneError(
                f"Could not start the apply: {_os_reason(error)}. Nothing was changed.",
                hint="Fix the cause (free some disk space, say), then apply again.",
            ) from None
        outcomes = _carry_out(_Changes(root, journal, writer, entries), journal, [], None)
        _journalled(journal.finish, root, False)
    return outcomes


def resume(root: Path, *, crash_after: int | None = None) -> list[OpOutcome]:
    """Finish an interrupted apply; the outcomes of all its ops, as ``run`` returns them."""
    _require_project(root, "resume")
    writer = Writer(crash_after)
    with project_lock(root, create=False):
        recorded = _require(root, "resume")
        if recorded.rolling_back:
            raise ApplyInterrupted(recorded.info, root)
        journal = Journal(root, writer)
        journal.clear_temps(root, recorded.entries)
        changes = _Changes(root, journal, writer, recorded.entries)
        done = list(recorded.outcomes)
        outcomes = _carry_out(changes, journal, done, len(done))
        _journalled(journal.finish, root, False)
    return outcomes


def rollback(root: Path, *, crash_after: int | None = None) -> list[OpOutcome]:
    """Undo an interrupted apply: every file it changed gets its pre-apply bytes back.

    One outcome per file put back (or refused, when it changed since the apply), in
    the order undone: the reverse of the plan's. Safe to run again if it is itself
    interrupted.
    """
    _require_project(root, "roll back")
    writer = Writer(crash_after)
    with project_lock(root, create=False):
        recorded = _require(root, "roll back")
        journal = Journal(root, writer)
        journal.clear_temps(root, recorded.entries)
        if not recorded.rolling_back:
            _journalled(lambda: journal.record(recorded.outcomes, rolling_back=True), root, True)
        changes = _Changes(root, journal, writer, recorded.entries, recorded.outcomes)
        done = len(recorded.outcomes)
        undone: list[OpOutcome] = []
        for index in reversed(range(min(done + 1, len(recorded.entries)))):
            if index < done and recorded.outcomes[index].status != "applied":
                continue
            outcome = changes.undo(index, recorded=index < done)
            if outcome is not None:
                undone.append(outcome)
        _journalled(journal.finish, root, True)
    return undone


def _require_project(root: Path, verb: str) -> None:
    """Refuse a folder that is not a project before anything (the lock) touches it."""
    if not os.path.isdir(root / STATE_DIR) or os.path.islink(root / STATE_DIR):
        raise DayOneError(
            f"There is no interrupted apply to {verb} in {str(root)!r}: it is not a Day One "
            f"project (it has no {STATE_DIR} folder).",
            hint="Pass the folder `dayone new` created; nothing was written.",
        )


def _require(root: Path, verb: str) -> Recorded:
    recorded = load(root)
    if recorded is None:
        raise DayOneError(f"There is no interrupted apply to {verb} in this project.")
    return recorded


def _os_reason(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _journalled(write: Callable[[], None], root: Path, rolling_back: bool) -> None:
    """Do one of the journal's own writes; if it fails, stop with the journal as it is."""
    try:
        write()
    except OSError as error:
        raise ApplyStopped(
            f"The apply stopped: could not update its journal: {_os_reason(error)}.",
            hint=_recovery_hint(rolling_back, root),
        ) from None


def _survey(root: Path, op: FileOp) -> tuple[Entry, bytes | None]:
    """What ``op``'s file holds now, for the journal; unreadable counts as absent."""
    try:
        found = read_regular(safe_target(root, op.path))
    except (UnsafePathError, OSError):
        found = None
    if found is None:
        return Entry(op, None, None), None
    data, mode = found
    return Entry(op, sha256_bytes(data), mode), data


def _carry_out(
    changes: _Changes, journal: Journal, outcomes: list[OpOutcome], in_flight: int | None
) -> list[OpOutcome]:
    """Do the ops not yet in ``outcomes``, recording each; ``in_flight`` may be done."""
    changes.outcomes = outcomes
    for index in range(len(outcomes), changes.count):
        outcomes.append(changes.apply(index, may_be_done=index == in_flight))
        _journalled(lambda: journal.record(outcomes, rolling_back=False), changes.root, False)
    return outcomes


class _Seen(NamedTuple):
    """A file as found right before an op: hash, permission bits, bytes (all None: absent)."""

    sha256: str | None
    mode: int | None
    data: bytes | None


class _Changes:
    """The ops of one journal, done or undone one at a time against one project."""

    def __init__(
        self,
        root: Path,
        journal: Journal,
        writer: Writer,
        entries: Sequence[Entry],
        outcomes: Sequence[OpOutcome] = (),
    ) -> None:
        self.root = root
        self.outcomes = outcomes  # of the ops done so far, in order
        self._root = root.resolve()
        self._journal = journal
        self._writer = writer
        self._entries = entries
        self._owners: dict[str, int] = {}
        for index, entry in enumerate(entries):
            try:
                self._owners.setdefault(check_relative(entry.op.path), index)
            except UnsafePathError:
                continue

    @property
    def count(self) -> int:
        return len(self._entries)

    def apply(self, index: int, *, may_be_done: bool) -> OpOutcome:
        """Do op ``index`` if its file still holds what the plan expects.

        ``may_be_done``: the op was under way when the apply was interrupted, so its
        write may have landed without being recorded (see the journal's ``found_*``).
        """
        entry = self._entries[index]
        op = self._op(index)
        blocked = self._blocked(op)
        if blocked is not None:
            return _refused(op, blocked)
        try:
            target = self._target(index)
            seen = _observe(target)
        except (UnsafePathError, OSError) as error:
            return _refused(op, _unreadable(error))
        if may_be_done and entry.found_sha256 == op.expected_sha256 and _holds_new(op, seen):
            return _applied(op)
        if seen.sha256 != op.expected_sha256:
            return _refused(op, _stale(op.expected_sha256, seen.sha256))
        try:
            if seen.data is not None:
                # A no-op unless a crash cut the backup step short.
                self._journal.save_backup(seen.data)
            if op.content is not None:
                self._writer.write(target, op.content, mode=op.mode)
            elif seen.sha256 is not None:
                self._writer.delete(target, root=self._root)
        except OSError as error:
            if error.errno in _STOPPING or op.manifest is not None:
                done = len(self.outcomes)
                raise ApplyStopped(
                    f"The apply stopped at {op.path} ({done} of {self.count} file changes "
                    f"done): could not write it: {_os_reason(error)}.",
                    hint=_recovery_hint(False, self.root),
                ) from None
            return _refused(op, f"could not write it ({error.strerror or error})")
        return _applied(op)

    def _op(self, index: int) -> FileOp:
        """Op ``index``, its content computed if it is the manifest."""
        op = self._entries[index].op
        if op.manifest is None:
            return op
        done = zip((e.op for e in self._entries[:index]), self.outcomes[:index], strict=True)
        return replace(op, content=op.manifest.content(done), manifest=None)

    def _blocked(self, op: FileOp) -> str | None:
        """Why ``op`` may not run: the op it requires was not applied."""
        if op.requires is None:
            return None
        owner = self._owners.get(op.requires)
        if owner is None or owner >= len(self.outcomes):
            return f"not recorded: the plan does not write {op.requires} before it"
        if self.outcomes[owner].status != "applied":
            return f"not recorded, because {op.requires} was not written"
        return None

    def undo(self, index: int, *, recorded: bool) -> OpOutcome | None:
        """Put op ``index``'s file back as it was before the apply.

        ``recorded``: the journal says the op was applied; otherwise it was under way
        at the interruption, and is undone only if its write landed. ``None`` when
        there is nothing to undo.
        """
        entry = self._entries[index]
        op = entry.op
        if op.manifest is not None:
            if index > len(self.outcomes):
                return None
            op = self._op(index)
            entry = replace(entry, op=op)
        try:
            target = self._target(index)
            seen = _observe(target)
        except (UnsafePathError, OSError) as error:
            return _refused(op, _unreadable(error)) if recorded else None
        landed = entry.found_sha256 == op.expected_sha256 and _holds_new(op, seen)
        changes_nothing = op.content is None and op.expected_sha256 is None
        if changes_nothing or not (recorded or landed):
            return None
        if not _holds_new(op, seen):
            if seen.sha256 == op.expected_sha256:
                return OpOutcome(op.path, "applied", "already back as before the apply")
            return _refused(
                op,
                f"changed on disk since the apply (expected {short(op.new_sha256)}, "
                f"found {short(seen.sha256)}); left as it is",
            )
        try:
            return self._restore(target, entry, seen)
        except OSError as error:
            if error.errno in _STOPPING:
                raise ApplyStopped(
                    f"The rollback stopped at {op.path}: could not restore it: "
                    f"{_os_reason(error)}.",
                    hint=_recovery_hint(True, self.root),
                ) from None
            return _refused(op, f"could not restore it ({error.strerror or error})")

    def _restore(self, target: Path, entry: Entry, seen: _Seen) -> OpOutcome:
        op = entry.op
        if op.expected_sha256 is None:
            if seen.sha256 is not None:
                self._writer.delete(target, root=self._root)
            return OpOutcome(op.path, "applied", "removed: the apply had created it")
        data = self._journal.backup(op.expected_sha256)
        if data is None:
            return _refused(op, "its backup in the journal is missing or damaged; left as it is")
        mode = entry.found_mode if entry.found_sha256 == op.expected_sha256 else None
        self._writer.write(target, data, mode=mode)
        return OpOutcome(op.path, "applied", "restored")

    def _target(self, index: int) -> Path:
        rel = check_relative(self._entries[index].op.path)
        if rel in (STATE_DIR, JOURNAL_DIR) or rel.startswith(JOURNAL_DIR + "/"):
            raise UnsafePathError(f"Refusing path {rel!r}: Day One keeps its apply journal there.")
        owner = self._owners[rel]
        if owner != index:
            raise UnsafePathError(f"Refusing path {rel!r}: op {owner + 1} of the plan has it too.")
        return safe_target(self._root, rel)


def _observe(target: Path) -> _Seen:
    found = read_regular(target)
    if found is None:
        return _Seen(None, None, None)
    data, mode = found
    return _Seen(sha256_bytes(data), mode, data)


def _holds_new(op: FileOp, seen: _Seen) -> bool:
    """Whether the file is as ``op`` leaves it (its mode too, when the op sets one)."""
    if seen.sha256 != op.new_sha256:
        return False
    return op.mode is None or op.content is None or seen.mode == op.mode


def _unreadable(error: UnsafePathError | OSError) -> str:
    if isinstance(error, UnsafePathError):
        return error.message
    return f"could not read it ({error.strerror or error})"


def _stale(expected: str | None, found: str | None) -> str:
    return f"changed on disk since the plan (expected {short(expected)}, found {short(found)})"


def _applied(op: FileOp) -> OpOutcome:
    if op.content is None:
        reason = "deleted" if op.expected_sha256 is not None else "already absent"
    else:
        reason = "updated" if op.expected_sha256 is not None else "created"
    return OpOutcome(op.path, "applied", reason)


def _refused(op: FileOp, reason: str) -> OpOutcome:
    return OpOutcome(op.path, "refused", reason)
