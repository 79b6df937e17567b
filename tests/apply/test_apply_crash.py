"""Crash-safety: stop an apply after every single write point, then resume or roll back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from apply_support import (
    SCENARIO_OPS,
    SCENARIO_PATHS,
    SCENARIO_WRITE_POINTS,
    Tree,
    build_scenario,
    copy,
    file_states,
    no_temp_files,
    skip_fsync,
    snapshot,
)

import generator
from generator.apply.crash import CRASH_ENV, CRASH_EXIT_CODE, _SimulatedCrash
from generator.apply.transaction import (
    ApplyInterrupted,
    OpOutcome,
    pending,
    resume,
    rollback,
    run,
)

Recovery = Callable[..., list[OpOutcome]]


@pytest.fixture(autouse=True)
def fast_disk() -> Iterator[None]:
    with skip_fsync():
        yield


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tree, Tree, list[OpOutcome]]:
    """The scenario's tree before, after an uninterrupted run, and that run's outcomes."""
    root = build_scenario(tmp_path_factory.mktemp("reference") / "project")
    before = snapshot(root)
    outcomes = run(root, SCENARIO_OPS)
    return before, snapshot(root), outcomes


def assert_whole(root: Path, before: Tree, after: Tree) -> None:
    """Every file holds exactly its old or its new bytes, and no temp file is left."""
    for rel, data in file_states(root, SCENARIO_PATHS).items():
        old, new = before.get(rel), after.get(rel)
        assert data in (old and old[0], new and new[0]), rel
    assert no_temp_files(root)


def crash_run(root: Path, after: int) -> bool:
    """Run the scenario, stopping after write point ``after``; whether it stopped."""
    try:
        run(root, SCENARIO_OPS, crash_after=after)
    except _SimulatedCrash:
        return True
    return False


def test_the_scenario_is_what_it_claims(
    reference: tuple[Tree, Tree, list[OpOutcome]],
) -> None:
    _, _, outcomes = reference
    assert [o.status for o in outcomes] == ["applied"] * 5 + ["refused"] + ["applied"] * 3 + [
        "refused"
    ]


def test_crash_at_every_write_point(
    tmp_path: Path, reference: tuple[Tree, Tree, list[OpOutcome]]
) -> None:
    before, after, outcomes = reference
    point = 0
    while True:
        point += 1
        project = build_scenario(tmp_path / f"crash-{point}")
        if not crash_run(project, point):
            break
        assert_whole(project, before, after)
        info = pending(project)
        if info is None:  # only once the journal's commit record is gone
            assert point == SCENARIO_WRITE_POINTS
            assert snapshot(project) == after
            continue
        assert info.total == len(SCENARIO_OPS)
        resumed = copy(project, tmp_path / f"resumed-{point}")
        assert resume(resumed) == outcomes
        assert snapshot(resumed) == after
        assert pending(resumed) is None
        rollback(project)
        assert snapshot(project) == before
        assert pending(project) is None
    assert point == SCENARIO_WRITE_POINTS + 1


@pytest.mark.parametrize("first", [resume, rollback], ids=["resume", "rollback"])
@pytest.mark.parametrize("then", [resume, rollback], ids=["resume", "rollback"])
def test_crash_during_recovery_at_every_write_point(
    tmp_path: Path,
    reference: tuple[Tree, Tree, list[OpOutcome]],
    first: Recovery,
    then: Recovery,
) -> None:
    """A recovery that is itself interrupted can be recovered from, either way.

    The apply stops right after deleting app/models/user.py but before recording
    it: the hardest case, where the journal and the files disagree.
    """
    before, after, outcomes = reference
    crashed = build_scenario(tmp_path / "crashed")
    assert crash_run(crashed, 11)
    assert not (crashed / "app/models/user.py").exists()
    info = pending(crashed)
    assert info is not None
    assert info.done == 2
    point = 0
    while True:
        point += 1
        project = copy(crashed, tmp_path / f"recovery-{point}")
        try:
            first(project, crash_after=point)
        except _SimulatedCrash:
            pass
        else:
            break
        assert_whole(project, before, after)
        info = pending(project)
        if info is None:
            assert snapshot(project) == (after if first is resume else before)
            continue
        finish = then
        if then is resume and info.rolling_back:
            with pytest.raises(ApplyInterrupted, match="--rollback"):
                resume(project)
            finish = rollback  # a begun rollback can only be finished
        result = finish(project)
        if finish is resume:
            assert result == outcomes
        assert snapshot(project) == (after if finish is resume else before)
    assert point > 2


def test_a_killed_child_process_is_resumed(
    tmp_path: Path, reference: tuple[Tree, Tree, list[OpOutcome]]
) -> None:
    """The real thing: the apply's process dies (os._exit) halfway through."""
    before, after, outcomes = reference
    project = build_scenario(tmp_path / "project")
    repo = Path(generator.__file__).resolve().parent.parent
    child = (
        "import sys; from pathlib import Path; from apply_support import SCENARIO_OPS; "
        "from generator.apply.transaction import run; run(Path(sys.argv[1]), SCENARIO_OPS); "
        "print('finished')"
    )
    environment = os.environ | {
        CRASH_ENV: "11",
        "PYTHONPATH": os.pathsep.join([str(repo), str(Path(__file__).parent)]),
    }
    completed = subprocess.run(
        [sys.executable, "-c", child, str(project)],
        env=environment,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == CRASH_EXIT_CODE, completed.stderr.decode()
    assert b"finished" not in completed.stdout
    assert_whole(project, before, after)
    info = pending(project)
    assert info is not None
    assert (info.total, info.done) == (len(SCENARIO_OPS), 2)
    assert resume(project) == outcomes
    assert snapshot(project) == after
