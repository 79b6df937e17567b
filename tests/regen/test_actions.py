"""One scenario per plan action: what regeneration decides, and what apply does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.regen.support import MODEL, README, ROUTER, ROUTES, Demo

NEW_FIELD = (
    "      - {name: done, type: boolean, default: false}\n",
    "      - {name: done, type: boolean, default: false}\n"
    "      - {name: priority, type: integer, default: 3}\n",
)


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    return Demo.create(tmp_path / "demo")


def test_fresh_project_is_identical_everywhere(demo: Demo) -> None:
    assert demo.actions() == {}
    assert demo.plan().plan.in_sync


def test_create(demo: Demo) -> None:
    demo.spec(
        "entities:\n", "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n"
    )
    actions = demo.actions()
    assert actions["backend/app/models/tag.py"] == "create"
    assert actions["backend/app/api/routes/tags.py"] == "create"
    report = demo.apply()
    assert report.exit_code == 0
    assert (demo.root / "backend/app/models/tag.py").is_file()
    assert demo.actions() == {}


def test_update_when_untouched(demo: Demo) -> None:
    demo.spec(*NEW_FIELD)
    assert demo.actions()[MODEL] == "update"
    demo.apply()
    assert "priority" in demo.read(MODEL)


def test_keep_when_only_the_user_changed_it(demo: Demo) -> None:
    demo.append(ROUTES, "\n# my note\n")
    assert demo.actions() == {ROUTES: "keep"}
    before = demo.read(ROUTES)
    demo.apply()
    assert demo.read(ROUTES) == before


def test_merge_keeps_user_lines_and_template_changes(demo: Demo) -> None:
    demo.append(MODEL, '\n    def label(self) -> str:\n        return f"#{self.title}"\n')
    demo.spec(*NEW_FIELD)
    assert demo.actions()[MODEL] == "merge"
    report = demo.apply()
    assert report.exit_code == 0
    merged = demo.read(MODEL)
    assert "def label(self) -> str:" in merged
    assert "priority" in merged
    # The baseline now holds the template's version, so the next plan keeps the edit.
    assert demo.actions() == {MODEL: "keep"}


def test_conflict_writes_new_file_beside_the_untouched_one(demo: Demo) -> None:
    demo.edit(MODEL, "sa.String(length=100)", "sa.String(length=150)")
    demo.spec("max_length: 100", "max_length: 120")
    actions = demo.actions()
    assert actions[MODEL] == "conflict"
    conflicts = demo.plan().plan.conflicts_json()["conflicts"]
    entry = next(c for c in conflicts if c["path"] == MODEL)
    assert entry["kind"] == "content"
    hunk = entry["hunks"][0]
    assert "150" in hunk["ours"]["text"] and "120" in hunk["theirs"]["text"]
    mine = demo.read(MODEL)
    report = demo.apply()
    assert report.exit_code == 1
    assert demo.read(MODEL) == mine
    assert "length=120" in demo.read(MODEL + ".new")
    # Unresolved, it stays a conflict, and the recorded spec does not advance.
    assert demo.actions()[MODEL] == "conflict"
    assert demo.plan().baseline.spec_sha256 != demo.plan().project.spec_sha256


def test_conflict_markers(demo: Demo) -> None:
    demo.edit(MODEL, "sa.String(length=100)", "sa.String(length=150)")
    demo.spec("max_length: 100", "max_length: 120")
    demo.plan()
    demo.apply(markers=True)
    text = demo.read(MODEL)
    assert "<<<<<<< yours" in text and ">>>>>>> new template" in text
    assert "length=150" in text and "length=120" in text
    assert not (demo.root / (MODEL + ".new")).exists()


def test_managed_region_is_replaced_even_when_the_file_was_edited(demo: Demo) -> None:
    demo.append(ROUTER, "\n# my own router follows\n")
    demo.spec(
        "entities:\n", "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n"
    )
    assert demo.actions()[ROUTER] == "merge"
    demo.apply()
    text = demo.read(ROUTER)
    assert "include_router(tags.router)" in text
    assert "# my own router follows" in text


def test_user_lines_inside_a_managed_region_are_a_conflict(demo: Demo) -> None:
    demo.edit(
        ROUTER, "# dayone:end routers", "api_router.include_router(mine)\n# dayone:end routers"
    )
    demo.spec(
        "entities:\n", "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n"
    )
    plan = demo.plan().plan
    action = plan.action(ROUTER)
    assert action is not None and action.kind.value == "conflict"
    assert action.conflict_kind is not None and action.conflict_kind.value == "region"
    demo.apply()
    assert "include_router(mine)" in demo.read(ROUTER)


def test_user_file_where_the_template_now_creates_one(demo: Demo) -> None:
    demo.write("backend/app/models/tag.py", "# my own tag module\n")
    demo.spec(
        "entities:\n", "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n"
    )
    plan = demo.plan().plan
    action = plan.action("backend/app/models/tag.py")
    assert action is not None and action.conflict_kind is not None
    assert action.conflict_kind.value == "untracked"
    demo.apply()
    assert demo.read("backend/app/models/tag.py") == "# my own tag module\n"
    assert "class Tag" in demo.read("backend/app/models/tag.py.new")


def test_delete_when_untouched_and_dropped(demo: Demo) -> None:
    demo.spec("  - name: Comment\n", "  - name: Remark\n")
    demo.spec("to: Ticket, on_delete: cascade}", "to: Ticket, on_delete: cascade}")
    actions = demo.actions()
    assert actions["backend/app/models/comment.py"] == "delete"
    demo.apply(allow_destructive=True)
    assert not (demo.root / "backend/app/models/comment.py").exists()


def test_edited_file_the_template_drops_is_a_conflict_and_stays(demo: Demo) -> None:
    demo.append("backend/app/models/comment.py", "\n# keep me\n")
    demo.spec("  - name: Comment\n", "  - name: Remark\n")
    plan = demo.plan().plan
    action = plan.action("backend/app/models/comment.py")
    assert action is not None and action.kind.value == "conflict"
    assert action.conflict_kind is not None
    assert action.conflict_kind.value == "dropped-edited"
    demo.apply(allow_destructive=True)
    assert "# keep me" in demo.read("backend/app/models/comment.py")


def test_user_deletion_is_respected_and_restore_brings_it_back(demo: Demo) -> None:
    (demo.root / README).unlink()
    assert demo.actions() == {README: "skip"}
    demo.apply()
    assert not (demo.root / README).exists()
    assert demo.actions(restore=True) == {README: "create"}
    demo.apply()
    assert (demo.root / README).is_file()


def test_move_carries_user_edits_to_the_renamed_entity(demo: Demo) -> None:
    demo.append(MODEL, "\n    def shout(self) -> str:\n        return self.title.upper()\n")
    demo.spec("  - name: Ticket\n", "  - name: Issue\n    renamed_from: Ticket\n")
    demo.spec("to: Ticket,", "to: Issue,")
    plan = demo.plan().plan
    moved = plan.action("backend/app/models/issue.py")
    assert moved is not None and moved.kind.value == "move"
    assert moved.source == MODEL
    demo.apply(allow_destructive=True)
    text = demo.read("backend/app/models/issue.py")
    assert "class Issue" in text and "def shout(self) -> str:" in text
    assert not (demo.root / MODEL).exists()


def test_resolve_a_conflict_merged_by_hand(demo: Demo) -> None:
    from generator.regenerate import resolve

    demo.edit(MODEL, "sa.String(length=100)", "sa.String(length=150)")
    demo.spec("max_length: 100", "max_length: 120")
    demo.plan_and_apply()
    # The user settles on their own value, having read MODEL.new.
    demo.edit(MODEL, "sa.String(length=150)", "sa.String(length=130)")
    assert demo.actions()[MODEL] == "conflict"
    assert resolve(demo.root, [MODEL]) == [MODEL]
    assert not (demo.root / (MODEL + ".new")).exists()
    assert demo.actions()[MODEL] == "keep"
    assert "length=130" in demo.read(MODEL)
