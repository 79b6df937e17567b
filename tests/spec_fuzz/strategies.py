"""Hypothesis strategies that build valid specs across the surface of docs/spec.md.

``specs()`` draws a spec as a plain mapping (what ``yaml.safe_dump`` writes and
``dayone spec validate`` reads): roles, every billing provider with free and
paid plans, trials, quotas and rate limits, entities gated by paid-only, free
or no features, every field type with its options, references of every
``on_delete`` rule (chains and self-references), the optional sections, the
web app (``frontend: react``) or none, and hostile but valid text. Every rule
of ``generator/spec/checks.py`` is met by construction, so a spec the
validator refuses is a bug in one or the other.
"""

from __future__ import annotations

import builtins
import keyword
from typing import Any

import yaml
from hypothesis import strategies as st

from generator.spec.checks import (
    AMBIGUOUS_NAMES,
    BUILTIN_COLUMNS,
    BUILTIN_ENTITY_NAMES,
    BUILTIN_MODULES,
    BUILTIN_ORG_ROUTES,
    BUILTIN_ROUTE_MODULES,
    BUILTIN_TABLES,
    RESERVED_FIELD_NAMES,
)
from generator.spec.models import FIELD_TYPES, derive_slug
from generator.spec.naming import pluralize, snake_case

Spec = dict[str, Any]

# Text that has broken code generators: quotes, backslashes, Jinja, shell and
# Python syntax, HTML, YAML look-alikes, non-ASCII and right-to-left text.
HOSTILE = [
    "'",
    '"',
    '"""',
    "'''",
    "\\",
    "\\n",
    "{{ 7*7 }}",
    "{% raw %}",
    "{#",
    "$(rm -rf /)",
    "`id`",
    "; echo pwned",
    "<script>alert(1)</script>",
    "&amp;",
    "# noqa",
    "yes",
    "null",
    "2024-01-31",
    "Ünïcode",
    "日本語",
    "🚀",
    "%s %(x)s {0}",
    "--",
    "*/",
    "@",
]
# Any printable character: spec text reaches Python code as ASCII escapes, so
# look-alikes (a no-break space, Greek and Cyrillic letters) cannot trip ruff.
_PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Cn", "Co"))


def _hostile_text(max_size: int, *, lines: bool) -> st.SearchStrategy[str]:
    pieces = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(_PRINTABLE, min_size=1, max_size=12),
        st.sampled_from(["\t", "\n"] if lines else [" "]),
    )
    return (
        st.lists(pieces, max_size=8)
        .map(lambda parts: " ".join(parts)[:max_size])
        .filter(lambda text: lines or "\n" not in text)
    )


def project_names() -> st.SearchStrategy[str]:
    return _hostile_text(200, lines=False).filter(lambda name: name.strip() != "")


def snake_names(max_size: int = 48) -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[a-z][a-z0-9_]{0,14}\Z").map(lambda s: s[:max_size])


def _word() -> st.SearchStrategy[str]:
    return st.one_of(
        st.from_regex(r"\A[A-Z][a-z]{1,8}\Z"),
        st.from_regex(r"\A[A-Z]{2,4}\Z"),  # acronyms: HTTPLog -> http_log
        st.sampled_from(["Person", "Child", "Company", "Box", "Data", "Status", "News"]),
    )


def _entity_name_ok(name: str) -> bool:
    module = snake_case(name)
    plural = pluralize(module)
    return (
        len(name) <= 48
        and name not in BUILTIN_ENTITY_NAMES
        and not hasattr(builtins, name)
        and module not in BUILTIN_MODULES
        and not keyword.iskeyword(module)
        and not keyword.iskeyword(plural)
        and plural not in BUILTIN_TABLES
        and plural.replace("_", "-") not in BUILTIN_ORG_ROUTES
        and plural not in BUILTIN_ROUTE_MODULES
    )


def entity_names() -> st.SearchStrategy[str]:
    return (
        st.tuples(_word(), st.lists(_word(), max_size=2), st.sampled_from(["", "", "2"]))
        .map(lambda t: t[0] + "".join(t[1]) + t[2])
        .filter(_entity_name_ok)
    )


def field_names() -> st.SearchStrategy[str]:
    return snake_names().filter(
        lambda n: (
            n not in BUILTIN_COLUMNS
            and not keyword.iskeyword(n)
            and not keyword.issoftkeyword(n)
            and n not in RESERVED_FIELD_NAMES
            and not n.startswith("model_")
            and n not in AMBIGUOUS_NAMES
            and f"{n}_id" not in BUILTIN_COLUMNS
        )
    )


@st.composite
def roles(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(snake_names(32), min_size=2, max_size=8, unique=True))
    rbac: dict[str, Any] = {"roles": names}
    choice = draw(st.sampled_from(["default", "top", "lowest", "any"]))
    if choice == "top":
        rbac["manage_members"] = names[0]
    elif choice == "lowest":
        rbac["manage_members"] = names[-1]
    elif choice == "any":
        rbac["manage_members"] = draw(st.sampled_from(names))
    return rbac


