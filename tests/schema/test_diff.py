"""diff_schemas: every operation kind, renames, ordering, both directions, determinism."""

from __future__ import annotations

from typing import Any

import pytest
from msgspec.structs import replace

from generator.schema import Schema
from generator.schema.diff import Renames, UnsupportedChange, compare, diff_schemas
from generator.schema.ops import (
    AddColumn,
    AlterColumn,
    CreateCheck,
    CreateForeignKey,
    CreateIndex,
    CreateTable,
    CreateUnique,
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
    steps,
)
from tests.schema.support import schema_of

NONE = Renames()


def entity(name: str, *fields: str, extra: str = "") -> str:
    lines = [f"  - name: {name}\n", *([f"    {extra}\n"] if extra else []), "    fields:\n"]
    lines += [f"      - {{{f}}}\n" for f in fields]
    return "".join(lines)


def task(*fields: str) -> Schema:
    return schema_of(entity("Task", "name: title, type: string", *fields))


def of(ops: tuple[Op, ...], kind: type) -> list[Any]:
    return [o for o in ops if isinstance(o, kind)]


def kinds(ops: tuple[Op, ...]) -> list[str]:
    return [o.kind for o in ops]


def test_identical_schemas_have_no_operations() -> None:
    schema = task("name: done, type: boolean, default: false")
    assert diff_schemas(schema, schema, NONE) == ((), ())


def test_column_order_does_not_matter() -> None:
    a = schema_of(entity("Task", "name: a, type: string", "name: b, type: integer"))
    b = schema_of(entity("Task", "name: b, type: integer", "name: a, type: string"))
    assert diff_schemas(a, b, NONE) == ((), ())


# --- tables ----------------------------------------------------------------------------------


def test_add_entity_creates_its_table_and_the_downgrade_drops_it() -> None:
    old = task()
    new = schema_of(
        entity("Task", "name: title, type: string") + entity("Tag", "name: x, type: string")
    )
    up, down = diff_schemas(old, new, NONE)
    assert kinds(up) == ["create_table"]
    assert up[0].table == new.table("tags")  # type: ignore[union-attr]
    assert kinds(down) == ["drop_table"]
    assert down[0].table.name == "tags"  # type: ignore[union-attr]


def test_tables_are_created_in_dependency_order_and_dropped_in_reverse() -> None:
    old = task()
    new = schema_of(
        entity("Task", "name: title, type: string")
        + entity("Line", "name: order, type: ref, to: Order", "name: n, type: integer")
        + entity("Order", "name: customer, type: ref, to: Customer")
        + entity("Customer", "name: name, type: string")
    )
    up, down = diff_schemas(old, new, NONE)
    assert [o.table.name for o in of(up, CreateTable)] == ["customers", "orders", "lines"]
    assert [o.table.name for o in of(down, DropTable)] == ["lines", "orders", "customers"]


def test_drop_entity_is_destructive_and_drops_references_to_it_first() -> None:
    old = schema_of(
        entity("Task", "name: title, type: string", "name: tag, type: ref, to: Tag")
        + entity("Tag", "name: x, type: string")
    )
    new = task()
    d = compare(old, new, NONE)
    assert d.destructive
    assert kinds(d.upgrade)[:2] == ["drop_foreign_key", "drop_index"]
    assert kinds(d.upgrade)[-1] == "drop_table"
    # the downgrade creates the table before the column and key that point at it
    assert kinds(d.downgrade).index("create_table") < kinds(d.downgrade).index("create_foreign_key")
    assert [c.short for c in d.changes] == ["drop tags", "drop tasks.tag_id"]


def test_builtin_table_added_by_a_day_one_upgrade() -> None:
    old = schema_of(entity("Task", "name: title, type: string"), invitations=False)
    new = schema_of(entity("Task", "name: title, type: string"), invitations=True)
    up, _ = diff_schemas(old, new, NONE)
    assert [o.table.name for o in of(up, CreateTable)] == ["invitations"]


def test_builtin_column_added_by_a_day_one_upgrade() -> None:
    new = task()
    users = new.table("users")
    assert users is not None
    older = replace(users, columns=tuple(c for c in users.columns if c.name != "full_name"))
    old = Schema(tuple(older if t.name == "users" else t for t in new.tables))
    d = compare(old, new, NONE)
    [add] = of(d.upgrade, AddColumn)
    assert (add.table, add.column.name) == ("users", "full_name")
    assert d.needs_backfill == ("users.full_name",)


