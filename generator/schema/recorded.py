"""Checking ``.dayone/schema.json`` before a plan builds on it.

The recorded schema is the "before" of the next migration: a damaged one (a
file that claims no tables, a column without a type, a table the migrations
never created) would make the next revision re-create or drop what the
database already holds. ``check_recorded`` decodes the file against its
format (typed, so a wrong key names its path), checks that it is consistent
in itself, and that the tables it records are the ones Day One's own
revision files create, and raises ``RecordedSchemaError`` otherwise.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

import msgspec
from msgspec import Struct, field

from generator.errors import DayOneError
from generator.schema.diff import read_revision_ids
from generator.state import SCHEMA as SCHEMA_PATH
from generator.state import SCHEMA_FORMAT
from generator.state import SCHEMA_HINT as HINT

# Files written before the format was recorded hold no "format" key; they read as format 1.
# Older formats are read and brought up to date by generator.schema.template_renames.
READABLE_FORMATS = frozenset(range(1, SCHEMA_FORMAT + 1))


class RecordedSchemaError(DayOneError):
    """``schema.json`` is damaged or does not match the migrations."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{SCHEMA_PATH} {problem}", hint=HINT)


# The file's format, for typed decoding; generator.schema.model builds the schema itself.


class _Type(Struct):
    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None


class _ForeignKey(Struct):
    table: str
    column: str
    ondelete: str
    name: str


class _Column(Struct):
    name: str
    type: _Type
    nullable: bool = False
    primary_key: bool = False
    server_default: str | None = None
    foreign_key: _ForeignKey | None = None


class _Index(Struct):
    name: str
    columns: list[str]
    unique: bool | None = None


class _Check(Struct):
    name: str
    column: str
    values: list[str]


class _Table(Struct):
    name: str
    columns: list[_Column]
    uniques: list[_Index] = field(default_factory=list)
    indexes: list[_Index] = field(default_factory=list)
    checks: list[_Check] = field(default_factory=list)


class _SchemaFile(Struct):
    format: int
    tables: list[_Table]
    entities: dict[str, str] = field(default_factory=dict)


def check_recorded(data: object, revisions: Mapping[str, bytes]) -> None:
    """Refuse ``data`` (schema.json, decoded as plain JSON) unless it is a schema of
    this format, consistent in itself and with ``revisions`` (path -> content of Day
    One's revision files, from the baseline)."""
    if not isinstance(data, dict):
        raise RecordedSchemaError("is not a JSON object")
    found = data.get("format", 1)
    if isinstance(found, bool) or found not in READABLE_FORMATS:
        raise RecordedSchemaError(
            f"has format {found!r}; this Day One reads formats 1 to {SCHEMA_FORMAT}"
        )
    try:
        recorded = msgspec.convert({"format": 1, **data}, _SchemaFile)
    except msgspec.ValidationError as exc:
        raise RecordedSchemaError(f"is damaged: {exc}") from None
    _check_against_revisions(recorded, revisions)
    _check_consistent(recorded)


def _check_consistent(recorded: _SchemaFile) -> None:
    tables: dict[str, set[str]] = {}
    for n, table in enumerate(recorded.tables):
        where = f"$.tables[{n}]"
        if table.name in tables:
            raise RecordedSchemaError(f"records table {table.name!r} twice (at {where})")
        names = [c.name for c in table.columns]
        if not names:
            raise RecordedSchemaError(f"records table {table.name!r} without columns")
        twice = sorted({c for c in names if names.count(c) > 1})
        if twice:
            raise RecordedSchemaError(f"records column {twice[0]!r} of {table.name!r} twice")
        tables[table.name] = set(names)
    for table in recorded.tables:
        for column in table.columns:
            fk = column.foreign_key
            if fk is not None and fk.column not in tables.get(fk.table, ()):
                raise RecordedSchemaError(
                    f"has {table.name}.{column.name} referencing {fk.table}.{fk.column}, "
                    "which it does not record"
                )
        used = [c for i in (*table.uniques, *table.indexes) for c in i.columns]
        used += [c.column for c in table.checks]
        missing = sorted(set(used) - tables[table.name])
        if missing:
            raise RecordedSchemaError(
                f"has a constraint on {table.name}.{missing[0]}, a column it does not record"
            )
    for entity, table_name in sorted(recorded.entities.items()):
        if table_name not in tables:
            raise RecordedSchemaError(
                f"maps entity {entity} to table {table_name!r}, which it does not record"
            )


def _check_against_revisions(recorded: _SchemaFile, revisions: Mapping[str, bytes]) -> None:
    if not revisions:
        return
    expected = created_tables(revisions)
    if expected is None:
        return  # a revision Day One cannot read back; nothing to compare
    have = {t.name for t in recorded.tables}
    if not have and expected:
        raise RecordedSchemaError(f"records no tables, but the migrations create {len(expected)}")
    if have != expected:
        missing, extra = sorted(expected - have), sorted(have - expected)
        problems = []
        if missing:
            problems.append(f"the migrations create {', '.join(missing)}, which it does not record")
        if extra:
            problems.append(f"it records {', '.join(extra)}, which no migration creates")
        raise RecordedSchemaError(f"does not match the migrations: {'; '.join(problems)}")


def created_tables(revisions: Mapping[str, bytes]) -> set[str] | None:
    """The tables that exist after upgrading through ``revisions`` (path -> content),
    oldest first by their down revisions; None when one of them cannot be read."""
    found: dict[str, tuple[str | None, ast.Module]] = {}
    for content in revisions.values():
        try:
            tree = ast.parse(content)
        except (SyntaxError, ValueError):
            return None
        ident, downs = read_revision_ids(content)
        if ident is None or ident in found or len(downs) > 1:
            return None
        found[ident] = (downs[0] if downs else None, tree)
    depth: dict[str, int] = {}

    def level(ident: str) -> int:
        if ident not in depth:
            depth[ident] = 0  # stops at a cycle
            down = found[ident][0]
            depth[ident] = level(down) + 1 if down is not None and down in found else 0
        return depth[ident]

    tables: set[str] = set()
    for ident in sorted(found, key=lambda i: (level(i), i)):
        for name, args in _upgrade_calls(found[ident][1]):
            if name == "create_table" and args:
                tables.add(args[0])
            elif name == "drop_table" and args:
                tables.discard(args[0])
            elif name == "rename_table" and len(args) >= 2:
                tables.discard(args[0])
                tables.add(args[1])
    return tables


def _upgrade_calls(tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    """(name, leading string arguments) of each ``op.<name>(...)`` call in ``upgrade``,
    in order."""
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return
    calls = [n for n in ast.walk(upgrade) if isinstance(n, ast.Call)]
    for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
        if (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "op"
        ):
            args = []
            for arg in node.args:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    break
                args.append(arg.value)
            yield node.func.attr, args
