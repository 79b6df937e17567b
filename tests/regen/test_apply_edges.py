"""apply at its edges (issue 12): refused writes, a full disk, damaged state, an
interrupted or running apply, folders that are not projects, killed writes.

Every scenario runs through the CLI on one generated project, copied per test.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.apply.crash import CRASH_EXIT_CODE
from generator.apply.lock import project_lock
from generator.apply.regenerate import Options
from generator.errors import DayOneError
from tests.regen.support import MODEL, Demo, dayone

# A spec change that updates three files and adds a migration: 10 journalled ops.
WIDER = ("max_length: 100", "max_length: 120")
SCHEMA = "backend/app/schemas/ticket.py"
MANIFEST = ".dayone/manifest.json"


def assert_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2, an ``error:`` line (and at most a ``hint:`` line), no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), result.stderr
    assert len(lines) <= 2 and all(line.startswith("hint: ") for line in lines[1:]), lines
    for word in words:
        assert word in result.stderr, (word, result.stderr)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    demo = Demo.create(tmp_path_factory.mktemp("edges") / "demo")
    demo.spec(*WIDER)
    assert dayone("plan", str(demo.root)).returncode == 0  # fills the render cache
    return demo.root


@pytest.fixture
def demo(pristine: Path, tmp_path: Path) -> Demo:
    return Demo(shutil.copytree(pristine, tmp_path / "demo", symlinks=True))


def recorded(demo: Demo) -> tuple[str, bytes]:
    """The manifest's spec hash and the baseline copy of MODEL."""
    manifest = json.loads(demo.read(MANIFEST))
    return manifest["spec_sha256"], (demo.root / ".dayone/baseline" / MODEL).read_bytes()


