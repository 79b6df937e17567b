"""Real migrations: render a spec, upgrade a database and fill it, change the
spec, render again with the prior (as regeneration does), upgrade to the new
revision, then prove the database equals what the new models create, the rows
survived, and ``alembic downgrade -1`` brings the old schema back.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.schema.support import Project, comparable, databases, spec_text

pytestmark = pytest.mark.integration

DIALECTS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set"
            ),
        ],
    ),
]

ORG = {"id": "uuid:org", "name": "Acme"}


@dataclass(frozen=True)
class Scenario:
    old: str
    new: str
    rows: list[tuple[str, dict[str, Any]]]  # (table, values) inserted under the old schema
    after: dict[str, tuple[str, list[list[Any]]]]  # name -> (SELECT, rows) after the upgrade
    later: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # then inserted
    down: dict[str, tuple[str, list[list[Any]]]] = field(default_factory=dict)  # after -1
    invitations: tuple[bool, bool] = (False, False)
    destructive: bool = False
    needs_backfill: tuple[str, ...] = ()
    message: str = ""


SCENARIOS = {
    # add an entity, drop one, rename one that another entity references; the
    # new Day One built-in table (invitations) comes along
    "entities": Scenario(
        old="""\
  - name: Note
    fields:
      - {name: title, type: string, max_length: 50, unique: true}
      - {name: status, type: enum, values: [open, done], default: open}
      - {name: body, type: text, required: false, index: true}
  - name: Deal
    fields:
      - {name: note, type: ref, to: Note, on_delete: cascade}
      - {name: amount, type: integer, default: 0}
  - name: Scrap
    fields:
      - {name: label, type: string}
""",
        new="""\
  - name: Memo
    renamed_from: Note
    fields:
      - {name: title, type: string, max_length: 50, unique: true}
      - {name: status, type: enum, values: [open, done], default: open}
      - {name: body, type: text, required: false, index: true}
  - name: Deal
    fields:
      - {name: note, type: ref, to: Memo, on_delete: cascade}
      - {name: amount, type: integer, default: 0}
  - name: Tag
    fields:
      - {name: label, type: string}
      - {name: memo, type: ref, to: Memo, required: false, on_delete: set_null}
""",
        invitations=(False, True),
        rows=[
            ("organizations", ORG),
            (
                "notes",
                {
                    "id": "uuid:n1",
                    "org_id": "uuid:org",
                    "title": "first",
                    "status": "done",
                    "body": "b",
                },
            ),
            (
                "deals",
                {"id": "uuid:d1", "org_id": "uuid:org", "note_id": "uuid:n1", "amount": 5},
            ),
            ("scraps", {"id": "uuid:s1", "org_id": "uuid:org", "label": "gone"}),
        ],
        after={
            "memos": ("SELECT title, status, body FROM memos", [["first", "done", "b"]]),
            "deals": (
                "SELECT d.amount, m.title FROM deals d JOIN memos m ON m.id = d.note_id",
                [[5, "first"]],
            ),
        },
        later=[
            ("tags", {"id": "uuid:t1", "org_id": "uuid:org", "label": "x", "memo_id": "uuid:n1"})
        ],
        down={
            "notes": ("SELECT title, status FROM notes", [["first", "done"]]),
            "deals": (
                "SELECT d.amount, n.title FROM deals d JOIN notes n ON n.id = d.note_id",
                [[5, "first"]],
            ),
            "scraps": ("SELECT count(*) FROM scraps", [[0]]),
        },
        destructive=True,
        message="rename notes to memos, add invitations, add tags and 1 more",
    ),
    # add fields (with a default, optional, NOT NULL without a default on an empty
    # table), drop fields, rename fields (one indexed, one an enum with a CHECK)
    "fields": Scenario(
        old="""\
  - name: Contact
    fields:
      - {name: name, type: string, max_length: 100, index: true}
      - {name: email, type: email, unique: true}
      - {name: legacy, type: integer}
      - {name: nickname, type: string, required: false}
      - {name: mood, type: enum, values: [happy, sad]}
  - name: Empty
    fields:
      - {name: x, type: string}
