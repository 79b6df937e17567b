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
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from generator import __version__
from generator.apply import transaction
from generator.apply.conflicts import records_op
from generator.apply.fs import atomic_write, file_sha256, read_regular, stray_temp_files
from generator.apply.ops import FileOp, ManifestRecipe, OpOutcome
from generator.apply.paths import check_relative
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
from generator.errors import DayOneError, UnsafePathError
from generator.plan import PLAN_SCHEMA_VERSION, Action, Plan, make_plan
from generator.plan import stored as stored_format
from generator.plan.classify import paths_needed
from generator.plan.model import ActionKind, sha256
from generator.plan.sides import (
    NOT_A_FILE,
    RECORD_FILE,
    RecordError,
    Written,
    hold_marked,
    parse_records,
    records_bytes,
    resolved_in_git,
    settle,
    wanted_names,
)
from generator.project import (
    BASELINE_PYPROJECT,
    Baseline,
    DiskFiles,
    Project,
    load_baseline,
    load_project,
    read_disk,
)
from generator.reading import read_capped
from generator.state import (
    BASELINE_DIR,
    MANIFEST,
    REQUIREMENTS,
    SCHEMA,
    is_revision_path,
    load_prior,
    read_prior_inputs,
    state_files,
)
from generator.tree import Tree, TreeCache, render_key

if TYPE_CHECKING:
    from generator.provenance import Source

PLAN_FILE = "plan.json"
CONFLICTS_FILE = "conflicts.json"


class NoPlanError(DayOneError):
    pass


