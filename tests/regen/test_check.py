"""check, diff and adopt, and what a damaged baseline says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.regen.support import MODEL, README, Demo, dayone


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    return Demo.create(tmp_path / "demo")


def test_check_in_sync(demo: Demo) -> None:
    result = dayone("check", str(demo.root))
    assert result.returncode == 0
    assert "in sync" in result.stdout


def test_check_counts_user_edits_and_deletions_as_in_sync(demo: Demo) -> None:
    demo.append(MODEL, "\n# mine\n")
    (demo.root / README).unlink()
    assert dayone("check", str(demo.root)).returncode == 0


def test_check_reports_drift(demo: Demo) -> None:
    demo.spec("max_length: 100", "max_length: 120")
    result = dayone("check", str(demo.root), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert not report["in_sync"]
    assert {"path": MODEL, "action": "update"}.items() <= {
        k: v for d in report["drift"] if d["path"] == MODEL for k, v in d.items()
    }.items()


def test_check_errors_are_exit_2(tmp_path: Path) -> None:
    result = dayone("check", str(tmp_path))
    assert result.returncode == 2
    assert "dayone.yaml" in result.stderr


def test_diff_shows_the_change(demo: Demo) -> None:
    demo.spec("max_length: 100", "max_length: 120")
    result = dayone("diff", str(demo.root))
    assert result.returncode == 0
    assert "-    title: Mapped[str] = mapped_column(sa.String(length=100), nullable=False)" in (
        result.stdout
    )
    assert "+    title: Mapped[str] = mapped_column(sa.String(length=120), nullable=False)" in (
        result.stdout
    )


@pytest.mark.parametrize("damage", ["no-manifest", "bad-json", "bad-copy", "missing-copy"])
def test_damaged_baseline_points_to_adopt(demo: Demo, damage: str) -> None:
    manifest = demo.root / ".dayone/manifest.json"
    copy = demo.root / ".dayone/baseline" / MODEL
    if damage == "no-manifest":
        manifest.unlink()
    elif damage == "bad-json":
        manifest.write_text("{not json")
    elif damage == "bad-copy":
        copy.write_text("tampered\n")
    else:
        copy.unlink()
    result = dayone("plan", str(demo.root))
    assert result.returncode == 2
    assert "dayone adopt" in result.stderr
    assert "Traceback" not in result.stderr


def test_adopt_a_project_without_baseline_keeps_every_edit(demo: Demo) -> None:
    shutil.rmtree(demo.root / ".dayone")
    demo.append(MODEL, "\n# written before Day One kept a baseline\n")
    result = dayone("adopt", str(demo.root))
    assert result.returncode == 0, result.stderr
    assert demo.actions() == {MODEL: "keep"}
    demo.spec("max_length: 100", "max_length: 120")
    assert demo.actions()[MODEL] == "merge"
    demo.apply()
    assert "# written before Day One kept a baseline" in demo.read(MODEL)
    assert "length=120" in demo.read(MODEL)


def test_adopt_refuses_to_replace_a_baseline_without_force(demo: Demo) -> None:
    assert dayone("adopt", str(demo.root)).returncode == 2
    assert dayone("adopt", str(demo.root), "--force").returncode == 0


@pytest.mark.parametrize("bad", ["../escape.py", "/etc/passwd", "backend/../../x.py"])
def test_a_manifest_naming_an_unsafe_path_is_refused(demo: Demo, bad: str) -> None:
    manifest = demo.root / ".dayone/manifest.json"
    data = json.loads(manifest.read_text())
    data["files"][bad] = "0" * 64
    manifest.write_text(json.dumps(data))
    result = dayone("plan", str(demo.root))
    assert result.returncode == 2
    assert "unsafe path" in result.stderr
    assert not (demo.root.parent / "escape.py").exists()
