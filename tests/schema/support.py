"""Helpers for the schema tests: specs, schemas, renders with a prior, and a
generated project whose migrations run in a subprocess."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.render import Prior, Rendered, render
from generator.render.formatting import MemoryCache, PythonFormatter
from generator.schema import Schema, build_schema
from generator.spec import parse_spec
from generator.state import BASELINE_DIR, SCHEMA, load_prior, state_files

# One formatter cache for the whole run: most files render the same in every test.
FORMATTER = PythonFormatter(MemoryCache())
# Compiled templates, shared the same way (a folder of this process's own).
_COMPILED = Path(tempfile.mkdtemp(prefix="dayone-schema-tests-"))
atexit.register(shutil.rmtree, _COMPILED, ignore_errors=True)
DRIVER = Path(__file__).with_name("migration_driver.py")
MIGRATIONS = "backend/alembic/versions"


def spec_text(entities: str, *, invitations: bool = False) -> str:
    """A whole spec around an ``entities:`` block (YAML, indented by two spaces)."""
    return (
        "project: {name: Schema Test, slug: schema_test}\n"
        f"orgs: {{invitations: {str(invitations).lower()}}}\n"
        "entities:\n" + entities
    )


def schema_of(entities: str, *, invitations: bool = False) -> Schema:
    return build_schema(parse_spec(spec_text(entities, invitations=invitations)))


def render_text(text: str, prior: Prior | None = None) -> Rendered:
    return render(parse_spec(text), prior=prior, formatter=FORMATTER, compiled=_COMPILED)


def prior_from(rendered: Rendered, on_disk: dict[str, bytes] | None = None) -> Prior:
    """The Prior the planner builds: from the .dayone/ files of ``rendered`` and the
    revision files on disk (those of ``rendered`` unless given)."""
    state = state_files(rendered, b"")
    prefix = BASELINE_DIR + "/"
    baseline = {p[len(prefix) :]: c for p, c in state.items() if p.startswith(prefix)}
    disk = on_disk if on_disk is not None else rendered.files
    return load_prior(state[SCHEMA], baseline, disk)


def new_revision_text(rendered: Rendered) -> str:
    assert rendered.new_revision is not None
    return rendered.files[f"{MIGRATIONS}/{rendered.new_revision.filename}"].decode()


# --- a project on disk ---------------------------------------------------------------------------


@dataclass
class Project:
    root: Path
    rendered: Rendered

    @classmethod
    def create(cls, root: Path, text: str) -> Project:
        rendered = render_text(text)
        _write(root, rendered.files, {})
        return cls(root, rendered)

    def regenerate(self, text: str) -> Rendered:
        """Render ``text`` with a prior built from the last render, and write the result
        (new revision, new models; files the new render lacks are deleted)."""
        folder = self.root / MIGRATIONS
        on_disk = {f"{MIGRATIONS}/{p.name}": p.read_bytes() for p in folder.glob("*.py")}
        new = render_text(text, prior_from(self.rendered, on_disk))
        _write(self.root, new.files, self.rendered.files)
        self.rendered = new
        return new

    def run(self, steps: Sequence[dict[str, Any]], tmp: Path) -> dict[str, Any]:
        """Run driver steps in backend/ (a subprocess); what they observed."""
        return run_driver(self.root, steps, tmp)


def run_driver(root: Path, steps: Sequence[dict[str, Any]], tmp: Path) -> dict[str, Any]:
    """Run migration_driver.py's ``steps`` in the backend/ of the project at ``root``
    (a subprocess); what they observed."""
    name = uuid.uuid4().hex[:8]
    steps_file, out_file = tmp / f"steps-{name}.json", tmp / f"out-{name}.json"
    steps_file.write_text(json.dumps(list(steps)))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY"))
    }
    url = next((s["url"] for s in steps if "url" in s), "sqlite://")
    env.update({"DATABASE_URL": url, "ENVIRONMENT": "test", "PYTHONDONTWRITEBYTECODE": "1"})
    result = subprocess.run(
        [sys.executable, str(DRIVER), str(steps_file), str(out_file)],
        cwd=root / "backend",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(out_file.read_text())
    return data


def _write(root: Path, files: dict[str, bytes], previous: dict[str, bytes]) -> None:
    for rel in previous.keys() - files.keys():
        (root / rel).unlink(missing_ok=True)
    for rel, data in files.items():
        path = root / rel
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def comparable(snapshot: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A driver's ``snapshot`` without what a dialect does not keep meaningfully."""
    out = {}
    for name, table in snapshot.items():
        table = dict(table)
        if dialect == "sqlite":
            # SQLite keeps a primary key's name through ALTER TABLE RENAME; nothing reads it.
            table.pop("primary_key_name")
        out[name] = table
    return out


# --- databases ---------------------------------------------------------------------------------


@contextmanager
def databases(dialect: str, tmp: Path, count: int = 2) -> Iterator[list[str]]:
    """``count`` empty databases: SQLite files, or scratch PostgreSQL databases next to
    TEST_DATABASE_URL's (dropped afterwards)."""
    if dialect == "sqlite":
        yield [f"sqlite:///{tmp / f'db{n}.sqlite'}" for n in range(count)]
        return
    import sqlalchemy as sa

    base = os.environ["TEST_DATABASE_URL"]
    url = sa.make_url(base)
    names = [f"dayone_schema_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield [url.set(database=n).render_as_string(hide_password=False) for n in names]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
