"""Renames Day One made in its templates: a schema recorded before one of them gets a
migration that renames the column (and its constraints), not one that drops it."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from generator.render import Prior
from generator.schema import Schema, Table, constraint_name
from generator.schema.diff import Renames, compare, renames_from_spec
from generator.schema.ops import (
    AddColumn,
    CreateForeignKey,
    CreateIndex,
    CreateUnique,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropUnique,
    Op,
    RenameColumn,
    RenameConstraint,
)
from generator.schema.template_renames import TEMPLATE_RENAMES, with_template_renames
from generator.spec import parse_spec
from generator.state import SCHEMA_FORMAT
from tests.schema.support import new_revision_text, render_text, schema_of, spec_text

NOTES = """\
  - name: Note
    fields:
      - {name: title, type: string, max_length: 50, unique: true}
      - {name: body, type: text, required: false, index: true}
"""
MEMOS = NOTES.replace("name: Note\n", "name: Memo\n    renamed_from: Note\n")
# The tables whose organization column was tenant_id before schema.json format 3.
HAD_TENANT_ID = {"notes", "stored_files"}


def before_org_id(schema: Schema, tables: set[str] = HAD_TENANT_ID) -> Schema:
    """``schema`` as a Day One before format 3 recorded it: tenant_id in ``tables``,
    with the constraint and index names that embed it."""

    def table(t: Table) -> Table:
        if t.name not in tables:
            return t
        old = {"org_id": "tenant_id"}

        def column_names(columns: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(old.get(c, c) for c in columns)

        columns = tuple(
            c
            if c.name != "org_id" or c.foreign_key is None
            else replace(
                c,
                name="tenant_id",
                foreign_key=replace(c.foreign_key, name=constraint_name("fk", t.name, "tenant_id")),
            )
            for c in t.columns
        )
        return replace(
            t,
            columns=columns,
            uniques=tuple(
                replace(
                    i,
                    columns=column_names(i.columns),
                    name=constraint_name("uq", t.name, *column_names(i.columns)),
                )
                for i in t.uniques
            ),
            indexes=tuple(
                replace(
                    i,
                    columns=column_names(i.columns),
                    name=constraint_name("ix", t.name, *column_names(i.columns)),
                )
                for i in t.indexes
            ),
        )

    return Schema(tuple(table(t) for t in schema.tables))


def of(ops: tuple[Op, ...], kind: type) -> list[Any]:
    return [o for o in ops if isinstance(o, kind)]


def test_the_record_is_up_to_date_with_the_schema_format() -> None:
    assert TEMPLATE_RENAMES
    assert all(r.format <= SCHEMA_FORMAT for r in TEMPLATE_RENAMES)
    # every entry raised the format, so a schema recorded before it is recognised
    assert max(r.format for r in TEMPLATE_RENAMES) == SCHEMA_FORMAT
    assert len({r.format for r in TEMPLATE_RENAMES}) == len(TEMPLATE_RENAMES)


def test_a_schema_of_format_2_gets_tenant_id_renamed_to_org_id() -> None:
    new = schema_of(NOTES)
    old = before_org_id(new)
    renames = with_template_renames(Renames(), 2, old, new)
    assert renames.columns == {
        ("notes", "tenant_id"): "org_id",
        ("stored_files", "tenant_id"): "org_id",
    }
    d = compare(old, new, renames)
    assert not d.destructive
    assert not of(d.upgrade, DropColumn)
    assert not of(d.upgrade, AddColumn)
    assert {(o.table, o.old, o.new) for o in of(d.upgrade, RenameColumn)} == {
        ("notes", "tenant_id", "org_id"),
        ("stored_files", "tenant_id", "org_id"),
    }
    # constraints and indexes follow the column's name: renamed, none dropped or created
    for kind in (
        DropForeignKey,
        CreateForeignKey,
        DropUnique,
        CreateUnique,
        DropIndex,
        CreateIndex,
    ):
        assert not of(d.upgrade, kind), kind
    assert {(o.old_name, o.new_name) for o in of(d.upgrade, RenameConstraint)} == {
        ("fk_notes_tenant_id", "fk_notes_org_id"),
        ("fk_stored_files_tenant_id", "fk_stored_files_org_id"),
        ("uq_notes_tenant_id_title", "uq_notes_org_id_title"),
        ("ix_notes_tenant_id_created_at_id", "ix_notes_org_id_created_at_id"),
        ("ix_notes_tenant_id_body", "ix_notes_org_id_body"),
        ("ix_stored_files_tenant_id_created_at_id", "ix_stored_files_org_id_created_at_id"),
    }
    statements = {o.postgresql for o in of(d.upgrade, RenameConstraint)}
    assert (
        'ALTER TABLE "notes" RENAME CONSTRAINT "fk_notes_tenant_id" TO "fk_notes_org_id"'
        in statements
    )
    assert 'ALTER INDEX "ix_notes_tenant_id_body" RENAME TO "ix_notes_org_id_body"' in statements
    # and the downgrade renames them back
    assert {(o.table, o.old, o.new) for o in of(d.downgrade, RenameColumn)} == {
        ("notes", "org_id", "tenant_id"),
        ("stored_files", "org_id", "tenant_id"),
    }
    assert compare(new, old, renames.inverse()).upgrade == d.downgrade


def test_a_schema_of_the_current_format_gets_no_template_rename() -> None:
    new = schema_of(NOTES)
    old = before_org_id(new)
    assert with_template_renames(Renames(), SCHEMA_FORMAT, old, new) == Renames()
    # and one already renamed needs nothing, whatever its format says
    assert with_template_renames(Renames(), 1, new, new) == Renames()


def test_only_tables_that_still_have_the_old_name_are_renamed() -> None:
    new = schema_of(NOTES)
    old = before_org_id(new, {"notes"})  # stored_files was renamed already
    renames = with_template_renames(Renames(), 2, old, new)
    assert renames.columns == {("notes", "tenant_id"): "org_id"}


def test_a_table_renamed_in_the_same_generation_is_matched_under_its_new_name() -> None:
    old = before_org_id(schema_of(NOTES))
    spec = parse_spec(spec_text(MEMOS))
    new = schema_of(MEMOS)
    renames = with_template_renames(renames_from_spec(spec, old, {"Note": "notes"}), 2, old, new)
    assert renames.tables == {"notes": "memos"}
    assert renames.columns[("memos", "tenant_id")] == "org_id"
    d = compare(old, new, renames)
    assert not d.destructive
    assert {(o.table, o.old, o.new) for o in of(d.upgrade, RenameColumn)} == {
        ("notes", "tenant_id", "org_id"),
        ("stored_files", "tenant_id", "org_id"),
    }


def test_render_with_a_prior_of_format_2_adds_a_renaming_revision() -> None:
    first = render_text(spec_text(NOTES))
    old = before_org_id(first.schema)
    prior = Prior(
        schema=old,
        entities={"Note": "notes"},
        revisions={p: c for p, c in first.files.items() if "/alembic/versions/" in p},
        head="0001",
        taken=frozenset({"0001"}),
        format=2,
    )
    again = render_text(spec_text(NOTES), prior)
    revision = again.new_revision
    assert revision is not None
    assert revision.id == "0002"
    assert not revision.destructive
    assert revision.message == "rename stored_files.tenant_id to org_id and 1 more"
    text = new_revision_text(again)
    assert 'batch_op.alter_column("tenant_id", new_column_name="org_id")' in text
    assert "drop_column" not in text
    # the same inputs render the same bytes
    assert render_text(spec_text(NOTES), prior).files == again.files
