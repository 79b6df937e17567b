"""apply: the stale-plan guard, refusals, path safety, crash recovery, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator import apply as transaction
from generator.apply.regenerate import PlanRefused
from generator.regenerate import NoPlanError
from tests.regen.support import MODEL, README, ROUTES, Demo, dayone

NEW_ENTITY = (
    "entities:\n",
    "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n",
)


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    return Demo.create(tmp_path / "demo")


def test_plan_writes_nothing_but_its_two_files(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.append(ROUTES, "\n# mine\n")
    before = demo.snapshot()
    demo.plan()
    after = demo.snapshot()
    assert set(after) - set(before) == {"plan.json", "conflicts.json"}
    assert {k: v for k, v in after.items() if k in before} == before


def test_dry_run_is_the_default(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.plan()
    before = demo.snapshot()
    result = dayone("apply", str(demo.root))
    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout
    assert demo.snapshot() == before


def test_cli_exit_codes(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    assert dayone("plan", str(demo.root)).returncode == 0
    applied = dayone("apply", str(demo.root), "--apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    # A conflict leaves exit code 1.
    demo.edit(MODEL, "sa.String(length=100)", "sa.String(length=150)")
    demo.spec("max_length: 100", "max_length: 120")
    assert dayone("plan", str(demo.root)).returncode == 0
    conflicted = dayone("apply", str(demo.root), "--apply")
    assert conflicted.returncode == 1
    assert "conflict" in conflicted.stdout
    # An error (no project here) is exit code 2, without a traceback.
    broken = dayone("apply", str(demo.root / "backend"), "--apply")
    assert broken.returncode == 2
    assert "Traceback" not in broken.stderr


def test_python_tool_wrapper(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.plan()
    tool = Path(__file__).resolve().parents[2] / "tools" / "apply_plan.py"
    result = subprocess.run(
        [sys.executable, str(tool), str(demo.root), "--apply"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (demo.root / "backend/app/models/tag.py").is_file()


def test_file_changed_after_planning_is_refused_alone(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.plan()
    demo.append(README, "\nedited after planning\n")
    report = demo.apply()
    assert report.exit_code == 1
    assert [path for path, _ in report.refused] == [README]
    assert "edited after planning" in demo.read(README)
    assert (demo.root / "backend/app/models/tag.py").is_file()


def test_plan_for_another_spec_is_refused_whole(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.plan()
    demo.spec("label, type: string", "label, type: text")
    before = demo.snapshot()
    with pytest.raises(PlanRefused, match=r"dayone\.yaml changed"):
        demo.apply()
    assert demo.snapshot() == before


def test_plan_of_another_generator_version_is_refused_whole(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.plan()
    stored = demo.stored()
    stored["generator"]["version"] = "0.0.1"
    (demo.root / "plan.json").write_text(json.dumps(stored))
    with pytest.raises(PlanRefused, match=r"made by Day One 0\.0\.1"):
        demo.apply()


def test_missing_plan(demo: Demo) -> None:
    with pytest.raises(NoPlanError):
        demo.apply()


def test_applying_twice_changes_nothing(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.append(MODEL, "\n# mine\n")
    demo.plan()
    assert demo.apply().exit_code == 0
    after_first = demo.snapshot()
    second = demo.apply()
    assert second.exit_code == 0
    assert demo.snapshot() == after_first
    assert set(demo.actions().values()) <= {"keep", "skip"}


def test_never_deletes_a_file_outside_the_baseline(demo: Demo) -> None:
    demo.write("backend/app/models/mine.py", "# my module\n")
    demo.spec("  - name: Comment\n", "  - name: Remark\n")
    demo.plan_and_apply(allow_destructive=True)
    assert demo.read("backend/app/models/mine.py") == "# my module\n"


def test_symlink_at_a_generated_path_is_not_followed(demo: Demo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("# outside the project\n")
    target = demo.root / MODEL
    target.unlink()
    target.symlink_to(outside)
    demo.spec("max_length: 100", "max_length: 120")
    plan = demo.plan().plan
    action = plan.action(MODEL)
    assert action is not None and action.kind.value == "conflict"
    demo.apply()
    assert outside.read_text() == "# outside the project\n"
    assert target.is_symlink()


def test_symlinked_folder_is_not_followed(demo: Demo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    models = demo.root / "backend/app/models"
    models.rename(elsewhere)
    models.symlink_to(elsewhere, target_is_directory=True)
    demo.spec(*NEW_ENTITY)
    demo.plan_and_apply()
    assert not (elsewhere / "tag.py").exists()


def test_destructive_plan_needs_the_flag(demo: Demo) -> None:
    pytest.importorskip("generator.schema.diff")
    demo.spec("      - {name: done, type: boolean, default: false}\n", "")
    plan = demo.plan().plan
    assert plan.destructive
    with pytest.raises(PlanRefused, match="--allow-destructive"):
        demo.apply()
    assert demo.apply(allow_destructive=True).exit_code == 0


def test_crash_midway_then_resume(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    demo.append(MODEL, "\n# mine\n")
    assert dayone("plan", str(demo.root)).returncode == 0
    crashed = dayone("apply", str(demo.root), "--apply", DAYONE_CRASH_AFTER="5")
    assert crashed.returncode == 70
    assert transaction.pending(demo.root) is not None
    blocked = dayone("apply", str(demo.root), "--apply")
    assert blocked.returncode == 2
    assert "--resume" in blocked.stderr
    resumed = dayone("apply", str(demo.root), "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert transaction.pending(demo.root) is None
    assert set(demo.actions().values()) <= {"keep", "skip"}
    assert "# mine" in demo.read(MODEL)


def test_crash_midway_then_rollback(demo: Demo) -> None:
    demo.spec(*NEW_ENTITY)
    assert dayone("plan", str(demo.root)).returncode == 0
    before = demo.snapshot()
    crashed = dayone("apply", str(demo.root), "--apply", DAYONE_CRASH_AFTER="7")
    assert crashed.returncode == 70
    rolled = dayone("apply", str(demo.root), "--rollback")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert demo.snapshot() == before