# --- renamed tables ----------------------------------------------------------------------------

NOTE_FIELDS = (
    "name: title, type: string, unique: true",
    "name: status, type: enum, values: [open, done]",
    "name: body, type: text, index: true",
)


def test_rename_table_renames_every_name_that_embeds_it() -> None:
    old = schema_of(
        entity("Note", *NOTE_FIELDS) + entity("Deal", "name: note, type: ref, to: Note")
    )
    new = schema_of(
        entity("Memo", *NOTE_FIELDS) + entity("Deal", "name: note, type: ref, to: Memo")
    )
    up, down = diff_schemas(old, new, Renames(tables={"notes": "memos"}))
    rename = of(up, RenameTable)
    assert rename == [RenameTable("notes", "memos")]
    assert (rename[0].old_primary_key, rename[0].new_primary_key) == ("pk_notes", "pk_memos")
    at = up.index(rename[0])
    before, after = up[:at], up[at + 1 :]
    # everything named after the old table goes before the rename...
    # (a CHECK constraint is dropped before it and created again after it)...
    assert {o.table for o in before} == {"notes"}  # type: ignore[union-attr]
    assert [o.check.name for o in before] == ["ck_notes_status"]  # type: ignore[union-attr]
    assert {o.table for o in after} == {"memos"}  # type: ignore[union-attr]
    assert {o.check.name for o in of(after, CreateCheck)} == {"ck_memos_status"}
    # ...and the rest is renamed after it, under the new table name
    for kind in (
        DropForeignKey,
        CreateForeignKey,
        DropUnique,
        CreateUnique,
        DropIndex,
        CreateIndex,
    ):
        assert not of(up, kind), kind
    assert {(o.old_name, o.new_name) for o in of(after, RenameConstraint)} == {
        ("fk_notes_org_id", "fk_memos_org_id"),
        ("uq_notes_org_id_title", "uq_memos_org_id_title"),
        ("ix_notes_org_id_created_at_id", "ix_memos_org_id_created_at_id"),
        ("ix_notes_org_id_body", "ix_memos_org_id_body"),
    }
    # deals.note_id follows the table: nothing to do on deals
    assert not [o for o in up if getattr(o, "table", None) == "deals"]
    assert of(down, RenameTable) == [RenameTable("memos", "notes")]
    assert not of(up, CreateTable) and not of(up, DropTable)


def test_without_rename_a_renamed_entity_is_dropped_and_created() -> None:
    old = schema_of(entity("Note", *NOTE_FIELDS))
    new = schema_of(entity("Memo", *NOTE_FIELDS))
    d = compare(old, new, NONE)
    assert kinds(d.upgrade) == ["drop_table", "create_table"]
    assert d.destructive


def test_rename_chain_runs_in_an_order_that_frees_each_name() -> None:
    old = schema_of(
        entity("A", "name: x, type: string", extra="plural: t1")
        + entity("B", "name: y, type: string", extra="plural: t2")
    )
    new = schema_of(
        entity("A", "name: x, type: string", extra="plural: t2")
        + entity("B", "name: y, type: string", extra="plural: t3")
    )
    up, _ = diff_schemas(old, new, Renames(tables={"t1": "t2", "t2": "t3"}))
    assert of(up, RenameTable) == [RenameTable("t2", "t3"), RenameTable("t1", "t2")]


def test_swapping_names_is_refused() -> None:
    old = schema_of(entity("Task", "name: a, type: string", "name: b, type: string"))
    with pytest.raises(UnsupportedChange, match="swap"):
        diff_schemas(old, old, Renames(columns={("tasks", "a"): "b", ("tasks", "b"): "a"}))


# --- columns -----------------------------------------------------------------------------------


def test_add_column_with_default_needs_no_backfill() -> None:
    d = compare(task(), task("name: score, type: integer, default: 0"), NONE)
    [add] = of(d.upgrade, AddColumn)
    assert add.table == "tasks"
    assert (add.column.name, add.column.server_default, add.column.nullable) == (
        "score",
        "0",
        False,
    )
    assert not add.needs_value and d.needs_backfill == ()
    assert of(d.downgrade, DropColumn)[0].column.name == "score"
    assert not d.destructive


