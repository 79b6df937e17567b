"""Spec -> an in-memory tree of files.

Rendering is pure: it reads templates and returns ``{path: bytes}``; it writes
nothing. Writing is ``generator.apply``'s job, planning ``generator.plan``'s.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, StrictUndefined, TemplateError
from msgspec import Struct, field
from msgspec.structs import replace

from generator import __version__
from generator.errors import DayOneError
from generator.paths import MIGRATIONS_DIR, cache_root, templates_dir
from generator.render.compiled import CompiledLoader
from generator.render.filters import FILTERS, natural_sort
from generator.render.formatting import (
    DiskCache,
    PythonFormatter,
    TemplateSyntaxError,
)
from generator.render.layout import Layout, Target
from generator.render.locks import project_locks
from generator.schema import Schema, build_schema
from generator.schema.diff import (
    next_revision,
    read_revision_ids,
    renames_from_spec,
    revision_message,
    upgrade_statements,
)
from generator.schema.ops import Revision, initial_revision
from generator.schema.template_renames import with_template_renames
from generator.spec.models import EntitySpec, Spec
from generator.spec.naming import pluralize, snake_case
from generator.state import SCHEMA_FORMAT


class TemplateBug(DayOneError):
    """A template failed to render: a defect in Day One, reported with the template's name."""

    exit_code = 3


class Prior(Struct, frozen=True):
    """What a project's migrations hold from earlier generations (see ``generator.state``).

    ``schema`` and ``entities`` (entity name -> table) are as of the newest revision
    Day One generated; ``revisions`` are the files of every revision Day One generated
    (path -> content, from the baseline); ``head`` is the revision a new one chains
    onto, computed from every revision file on disk, the user's included;
    ``taken`` holds the ids of all those files, which the new revision's id avoids.
    ``others`` are the revision files on disk that Day One did not record (path ->
    content): one of them may be the new revision itself, taken by hand from a
    ``.new`` file, and then no second copy of it is added. ``format`` is the
    ``schema.json`` format ``schema`` was recorded in: an older one gets the renames
    Day One made in its templates since (``generator.schema.template_renames``).
    """

    schema: Schema
    entities: dict[str, str]
    revisions: dict[str, bytes]
    head: str | None
    taken: frozenset[str] = frozenset()
    others: dict[str, bytes] = field(default_factory=dict)
    format: int = SCHEMA_FORMAT


class Rendered(Struct, frozen=True):
    """The output of one render: files, which of them are executable, and the schema.

    ``revisions`` lists every migration in the tree, oldest first (those carried over
    from a ``Prior`` hold only id, down revision, message and file name);
    ``new_revision`` is the one this render added: the initial one without a prior,
    the difference from the prior's schema with one, None when the schema did not
    change. ``entities`` maps entity name -> table, recorded with the schema.
    """

    files: dict[str, bytes]
    executable: frozenset[str]
    schema: Schema
    revisions: tuple[Revision, ...]
    # old path -> new path, for per-entity files of entities renamed in the spec
    moves: dict[str, str] = field(default_factory=dict)
    new_revision: Revision | None = None
    entities: dict[str, str] = field(default_factory=dict)

    @property
    def destructive(self) -> bool:
        """The new revision drops a table or column, or narrows a column."""
        return self.new_revision is not None and self.new_revision.destructive


