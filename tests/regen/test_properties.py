"""Property tests: random hand edits combined with random spec changes.

Invariants, whatever the edits and changes:
1. no line the user wrote is lost: it is in the result, or its file is a
   reported conflict and was left untouched;
2. planning again right after an apply shows only identical/keep/skip, apart
   from the conflicts the first plan reported;
3. applying the same plan twice changes nothing;
4. a crash at any write point leaves every file whole (old or new bytes), and
   resuming completes the apply exactly.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.apply import transaction
from generator.apply.crash import _SimulatedCrash
from generator.apply.regenerate import Options
from generator.regenerate import Regeneration
from tests.regen.support import SPEC, Demo

SpecChange = Callable[[str], str]

SPEC_CHANGES: dict[str, SpecChange] = {
    "add-entity": lambda s: s.replace(
        "entities:\n", "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n"
    ),
    "add-field": lambda s: s.replace(
        "      - {name: done, type: boolean, default: false}\n",
        "      - {name: done, type: boolean, default: false}\n"
        "      - {name: due, type: date, required: false}\n",
    ),
    "drop-field": lambda s: s.replace("      - {name: done, type: boolean, default: false}\n", ""),
    "widen-title": lambda s: s.replace("max_length: 100", "max_length: 140"),
    "rename-entity": lambda s: s.replace(
        "  - name: Comment\n", "  - name: Note\n    renamed_from: Comment\n"
    ),
    "invitations-on": lambda s: s.replace(
        "orgs: {invitations: false}", "orgs: {invitations: true}"
    ),
    "more-roles": lambda s: s.replace("roles: [boss, worker]", "roles: [boss, lead, worker]"),
}

EDITABLE = [
    "README.md",
    "backend/app/main.py",
    "backend/app/api/router.py",
    "backend/app/core/rbac.py",
    "backend/app/models/ticket.py",
    "backend/app/models/comment.py",
    "backend/app/api/routes/tickets.py",
    "backend/app/api/routes/comments.py",
    "backend/app/schemas/ticket.py",
    "backend/tests/samples.py",
]

Edit = tuple[str, str, int]  # (kind, path, position seed)
edits = st.lists(
    st.tuples(
        st.sampled_from(["insert", "change", "delete-line", "delete-file", "add-file"]),
        st.sampled_from(EDITABLE),
        st.integers(min_value=0, max_value=10_000),
    ),
    max_size=5,
)
changes = st.lists(st.sampled_from(sorted(SPEC_CHANGES)), min_size=0, max_size=3, unique=True)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Demo.create(tmp_path_factory.mktemp("pristine") / "demo").root


def _copy(pristine: Path, target: Path) -> Demo:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(pristine, target, symlinks=True)
    return Demo(target)


def _apply_edits(demo: Demo, chosen: list[Edit]) -> dict[str, list[str]]:
    """Make the edits; return the lines the user wrote, per file."""
    written: dict[str, list[str]] = {}
    for number, (kind, rel, seed) in enumerate(chosen):
        path = demo.root / rel
        marker = f"# user line {number}: kept safe"
        if kind == "add-file":
            rel = f"{rel}.mine{number}.txt"
            demo.write(rel, marker + "\n")
            written.setdefault(rel, []).append(marker)
            continue
        if not path.exists():
            continue
        lines = demo.read(rel).splitlines(keepends=True)
        if kind == "delete-file":
            path.unlink()
            written.pop(rel, None)
        elif kind == "insert":
            lines.insert(seed % (len(lines) + 1), marker + "\n")
            demo.write(rel, "".join(lines))
            written.setdefault(rel, []).append(marker)
        elif kind == "change" and lines:
            index = seed % len(lines)
            lines[index] = lines[index].rstrip("\n") + f"  {marker}\n"
            demo.write(rel, "".join(lines))
            written.setdefault(rel, []).append(lines[index].rstrip("\n"))
        elif kind == "delete-line" and lines:
            removed = lines.pop(seed % len(lines))
            demo.write(rel, "".join(lines))
            written[rel] = [w for w in written.get(rel, []) if w != removed.rstrip("\n")]
    return written


def _change_spec(demo: Demo, chosen: list[str]) -> None:
    text = SPEC
    for name in chosen:
        text = SPEC_CHANGES[name](text)
    if "Note" in text:  # the renamed entity's references follow the rename
        text = text.replace("to: Comment", "to: Note")
    demo.write("dayone.yaml", text)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chosen_edits=edits, chosen_changes=changes)
def test_regeneration_invariants(
    pristine: Path, tmp_path: Path, chosen_edits: list[Edit], chosen_changes: list[str]
) -> None:
    demo = _copy(pristine, tmp_path / "case")
    written = _apply_edits(demo, chosen_edits)
    _change_spec(demo, chosen_changes)
    before = {rel: (demo.root / rel).read_bytes() for rel in written if (demo.root / rel).exists()}

    plan = demo.plan().plan
    conflicts = {a.path for a in plan.conflicts}
    moved_from = {a.source: a.path for a in plan.actions if a.source}
    report = demo.apply(allow_destructive=True)
    assert not report.refused, report.refused

    # 1. No user line lost.
    for rel, lines in written.items():
        target = demo.root / moved_from.get(rel, rel)
        if rel in conflicts or moved_from.get(rel) in conflicts:
            assert (demo.root / rel).read_bytes() == before[rel], f"{rel} was touched"
            continue
        text = target.read_text(encoding="utf-8")
        for line in lines:
            assert line in text, f"lost {line!r} from {rel}"

    # 2. Planning again shows nothing left to do, but the same conflicts.
    again = demo.plan().plan
    leftover = {a.path: a.kind.value for a in again.changes}
    assert set(leftover) == conflicts, leftover
    assert set(leftover.values()) <= {"conflict"}

    # 3. Applying the same plan twice changes nothing.
    snapshot = demo.snapshot()
    demo.plan()
    demo.apply(allow_destructive=True)
    assert demo.snapshot() == snapshot


CRASH_CHANGES = ["add-entity", "widen-title", "rename-entity"]


def test_a_crash_at_every_write_point_leaves_files_whole_and_resume_completes(
    pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A simulated crash cannot observe fsync (tests/apply checks it is called); without
    # it the ~100 applies here run several times faster.
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    prepared = _copy(pristine, tmp_path / "prepared")
    _apply_edits(prepared, [("insert", "backend/app/models/ticket.py", 7)])
    _change_spec(prepared, CRASH_CHANGES)
    rendered = prepared.plan().rendered  # deterministic: render once, reuse for every run

    def attempt(name: str, crash_after: int | None) -> Demo:
        demo = _copy(prepared.root, tmp_path / name)
        regeneration, stored = Regeneration.from_plan_file(demo.root)
        regeneration.__dict__["rendered"] = rendered
        with contextlib.suppress(_SimulatedCrash):
            regeneration.apply(stored, Options(allow_destructive=True), crash_after=crash_after)
        return demo

    old = _project(prepared.snapshot())
    new = _project(attempt("reference", None).snapshot())
    point = 1
    while True:
        demo = attempt("crash", point)
        state = _project(demo.snapshot())
        if state == new and transaction.pending(demo.root) is None:
            break  # the apply finished before this write point: all points covered
        for rel, digest in state.items():
            assert digest in (old.get(rel), new.get(rel)), f"{rel} is neither old nor new"
        transaction.resume(demo.root)
        assert _project(demo.snapshot()) == new, f"resume after write point {point}"
        point += 1
    assert point > 10  # the scenario really had many write points


def _project(snapshot: dict[str, str]) -> dict[str, str]:
    """The project's files, without the journal an interrupted apply leaves."""
    return {k: v for k, v in snapshot.items() if not k.startswith(".dayone/journal")}


