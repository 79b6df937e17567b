"""renames_from_spec: renamed_from on entities and fields, against the recorded schema."""

from __future__ import annotations

import pytest

from generator.schema import build_schema
from generator.schema.diff import Renames, renames_from_spec
from generator.spec import SpecError, parse_spec
from tests.schema.support import spec_text

OLD = """\
  - name: Note
    fields:
      - {name: title, type: string}
      - {name: owner, type: ref, to: Person}
  - name: Person
    fields:
      - {name: name, type: string}
"""
OLD_ENTITIES = {"Note": "notes", "Person": "people"}


def renames(new_entities: str, old_entities: dict[str, str] | None = None) -> Renames:
    old = build_schema(parse_spec(spec_text(OLD)))
    spec = parse_spec(spec_text(new_entities))
    return renames_from_spec(spec, old, OLD_ENTITIES if old_entities is None else old_entities)


def problem_paths(new_entities: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        renames(new_entities)
    return [p.where for p in info.value.problems]


def test_nothing_renamed() -> None:
    assert renames(OLD) == Renames({}, {})


def test_entity_renamed_from() -> None:
    new = OLD.replace("  - name: Note\n", "  - name: Memo\n    renamed_from: Note\n")
    assert renames(new) == Renames({"notes": "memos"}, {})


def test_new_plural_renames_the_table_without_renamed_from() -> None:
    new = OLD.replace("  - name: Person\n", "  - name: Person\n    plural: persons\n")
    new = new.replace("to: Person", "to: Person")
    assert renames(new) == Renames({"people": "persons"}, {})


def test_renamed_from_that_was_already_applied_is_ignored() -> None:
    # Note is recorded under its current name: the rename happened at an earlier generation
    new = OLD.replace("  - name: Note\n", "  - name: Note\n    renamed_from: Scribble\n")
    assert renames(new) == Renames({}, {})


def test_renamed_from_naming_nothing_is_a_spec_error() -> None:
    new = OLD.replace("  - name: Note\n", "  - name: Memo\n    renamed_from: Scribble\n")
    with pytest.raises(SpecError) as info:
        renames(new)
    [problem] = info.value.problems
    assert problem.where == "entities[0].renamed_from"
    assert "'Scribble' names no entity of the recorded schema" in problem.message
    assert "Note" in problem.message  # what is recorded


def test_entity_renamed_onto_an_existing_one_is_a_spec_error() -> None:
    # Person existed, and the spec says it was renamed from Note (which is gone)
    new = """\
  - name: Person
    renamed_from: Note
    fields:
      - {name: name, type: string}
"""
    assert problem_paths(new) == ["entities[0].renamed_from"]


def test_field_renamed_from() -> None:
    new = OLD.replace(
        "{name: title, type: string}", "{name: heading, type: string, renamed_from: title}"
    )
    assert renames(new) == Renames({}, {("notes", "title"): "heading"})


def test_ref_field_renamed_from_maps_the_id_columns() -> None:
    new = OLD.replace(
        "{name: owner, type: ref, to: Person}",
        "{name: author, type: ref, to: Person, renamed_from: owner}",
    )
    assert renames(new) == Renames({}, {("notes", "owner_id"): "author_id"})


def test_field_renamed_in_a_renamed_entity_is_keyed_by_the_new_table() -> None:
    new = OLD.replace("  - name: Note\n", "  - name: Memo\n    renamed_from: Note\n").replace(
        "{name: title, type: string}", "{name: heading, type: string, renamed_from: title}"
    )
    assert renames(new) == Renames({"notes": "memos"}, {("memos", "title"): "heading"})


def test_field_renamed_from_naming_nothing_is_a_spec_error() -> None:
    new = OLD.replace(
        "{name: title, type: string}", "{name: heading, type: string, renamed_from: titel}"
    )
    with pytest.raises(SpecError) as info:
        renames(new)
    [problem] = info.value.problems
    assert problem.where == "entities[0].fields[0].renamed_from"
    assert "'titel' names no column of the recorded table 'notes'" in problem.message


def test_field_renamed_from_that_was_already_applied_is_ignored() -> None:
    new = OLD.replace(
        "{name: title, type: string}", "{name: title, type: string, renamed_from: name}"
    )
    assert renames(new) == Renames({}, {})


def test_field_of_a_new_entity_cannot_be_renamed() -> None:
    new = (
        OLD
        + """\
  - name: Tag
    fields:
      - {name: label, type: string, renamed_from: name}
"""
    )
    assert problem_paths(new) == ["entities[2].fields[0].renamed_from"]


def test_every_problem_is_reported_at_once() -> None:
    new = OLD.replace("  - name: Note\n", "  - name: Memo\n    renamed_from: Scribble\n").replace(
        "{name: name, type: string}", "{name: full, type: string, renamed_from: nom}"
    )
    assert problem_paths(new) == ["entities[0].renamed_from", "entities[1].fields[0].renamed_from"]


def test_schema_recorded_without_entities_falls_back_to_default_tables() -> None:
    new = OLD.replace("  - name: Note\n", "  - name: Memo\n    renamed_from: Note\n")
    assert renames(new, old_entities={}) == Renames({"notes": "memos"}, {})
