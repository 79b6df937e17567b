"""Rendering with a prior: revisions chain, old files stay byte for byte, the
recorded schema round-trips, and the migration text is clean Python."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from generator.render import Prior, Rendered
from generator.schema import Schema
from generator.schema.diff import (
    UnsupportedChange,
    next_revision_id,
    read_revision_ids,
    revision_message,
)
from generator.schema.ops import Revision, slug
from generator.spec import SpecError
from generator.state import (
    SCHEMA,
    StateError,
    load_prior,
    migration_head,
    read_prior_inputs,
    read_schema,
    schema_bytes,
    state_files,
)
from tests.schema.support import MIGRATIONS, new_revision_text, prior_from, render_text, spec_text

V1 = spec_text("""\
  - name: Deal
    fields:
      - {name: title, type: string, max_length: 200}
      - {name: stage, type: enum, values: [lead, won], default: lead}
""")
V2 = (
    V1.replace("[lead, won]", "[lead, won, lost]")
    + "      - {name: priority, type: integer, default: 0}\n"
)
V3 = (
    V2
    + """\
  - name: Note
    fields:
      - {name: body, type: text}
"""
)
NASTY = spec_text("""\
  - name: Ticket
    fields:
      - {name: state, type: enum, values: ["no-show", "it's"], default: "it's"}
