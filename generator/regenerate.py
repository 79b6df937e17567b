"""Regenerating an existing project, phase by phase.

``Regeneration`` loads the project (spec, baseline, files on disk), renders
the spec, and plans; ``apply`` then writes through ``generator.apply``. Each
phase is a method, so commands use only the phases they need: ``check`` and
``diff`` stop after planning, ``plan`` also writes plan.json, ``apply`` goes
all the way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from generator import __version__
from generator.apply import transaction
from generator.apply.fs import atomic_write
from generator.apply.ops import FileOp
from generator.apply.regenerate import (
    Options,
    PlanRefused,
    Report,
    Step,
    build_steps,
    check_plan,
    read_sha,
    report,
    stale_actions,
)
from generator.errors import DayOneError
from generator.plan import PLAN_SCHEMA_VERSION, Plan, make_plan
from generator.plan import stored as stored_format
from generator.plan.classify import paths_needed
from generator.plan.model import sha256
from generator.project import Baseline, DiskFiles, Project, load_baseline, load_project, read_disk
from generator.reading import read_capped
from generator.state import (
    BASELINE_DIR,
    MANIFEST,
    SCHEMA,
    Manifest,
    is_revision_path,
    load_prior,
    read_prior_inputs,
    state_files,
)
from generator.tree import Tree, TreeCache, render_key

PLAN_FILE = "plan.json"
CONFLICTS_FILE = "conflicts.json"


class NoPlanError(DayOneError):
    pass


@dataclass
class Regeneration:
    root: Path
    restore: bool = False

    @cached_property
    def project(self) -> Project:
        return load_project(self.root)

    @cached_property
    def baseline(self) -> Baseline:
        return load_baseline(self.root)

    @cached_property
    def rendered(self) -> Tree:
        """The render of the spec against the recorded schema and migrations.

        Taken from the render cache when these inputs were rendered before (``plan``
        then ``apply``); else rendered, which loads Jinja, black and the spec models.
        """
        schema_json, migrations = read_prior_inputs(self.root)
        ours = {p: c for p, c in self.baseline.files.items() if is_revision_path(p)}
        key = render_key(self.project.spec_bytes, schema_json, migrations, ours)
        cache = TreeCache.default()
        tree = cache.get(key) if cache else None
        if tree is None:
            from generator.render import render_cached

            spec = self.project.spec  # a spec error comes before a damaged schema.json
            prior = load_prior(schema_json, self.baseline.files, migrations)
            tree = Tree.of(render_cached(spec, prior=prior))
            if cache:
                cache.put(key, tree)
        return tree

    @property
    def new_migration(self) -> str | None:
        """The path of the migration this regeneration adds, if the schema changed."""
        return self.rendered.new_migration

    @cached_property
    def disk(self) -> DiskFiles:
        needed = paths_needed(self.baseline.files, self.rendered.files, self.rendered.moves)
        return read_disk(self.root, needed)

    @cached_property
    def plan(self) -> Plan:
        project = self.project  # a folder without dayone.yaml fails here, first
        return make_plan(
            baseline=self.baseline.files,
            disk=self.disk.files,
            new=self.rendered.files,
            generator_version=__version__,
            spec_sha256=project.spec_sha256,
            baseline_generator_version=self.baseline.generator_version,
            baseline_spec_sha256=self.baseline.spec_sha256,
            moves=self.rendered.moves,
            executable=self.rendered.executable,
            destructive=frozenset(
                {self.new_migration} if self.rendered.destructive and self.new_migration else ()
            ),
            symlinks=self.disk.symlinks,
            warnings=self._warnings(),
            restore=self.restore,
        )

    def _warnings(self) -> list[str]:
        return [
            f"the new migration makes {column} NOT NULL without a default: it fails on a "
            "table that has rows; give the field a default or make it optional"
            for column in self.rendered.needs_backfill
        ]

    # --- writing plan.json ----------------------------------------------------------------

    def write_plan(self) -> Plan:
        plan = self.plan
        payload = plan.to_json()
        payload["options"] = {"restore": self.restore}
        atomic_write(self.root / PLAN_FILE, _json_bytes(payload))
        atomic_write(self.root / CONFLICTS_FILE, _json_bytes(plan.conflicts_json()))
        return plan

    # --- applying ----------------------------------------------------------------------------

    @staticmethod
    def stored_plan(root: Path) -> dict[str, Any]:
        """plan.json, checked against its documented format (a plan of another
        format version is left for ``check_plan`` to refuse)."""
        path = root.absolute() / PLAN_FILE
        hint = f"Run `dayone plan {root}` again."
        try:
            data = json.loads(read_capped(path, name=str(path), hint=hint).decode("utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            raise NoPlanError(
                f"{path} does not exist", hint=f"Run `dayone plan {root}` first."
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise NoPlanError(f"{path} is not a readable plan: {exc}", hint=hint) from None
        if not isinstance(data, dict):
            raise NoPlanError(f"{path} is not a plan", hint=hint)
        if data.get("schema_version") == PLAN_SCHEMA_VERSION:
            stored_format.decode(data, name=str(path), hint=hint)
        return data

    @classmethod
    def from_plan_file(cls, root: Path) -> tuple[Regeneration, dict[str, Any]]:
        """The regeneration that plan.json describes (same options), and plan.json."""
        stored = cls.stored_plan(root)
        restore = bool((stored.get("options") or {}).get("restore", False))
        return cls(root, restore=restore), stored

    def apply(
        self, stored: dict[str, Any], options: Options, *, crash_after: int | None = None
    ) -> Report:
        """Apply ``stored`` (plan.json) if it still matches the project.

        ``crash_after`` simulates a crash after that many writes (for tests)."""
        plan = self.plan
        check_plan(stored, plan, options)
        stored_plan = stored_format.decode(stored, name=PLAN_FILE, hint="Run `dayone plan` again.")
        stored_format.check_matches(stored_plan, plan, self._exists)
        stale = stale_actions(stored, plan)
        steps = build_steps(plan, stale, self.baseline.files, read_sha(self.root), options)
        clean = not stale and not plan.conflicts
        ops = [op for step in steps for op in step.ops]
        if self._migration_applies(steps):
            # The recorded schema follows the migration that brings the database to it.
            schema = self.rendered.schema_json
            ops.append(FileOp(SCHEMA, schema, read_sha(self.root)(SCHEMA)))
        ops.append(self._manifest_op(steps, advance=clean))
        outcomes = transaction.run(self.root, ops, crash_after=crash_after)
        return report(steps, [o for o in outcomes if o.path != MANIFEST], stale)

    def _exists(self, rel: str) -> bool:
        return os.path.lexists(self.root / rel)

    def _migration_applies(self, steps: list[Step]) -> bool:
        """Whether the new migration enters the baseline: created, or found on disk
        already (taken by hand from a `.new` file)."""
        path = self.new_migration
        recorded = f"{BASELINE_DIR}/{path}"
        return path is not None and any(
            op.path == recorded and op.content is not None for step in steps for op in step.ops
        )

    def _manifest_op(self, steps: list[Step], *, advance: bool) -> FileOp:
        """The manifest after the steps; the spec hash and generator version advance
        only when nothing is left unresolved."""
        baseline = self.baseline
        manifest = Manifest(
            generator_version=__version__ if advance else baseline.generator_version,
            spec_sha256=self.project.spec_sha256 if advance else baseline.spec_sha256,
            files=_hashes_after(baseline.files, [op for step in steps for op in step.ops]),
        )
        return FileOp(MANIFEST, manifest.to_bytes(), read_sha(self.root)(MANIFEST))


def _hashes_after(baseline: Mapping[str, bytes], ops: Iterable[FileOp]) -> dict[str, str]:
    """The manifest's path -> sha256 map once ``ops`` have updated the baseline copies."""
    files = {path: sha256(content) or "" for path, content in baseline.items()}
    prefix = BASELINE_DIR + "/"
    for op in ops:
        if op.path.startswith(prefix):
            path = op.path.removeprefix(prefix)
            if op.content is None:
                files.pop(path, None)
            else:
                files[path] = sha256(op.content) or ""
    return files


