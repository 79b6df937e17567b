"""Cross-field rules (generator/spec/checks.py): one case per rule, with path, line and message.

Each case is a whole spec. ``line`` is given as a snippet of the line the
problem must point at, so a case reads like the file it describes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from generator.spec import SpecError, SpecProblem, parse_spec


def problems_of(text: str) -> list[SpecProblem]:
    with pytest.raises(SpecError) as info:
        parse_spec(text, source="t.yaml")
    return list(info.value.problems)


def line_of(text: str, snippet: str) -> int:
    matches = [n for n, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert len(matches) == 1, f"{snippet!r} is on lines {matches}"
    return matches[0]


def spec(*fields: str, entity: str = "", top: str = "", more: str = "") -> str:
    """A valid spec with one entity ``Ticket``; the arguments add YAML lines."""
    text = "project:\n  name: Test App\n" + top
    text += "entities:\n  - name: Ticket\n" + entity + "    fields:\n"
    text += "      - {name: title, type: string}\n"
    text += "".join(f"      - {f}\n" for f in fields)
    return text + more


def entity(name: str, *lines: str, fields: str = "[{name: label, type: string}]") -> str:
    return (
        f"  - name: {name}\n"
        + "".join(f"    {line}\n" for line in lines)
        + f"    fields: {fields}\n"
    )


PLANS = (
    "billing:\n  provider: stripe\n  plans:\n"
    "    - {id: pro, price_id: price_pro, features: [tickets, reports]}\n"
)


@dataclass
class Case:
    text: str
    path: str
    line: str | int  # the line the problem is on, or a snippet of it
    says: tuple[str, ...]  # fragments the message contains

    def check(self) -> None:
        found = problems_of(self.text)
        assert [p.where for p in found] == [self.path], found
        (problem,) = found
        line = self.line if isinstance(self.line, int) else line_of(self.text, self.line)
        assert problem.line == line
        for fragment in self.says:
            assert fragment in problem.message
        assert problem.render("t.yaml").startswith(f"t.yaml:{problem.line}: {self.path}: ")


CASES: dict[str, Case] = {
    # --- project
    "project name is one line": Case(
        'project:\n  name: "Two\\nlines"\n', "project.name", "Two", ("one line",)
    ),
    "project name without control characters": Case(
        'project:\n  name: "Bell\\x07"\n', "project.name", "Bell", ("printable",)
    ),
    "project description without control characters": Case(
        'project:\n  name: P\n  description: "a\\x00b"\n',
        "project.description",
        "description",
        ("control characters", "tabs are fine"),
    ),
    "slug is not a keyword": Case(
        "project:\n  name: P\n  slug: class\n", "project.slug", "slug", ("'class'", "keyword")
    ),
    "derived slug is not a keyword": Case(
        # no slug key: the problem points at the project section
        "project:\n  name: Import\n",
        "project.slug",
        "project:",
        ("'import'", "choose another slug"),
    ),
    # --- rbac
    "role listed twice": Case(
        "project: {name: P}\nrbac:\n  roles: [owner, admin, owner]\n",
        "rbac.roles[2]",
        "roles",
        ("role 'owner' is listed twice",),
    ),
    "record_usage names a role": Case(
        "project: {name: P}\nrbac:\n  roles: [owner, admin, member]\n  record_usage: membr\n",
        "rbac.record_usage",
        "record_usage",
        ("unknown role 'membr'", "(did you mean 'member'?)"),
    ),
    "upload_files names a role": Case(
        "project: {name: P}\nrbac:\n  roles: [owner, admin, member]\n  upload_files: admn\n",
        "rbac.upload_files",
        "upload_files",
        ("unknown role 'admn'", "(did you mean 'admin'?)"),
    ),
    "manage_members names a role": Case(
        "project: {name: P}\nrbac:\n  roles: [owner, admin, member]\n  manage_members: admn\n",
        "rbac.manage_members",
        "manage_members",
        ("unknown role 'admn'", "(did you mean 'admin'?)", "'owner', 'admin', 'member'"),
    ),
    # --- billing
    "plan defined twice": Case(
        "project: {name: P}\nbilling:\n  provider: stripe\n  plans:\n"
        "    - {id: pro, price_id: price_a}\n"
        "    - {id: pro, price_id: price_b}\n",
        "billing.plans[1].id",
        6,
        ("plan 'pro' is defined twice",),
    ),
    "provider needs plans": Case(
        "project: {name: P}\nbilling:\n  provider: payfast\n",
        "billing.plans",
        "billing:",
        ("'payfast'", "add at least one plan, or set provider: none"),
    ),
    "feature listed twice in a plan": Case(
        "project: {name: P}\nbilling:\n  provider: stripe\n  plans:\n    - id: pro\n"
        "      price_id: price_pro\n      features: [a, b, a]\n",
        "billing.plans[0].features[2]",
        "features",
        ("feature 'a' is listed twice",),
    ),
    "trial needs a provider": Case(
        "project: {name: P}\nbilling:\n  trial_days: 14\n",
        "billing.trial_days",
        "trial_days",
        ("needs a billing provider", "set billing.provider"),
    ),
    "entity feature offered by a plan": Case(
        spec(entity="    feature: ticket\n", top=PLANS),
        "entities[0].feature",
        "feature: ticket",
        ("feature 'ticket' is not offered", "(did you mean 'tickets'?)"),
    ),
    "entity feature without any plans": Case(
        spec(entity="    feature: tickets\n"),
        "entities[0].feature",
        "feature:",
        ("not offered by any plan", "define plans first"),
    ),
    # --- entities
    "required ref to itself": Case(
        spec("{name: parent, type: ref, to: Ticket}"),
        "entities[0].fields",
        "fields:",
        ("Ticket requires a reference back to itself", "'required: false'"),
    ),
    "entity defined twice": Case(
        "project: {name: P}\nentities:\n" + entity("Ticket") + entity("Ticket", "plural: tickets2"),
        "entities[1].name",
        5,  # the second "- name: Ticket"
        ("entity 'Ticket' is defined twice",),
    ),
    "two entities with one module": Case(
        "project: {name: P}\nentities:\n" + entity("HTTPLog") + entity("HttpLog", "plural: logs"),
        "entities[1].name",
        "HttpLog",
        ("'HttpLog'", "module name 'http_log'", "rename one"),
    ),
    "two entities with one table": Case(
        "project: {name: P}\nentities:\n" + entity("Person") + entity("Human", "plural: people"),
        "entities[1].plural",
        "plural: people",
        ("share the table 'people'", "different 'plural'"),
    ),
    "permission action is known": Case(
        spec(entity="    permissions: {reed: member}\n"),
        "entities[0].permissions.reed",
        "permissions",
        ("unknown action 'reed'", "(did you mean 'read'?)", "'read', 'create', 'update', 'delete'"),
    ),
    "permission role is known": Case(
        spec(entity="    permissions:\n      delete: ownr\n"),
        "entities[0].permissions.delete",
        "delete: ownr",
        ("unknown role 'ownr'", "(did you mean 'owner'?)", "rbac.roles are"),
    ),
    "entity renamed_from is gone": Case(
        "project: {name: P}\nentities:\n"
        + entity("Ticket", "renamed_from: Issue")
        + entity("Issue"),
        "entities[0].renamed_from",
        "renamed_from",
        ("'Issue' is still an entity", "old name gone"),
    ),
    "built-in model name": Case(
        "project: {name: P}\nentities:\n" + entity("Membership", "plural: group_memberships"),
        "entities[0].name",
        "Membership",
        ("'Membership' is a built-in model", "choose another name"),
    ),
    "python builtin as entity name": Case(
        "project: {name: P}\nentities:\n" + entity("Exception"),
        "entities[0].name",
        "Exception",
        ("'Exception'", "choose another name"),
    ),
    "built-in table through plural": Case(
        "project: {name: P}\nentities:\n" + entity("Account", "plural: users"),
        "entities[0].plural",
        "plural: users",
        ("the table 'users' is built into", "set 'plural'"),
    ),
    "built-in table through the name": Case(
        "project: {name: P}\nentities:\n" + entity("StoredFileX", "plural: stored_files"),
        "entities[0].plural",
        "plural: stored_files",
        ("the table 'stored_files'",),
    ),
    "built-in org route": Case(
        "project: {name: P}\nentities:\n" + entity("Member"),
        "entities[0].name",
        "Member",
        ("the URL /orgs/{org_id}/members is built into", "set 'plural'"),
    ),
    "built-in org route through plural": Case(
        "project: {name: P}\nentities:\n" + entity("Stat", "plural: audit_log"),
        "entities[0].plural",
        "plural: audit_log",
        ("/orgs/{org_id}/audit-log",),
    ),
    "built-in route module": Case(
        "project: {name: P}\nentities:\n" + entity("Login", "plural: auth"),
        "entities[0].plural",
        "plural: auth",
        ("app/api/routes/auth.py is built into",),
    ),
    "built-in model or schema module": Case(
        "project: {name: P}\nentities:\n" + entity("Common"),
        "entities[0].name",
        "Common",
        ("the module 'common' is built into", "choose another name"),
    ),
    "entity module is a keyword": Case(
        "project: {name: P}\nentities:\n" + entity("Class", "plural: classes"),
        "entities[0].name",
        "Class",
        ("'class' is a Python keyword",),
    ),
    "entity plural is a keyword": Case(
        "project: {name: P}\nentities:\n" + entity("A"),
        "entities[0].name",
        "- name: A",
        ("the plural 'as' is a Python keyword", "'plural'"),
    ),
    # --- fields
    "field defined twice": Case(
        spec("{name: title, type: text}"),
        "entities[0].fields[1].name",
        "type: text",
        ("field 'title' is defined twice",),
    ),
    "ref column already used": Case(
        spec(
            "{name: owner_id, type: uuid}", "{name: owner, type: ref, to: Ticket, required: false}"
        ),
        "entities[0].fields[2].name",
        "name: owner,",
        ("the ref 'owner' stores its id in the column 'owner_id'", "another field already uses"),
    ),
    "unknown type": Case(
        spec("{name: body, type: strng}"),
        "entities[0].fields[1].type",
        "strng",
        ("unknown type 'strng'", "(did you mean 'string'?)", "use one of string, text,"),
    ),
    "unknown type, capitalised": Case(
        spec("{name: n, type: Integer}"),
        "entities[0].fields[1].type",
        "Integer",
        ("(did you mean 'integer'?)",),
    ),
    "json cannot be unique": Case(
        spec("{name: meta, type: json, unique: true}"),
        "entities[0].fields[1].unique",
        "json",
        ("a json field cannot be unique",),
    ),
    "decimal places beyond max digits": Case(
        spec("{name: price, type: decimal, max_digits: 4, decimal_places: 6}"),
        "entities[0].fields[1].decimal_places",
        "decimal",
        ("decimal_places (6) cannot be larger than max_digits (4)",),
    ),
    "decimal places beyond the default max digits": Case(
        spec("{name: price, type: decimal, decimal_places: 13}"),
        "entities[0].fields[1].decimal_places",
        "decimal",
        ("decimal_places (13) cannot be larger than max_digits (12)",),
    ),
    "max digits below the default decimal places": Case(
        spec("{name: price, type: decimal, max_digits: 1}"),
        "entities[0].fields[1].max_digits",
        "decimal",
        ("decimal_places (2) cannot be larger than max_digits (1)",),
    ),
    "enum needs values": Case(
        spec("{name: stage, type: enum}"),
        "entities[0].fields[1].values",
        "enum",
        ("an enum needs 'values'", "values: [open, closed]"),
    ),
    "enum needs at least one value": Case(
        spec("{name: stage, type: enum, values: []}"),
        "entities[0].fields[1].values",
        "enum",
        ("an enum needs 'values'",),
    ),
    "enum value listed twice": Case(
        spec("{name: stage, type: enum, values: [open, done, open]}"),
        "entities[0].fields[1].values[2]",
        "enum",
        ("value 'open' is listed twice",),
    ),
    "enum value without surrounding spaces": Case(
        spec("{name: stage, type: enum, values: [open, ' done']}"),
        "entities[0].fields[1].values[1]",
        "enum",
        ("printable text without surrounding spaces",),
    ),
    "enum value without control characters": Case(
        spec('{name: stage, type: enum, values: [open, "do\\x01ne"]}'),
        "entities[0].fields[1].values[1]",
        "enum",
        ("printable text",),
    ),
    "ref needs to": Case(
        spec("{name: parent, type: ref, required: false}"),
        "entities[0].fields[1].to",
        "parent",
        ("a ref needs 'to'",),
    ),
    "ref to a known entity": Case(
        spec("{name: parent, type: ref, to: Tickt, required: false}"),
        "entities[0].fields[1].to",
        "Tickt",
        ("unknown entity 'Tickt'", "(did you mean 'Ticket'?)", "entities are 'Ticket'"),
    ),
    "set_null needs an optional ref": Case(
        spec(
            more=entity(
                "Comment", fields="[{name: ticket, type: ref, to: Ticket, on_delete: set_null}]"
            )
        ),
        "entities[1].fields[0].on_delete",
        "set_null",
        ("set_null needs an optional field", "'required: false'", "cascade/restrict"),
    ),
    "ref has no default": Case(
        spec("{name: parent, type: ref, to: Ticket, required: false, default: x}"),
        "entities[0].fields[1].default",
        "parent",
        ("a ref cannot have a default",),
    ),
    "field renamed_from is gone": Case(
        spec("{name: heading, type: string, renamed_from: title}"),
        "entities[0].fields[1].renamed_from",
        "heading",
        ("'title' is still a field of Ticket", "old name gone"),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rule(name: str) -> None:
    CASES[name].check()


# --- per-key rules that repeat for each key ---------------------------------------------------

TYPE_KEY_CASES = [
    ("max_length: 10", "max_length", "json or string or text"),
    ("values: [a]", "values", "enum"),
    ("to: Ticket", "to", "ref"),
    ("on_delete: cascade", "on_delete", "ref"),
    ("max_digits: 5", "max_digits", "decimal"),
    ("decimal_places: 1", "decimal_places", "decimal"),
]


@pytest.mark.parametrize(("yaml_key", "key", "owner"), TYPE_KEY_CASES)
def test_key_that_does_not_apply_to_the_type(yaml_key: str, key: str, owner: str) -> None:
    text = spec(f"{{name: n, type: integer, {yaml_key}}}")
    (problem,) = problems_of(text)
    assert problem.where == f"entities[0].fields[1].{key}"
    assert problem.message == f"'{key}' applies only to type {owner}, not to 'integer'"
    assert problem.line == line_of(text, yaml_key)


@pytest.mark.parametrize("name", ["id", "tenant_id", "created_at", "updated_at"])
def test_field_named_like_a_built_in_column(name: str) -> None:
    text = spec(f"{{name: {name}, type: string}}")
    (problem,) = problems_of(text)
    assert problem.where == "entities[0].fields[1].name"
    assert f"'{name}' collides with a built-in column" in problem.message
    assert "created_at, id, tenant_id, updated_at" in problem.message
    assert "choose another name" in problem.message
    assert problem.line == line_of(text, f"name: {name},")


def test_ref_whose_column_is_a_built_in_column() -> None:
    text = spec("{name: tenant, type: ref, to: Ticket, required: false}")
    (problem,) = problems_of(text)
    assert problem.where == "entities[0].fields[1].name"
    assert "'tenant' collides with a built-in column" in problem.message


@pytest.mark.parametrize("name", ["class", "def", "return", "lambda", "none_", "match", "case"])
def test_field_named_like_a_python_keyword(name: str) -> None:
    text = spec(f"{{name: {name}, type: string}}")
    if name == "none_":  # not a keyword: accepted
        parse_spec(text)
        return
    (problem,) = problems_of(text)
    assert problem.where == "entities[0].fields[1].name"
    assert problem.message == f"'{name}' is a Python keyword; choose another name"


@pytest.mark.parametrize(
    "name",
    ["metadata", "registry", "tenant", "query", "org", "org_id", "model_config", "model_number"],
)
def test_field_name_reserved_by_the_generated_models(name: str) -> None:
    text = spec(f"{{name: {name}, type: string}}")
    (problem,) = problems_of(text)
    assert problem.where == "entities[0].fields[1].name"
    assert problem.message == f"'{name}' is reserved by the generated models; choose another name"


@pytest.mark.parametrize(
    "name",
    ["User", "Organization", "Invitation", "AuthSession", "ApiKey", "Base", "Settings", "OrgScope",
     "Page", "Org", "Session", "Query", "Decimal", "Field", "Mapped"],
)  # fmt: skip
def test_entity_named_like_a_built_in_model(name: str) -> None:
    text = "project: {name: P}\nentities:\n" + entity(name, "plural: things")
    found = problems_of(text)
    assert found[0].where == "entities[0].name"
    assert found[0].message.startswith(f"'{name}' is a built-in model")
    assert found[0].line == 3


@pytest.mark.parametrize(
    "route",
    ["members", "invitations", "billing", "api-keys", "audit-log", "usage", "jobs", "files"],
)
def test_plural_that_is_a_built_in_org_route(route: str) -> None:
    text = "project: {name: P}\nentities:\n" + entity("Thing", f"plural: {route.replace('-', '_')}")
    found = problems_of(text)
    wheres = {p.where for p in found}
    assert wheres == {"entities[0].plural"}
    assert any("built into the generated project" in p.message for p in found)


@pytest.mark.parametrize(
    "table",
    ["users", "organizations", "memberships", "invitations", "auth_sessions", "api_keys",
     "audit_events", "usage_events", "payment_events", "stored_files", "alembic_version"],
)  # fmt: skip
def test_plural_that_is_a_built_in_table(table: str) -> None:
    text = "project: {name: P}\nentities:\n" + entity("Thing", f"plural: {table}")
    (problem,) = problems_of(text)
    assert problem.where == "entities[0].plural"
    assert f"the table '{table}' is built into the generated project" in problem.message


@pytest.mark.parametrize("name", ["Auth", "Common", "ORG", "USER"])
def test_entity_whose_module_is_a_built_in_module(name: str) -> None:
    text = "project: {name: P}\nentities:\n" + entity(name, "plural: things")
    (problem,) = problems_of(text)
    assert problem.where == "entities[0].name"
    assert "is built into the generated project (app/models, app/schemas)" in problem.message


# --- default values, per field type ------------------------------------------------------------


VALID_DEFAULTS = [
    "{name: a, type: string, required: false, default: ''}",
    "{name: b, type: string, max_length: 3, default: abc}",
    "{name: c, type: text, default: a long text}",
    "{name: d, type: integer, default: -2147483648}",
    "{name: e, type: integer, default: 2147483647}",
    "{name: f, type: float, default: 1}",
    "{name: g, type: float, default: -0.5}",
    "{name: h, type: decimal, default: 9999999999.99}",
    "{name: i, type: decimal, default: 3}",
    "{name: j, type: decimal, max_digits: 3, decimal_places: 0, default: 999}",
    "{name: k, type: boolean, default: false}",
    "{name: l, type: date, default: '2024-01-31'}",
    "{name: m, type: datetime, default: '2024-01-31T12:00:00Z'}",
    "{name: n, type: datetime, default: '2024-01-31 12:00+02:00'}",
    "{name: o, type: email, default: team@example.com}",
    "{name: p, type: url, default: 'https://example.com'}",
    "{name: q, type: enum, values: [lead, won], default: won}",
]


def test_valid_default_of_every_type_is_accepted() -> None:
    spec_obj = parse_spec(spec(*VALID_DEFAULTS))
    defaults = {f.name: f.default for f in spec_obj.entities[0].fields}
    assert defaults["e"] == 2147483647 and defaults["k"] is False and defaults["q"] == "won"


BAD_DEFAULTS = [
    ("json", "{type: json, default: x}", "a json field cannot have a default"),
    (
        "uuid",
        "{type: uuid, default: 00000000-0000-0000-0000-000000000000}",
        "a uuid field cannot have a default",
    ),
    ("boolean given a number", "{type: boolean, default: 1}", "expected true or false, got 1"),
    (
        "boolean given text",
        "{type: boolean, default: 'true'}",
        "expected true or false, got 'true'",
    ),
    ("integer given a bool", "{type: integer, default: true}", "expected a whole number, got True"),
    ("integer given a float", "{type: integer, default: 1.5}", "expected a whole number, got 1.5"),
    ("integer given text", "{type: integer, default: '3'}", "expected a whole number, got '3'"),
    (
        "integer above 32 bits",
        "{type: integer, default: 2147483648}",
        "2147483648 does not fit the 32-bit integer column",
    ),
    ("integer below 32 bits", "{type: integer, default: -2147483649}", "does not fit the 32-bit"),
    ("float given a bool", "{type: float, default: false}", "expected a number, got False"),
    ("float given text", "{type: float, default: abc}", "expected a number, got 'abc'"),
    ("float infinite", "{type: float, default: .inf}", "expected a finite number, got inf"),
    ("decimal not a number", "{type: decimal, default: .nan}", "expected a finite number, got nan"),
    ("decimal given text", "{type: decimal, default: '1.5'}", "expected a number, got '1.5'"),
    (
        "decimal too many places",
        "{type: decimal, default: 1.234}",
        "1.234 has more than 2 decimal place(s)",
    ),
    (
        "decimal too large",
        "{type: decimal, default: 10000000000}",
        "does not fit 12 digit(s) with 2 decimal place(s)",
    ),
    (
        "decimal too large for its digits",
        "{type: decimal, max_digits: 3, decimal_places: 1, default: 100}",
        "does not fit 3 digit(s) with 1",
    ),
    ("string given a number", "{type: string, default: 5}", "expected text, got 5"),
    (
        "string longer than max_length",
        "{type: string, max_length: 3, default: abcd}",
        "longer than the field's max length (3)",
    ),
    ("string longer than 255", "{type: string, default: " + "x" * 256 + "}", "max length (255)"),
    ("text given a bool", "{type: text, default: true}", "expected text, got True"),
    ("email longer than 320", "{type: email, default: " + "e" * 321 + "}", "max length (320)"),
    ("url longer than 2048", "{type: url, default: " + "u" * 2049 + "}", "max length (2048)"),
    (
        "enum value not listed",
        "{type: enum, values: [open, closed], default: opne}",
        "'opne' is not one of the values (did you mean 'open'?): 'open', 'closed'",
    ),
    (
        "date not a date",
        "{type: date, default: '2024-02-30'}",
        "'2024-02-30' is not a date like 2024-01-31",
    ),
    ("date given a number", "{type: date, default: 20240131}", "expected text, got 20240131"),
    (
        "datetime not a date-time",
        "{type: datetime, default: tomorrow}",
        "'tomorrow' is not a date-time like 2024-01-31T12:00:00Z",
    ),
    (
        "datetime without a time zone",
        "{type: datetime, default: '2024-01-31 12:00'}",
        "has no time zone; add one, e.g. 2024-01-31 12:00Z",
    ),
    (
        "required string defaulting to empty",
        "{type: string, default: ''}",
        "a required string cannot default to empty text",
    ),
    ("email without @", "{type: email, default: nobody}", "'nobody' is not an email address"),
    ("url without scheme", "{type: url, default: example.com}", "is not an http(s) URL"),
]


@pytest.mark.parametrize(
    ("case", "field", "message"), BAD_DEFAULTS, ids=[c[0] for c in BAD_DEFAULTS]
)
def test_bad_default(case: str, field: str, message: str) -> None:
    text = spec(field.replace("{", "{name: value, ", 1))
    (problem,) = problems_of(text)
    assert problem.where == "entities[0].fields[1].default"
    assert message in problem.message
    assert problem.line == line_of(text, "name: value,")


# --- cycles ------------------------------------------------------------------------------------


def test_required_ref_cycle_through_three_entities_is_reported_on_each() -> None:
    text = "project: {name: P}\nentities:\n" + "".join(
        entity(name, fields=f"\n      - {{name: next, type: ref, to: {target}}}")
        for name, target in [("Alpha", "Beta"), ("Beta", "Gamma"), ("Gamma", "Alpha")]
    )
    found = problems_of(text)
    assert [p.where for p in found] == [f"entities[{i}].fields" for i in range(3)]
    assert [p.line for p in found] == [4, 7, 10]
    assert "Alpha requires a reference back to itself" in found[0].message


def test_optional_ref_breaks_a_cycle() -> None:
    text = (
        "project: {name: P}\nentities:\n"
        + entity("Alpha", fields="[{name: beta, type: ref, to: Beta}]")
        + entity("Beta", fields="[{name: alpha, type: ref, to: Alpha, required: false}]")
    )
    parse_spec(text)


def test_entity_outside_a_cycle_is_not_blamed_for_it() -> None:
    text = (
        "project: {name: P}\nentities:\n"
        + entity("Root", fields="[{name: loop, type: ref, to: Loop}]")
        + entity("Loop", fields="[{name: again, type: ref, to: Loop}]")
    )
    (problem,) = problems_of(text)
    assert problem.where == "entities[1].fields"


def test_optional_self_ref_is_fine() -> None:
    parse_spec(spec("{name: parent, type: ref, to: Ticket, required: false, on_delete: set_null}"))


# --- reported together ------------------------------------------------------------------------


def test_every_cross_field_problem_is_reported_at_once_in_file_order() -> None:
    text = (
        "project:\n"
        "  name: P\n"
        "  slug: def\n"  # 3
        "rbac:\n"
        "  roles: [owner, admin]\n"
        "  manage_members: boss\n"  # 6
        "billing:\n"
        "  trial_days: 7\n"  # 8
        "entities:\n"
        "  - name: User\n"  # 10
        "    fields:\n"
        "      - {name: id, type: string}\n"  # 12
        "      - {name: body, type: txt}\n"  # 13
        "      - {name: owner, type: ref, to: Usr}\n"  # 14
        "    permissions: {read: viewer}\n"  # 15
    )
    found = problems_of(text)
    assert [(p.line, p.where) for p in found] == [
        (3, "project.slug"),
        (6, "rbac.manage_members"),
        (8, "billing.trial_days"),
        (10, "entities[0].name"),
        (10, "entities[0].name"),
        (12, "entities[0].fields[0].name"),
        (13, "entities[0].fields[1].type"),
        (14, "entities[0].fields[2].to"),
        (15, "entities[0].permissions.read"),
    ]
    with pytest.raises(SpecError) as info:
        parse_spec(text, source="t.yaml")
    message = str(info.value)
    assert message.startswith("t.yaml has 9 problems:\n")
    assert (
        "  t.yaml:13: entities[0].fields[1].type: unknown type 'txt' (did you mean 'text'?)"
        in message
    )
    assert message.endswith("Fix these and run `dayone spec validate` again.")


# --- max_length of text and json fields ---------------------------------------------------------


def test_text_and_json_fields_take_a_max_length() -> None:
    parsed = parse_spec(
        spec(
            "{name: notes, type: text, max_length: 1000000}",
            "{name: data, type: json, max_length: 10}",
            "{name: body, type: text}",
        ),
        source="t.yaml",
    )
    fields = {f.name: f for f in parsed.entities[0].fields}
    assert (fields["notes"].max_chars, fields["data"].max_chars) == (1_000_000, 10)
    assert fields["body"].max_chars == 65_536  # the default
    assert fields["title"].max_chars == 0  # a string's limit is its column length


def test_a_string_longer_than_its_column_allows_is_refused() -> None:
    (problem,) = problems_of(spec("{name: n, type: string, max_length: 10001}"))
    assert problem.where == "entities[0].fields[1].max_length"
    assert problem.message == (
        "a string allows at most 10,000 characters; use type text for longer values"
    )


def test_a_text_default_longer_than_its_max_length_is_refused() -> None:
    (problem,) = problems_of(spec('{name: n, type: text, max_length: 3, default: "abcd"}'))
    assert problem.where == "entities[0].fields[1].default"
    assert problem.message == "longer than the field's max length (3)"
