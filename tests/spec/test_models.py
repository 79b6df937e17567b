"""The spec models: the acme example, defaults, derived names and the JSON Schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from generator.paths import templates_dir
from generator.render import CompiledLoader, make_environment
from generator.spec import Spec, load_spec, parse_spec
from generator.spec.models import FIELD_TYPES, FieldSpec

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme_crm.yaml"


@pytest.fixture(scope="module")
def acme() -> Spec:
    return load_spec(ACME)


def permission_matrix(spec: Spec) -> dict[str, dict[str, str]]:
    """The PERMISSIONS table of the generated app/core/rbac.py, rendered and run."""
    env = make_environment(CompiledLoader(templates_dir()))
    template = env.get_template("project/backend/app/core/rbac.py.j2")
    code = template.render(spec=spec, roles=spec.rbac.roles, entities=spec.entities)
    namespace: dict[str, Any] = {}
    exec(compile(code, "rbac.py", "exec"), namespace)
    return namespace["PERMISSIONS"]


# --- the example is the contract ------------------------------------------------------------


def test_acme_example_validates_exactly_as_written(acme: Spec) -> None:
    raw = yaml.safe_load(ACME.read_text(encoding="utf-8"))
    # every key written is kept (none dropped, none coerced)
    assert acme.model_dump(exclude_unset=True) == raw
    assert parse_spec(ACME.read_text(encoding="utf-8"), source=str(ACME)) == acme


def test_acme_values(acme: Spec) -> None:
    assert acme.project.name == "Acme CRM"
    assert acme.project.package == "acme_crm"
    assert acme.auth.cookie_mode and acme.auth.totp
    assert acme.rbac.roles == ["owner", "admin", "editor", "viewer"]
    assert acme.billing.enabled
    assert [p.id for p in acme.billing.plans] == ["free", "pro"]
    assert (acme.metrics, acme.jobs, acme.storage, acme.email) == (True, "rq", "local", "console")
    assert acme.deploy == ["docker", "fly", "render"]


def test_acme_derived_names(acme: Spec) -> None:
    contact, deal = acme.entities
    assert (contact.module, contact.table, contact.route, contact.label) == (
        "contact",
        "contacts",
        "contacts",
        "Contact",
    )
    assert (deal.module, deal.table, deal.route) == ("deal", "deals", "deals")
    ref = deal.field("contact")
    assert ref is not None
    assert (ref.column, ref.delete_rule, ref.nullable) == ("contact_id", "CASCADE", False)
    assert acme.refs_to(contact) == [(deal, ref)]
    assert acme.refs_to(deal) == []
    stage = deal.field("stage")
    assert stage is not None and stage.length == len("lead")


def test_acme_roles(acme: Spec) -> None:
    assert acme.rbac.top_role == "owner"
    assert acme.rbac.lowest_role == "viewer"
    assert acme.rbac.member_manager == "admin"


def test_acme_permission_matrix(acme: Spec) -> None:
    expected = {"read": "viewer", "create": "editor", "update": "editor", "delete": "admin"}
    assert permission_matrix(acme) == {"contact": expected, "deal": expected}


def test_default_permissions_are_lowest_role_and_member_manager_for_delete() -> None:
    spec = parse_spec(
        "project: {name: P}\n"
        "rbac: {roles: [boss, lead, staff, guest], manage_members: staff}\n"
        "entities:\n"
        "  - name: Note\n"
        "    fields: [{name: body, type: text}]\n"
        "  - name: Pin\n"
        "    fields: [{name: label, type: string}]\n"
        "    permissions: {create: lead}\n"
    )
    matrix = permission_matrix(spec)
    assert matrix["note"] == {
        "read": "guest",
        "create": "guest",
        "update": "guest",
        "delete": "staff",
    }
    assert matrix["pin"] == {
        "read": "guest",
        "create": "lead",
        "update": "guest",
        "delete": "staff",
    }


def test_member_manager_defaults_to_the_second_role() -> None:
    spec = parse_spec("project: {name: P}\nrbac: {roles: [a_top, b_mid, c_low]}\n")
    assert spec.rbac.member_manager == "b_mid"


def test_with_two_roles_the_member_manager_defaults_to_the_top_role() -> None:
    """Never the lowest role by default: every member would invite, remove peers
    and mint keys."""
    spec = parse_spec("project: {name: P}\nrbac: {roles: [lead, staff]}\n")
    assert spec.rbac.member_manager == "lead"


# --- defaults ---------------------------------------------------------------------------------


def test_minimal_spec_gets_every_default() -> None:
    spec = parse_spec("project:\n  name: Minimal\n")
    assert spec.project.slug is None and spec.project.package == "minimal"
    assert spec.project.description == ""
    assert spec.auth.model_dump() == {
        "cookie_mode": False,
        "totp": False,
        "access_token_minutes": 15,
        "refresh_token_days": 14,
    }
    assert spec.rbac.roles == ["owner", "admin", "member"]
    assert spec.rbac.manage_members is None and spec.rbac.member_manager == "admin"
    assert spec.orgs.model_dump() == {"invitations": True, "invitation_expiry_hours": 72}
    assert spec.billing.model_dump() == {
        "provider": "none",
        "trial_days": 0,
        "trial_plan": None,
        "trial_once_per_user": True,
        "plans": [],
    }
    assert not spec.billing.enabled
    assert (spec.metrics, spec.jobs, spec.storage, spec.email) == (
        False,
        "none",
        "local",
        "console",
    )
    assert spec.deploy == [] and spec.entities == []


def test_field_defaults_and_derived_sizes() -> None:
    def field(**kw: Any) -> FieldSpec:
        return FieldSpec.model_validate({"name": "f", **kw})

    plain = field(type="string")
    assert (plain.required, plain.unique, plain.index, plain.default) == (True, False, False, None)
    assert plain.length == 255 and field(type="string", max_length=80).length == 80
    assert field(type="email").length == 320
    assert field(type="url").length == 2048
    assert field(type="enum", values=["a", "three"]).length == 5
    assert field(type="integer").length == 0
    assert field(type="decimal").precision == (12, 2)
    assert field(type="decimal", max_digits=8, decimal_places=0).precision == (8, 0)
    ref = field(type="ref", to="X")
    assert (ref.column, ref.delete_rule) == ("f_id", "RESTRICT")
    assert field(type="ref", to="X", on_delete="set_null").delete_rule == "SET NULL"
    assert field(type="string", required=False).nullable


def test_explicit_slug_and_plural_win_over_derived_ones() -> None:
    spec = parse_spec(
        "project: {name: Acme CRM, slug: crm}\n"
        "entities:\n"
        "  - name: SupportTicket\n"
        "    plural: tickets\n"
        "    fields: [{name: title, type: string}]\n"
        "  - name: Person\n"
        "    fields: [{name: full_name, type: string}]\n"
    )
    assert spec.project.package == "crm"
    ticket, person = spec.entities
    assert (ticket.module, ticket.table, ticket.route, ticket.label) == (
        "support_ticket",
        "tickets",
        "tickets",
        "Support ticket",
    )
    assert (person.table, person.route) == ("people", "people")


def test_multi_word_plural_becomes_a_dashed_route() -> None:
    spec = parse_spec(
        "project: {name: P}\n"
        "entities:\n"
        "  - name: LineItem\n"
        "    fields: [{name: qty, type: integer}]\n"
    )
    (item,) = spec.entities
    assert (item.table, item.route) == ("line_items", "line-items")


def test_models_are_strict_frozen_and_closed() -> None:
    spec = parse_spec("project: {name: P}\n")
    with pytest.raises(ValidationError):
        spec.project.name = "Q"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Spec.model_validate({"project": {"name": "P"}, "metrics": "true"})
    with pytest.raises(ValidationError):
        Spec.model_validate({"project": {"name": "P", "colour": "red"}})


# --- JSON Schema ------------------------------------------------------------------------------


def _validate(
    instance: Any, schema: dict[str, Any], root: dict[str, Any], at: str = ""
) -> list[str]:
    """A small JSON Schema validator for the keywords pydantic emits for the spec."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return _validate(instance, root["$defs"][name], root, at)
    if "anyOf" in schema:
        options = [_validate(instance, s, root, at) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{at}: no anyOf option matches"]
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
    }
    kind = schema.get("type")
    if kind is not None:
        is_bool = isinstance(instance, bool)
        if not isinstance(instance, kinds[kind]) or (is_bool and kind in {"integer", "number"}):
            return [f"{at}: expected {kind}"]
    errors: list[str] = []
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{at}: {instance!r} not in enum")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{at}: pattern")
        if not schema.get("minLength", 0) <= len(instance) <= schema.get("maxLength", 10**9):
            errors.append(f"{at}: length")
    is_number = isinstance(instance, int | float) and not isinstance(instance, bool)
    if is_number and not schema.get("minimum", -(10**18)) <= instance <= schema.get(
        "maximum", 10**18
    ):
        errors.append(f"{at}: bounds")
    if isinstance(instance, list):
        if not schema.get("minItems", 0) <= len(instance) <= schema.get("maxItems", 10**9):
            errors.append(f"{at}: item count")
        for index, item in enumerate(instance):
            errors += _validate(item, schema.get("items", {}), root, f"{at}[{index}]")
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        errors += [
            f"{at}.{key}: required" for key in schema.get("required", []) if key not in instance
        ]
        for key, value in instance.items():
            if key in properties:
                errors += _validate(value, properties[key], root, f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{at}.{key}: not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += _validate(value, schema["additionalProperties"], root, f"{at}.{key}")
    return errors


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return Spec.model_json_schema()


def test_json_schema_accepts_the_acme_example(schema: dict[str, Any]) -> None:
    data = yaml.safe_load(ACME.read_text(encoding="utf-8"))
    assert _validate(data, schema, schema) == []


def test_json_schema_rejects_structural_mistakes(schema: dict[str, Any]) -> None:
    # the checker above really checks: these must fail
    bad = [
        {},
        {"project": {"name": "P"}, "colour": 1},
        {"project": {"name": "P"}, "jobs": "celery"},
        {"project": {"name": "P"}, "auth": {"access_token_minutes": 0}},
        {"project": {"name": "P"}, "rbac": {"roles": ["only"]}},
        {
            "project": {"name": "P"},
            "entities": [{"name": "lower", "fields": [{"name": "a", "type": "string"}]}],
        },
        {"project": {"name": "P"}, "entities": [{"name": "Ok", "fields": []}]},
    ]
    for data in bad:
        assert _validate(data, schema, schema), data


def test_json_schema_with_jsonschema_if_installed(schema: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(yaml.safe_load(ACME.read_text(encoding="utf-8")), schema)


def test_json_schema_structure(schema: dict[str, Any]) -> None:
    assert schema["type"] == "object"
    assert schema["required"] == ["project"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(Spec.model_fields)
    for name, definition in schema["$defs"].items():
        assert definition["additionalProperties"] is False, name
    assert schema["properties"]["jobs"]["enum"] == ["none", "rq"]
    assert schema["properties"]["deploy"]["items"]["enum"] == ["docker", "fly", "render", "heroku"]
    billing = schema["$defs"]["BillingSpec"]["properties"]
    assert billing["provider"]["enum"] == ["none", "stripe", "payfast", "razorpay"]
    field = schema["$defs"]["FieldSpec"]
    assert field["required"] == ["name", "type"]
    assert field["properties"]["max_length"]["anyOf"][0] == {
        "maximum": 1_000_000,
        "minimum": 1,
        "type": "integer",
    }


def test_field_types_are_the_documented_fourteen() -> None:
    assert FIELD_TYPES == (
        "string",
        "text",
        "integer",
        "float",
        "decimal",
        "boolean",
        "date",
        "datetime",
        "email",
        "url",
        "uuid",
        "json",
        "enum",
        "ref",
    )


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        ({"name": "Acme CRM"}, "acme-crm"),
        ({"name": "X", "slug": "double__under_"}, "double-under"),
        ({"name": "X", "slug": "a" * 29 + "_b" * 9}, "a" * 29),
        ({"name": "X", "slug": "z" * 48}, "z" * 30),
    ],
)
def test_service_name_is_a_valid_platform_name(project: dict[str, str], expected: str) -> None:
    name = parse_spec(yaml.safe_dump({"project": project})).project.service_name
    assert name == expected
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name) and len(name) <= 30