def assert_refused_then_recovers(demo: Demo, result: subprocess.CompletedProcess[str]) -> None:
    """MODEL's write was refused: reported, baseline and manifest kept, planned again."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"refused {MODEL}:" in result.stdout
    assert "1 refused" in result.stdout


def assert_planned_again(demo: Demo, before: tuple[str, bytes]) -> None:
    assert recorded(demo) == before  # neither the baseline copy nor the spec hash moved
    check = dayone("check", str(demo.root))
    assert check.returncode == 1 and f"update    {MODEL}" in check.stdout, check.stdout
    assert demo.actions() == {MODEL: "update"}
    assert dayone("apply", str(demo.root), "--apply").returncode == 0
    assert "length=120" in demo.read(MODEL)
    assert dayone("check", str(demo.root)).returncode == 0


# --- 1. a refused write never advances the baseline -----------------------------------------


def test_a_refused_write_keeps_its_baseline_and_stays_in_the_plan(demo: Demo) -> None:
    before = recorded(demo)
    result = dayone("apply", str(demo.root), "--apply", DAYONE_FAIL_PATH=MODEL)
    assert_refused_then_recovers(demo, result)
    assert "Permission denied" in result.stdout
    assert f"update {SCHEMA}" in result.stdout  # the rest went ahead
    assert_planned_again(demo, before)


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Paths to make immutable with ``chattr +i`` (as root); undone afterwards."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("chattr +i needs root and e2fsprogs' chattr")
    paths: list[Path] = []
    yield paths
    for path in paths:
        subprocess.run(["chattr", "-i", str(path)], check=False)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_an_immutable_file_or_folder_is_refused_and_planned_again(
    demo: Demo, immutable: list[Path], what: str
) -> None:
    target = demo.root / MODEL if what == "file" else (demo.root / MODEL).parent
    if subprocess.run(["chattr", "+i", str(target)], check=False).returncode != 0:
        pytest.skip("this file system does not support chattr +i")
    immutable.append(target)
    before = recorded(demo)
    result = dayone("apply", str(demo.root), "--apply")
    assert_refused_then_recovers(demo, result)
    subprocess.run(["chattr", "-i", str(target)], check=True)
    assert_planned_again(demo, before)


def test_a_file_edited_while_apply_runs_is_refused_and_planned_again(demo: Demo) -> None:
    """The user saves MODEL while apply writes the files before it (a hook in the
    writer: when the new migration, the first project file, is written)."""
    from unittest import mock

    from generator.apply import crash

    before = recorded(demo)
    write = crash.Writer.write

    def racing(self: crash.Writer, path: Path, data: bytes, *, mode: int | None = None) -> None:
        if path.parent.name == "versions" and ".dayone" not in path.parts:
            demo.append(MODEL, "# saved by the user meanwhile\n")
        write(self, path, data, mode=mode)

    with mock.patch.object(crash.Writer, "write", racing):
        result = demo.apply()
    assert [path for path, _ in result.refused] == [MODEL]
    assert "changed on disk since the plan" in result.refused[0][1]
    assert result.exit_code == 1
    assert demo.read(MODEL).endswith("# saved by the user meanwhile\n")
    assert recorded(demo) == before
    assert demo.actions() == {MODEL: "merge"}  # the template's change is still to come
    assert dayone("check", str(demo.root)).returncode == 1


def test_a_full_disk_at_every_write_point_never_leaves_a_false_manifest(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC at write point N (in-process, for speed): the apply stops and the project
    is either untouched or holds a journal; after --resume it is exactly in sync, and
    no manifest ever names a baseline copy that was not written."""
    from generator.apply import transaction
    from generator.project import load_baseline
    from generator.regenerate import Regeneration

    pristine = demo.snapshot()
    n = 0
    while True:
        n += 1
        copy = Demo(shutil.copytree(demo.root, tmp_path / f"full{n}", symlinks=True))
        monkeypatch.setenv("DAYONE_FAIL_WRITE", str(n))
        regeneration, stored = Regeneration.from_plan_file(copy.root)
        try:
            regeneration.apply(stored, Options())
        except DayOneError as error:
            assert "No space left on device" in error.message
            if transaction.pending(copy.root) is None:
                assert "Nothing was changed" in error.message
                assert copy.snapshot() == pristine
            else:
                assert error.hint is not None and "--resume" in error.hint
                assert "--rollback" in error.hint
                monkeypatch.delenv("DAYONE_FAIL_WRITE")
                transaction.resume(copy.root)
                load_baseline(copy.root)  # the manifest names exactly the baseline copies
                assert not Regeneration(copy.root).plan.changes
        else:
            break  # past the last write point
        monkeypatch.delenv("DAYONE_FAIL_WRITE", raising=False)
        shutil.rmtree(copy.root)
    assert n > 10


# --- 8. damaged state and a full disk: one line, exit 2 -------------------------------------


def test_a_journal_that_is_a_file_is_a_clear_error(demo: Demo) -> None:
    (demo.root / ".dayone/journal").write_text("not a folder")
    before = demo.snapshot()
    for command in (["plan"], ["check"], ["diff"], ["apply", "--apply"], ["apply", "--resume"]):
        assert_error(dayone(*command, str(demo.root)), ".dayone/journal is a file")
    assert demo.snapshot() == before


def test_a_spec_that_is_a_folder_is_a_clear_error(demo: Demo) -> None:
    (demo.root / "dayone.yaml").unlink()
    (demo.root / "dayone.yaml").mkdir()
    before = demo.snapshot()
    for command in (["plan"], ["check"], ["apply", "--apply"]):
        assert_error(dayone(*command, str(demo.root)), "dayone.yaml", "is not a regular file")
    assert demo.snapshot() == before


def test_a_full_disk_during_apply_is_a_clear_error_naming_the_way_out(demo: Demo) -> None:
    result = dayone("apply", str(demo.root), "--apply", DAYONE_FAIL_WRITE="8")
    assert_error(result, "No space left on device", "--resume", "--rollback")
    assert dayone("apply", str(demo.root), "--rollback").returncode == 0
    assert dayone("apply", str(demo.root), "--apply").returncode == 0


