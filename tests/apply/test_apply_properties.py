"""Property test: random plans over random small trees, crashed at a random point.

Whatever the plan and wherever the crash (in the apply, and maybe again in its
recovery): every file is whole, the crash is reported, resuming ends exactly as an
uninterrupted run, and rolling back restores the tree exactly. The uninterrupted run
itself is checked against an oracle: a file changes only through an op whose
expectation matched it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from apply_support import (
    Tree,
    build,
    copy,
    file_states,
    no_temp_files,
    sha,
    skip_fsync,
    snapshot,
)
from hypothesis import event, given, settings
from hypothesis import strategies as st

from generator.apply.crash import _SimulatedCrash
from generator.apply.transaction import (
    ApplyInterrupted,
    FileOp,
    pending,
    resume,
    rollback,
    run,
)

PATHS = ["a.txt", "b/c.txt", "b/d/e.txt", "f/g.txt", "run.sh"]
CONTENTS = [b"", b"one", b"two", b"three\n" * 3]


@dataclass(frozen=True)
class Case:
    files: dict[str, bytes]
    modes: dict[str, int]
    ops: list[FileOp]
    crash_after: int
    recover_with: str  # "resume" or "rollback"
    recovery_crash_after: int | None
    finish_with: str


@st.composite
def cases(draw: st.DrawFn) -> Case:
    files = draw(st.dictionaries(st.sampled_from(PATHS), st.sampled_from(CONTENTS)))
    modes = {path: draw(st.sampled_from([0o644, 0o755, 0o600])) for path in files}
    ops = []
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, unique=True)):
        current = sha(files.get(path))
        expected = current
        if draw(st.integers(0, 3)) == 0:  # a stale plan for this file
            others = [sha(c) for c in CONTENTS if sha(c) != current]
            expected = draw(st.sampled_from([*others, None] if current else others))
        content = draw(st.none() | st.sampled_from(CONTENTS))
        mode = draw(st.sampled_from([None, 0o755])) if content is not None else None
        ops.append(FileOp(path, content, expected, mode))
    kinds = st.sampled_from(["resume", "rollback"])
    return Case(
        files,
        modes,
        ops,
        crash_after=draw(st.integers(1, 20)),
        recover_with=draw(kinds),
        recovery_crash_after=draw(st.none() | st.integers(1, 6)),
        finish_with=draw(kinds),
    )


def check_against_oracle(case: Case, before: Tree, after: Tree) -> None:
    """A file differs after the run only if an op for it expected exactly its old state."""
    by_path = {op.path: op for op in case.ops}
    for path in PATHS:
        old, new = before.get(path), after.get(path)
        op = by_path.get(path)
        applies = op is not None and op.expected_sha256 == sha(old and old[0])
        if not applies:
            assert new == old, path
        else:
            assert op is not None
            assert (new and new[0]) == op.content, path


@settings(max_examples=120, deadline=None)
@given(cases())
def test_random_plans_survive_a_crash_anywhere(case: Case) -> None:
    with tempfile.TemporaryDirectory() as temp, skip_fsync():
        base = Path(temp)
        original = base / "original"
        original.mkdir()
        build(original, case.files, case.modes)
        before = snapshot(original)

        reference = copy(original, base / "reference")
        outcomes = run(reference, case.ops)
        after = snapshot(reference)
        check_against_oracle(case, before, after)

        project = copy(original, base / "project")
        try:
            run(project, case.ops, crash_after=case.crash_after)
        except _SimulatedCrash:
            pass
        else:  # fewer write points than crash_after: an ordinary run
            event("no crash")
            assert snapshot(project) == after
            return
        assert_whole(project, before, after)
        if pending(project) is None:  # crashed after the journal was removed
            event("crash after the journal was removed")
            assert snapshot(project) == after
            return

        recover = resume if case.recover_with == "resume" else rollback
        try:
            result = recover(project, crash_after=case.recovery_crash_after)
        except _SimulatedCrash:
            event(f"crash in {case.recover_with} too")
            assert_whole(project, before, after)
        else:
            assert case.recover_with == "rollback" or result == outcomes
        event(f"crash in the apply, then {case.recover_with}")
        info = pending(project)
        finish_with = case.recover_with if info is None else case.finish_with
        if info is not None and info.rolling_back and finish_with == "resume":
            with pytest.raises(ApplyInterrupted):
                resume(project)
            finish_with = "rollback"  # a begun rollback can only be finished
        if info is not None and finish_with == "resume":
            assert resume(project) == outcomes
        elif info is not None:
            rollback(project)
        assert pending(project) is None
        assert snapshot(project) == (after if finish_with == "resume" else before)


def assert_whole(root: Path, before: Tree, after: Tree) -> None:
    for path, data in file_states(root, PATHS).items():
        old, new = before.get(path), after.get(path)
        assert data in (old and old[0], new and new[0]), path
    assert no_temp_files(root)
