"""run, resume and rollback without crashes: what is applied, what is refused and why."""

from __future__ import annotations

import base64
import json
import stat
from datetime import datetime
from pathlib import Path

import pytest
from apply_support import build, delete, no_temp_files, sha, snapshot, write

from generator.apply.crash import _SimulatedCrash
from generator.apply.lock import project_lock
from generator.apply.ops import short
from generator.apply.transaction import (
    ApplyInterrupted,
    FileOp,
    OpOutcome,
    pending,
    resume,
    rollback,
    run,
)
from generator.errors import DayOneError


def statuses(outcomes: list[OpOutcome]) -> list[tuple[str, str]]:
    return [(o.path, o.status) for o in outcomes]


def test_run_creates_updates_and_deletes(tmp_path: Path) -> None:
    build(tmp_path, {"a.txt": b"a", "app/models/user.py": b"u", "app/main.py": b"m"})
    outcomes = run(
        tmp_path,
        [
            write("a.txt", b"A", old=b"a"),
            write("scripts/run.sh", b"#!/bin/sh\n", mode=0o755),
            delete("app/models/user.py", b"u"),
        ],
    )
    assert [o.reason for o in outcomes] == ["updated", "created", "deleted"]
    assert snapshot(tmp_path) == {
        "a.txt": (b"A", 0o644),
        "app": None,
        "app/main.py": (b"m", 0o644),
        "scripts": None,
        "scripts/run.sh": (b"#!/bin/sh\n", 0o755),
    }
    assert not (tmp_path / ".dayone/journal").exists()
    assert pending(tmp_path) is None
    assert no_temp_files(tmp_path)


def test_run_keeps_permissions_unless_the_op_sets_them(tmp_path: Path) -> None:
    build(tmp_path, {"bin/tool": b"1", "bin/other": b"1"}, modes={"bin/tool": 0o755})
    run(tmp_path, [write("bin/tool", b"2", old=b"1"), write("bin/other", b"2", b"1", 0o700)])
    assert stat.S_IMODE((tmp_path / "bin/tool").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "bin/other").stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("on_disk", "op"),
    [
        pytest.param(b"edited", write("f", b"new", old=b"plan"), id="changed"),
        pytest.param(b"appeared", write("f", b"new"), id="appeared"),
        pytest.param(None, write("f", b"new", old=b"plan"), id="vanished"),
        pytest.param(b"edited", delete("f", b"plan"), id="delete-changed"),
    ],
)
def test_stale_ops_are_refused_and_the_rest_proceeds(
    tmp_path: Path, on_disk: bytes | None, op: FileOp
) -> None:
    build(tmp_path, {"before": b"1", "after": b"1"} | ({"f": on_disk} if on_disk else {}))
    outcomes = run(tmp_path, [write("before", b"2", old=b"1"), op, write("after", b"2", old=b"1")])
    assert statuses(outcomes) == [("before", "applied"), ("f", "refused"), ("after", "applied")]
    assert outcomes[1].reason == (
        f"changed on disk since the plan (expected {short(op.expected_sha256)}, "
        f"found {short(sha(on_disk))})"
    )
    assert file_bytes(tmp_path / "f") == on_disk
    assert (tmp_path / "before").read_bytes() == (tmp_path / "after").read_bytes() == b"2"


def file_bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def test_unsafe_paths_are_refused_and_the_rest_proceeds(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "alias.txt").symlink_to(root / "linked")
    ops = [
        write("../escape.txt", b"x"),
        write("/etc/evil", b"x"),
        write("linked/evil.py", b"x"),
        write("alias.txt", b"x"),
        write(".dayone/journal/journal.json", b"{}"),
        write("ok.txt", b"ok"),
    ]
    outcomes = run(root, ops)
    assert [o.status for o in outcomes] == ["refused"] * 5 + ["applied"]
    assert "'linked' is a symlink" in outcomes[2].reason
    assert "journal" in outcomes[4].reason
    assert list(outside.iterdir()) == []
    assert (root / "ok.txt").read_bytes() == b"ok"


def test_a_second_op_on_the_same_path_is_refused(tmp_path: Path) -> None:
    outcomes = run(tmp_path, [write("a//b", b"1"), write("a/b", b"2", old=b"1")])
    assert statuses(outcomes) == [("a//b", "applied"), ("a/b", "refused")]
    assert "op 1" in outcomes[1].reason
    assert (tmp_path / "a/b").read_bytes() == b"1"


