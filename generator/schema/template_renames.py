"""Renames Day One made in its own templates, and the schema format that has them.

A spec's ``renamed_from`` records what its author renamed. When Day One itself
renames a built-in column, the project's recorded schema (``.dayone/schema.json``)
still has the old name, and without a record of the rename the next migration
would drop the column, with its values, and add an empty one. ``TEMPLATE_RENAMES``
is that record: each entry names the ``schema.json`` format that first has the new
name (``generator.state.SCHEMA_FORMAT`` goes up with every entry), and a schema
recorded in an older format gets the entry's renames.

An entry applies to a table only where the recorded table still has the old
column and the table the spec now describes has the new one instead, so it is
harmless on tables it does not concern, and a table renamed by the spec in the
same generation is matched under its new name.
"""

from __future__ import annotations

from msgspec import Struct

from generator.schema.diff import Renames
from generator.schema.model import Schema


class ColumnRename(Struct, frozen=True):
    """``old`` became ``new`` in every table that has it, as of schema.json ``format``."""

    format: int
    old: str
    new: str


TEMPLATE_RENAMES: tuple[ColumnRename, ...] = (
    # The organization's foreign key of entity tables and stored_files, named like the
    # org_id of every other table and of the URLs (/orgs/{org_id}/...).
    ColumnRename(format=3, old="tenant_id", new="org_id"),
)


def with_template_renames(
    renames: Renames, recorded_format: int, old: Schema, new: Schema
) -> Renames:
    """``renames`` (the spec's) plus the column renames of ``TEMPLATE_RENAMES`` made
    after ``recorded_format``, for each table of ``old`` they apply to in ``new``."""
    columns = dict(renames.columns)
    for rename in TEMPLATE_RENAMES:
        if rename.format <= recorded_format:
            continue
        for table in old.tables:
            now = new.table(renames.tables.get(table.name, table.name))
            if (
                now is not None
                and table.column(rename.old) is not None
                and table.column(rename.new) is None
                and now.column(rename.new) is not None
                and now.column(rename.old) is None
            ):
                columns.setdefault((now.name, rename.old), rename.new)
    return Renames(tables=renames.tables, columns=columns)


__all__ = ["TEMPLATE_RENAMES", "ColumnRename", "with_template_renames"]