def test_add_required_column_without_default_is_flagged() -> None:
    d = compare(task(), task("name: score, type: integer"), NONE)
    [add] = of(d.upgrade, AddColumn)
    assert add.needs_value
    assert d.needs_backfill == ("tasks.score",)
    assert "existing rows need a value" in d.changes[0].detail


def test_add_optional_column() -> None:
    d = compare(task(), task("name: note, type: text, required: false"), NONE)
    [add] = of(d.upgrade, AddColumn)
    assert add.column.nullable and not add.needs_value and d.needs_backfill == ()


def test_add_ref_adds_column_then_foreign_key_and_index() -> None:
    old = schema_of(
        entity("Task", "name: title, type: string") + entity("Tag", "name: x, type: string")
    )
    new = schema_of(
        entity(
            "Task", "name: title, type: string", "name: tag, type: ref, to: Tag, required: false"
        )
        + entity("Tag", "name: x, type: string")
    )
    up, down = diff_schemas(old, new, NONE)
    assert kinds(up) == ["add_column", "create_foreign_key", "create_index"]
    add = up[0]
    assert isinstance(add, AddColumn) and add.column.foreign_key is None
    fk = up[1]
    assert isinstance(fk, CreateForeignKey) and (fk.column, fk.fk.table) == ("tag_id", "tags")
    assert kinds(down) == ["drop_foreign_key", "drop_index", "drop_column"]


def test_drop_column_is_destructive_and_its_downgrade_fills_existing_rows() -> None:
    d = compare(
        task("name: score, type: integer", "name: mood, type: enum, values: [up, down]"),
        task(),
        NONE,
    )
    assert d.destructive
    assert [o.column.name for o in of(d.upgrade, DropColumn)] == ["score", "mood"]
    adds = {o.column.name: o for o in of(d.downgrade, AddColumn)}
    assert adds["score"].fill == "0"
    assert adds["mood"].fill == "'up'"  # the first enum value, so the CHECK holds
    assert adds["score"].column.server_default is None  # the fill is temporary
    [step] = [s for s in steps(d.downgrade) if s.temporary_defaults]
    assert {o.column.name for o in step.temporary_defaults} == {"score", "mood"}


def test_rename_column_renames_its_index_and_check_around_it() -> None:
    old = task("name: stage, type: enum, values: [a, b], index: true")
    new = task("name: phase, type: enum, values: [a, b], index: true")
    up, down = diff_schemas(old, new, Renames(columns={("tasks", "stage"): "phase"}))
    assert kinds(up) == ["drop_check", "rename_column", "rename_constraint", "create_check"]
    assert of(up, RenameColumn) == [RenameColumn("tasks", "stage", "phase")]
    assert of(up, CreateCheck)[0].check.name == "ck_tasks_phase"
    [index] = of(up, RenameConstraint)
    assert (index.old_name, index.new_name) == ("ix_tasks_org_id_stage", "ix_tasks_org_id_phase")
    assert (
        index.postgresql == 'ALTER INDEX "ix_tasks_org_id_stage" RENAME TO "ix_tasks_org_id_phase"'
    )
    assert of(down, RenameColumn) == [RenameColumn("tasks", "phase", "stage")]
    # the rename closes its batch: SQLite cannot use the new name in the same one; the
    # index rename is a step of its own (PostgreSQL renames it, SQLite re-creates it)
    assert [len(s.ops) for s in steps(up)] == [2, 1, 1]


def test_rename_ref_field_renames_foreign_key() -> None:
    base = entity("Tag", "name: x, type: string")
    old = schema_of(entity("Task", "name: tag, type: ref, to: Tag") + base)
    new = schema_of(entity("Task", "name: label, type: ref, to: Tag") + base)
    up, _ = diff_schemas(old, new, Renames(columns={("tasks", "tag_id"): "label_id"}))
    assert not of(up, DropForeignKey) and not of(up, CreateForeignKey)
    [fk] = [o for o in of(up, RenameConstraint) if isinstance(o.drop, DropForeignKey)]
    assert (fk.old_name, fk.new_name) == ("fk_tasks_tag_id", "fk_tasks_label_id")
    assert fk.postgresql == (
        'ALTER TABLE "tasks" RENAME CONSTRAINT "fk_tasks_tag_id" TO "fk_tasks_label_id"'
    )
    assert not of(up, DropColumn) and not of(up, AddColumn)