""",
        new="""\
  - name: Contact
    fields:
      - {name: full_name, type: string, max_length: 100, index: true, renamed_from: name}
      - {name: email, type: email, unique: true}
      - {name: feeling, type: enum, values: [happy, sad], renamed_from: mood}
      - {name: score, type: integer, default: 0}
      - {name: phone, type: string, required: false}
      - {name: verified, type: boolean, default: false}
  - name: Empty
    fields:
      - {name: x, type: string}
      - {name: y, type: integer}
""",
        rows=[
            ("organizations", ORG),
            (
                "contacts",
                {
                    "id": "uuid:c1",
                    "org_id": "uuid:org",
                    "name": "Ada",
                    "email": "ada@example.com",
                    "legacy": 7,
                    "nickname": "A",
                    "mood": "happy",
                },
            ),
        ],
        after={
            "contacts": (
                "SELECT full_name, email, feeling, score, phone, "
                "CASE WHEN verified THEN 1 ELSE 0 END FROM contacts",
                [["Ada", "ada@example.com", "happy", 0, None, 0]],
            ),
        },
        down={
            # the dropped NOT NULL column comes back holding a neutral value
            "contacts": (
                "SELECT name, email, mood, legacy, nickname FROM contacts",
                [["Ada", "ada@example.com", "happy", 0, None]],
            ),
        },
        destructive=True,
        needs_backfill=("empties.y",),
    ),
    # type changes, with data converted both ways
    "types": Scenario(
        old="""\
  - name: Item
    fields:
      - {name: a, type: string, max_length: 50}
      - {name: b, type: text}
      - {name: c, type: integer}
      - {name: d, type: string, max_length: 10}
      - {name: e, type: string, max_length: 100}
      - {name: f, type: decimal, max_digits: 12, decimal_places: 2}
      - {name: g, type: integer, default: 5}
      - {name: h, type: string, max_length: 30, default: "7"}
""",
        new="""\
  - name: Item
    fields:
      - {name: a, type: text}
      - {name: b, type: string, max_length: 200}
      - {name: c, type: string, max_length: 20}
      - {name: d, type: integer}
      - {name: e, type: string, max_length: 10}
      - {name: f, type: decimal, max_digits: 14, decimal_places: 4}
      - {name: g, type: float, default: 5.5}
      - {name: h, type: integer, default: 8}
""",
        rows=[
            ("organizations", ORG),
            (
                "items",
                {
                    "id": "uuid:i1",
                    "org_id": "uuid:org",
                    "a": "hello",
                    "b": "long text",
                    "c": 42,
                    "d": "17",
                    "e": "short",
                    "f": 3.5,
                    "g": 3,
                    "h": "9",
                },
            ),
        ],
        after={
            "items": (
                "SELECT a, b, c, d, e, h FROM items",
                [["hello", "long text", "42", 17, "short", 9]],
            ),
            "numbers": ("SELECT count(*) FROM items WHERE f = 3.5 AND g = 3", [[1]]),
        },
        later=[
            (
                "items",
                {
                    "id": "uuid:i2",
                    "org_id": "uuid:org",
                    "a": "defaults",
                    "b": "x",
                    "c": "1",
                    "d": 2,
                    "e": "y",
                    "f": 1,
                },
            )
        ],
        down={
            "items": (
                "SELECT a, b, c, d, e, h FROM items ORDER BY a",
                [
                    ["defaults", "x", 1, "2", "y", "8"],
                    ["hello", "long text", 42, "17", "short", "9"],
                ],
            ),
            "numbers": ("SELECT count(*) FROM items WHERE f = 3.5 AND g = 3", [[1]]),
        },
        destructive=True,  # text -> string(200), string -> integer, string(100) -> string(10)
    ),
    # enum values, required <-> optional, unique and index on/off, on_delete, defaults
    "constraints": Scenario(
        old="""\
  - name: Person
    fields:
      - {name: name, type: string}
  - name: Task
    fields:
      - {name: stage, type: enum, values: [todo, doing, done, dropped], default: todo}
      - {name: title, type: string, unique: true}
      - {name: note, type: string, required: false}
      - {name: code, type: string, max_length: 20}
      - {name: owner, type: ref, to: Person, on_delete: cascade}
      - {name: tag, type: string, max_length: 20, index: true}
      - {name: level, type: integer, default: 1}
