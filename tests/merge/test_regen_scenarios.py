"""Issue 12, items 3 and 4 end to end: plan and apply on a generated project."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.regen.support import MODEL, ROUTER, Demo


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Demo.create(tmp_path_factory.mktemp("pristine") / "demo").root


@pytest.fixture
def demo(pristine: Path, tmp_path: Path) -> Demo:
    shutil.copytree(pristine, tmp_path / "demo", symlinks=True)
    return Demo(tmp_path / "demo")


def tabs(text: str) -> str:
    """Re-indent four-space code with tabs, as an editor would."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" ")
        out.append("\t" * ((len(line) - len(body)) // 4) + body)
    return "".join(out)


def test_a_model_re_indented_with_tabs_gets_the_new_field_in_tabs(demo: Demo) -> None:
    demo.write(MODEL, tabs(demo.read(MODEL)) + "\n\nMINE = 1\n")
    demo.spec(
        "      - {name: done, type: boolean, default: false}\n",
        "      - {name: done, type: boolean, default: false}\n"
        "      - {name: due, type: date, required: false}\n",
    )
    assert demo.actions()[MODEL] == "merge"
    report = demo.apply()
    assert not report.refused
    text = demo.read(MODEL)
    compile(text, MODEL, "exec")
    assert "\tdue: Mapped[" in text and "MINE = 1" in text
    assert "    " not in text  # no four-space line glued in


def _take_over_routers_and_edit_comments(demo: Demo) -> None:
    """Remove the routers region's markers (taking it over, as the docs allow) and
    edit the comments registration inside it."""
    text = demo.read(ROUTER)
    text = text.replace("# dayone:begin routers\n", "").replace("# dayone:end routers\n", "")
    text = text.replace(
        "api_router.include_router(comments.router)\n",
        'api_router.include_router(comments.router, tags=["talk"])\n',
    )
    demo.write(ROUTER, text)


def test_taken_over_routers_region_with_an_edit_and_a_rename_is_a_conflict(demo: Demo) -> None:
    _take_over_routers_and_edit_comments(demo)
    demo.spec("  - name: Comment\n", "  - name: Note\n    renamed_from: Comment\n")
    plan = demo.plan().plan
    (action,) = [a for a in plan.actions if a.path == ROUTER]
    assert action.kind.value == "conflict", action.reason
    demo.apply(allow_destructive=True)
    # Untouched: the user's registration and its import are both still there.
    after = demo.read(ROUTER)
    assert 'include_router(comments.router, tags=["talk"])' in after
    assert "    comments,\n" in after


def test_taken_over_routers_region_merges_a_new_entity_and_the_app_imports(demo: Demo) -> None:
    _take_over_routers_and_edit_comments(demo)
    demo.spec(
        "entities:\n", "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n"
    )
    plan = demo.plan().plan
    (action,) = [a for a in plan.actions if a.path == ROUTER]
    assert action.kind.value == "merge", action.reason
    assert not demo.apply(allow_destructive=True).refused
    after = demo.read(ROUTER)
    assert after.count("include_router(comments.router") == 1
    assert "include_router(tags.router)" in after
    imported = subprocess.run(
        [sys.executable, "-c", "import app.api.router"],
        cwd=demo.root / "backend",
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-2000:]