def test_dropped_column_frees_its_name_for_a_rename() -> None:
    old = task("name: a, type: string", "name: b, type: string")
    new = task("name: a, type: string")
    up, _ = diff_schemas(old, new, Renames(columns={("tasks", "b"): "a"}))
    assert kinds(up) == ["drop_column", "rename_column"]
    assert of(up, DropColumn)[0].column.name == "a"


# --- column changes ----------------------------------------------------------------------------


def test_string_to_text_and_length_changes() -> None:
    up, _ = diff_schemas(
        task("name: a, type: string, max_length: 50"), task("name: a, type: text"), NONE
    )
    [alter] = of(up, AlterColumn)
    assert alter.type_changed and alter.new.type.kind == "text" and alter.postgresql_using is None
    longer = compare(
        task("name: a, type: string, max_length: 50"),
        task("name: a, type: string, max_length: 80"),
        NONE,
    )
    shorter = compare(
        task("name: a, type: string, max_length: 80"),
        task("name: a, type: string, max_length: 50"),
        NONE,
    )
    assert not longer.destructive and shorter.destructive


def test_integer_to_string_drops_and_restores_the_default_around_the_cast() -> None:
    old = task("name: n, type: integer, default: 5")
    new = task("name: n, type: string, max_length: 20, default: '5'")
    up, down = diff_schemas(old, new, NONE)
    first, second = of(up, AlterColumn)
    assert (first.old.server_default, first.new.server_default) == ("5", None)
    assert not first.type_changed
    assert second.type_changed and second.new.server_default == "'5'"
    back = of(down, AlterColumn)[-1]
    assert back.postgresql_using == '"n"::integer'


def test_unsupported_type_change_is_refused_with_the_column_named() -> None:
    with pytest.raises(UnsupportedChange) as info:
        diff_schemas(task("name: a, type: boolean"), task("name: a, type: date"), NONE)
    assert "tasks.a: no conversion from boolean to date" in str(info.value)
    assert info.value.hint


def test_enum_values_change_replaces_the_check() -> None:
    old = task("name: s, type: enum, values: [lead, won, lost]")
    new = task("name: s, type: enum, values: [lead, won, lost, archived]")
    d = compare(old, new, NONE)
    assert kinds(d.upgrade) == ["drop_check", "alter_column", "create_check"]
    assert of(d.upgrade, CreateCheck)[0].check.values == ("lead", "won", "lost", "archived")
    assert not d.destructive  # widening: string(4) -> string(8), a value added
    removed = compare(new, old, NONE)
    assert removed.destructive
    # the same values in another order need nothing
    reordered = task("name: s, type: enum, values: [lost, lead, won]")
    assert diff_schemas(old, reordered, NONE) == ((), ())


def test_required_to_optional_and_back() -> None:
    up, down = diff_schemas(
        task("name: a, type: string"), task("name: a, type: string, required: false"), NONE
    )
    [loosen] = of(up, AlterColumn)
    assert loosen.nullable_changed and loosen.new.nullable
    # the downgrade makes it NOT NULL again, filling NULLs first
    assert kinds(down) == ["fill_nulls", "alter_column"]
    assert of(down, FillNulls) == [FillNulls("tasks", "a", "''")]


def test_optional_to_required_uses_the_default_or_flags_the_column() -> None:
    d = compare(
        task("name: a, type: integer, required: false"),
        task("name: a, type: integer, default: 3"),
        NONE,
    )
    assert of(d.upgrade, FillNulls) == [FillNulls("tasks", "a", "3")]
    assert d.needs_backfill == ()
    bare = compare(
        task("name: a, type: integer, required: false"), task("name: a, type: integer"), NONE
    )
    assert not of(bare.upgrade, FillNulls)
    assert bare.needs_backfill == ("tasks.a",)


def test_fill_after_a_type_change_uses_the_new_type() -> None:
    old = task("name: a, type: integer, required: false")
    new = task("name: a, type: string, default: x")
    up, _ = diff_schemas(old, new, NONE)
    assert kinds(up) == ["alter_column", "fill_nulls", "alter_column"]


def test_unique_on_and_off() -> None:
    up, down = diff_schemas(
        task("name: code, type: string"), task("name: code, type: string, unique: true"), NONE
    )
    assert [o.index.name for o in of(up, CreateUnique)] == ["uq_tasks_org_id_code"]
    assert [o.index.name for o in of(down, DropUnique)] == ["uq_tasks_org_id_code"]


