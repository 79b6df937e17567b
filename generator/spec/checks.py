"""Rules that relate one part of a spec to another.

Each check appends ``SpecProblem``s instead of raising, so a user sees every
problem of a spec in one run. The rules protect the generated project: a name
that would shadow a built-in column, a keyword that would not compile, a
reference to nothing.
"""

from __future__ import annotations

import builtins
import datetime as dt
import keyword
import math
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from generator.spec.models import (
    ACTIONS,
    FIELD_TYPES,
    MAX_STRING_LENGTH,
    EntitySpec,
    FieldSpec,
    Spec,
)
from generator.spec.problems import Path, SpecProblem, one_of, suggest

# Columns every entity table already has.
BUILTIN_COLUMNS = frozenset({"id", "org_id", "created_at", "updated_at"})
# Names that read like digits or one another (l, O, I): pycodestyle's E741/E742.
AMBIGUOUS_NAMES = frozenset({"l", "O", "I"})
# Attribute names that SQLAlchemy's declarative base or pydantic reserve on a model,
# or that the generated code uses on every entity; and ``tenant_id``, the organization's
# column before it was renamed org_id (generator.schema.upgrades): a field of that name
# would stop existing projects' migration from renaming the column.
RESERVED_FIELD_NAMES = frozenset(
    {
        "metadata",
        "registry",
        "tenant",
        "tenant_id",
        "query",
        "org",
        "model_config",
        "model_fields",
    }
)
# Models, tables and URL segments that the generated project defines itself.
BUILTIN_ENTITY_NAMES = frozenset(
    {
        "User",
        "Organization",
        "Membership",
        "Invitation",
        "AuthSession",
        "ApiKey",
        "AuditEvent",
        "UsageEvent",
        "PaymentEvent",
        "StoredFile",
        "Base",
        "Settings",
        "OrgScope",
        "Page",
        "Org",
        # names the generated modules import next to the entity's class
        "Annotated",
        "Any",
        "APIRouter",
        "Decimal",
        "DecimalText",
        "Depends",
        "Field",
        "Limit",
        "Literal",
        "Mapped",
        "Offset",
        "Cursor",
        "Query",
        "Session",
    }
)
BUILTIN_TABLES = frozenset(
    {
        "users",
        "organizations",
        "memberships",
        "invitations",
        "auth_sessions",
        "api_keys",
        "audit_events",
        "usage_events",
        "payment_events",
        "stored_files",
        "totp_recovery_codes",
        "alembic_version",
    }
)
BUILTIN_ORG_ROUTES = frozenset(
    {"members", "invitations", "billing", "api-keys", "audit-log", "usage", "jobs", "files"}
)
# Modules of app/models and app/schemas (entity modules sit beside them), and of
# app/api/routes (entity route modules are named by the plural).
BUILTIN_MODULES = frozenset(
    {
        "api_key",
        "audit",
        "audit_event",
        "auth",
        "auth_session",
        "billing",
        "common",
        "invitation",
        "org",
        "organization",
        "payment_event",
        "totp_recovery_code",
        "usage",
        "usage_event",
        "user",
    }
)
BUILTIN_ROUTE_MODULES = frozenset(
    {
        "api_keys",
        "audit",
        "auth",
        "billing",
        "health",
        "invitations",
        "members",
        "metrics",
        "orgs",
        "usage",
        "webhooks",
    }
)
# Keys that only make sense for some field types.
TYPE_KEYS: dict[str, frozenset[str]] = {
    "max_length": frozenset({"string", "text", "json"}),
    "values": frozenset({"enum"}),
    "to": frozenset({"ref"}),
    "on_delete": frozenset({"ref"}),
    "max_digits": frozenset({"decimal"}),
    "decimal_places": frozenset({"decimal"}),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Shape checks only: the generated API validates addresses fully.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def check_spec(spec: Spec) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    _check_project(spec, problems)
    _check_rbac(spec, problems)
    _check_billing(spec, problems)
    _check_entities(spec, problems)
    return problems


def spec_warnings(spec: Spec) -> list[SpecProblem]:
    """Choices that are valid but probably unsafe: shown by `dayone spec validate`,
    never a reason to refuse the spec."""
    warnings: list[SpecProblem] = []
    if spec.rbac.member_manager == spec.rbac.lowest_role:
        warnings.append(
            SpecProblem(
                ("rbac", "manage_members"),
                f"the lowest role '{spec.rbac.lowest_role}' manages members: every member"
                " may invite people, remove and re-role peers, and create API keys;"
                " name a higher role unless that is intended",
            )
        )
    return warnings


def _check_project(spec: Spec, out: list[SpecProblem]) -> None:
    if _CONTROL.search(spec.project.name) or "\n" in spec.project.name:
        out.append(SpecProblem(("project", "name"), "must be one line of printable text"))
    if _CONTROL.search(spec.project.description):
        out.append(
            SpecProblem(
                ("project", "description"), "must not contain control characters (tabs are fine)"
            )
        )
    if keyword.iskeyword(spec.project.package):
        out.append(
            SpecProblem(
                ("project", "slug"),
                f"'{spec.project.package}' is a Python keyword; choose another slug",
            )
        )


def _check_rbac(spec: Spec, out: list[SpecProblem]) -> None:
    roles = spec.rbac.roles
    for index, role in _duplicates(roles):
        out.append(SpecProblem(("rbac", "roles", index), f"role '{role}' is listed twice"))
    for key in ("manage_members", "record_usage", "upload_files"):
        role = getattr(spec.rbac, key)
        if role is not None and role not in roles:
            out.append(_unknown_role(("rbac", key), role, roles))


def _check_billing(spec: Spec, out: list[SpecProblem]) -> None:
    billing = spec.billing
    for index, plan_id in _duplicates([p.id for p in billing.plans]):
        out.append(
            SpecProblem(("billing", "plans", index, "id"), f"plan '{plan_id}' is defined twice")
        )
    prices = [(i, p.price_id) for i, p in enumerate(billing.plans) if p.price_id is not None]
    for position, price_id in _duplicates([price for _, price in prices]):
        out.append(
            SpecProblem(
                ("billing", "plans", prices[position][0], "price_id"),
                f"price_id '{price_id}' belongs to another plan already; provider events "
                "name the plan by it, so it must be unique",
            )
        )
    if billing.enabled and not billing.plans:
        out.append(
            SpecProblem(
                ("billing", "plans"),
                f"billing.provider is '{billing.provider}' but no plans are defined; add at "
                "least one plan, or set provider: none",
            )
        )
    elif billing.enabled and not any(p.paid for p in billing.plans):
        price = "an 'amount'" if billing.provider == "payfast" else "a 'price_id'"
        out.append(
            SpecProblem(
                ("billing", "plans"),
                f"billing.provider is '{billing.provider}' but no plan has {price}, so "
                "there is nothing to sell; price a plan, or set provider: none",
            )
        )
    for index, plan in enumerate(billing.plans):
        for findex, feature in _duplicates(plan.features):
            out.append(
                SpecProblem(
                    ("billing", "plans", index, "features", findex),
                    f"feature '{feature}' is listed twice",
                )
            )
        _check_plan_price(spec, index, out)
    _check_trial(spec, out)
    features = set(billing.features)
    for index, entity in enumerate(spec.entities):
        needed = spec.features_needed(entity)
        if entity.feature is not None and entity.feature not in features:
            offered = sorted(features)
            message = f"feature '{entity.feature}' is not offered by any plan in billing.plans"
            message += suggest(entity.feature, offered) if offered else "; define plans first"
            out.append(SpecProblem(("entities", index, "feature"), message))
        # (a feature that no plan offers at all is reported on its own entity)
        elif needed and needed <= features and spec.plan_for(entity) is None:
            out.append(
                SpecProblem(
                    ("entities", index, "feature" if entity.feature else "fields"),
                    f"{entity.name} needs the features {', '.join(sorted(needed))} (its own "
                    "and those of the entities it refers to), but no plan offers all of "
                    "them; add them to one plan",
                )
            )


def _check_plan_price(spec: Spec, index: int, out: list[SpecProblem]) -> None:
    """Stripe and Razorpay name a paid plan by price_id; PayFast needs the amount."""
    plan = spec.billing.plans[index]
    path: Path = ("billing", "plans", index)
    if spec.billing.provider == "payfast":
        if plan.price_id is not None:
            out.append(
                SpecProblem(
                    (*path, "price_id"),
                    "PayFast has no price ids; give a paid plan its monthly 'amount' instead",
                )
            )
    elif plan.amount is not None:
        out.append(
            SpecProblem(
                (*path, "amount"),
                "'amount' is used with provider payfast only; "
                + (
                    f"{spec.billing.provider} keeps prices itself: set 'price_id'"
                    if spec.billing.enabled
                    else "without a provider plans are assigned by hand"
                ),
            )
        )
    if plan.amount is not None:
        exponent = Decimal(str(plan.amount)).normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            out.append(
                SpecProblem((*path, "amount"), f"{plan.amount} has more than 2 decimal places")
            )


def _check_trial(spec: Spec, out: list[SpecProblem]) -> None:
    billing = spec.billing
    if billing.trial_days and not billing.enabled:
        out.append(
            SpecProblem(
                ("billing", "trial_days"), "a trial needs a billing provider; set billing.provider"
            )
        )
    if billing.trial_plan is None:
        return
    trial = billing.plan(billing.trial_plan)
    ids = [p.id for p in billing.plans]
    if trial is None:
        out.append(
            SpecProblem(
                ("billing", "trial_plan"),
                f"unknown plan '{billing.trial_plan}'{suggest(billing.trial_plan, ids)}"
                + (f"; plans are {one_of(ids)}" if ids else ""),
            )
        )
    elif not trial.paid:
        out.append(
            SpecProblem(
                ("billing", "trial_plan"),
                f"'{trial.id}' is a free plan; a trial is for a paid plan",
            )
        )
    if not billing.trial_days:
        out.append(
            SpecProblem(
                ("billing", "trial_plan"), "trial_plan needs trial_days (how long the trial lasts)"
            )
        )


def _check_required_ref_cycles(spec: Spec, out: list[SpecProblem]) -> None:
    """Rows of entities that require each other in a cycle could never be created."""
    graph = {
        e.name: [f.to for f in e.fields if f.type == "ref" and f.required and f.to]
        for e in spec.entities
    }
    for index, entity in enumerate(spec.entities):
        stack, seen = list(graph.get(entity.name, [])), set()
        while stack:
            current = stack.pop()
            if current == entity.name:
                out.append(
                    SpecProblem(
                        ("entities", index, "fields"),
                        f"{entity.name} requires a reference back to itself (directly or "
                        "through other entities), so no first row could ever be created; "
                        "make one of those refs 'required: false'",
                    )
                )
                break
            if current not in seen:
                seen.add(current)
                stack.extend(graph.get(current, []))


def _check_entities(spec: Spec, out: list[SpecProblem]) -> None:
    _check_required_ref_cycles(spec, out)
    entities = spec.entities
    names = [e.name for e in entities]
    for index, name in _duplicates(names):
        out.append(SpecProblem(("entities", index, "name"), f"entity '{name}' is defined twice"))
    for index, module in _duplicates([e.module for e in entities]):
        if names[index] not in names[:index]:  # the same name is reported above
            out.append(
                SpecProblem(
                    ("entities", index, "name"),
                    f"'{names[index]}' has the module name '{module}' of another entity; "
                    "rename one",
                )
            )
    for index, table in _duplicates([e.table for e in entities]):
        out.append(
            SpecProblem(
                ("entities", index, "plural"),
                f"two entities share the table '{table}'; give one a different 'plural'",
            )
        )
    roles = spec.rbac.roles
    for index, entity in enumerate(entities):
        path: Path = ("entities", index)
        _check_entity_names(entity, path, out)
        for action, role in entity.permissions.items():
            if action not in ACTIONS:
                out.append(
                    SpecProblem(
                        (*path, "permissions", action),
                        f"unknown action '{action}'{suggest(action, ACTIONS)}; "
                        f"use {one_of(ACTIONS)}",
                    )
                )
            if role not in roles:
                out.append(_unknown_role((*path, "permissions", action), role, roles))
        if entity.renamed_from is not None and entity.renamed_from in names:
            out.append(
                SpecProblem(
                    (*path, "renamed_from"),
                    f"'{entity.renamed_from}' is still an entity of this spec; a rename needs "
                    "the old name gone",
                )
            )
        _check_fields(spec, entity, path, out)


def _check_entity_names(entity: EntitySpec, path: Path, out: list[SpecProblem]) -> None:
    if entity.name in BUILTIN_ENTITY_NAMES or hasattr(builtins, entity.name):
        out.append(
            SpecProblem(
                (*path, "name"),
                f"'{entity.name}' is a built-in model of the generated project; choose "
                "another name",
            )
        )
    if entity.table in BUILTIN_TABLES:
        out.append(
            SpecProblem(
                (*path, "plural" if entity.plural else "name"),
                f"the table '{entity.table}' is built into the generated project; "
                "choose another name or set 'plural'",
            )
        )
    elif entity.route in BUILTIN_ORG_ROUTES:
        out.append(
            SpecProblem(
                (*path, "plural" if entity.plural else "name"),
                f"the URL /orgs/{{org_id}}/{entity.route} is built into the generated "
                "project; choose another name or set 'plural'",
            )
        )
    elif entity.plural_name in BUILTIN_ROUTE_MODULES:
        out.append(
            SpecProblem(
                (*path, "plural" if entity.plural else "name"),
                f"the module app/api/routes/{entity.plural_name}.py is built into the "
                "generated project; choose another name or set 'plural'",
            )
        )
    if entity.module in BUILTIN_MODULES and entity.name not in BUILTIN_ENTITY_NAMES:
        out.append(
            SpecProblem(
                (*path, "name"),
                f"the module '{entity.module}' is built into the generated project "
                "(app/models, app/schemas); choose another name",
            )
        )
    if entity.name in AMBIGUOUS_NAMES:
        out.append(
            SpecProblem(
                (*path, "name"),
                f"'{entity.name}' reads like 1, l or 0 in code, and linters reject it as a "
                "class name (ruff E742); choose a longer name",
            )
        )
    if keyword.iskeyword(entity.module):
        out.append(
            SpecProblem((*path, "name"), f"'{entity.module}' is a Python keyword once lower-cased")
        )
    elif keyword.iskeyword(entity.plural_name):
        out.append(
            SpecProblem(
                (*path, "plural" if entity.plural else "name"),
                f"the plural '{entity.plural_name}' is a Python keyword; set another 'plural'",
            )
        )


def _check_fields(spec: Spec, entity: EntitySpec, path: Path, out: list[SpecProblem]) -> None:
    for index, name in _duplicates([f.name for f in entity.fields]):
        out.append(
            SpecProblem((*path, "fields", index, "name"), f"field '{name}' is defined twice")
        )
    columns = Counter(f.column for f in entity.fields)
    for index, field in enumerate(entity.fields):
        fpath: Path = (*path, "fields", index)
        _check_field_name(field, fpath, out)
        if field.type == "ref" and columns[field.column] > 1:
            out.append(
                SpecProblem(
                    (*fpath, "name"),
                    f"the ref '{field.name}' stores its id in the column '{field.column}', "
                    "which another field already uses",
                )
            )
        if field.type not in FIELD_TYPES:
            out.append(
                SpecProblem(
                    (*fpath, "type"),
                    f"unknown type '{field.type}'{suggest(field.type, FIELD_TYPES)}; "
                    f"use one of {', '.join(FIELD_TYPES)}",
                )
            )
            continue
        _check_type_keys(field, fpath, out)
        _check_enum(field, fpath, out)
        _check_ref(spec, field, fpath, out)
        _check_default(field, fpath, out)
        if field.renamed_from is not None and entity.field(field.renamed_from) is not None:
            out.append(
                SpecProblem(
                    (*fpath, "renamed_from"),
                    f"'{field.renamed_from}' is still a field of {entity.name}; a rename needs "
                    "the old name gone",
                )
            )


def _check_field_name(field: FieldSpec, path: Path, out: list[SpecProblem]) -> None:
    name = field.name
    if name in BUILTIN_COLUMNS or field.column in BUILTIN_COLUMNS:
        out.append(
            SpecProblem(
                (*path, "name"),
                f"'{name}' collides with a built-in column ({', '.join(sorted(BUILTIN_COLUMNS))})"
                "; choose another name",
            )
        )
    elif keyword.iskeyword(name) or keyword.issoftkeyword(name):
        out.append(
            SpecProblem((*path, "name"), f"'{name}' is a Python keyword; choose another name")
        )
    elif name in AMBIGUOUS_NAMES:
        out.append(
            SpecProblem(
                (*path, "name"),
                f"'{name}' reads like 1 or I in code, and linters reject it as a name (ruff "
                "E741); choose a longer name, such as 'length'",
            )
        )
    elif name in RESERVED_FIELD_NAMES or name.startswith("model_"):
        out.append(
            SpecProblem(
                (*path, "name"),
                f"'{name}' is reserved by the generated models; choose another name",
            )
        )


def _check_type_keys(field: FieldSpec, path: Path, out: list[SpecProblem]) -> None:
    for key, types in TYPE_KEYS.items():
        if getattr(field, key) is not None and field.type not in types:
            allowed = " or ".join(sorted(types))
            out.append(
                SpecProblem(
                    (*path, key),
                    f"'{key}' applies only to type {allowed}, not to '{field.type}'",
                )
            )
    if field.type == "string" and (field.max_length or 0) > MAX_STRING_LENGTH:
        out.append(
            SpecProblem(
                (*path, "max_length"),
                f"a string allows at most {MAX_STRING_LENGTH:,} characters; "
                "use type text for longer values",
            )
        )
    if field.unique and field.type == "json":
        out.append(SpecProblem((*path, "unique"), "a json field cannot be unique"))
    if field.type == "decimal":
        digits, places = field.precision  # the defaults (12, 2) apply to a key left out
        if places > digits:
            key = "decimal_places" if field.decimal_places is not None else "max_digits"
            out.append(
                SpecProblem(
                    (*path, key),
                    f"decimal_places ({places}) cannot be larger than max_digits ({digits})",
                )
            )


def _check_enum(field: FieldSpec, path: Path, out: list[SpecProblem]) -> None:
    if field.type != "enum":
        return
    if not field.values:
        out.append(
            SpecProblem((*path, "values"), "an enum needs 'values', e.g. values: [open, closed]")
        )
        return
    for index, value in _duplicates(field.values):
        out.append(SpecProblem((*path, "values", index), f"value '{value}' is listed twice"))
    for index, value in enumerate(field.values):
        if _CONTROL.search(value) or "\n" in value or value != value.strip():
            out.append(
                SpecProblem(
                    (*path, "values", index),
                    "enum values must be printable text without surrounding spaces",
                )
            )


def _check_ref(spec: Spec, field: FieldSpec, path: Path, out: list[SpecProblem]) -> None:
    if field.type != "ref":
        return
    names = [e.name for e in spec.entities]
    if field.to is None:
        out.append(
            SpecProblem((*path, "to"), "a ref needs 'to': the name of the entity it points at")
        )
    elif field.to not in names:
        out.append(
            SpecProblem(
                (*path, "to"),
                f"unknown entity '{field.to}'{suggest(field.to, names)}"
                + (f"; entities are {one_of(names)}" if names else ""),
            )
        )
    if field.on_delete == "set_null" and field.required:
        out.append(
            SpecProblem(
                (*path, "on_delete"),
                "set_null needs an optional field: add 'required: false' or use cascade/restrict",
            )
        )
    if field.default is not None:
        out.append(SpecProblem((*path, "default"), "a ref cannot have a default"))


def _check_default(field: FieldSpec, path: Path, out: list[SpecProblem]) -> None:
    value = field.default
    if value is None or field.type == "ref":
        return
    problem = _default_problem(field, value)
    if problem is not None:
        out.append(SpecProblem((*path, "default"), problem))


def _default_problem(field: FieldSpec, value: str | int | float | bool) -> str | None:
    kind = field.type
    if kind in {"json", "uuid"}:
        return f"a {kind} field cannot have a default"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"expected a whole number, got {value!r}"
        if not -(2**31) <= value <= 2**31 - 1:
            return f"{value} does not fit the 32-bit integer column"
        return None
    if kind in {"float", "decimal"}:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"expected a number, got {value!r}"
        if not math.isfinite(value):
            return f"expected a finite number, got {value!r}"
        return _decimal_problem(field, value) if kind == "decimal" else None
    if not isinstance(value, str):
        return f"expected text, got {value!r}"
    if kind == "enum":
        values = field.values or []
        if value not in values:
            return f"'{value}' is not one of the values{suggest(value, values)}: {one_of(values)}"
    if kind in {"string", "email", "url"} and len(value) > field.length:
        return f"longer than the field's max length ({field.length})"
    if kind == "text" and len(value) > field.max_chars:
        return f"longer than the field's max length ({field.max_chars})"
    if kind == "string" and field.required and not value:
        return "a required string cannot default to empty text (the API refuses it)"
    if kind == "email" and not _EMAIL.fullmatch(value):
        return f"'{value}' is not an email address"
    if kind == "url" and not _URL.fullmatch(value):
        return f"'{value}' is not an http(s) URL"
    if kind == "date" and not _parses(dt.date.fromisoformat, value):
        return f"'{value}' is not a date like 2024-01-31"
    if kind == "datetime":
        if not _parses(dt.datetime.fromisoformat, value):
            return f"'{value}' is not a date-time like 2024-01-31T12:00:00Z"
        if dt.datetime.fromisoformat(value).tzinfo is None:
            return f"'{value}' has no time zone; add one, e.g. {value}Z"
    if kind == "uuid" and not _parses(uuid.UUID, value):
        return f"'{value}' is not a UUID"
    return None


def _decimal_problem(field: FieldSpec, value: int | float) -> str | None:
    digits, places = field.precision
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return f"{value} has more than {places} decimal place(s)"
    if abs(value) >= 10 ** (digits - places):
        return f"{value} does not fit {digits} digit(s) with {places} decimal place(s)"
    return None


def _parses(parse: object, value: str) -> bool:
    try:
        parse(value)  # type: ignore[operator]
    except ValueError:
        return False
    return True


def _unknown_role(path: Path, role: str, roles: list[str]) -> SpecProblem:
    return SpecProblem(
        path, f"unknown role '{role}'{suggest(role, roles)}; rbac.roles are {one_of(roles)}"
    )


def _duplicates(items: Iterable[str]) -> list[tuple[int, str]]:
    """(index, item) of every repeat after an item's first appearance."""
    seen: set[str] = set()
    repeats = []
    for index, item in enumerate(items):
        if item in seen:
            repeats.append((index, item))
        seen.add(item)
    return repeats
