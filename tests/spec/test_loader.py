"""Loading a spec: YAML edge cases, structural (pydantic) errors as friendly problems,
line numbers, and how all problems are gathered into one SpecError."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import DayOneError
from generator.spec import SpecError, SpecProblem, load_spec, parse_spec
from generator.spec.loader import MAX_SPEC_BYTES

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme_crm.yaml"


def problems_of(text: str | bytes) -> list[SpecProblem]:
    with pytest.raises(SpecError) as info:
        parse_spec(text, source="t.yaml")
    return list(info.value.problems)


def only(text: str | bytes) -> SpecProblem:
    found = problems_of(text)
    assert len(found) == 1, found
    return found[0]


def line_of(text: str, snippet: str) -> int:
    matches = [n for n, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert len(matches) == 1, f"{snippet!r} is on lines {matches}"
    return matches[0]


ENTITY = "entities:\n  - name: Ticket\n    fields:\n      - {name: title, type: string}\n"


def with_field(old: str, new: str) -> str:
    """A spec whose one field has ``old`` replaced by ``new``."""
    return "project: {name: P}\n" + ENTITY.replace(old, new)


# --- YAML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("project:\n  name: [unclosed\nauth: {}\n", 3, "expected ',' or ']'"),
        ("project:\n  name: 'open quote\n", 3, "unexpected end of stream"),
        ("project:\n  name: X\n\tauth: {}\n", 3, "'\\t' that cannot start any token"),
        ("project: {name: X}\n  stray: indent\n", 2, "expected <block end>"),
        ("project: {name: X}\n---\nproject: {name: Y}\n", 2, "expected a single document"),
    ],
)
def test_invalid_yaml_is_reported_with_its_line(text: str, line: int, says: str) -> None:
    problem = only(text)
    assert problem.path == ()
    assert problem.line == line
    assert problem.message.startswith("invalid YAML: ")
    assert says in problem.message


@pytest.mark.parametrize("text", ["", "   \n\n", "# just a comment\n"])
def test_empty_spec(text: str) -> None:
    problem = only(text)
    assert problem.message == "the spec is empty; it needs at least a 'project' with a 'name'"


@pytest.mark.parametrize("text", ["- project\n- name\n", "just some text\n", "42\n", "[]\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    problem = only(text)
    assert problem.message == "the spec must be a mapping with a 'project' key at the top"


def test_duplicate_keys_are_all_reported_with_the_line_of_the_repeat() -> None:
    text = (
        "project:\n"
        "  name: A\n"
        "  name: B\n"  # 3
        "auth: {}\n"
        "auth: {totp: true}\n"  # 5
        "entities:\n"
        "  - name: Ticket\n"
        "    fields:\n"
        "      - {name: title, type: string, type: text}\n"  # 9
    )
    found = problems_of(text)
    assert [(p.line, p.where) for p in found] == [
        (3, "project.name"),
        (5, "auth"),
        (9, "entities[0].fields[0].type"),
    ]
    assert {p.message for p in found} == {"this key is given twice; keep one"}


def test_yes_and_no_in_enum_values_get_the_quoting_hint() -> None:
    text = (
        "project: {name: P}\nentities:\n  - name: Survey\n    fields:\n"
        "      - name: answer\n"
        "        type: enum\n"
        "        values: [yes, no, maybe, off]\n"
    )
    found = problems_of(text)
    assert [p.where for p in found] == [
        "entities[0].fields[0].values[0]",
        "entities[0].fields[0].values[1]",
        "entities[0].fields[0].values[3]",
    ]
    assert {p.line for p in found} == {7}
    assert found[0].message == (
        "expected a string, got True (YAML reads yes/no/on/off/true/false as booleans: quote it)"
    )
    assert "got False" in found[1].message
    # quoted, they are accepted as written
    spec = parse_spec(text.replace("[yes, no, maybe, off]", "['yes', 'no', maybe, 'off']"))
    assert spec.entities[0].fields[0].values == ["yes", "no", "maybe", "off"]


def test_unquoted_date_default_gets_the_quoting_hint() -> None:
    text = (
        "project: {name: P}\n" + ENTITY + "      - {name: due, type: date, default: 2024-01-31}\n"
    )
    problem = only(text)
    assert problem.where == "entities[0].fields[1].default"
    assert problem.line == 6
    assert "got 2024-01-31" in problem.message
    assert "quote it" in problem.message
    quoted = parse_spec(text.replace("2024-01-31", "'2024-01-31'"))
    assert quoted.entities[0].fields[1].default == "2024-01-31"


def test_non_utf8_bytes() -> None:
    problem = only(b"project:\n  name: caf\xe9\n")
    assert problem.path == ()
    assert problem.message == "not UTF-8 text (byte 20); save the file as UTF-8"


def test_utf8_with_bom_and_non_ascii_text_is_fine() -> None:
    spec = parse_spec("\ufeffproject:\n  name: Café Olé\n".encode())
    assert spec.project.name == "Café Olé"
    assert spec.project.package == "cafe_ole"


def test_file_over_one_megabyte() -> None:
    big = b"project: {name: P}\n" + b"# padding\n" * (MAX_SPEC_BYTES // 10)
    assert len(big) > MAX_SPEC_BYTES
    problem = only(big)
    assert problem.message == "the spec is larger than 1 MB"
    assert only(big.decode()).message == "the spec is larger than 1 MB"


def test_file_of_exactly_the_limit_is_read() -> None:
    head = b"project: {name: P}\n"
    text = head + b"#" * (MAX_SPEC_BYTES - len(head))
    assert len(text) == MAX_SPEC_BYTES
    assert parse_spec(text).project.name == "P"


def test_python_tags_are_refused_not_run() -> None:
    problem = only("project: !!python/object/apply:os.system ['echo hi']\n")
    assert problem.line == 1
    assert problem.message.startswith("invalid YAML: could not determine a constructor")
    assert "\n" not in problem.message


def test_unknown_tag() -> None:
    problem = only("project:\n  name: !shout hello\n")
    assert problem.line == 2
    assert "'!shout'" in problem.message


def test_key_that_is_a_list_is_refused_with_its_line() -> None:
    problem = only("project: {name: P}\n? [a, b]\n: 1\n")
    assert problem.line == 2
    assert problem.message == "a key must be a plain name, not a list or mapping"


@pytest.mark.parametrize(
    ("key", "kind"), [("1", "a number"), ("1.5", "a number"), ("yes", "true/false"), ("~", "null")]
)
def test_key_that_yaml_reads_as_a_value_is_refused(key: str, kind: str) -> None:
    text = f"project: {{name: P}}\n{key}: x\n"
    problem = only(text)
    assert problem.where == key
    assert problem.line == 2
    assert (
        problem.message
        == f"YAML reads the key '{key}' as {kind}, not a name; quote it or rename it"
    )


def test_key_that_yaml_reads_as_a_value_in_permissions() -> None:
    text = "project: {name: P}\n" + ENTITY.replace(
        "    fields", "    permissions: {on: owner}\n    fields"
    )
    problem = only(text)
    assert problem.where == "entities[0].permissions.on"
    assert problem.line == 4


def test_anchors_aliases_and_merge_keys_work() -> None:
    text = (
        "project: {name: P}\n"
        "entities:\n"
        "  - name: Ticket\n"
        "    fields:\n"
        "      - &title {name: title, type: string, max_length: 80}\n"
        "      - {<<: *title, name: subtitle, required: false}\n"
    )
    spec = parse_spec(text)
    subtitle = spec.entities[0].fields[1]
    assert (subtitle.type, subtitle.max_length, subtitle.required) == ("string", 80, False)


# --- structural errors (pydantic), one per kind ----------------------------------------------


def test_unknown_top_level_key_suggests_and_lists_allowed_keys() -> None:
    problem = only("project: {name: P}\nauht:\n  totp: true\n")
    assert (problem.where, problem.line) == ("auht", 2)
    assert problem.message == (
        "unknown key 'auht' (did you mean 'auth'?); allowed keys: project, auth, rbac, orgs, "
        "billing, metrics, jobs, storage, email, deploy, frontend, entities"
    )


@pytest.mark.parametrize(
    ("text", "path", "suggestion", "allowed"),
    [
        ("project: {name: P, slgu: p}\n", "project.slgu", "slug", "name, slug, description"),
        ("project: {name: P}\nauth: {cookie: true}\n", "auth.cookie", "cookie_mode", "totp"),
        ("project: {name: P}\nrbac: {manage: admin}\n", "rbac.manage", None, "manage_members"),
        ("project: {name: P}\norgs: {invitation: true}\n", "orgs.invitation", "invitations", None),
        (
            "project: {name: P}\nbilling:\n  provider: stripe\n"
            "  plans:\n    - {id: pro, price: x}\n",
            "billing.plans[0].price",
            "price_id",
            "id, price_id, amount, features, quotas",
        ),
        (
            "project: {name: P}\n" + ENTITY.replace("    fields:", "    plurals: x\n    fields:"),
            "entities[0].plurals",
            "plural",
            "renamed_from",
        ),
        (
            "project: {name: P}\n" + ENTITY.replace("type: string}", "type: string, requird: no}"),
            "entities[0].fields[0].requird",
            "required",
            "decimal_places, values, to, on_delete",
        ),
    ],
)
def test_unknown_nested_key(text: str, path: str, suggestion: str | None, allowed: str) -> None:
    problem = only(text)
    assert problem.where == path
    key = path.rsplit(".", 1)[-1]
    assert problem.line == line_of(text, key)
    assert problem.message.startswith(f"unknown key '{key}'")
    if suggestion:
        assert f"(did you mean '{suggestion}'?)" in problem.message
    if allowed:
        assert allowed in problem.message


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [
        ("auth: {totp: true}\n", "project", 1),
        ("project:\n  slug: p\n", "project.name", 1),
        ("project: {name: P}\nentities:\n  - name: Ticket\n", "entities[0].fields", 3),
        ("project: {name: P}\n" + ENTITY.replace("type: string", "max_length: 5"),
         "entities[0].fields[0].type", 5),
        ("project: {name: P}\n" + ENTITY.replace("name: title, ", ""), "entities[0].fields[0].name",
         5),
        ("project: {name: P}\nbilling:\n  plans:\n    - features: [a]\n", "billing.plans[0].id", 4),
    ],
)  # fmt: skip
def test_missing_required_key(text: str, path: str, line: int) -> None:
    problem = only(text)
    assert (problem.where, problem.line, problem.message) == (path, line, "this key is required")


@pytest.mark.parametrize(
    ("text", "path", "value", "allowed"),
    [
        ("billing:\n  provider: strip", "billing.provider", "strip",
         "'none', 'stripe', 'payfast', 'razorpay'"),
        ("jobs: celery", "jobs", "celery", "'none', 'rq'"),
        ("storage: s4", "storage", "s4", "'local', 's3'"),
        ("email: smpt", "email", "smpt", "'console', 'smtp'"),
        ("deploy: [docker, herokuu]", "deploy[1]", "herokuu",
         "'docker', 'fly', 'render', 'heroku'"),
        (ENTITY + "      - {name: t, type: ref, to: Ticket, on_delete: nullify, required: false}",
         "entities[0].fields[1].on_delete", "nullify", "'cascade', 'restrict', 'set_null'"),
    ],
)  # fmt: skip
def test_value_not_among_the_allowed_ones(text: str, path: str, value: str, allowed: str) -> None:
    text = f"project: {{name: P}}\n{text}\n"
    problem = only(text)
    assert problem.where == path
    assert problem.line == line_of(text, value)
    assert problem.message.startswith(f"'{value}' is not allowed")
    assert problem.message.endswith(f"; use one of {allowed}")


def test_close_value_gets_a_suggestion() -> None:
    problem = only("project: {name: P}\nbilling: {provider: strpe}\n")
    assert "(did you mean 'stripe'?)" in problem.message


SNAKE = "must be snake_case: lowercase letters, digits and '_', starting with a letter"
PASCAL = "must be a PascalCase name of letters and digits, e.g. 'SupportTicket'"


@pytest.mark.parametrize(
    ("text", "path", "value", "hint"),
    [
        ("project: {name: P, slug: My-App}", "project.slug", "My-App", SNAKE),
        ("rbac: {roles: [owner, Admin]}", "rbac.roles[1]", "Admin", SNAKE),
        ("rbac: {roles: [owner, admin], manage_members: 2nd}", "rbac.manage_members", "2nd", SNAKE),
        ("billing: {provider: stripe, plans: [{id: Pro}]}", "billing.plans[0].id", "Pro", SNAKE),
        ("billing: {provider: stripe, plans: [{id: pro, features: [big-files]}]}",
         "billing.plans[0].features[0]", "big-files", SNAKE),
        ("entities:\n  - name: support_ticket\n    fields: [{name: a, type: string}]",
         "entities[0].name", "support_ticket", PASCAL),
        ("entities:\n  - name: Ticket\n    plural: Tickets\n    fields: [{name: a, type: string}]",
         "entities[0].plural", "Tickets", SNAKE),
        ("entities:\n  - name: Ticket\n    feature: Pro\n    fields: [{name: a, type: string}]",
         "entities[0].feature", "Pro", SNAKE),
        ("entities:\n  - name: Ticket\n    renamed_from: issue\n"
         "    fields: [{name: a, type: string}]",
         "entities[0].renamed_from", "issue", PASCAL),
        ("entities:\n  - name: Ticket\n    fields: [{name: dueDate, type: date}]",
         "entities[0].fields[0].name", "dueDate", SNAKE),
        ("entities:\n  - name: Ticket\n    fields: [{name: a, type: string, renamed_from: B}]",
         "entities[0].fields[0].renamed_from", "B", SNAKE),
        ("entities:\n  - name: Ticket\n    fields: [{name: a, type: string}]\n"
         "    permissions: {read: Viewer}", "entities[0].permissions.read", "Viewer", SNAKE),
    ],
)  # fmt: skip
def test_name_that_does_not_match_its_pattern(text: str, path: str, value: str, hint: str) -> None:
    text = f"project: {{name: P}}\n{text}\n" if not text.startswith("project") else text + "\n"
    problem = only(text)
    assert problem.where == path
    assert problem.line == line_of(text, value)
    assert problem.message == f"'{value}' {hint}"


@pytest.mark.parametrize(
    ("text", "path", "says"),
    [
        ("project: {name: ''}", "project.name", "at least 1 character"),
        ("project: {name: " + "n" * 201 + "}", "project.name", "at most 200 characters"),
        ("project: {name: P, slug: " + "s" * 49 + "}", "project.slug", "at most 48 characters"),
        ("project: {name: P, description: " + "d" * 2001 + "}", "project.description",
         "at most 2000 characters"),
        ("project: {name: P}\nrbac: {roles: [owner, " + "r" * 33 + "]}", "rbac.roles[1]",
         "at most 32 characters"),
        ("project: {name: P}\nbilling: {provider: stripe, plans: [{id: pro, price_id: ''}]}",
         "billing.plans[0].price_id", "at least 1 character"),
        ("project: {name: P}\n" + ENTITY.replace("title", "t" * 49), "entities[0].fields[0].name",
         "at most 48 characters"),
        ("project: {name: P}\n" + ENTITY.replace("Ticket", "T" * 49), "entities[0].name",
         "at most 48 characters"),
        ("project: {name: P}\n" + ENTITY.replace("type: string", "type: enum, values: [a, '']"),
         "entities[0].fields[0].values[1]", "at least 1 character"),
        (with_field("type: string", "type: enum, values: [" + "v" * 65 + "]"),
         "entities[0].fields[0].values[0]", "at most 64 characters"),
        (with_field("type: string", "type: string, description: " + "d" * 501),
         "entities[0].fields[0].description", "at most 500 characters"),
    ],
)  # fmt: skip
def test_text_length_bounds(text: str, path: str, says: str) -> None:
    problem = only(text + "\n")
    assert problem.where == path
    assert problem.message == f"the text should have {says}"


@pytest.mark.parametrize(
    ("section", "key", "low", "high"),
    [
        ("auth", "access_token_minutes", 1, 1440),
        ("auth", "refresh_token_days", 1, 365),
        ("orgs", "invitation_expiry_hours", 1, 2160),
        ("billing", "trial_days", 0, 365),
    ],
)
def test_section_number_bounds(section: str, key: str, low: int, high: int) -> None:
    for value, word, bound in [(low - 1, "greater", low), (high + 1, "less", high)]:
        text = f"project: {{name: P}}\n{section}:\n  {key}: {value}\n"
        problem = only(text)
        assert (problem.where, problem.line) == (f"{section}.{key}", 3)
        assert problem.message == f"Input should be {word} than or equal to {bound} (got {value})"
    # the bounds themselves are accepted (a trial needs a provider, so it is checked alone)
    if section != "billing":
        for value in (low, high):
            parse_spec(f"project: {{name: P}}\n{section}:\n  {key}: {value}\n")


@pytest.mark.parametrize(
    ("key", "extra", "low", "high"),
    [
        ("max_length", "type: text", 1, 1_000_000),
        ("max_digits", "type: decimal, decimal_places: 0", 1, 38),
        ("decimal_places", "type: decimal, max_digits: 38", 0, 30),
    ],
)
def test_field_number_bounds(key: str, extra: str, low: int, high: int) -> None:
    for value, word, bound in [(low - 1, "greater", low), (high + 1, "less", high)]:
        text = f"project: {{name: P}}\n{ENTITY}      - {{name: n, {extra}, {key}: {value}}}\n"
        problem = only(text)
        assert (problem.where, problem.line) == (f"entities[0].fields[1].{key}", 6)
        assert f"{word} than or equal to {bound} (got {value})" in problem.message
    for value in (low, high):
        parse_spec(f"project: {{name: P}}\n{ENTITY}      - {{name: n, {extra}, {key}: {value}}}\n")


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("project: {name: 42}", "project.name", "expected a string, got 42"),
        ("project: {name: P}\nauth: {access_token_minutes: '15'}", "auth.access_token_minutes",
         "expected a whole number, got '15'"),
        ("project: {name: P}\nauth: {access_token_minutes: 1.5}", "auth.access_token_minutes",
         "expected a whole number, got 1.5"),
        ("project: {name: P}\nauth: {cookie_mode: 'true'}", "auth.cookie_mode",
         "expected true or false, got 'true'"),
        ("project: {name: P}\nmetrics: 1", "metrics", "expected true or false, got 1"),
        ("project: {name: P}\ndeploy: docker", "deploy", "expected a list, got 'docker'"),
        ("project: {name: P}\nrbac: {roles: owner}", "rbac.roles", "expected a list, got 'owner'"),
        ("project: {name: P}\n" + ENTITY + "    permissions: [read]", "entities[0].permissions",
         "expected a mapping, got ['read']"),
        ("project: {name: P}\nproject_description: x", "project_description", "unknown key"),
        ("project: {name: P}\nauth: 5", "auth", "expected a mapping of keys, got 5"),
        ("project:\nauth: {}", "project", "expected a mapping of keys, got None"),
        ("project: {name: P}\nentities:\n  - Ticket", "entities[0]",
         "expected a mapping of keys, got 'Ticket'"),
        ("project: {name: P}\nentities: {Ticket: {}}", "entities", "expected a list, got"),
        ("project: {name: P}\n" + ENTITY + "      - {name: t, type: integer, default: [1]}",
         "entities[0].fields[1].default", "expected a string, got [1]"),
        ("project: {name: P, description: null}", "project.description",
         "expected a string, got null"),
    ],
)  # fmt: skip
def test_wrong_type_of_value(text: str, path: str, message: str) -> None:
    problem = only(text + "\n")
    assert problem.where == path
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("rbac: {roles: [owner]}", "rbac.roles", "needs at least 2 item(s)"),
        ("rbac: {roles: [" + ", ".join(f"r{i}" for i in range(13)) + "]}", "rbac.roles",
         "allows at most 12 item(s)"),
        ("entities:\n  - name: Ticket\n    fields: []", "entities[0].fields",
         "needs at least 1 item(s)"),
    ],
)  # fmt: skip
def test_list_length_bounds(text: str, path: str, message: str) -> None:
    text = f"project: {{name: P}}\n{text}\n"
    problem = only(text)
    assert (problem.where, problem.message) == (path, message)
    assert problem.line == line_of(text, path.rsplit(".", 1)[-1].split("[")[0] + ":")


def test_null_is_the_same_as_leaving_an_optional_key_out() -> None:
    spec = parse_spec(
        "project: {name: P, slug: null}\nrbac: {manage_members: ~}\n"
        + ENTITY.replace("type: string}", "type: string, max_length: null, default: null}")
    )
    assert spec.project.slug is None and spec.rbac.manage_members is None
    assert spec.entities[0].fields[0].max_length is None


def test_every_structural_problem_is_reported_at_once_in_file_order() -> None:
    text = (
        "project:\n"
        "  name: ''\n"  # 2
        "  colour: red\n"  # 3
        "auth:\n"
        "  access_token_minutes: 0\n"  # 5
        "rbac:\n"
        "  roles: [owner]\n"  # 7
        "jobs: celery\n"  # 8
        "entities:\n"
        "  - name: ticket\n"  # 10
        "    fields:\n"
        "      - {name: Title, type: string}\n"  # 12
        "      - {name: state, type: enum, values: [yes, no]}\n"  # 13
    )
    found = problems_of(text)
    assert [(p.line, p.where) for p in found] == [
        (2, "project.name"),
        (3, "project.colour"),
        (5, "auth.access_token_minutes"),
        (7, "rbac.roles"),
        (8, "jobs"),
        (10, "entities[0].name"),
        (12, "entities[0].fields[0].name"),
        (13, "entities[0].fields[1].values[0]"),
        (13, "entities[0].fields[1].values[1]"),
    ]


def test_cross_field_rules_run_although_the_structure_is_wrong() -> None:
    # 'strng' is a cross-field problem, independent of the structural one
    text = "project: {name: P}\njobs: celery\n" + ENTITY.replace("type: string", "type: strng")
    assert [p.where for p in problems_of(text)] == ["jobs", "entities[0].fields[0].type"]
    fixed = text.replace("celery", "rq")
    assert [p.where for p in problems_of(fixed)] == ["entities[0].fields[0].type"]


# --- SpecError and load_spec -------------------------------------------------------------------


def test_spec_error_message_lists_every_problem_with_file_and_line() -> None:
    with pytest.raises(SpecError) as info:
        parse_spec("project: {name: P}\njobs: celery\nstorage: s4\n", source="my.yaml")
    error = info.value
    assert isinstance(error, DayOneError) and error.exit_code == 2
    assert error.source == "my.yaml"
    assert error.message.splitlines() == [
        "my.yaml has 2 problems:",
        "  my.yaml:2: jobs: 'celery' is not allowed; use one of 'none', 'rq'",
        "  my.yaml:3: storage: 's4' is not allowed; use one of 'local', 's3'",
    ]
    assert error.hint == "Fix these and run `dayone spec validate` again."
    assert str(error).endswith(error.hint)


def test_spec_error_with_one_problem_and_no_path() -> None:
    with pytest.raises(SpecError) as info:
        parse_spec("", source="e.yaml")
    # no line and no key path: the problem is printed bare
    assert info.value.message.splitlines() == [
        "e.yaml has 1 problem:",
        "  the spec is empty; it needs at least a 'project' with a 'name'",
    ]


def test_problem_render() -> None:
    problem = SpecProblem(("entities", 1, "fields", 2, "type"), "bad", 7)
    assert problem.where == "entities[1].fields[2].type"
    assert problem.render("s.yaml") == "s.yaml:7: entities[1].fields[2].type: bad"
    assert problem.render() == "entities[1].fields[2].type: bad"
    assert SpecProblem((), "whole file").render("s.yaml") == "whole file"


def test_load_spec_reads_the_acme_example() -> None:
    assert load_spec(ACME).project.package == "acme_crm"


def test_load_spec_names_the_file_in_problems(tmp_path: Path) -> None:
    path = tmp_path / "dayone.yaml"
    path.write_text("project: {name: P}\njobs: celery\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.source == str(path)
    assert f"{path}:2: jobs: 'celery' is not allowed" in info.value.message


def test_load_spec_of_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as info:
        load_spec(path)
    (problem,) = info.value.problems
    assert problem.message == f"no spec file at {path}; create one (see examples/acme_crm.yaml)"


def test_load_spec_of_a_folder(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path)
    (problem,) = info.value.problems
    assert problem.message.startswith(f"{tmp_path} is not a regular file (a folder); ")


def test_load_spec_of_non_utf8_and_oversized_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("project:\n  name: Café\n".encode("latin-1"))
    with pytest.raises(SpecError, match="not UTF-8 text"):
        load_spec(latin)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"project: {name: P}\n" + b"#" * MAX_SPEC_BYTES)
    with pytest.raises(SpecError, match="larger than 1 MB"):
        load_spec(big)


# Independent problems of different stages: a bad name (structure) must not hide a
# misspelled type or a reference to nothing (cross-field rules) elsewhere.
COMBINED = """\
project: {name: Combined}
rbac: {roles: [admin, member], manage_members: boss}
jobs: celery
entities:
  - name: foo
    fields:
      - {name: title, type: strin}
      - {name: Count, type: integer}
      - {name: body, type: text, max_length: -3}
  - name: Item
    fields:
      - {name: id, type: string}
      - {name: owner, type: ref, to: Nobody}
      - {name: note, type: string, requird: true}