def resolve(root: Path, paths: list[str]) -> list[str]:
    """Mark conflicts as resolved: the user has merged the template's version by hand.

    The new render becomes the baseline of each path (so from now on the file
    on disk counts as the user's edit of it), and the ``<path>.new`` that apply
    left beside it is removed. Returns the paths resolved.
    """
    regeneration = Regeneration(root)
    plan = regeneration.plan
    ops: list[FileOp] = []
    digest = read_sha(regeneration.root)
    baseline = regeneration.baseline.files
    done = []
    for rel in paths:
        action = plan.action(rel)
        if action is None or action.kind.value != "conflict":
            raise DayOneError(
                f"{rel} is not in conflict",
                hint=f"`dayone plan {root}` lists the conflicts.",
            )
        theirs = action.theirs
        if theirs != baseline.get(rel):
            ops.append(FileOp(f"{BASELINE_DIR}/{rel}", theirs, sha256(baseline.get(rel))))
        side = f"{rel}.new"
        if digest(side) is not None:
            ops.append(FileOp(side, None, digest(side)))
        if rel == regeneration.new_migration:
            # As an apply of the migration would: the recorded schema follows it.
            ops.append(FileOp(SCHEMA, regeneration.rendered.schema_json, digest(SCHEMA)))
        done.append(rel)
    manifest = Manifest(
        regeneration.baseline.generator_version,
        regeneration.baseline.spec_sha256,
        _hashes_after(baseline, ops),
    )
    ops.append(FileOp(MANIFEST, manifest.to_bytes(), digest(MANIFEST)))
    refused = [o for o in transaction.run(regeneration.root, ops) if o.status == "refused"]
    if refused:
        raise DayOneError("; ".join(f"{o.path}: {o.reason}" for o in refused))
    return done