RATES = st.one_of(
    st.sampled_from(["1000/hour", "50/15m", "5/second", "100/d", "1/2h"]),
    st.builds(
        lambda n, k, p: f"{n}/{k}{p}",
        st.integers(1, 10**6),
        st.sampled_from(["", "1", "15", "60"]),
        st.sampled_from(["s", "m", "h", "d", "second", "minute", "hour", "day"]),
    ),
)


@st.composite
def billing(draw: st.DrawFn, features: list[str]) -> dict[str, Any]:
    provider = draw(st.sampled_from(["none", "stripe", "payfast", "razorpay"]))
    count = draw(st.integers(0 if provider == "none" else 1, 4))
    ids = draw(st.lists(snake_names(), min_size=count, max_size=count, unique=True))
    plans: list[dict[str, Any]] = []
    for index, plan_id in enumerate(ids):
        plan: dict[str, Any] = {"id": plan_id}
        # A provider needs one paid plan: the last one is paid then.
        paid = draw(st.booleans()) or (provider != "none" and index == count - 1)
        if paid and provider == "payfast":
            cents = draw(st.integers(1, 100_000_000))
            plan["amount"] = cents // 100 if cents % 100 == 0 else cents / 100
        elif paid:
            plan["price_id"] = f"price_{index}_" + draw(st.from_regex(r"\A[A-Za-z0-9]{0,12}\Z"))
        plan["features"] = (
            draw(st.lists(st.sampled_from(features), unique=True)) if features else []
        )
        if draw(st.booleans()):
            plan["quotas"] = draw(
                st.dictionaries(snake_names(), st.integers(0, 2**31 - 1), max_size=3)
            )
        if draw(st.booleans()):
            plan["api_rate_limit"] = draw(RATES)
        plans.append(plan)
    spec: dict[str, Any] = {"provider": provider, "plans": plans}
    paid_ids = [p["id"] for p in plans if "price_id" in p or "amount" in p]
    if provider != "none" and draw(st.booleans()):
        spec["trial_days"] = draw(st.integers(0, 365))
        if spec["trial_days"] and draw(st.booleans()):
            spec["trial_plan"] = draw(st.sampled_from(paid_ids))
    return spec


def _default(draw: st.DrawFn, field: dict[str, Any]) -> Any:
    kind = field["type"]
    if kind == "string":
        limit = field.get("max_length", 255)
        return draw(st.text(_PRINTABLE, min_size=1, max_size=min(limit, 20)))
    if kind == "text":
        return draw(_hostile_text(60, lines=True))
    if kind == "integer":
        return draw(st.integers(-(2**31), 2**31 - 1))
    if kind == "float":
        return draw(st.floats(allow_nan=False, allow_infinity=False, width=32))
    if kind == "decimal":
        digits, places = field.get("max_digits", 12), field.get("decimal_places", 2)
        whole = draw(st.integers(0, min(10 ** (digits - places) - 1, 10**6)))
        return whole if places == 0 or draw(st.booleans()) else whole + 0.5
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "date":
        return draw(st.dates()).isoformat()
    if kind == "datetime":
        return draw(st.sampled_from(["2024-01-31T12:00:00Z", "1999-12-31T23:59:59+05:30"]))
    if kind == "email":
        return "someone@example.com"
    if kind == "url":
        return draw(st.sampled_from(["https://example.com/a?b=c", "http://x.io"]))
    if kind == "enum":
        return draw(st.sampled_from(field["values"]))
    return None


ENUM_VALUES = st.lists(
    st.one_of(
        st.from_regex(r"\A[A-Za-z][A-Za-z0-9 -]{0,20}[A-Za-z0-9]\Z"),
        st.sampled_from(["yes", "no", "On", "In Progress", "won-lost", "A", "1"]),
    ),
    min_size=1,
    max_size=5,
    unique=True,
)


