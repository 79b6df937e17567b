"""Regenerating an existing project, phase by phase.

``Regeneration`` loads the project (spec, baseline, files on disk), renders
the spec, and plans; ``apply`` then writes through ``generator.apply``. Each
phase is a method, so commands use only the phases they need: ``check`` and
``diff`` stop after planning, ``plan`` also writes plan.json, ``apply`` goes
all the way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from generator import __version__
from generator.apply import transaction
from generator.apply.fs import atomic_write, stray_temp_files
from generator.apply.ops import FileOp, ManifestRecipe, OpOutcome
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
from generator.plan import Plan, make_plan
from generator.plan.classify import paths_needed
from generator.plan.model import ActionKind, sha256
from generator.project import (
    BASELINE_PYPROJECT,
    Baseline,
    DiskFiles,
    Project,
    load_baseline,
    load_project,
    read_disk,
)
from generator.state import (
    BASELINE_DIR,
    MANIFEST,
    SCHEMA,
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
        # An apply running or cut short leaves baseline copies that the manifest does
        # not name yet: that is the journal's to settle, so it is looked at first.
        transaction.check_settled(self.root)
        return load_baseline(self.root)

    @cached_property
    def rendered(self) -> Tree:
        """The render of the spec against the recorded schema and migrations.

        Taken from the render cache when these inputs were rendered before (``plan``
        then ``apply``); else rendered, which loads Jinja, black and the spec models.
        """
        schema_json, migrations = read_prior_inputs(self.root)
        # The baseline's pyproject too: it decides whether a project keeps a slug of
        # the old rule (generator.project), which the spec alone does not say.
        ours = {
            p: c
            for p, c in self.baseline.files.items()
            if is_revision_path(p) or p == BASELINE_PYPROJECT
        }
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
        backfill = [
            f"the new migration makes {column} NOT NULL without a default: it fails on a "
            "table that has rows; give the field a default or make it optional"
            for column in self.rendered.needs_backfill
        ]
        return backfill + [
            f"{path} is a temporary file that an interrupted write left; delete it"
            for path in self._stray_temp_files()
        ]

    def _stray_temp_files(self) -> list[str]:
        """Day One temporary files in the folders it writes (and their baseline
        folders): what a write killed halfway left outside any journal."""
        folders = {p.rpartition("/")[0] for p in (*self.rendered.files, *self.baseline.files)}
        folders |= {f"{BASELINE_DIR}/{f}" if f else BASELINE_DIR for f in folders}
        return stray_temp_files(self.root.absolute(), folders | {"", ".dayone"})

    # --- writing plan.json ----------------------------------------------------------------

    def write_plan(self) -> Plan:
        plan = self.plan
        payload = plan.to_json()
        payload["options"] = {"restore": self.restore}
        try:
            atomic_write(self.root / PLAN_FILE, _json_bytes(payload))
            atomic_write(self.root / CONFLICTS_FILE, _json_bytes(plan.conflicts_json()))
        except OSError as error:
            raise DayOneError(
                f"could not write {self.root / PLAN_FILE}: {error.strerror or error}",
                hint="Free some disk space or fix the folder's permissions, then run "
                f"`dayone plan {self.root}` again.",
            ) from None
        return plan

    # --- applying ----------------------------------------------------------------------------

    @staticmethod
    def stored_plan(root: Path) -> dict[str, Any]:
        path = root.absolute() / PLAN_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NoPlanError(
                f"{path} does not exist", hint=f"Run `dayone plan {root}` first."
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise NoPlanError(
                f"{path} is not a readable plan: {exc}", hint=f"Run `dayone plan {root}` again."
            ) from None
        if not isinstance(data, dict):
            raise NoPlanError(f"{path} is not a plan", hint=f"Run `dayone plan {root}` again.")
        return data

    @classmethod
    def from_plan_file(cls, root: Path) -> tuple[Regeneration, dict[str, Any]]:
        """The regeneration that plan.json describes (same options), and plan.json."""
        transaction.check_settled(root)
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
        stale = stale_actions(stored, plan)
        steps = build_steps(plan, stale, self.baseline.files, read_sha(self.root), options)
        clean = not stale and not plan.conflicts
        ops = [op for step in steps for op in step.ops]
        if self._migration_applies(steps):
            # The recorded schema follows the migration that brings the database to it,
            # and only once that migration is written.
            schema = self.rendered.schema_json
            digest = read_sha(self.root)(SCHEMA)
            ops.append(FileOp(SCHEMA, schema, digest, requires=self.new_migration))
        ops.append(self._manifest_op(advance=clean))
        outcomes = transaction.run(self.root, ops, crash_after=crash_after)
        result = report(steps, [o for o in outcomes if o.path not in (MANIFEST, SCHEMA)], stale)
        # schema.json follows the migration; refused on its own, it is news too.
        if not any(path == self.new_migration for path, _ in result.refused):
            result.refused += [(o.path, o.reason) for o in outcomes if _refused_schema(o)]
        return result

    def _migration_applies(self, steps: list[Step]) -> bool:
        path = self.new_migration
        return path is not None and any(
            step.action.path == path and step.action.kind is ActionKind.CREATE for step in steps
        )

    def _manifest_op(self, *, advance: bool) -> FileOp:
        """The manifest, written last, from what the apply actually applied: the hash
        of every baseline copy written, and the spec hash and generator version only
        when nothing is left unresolved (no conflict, no refusal)."""
        to = (__version__, self.project.spec_sha256) if advance else None
        return _manifest_op(self.root, self.baseline, advance_to=to)


def _manifest_op(
    root: Path, baseline: Baseline, *, advance_to: tuple[str, str] | None = None
) -> FileOp:
    recipe = ManifestRecipe(
        generator_version=baseline.generator_version,
        spec_sha256=baseline.spec_sha256,
        files={path: sha256(content) or "" for path, content in baseline.files.items()},
        baseline_dir=BASELINE_DIR,
        advance_to=advance_to,
    )
    return FileOp(MANIFEST, None, read_sha(root)(MANIFEST), manifest=recipe)


def _refused_schema(outcome: OpOutcome) -> bool:
    return outcome.status == "refused" and outcome.path == SCHEMA


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
        done.append(rel)
    ops.append(_manifest_op(regeneration.root, regeneration.baseline))
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
    del wanted[MANIFEST]
    ops = [FileOp(rel, data, digest(rel)) for rel, data in sorted(wanted.items())]
    ops += [FileOp(rel, None, digest(rel)) for rel in sorted(existing - wanted.keys())]
    # The manifest, last, names only the baseline copies actually written.
    ops.append(
        _manifest_op(
            project.root,
            Baseline(__version__, project.spec_sha256, {}),
            advance_to=(__version__, project.spec_sha256),
        )
    )
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