def make_environment(loader: CompiledLoader) -> Environment:
    env = Environment(
        loader=loader,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env


def render(
    spec: Spec,
    *,
    prior: Prior | None = None,
    formatter: PythonFormatter | None = None,
    templates: Path | None = None,
    compiled: Path | None = None,
) -> Rendered:
    """Render ``spec``. The formatter's cache and ``compiled`` (a cache folder for
    compiled templates) only save time: the output is the same with or without them.

    Without ``prior`` the migrations are one initial revision. With it, the tree
    holds every file of ``prior.revisions`` unchanged, plus a new revision from
    ``prior.schema`` to the spec's schema when they differ.
    """
    templates = templates or templates_dir()
    formatter = formatter or PythonFormatter()
    loader = CompiledLoader(templates, compiled)
    env = make_environment(loader)
    schema = build_schema(spec)
    carried: dict[str, bytes] = {}
    if prior is None:
        new_revision: Revision | None = initial_revision(schema)
        revisions: tuple[Revision, ...] = ()
    else:
        renames = with_template_renames(
            renames_from_spec(spec, prior.schema, prior.entities),
            prior.format,
            prior.schema,
            schema,
        )
        new_revision = next_revision(prior, schema, renames)
        carried = dict(prior.revisions)
        revisions = _recorded_revisions(carried)
    if new_revision is not None:
        revisions = (*revisions, new_revision)
    context: dict[str, object] = {
        "spec": spec,
        "project": spec.project,
        "entities": spec.entities,
        "roles": spec.rbac.roles,
        "schema": schema,
        "version": __version__,
        "table_for": lambda entity: schema.table(entity.table),
        # (module, class) pairs sorted by module, the order isort wants imports in
        "models_by_module": lambda names: natural_sort(
            [(e.module, e.name) for e in spec.entities if e.name in names], 0
        ),
    }
    layout = Layout.load(templates)
    texts: dict[str, str] = {}
    moves: dict[str, str] = {}
    for target in layout.targets(env, templates, context):
        if target.verbatim:
            texts[target.path] = (templates / target.template).read_text(encoding="utf-8")
            continue
        texts[target.path] = _render_one(env, target, context)
        if target.entity is not None and target.entity.renamed_from is not None:
            old_module = snake_case(target.entity.renamed_from)
            moves[target.path_for(old_module, pluralize(old_module))] = target.path
    moves.update(layout.moves(texts))
    if new_revision is not None and prior is not None:
        # A revision file on disk may already do what the new one would (the user took
        # it by hand, `mv X.new X`, or wrote it): that file is the new revision then.
        found = _on_disk_already(env, context, new_revision, prior.others)
        if found is not None:
            new_revision = found
            revisions = (*revisions[:-1], new_revision)
    if new_revision is not None:
        target = Target("migration.py.j2", f"{MIGRATIONS_DIR}/{new_revision.filename}")
        texts[target.path] = _render_one(env, target, {**context, "revision": new_revision})
    loader.save()
    texts.update(project_locks(texts["backend/pyproject.toml"], templates))
    texts.update(formatter.format_all({p: t for p, t in texts.items() if p.endswith(".py")}))
    encoded = {path: text.encode("utf-8") for path, text in texts.items()}
    encoded.update(carried)  # byte for byte: an applied revision is never rewritten
    files = dict(sorted(encoded.items()))
    return Rendered(
        files=files,
        executable=layout.executable & files.keys(),
        moves=moves,
        schema=schema,
        revisions=revisions,
        new_revision=new_revision,
        entities={e.name: e.table for e in spec.entities},
    )


def _on_disk_already(
    env: Environment, context: dict[str, object], revision: Revision, others: dict[str, bytes]
) -> Revision | None:
    """``revision`` under the id, down revision and file name of the first revision file
    among ``others`` (path -> content) whose ``upgrade()`` already does every step of
    it; None when no file does."""
    if not others:
        return None
    target = Target("migration.py.j2", f"{MIGRATIONS_DIR}/{revision.filename}")
    text = _render_one(env, target, {**context, "revision": revision})
    steps = upgrade_statements(text.encode("utf-8"))
    if not steps:
        return None
    for path, content in sorted(others.items()):
        if not steps <= upgrade_statements(content):
            continue
        ident, downs = read_revision_ids(content)
        if ident is None or len(downs) > 1:
            continue
        return replace(
            revision,
            id=ident,
            down_revision=downs[0] if downs else None,
            file=path.rsplit("/", 1)[-1],
        )
    return None


def _recorded_revisions(files: dict[str, bytes]) -> tuple[Revision, ...]:
    """Revisions read back from their files, oldest first (following down revisions)."""
    found: dict[str, Revision] = {}
    for path, content in sorted(files.items()):
        ident, downs = read_revision_ids(content)
        if ident is not None:
            found[ident] = Revision(
                id=ident,
                down_revision=downs[0] if len(downs) == 1 else None,
                message=revision_message(content),
                file=path.rsplit("/", 1)[-1],
            )
    depth: dict[str, int] = {}

    def level(ident: str) -> int:
        if ident not in depth:
            depth[ident] = 0  # stops at a cycle
            parent = found[ident].down_revision
            depth[ident] = level(parent) + 1 if parent in found else 0
        return depth[ident]

    return tuple(sorted(found.values(), key=lambda r: (level(r.id), r.id)))


def render_cached(spec: Spec, *, prior: Prior | None = None) -> Rendered:
    """``render`` with the on-disk caches of formatted code and compiled templates."""
    root = cache_root()
    return render(
        spec,
        prior=prior,
        formatter=PythonFormatter(DiskCache.default()),
        compiled=root / "templates" if root is not None else None,
    )


def _render_one(env: Environment, target: Target, context: dict[str, object]) -> str:
    local = dict(context)
    if target.entity is not None:
        local["entity"] = target.entity
        local["table"] = _table(context, target.entity)
    try:
        text = env.get_template(target.template).render(local)
    except TemplateError as exc:
        raise TemplateBug(
            f"template {target.template} failed for {target.path}: {exc}",
            hint="This is a bug in Day One's templates; please report it with your spec.",
        ) from exc
    return text


def _table(context: dict[str, object], entity: EntitySpec) -> object:
    schema = context["schema"]
    assert isinstance(schema, Schema)
    return schema.table(entity.table)


__all__ = [
    "MIGRATIONS_DIR",
    "CompiledLoader",
    "Prior",
    "Rendered",
    "TemplateBug",
    "TemplateSyntaxError",
    "make_environment",
    "render",
    "render_cached",
]