# --- rights outside the entity matrix: recording usage, uploading files ----------------------


def test_usage_and_uploads_default_to_the_lowest_role_that_creates_rows() -> None:
    spec = parse_spec(
        "project: {name: P}\n"
        "rbac: {roles: [owner, admin, editor, viewer]}\n"
        "entities:\n"
        "  - {name: Ticket, fields: [{name: body, type: text}], permissions: {create: editor}}\n"
        "  - {name: Report, fields: [{name: body, type: text}], permissions: {create: admin}}\n"
    )
    assert spec.usage_recorder == "editor"
    assert spec.file_uploader == "editor"


def test_a_read_only_lowest_role_neither_records_usage_nor_uploads() -> None:
    spec = parse_spec(
        "project: {name: P}\nrbac: {roles: [owner, admin, viewer]}\n"
        "entities:\n"
        "  - {name: Ticket, fields: [{name: body, type: text}], permissions: {create: admin}}\n"
    )
    assert (spec.usage_recorder, spec.file_uploader) == ("admin", "admin")


def test_without_entities_the_member_manager_records_usage_and_uploads() -> None:
    spec = parse_spec("project: {name: P}\n")
    assert (spec.usage_recorder, spec.file_uploader) == ("admin", "admin")


def test_usage_and_upload_roles_can_be_named() -> None:
    spec = parse_spec(
        "project: {name: P}\n"
        "rbac: {roles: [owner, admin, member], record_usage: member, upload_files: owner}\n"
    )
    assert (spec.usage_recorder, spec.file_uploader) == ("member", "owner")