"""


def test_every_independent_problem_is_reported_in_one_run() -> None:
    found = [(p.where, p.line) for p in problems_of(COMBINED)]
    assert sorted(found, key=lambda f: f[1] or 0) == [
        ("rbac.manage_members", 2),
        ("jobs", 3),
        ("entities[0].name", 5),
        ("entities[0].fields[0].type", 7),
        ("entities[0].fields[1].name", 8),
        ("entities[0].fields[2].max_length", 9),
        ("entities[1].fields[0].name", 12),
        ("entities[1].fields[1].to", 13),
        ("entities[1].fields[2].requird", 14),
    ]


def test_a_repaired_value_is_reported_once_not_again_by_the_rules() -> None:
    # 'ticket' is reported as a bad name; the rules must not also complain about
    # the stand-in used to keep checking the rest of the spec.
    text = COMBINED.replace("name: foo", "name: ticket")
    messages = [p.message for p in problems_of(text) if p.where == "entities[0].name"]
    assert len(messages) == 1 and "'ticket'" in messages[0]
    assert not any("'Ticket'" in p.message for p in problems_of(text))


def test_a_missing_required_key_still_reports_the_rest() -> None:
    text = "project: {name: Partial}\nentities:\n  - fields:\n      - {name: a, type: strin}\n"
    found = {p.where for p in problems_of(text)}
    assert "entities[0].name" in found


def test_a_bad_name_in_a_list_does_not_hide_the_rules() -> None:
    text = (
        "project: {name: Roles}\nrbac: {roles: [Admin, member]}\n"
        "entities:\n  - name: Item\n    fields:\n      - {name: a, type: strin}\n"
    )
    found = [p.where for p in problems_of(text)]
    assert found == ["rbac.roles[0]", "entities[0].fields[0].type"]