def test_a_full_disk_while_writing_plan_json_is_a_clear_error(demo: Demo) -> None:
    from unittest import mock

    from generator import regenerate

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with (
        mock.patch.object(regenerate, "atomic_write", side_effect=full),
        pytest.raises(DayOneError, match=r"could not write .*plan\.json: No space left"),
    ):
        demo.plan()


# --- 9. an interrupted or running apply is named first ----------------------------------------


@pytest.fixture
def interrupted(demo: Demo) -> Demo:
    killed = dayone("apply", str(demo.root), "--apply", DAYONE_CRASH_AFTER="6")
    assert killed.returncode == CRASH_EXIT_CODE, killed.stderr
    return demo


COMMANDS = [["plan"], ["check"], ["diff"], ["apply"], ["apply", "--apply"], ["resolve", MODEL]]


def test_every_command_names_an_interrupted_apply_and_the_way_out(interrupted: Demo) -> None:
    before = interrupted.snapshot()
    for command in COMMANDS:
        args = [command[0], str(interrupted.root), *command[1:]]
        result = dayone(*args)
        assert_error(result, "interrupted", "--resume", "--rollback")
        assert "adopt" not in result.stderr
    assert interrupted.snapshot() == before
    assert dayone("apply", str(interrupted.root), "--rollback").returncode == 0
    assert dayone("check", str(interrupted.root)).returncode == 1  # back before the apply


def test_every_command_names_a_running_apply_and_its_pid(interrupted: Demo) -> None:
    with project_lock(interrupted.root):  # this process stands for the running apply
        for command in [*COMMANDS, ["apply", "--resume"], ["apply", "--rollback"]]:
            args = [command[0], str(interrupted.root), *command[1:]]
            assert_error(dayone(*args), "Another Day One apply is running", f"pid {os.getpid()}")


# --- 11. nothing is written into a folder that is not a project -------------------------------


@pytest.mark.parametrize("flag", ["--resume", "--rollback"])
def test_resume_or_rollback_in_a_folder_that_is_not_a_project_writes_nothing(
    tmp_path: Path, flag: str
) -> None:
    folder = tmp_path / "not-a-project"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert_error(dayone("apply", str(folder), flag), "not a Day One project")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


# --- 12. a write killed halfway leaves no temporary file for good -----------------------------


@pytest.mark.parametrize("flag", ["--resume", "--rollback"])
def test_a_write_killed_halfway_is_cleaned_up_by_resume_and_rollback(demo: Demo, flag: str) -> None:
    # Write point 11: the model, after the journal, 5 backups, the migration and its
    # baseline copy, each with its record in progress.json.
    killed = dayone("apply", str(demo.root), "--apply", DAYONE_CRASH_DURING="11")
    assert killed.returncode == CRASH_EXIT_CODE, killed.stderr
    temps = [p.relative_to(demo.root).as_posix() for p in demo.root.rglob("*.dayone-tmp")]
    assert temps == ["backend/app/models/.ticket.py.dayone-tmp"]
    assert_error(dayone("plan", str(demo.root)), "interrupted", "--resume")
    assert dayone("apply", str(demo.root), flag).returncode == 0
    assert not list(demo.root.rglob("*.dayone-tmp"))
    assert dayone("check", str(demo.root)).returncode == (0 if flag == "--resume" else 1)


def test_plan_reports_a_stray_temporary_file(demo: Demo) -> None:
    stray = (demo.root / MODEL).parent / ".ticket.py.k3j2x9.dayone-tmp"
    stray.write_text("half a file")
    result = dayone("plan", str(demo.root))
    assert result.returncode == 0, result.stderr
    assert "backend/app/models/.ticket.py.k3j2x9.dayone-tmp is a temporary file" in result.stdout
    warnings = json.loads(demo.read("plan.json"))["warnings"]
    assert any(".ticket.py.k3j2x9.dayone-tmp" in w for w in warnings)