@dataclass
class Regeneration:
    root: Path
    restore: bool = False
    # Where this Day One came from (generator.provenance): a clean apply records it in
    # .dayone/requirements.txt; None leaves that file as it is.
    source: Source | None = None

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
    def conflict_records(self) -> list[Written]:
        """What earlier applies wrote for conflicts (``.dayone/conflict-files.json``)."""
        return read_conflict_records(self.root)

    @cached_property
    def resolved_in_git(self) -> frozenset[str]:
        """Conflicts Day One staged in git that the user has since resolved there."""
        staged = sorted({w.path for w in self.conflict_records if w.staged})
        if not staged:
            return frozenset()
        from generator.apply import gitindex  # only projects with staged conflicts run git

        new = self.rendered.files
        return resolved_in_git(
            self.conflict_records,
            gitindex.unmerged(self.root, staged),
            self.disk.files,
            {path: sha256(new.get(path)) for path in staged},
        )

    @cached_property
    def plan(self) -> Plan:
        project = self.project  # a folder without dayone.yaml fails here, first
        written = self.conflict_records
        baseline = self.baseline.files
        if self.resolved_in_git:
            # Resolved in git: the template's version is what the user merged into.
            new = self.rendered.files
            baseline = {**baseline, **{path: new[path] for path in self.resolved_in_git}}
        plan = make_plan(
            baseline=baseline,
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
        unsettled = (ActionKind.CONFLICT, ActionKind.MERGE)
        if not self.resolved_in_git and all(a.kind not in unsettled for a in plan.actions):
            return plan
        actions = hold_marked(plan.actions, self.disk.files)
        found = _read_names(self.root, wanted_names(actions, written))
        generated = set(self.rendered.files) | set(self.baseline.files)
        actions = settle(actions, found, written, self.disk.files, generated, self.resolved_in_git)
        return replace(plan, actions=actions)

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
    def from_plan_file(
        cls, root: Path, source: Source | None = None
    ) -> tuple[Regeneration, dict[str, Any]]:
        """The regeneration that plan.json describes (same options), and plan.json."""
        transaction.check_settled(root)
        stored = cls.stored_plan(root)
        restore = bool((stored.get("options") or {}).get("restore", False))
        return cls(root, restore=restore, source=source), stored

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
        steps = build_steps(plan, stale, self.baseline.files, options)
        clean = not stale and not plan.conflicts
        ops = [op for step in steps for op in step.ops]
        sides = [
            (step.action, step.ops[-1], None)
            for step in steps
            if step.action.kind is ActionKind.CONFLICT
            and step.side_file not in (None, step.action.path)
        ]
        record = records_op(sides, self.conflict_records, plan.actions, stale, read_sha(self.root))
        if record is not None:
            ops.append(record)
        if self._migration_applies(steps):
            # The recorded schema follows the migration that brings the database to it,
            # and only once that migration enters the baseline (which itself waits for
            # the migration's write, when there is one).
            schema = self.rendered.schema_json
            digest = read_sha(self.root)(SCHEMA)
            recorded = f"{BASELINE_DIR}/{self.new_migration}"
            ops.append(FileOp(SCHEMA, schema, digest, requires=recorded))
        if clean and self.source is not None:
            # The pin follows the generator version in the manifest: both say which Day
            # One the project is in sync with.
            pin = self.source.to_bytes()
            digest = read_sha(self.root)(REQUIREMENTS)
            if digest != sha256(pin):
                ops.append(FileOp(REQUIREMENTS, pin, digest))
        ops.append(self._manifest_op(advance=clean))
        outcomes = transaction.run(self.root, ops, crash_after=crash_after)
        kept_apart = (MANIFEST, SCHEMA, RECORD_FILE, REQUIREMENTS)
        result = report(steps, [o for o in outcomes if o.path not in kept_apart], stale)
        # schema.json follows the migration; refused on its own, it is news too.
        if not any(path == self.new_migration for path, _ in result.refused):
            result.refused += [(o.path, o.reason) for o in outcomes if _refused_schema(o)]
        if options.markers and any(w == a.path for a, w in result.conflicts):
            self._stage_in_git(result, stale)
        return result

    def _stage_in_git(self, result: Report, stale: Mapping[str, str]) -> None:
        """Record the three versions of every file just given markers in git's index
        (in a git work tree), then the record that they are staged.

        The record follows the staging, in a transaction of its own: a record of a
        staging that did not happen would take the unmarked file for a resolution.
        """
        from generator.apply import gitindex

        prefix = gitindex.work_tree_prefix(self.root)
        if prefix is None:
            return
        now = []
        for action, written in result.conflicts:
            if written != action.path or action.theirs is None or action.marked is None:
                continue
            source = action.source or action.path
            versions = gitindex.Stages(
                path=action.path,
                base=self.baseline.files.get(source),
                ours=self.disk.files.get(source, b""),
                theirs=action.theirs,
                executable=action.executable,
            )
            try:
                gitindex.stage(self.root, prefix, versions)
            except gitindex.GitError as error:
                result.notes.append(
                    f"could not stage {action.path} in git's index ({error}); "
                    "its markers are in the file"
                )
                continue
            result.notes.append(f"staged in git: {action.path} (git status: both modified)")
            now.append((action, FileOp(action.path, action.marked, None), _ours(action)))
        if not now:
            return
        digest = read_sha(self.root)
        record = records_op(now, read_conflict_records(self.root), self.plan.actions, stale, digest)
        refused = [] if record is None else transaction.run(self.root, [record])
        if any(o.status == "refused" for o in refused):
            result.notes.append(
                f"could not record in {RECORD_FILE} that git holds the conflicts; "
                "after `git add`, run `dayone resolve` for each file"
            )

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
    left beside it is removed if it still holds exactly what apply wrote (an
    edited one is the user's and stays). Returns the paths resolved.
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
        for record in regeneration.conflict_records:
            if record.path == rel and record.file != rel and digest(record.file) == record.sha256:
                ops.append(FileOp(record.file, None, record.sha256))
        if rel == regeneration.new_migration:
            # As an apply of the migration would: the recorded schema follows it.
            ops.append(FileOp(SCHEMA, regeneration.rendered.schema_json, digest(SCHEMA)))
        done.append(rel)
    remaining = [w for w in regeneration.conflict_records if w.path not in done]
    if remaining != regeneration.conflict_records:
        ops.append(FileOp(RECORD_FILE, records_bytes(remaining), digest(RECORD_FILE)))
    ops.append(_manifest_op(regeneration.root, regeneration.baseline))
    refused = [o for o in transaction.run(regeneration.root, ops) if o.status == "refused"]
    if refused:
        raise DayOneError("; ".join(f"{o.path}: {o.reason}" for o in refused))
    return done


def adopt(root: Path, *, force: bool = False, source: Source | None = None) -> int:
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
    wanted = state_files(recorded, project.spec_bytes, source)
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


def read_conflict_records(root: Path) -> list[Written]:
    """``.dayone/conflict-files.json``, checked: every name in it is a safe path."""
    try:
        found = read_regular(root.absolute() / RECORD_FILE)
    except (UnsafePathError, OSError) as error:
        raise RecordError(
            f"{RECORD_FILE} cannot be read ({error})",
            hint=f"Make it a regular file, or delete it, then run `dayone plan {root}` again.",
        ) from None
    records = parse_records(None if found is None else found[0])
    for record in records:
        try:
            check_relative(record.path)
            check_relative(record.file)
        except UnsafePathError:
            raise RecordError(
                f"{RECORD_FILE} names an unsafe path {record.file!r}",
                hint=f"Delete {RECORD_FILE}, then run `dayone plan {root}` again.",
            ) from None
    return records


def _ours(action: Action) -> str:
    """sha256 of the user's version of a conflicted file, as planned."""
    return (action.source_planned if action.source else action.planned) or ""


def _read_names(root: Path, names: Iterable[str]) -> dict[str, str]:
    """sha256 of what each of ``names`` holds (``NOT_A_FILE``: not a regular file);
    the names where nothing is are left out."""
    found: dict[str, str] = {}
    for name in sorted(names):
        try:
            digest = file_sha256(root.absolute() / check_relative(name))
        except (UnsafePathError, OSError):
            digest = NOT_A_FILE
        if digest is not None:
            found[name] = digest
    return found


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
