"""Damaged or hostile inputs: plan.json, schema.json, a spec that is not a file, files too
large to read, and a migration taken by hand. Each is refused with one clear error (exit 2,
no traceback, nothing written) or, for the migration, planned exactly once."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.reading import MAX_FILE_BYTES
from tests.conftest import run_in
from tests.regen.support import README, Demo, dayone

PRIORITY = (
    "      - {name: done, type: boolean, default: false}\n",
    "      - {name: done, type: boolean, default: false}\n"
    "      - {name: priority, type: integer, default: 0}\n",
)
NEW_ENTITY = (
    "entities:\n",
    "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n",
)
MIGRATION = "backend/alembic/versions/0002_add_tickets_priority.py"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Demo.create(tmp_path_factory.mktemp("inputs") / "demo").root


@pytest.fixture
def demo(pristine: Path, tmp_path: Path) -> Demo:
    target = tmp_path / "demo"
    shutil.copytree(pristine, target, symlinks=True)
    return Demo(target)


def refused(demo: Demo, *args: str, match: str) -> str:
    """Run a command that must fail cleanly: exit 2, an error line matching ``match``
    and a hint, no traceback, and no file of the project changed."""
    before = demo.snapshot()
    result = dayone(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: "), result.stderr
    assert match in lines[0], lines[0]
    assert len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("hint: ")), result.stderr
    assert demo.snapshot() == before
    return lines[0]


# --- item 7: plan.json ---------------------------------------------------------------------------


def _planned(demo: Demo) -> dict[str, Any]:
    demo.spec(*NEW_ENTITY)
    demo.plan()
    return demo.stored()


def _set(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (_set(("actions",), 5), "$.actions"),
        (_set(("actions",), ["x"]), "$.actions[0]"),
        (_set(("actions", 0, "sha256"), "x"), "$.actions[0].sha256"),
        (_set(("actions", 0, "action"), "explode"), "$.actions[0].action"),
        (_set(("generator",), "dayone"), "$.generator"),
        (_set(("options",), "x"), "$.options"),
        (_set(("spec_sha256",), 7), "$.spec_sha256"),
    ],
)
def test_plan_json_of_the_wrong_shape_names_the_key(
    demo: Demo, change: Callable[[dict[str, Any]], None], where: str
) -> None:
    stored = _planned(demo)
    change(stored)
    (demo.root / "plan.json").write_text(json.dumps(stored))
    line = refused(demo, "apply", str(demo.root), "--apply", match="plan.json")
    assert where in line


def _extra(stored: dict[str, Any]) -> None:
    action = {
        "path": "../escape.txt",
        "action": "create",
        "reason": "x",
        "sha256": {"planned": None, "baseline": None, "result": "0" * 64},
    }
    stored["actions"].insert(0, action)


def _missing(stored: dict[str, Any]) -> None:
    stored["actions"] = [a for a in stored["actions"] if a["action"] != "create"]


def _altered(stored: dict[str, Any]) -> None:
    action = next(a for a in stored["actions"] if a["action"] == "create")
    action["action"] = "delete"


def _altered_result(stored: dict[str, Any]) -> None:
    action = next(a for a in stored["actions"] if a["action"] == "update")
    action["sha256"]["result"] = "0" * 64


@pytest.mark.parametrize("change", [_extra, _missing, _altered, _altered_result])
def test_plan_json_that_does_not_match_the_project_is_refused_whole(
    demo: Demo, change: Callable[[dict[str, Any]], None]
) -> None:
    stored = _planned(demo)
    change(stored)
    (demo.root / "plan.json").write_text(json.dumps(stored))
    refused(demo, "apply", str(demo.root), "--apply", match="does not match the project")
    assert not (demo.root.parent / "escape.txt").exists()


def test_a_plan_applied_twice_still_matches(demo: Demo) -> None:
    demo.spec("  - name: Comment\n", "  - name: Remark\n")
    demo.plan()
    assert dayone("apply", str(demo.root), "--apply", "--allow-destructive").returncode == 0
    again = dayone("apply", str(demo.root), "--apply", "--allow-destructive")
    assert again.returncode == 0, again.stdout + again.stderr


# --- item 6: schema.json -------------------------------------------------------------------------

SCHEMA = ".dayone/schema.json"


def _schema(demo: Demo) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo.read(SCHEMA))
    return data


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.update(tables=[]), "no tables"),
        (lambda d: d.update(format=99), "format 99"),
        (lambda d: d.update(format="2"), "format '2'"),
        (lambda d: d.update(tables=5), "$.tables"),
        (lambda d: d["tables"][0].update(columns=[{"name": "id"}]), "$.tables[0].columns[0]"),
        (lambda d: d["tables"].append(d["tables"][0]), "twice"),
        (lambda d: d["tables"].pop(), "migrations"),
        (lambda d: d.update(entities={"Ticket": "nowhere"}), "nowhere"),
    ],
)
def test_damaged_schema_json_is_refused(
    demo: Demo, change: Callable[[dict[str, Any]], object], match: str
) -> None:
    data = _schema(demo)
    change(data)
    demo.write(SCHEMA, json.dumps(data))
    demo.spec(*PRIORITY)
    line = refused(demo, "plan", str(demo.root), match="schema.json")
    assert match in line


# --- item 10: sizes and file kinds ----------------------------------------------------------------


def test_spec_that_is_a_device_is_refused(demo: Demo) -> None:
    spec = demo.root / "dayone.yaml"
    spec.unlink()
    spec.symlink_to("/dev/zero")
    refused(demo, "plan", str(demo.root), match="not a regular file")
    refused(demo, "check", str(demo.root), match="not a regular file")


def test_new_from_a_device_is_refused(tmp_path: Path) -> None:
    result = dayone("new", "/dev/zero", "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "not a regular file" in result.stderr
    assert not (tmp_path / "out").exists()


def test_spec_over_the_cap_is_refused(demo: Demo) -> None:
    demo.append("dayone.yaml", "#" * 1_000_001 + "\n")
    refused(demo, "plan", str(demo.root), match="larger than 1 MB")


@pytest.mark.parametrize(
    "rel",
    [README, ".dayone/schema.json", ".dayone/manifest.json", f".dayone/baseline/{README}"],
)
def test_project_and_state_files_over_the_cap_are_refused(demo: Demo, rel: str) -> None:
    with open(demo.root / rel, "ab") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    refused(demo, "plan", str(demo.root), match=rel)


def test_plan_json_over_the_cap_is_refused(demo: Demo) -> None:
    _planned(demo)
    with open(demo.root / "plan.json", "ab") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    refused(demo, "apply", str(demo.root), "--apply", match="plan.json")


def test_plan_json_that_is_a_fifo_is_refused(demo: Demo) -> None:
    _planned(demo)
    (demo.root / "plan.json").unlink()
    os.mkfifo(demo.root / "plan.json")
    refused(demo, "apply", str(demo.root), "--apply", match="not a regular file")


# --- item 5: a migration taken by hand ------------------------------------------------------------


def _conflicted_migration(demo: Demo) -> Path:
    """The new migration's path held a file of the user's: apply left the template's
    migration beside it as .new."""
    demo.write(MIGRATION, "# my notes about the priority field\n")
    demo.spec(*PRIORITY)
    demo.plan()
    assert dayone("apply", str(demo.root), "--apply").returncode == 1
    side = demo.root / f"{MIGRATION}.new"
    assert side.is_file()
    return side


def _alembic_upgrade(demo: Demo, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run_in(
        demo.root,
        sys.executable,
        "-m",
        "alembic",
        "upgrade",
        "head",
        env={"DATABASE_URL": url},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_migration_taken_by_hand_is_not_planned_again(demo: Demo, tmp_path: Path) -> None:
    side = _conflicted_migration(demo)
    side.rename(demo.root / MIGRATION)  # the docs: `mv X.new X`
    plan = demo.plan().plan
    new = [a.path for a in plan.actions if a.kind.value == "create"]
    assert new == [], new
    assert dayone("apply", str(demo.root), "--apply").returncode == 0
    assert '"priority"' in demo.read(SCHEMA)
    assert set(demo.actions().values()) <= {"keep", "skip"}
    # A later spec change follows the taken migration, and the chain upgrades.
    demo.spec(*NEW_ENTITY)
    plan = demo.plan().plan
    created = [a.path for a in plan.actions if a.kind.value == "create" and "versions" in a.path]
    assert created == ["backend/alembic/versions/0003_add_tags.py"], created
    assert dayone("apply", str(demo.root), "--apply").returncode == 0
    _alembic_upgrade(demo, tmp_path)


def test_resolved_migration_advances_the_schema(demo: Demo, tmp_path: Path) -> None:
    side = _conflicted_migration(demo)
    # The user merges the template's migration into their file, with a step of their own.
    merged = side.read_text().replace(
        "def upgrade() -> None:\n", 'def upgrade() -> None:\n    op.execute("SELECT 1")\n'
    )
    demo.write(MIGRATION, merged + "\n# my notes about the priority field\n")
    plan = demo.plan().plan
    assert [a.path for a in plan.conflicts] == [MIGRATION]
    assert [a.path for a in plan.changes] == [MIGRATION], plan.changes
    result = dayone("resolve", str(demo.root), MIGRATION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"priority"' in demo.read(SCHEMA)
    plan = demo.plan().plan
    changed = [a.path for a in plan.changes if "versions" in a.path]
    assert changed == [], changed
    _alembic_upgrade(demo, tmp_path)
