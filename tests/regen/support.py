"""A small generated project to regenerate in tests, with helpers to edit it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.apply.regenerate import Options, Report
from generator.regenerate import Regeneration
from tests.conftest import write_project


def dayone(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (``python -m generator.cli``), with ``env`` added to this
    environment; wide columns, so no line of its output is wrapped."""
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200", **env},
        timeout=300,
    )


SPEC = """\
project: {name: Regen Demo, slug: regen_demo}
rbac: {roles: [boss, worker]}
orgs: {invitations: false}
entities:
  - name: Ticket
    fields:
      - {name: title, type: string, max_length: 100}
      - {name: done, type: boolean, default: false}
  - name: Comment
    fields:
      - {name: body, type: text}
      - {name: ticket, type: ref, to: Ticket, on_delete: cascade}
"""

MODEL = "backend/app/models/ticket.py"
ROUTES = "backend/app/api/routes/tickets.py"
ROUTER = "backend/app/api/router.py"
README = "README.md"


@dataclass
class Demo:
    root: Path

    @classmethod
    def create(cls, target: Path, spec: str = SPEC) -> Demo:
        return cls(write_project(spec, target))

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def append(self, rel: str, text: str) -> None:
        self.write(rel, self.read(rel) + text)

    def spec(self, old: str, new: str) -> None:
        self.edit("dayone.yaml", old, new)

    def plan(self, *, restore: bool = False) -> Regeneration:
        regeneration = Regeneration(self.root, restore=restore)
        regeneration.write_plan()
        return regeneration

    def actions(self, *, restore: bool = False) -> dict[str, str]:
        """path -> action word, for the paths that are not identical."""
        plan = self.plan(restore=restore).plan
        return {a.path: a.kind.value for a in plan.actions if a.kind.value != "identical"}

    def stored(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "plan.json").read_text())
        return data

    def apply(self, **options: bool) -> Report:
        regeneration, stored = Regeneration.from_plan_file(self.root)
        return regeneration.apply(stored, Options(**options))

    def plan_and_apply(self, **options: bool) -> Report:
        self.plan()
        return self.apply(**options)

    def snapshot(self) -> dict[str, str]:
        """sha256 of every file in the project, .dayone included."""
        return {
            p.relative_to(self.root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        }