def test_index_on_and_off() -> None:
    up, down = diff_schemas(
        task("name: code, type: string"), task("name: code, type: string, index: true"), NONE
    )
    assert kinds(up) == ["create_index"] and kinds(down) == ["drop_index"]
    # unique replaces the plain index
    up, _ = diff_schemas(
        task("name: code, type: string, index: true"),
        task("name: code, type: string, index: true, unique: true"),
        NONE,
    )
    assert kinds(up) == ["drop_index", "create_unique"]


def test_on_delete_change_replaces_the_foreign_key() -> None:
    base = entity("Tag", "name: x, type: string")
    old = schema_of(entity("Task", "name: tag, type: ref, to: Tag, on_delete: cascade") + base)
    new = schema_of(entity("Task", "name: tag, type: ref, to: Tag, on_delete: restrict") + base)
    d = compare(old, new, NONE)
    assert kinds(d.upgrade) == ["drop_foreign_key", "create_foreign_key"]
    assert of(d.upgrade, CreateForeignKey)[0].fk.ondelete == "RESTRICT"
    assert of(d.downgrade, CreateForeignKey)[0].fk.ondelete == "CASCADE"
    assert [c.short for c in d.changes] == ["change tasks.tag_id on delete"]


def test_default_change_alters_only_the_default() -> None:
    up, _ = diff_schemas(
        task("name: a, type: integer, default: 1"), task("name: a, type: integer, default: 2"), NONE
    )
    [alter] = of(up, AlterColumn)
    assert alter.default_changed and not alter.type_changed and not alter.nullable_changed


# --- both directions, and determinism ----------------------------------------------------------


CHANGE_PAIRS = {
    "everything": (
        schema_of(
            entity("Note", *NOTE_FIELDS, "name: n, type: integer, default: 1")
            + entity(
                "Deal",
                "name: note, type: ref, to: Note, on_delete: cascade",
                "name: x, type: string",
            )
            + entity("Gone", "name: y, type: string")
        ),
        schema_of(
            entity(
                "Memo",
                "name: heading, type: string, unique: true",
                "name: status, type: enum, values: [open, done, archived]",
                "name: body, type: text",
                "name: n, type: string, max_length: 11, default: '1'",
            )
            + entity(
                "Deal",
                "name: note, type: ref, to: Memo, on_delete: restrict",
                "name: z, type: integer",
            )
            + entity("New", "name: memo, type: ref, to: Memo")
        ),
        Renames(tables={"notes": "memos"}, columns={("memos", "title"): "heading"}),
    ),
}


def _without_fills(ops: tuple[Op, ...]) -> list[Op]:
    """The operations minus what only a downgrade adds (values for restored NOT NULLs)."""
    return [
        replace(o, fill=None) if isinstance(o, AddColumn) else o
        for o in ops
        if not isinstance(o, FillNulls)
    ]


@pytest.mark.parametrize("name", CHANGE_PAIRS)
def test_downgrade_is_the_upgrade_computed_backwards(name: str) -> None:
    old, new, renames = CHANGE_PAIRS[name]
    up, down = diff_schemas(old, new, renames)
    back_up, back_down = diff_schemas(new, old, renames.inverse())
    assert _without_fills(back_up) == _without_fills(down)
    assert _without_fills(back_down) == _without_fills(up)
    assert any(isinstance(o, AddColumn) and o.fill for o in down)


@pytest.mark.parametrize("name", CHANGE_PAIRS)
def test_same_inputs_same_operations(name: str) -> None:
    old, new, renames = CHANGE_PAIRS[name]
    shuffled = Renames(
        tables=dict(reversed(list(renames.tables.items()))),
        columns=dict(reversed(list(renames.columns.items()))),
    )
    assert compare(old, new, renames) == compare(old, new, shuffled)


def test_renames_inverse() -> None:
    r = Renames(
        tables={"notes": "memos"}, columns={("memos", "title"): "heading", ("deals", "a"): "b"}
    )
    assert r.inverse() == Renames(
        tables={"memos": "notes"},
        columns={("notes", "heading"): "title", ("deals", "b"): "a"},
    )
    assert r.inverse().inverse() == r
