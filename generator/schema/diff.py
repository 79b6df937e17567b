"""The difference between two schemas, as migration operations.

``diff_schemas(old, new, renames)`` returns the operations that turn a database
holding ``old`` into one holding ``new`` (the upgrade) and back (the
downgrade). ``next_revision`` wraps them into the revision that follows the
ones a project already has.

A table or column is the same table or column in both schemas when it has the
same name, or when ``renames`` says it was renamed; anything else is dropped
and created. Indexes and constraints are compared by name and definition, so
renaming a table (or a column) drops and re-creates the ones whose names embed
the old name, which is exactly what a fresh database built from the new models
would have.

The upgrade runs in this order, so that no operation trips over another:

1. on each table that stays (under its old name): drop the foreign keys, CHECK
   and unique constraints and indexes that change or go; drop columns; rename
   columns;
2. drop tables, in reverse dependency order;
3. rename tables;
4. create tables, in dependency order;
5. on each table that stays (under its new name): add columns, alter columns
   (filling NULLs first when a column becomes NOT NULL and a value is known),
   then create foreign keys, unique and CHECK constraints and indexes.

The downgrade is the same computation from ``new`` back to ``old``. Where it
has to restore a dropped NOT NULL column (or make a column NOT NULL again), it
fills existing rows with the column's default, or else with a neutral value
(``''``, ``0``, ``false``, the first enum value...), so that ``alembic
downgrade`` works on a table with rows; the values that were dropped are gone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from generator.errors import DayOneError
from generator.schema.model import Check, Column, ColumnType, ForeignKey, Index, Schema, Table
from generator.schema.ops import (
    AddColumn,
    AlterColumn,
    CreateCheck,
    CreateForeignKey,
    CreateIndex,
    CreateTable,
    CreateUnique,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropTable,
    DropUnique,
    FillNulls,
    Op,
    RenameColumn,
    RenameConstraint,
    RenameTable,
    Revision,
)
from generator.spec.models import Spec
from generator.spec.naming import pluralize, snake_case
from generator.spec.problems import SpecError, SpecProblem

if TYPE_CHECKING:
    from generator.render import Prior

# Type changes Day One migrates, with PostgreSQL's and SQLite's casts (PostgreSQL
# needs USING for text to integer, which AlterColumn adds). Anything else is refused.
_CONVERTIBLE: frozenset[tuple[str, str]] = frozenset(
    {
        ("string", "string"),
        ("string", "text"),
        ("text", "string"),
        ("integer", "string"),
        ("integer", "text"),
        ("string", "integer"),
        ("text", "integer"),
        ("integer", "float"),
        ("float", "integer"),
        ("integer", "numeric"),
        ("numeric", "integer"),
        ("float", "numeric"),
        ("numeric", "float"),
        ("numeric", "numeric"),
    }
)
# Digits of the widest 32-bit integer, with its sign.
_INTEGER_WIDTH = 11


class UnsupportedChange(DayOneError):
    """The spec changed in a way Day One cannot turn into a migration."""


class Renames(Struct, frozen=True):
    """What was renamed since the recorded schema.

    ``tables``: old table -> new table. ``columns``: (new table name, old column)
    -> new column.
    """

    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)

    def inverse(self) -> Renames:
        back = {new: old for old, new in self.tables.items()}
        return Renames(
            tables=back,
            columns={
                (back.get(table, table), new): old for (table, old), new in self.columns.items()
            },
        )


# --- renames from the spec ---------------------------------------------------------------------


def renames_from_spec(spec: Spec, old: Schema, old_entities: Mapping[str, str]) -> Renames:
    """The renames ``spec`` asks for (``renamed_from``), against the recorded schema.

    ``old_entities`` maps entity name -> table as recorded at the last generation;
    an entity whose table changed (a new ``plural``) is a table rename even without
    ``renamed_from``. A ``renamed_from`` that was already applied (the entity or
    field exists under its new name in the recorded schema) is ignored, so it can
    stay in the spec. One that names nothing recorded is a ``SpecError``.
    """
    known = dict(old_entities) if old_entities else _guess_entities(spec, old)
    problems: list[SpecProblem] = []
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for i, entity in enumerate(spec.entities):
        path: tuple[str | int, ...] = ("entities", i)
        source = entity.name
        if entity.renamed_from is not None:
            if entity.name in known and entity.renamed_from in known:
                problems.append(
                    SpecProblem(
                        (*path, "renamed_from"),
                        f"both '{entity.renamed_from}' and '{entity.name}' exist in the "
                        f"recorded schema, so '{entity.name}' cannot be renamed from "
                        f"'{entity.renamed_from}'; remove renamed_from",
                    )
                )
                continue
            if entity.name not in known:
                if entity.renamed_from not in known:
                    recorded = ", ".join(sorted(known)) or "none"
                    problems.append(
                        SpecProblem(
                            (*path, "renamed_from"),
                            f"'{entity.renamed_from}' names no entity of the recorded schema "
                            f"(recorded: {recorded})",
                        )
                    )
                    continue
                source = entity.renamed_from
        old_table_name = known.get(source)
        old_table = old.table(old_table_name) if old_table_name else None
        if old_table is None:
            for j, f in enumerate(entity.fields):
                if f.renamed_from is not None:
                    problems.append(
                        SpecProblem(
                            (*path, "fields", j, "renamed_from"),
                            f"{entity.name} is a new entity, so its field '{f.name}' cannot "
                            f"be renamed from '{f.renamed_from}'; remove renamed_from",
                        )
                    )
            continue
        if old_table.name != entity.table:
            tables[old_table.name] = entity.table
        for j, f in enumerate(entity.fields):
            if f.renamed_from is None:
                continue
            fpath = (*path, "fields", j, "renamed_from")
            candidates = (
                [f"{f.renamed_from}_id", f.renamed_from]
                if f.type == "ref"
                else [f.renamed_from, f"{f.renamed_from}_id"]
            )
            before = next((c for c in candidates if old_table.column(c) is not None), None)
            if old_table.column(f.column) is not None:
                if before is not None:
                    problems.append(
                        SpecProblem(
                            fpath,
                            f"both '{before}' and '{f.column}' exist in the recorded table "
                            f"'{old_table.name}', so '{f.name}' cannot be renamed from "
                            f"'{f.renamed_from}'; remove renamed_from",
                        )
                    )
                continue  # renamed at an earlier generation
            if before is None:
                problems.append(
                    SpecProblem(
                        fpath,
                        f"'{f.renamed_from}' names no column of the recorded table "
                        f"'{old_table.name}' (columns: "
                        f"{', '.join(c.name for c in old_table.columns)})",
                    )
                )
                continue
            columns[(entity.table, before)] = f.column
    if problems:
        raise SpecError(problems)
    return Renames(tables, columns)


def _guess_entities(spec: Spec, old: Schema) -> dict[str, str]:
    """Entity -> table for a schema recorded without that map (older Day One versions):
    entities whose table exists, and ``renamed_from`` names under their default table."""
    out: dict[str, str] = {}
    for entity in spec.entities:
        if old.table(entity.table) is not None:
            out[entity.name] = entity.table
    for entity in spec.entities:
        if entity.renamed_from is not None and entity.name not in out:
            guess = pluralize(snake_case(entity.renamed_from))
            if old.table(guess) is not None and guess not in out.values():
                out[entity.renamed_from] = guess
    return out


# --- the diff ----------------------------------------------------------------------------------


class Change(Struct, frozen=True):
    """One change a person would name: ``short`` for the revision message,
    ``detail`` for its docstring."""

    short: str
    detail: str


class _Result(Struct):
    ops: list[Op] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    destructive: bool = False
    needs_backfill: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class SchemaDiff(Struct, frozen=True):
    """Everything ``next_revision`` needs: both directions and their description."""

    upgrade: tuple[Op, ...]
    downgrade: tuple[Op, ...]
    changes: tuple[Change, ...]
    destructive: bool
    needs_backfill: tuple[str, ...]


def diff_schemas(
    old: Schema, new: Schema, renames: Renames
) -> tuple[tuple[Op, ...], tuple[Op, ...]]:
    """(upgrade, downgrade) operations from ``old`` to ``new``; both empty when equal."""
    d = compare(old, new, renames)
    return d.upgrade, d.downgrade


def compare(old: Schema, new: Schema, renames: Renames) -> SchemaDiff:
    """The full comparison; raises ``UnsupportedChange`` for changes Day One cannot migrate."""
    up = _Differ(old, new, renames, restoring=False).run()
    if up.problems:
        raise UnsupportedChange(
            "Day One cannot migrate these schema changes:\n"
            + "\n".join(f"  {p}" for p in up.problems),
            hint="Revert them in dayone.yaml, or do them in steps: add a new field, copy "
            "the data in a migration of your own, then remove the old field.",
        )
    down = _Differ(new, old, renames.inverse(), restoring=True).run()
    return SchemaDiff(
        upgrade=tuple(up.ops),
        downgrade=tuple(down.ops),
        changes=tuple(up.changes),
        destructive=up.destructive,
        needs_backfill=tuple(up.needs_backfill),
    )


class _Differ:
    """One direction of a comparison (``restoring``: the downgrade)."""

    def __init__(self, old: Schema, new: Schema, renames: Renames, *, restoring: bool) -> None:
        self.old = old
        self.new = new
        self.restoring = restoring
        self.out = _Result()
        self.tables_changed: list[Change] = []
        self.table_renames = {
            o: n
            for o, n in sorted(renames.tables.items())
            if o != n and old.table(o) is not None and new.table(n) is not None
        }
        self.renamed_to = {n: o for o, n in self.table_renames.items()}
        self.pairs: list[_TablePair] = []
        self.created: list[Table] = []
        for table in new.in_dependency_order():
            before = self.old_name(table.name)
            old_table = old.table(before) if before is not None else None
            if old_table is None:
                self.created.append(table)
            else:
                self.pairs.append(_TablePair(self, old_table, table, renames))
        matched = {p.old.name for p in self.pairs}
        self.dropped = [t for t in reversed(old.in_dependency_order()) if t.name not in matched]

    def old_name(self, new_name: str) -> str | None:
        """The old table that becomes ``new_name``, if any."""
        if new_name in self.renamed_to:
            return self.renamed_to[new_name]
        if new_name in self.table_renames or self.old.table(new_name) is None:
            return None
        return new_name

    def target(self, fk: ForeignKey) -> ForeignKey:
        """An old foreign key, pointing at its table's new name."""
        return replace(fk, table=self.table_renames.get(fk.table, fk.table))

    def note(self, short: str, detail: str, *, table_level: bool = False) -> None:
        if not self.restoring:
            change = Change(short, detail)
            if table_level:
                self.tables_changed.append(change)
            else:
                self.out.changes.append(change)

    def run(self) -> _Result:
        out = self.out
        for pair in self.pairs:
            out.ops.extend(pair.before_renames())
        for table in self.dropped:
            out.ops.append(DropTable(table))
            out.destructive = True
            self.note(
                f"drop {table.name}",
                f"drop table {table.name} (its rows are lost)",
                table_level=True,
            )
        order, cycle = _rename_order(self.table_renames)
        if cycle:
            out.problems.append(
                f"tables {', '.join(cycle)}: renames that swap names cannot run in one step; "
                "rename through a temporary name over two generations"
            )
        for o, n in order:
            out.ops.append(RenameTable(o, n))
            self.note(f"rename {o} to {n}", f"rename table {o} to {n}", table_level=True)
        for table in self.created:
            out.ops.append(CreateTable(table))
            self.note(f"add {table.name}", f"create table {table.name}", table_level=True)
        for pair in self.pairs:
            out.ops.extend(pair.after_renames())
        # renames first, then new tables, then dropped ones: the order a reader expects
        rank = {"rename": 0, "add": 1, "drop": 2}
        out.changes[:0] = sorted(self.tables_changed, key=lambda c: rank[c.short.split()[0]])
        if out.ops and not out.changes and not self.restoring:
            out.changes.append(Change("rename constraints", "rename indexes and constraints"))
        return out


