"""The generated project's database schema, as data: built from the spec, diffed into migrations."""

from generator.schema.build import build_schema, column_type, entity_table
from generator.schema.model import (
    Check,
    Column,
    ColumnType,
    ForeignKey,
    Index,
    Schema,
    Table,
    constraint_name,
)

__all__ = [
    "Check",
    "Column",
    "ColumnType",
    "ForeignKey",
    "Index",
    "Schema",
    "Table",
    "build_schema",
    "column_type",
    "constraint_name",
    "entity_table",
]
