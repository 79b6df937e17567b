"""A plain description of the generated project's database schema.

Migrations are rendered from this model, and a new revision is the difference
between two of them (the schema recorded at the last generation, and the one
of the new spec). It is data only: JSON round-trips it into
``.dayone/schema.json``, and templates turn it into Alembic operations.

The hand-written SQLAlchemy models in the templates must describe the same
schema; the generated project's ``alembic check`` test proves they do.
"""

from __future__ import annotations

import hashlib
from typing import Any

from msgspec import Struct
from msgspec.structs import asdict

# PostgreSQL truncates identifiers longer than this, which would make the
# database disagree with the models about constraint names.
MAX_IDENTIFIER = 63


class ColumnType(Struct, frozen=True):
    """``kind`` is one of: uuid, string, text, integer, bigint, float, numeric, boolean,
    date, datetime, json. ``length`` applies to string; ``precision``/``scale`` to numeric."""

    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None


class ForeignKey(Struct, frozen=True):
    table: str
    column: str
    ondelete: str  # CASCADE | RESTRICT | SET NULL
    name: str


class Column(Struct, frozen=True):
    name: str
    type: ColumnType
    nullable: bool = False
    primary_key: bool = False
    # A SQL literal for the server default ("0", "'lead'", "true", "CURRENT_TIMESTAMP").
    server_default: str | None = None
    foreign_key: ForeignKey | None = None


class Index(Struct, frozen=True):
    name: str
    columns: tuple[str, ...]
    unique: bool = False


class Check(Struct, frozen=True):
    """``column`` must hold one of ``values`` (the spec's enum values, verbatim)."""

    name: str
    column: str
    values: tuple[str, ...]


class Table(Struct, frozen=True):
    name: str
    columns: tuple[Column, ...]
    uniques: tuple[Index, ...] = ()  # unique constraints (not indexes)
    indexes: tuple[Index, ...] = ()
    checks: tuple[Check, ...] = ()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def references(self) -> set[str]:
        return {c.foreign_key.table for c in self.columns if c.foreign_key is not None}


class Schema(Struct, frozen=True):
    tables: tuple[Table, ...] = ()

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def in_dependency_order(self) -> list[Table]:
        """Tables ordered so that every table comes after the tables it references."""
        done: dict[str, Table] = {}
        pending = list(self.tables)
        while pending:
            ready = [t for t in pending if all(r in done or r == t.name for r in t.references)]
            if not ready:  # a reference cycle: keep the declared order for the rest
                ready = pending[:1]
            for table in ready:
                done[table.name] = table
                pending.remove(table)
        return list(done.values())

    def to_json(self) -> dict[str, Any]:
        """Plain data; keys holding their default value are left out."""
        return {"tables": [_table_json(t) for t in self.tables]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schema:
        """Reads ``to_json``'s output, and the older form that spells out every key."""
        tables = []
        for t in data["tables"]:
            columns = tuple(
                Column(
                    name=c["name"],
                    type=ColumnType(**c["type"]),
                    nullable=c.get("nullable", False),
                    primary_key=c.get("primary_key", False),
                    server_default=c.get("server_default"),
                    foreign_key=ForeignKey(**c["foreign_key"]) if c.get("foreign_key") else None,
                )
                for c in t["columns"]
            )
            tables.append(
                Table(
                    name=t["name"],
                    columns=columns,
                    uniques=tuple(
                        Index(i["name"], tuple(i["columns"]), i.get("unique", True))
                        for i in t.get("uniques", ())
                    ),
                    indexes=tuple(
                        Index(i["name"], tuple(i["columns"]), i.get("unique", False))
                        for i in t.get("indexes", ())
                    ),
                    checks=tuple(
                        Check(c["name"], c["column"], tuple(c["values"]))
                        for c in t.get("checks", ())
                    ),
                )
            )
        return cls(tuple(tables))


def _table_json(t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.name, "columns": [_column_json(c) for c in t.columns]}
    if t.uniques:
        out["uniques"] = [{"name": i.name, "columns": list(i.columns)} for i in t.uniques]
    if t.indexes:
        out["indexes"] = [
            {"name": i.name, "columns": list(i.columns), **({"unique": True} if i.unique else {})}
            for i in t.indexes
        ]
    if t.checks:
        out["checks"] = [
            {"name": c.name, "column": c.column, "values": list(c.values)} for c in t.checks
        ]
    return out


def _column_json(c: Column) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": c.name,
        "type": {k: v for k, v in asdict(c.type).items() if v is not None},
    }
    if c.nullable:
        out["nullable"] = True
    if c.primary_key:
        out["primary_key"] = True
    if c.server_default is not None:
        out["server_default"] = c.server_default
    if c.foreign_key is not None:
        out["foreign_key"] = asdict(c.foreign_key)
    return out


def constraint_name(prefix: str, table: str, *parts: str) -> str:
    """``prefix_table_part1_part2``, shortened with a stable hash past 63 characters."""
    name = "_".join((prefix, table, *parts))
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"