class _TablePair:
    """A table in both schemas (perhaps renamed): what changes in it."""

    def __init__(self, differ: _Differ, old: Table, new: Table, renames: Renames) -> None:
        self.d = differ
        self.old = old
        self.new = new
        self.renames = {
            o: n
            for (t, o), n in sorted(renames.columns.items())
            if t == new.name and o != n and old.column(o) is not None and new.column(n) is not None
        }
        self.renamed_to = {n: o for o, n in self.renames.items()}

    # column matching

    def new_column(self, old: str) -> str | None:
        if old in self.renames:
            return self.renames[old]
        if old in self.renamed_to or self.new.column(old) is None:
            return None
        return old

    def old_column(self, new: str) -> str | None:
        if new in self.renamed_to:
            return self.renamed_to[new]
        if new in self.renames or self.old.column(new) is None:
            return None
        return new

    def mapped(self, columns: Iterable[str]) -> tuple[str, ...] | None:
        """Old column names as new ones; None when one of them is dropped."""
        found = [self.new_column(c) for c in columns]
        names = tuple(c for c in found if c is not None)
        return names if len(names) == len(found) else None

    def label(self, column: str) -> str:
        return f"{self.new.name}.{column}"

    # constraints, keyed by their definition under the new names

    def old_fks(self) -> list[tuple[Column, str | None, ForeignKey]]:
        """(old column, its new name or None, its foreign key pointing at new table names)."""
        return [
            (c, self.new_column(c.name), self.d.target(c.foreign_key))
            for c in self.old.columns
            if c.foreign_key is not None
        ]

    def kept_fk(self, column: Column) -> bool:
        """A foreign key of the new table that the old one already had, under the same name."""
        return any(
            new_name == column.name and fk == column.foreign_key
            for _, new_name, fk in self.old_fks()
        )

    def old_indexes(self, indexes: tuple[Index, ...]) -> list[tuple[Index, Index | None]]:
        """(old index, the same under new column names or None)."""
        out: list[tuple[Index, Index | None]] = []
        for i in indexes:
            cols = self.mapped(i.columns)
            out.append((i, replace(i, columns=cols) if cols is not None else None))
        return out

    def old_checks(self) -> list[tuple[Check, Check | None]]:
        out: list[tuple[Check, Check | None]] = []
        for k in self.old.checks:
            col = self.new_column(k.column)
            out.append((k, replace(k, column=col) if col is not None else None))
        return out

    def constraint_renames(self) -> list[RenameConstraint]:
        """Indexes, unique constraints and foreign keys that stay as they are but for
        their name (which embeds a renamed column or table): renamed, not dropped and
        created again."""
        name = self.new.name
        out: list[RenameConstraint] = []
        new_fks = {c.name: c.foreign_key for c in self.new.columns}
        for column, new_name, fk in self.old_fks():
            new_fk = new_fks.get(new_name) if new_name is not None else None
            if new_fk is not None and new_fk != fk and replace(fk, name=new_fk.name) == new_fk:
                assert column.foreign_key is not None and new_name is not None
                out.append(
                    RenameConstraint(
                        name,
                        DropForeignKey(name, new_name, column.foreign_key),
                        CreateForeignKey(name, new_name, new_fk),
                    )
                )
        # Not CHECK constraints: SQLite's batch copy of a table may leave them out, so
        # they are dropped before a column rename and created after it, as before.
        for old_set, new_set, drop, create in (
            (self.old.uniques, self.new.uniques, DropUnique, CreateUnique),
            (self.old.indexes, self.new.indexes, DropIndex, CreateIndex),
        ):
            kept = {m for _, m in self.old_indexes(old_set) if m in new_set}
            for i, mapped_i in self.old_indexes(old_set):
                if mapped_i is None or mapped_i in new_set:
                    continue
                same = [
                    n
                    for n in new_set
                    if n not in kept
                    and (n.columns, n.unique) == (mapped_i.columns, mapped_i.unique)
                ]
                if len(same) == 1:
                    kept.add(same[0])
                    out.append(RenameConstraint(name, drop(name, i), create(name, same[0])))
        return out

    # the two halves

    def before_renames(self) -> list[Op]:
        """Under the old table name: drop what changes or goes, drop and rename columns."""
        d, name = self.d, self.old.name
        ops: list[Op] = []
        renamed = {r.old_name for r in self.constraint_renames()}
        new_fks = {c.name: c.foreign_key for c in self.new.columns}
        for column, new_name, fk in self.old_fks():
            if new_name is None or new_fks.get(new_name) != fk:
                assert column.foreign_key is not None
                if column.foreign_key.name not in renamed:
                    ops.append(DropForeignKey(name, column.name, column.foreign_key))
        for k, mapped_k in self.old_checks():
            if mapped_k is None or not _same_check(mapped_k, self.new.checks):
                ops.append(DropCheck(name, k))
        for i, mapped_i in self.old_indexes(self.old.uniques):
            if mapped_i not in self.new.uniques and i.name not in renamed:
                ops.append(DropUnique(name, i))
        for i, mapped_i in self.old_indexes(self.old.indexes):
            if mapped_i not in self.new.indexes and i.name not in renamed:
                ops.append(DropIndex(name, i))
        for c in self.old.columns:
            if self.new_column(c.name) is None:
                ops.append(DropColumn(name, c))
                d.out.destructive = True
                d.note(
                    f"drop {self.label(c.name)}",
                    f"drop column {self.label(c.name)} (its values are lost)",
                )
        order, cycle = _rename_order(self.renames)
        if cycle:
            d.out.problems.append(
                f"{name}: columns {', '.join(cycle)}: renames that swap names cannot run in "
                "one step; rename through a temporary name over two generations"
            )
        for o, n in order:
            ops.append(RenameColumn(name, o, n))
            d.note(
                f"rename {self.label(o)} to {n}",
                f"rename column {self.label(o)} to {self.label(n)}",
            )
        return ops

    def after_renames(self) -> list[Op]:
        """Under the new table name: add and alter columns, create constraints and indexes."""
        name = self.new.name
        early: list[Op] = []
        main: list[Op] = []
        late: list[Op] = []
        for c in self.new.columns:
            before = self.old_column(c.name)
            if before is None:
                main.append(self._add(c))
                continue
            old = self.old.column(before)
            assert old is not None
            self._alter(old, c, early, main, late)
        renames = self.constraint_renames()
        renamed = {r.new_name for r in renames}
        creates: list[Op] = [*renames]
        creates += [
            CreateForeignKey(name, c.name, c.foreign_key)
            for c in self.new.columns
            if c.foreign_key is not None
            and not self.kept_fk(c)
            and c.foreign_key.name not in renamed
        ]
        mapped_uniques = {m for _, m in self.old_indexes(self.old.uniques)}
        creates += [
            CreateUnique(name, i)
            for i in self.new.uniques
            if i not in mapped_uniques and i.name not in renamed
        ]
        mapped_checks = [m for _, m in self.old_checks() if m is not None]
        creates += [
            CreateCheck(name, k) for k in self.new.checks if not _same_check(k, mapped_checks)
        ]
        mapped_indexes = {m for _, m in self.old_indexes(self.old.indexes)}
        creates += [
            CreateIndex(name, i)
            for i in self.new.indexes
            if i not in mapped_indexes and i.name not in renamed
        ]
        self._note_constraints()
        return [*early, *main, *late, *creates]

    def _add(self, c: Column) -> AddColumn:
        d = self.d
        bare = replace(c, foreign_key=None)
        fill = None
        if d.restoring and not c.nullable and c.server_default is None:
            fill = _placeholder(c, self.new)
        op = AddColumn(self.new.name, bare, fill)
        if op.needs_value and not d.restoring:
            d.out.needs_backfill.append(self.label(c.name))
        detail = f"add column {self.label(c.name)} ({_describe(c)})"
        if op.needs_value:
            detail += ": NOT NULL without a default, so existing rows need a value first"
        d.note(f"add {self.label(c.name)}", detail)
        return op

    def _alter(
        self, old: Column, new: Column, early: list[Op], main: list[Op], late: list[Op]
    ) -> None:
        d, name = self.d, self.new.name
        label = self.label(new.name)
        current = replace(old, name=new.name, foreign_key=None)
        target = replace(new, foreign_key=None)
        if current.primary_key != target.primary_key:
            d.out.problems.append(f"{label}: the primary key cannot change")
            return
        if current.type != target.type:
            pair = (current.type.kind, target.type.kind)
            if pair not in _CONVERTIBLE:
                d.out.problems.append(
                    f"{label}: no conversion from {_type_text(current.type)} to "
                    f"{_type_text(target.type)}"
                )
                return
            detail = (
                f"change column {label} from {_type_text(current.type)} to "
                f"{_type_text(target.type)}"
            )
            if self._enum_length_only(old, new):
                pass  # follows from the enum's values, described with them
            elif _narrows(current.type, target.type):
                d.out.destructive = True
                d.note(
                    f"change {label} type",
                    detail + " (values that do not fit are cut or fail the upgrade)",
                )
            else:
                d.note(f"change {label} type", detail)
            if current.server_default is not None and pair[0] != pair[1]:
                # PostgreSQL converts the default along with the column, which fails for
                # some casts: drop it first, set the new one after.
                without = replace(current, server_default=None)
                main.append(AlterColumn(name, current, without))
                current = without
        tighten = current.nullable and not target.nullable
        fill = None
        if tighten:
            fill = target.server_default
            if fill is None and d.restoring:
                fill = _placeholder(new, self.new)
            if fill is None and not d.restoring:
                d.out.needs_backfill.append(label)
        if current.nullable != target.nullable:
            word = "optional" if target.nullable else "required"
            detail = f"make column {label} {word} ({'NULL' if target.nullable else 'NOT NULL'})"
            if tighten:
                detail += (
                    f": existing NULLs become {fill}"
                    if fill is not None
                    else ": fails while a row holds NULL (give those rows a value first)"
                )
            d.note(f"make {label} {word}", detail)
        if old.server_default != new.server_default:
            d.note(
                f"change {label} default",
                f"change the default of {label} from {old.server_default or 'none'} to "
                f"{new.server_default or 'none'}",
            )
        if current == target:
            return
        if tighten and fill is not None and current.type != target.type:
            # Fill after the type change, so the value has the column's new type.
            loose = replace(target, nullable=True)
            main.append(AlterColumn(name, current, loose))
            late.append(FillNulls(name, target.name, fill))
            late.append(AlterColumn(name, loose, target))
            return
        if tighten and fill is not None:
            early.append(FillNulls(name, target.name, fill))
        main.append(AlterColumn(name, current, target))

    def _enum_length_only(self, old: Column, new: Column) -> bool:
        """An enum column whose length changed with its values."""
        return (
            old.type.kind == new.type.kind == "string"
            and any(k.column == old.name for k in self.old.checks)
            and any(k.column == new.name for k in self.new.checks)
        )

    def _note_constraints(self) -> None:
        """Describe index and constraint changes that are not just new names."""
        d, table = self.d, self.new.name

        def cols(columns: tuple[str, ...]) -> str:
            shown = [c for c in columns if c != "org_id"] or list(columns)
            return ", ".join(shown)

        for kind, old_set, new_set in (
            ("unique", self.old.uniques, self.new.uniques),
            ("index", self.old.indexes, self.new.indexes),
        ):
            before = {(m.columns, m.unique) for _, m in self.old_indexes(old_set) if m is not None}
            after = {(i.columns, i.unique) for i in new_set}
            for columns, _unique in sorted(after - before):
                d.note(
                    f"add {kind} {table}.{cols(columns)}",
                    f"add {'unique constraint' if kind == 'unique' else 'index'} on "
                    f"{table} ({', '.join(columns)})",
                )
            for columns, _unique in sorted(before - after):
                d.note(
                    f"drop {kind} {table}.{cols(columns)}",
                    f"drop {'unique constraint' if kind == 'unique' else 'index'} on "
                    f"{table} ({', '.join(columns)})",
                )
        old_checks = {m.column: set(m.values) for _, m in self.old_checks() if m is not None}
        for k in self.new.checks:
            label = self.label(k.column)
            if k.column not in old_checks:
                d.note(
                    f"restrict {label}",
                    f"restrict {label} to {', '.join(map(repr, k.values))}",
                )
                continue
            before_values = old_checks.pop(k.column)
            if before_values == set(k.values):
                continue
            added = [v for v in k.values if v not in before_values]
            removed = sorted(before_values - set(k.values))
            if removed:
                d.out.destructive = True
            parts = []
            if added:
                parts.append("add " + ", ".join(map(repr, added)))
            if removed:
                parts.append(
                    "remove "
                    + ", ".join(map(repr, removed))
                    + " (rows holding them fail the upgrade)"
                )
            d.note(f"change {label} values", f"values of {label}: " + "; ".join(parts))
        for column in sorted(old_checks):
            if self.new.column(column) is not None:
                d.note(
                    f"unrestrict {self.label(column)}", f"{self.label(column)} accepts any value"
                )
        new_fks = {c.name: c.foreign_key for c in self.new.columns}
        for _, new_name, fk in self.old_fks():
            now = new_fks.get(new_name or "")
            if new_name is None or now is None:
                continue
            label = self.label(new_name)
            if now.table != fk.table:
                d.note(f"point {label} at {now.table}", f"{label} now references {now.table}")
            elif now.ondelete != fk.ondelete:
                d.note(
                    f"change {label} on delete",
                    f"{label}: ON DELETE {fk.ondelete} becomes ON DELETE {now.ondelete}",
                )