def adopt(root: Path, *, force: bool = False) -> int:
    """Record the current render as the baseline of a project that has none.

    Files on disk stay exactly as they are; where they differ from the
    render, the difference counts as the user's edits from now on, so no
    later regeneration can overwrite them. Returns the number of files
    recorded.
    """
    from generator.render import render_cached

    project = load_project(root)
    if (project.root / MANIFEST).exists() and not force:
        raise DayOneError(
            f"{project.root} already has a baseline",
            hint="Use `dayone plan` to regenerate; `dayone adopt --force` replaces the baseline.",
        )
    rendered = render_cached(project.spec)
    disk = read_disk(project.root, rendered.files)
    present = {path: data for path, data in rendered.files.items() if path in disk.files}
    recorded = replace(rendered, files=present)
    wanted = state_files(recorded, project.spec_bytes)
    existing = {
        p.relative_to(project.root).as_posix()
        for p in (project.root / BASELINE_DIR).rglob("*")
        if p.is_file() and not p.is_symlink()
    }
    digest = read_sha(project.root)
    ops = [FileOp(rel, data, digest(rel)) for rel, data in sorted(wanted.items())]
    ops += [FileOp(rel, None, digest(rel)) for rel in sorted(existing - wanted.keys())]
    refused = [o for o in transaction.run(project.root, ops) if o.status == "refused"]
    if refused:
        raise DayOneError(
            "could not record the baseline: " + "; ".join(f"{o.path}: {o.reason}" for o in refused),
            hint="Fix the paths named, then run `dayone adopt --force` again.",
        )
    return len(present)


def _json_bytes(data: object) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = [
    "CONFLICTS_FILE",
    "PLAN_FILE",
    "NoPlanError",
    "PlanRefused",
    "Regeneration",
    "adopt",
    "resolve",
]