# Issue 12, items 3 and 4: re-indented files and managed regions taken over,
# with spec changes (renames included). Invariant: every Python file of the
# project compiles after the apply, and when nothing conflicted the app imports.
PYTHON_EDITABLE = [  # files the spec changes above change
    "backend/app/api/router.py",
    "backend/app/core/rbac.py",
    "backend/app/models/__init__.py",
    "backend/app/models/ticket.py",
    "backend/app/models/comment.py",
    "backend/app/schemas/ticket.py",
]
python_edits = st.lists(
    st.tuples(
        st.sampled_from(["reindent", "take-over", "take-over-and-edit", "insert"]),
        st.sampled_from(PYTHON_EDITABLE),
        st.sampled_from(["\t", "  ", "        "]),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=4,
)


def _reindent(text: str, unit: str) -> str:
    """Every leading group of four spaces made ``unit``, as an editor would."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" ")
        depth, rest = divmod(len(line) - len(body), 4)
        out.append(unit * depth + " " * rest + body)
    return "".join(out)


def _python_edit(demo: Demo, kind: str, rel: str, unit: str, seed: int) -> None:
    if not (demo.root / rel).exists():
        return
    text = demo.read(rel)
    lines = text.splitlines(keepends=True)
    if kind == "reindent":
        text = _reindent(text, unit)
    elif kind.startswith("take-over"):
        # The docs allow it: delete both markers of a region to own its lines.
        kept = [line for line in lines if "dayone:" not in line]
        if kind == "take-over-and-edit":
            # Edit a registration the region held (``api_router.include_router(x.router)``).
            calls = [i for i, line in enumerate(kept) if ".include_router(" in line]
            if calls:
                at = calls[seed % len(calls)]
                kept[at] = kept[at].rstrip("\n").removesuffix(")") + ', tags=["mine"])\n'
        text = "".join(kept)
    else:
        # A top-level statement of the user's between two top-level lines.
        tops = [i for i, line in enumerate(lines) if line[:1] not in ("", " ", "\t", "\n", ")")]
        if not tops:
            return
        at = tops[seed % len(tops)]
        lines.insert(at, f"USER_{seed} = {seed}\n")
        text = "".join(lines)
    demo.write(rel, text)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chosen_edits=python_edits, chosen_changes=changes)
# The two cases of the issue, always run: a clean merge that raised
# IndentationError, and a registration kept twice with its import gone.
@example(
    chosen_edits=[("reindent", "backend/app/models/ticket.py", "\t", 0)],
    chosen_changes=["add-field"],
)
@example(
    chosen_edits=[("take-over-and-edit", "backend/app/api/router.py", "\t", 9)],
    chosen_changes=["rename-entity"],
)
def test_every_applied_python_file_compiles(
    pristine: Path,
    tmp_path: Path,
    chosen_edits: list[tuple[str, str, str, int]],
    chosen_changes: list[str],
) -> None:
    demo = _copy(pristine, tmp_path / "case")
    for kind, rel, unit, seed in chosen_edits:
        _python_edit(demo, kind, rel, unit, seed)
    _change_spec(demo, chosen_changes)
    plan = demo.plan().plan
    report = demo.apply(allow_destructive=True)
    assert not report.refused, report.refused
    for path in sorted((demo.root / "backend").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        try:
            compile(source, str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            pytest.fail(f"{path.relative_to(demo.root)} does not compile after apply: {exc}")
    if not plan.conflicts:
        imported = subprocess.run(
            [sys.executable, "-c", "import app.main"],
            cwd=demo.root / "backend",
            capture_output=True,
            text=True,
            check=False,
        )
        assert imported.returncode == 0, imported.stderr[-3000:]
        # The migrations, as applied, build a fresh database.
        database = tmp_path / "fresh.db"
        upgraded = subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=demo.root / "backend",
            env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert upgraded.returncode == 0, upgraded.stderr[-3000:]
        database.unlink()