""",
        new="""\
  - name: Person
    fields:
      - {name: name, type: string}
  - name: Task
    fields:
      - {name: stage, type: enum, values: [todo, doing, done, review], default: todo}
      - {name: title, type: string, required: false}
      - {name: note, type: string, default: "n/a"}
      - {name: code, type: string, max_length: 20, unique: true}
      - {name: owner, type: ref, to: Person, on_delete: restrict}
      - {name: tag, type: string, max_length: 20}
      - {name: level, type: integer, default: 2, index: true}
""",
        rows=[
            ("organizations", ORG),
            ("people", {"id": "uuid:p1", "org_id": "uuid:org", "name": "Pat"}),
            (
                "tasks",
                {
                    "id": "uuid:t1",
                    "org_id": "uuid:org",
                    "stage": "doing",
                    "title": "T1",
                    "code": "C1",
                    "owner_id": "uuid:p1",
                    "tag": "x",
                },
            ),
        ],
        after={
            # the NULL note got the new default when the column became NOT NULL
            "tasks": (
                "SELECT stage, title, note, code, tag, level FROM tasks",
                [["doing", "T1", "n/a", "C1", "x", 1]],
            ),
        },
        later=[
            (
                "tasks",
                {
                    "id": "uuid:t2",
                    "org_id": "uuid:org",
                    "code": "C2",
                    "owner_id": "uuid:p1",
                    "tag": "y",
                },
            )
        ],
        down={
            # title is NOT NULL again: the row without one got ''
            "tasks": (
                "SELECT title, note, level, stage FROM tasks ORDER BY code",
                [["T1", "n/a", 1, "doing"], ["", "n/a", 2, "todo"]],
            ),
        },
        destructive=True,  # 'dropped' is no longer a stage
    ),
    # only indexes change: built and dropped CONCURRENTLY on PostgreSQL
    "indexes": Scenario(
        old="""\
  - name: Deal
    fields:
      - {name: code, type: string, index: true}
      - {name: label, type: string}
""",
        new="""\
  - name: Deal
    fields:
      - {name: code, type: string}
      - {name: label, type: string, index: true}
""",
        rows=[
            ("organizations", ORG),
            ("deals", {"id": "uuid:d1", "org_id": "uuid:org", "code": "a", "label": "x"}),
        ],
        after={"deals": ("SELECT code, label FROM deals", [["a", "x"]])},
        down={"deals": ("SELECT code, label FROM deals", [["a", "x"]])},
        message="add index deals.label, drop index deals.code",
    ),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_migration(name: str, dialect: str, tmp_path: Path) -> None:
    s = SCENARIOS[name]
    project = Project.create(tmp_path / "project", spec_text(s.old, invitations=s.invitations[0]))
    with databases(dialect, tmp_path) as (db, reference):
        first = project.run(
            [
                {"do": "upgrade", "url": db},
                *({"do": "insert", "url": db, "table": t, "values": v} for t, v in s.rows),
                {"do": "snapshot", "url": db, "name": "before"},
            ],
            tmp_path,
        )
        rendered = project.regenerate(spec_text(s.new, invitations=s.invitations[1]))
        revision = rendered.new_revision
        assert revision is not None
        assert revision.id == "0002"
        assert revision.down_revision == "0001"
        assert revision.destructive == s.destructive
        assert revision.needs_backfill == s.needs_backfill
        if s.message:
            assert revision.message == s.message
        out = project.run(
            [
                {"do": "upgrade", "url": db},
                {"do": "check", "url": db},
                {"do": "snapshot", "url": db, "name": "upgraded"},
                {"do": "create_all", "url": reference, "name": "reference"},
                *(
                    {"do": "query", "url": db, "name": f"after:{k}", "sql": sql}
                    for k, (sql, _) in s.after.items()
                ),
                *({"do": "insert", "url": db, "table": t, "values": v} for t, v in s.later),
                {"do": "downgrade", "url": db, "to": "-1"},
                {"do": "snapshot", "url": db, "name": "downgraded"},
                *(
                    {"do": "query", "url": db, "name": f"down:{k}", "sql": sql}
                    for k, (sql, _) in s.down.items()
                ),
                {"do": "upgrade", "url": db},
                {"do": "check", "url": db},
            ],
            tmp_path,
        )
    assert comparable(out["upgraded"], dialect) == comparable(out["reference"], dialect)
    assert comparable(out["downgraded"], dialect) == comparable(first["before"], dialect)
    for k, (_, rows) in s.after.items():
        assert out[f"after:{k}"] == rows, k
    for k, (_, rows) in s.down.items():
        assert out[f"down:{k}"] == rows, k


INDEXED = """\
  - name: Deal
    fields:
      - {name: code, type: string, index: true}
      - {name: label, type: string}
