"""What a conflict writes: a `.new` never replaces text that is not Day One's, and
with git, a conflict shows in git's own tools (issue 12, items 2 and 14)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.regen.support import MODEL, Demo, dayone

SIDE = MODEL + ".new"


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    demo = Demo.create(tmp_path / "demo")
    demo.edit(MODEL, "sa.String(length=100)", "sa.String(length=150)")
    demo.spec("max_length: 100", "max_length: 120")
    return demo


def plan(demo: Demo) -> dict[str, str | None]:
    """Run `dayone plan`; conflicted path -> the file conflicts.json says apply writes."""
    result = dayone("plan", str(demo.root))
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((demo.root / "conflicts.json").read_text())
    return {c["path"]: c["new_file"] for c in data["conflicts"]}


def apply(demo: Demo, *flags: str) -> subprocess.CompletedProcess[str]:
    result = dayone("apply", str(demo.root), "--apply", *flags)
    assert "Traceback" not in result.stderr, result.stderr
    return result


# --- item 2: `<path>.new` is never overwritten unchecked ------------------------------------


def test_a_users_own_file_at_path_new_survives(demo: Demo) -> None:
    demo.write(SIDE, "my own notes, not Day One's\n")
    assert plan(demo)[MODEL] == SIDE + ".1"
    result = apply(demo)
    assert result.returncode == 1
    assert demo.read(SIDE) == "my own notes, not Day One's\n"
    assert "length=120" in demo.read(SIDE + ".1")
    assert f"wrote {SIDE}.1" in result.stdout


def test_edits_inside_an_earlier_new_survive_the_next_conflict(demo: Demo) -> None:
    plan(demo)
    assert apply(demo).returncode == 1
    demo.append(SIDE, "# I was halfway through merging this\n")
    edited = demo.read(SIDE)
    demo.spec("max_length: 120", "max_length: 140")
    assert plan(demo)[MODEL] == SIDE + ".1"
    assert apply(demo).returncode == 1
    assert demo.read(SIDE) == edited
    assert "length=140" in demo.read(SIDE + ".1")


def test_a_new_day_one_wrote_is_replaced_in_place(demo: Demo) -> None:
    plan(demo)
    apply(demo)
    demo.spec("max_length: 120", "max_length: 140")
    assert plan(demo)[MODEL] == SIDE
    assert apply(demo).returncode == 1
    assert "length=140" in demo.read(SIDE)
    assert not (demo.root / (SIDE + ".1")).exists()


def test_a_file_appearing_at_the_new_after_planning_is_refused(demo: Demo) -> None:
    assert plan(demo)[MODEL] == SIDE
    demo.write(SIDE, "mine, written after the plan\n")
    result = apply(demo)
    assert result.returncode == 1
    assert f"refused {MODEL}" in result.stdout
    assert demo.read(SIDE) == "mine, written after the plan\n"
    assert not (demo.root / (SIDE + ".1")).exists()


def test_when_every_name_is_taken_the_path_is_refused(demo: Demo) -> None:
    from generator.plan.sides import candidates

    for name in candidates(MODEL):
        demo.write(name, "mine\n")
    assert plan(demo)[MODEL] is None
    result = apply(demo)
    assert result.returncode == 1
    assert f"refused {MODEL}" in result.stdout and "move one away" in result.stdout
    assert all(demo.read(name) == "mine\n" for name in candidates(MODEL))


def test_resolve_removes_only_the_new_day_one_wrote(demo: Demo) -> None:
    demo.write(SIDE, "mine\n")
    plan(demo)
    apply(demo)
    result = dayone("resolve", str(demo.root), MODEL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert demo.read(SIDE) == "mine\n"
    assert not (demo.root / (SIDE + ".1")).exists()


# --- item 14: markers, and git's own tools ----------------------------------------------------


def test_markers_are_labelled_diff3_style(demo: Demo) -> None:
    plan(demo)
    assert apply(demo, "--markers").returncode == 1
    lines = demo.read(MODEL).splitlines()
    assert lines.count("<<<<<<< yours") == 1
    assert lines.count("||||||| last generated") == 1
    assert lines.count(">>>>>>> new template") == 1
    assert not (demo.root / SIDE).exists()


def test_markers_are_never_nested(demo: Demo) -> None:
    plan(demo)
    apply(demo, "--markers")
    marked = demo.read(MODEL)
    demo.spec("max_length: 120", "max_length: 140")
    plan(demo)
    result = apply(demo, "--markers")
    assert result.returncode == 1
    assert f"refused {MODEL}" in result.stdout and "conflict markers" in result.stdout
    assert demo.read(MODEL) == marked


git_only = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git binary")


def git(demo: Demo, *args: str, stdin: bytes | None = None, top: Path | None = None) -> str:
    result = subprocess.run(
        ["git", "-C", str(top or demo.root), *args],
        input=stdin,
        capture_output=True,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )
    return result.stdout.decode()


def in_git(demo: Demo, top: Path | None = None) -> None:
    """Make the project (or the folder ``top`` above it) a git repository."""
    git(demo, "init", "-q", top=top)
    git(demo, "add", "-A", top=top)
    git(demo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "gen", top=top)


@git_only
def test_a_conflict_shows_in_git_and_git_add_resolves_it(demo: Demo) -> None:
    in_git(demo)
    base = (demo.root / ".dayone/baseline" / MODEL).read_bytes()
    ours = (demo.root / MODEL).read_bytes()
    plan(demo)
    assert apply(demo, "--markers").returncode == 1
    assert f"UU {MODEL}" in git(demo, "status", "--porcelain").splitlines()
    theirs = git(demo, "show", f":3:{MODEL}").encode()
    assert b"length=120" in theirs
    stages = {
        line.split("\t")[0].split()[2]: line.split()[1]
        for line in git(demo, "ls-files", "-u", "--", MODEL).splitlines()
    }
    blob = {
        name: git(demo, "hash-object", "--stdin", stdin=data).strip()
        for name, data in (("1", base), ("2", ours), ("3", theirs))
    }
    assert stages == blob
    # The user settles on a third value and tells git.
    merged = ours.decode().replace("length=150", "length=130")
    demo.write(MODEL, merged)
    git(demo, "add", MODEL)
    assert git(demo, "ls-files", "-u").strip() == ""
    assert plan(demo) == {}
    assert Demo(demo.root).actions()[MODEL] == "keep"
    assert apply(demo).returncode == 0
    assert demo.read(MODEL) == merged
    assert dayone("check", str(demo.root)).returncode == 0


@git_only
def test_in_a_git_subfolder_markers_with_unresolved_markers_are_refused(demo: Demo) -> None:
    top = demo.root.parent  # the project is a folder inside the repository
    in_git(demo, top)
    plan(demo)
    apply(demo, "--markers")
    assert f"UU demo/{MODEL}" in git(demo, "status", "--porcelain", top=top).splitlines()
    marked = demo.read(MODEL)
    git(demo, "add", MODEL)  # added with the markers still in: not resolved
    plan(demo)
    result = apply(demo, "--markers")
    assert result.returncode == 1 and "conflict markers" in result.stdout
    assert demo.read(MODEL) == marked


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"schema_version": 1, "written": [{"path": "a.py", "file": "../../etc/x", '
        b'"sha256": "0", "theirs": "0"}]}',
    ],
)
def test_a_damaged_record_is_a_clear_error(demo: Demo, content: bytes) -> None:
    (demo.root / ".dayone/conflict-files.json").write_bytes(content)
    before = demo.snapshot()
    result = dayone("plan", str(demo.root))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "conflict-files.json" in result.stderr
    assert demo.snapshot() == before


@git_only
def test_when_git_refuses_the_markers_stay_and_nothing_claims_they_are_staged(demo: Demo) -> None:
    in_git(demo)
    plan(demo)
    (demo.root / ".git/index.lock").write_bytes(b"")  # another git command holds the index
    result = apply(demo, "--markers")
    assert result.returncode == 1
    assert f"could not stage {MODEL}" in result.stdout
    assert "<<<<<<< yours" in demo.read(MODEL)
    record = demo.root / ".dayone/conflict-files.json"
    assert not record.exists() or '"staged": true' not in record.read_text()
    (demo.root / ".git/index.lock").unlink()
    # Taking the markers out by hand is not a resolution Day One can see: still a conflict.
    demo.write(MODEL, demo.read(MODEL).split("<<<<<<< yours\n")[0])
    assert plan(demo).get(MODEL) is not None
