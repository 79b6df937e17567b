"""End to end: generate the example, edit it by hand, change the spec, plan,
apply; the hand edits survive, a new migration upgrades an existing database,
and the project's own suite and `alembic check` pass."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, python, run_in, write_project

pytestmark = pytest.mark.integration

CUSTOM_ROUTE = '''"""A route written by hand."""

from fastapi import APIRouter

router = APIRouter(prefix="/custom", tags=["custom"])


@router.get("/ping")
def ping() -> dict[str, str]:
    return {"pong": "yes"}
'''


def dayone(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True, check=False
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _regenerate(tmp_path: Path) -> tuple[Path, Callable[[str], None]]:
    project = write_project((EXAMPLES / "acme_crm.yaml").read_text(), tmp_path / "acme")
    backend = project / "backend"
    # Hand edits: a router of one's own, wired in outside the managed region, and
    # a method on a generated model.
    (backend / "app/api/routes/custom.py").write_text(CUSTOM_ROUTE)
    _edit(
        backend / "app/api/router.py",
        "api_router = FlatRouter()\n",
        "api_router = FlatRouter()\napi_router.include_router(custom.router)\n",
    )
    _edit(
        backend / "app/api/router.py",
        "from app.api.routes import (\n",
        "from app.api.routes import (\n    custom,\n",
    )
    model = backend / "app/models/contact.py"
    model.write_text(
        model.read_text()
        + "\n    def display_name(self) -> str:\n"
        + '        return f"{self.full_name} <{self.email}>"\n'
    )

    def change_spec(_: str) -> None:
        spec = project / "dayone.yaml"
        _edit(
            spec,
            "      - {name: closes_on, type: date, required: false}\n",
            "      - {name: closes_on, type: date, required: false}\n"
            "      - {name: priority, type: integer, default: 3}\n",
        )
        spec.write_text(
            spec.read_text() + "  - name: Note\n    fields:\n      - {name: body, type: text}\n"
            "      - {name: deal, type: ref, to: Deal, on_delete: cascade}\n"
            "    permissions: {read: viewer, create: editor, update: editor, delete: admin}\n"
        )

    return project, change_spec


def _upgrade_check_downgrade(project: Path, url: str) -> None:
    env = {"DATABASE_URL": url}
    for command in (["upgrade", "head"], ["check"], ["downgrade", "-1"], ["upgrade", "head"]):
        result = run_in(project, *python("-m", "alembic", *command), env=env)
        assert result.returncode == 0, (command, result.stdout + result.stderr)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_hand_edits_survive_and_the_database_follows(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'app.db'}"
        if database == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    project, change_spec = _regenerate(tmp_path)
    # The database of a running deployment, at the first migration.
    first = run_in(project, *python("-m", "alembic", "upgrade", "head"), env={"DATABASE_URL": url})
    assert first.returncode == 0, first.stderr

    change_spec("")
    planned = dayone("plan", str(project))
    assert planned.returncode == 0, planned.stdout + planned.stderr
    applied = dayone("apply", str(project), "--apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr

    backend = project / "backend"
    assert "include_router(custom.router)" in (backend / "app/api/router.py").read_text()
    assert "include_router(notes.router)" in (backend / "app/api/router.py").read_text()
    assert "def display_name" in (backend / "app/models/contact.py").read_text()
    versions = sorted(p.name for p in (backend / "alembic/versions").glob("*.py"))
    assert versions[0].startswith("0001_") and versions[1].startswith("0002_")
    assert dayone("check", str(project)).returncode == 0

    _upgrade_check_downgrade(project, url)
    env = {"TEST_DATABASE_URL": url} if database == "postgres" else {}
    suite = run_in(project, *python("-m", "pytest", "-q", "-p", "no:cacheprovider"), env=env)
    assert suite.returncode == 0, (suite.stdout + suite.stderr)[-4000:]
    probe = run_in(
        project,
        sys.executable,
        "-c",
        "from fastapi.testclient import TestClient; from app.main import app; "
        "print(TestClient(app).get('/api/v1/custom/ping').json())",
        env={"DATABASE_URL": "sqlite://"},
    )
    # The app logs each request as JSON on stdout; the answer is the last line.
    assert probe.stdout.splitlines()[-1] == "{'pong': 'yes'}", probe.stderr