""")
NASTY_2 = NASTY.replace(
    '["no-show", "it\'s"]', '["no-show", "it\'s", "say \\"hi\\"", "back\\\\slash"]'
)


@pytest.fixture(scope="module")
def v1() -> Rendered:
    return render_text(V1)


def revision_paths(files: dict[str, bytes]) -> list[str]:
    return sorted(p for p in files if p.startswith(MIGRATIONS + "/"))


def test_without_prior_one_initial_revision(v1: Rendered) -> None:
    assert [r.id for r in v1.revisions] == ["0001"]
    assert v1.new_revision is v1.revisions[0]
    assert not v1.destructive
    assert revision_paths(v1.files) == [f"{MIGRATIONS}/0001_initial_schema.py"]
    assert v1.entities == {"Deal": "deals"}


def test_unchanged_spec_adds_no_revision_and_keeps_every_byte(v1: Rendered) -> None:
    again = render_text(V1, prior_from(v1))
    assert again.new_revision is None
    assert again.files == v1.files
    assert [(r.id, r.down_revision, r.message) for r in again.revisions] == [
        ("0001", None, "Initial schema")
    ]


def test_changed_spec_adds_the_next_revision_and_keeps_the_old_ones(v1: Rendered) -> None:
    v2 = render_text(V2, prior_from(v1))
    revision = v2.new_revision
    assert revision is not None
    assert (revision.id, revision.down_revision) == ("0002", "0001")
    assert revision.message == "add deals.priority, change deals.stage values"
    assert revision.filename == "0002_add_deals_priority_change_deals_stage.py"
    path = f"{MIGRATIONS}/{revision.filename}"
    assert revision_paths(v2.files) == [f"{MIGRATIONS}/0001_initial_schema.py", path]
    first = f"{MIGRATIONS}/0001_initial_schema.py"
    assert v2.files[first] == v1.files[first]
    # the models changed with the spec
    assert v2.files["backend/app/models/deal.py"] != v1.files["backend/app/models/deal.py"]
    assert [r.id for r in v2.revisions] == ["0001", "0002"]

    v3 = render_text(V3, prior_from(v2))
    assert v3.new_revision is not None
    assert (v3.new_revision.id, v3.new_revision.down_revision) == ("0003", "0002")
    assert v3.new_revision.message == "add notes"
    assert v3.files[path] == v2.files[path]
    assert [r.id for r in v3.revisions] == ["0001", "0002", "0003"]


def test_rendering_is_deterministic(v1: Rendered) -> None:
    a = render_text(V3, prior_from(v1))
    b = render_text(V3, prior_from(v1))
    assert a.files == b.files
    assert a.new_revision == b.new_revision


def test_new_revision_follows_a_revision_the_user_added(v1: Rendered) -> None:
    v2 = render_text(V2, prior_from(v1))
    assert v2.new_revision is not None
    mine = (
        b'"""Backfill."""\n\nrevision = "a1b2c3d4e5f6"\n'
        b'down_revision = "0002"\n\n\ndef upgrade() -> None:\n    pass\n'
    )
    disk = {p: c for p, c in v2.files.items() if p.startswith(MIGRATIONS)}
    disk[f"{MIGRATIONS}/a1b2c3d4e5f6_backfill.py"] = mine
    v3 = render_text(V3, prior_from(v2, disk))
    assert v3.new_revision is not None
    assert (v3.new_revision.id, v3.new_revision.down_revision) == ("0003", "a1b2c3d4e5f6")
    # the user's file is theirs: not part of the render
    assert f"{MIGRATIONS}/a1b2c3d4e5f6_backfill.py" not in v3.files


def test_new_revision_id_skips_ids_the_user_took(v1: Rendered) -> None:
    mine = b'revision = "0002"\ndown_revision = "0001"\n'
    disk = {**v1.files, f"{MIGRATIONS}/0002_mine.py": mine}
    v2 = render_text(V2, prior_from(v1, disk))
    assert v2.new_revision is not None
    assert (v2.new_revision.id, v2.new_revision.down_revision) == ("0003", "0002")


def test_two_heads_on_disk_are_refused(v1: Rendered) -> None:
    other = b'revision = "ffff"\ndown_revision = "0001"\n'
    second = b'revision = "eeee"\ndown_revision = "0001"\n'
    disk = {**v1.files, f"{MIGRATIONS}/ffff.py": other, f"{MIGRATIONS}/eeee.py": second}
    with pytest.raises(StateError, match="2 heads"):
        prior_from(v1, disk)


def test_migration_head() -> None:
    assert migration_head({}) is None
    files = {
        "a.py": b'revision = "1"\ndown_revision = None\n',
        "b.py": b'revision: str = "2"\ndown_revision: str | None = "1"\n',
        "c.py": b'revision = "3"\ndown_revision = ("2",)\n',
        "__init__.py": b"",
        "broken.py": b"def (",
    }
    assert migration_head(files) == "3"


@pytest.mark.parametrize(
    "text",
    [
        # the usual shape: docstring and identifiers before the functions
        '"""Add notes."""\nrevision = "0004"\ndown_revision = "0003"\n'
        "\n\ndef upgrade():\n    pass\n",
        # identifiers after a function: the header has none, the whole file is read
        '"""Add notes."""\n\n\ndef upgrade():\n    pass\n\n\nrevision = "0004"\n'
        'down_revision = "0003"\n',
        # a decorated function cuts the header mid-statement: the whole file is read
        '"""Add notes."""\nimport functools\nrevision = "0004"\ndown_revision = "0003"\n'
        "@functools.cache\ndef upgrade():\n    pass\n",
    ],
    ids=["header", "after-functions", "decorated"],
)
def test_revision_ids_and_message_are_read_wherever_they_sit(text: str) -> None:
    content = text.encode()
    expected_downs = ("0003",) if "down_revision" in text else ()
    assert read_revision_ids(content) == ("0004", expected_downs)
    assert revision_message(content) == "Add notes"


def test_next_revision_id() -> None:
    assert next_revision_id({}) == "0001"
    assert next_revision_id({"v/0001_a.py": b'revision = "0001"\n', "v/0007_b.py": b""}) == "0008"
    assert next_revision_id({"v/x.py": b'revision = "0012"\n'}) == "0013"
    assert next_revision_id({"v/x.py": b'revision = "0012"\n'}, {"0013", "0014"}) == "0015"


def test_slug() -> None:
    assert slug("add deals.priority, drop notes") == "add_deals_priority_drop_notes"
    assert slug("initial schema") == "initial_schema"
    assert slug("!!!") == "revision"
    assert len(slug("x" * 100)) == 40


# --- schema.json -------------------------------------------------------------------------------


def test_schema_json_round_trips_with_the_entity_map(v1: Rendered) -> None:
    data = state_files(v1, b"")[SCHEMA]
    schema, entities, found = read_schema(data)
    assert schema == v1.schema
    assert entities == {"Deal": "deals"}
    assert found == 3
    parsed = json.loads(data)
    assert parsed["format"] == 3
    assert parsed["entities"] == {"Deal": "deals"}


def test_schema_json_has_one_line_per_column(v1: Rendered) -> None:
    text = schema_bytes(v1.schema, v1.entities).decode()
    line = next(ln for ln in text.splitlines() if '"name": "title"' in ln)
    assert json.loads(line.strip().rstrip(",")) == {
        "name": "title",
        "type": {"kind": "string", "length": 200},
    }
    assert text.endswith("}\n")
    assert (
        schema_bytes(Schema(), {}).decode()
        == '{\n  "format": 3,\n  "entities": {},\n  "tables": []\n}\n'
    )


def test_schema_json_of_earlier_versions_still_reads(v1: Rendered) -> None:
    legacy = json.dumps({"tables": msgspec.to_builtins(v1.schema.tables)}, indent=1).encode()
    schema, entities, found = read_schema(legacy)
    assert schema == v1.schema
    assert entities == {}
    assert found == 1


def test_damaged_schema_json_is_a_state_error() -> None:
    with pytest.raises(StateError, match="damaged"):
        read_schema(b"{not json")
    with pytest.raises(StateError, match="damaged"):
        read_schema(b'{"tables": [{"name": "x"}]}')


def test_load_prior_takes_revisions_from_the_baseline_and_the_head_from_disk(v1: Rendered) -> None:
    state = state_files(v1, b"")
    baseline = {"README.md": b"x", f"{MIGRATIONS}/0001_initial_schema.py": b"BASE"}
    disk = {
        f"{MIGRATIONS}/0001_initial_schema.py": v1.files[f"{MIGRATIONS}/0001_initial_schema.py"]
    }
    prior = load_prior(state[SCHEMA], baseline, disk)
    assert prior == Prior(
        schema=v1.schema,
        entities={"Deal": "deals"},
        revisions={f"{MIGRATIONS}/0001_initial_schema.py": b"BASE"},
        head="0001",
        taken=frozenset({"0001"}),
    )


def test_read_prior_from_a_project_folder(v1: Rendered, tmp_path: Path) -> None:
    for rel, data in {**v1.files, **state_files(v1, b"")}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    baseline = dict(v1.files)
    schema_json, migrations = read_prior_inputs(tmp_path)
    prior = load_prior(schema_json, baseline, migrations)
    assert prior.head == "0001" and prior.schema == v1.schema
    assert list(prior.revisions) == [f"{MIGRATIONS}/0001_initial_schema.py"]
    (tmp_path / SCHEMA).unlink()
    with pytest.raises(StateError, match="adopt"):
        read_prior_inputs(tmp_path)


# --- errors ------------------------------------------------------------------------------------


def test_unsupported_change_fails_the_render(v1: Rendered) -> None:
    changed = V1.replace(
        "{name: title, type: string, max_length: 200}", "{name: title, type: boolean}"
    )
    with pytest.raises(
        UnsupportedChange, match=r"deals\.title: no conversion from string\(200\) to boolean"
    ):
        render_text(changed, prior_from(v1))


def test_bad_renamed_from_fails_the_render(v1: Rendered) -> None:
    changed = V1.replace("  - name: Deal\n", "  - name: Sale\n    renamed_from: Deel\n")
    with pytest.raises(SpecError, match=r"entities\[0\]\.renamed_from"):
        render_text(changed, prior_from(v1))


# --- the migration text --------------------------------------------------------------------------


def test_destructive_revision_says_so() -> None:
    v2 = render_text(V2)
    v1_again = render_text(V1, prior_from(v2))
    assert v1_again.destructive
    text = new_revision_text(v1_again)
    assert "drop column deals.priority (its values are lost)" in text
    assert "back up the database" in text


def test_revision_flags_columns_needing_a_backfill(v1: Rendered) -> None:
    v2 = render_text(V1 + "      - {name: score, type: integer}\n", prior_from(v1))
    assert v2.new_revision is not None
    assert v2.new_revision.needs_backfill == ("deals.score",)
    assert "give these columns a value in every row" in new_revision_text(v2)


def test_migration_text_is_clean_python_even_for_nasty_enum_values(tmp_path: Path) -> None:
    first = render_text(NASTY)
    second = render_text(NASTY_2, prior_from(first))
    dropped = render_text(NASTY, prior_from(second))
    texts = {
        "0002.py": new_revision_text(second),
        "0003.py": new_revision_text(dropped),
    }
    for name, text in texts.items():
        tree = ast.parse(text)
        doc = ast.get_docstring(tree)
        assert doc is not None
        (tmp_path / name).write_text(text)
    assert 'say \\"hi\\"' in texts["0002.py"]  # escaped inside the docstring
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--select",
            "E,F,W,I,B,UP,SIM,C4,RUF",
            "--line-length",
            "88",
            "--ignore",
            "E501",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    formatted = subprocess.run(
        [
            *(sys.executable, "-m", "ruff", "format", "--check", "--isolated"),
            *("--line-length", "88", "--target-version", "py311", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_a_revision_without_sqlalchemy_expressions_does_not_import_it() -> None:
    base = V1 + "      - {name: code, type: string}\n"
    first = render_text(base)
    indexed = render_text(
        base.replace("{name: code, type: string}", "{name: code, type: string, index: true}"),
        prior_from(first),
    )
    text = new_revision_text(indexed)
    assert "import sqlalchemy" not in text
    assert "batch_op.create_index(" in text


def test_recorded_revisions_are_listed_oldest_first() -> None:
    revisions = render_text(V3, prior_from(render_text(V2, prior_from(render_text(V1))))).revisions
    assert [(r.id, r.down_revision) for r in revisions] == [
        ("0001", None),
        ("0002", "0001"),
        ("0003", "0002"),
    ]
    assert all(isinstance(r, Revision) for r in revisions)