def _same_check(check: Check, others: Iterable[Check]) -> bool:
    """The same name, column and accepted values (their order does not matter)."""
    return any(
        o.name == check.name and o.column == check.column and set(o.values) == set(check.values)
        for o in others
    )


def _rename_order(renames: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Renames in an order where no target name is still taken; and the names in a cycle."""
    pending = dict(sorted(renames.items()))
    order: list[tuple[str, str]] = []
    while pending:
        ready = [(o, n) for o, n in pending.items() if n not in pending]
        if not ready:
            return order, sorted(pending)
        for o, n in ready:
            order.append((o, n))
            del pending[o]
    return order, []


def _placeholder(column: Column, table: Table) -> str | None:
    """A value for existing rows of a NOT NULL column being restored; None for references
    and UUIDs (no neutral value exists)."""
    if column.foreign_key is not None:
        return None
    kind = column.type.kind
    if kind in {"string", "text"}:
        check = next((k for k in table.checks if k.column == column.name), None)
        if check is not None and check.values:
            return "'" + check.values[0].replace("'", "''") + "'"
        return "''"
    return {
        "integer": "0",
        "float": "0",
        "numeric": "0",
        "boolean": "false",
        "date": "'1970-01-01'",
        "datetime": "CURRENT_TIMESTAMP",
        "json": "'null'",
    }.get(kind)


def _narrows(old: ColumnType, new: ColumnType) -> bool:
    """True when some value of ``old`` may not fit ``new``."""
    a, b = old.kind, new.kind
    if (a, b) == ("string", "string"):
        return (new.length or 0) < (old.length or 0)
    if (a, b) in {("string", "text"), ("integer", "text"), ("integer", "float")}:
        return False
    if (a, b) == ("integer", "string"):
        return (new.length or 0) < _INTEGER_WIDTH
    if (a, b) == ("integer", "numeric"):
        return (new.precision or 0) - (new.scale or 0) < _INTEGER_WIDTH - 1
    if (a, b) == ("numeric", "numeric"):
        whole = (new.precision or 0) - (new.scale or 0) < (old.precision or 0) - (old.scale or 0)
        return whole or (new.scale or 0) < (old.scale or 0)
    return a != b or old != new


def _type_text(t: ColumnType) -> str:
    if t.kind == "string":
        return f"string({t.length})"
    if t.kind == "numeric":
        return f"numeric({t.precision}, {t.scale})"
    return t.kind


def _describe(c: Column) -> str:
    parts = [_type_text(c.type), "NULL" if c.nullable else "NOT NULL"]
    if c.server_default is not None:
        parts.append(f"default {c.server_default}")
    if c.foreign_key is not None:
        parts.append(f"references {c.foreign_key.table} ON DELETE {c.foreign_key.ondelete}")
    return ", ".join(parts)


# --- revisions ---------------------------------------------------------------------------------

# The revision message (the docstring's first line) names changes up to about this length.
_MESSAGE_LENGTH = 50


def next_revision(prior: Prior, new: Schema, renames: Renames) -> Revision | None:
    """The revision after ``prior``'s, from its schema to ``new``; None when nothing changed."""
    d = compare(prior.schema, new, renames)
    if not d.upgrade:
        return None
    shorts = [c.short for c in d.changes]
    shown = 1
    while shown < len(shorts) and len(", ".join(shorts[: shown + 1])) <= _MESSAGE_LENGTH:
        shown += 1
    message = ", ".join(shorts[:shown])
    if len(shorts) > shown:
        message += f" and {len(shorts) - shown} more"
    return Revision(
        id=next_revision_id(prior.revisions, prior.taken | {prior.head or ""}),
        down_revision=prior.head,
        message=message,
        upgrade=d.upgrade,
        downgrade=d.downgrade,
        summary="\n".join(c.detail for c in d.changes),
        destructive=d.destructive,
        needs_backfill=d.needs_backfill,
    )


def next_revision_id(revisions: Mapping[str, bytes], taken: Iterable[str] = ()) -> str:
    """The 4-digit id after the highest of Day One's revision files, skipping ``taken``
    (ids of revisions the user added)."""
    numbers = [0]
    for path, content in revisions.items():
        ident = read_revision_ids(content)[0]
        name = path.rsplit("/", 1)[-1]
        for candidate in (ident, name[:4] if name[4:5] == "_" else None):
            if candidate is not None and candidate.isdigit() and len(candidate) == 4:
                numbers.append(int(candidate))
    used = set(taken)
    number = max(numbers) + 1
    while f"{number:04d}" in used:
        number += 1
    return f"{number:04d}"


def read_revision_ids(content: bytes) -> tuple[str | None, tuple[str, ...]]:
    """(revision, down revisions) of an Alembic revision file; (None, ()) when it has none."""
    values: dict[str, object] = {}
    for tree in _module_trees(content):
        values = _literal_assignments(tree)
        if "revision" in values:
            break
    ident = values.get("revision")
    down = values.get("down_revision")
    downs: tuple[str, ...]
    if isinstance(down, str):
        downs = (down,)
    elif isinstance(down, list | tuple):
        downs = tuple(str(x) for x in down)
    else:
        downs = ()
    return (ident if isinstance(ident, str) else None), downs


def _literal_assignments(tree: ast.Module) -> dict[str, object]:
    """name -> value of the module's top-level assignments of literals."""
    values: dict[str, object] = {}
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None:
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return values


def revision_message(content: bytes) -> str:
    """The first line of a revision file's docstring, without its final period."""
    tree = next(_module_trees(content), None)
    doc = (ast.get_docstring(tree) or "") if tree is not None else ""
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    return first.rstrip(".")


def upgrade_statements(content: bytes) -> frozenset[str]:
    """The top-level statements of a revision file's ``upgrade()``, each as the dump of
    its syntax tree (so formatting and comments do not count); empty when the file
    does not parse or has no ``upgrade``."""
    tree = _parse(content)
    upgrade = next(
        (
            node
            for node in (tree.body if tree is not None else [])
            if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
        ),
        None,
    )
    if upgrade is None:
        return frozenset()
    body = upgrade.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return frozenset(ast.dump(node) for node in body if not isinstance(node, ast.Pass))


def _module_trees(content: bytes) -> Iterator[ast.Module]:
    """The syntax tree of a revision file's header (what precedes its first function),
    then, if the caller wants more, of the whole file. Revision files put their
    docstring and identifiers first and can be long, so the header usually suffices."""
    cut = content.find(b"\ndef ")
    header = _parse(content[: cut + 1]) if cut >= 0 else None
    if header is not None:
        yield header
    whole = _parse(content)
    if whole is not None:
        yield whole


@lru_cache(maxsize=512)
def _parse(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


__all__ = [
    "Change",
    "Renames",
    "SchemaDiff",
    "UnsupportedChange",
    "compare",
    "diff_schemas",
    "next_revision",
    "next_revision_id",
    "read_revision_ids",
    "renames_from_spec",
    "revision_message",
    "upgrade_statements",
]
