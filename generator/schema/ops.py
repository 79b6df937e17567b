"""Migration operations between two schemas, and the revisions that hold them.

Each operation is a small frozen record with a ``kind`` that the migration
template (``templates/migration.py.j2``) switches on. Operations name tables
and columns as they are at the moment the operation runs: an operation that
comes before a ``RenameTable`` uses the old name, one after it the new name.

``generator.schema.diff`` computes the operations between two schemas;
``initial_revision`` is the special case of an empty database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from msgspec import Struct

from generator.schema.model import Check, Column, ForeignKey, Index, Schema, Table, constraint_name

# --- tables ------------------------------------------------------------------------------------


class CreateTable(Struct, frozen=True):
    table: Table
    kind: ClassVar[str] = "create_table"


class DropTable(Struct, frozen=True):
    table: Table
    kind: ClassVar[str] = "drop_table"


class RenameTable(Struct, frozen=True):
    """Rename a table. Its indexes and constraints are renamed by drop and create
    operations around this one; only the primary key, which the naming convention
    of the generated project calls ``pk_<table>``, is renamed here (on PostgreSQL:
    SQLite's primary key names are not visible to anything)."""

    old: str
    new: str
    kind: ClassVar[str] = "rename_table"

    @property
    def old_primary_key(self) -> str:
        return constraint_name("pk", self.old)

    @property
    def new_primary_key(self) -> str:
        return constraint_name("pk", self.new)


# --- columns -----------------------------------------------------------------------------------


class AddColumn(Struct, frozen=True):
    """Add ``column`` (without its foreign key: a ``CreateForeignKey`` follows).

    ``fill`` is a SQL literal that existing rows get while the column is added,
    removed again right after (the column ends up with ``column.server_default``).
    Downgrades use it to restore a dropped NOT NULL column on a table with rows.
    """

    table: str
    column: Column
    fill: str | None = None
    kind: ClassVar[str] = "add_column"

    @property
    def needs_value(self) -> bool:
        """NOT NULL with nothing to put into existing rows: fails on a table with rows."""
        return not self.column.nullable and self.column.server_default is None and self.fill is None


class DropColumn(Struct, frozen=True):
    table: str
    column: Column
    kind: ClassVar[str] = "drop_column"


class RenameColumn(Struct, frozen=True):
    table: str
    old: str
    new: str
    kind: ClassVar[str] = "rename_column"


class AlterColumn(Struct, frozen=True):
    """Change a column's type, nullability or server default (``old`` -> ``new``;
    both have the column's current name and no foreign key)."""

    table: str
    old: Column
    new: Column
    kind: ClassVar[str] = "alter_column"

    @property
    def type_changed(self) -> bool:
        return self.old.type != self.new.type

    @property
    def nullable_changed(self) -> bool:
        return self.old.nullable != self.new.nullable

    @property
    def default_changed(self) -> bool:
        return self.old.server_default != self.new.server_default

    @property
    def postgresql_using(self) -> str | None:
        """The USING expression PostgreSQL needs for casts it does not do by itself."""
        if (
            self.type_changed
            and self.new.type.kind == "integer"
            and self.old.type.kind != "integer"
        ):
            return f'"{self.new.name}"::integer'
        return None


class FillNulls(Struct, frozen=True):
    """``UPDATE table SET column = value WHERE column IS NULL`` (``value``: a SQL literal),
    before the column becomes NOT NULL."""

    table: str
    column: str
    value: str
    kind: ClassVar[str] = "fill_nulls"


# --- indexes and constraints -------------------------------------------------------------------


class CreateIndex(Struct, frozen=True):
    table: str
    index: Index
    kind: ClassVar[str] = "create_index"


class DropIndex(Struct, frozen=True):
    table: str
    index: Index
    kind: ClassVar[str] = "drop_index"


class CreateUnique(Struct, frozen=True):
    table: str
    index: Index
    kind: ClassVar[str] = "create_unique"


class DropUnique(Struct, frozen=True):
    table: str
    index: Index
    kind: ClassVar[str] = "drop_unique"


class CreateCheck(Struct, frozen=True):
    table: str
    check: Check
    kind: ClassVar[str] = "create_check"


class DropCheck(Struct, frozen=True):
    table: str
    check: Check
    kind: ClassVar[str] = "drop_check"


class CreateForeignKey(Struct, frozen=True):
    table: str
    column: str
    fk: ForeignKey
    kind: ClassVar[str] = "create_foreign_key"


class DropForeignKey(Struct, frozen=True):
    table: str
    column: str
    fk: ForeignKey
    kind: ClassVar[str] = "drop_foreign_key"


class RenameConstraint(Struct, frozen=True):
    """An index or constraint whose name follows a renamed column: renamed in place
    where the database can (PostgreSQL: nothing rebuilt, no row checked again, rows
    kept); SQLite, which cannot rename one, runs ``drop`` and then ``create``."""

    table: str
    drop: DropIndex | DropUnique | DropForeignKey
    create: CreateIndex | CreateUnique | CreateForeignKey
    kind: ClassVar[str] = "rename_constraint"

    @property
    def old_name(self) -> str:
        return _constraint_name(self.drop)

    @property
    def new_name(self) -> str:
        return _constraint_name(self.create)

    @property
    def postgresql(self) -> str:
        """The statement that renames it on PostgreSQL."""
        if isinstance(self.drop, DropIndex):
            return f'ALTER INDEX "{self.old_name}" RENAME TO "{self.new_name}"'
        return (
            f'ALTER TABLE "{self.table}" RENAME CONSTRAINT "{self.old_name}" TO "{self.new_name}"'
        )


def _constraint_name(
    o: DropIndex | DropUnique | DropForeignKey | CreateIndex | CreateUnique | CreateForeignKey,
) -> str:
    if isinstance(o, DropIndex | DropUnique | CreateIndex | CreateUnique):
        return o.index.name
    return o.fk.name


Op = (
    CreateTable
    | DropTable
    | RenameTable
    | AddColumn
    | DropColumn
    | RenameColumn
    | AlterColumn
    | FillNulls
    | CreateIndex
    | DropIndex
    | CreateUnique
    | DropUnique
    | CreateCheck
    | DropCheck
    | CreateForeignKey
    | DropForeignKey
    | RenameConstraint
)


def batch_table(o: Op) -> str | None:
    """The table whose ``op.batch_alter_table`` block runs ``o``; None for operations that
    run on their own (tables, data)."""
    if isinstance(o, CreateTable | DropTable | RenameTable | FillNulls | RenameConstraint):
        return None
    return o.table


class Step(Struct, frozen=True):
    """What the migration template renders as one unit: a batch of operations on
    ``table`` (``batch`` true), or one operation on its own."""

    ops: tuple[Op, ...]
    table: str | None = None

    @property
    def batch(self) -> bool:
        return self.table is not None

    @property
    def temporary_defaults(self) -> tuple[AddColumn, ...]:
        """Columns added with a ``fill`` whose temporary default is removed after the batch."""
        return tuple(o for o in self.ops if isinstance(o, AddColumn) and o.fill is not None)


def steps(ops: Iterable[Op]) -> tuple[Step, ...]:
    """Consecutive batch operations on the same table, grouped (one table copy on SQLite).

    A batch ends after column renames: within one SQLite batch, later operations
    cannot name a renamed column by its new name. Consecutive constraint renames on
    one table form one step too (renamed on PostgreSQL, one table copy on SQLite).
    """
    out: list[Step] = []
    for o in ops:
        if (
            isinstance(o, RenameConstraint)
            and out
            and all(isinstance(p, RenameConstraint) and p.table == o.table for p in out[-1].ops)
        ):
            out[-1] = Step((*out[-1].ops, o))
            continue
        table = batch_table(o)
        after_rename = bool(out) and any(isinstance(p, RenameColumn) for p in out[-1].ops)
        joins = not (after_rename and not isinstance(o, RenameColumn))
        if table is not None and joins and out and out[-1].table == table:
            out[-1] = Step((*out[-1].ops, o), table)
        else:
            out.append(Step((o,), table))
    return tuple(out)


def concurrent_index_ops(ops: tuple[Op, ...]) -> tuple[Op, ...]:
    """When ``ops`` change nothing but indexes: the order in which PostgreSQL builds
    and drops them CONCURRENTLY (each new index first, so that queries keep an
    index meanwhile, then the old ones no new index replaces by name); else ()."""
    if not ops or not all(isinstance(o, CreateIndex | DropIndex) for o in ops):
        return ()
    creates = [o for o in ops if isinstance(o, CreateIndex)]
    names = {o.index.name for o in creates}
    drops = [o for o in ops if isinstance(o, DropIndex) and o.index.name not in names]
    return (*creates, *drops)


# --- revisions ---------------------------------------------------------------------------------


class Revision(Struct, frozen=True):
    """One Alembic revision: ``id`` chains to ``down_revision``.

    ``summary`` lists the changes, one per line (the migration's docstring shows
    it); ``destructive`` is true when the upgrade drops a table or a column, or
    narrows what a column accepts (a shorter string, fewer enum values, text to
    a number); ``needs_backfill`` names the ``table.column``s that become NOT NULL
    with no default to give existing rows (the upgrade fails on a table with rows).
    ``file`` is the file name of a revision read back from a project, whose name
    Day One did not compute in this run.
    """

    id: str
    down_revision: str | None
    message: str
    upgrade: tuple[Op, ...] = ()
    downgrade: tuple[Op, ...] = ()
    summary: str = ""
    destructive: bool = False
    needs_backfill: tuple[str, ...] = ()
    file: str | None = None

    @property
    def filename(self) -> str:
        if self.file is not None:
            return self.file
        return f"{self.id}_{slug(self.message)}.py"

    @property
    def upgrade_steps(self) -> tuple[Step, ...]:
        return steps(self.upgrade)

    @property
    def downgrade_steps(self) -> tuple[Step, ...]:
        return steps(self.downgrade)

    @property
    def upgrade_concurrently(self) -> tuple[Op, ...]:
        return concurrent_index_ops(self.upgrade)

    @property
    def downgrade_concurrently(self) -> tuple[Op, ...]:
        return concurrent_index_ops(self.downgrade)

    @property
    def changes(self) -> tuple[str, ...]:
        return tuple(line for line in self.summary.splitlines() if line)


def slug(message: str, limit: int = 40) -> str:
    """A file-name-safe slug of a revision message: whole words, at most ``limit`` characters."""
    words = [w for w in re.split(r"[^a-z0-9]+", message.lower()) if w]
    out = words[0][:limit] if words else "revision"
    for word in words[1:]:
        if len(out) + 1 + len(word) > limit:
            break
        out += "_" + word
    return out


def initial_revision(schema: Schema) -> Revision:
    tables = schema.in_dependency_order()
    return Revision(
        id="0001",
        down_revision=None,
        message="initial schema",
        upgrade=tuple(CreateTable(t) for t in tables),
        downgrade=tuple(DropTable(t) for t in reversed(tables)),
        summary="\n".join(f"create table {t.name}" for t in tables),
    )


__all__ = [
    "AddColumn",
    "AlterColumn",
    "Column",
    "CreateCheck",
    "CreateForeignKey",
    "CreateIndex",
    "CreateTable",
    "CreateUnique",
    "DropCheck",
    "DropColumn",
    "DropForeignKey",
    "DropIndex",
    "DropTable",
    "DropUnique",
    "FillNulls",
    "Op",
    "RenameColumn",
    "RenameConstraint",
    "RenameTable",
    "Revision",
    "Step",
    "batch_table",
    "concurrent_index_ops",
    "initial_revision",
    "slug",
    "steps",
]