@st.composite
def field(draw: st.DrawFn, name: str, kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": kind}
    if kind == "string" and draw(st.booleans()):
        spec["max_length"] = draw(st.integers(1, 10_000))
    if kind == "decimal" and draw(st.booleans()):
        digits = draw(st.integers(1, 38))
        spec["max_digits"] = digits
        spec["decimal_places"] = draw(st.integers(0, min(digits, 30)))
    if kind == "enum":
        spec["values"] = draw(ENUM_VALUES)
    if draw(st.booleans()):
        spec["required"] = draw(st.booleans())
    if kind != "json" and draw(st.booleans()):
        spec["unique"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["index"] = draw(st.booleans())
    if kind not in {"uuid", "json"} and draw(st.integers(0, 2)) == 0:
        spec["default"] = _default(draw, spec)
    if draw(st.integers(0, 3)) == 0:
        spec["description"] = draw(_hostile_text(500, lines=True))
    return spec


@st.composite
def entities(draw: st.DrawFn, role_names: list[str], features: list[str]) -> list[dict[str, Any]]:
    names = draw(
        st.lists(
            entity_names(),
            min_size=0,
            max_size=4,
            unique_by=(lambda n: snake_case(n), lambda n: pluralize(snake_case(n))),
        )
    )
    out: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        fnames = draw(st.lists(field_names(), min_size=1, max_size=5, unique=True))
        fields: list[dict[str, Any]] = []
        columns = set(fnames)
        for fname in fnames:
            kind = draw(st.sampled_from(FIELD_TYPES))
            if kind == "ref":
                if f"{fname}_id" in columns:
                    kind = "text"
                else:
                    columns.add(f"{fname}_id")
                    # Required refs point only at earlier entities, so no required
                    # cycle exists; self and forward references are optional.
                    target = draw(st.integers(0, len(names) - 1))
                    rule = draw(st.sampled_from(["cascade", "restrict", "set_null", None]))
                    ref: dict[str, Any] = {"name": fname, "type": "ref", "to": names[target]}
                    if target >= index or rule == "set_null" or draw(st.booleans()):
                        ref["required"] = False
                    if rule is not None:
                        ref["on_delete"] = rule
                    if draw(st.booleans()):
                        ref["unique"] = draw(st.booleans())
                    fields.append(ref)
                    continue
            fields.append(draw(field(fname, kind)))
        entity: dict[str, Any] = {"name": name, "fields": fields}
        if features and draw(st.booleans()):
            entity["feature"] = draw(st.sampled_from(features))
        if draw(st.booleans()):
            entity["permissions"] = draw(
                st.dictionaries(
                    st.sampled_from(["read", "create", "update", "delete"]),
                    st.sampled_from(role_names),
                )
            )
        if draw(st.integers(0, 3)) == 0:
            entity["description"] = draw(_hostile_text(300, lines=True))
        out.append(entity)
    return out


def _needed(by_name: dict[str, dict[str, Any]], name: str) -> set[str]:
    needed: set[str] = set()
    seen: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        entity = by_name[current]
        if "feature" in entity:
            needed.add(entity["feature"])
        stack.extend(f["to"] for f in entity["fields"] if f["type"] == "ref")
    return needed


def _offer_needed_features(spec: Spec) -> None:
    """Every gated entity needs one plan offering its features and its refs'."""
    plans = spec.get("billing", {}).get("plans", [])
    by_name = {e["name"]: e for e in spec.get("entities", [])}
    for entity in spec.get("entities", []):
        needed = _needed(by_name, entity["name"])
        if not needed or any(needed <= set(p["features"]) for p in plans):
            continue
        # The plan already offering the entity's own feature, else the last plan.
        own = entity.get("feature")
        host = next((p for p in plans if own in p["features"]), plans[-1])
        host["features"] += sorted(needed - set(host["features"]))


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    """A valid spec, as the mapping its YAML holds."""
    name = draw(project_names())
    project: dict[str, Any] = {"name": name}
    if keyword.iskeyword(derive_slug(name)) or draw(st.integers(0, 4)) == 0:
        project["slug"] = draw(snake_names().filter(lambda s: not keyword.iskeyword(s)))
    if draw(st.booleans()):
        project["description"] = draw(_hostile_text(2000, lines=True))
    spec: Spec = {"project": project}
    rbac = draw(roles())
    if rbac["roles"] != ["owner", "admin", "member"] or draw(st.booleans()):
        spec["rbac"] = rbac
    features = draw(st.lists(snake_names(), max_size=4, unique=True))
    spec["billing"] = draw(billing(features))
    plans = spec["billing"]["plans"]
    offered = sorted({f for p in plans for f in p["features"]})
    if not offered and plans and features:
        plans[-1]["features"] = [features[0]]
        offered = [features[0]]
    spec["entities"] = draw(entities(rbac["roles"], offered))
    _offer_needed_features(spec)
    if draw(st.booleans()):
        spec["auth"] = {
            "cookie_mode": draw(st.booleans()),
            "totp": draw(st.booleans()),
            "access_token_minutes": draw(st.integers(1, 1440)),
            "refresh_token_days": draw(st.integers(1, 365)),
        }
    if draw(st.booleans()):
        spec["orgs"] = {
            "invitations": draw(st.booleans()),
            "invitation_expiry_hours": draw(st.integers(1, 2160)),
        }
    spec["metrics"] = draw(st.booleans())
    spec["jobs"] = draw(st.sampled_from(["none", "rq"]))
    spec["storage"] = draw(st.sampled_from(["local", "s3"]))
    spec["email"] = draw(st.sampled_from(["console", "smtp"]))
    spec["deploy"] = draw(
        st.lists(st.sampled_from(["docker", "fly", "render", "heroku"]), unique=True)
    )
    # Drawn last, so the rest of a seed's draw is what it was before the web app.
    spec["frontend"] = draw(st.sampled_from(["none", "react"]))
    return spec


def to_yaml(spec: Spec) -> str:
    """The spec as YAML, ready to paste into tests/spec_fuzz/regressions/."""
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=1000)