def test_a_folder_in_the_way_is_refused_and_kept(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/mod.py").write_bytes(b"keep")
    outcomes = run(tmp_path, [write("pkg", b"x"), delete("pkg", b"x"), write("pkg/mod.py/x", b"")])
    assert [o.status for o in outcomes] == ["refused", "refused", "refused"]
    assert "not a regular file" in outcomes[0].reason
    assert "could not write it" in outcomes[2].reason
    assert (tmp_path / "pkg/mod.py").read_bytes() == b"keep"


def test_deleting_an_absent_file_that_should_be_absent_is_a_no_op(tmp_path: Path) -> None:
    outcomes = run(tmp_path, [FileOp("nothing", None, None)])
    assert outcomes == [OpOutcome("nothing", "applied", "already absent")]


def test_run_refuses_to_start_while_a_journal_exists(tmp_path: Path) -> None:
    build(tmp_path, {"a": b"1"})
    with pytest.raises(_SimulatedCrash):
        run(tmp_path, [write("a", b"2", old=b"1")], crash_after=1)
    info = pending(tmp_path)
    assert info is not None
    assert (info.total, info.done, info.rolling_back) == (1, 0, False)
    with pytest.raises(ApplyInterrupted) as raised:
        run(tmp_path, [write("b", b"1")])
    assert raised.value.info == info
    assert "--resume" in str(raised.value)
    assert "--rollback" in str(raised.value)
    assert not (tmp_path / "b").exists()


def test_run_refuses_while_another_apply_holds_the_lock(tmp_path: Path) -> None:
    with project_lock(tmp_path), pytest.raises(DayOneError, match="Another Day One apply"):
        run(tmp_path, [write("a", b"1")])
    assert not (tmp_path / "a").exists()
    run(tmp_path, [write("a", b"1")])  # the lock is gone with its holder


def test_run_refuses_a_symlinked_state_folder(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / ".dayone").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(DayOneError, match="symlink"):
        run(root, [write("a", b"1")])
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_run_clears_journal_debris_without_a_commit_record(tmp_path: Path) -> None:
    build(tmp_path, {".dayone/journal/backup/deadbeef": b"debris"})
    assert pending(tmp_path) is None
    run(tmp_path, [write("a", b"1")])
    assert not (tmp_path / ".dayone/journal").exists()


def test_resume_and_rollback_need_an_interrupted_apply(tmp_path: Path) -> None:
    with pytest.raises(DayOneError, match="no interrupted apply to resume"):
        resume(tmp_path)
    with pytest.raises(DayOneError, match="no interrupted apply to roll back"):
        rollback(tmp_path)


def test_resume_is_refused_once_a_rollback_began(tmp_path: Path) -> None:
    build(tmp_path, {"a": b"1", "b": b"1"})
    ops = [write("a", b"2", old=b"1"), write("b", b"2", old=b"1")]
    with pytest.raises(_SimulatedCrash):
        run(tmp_path, ops, crash_after=5)  # journal, 1 backup, a, its record, b
    with pytest.raises(_SimulatedCrash):
        rollback(tmp_path, crash_after=2)  # the rolling-back mark, then b restored
    info = pending(tmp_path)
    assert info is not None
    assert info.rolling_back
    with pytest.raises(ApplyInterrupted, match="--rollback"):
        resume(tmp_path)
    rollback(tmp_path)
    assert snapshot(tmp_path) == {"a": (b"1", 0o644), "b": (b"1", 0o644)}


def test_rollback_leaves_files_changed_after_the_apply_alone(tmp_path: Path) -> None:
    build(tmp_path, {"a": b"1", "b": b"1"})
    ops = [write("a", b"2", old=b"1"), write("b", b"2", old=b"1"), write("c", b"2")]
    with pytest.raises(_SimulatedCrash):
        run(tmp_path, ops, crash_after=6)  # journal, backup, a, record, b, record
    (tmp_path / "a").write_bytes(b"user edit")
    outcomes = rollback(tmp_path)
    assert statuses(outcomes) == [("b", "applied"), ("a", "refused")]
    assert "changed on disk since the apply" in outcomes[1].reason
    assert snapshot(tmp_path) == {"a": (b"user edit", 0o644), "b": (b"1", 0o644)}
    assert pending(tmp_path) is None


def test_a_damaged_journal_is_reported_not_trusted(tmp_path: Path) -> None:
    build(tmp_path, {"a": b"1"})
    with pytest.raises(_SimulatedCrash):
        run(tmp_path, [write("a", b"2", old=b"1")], crash_after=1)
    plan = tmp_path / ".dayone/journal/journal.json"
    plan.write_text(plan.read_text().replace('"path": "a"', '"path": 7'))
    with pytest.raises(DayOneError, match="damaged"):
        resume(tmp_path)
    plan.write_text('{"schema_version": 99}')
    with pytest.raises(DayOneError, match="another version"):
        pending(tmp_path)


def test_backups_are_taken_before_any_file_is_touched(tmp_path: Path) -> None:
    build(tmp_path, {"a": b"old a", "b": b"old b", "twin": b"old a"})
    ops = [write("a", b"new", old=b"old a"), delete("b", b"old b"), write("twin", b"x", b"old a")]
    with pytest.raises(_SimulatedCrash):
        run(tmp_path, ops, crash_after=3)  # the journal, then two backups (twin shares one)
    backups = tmp_path / ".dayone/journal/backup"
    assert {p.name: p.read_bytes() for p in backups.iterdir()} == {
        sha(b"old a"): b"old a",
        sha(b"old b"): b"old b",
    }
    assert snapshot(tmp_path) == {
        "a": (b"old a", 0o644),
        "b": (b"old b", 0o644),
        "twin": (b"old a", 0o644),
    }


def test_the_journal_is_documented_json(tmp_path: Path) -> None:
    build(tmp_path, {"a": b"old"})
    ops = [write("a", b"new", old=b"old", mode=0o755), write("b", b"x", old=b"y")]
    with pytest.raises(_SimulatedCrash):
        run(tmp_path, ops, crash_after=4)  # the journal, a backup, a, its record
    journal = tmp_path / ".dayone/journal"
    plan = json.loads((journal / "journal.json").read_text())
    assert plan["schema_version"] == 1
    assert datetime.fromisoformat(plan["started_at"]).tzinfo is not None
    assert plan["ops"][0] == {
        "path": "a",
        "content_b64": base64.b64encode(b"new").decode(),
        "content_sha256": sha(b"new"),
        "expected_sha256": sha(b"old"),
        "mode": 0o755,
        "found_sha256": sha(b"old"),
        "found_mode": 0o644,
        "temp": ".a.dayone-tmp",
        "requires": None,
        "manifest": None,
    }
    assert plan["ops"][1]["found_sha256"] is None
    progress = json.loads((journal / "progress.json").read_text())
    assert progress == {
        "schema_version": 1,
        "state": "applying",
        "outcomes": [{"path": "a", "status": "applied", "reason": "updated"}],
    }


def test_a_file_that_already_held_the_new_content_is_not_mistaken_for_applied(
    tmp_path: Path,
) -> None:
    """The crash comes right before a stale op whose file already holds its new bytes.

    The file never changed, so resuming must refuse the op as an uninterrupted run
    does, and rolling back must leave the file alone: deleting it (the op expected
    no file) or "restoring" it would destroy the user's file.
    """
    files = {"a": b"1", "appeared": b"new", "edited": b"new"}
    ops = [
        write("a", b"2", old=b"1"),
        write("appeared", b"new"),  # the plan thought there was no file
        write("edited", b"new", old=b"1"),  # a backup of b"1" exists: that of a
    ]
    build(tmp_path / "reference", files)
    reference = run(tmp_path / "reference", ops)
    for recover in (resume, rollback):
        root = tmp_path / recover.__name__
        build(root, files)
        with pytest.raises(_SimulatedCrash):
            run(root, ops, crash_after=4)  # the journal, a backup, a, its record
        outcomes = recover(root)
        if recover is resume:
            assert outcomes == reference
        assert file_bytes(root / "appeared") == file_bytes(root / "edited") == b"new"


def test_an_op_that_only_changes_the_mode_is_not_mistaken_for_done(tmp_path: Path) -> None:
    build(tmp_path, {"a": b"1", "run.sh": b"echo"})
    ops = [write("a", b"2", old=b"1"), write("run.sh", b"echo", old=b"echo", mode=0o755)]
    with pytest.raises(_SimulatedCrash):
        run(tmp_path, ops, crash_after=5)  # the journal, 2 backups, a, its record
    resume(tmp_path)
    assert stat.S_IMODE((tmp_path / "run.sh").stat().st_mode) == 0o755