"""
REINDEXED = INDEXED.replace("string, index: true}", "string}").replace(
    "{name: label, type: string}", "{name: label, type: string, index: true}"
)


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_an_index_revision_builds_concurrently_and_can_run_again(tmp_path: Path) -> None:
    """On PostgreSQL a revision that only changes indexes builds them CONCURRENTLY
    (which PostgreSQL refuses inside a transaction), so writes go on; and after a
    build that failed half-way, leaving an invalid index, running it again works."""
    project = Project.create(tmp_path / "project", spec_text(INDEXED))
    with databases("postgresql", tmp_path, count=1) as (db,):
        project.run(
            [
                {"do": "upgrade", "url": db},
                *(
                    {"do": "insert", "url": db, "table": t, "values": v}
                    for t, v in [
                        ("organizations", ORG),
                        (
                            "deals",
                            {"id": "uuid:d1", "org_id": "uuid:org", "code": "a", "label": "x"},
                        ),
                        (
                            "deals",
                            {"id": "uuid:d2", "org_id": "uuid:org", "code": "b", "label": "x"},
                        ),
                    ]
                ),
            ],
            tmp_path,
        )
        revision = project.regenerate(spec_text(REINDEXED)).new_revision
        assert revision is not None and revision.upgrade_concurrently
        new_index = "ix_deals_org_id_label"
        out = project.run(
            [
                {"do": "upgrade", "url": db, "record": "statements"},
                {"do": "check", "url": db},
                # As if the upgrade had died building the index: a unique build on
                # duplicate labels fails and leaves an invalid index of that name.
                {"do": "stamp", "url": db, "to": "0001"},
                {"do": "execute", "url": db, "sql": f"DROP INDEX {new_index}"},
                {
                    "do": "execute",
                    "url": db,
                    "name": "failed",
                    "sql": f"CREATE UNIQUE INDEX CONCURRENTLY {new_index} ON deals (org_id, label)",
                },
                {
                    "do": "query",
                    "url": db,
                    "name": "invalid",
                    "sql": "SELECT indisvalid FROM pg_index"
                    f" WHERE indexrelid = '{new_index}'::regclass",
                },
                {"do": "upgrade", "url": db},
                {"do": "check", "url": db},
                {
                    "do": "query",
                    "url": db,
                    "name": "valid",
                    "sql": "SELECT indisvalid, indisunique FROM pg_index"
                    f" WHERE indexrelid = '{new_index}'::regclass",
                },
            ],
            tmp_path,
        )
    built = [x for x in out["statements"] if x.startswith("CREATE INDEX")]
    assert built == [f"CREATE INDEX CONCURRENTLY {new_index} ON deals (org_id, label)"]
    assert "DROP INDEX CONCURRENTLY IF EXISTS ix_deals_org_id_code" in out["statements"]
    assert "could not create unique index" in out["failed"]
    assert out["invalid"] == [[False]]
    assert out["valid"] == [[True, False]]
