"""Pydantic models of the spec (``dayone.yaml``).

These classes are the user-facing contract: every key a spec may hold is a
field here, with its default and its bounds. Structural validation (types,
unknown keys, ranges) happens in pydantic; the rules that relate one part of
the spec to another (a permission naming a role, a ref naming an entity) live
in ``generator.spec.checks`` so that every problem is reported at once.

Derived names (table, plural, module) are properties here, so the templates
and the schema builder share one definition of them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from generator.spec.naming import pluralize, snake_case

FIELD_TYPES: tuple[str, ...] = (
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
ACTIONS: tuple[str, ...] = ("read", "create", "update", "delete")
BILLING_PROVIDERS: tuple[str, ...] = ("none", "stripe", "payfast", "razorpay")
# Settings (app.core.config) each provider needs in production.
PROVIDER_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "stripe": ("stripe_api_key", "stripe_webhook_secret"),
    "payfast": ("payfast_merchant_id", "payfast_merchant_key", "payfast_passphrase"),
    "razorpay": ("razorpay_key_id", "razorpay_key_secret", "razorpay_webhook_secret"),
}
DEPLOY_TARGETS: tuple[str, ...] = ("docker", "fly", "render", "heroku")

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
EntityName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9]*$", max_length=48)]
RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
FeatureName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
MetricName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
# Requests per window, as the generated app.core.ratelimit.parse_rate reads them:
# "1000/hour", "50/15m" (periods s, m, h, d or second, minute, hour, day).
RATE_PATTERN = r"^[1-9][0-9]{0,8}/([1-9][0-9]{0,4})?(s|m|h|d|second|minute|hour|day)$"
RateText = Annotated[str, StringConstraints(pattern=RATE_PATTERN)]


class SpecModel(BaseModel):
    """Base of every spec section: unknown keys are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ProjectSpec(SpecModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    slug: Slug | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] = ""

    @property
    def package(self) -> str:
        """The Python-safe slug: given, or derived from the name."""
        return self.slug if self.slug is not None else derive_slug(self.name)

    @property
    def service_name(self) -> str:
        """The name of the app on hosting platforms and of its image ('acme-crm').

        Lowercase letters, digits and single dashes, at most 30 characters:
        valid as a Docker image, Fly app, Render service and Heroku app name.
        """
        return re.sub(r"-+", "-", self.package.replace("_", "-"))[:30].strip("-")


class AuthSpec(SpecModel):
    cookie_mode: bool = False
    totp: bool = False
    access_token_minutes: Annotated[int, Field(ge=1, le=1440)] = 15
    refresh_token_days: Annotated[int, Field(ge=1, le=365)] = 14


class RbacSpec(SpecModel):
    roles: Annotated[list[RoleName], Field(min_length=2, max_length=12)] = [
        "owner",
        "admin",
        "member",
    ]
    manage_members: RoleName | None = None
    # Lowest roles that may record usage and upload files (default: Spec.usage_recorder
    # and Spec.file_uploader, derived from the entities' create permissions).
    record_usage: RoleName | None = None
    upload_files: RoleName | None = None

    @property
    def top_role(self) -> str:
        return self.roles[0]

    @property
    def lowest_role(self) -> str:
        return self.roles[-1]

    @property
    def member_manager(self) -> str:
        """Lowest role that may invite and manage members. Default: the second role
        when there are three or more roles, the top role with two (never the lowest
        role by default: it would let every member invite, remove peers and mint keys)."""
        if self.manage_members is not None:
            return self.manage_members
        return self.roles[1] if len(self.roles) >= 3 else self.roles[0]


class OrgsSpec(SpecModel):
    invitations: bool = True
    invitation_expiry_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 72


class PlanSpec(SpecModel):
    id: FeatureName
    # Stripe price id or Razorpay plan id: how provider events name this plan.
    price_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    # PayFast has no price objects: the monthly amount (ZAR) is part of the payment form.
    amount: Annotated[float, Field(gt=0, le=1_000_000)] | None = None
    features: list[FeatureName] = []
    # Usage allowed per billing period (calendar month, UTC), by metric.
    quotas: dict[MetricName, Annotated[int, Field(ge=0, le=2**31 - 1)]] = {}
    # Requests each API key of an organization on this plan may make, e.g.
    # "1000/hour"; unset: the generated project's API_KEY_RATE_LIMIT setting.
    api_rate_limit: RateText | None = None

    @property
    def paid(self) -> bool:
        return self.price_id is not None or self.amount is not None

    @property
    def amount_text(self) -> str | None:
        """The amount with two decimals ("99.00"), as PayFast wants it."""
        return None if self.amount is None else f"{Decimal(str(self.amount)):.2f}"


class BillingSpec(SpecModel):
    provider: Literal["none", "stripe", "payfast", "razorpay"] = "none"
    trial_days: Annotated[int, Field(ge=0, le=365)] = 0
    # The plan a new organization tries out; default: the first paid plan.
    trial_plan: FeatureName | None = None
    # One trial per person: only the first organization a user creates starts on
    # the trial; false gives every new organization its own.
    trial_once_per_user: bool = True
    plans: list[PlanSpec] = []

    @property
    def enabled(self) -> bool:
        """A payment provider is configured (checkout, webhooks)."""
        return self.provider != "none"

    @property
    def has_plans(self) -> bool:
        """Plans, feature gates and usage metering are generated."""
        return bool(self.plans)

    def plan(self, plan_id: str) -> PlanSpec | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    @property
    def free_plan(self) -> PlanSpec | None:
        """Whose features apply when no subscription is active: the first unpaid plan."""
        return next((p for p in self.plans if not p.paid), None)

    @property
    def plan_on_trial(self) -> PlanSpec | None:
        if not self.trial_days:
            return None
        if self.trial_plan is not None:
            return self.plan(self.trial_plan)
        return next((p for p in self.plans if p.paid), None)

    @property
    def features(self) -> list[str]:
        return sorted({f for p in self.plans for f in p.features})

    @property
    def credentials(self) -> tuple[str, ...]:
        """The provider's settings that production cannot run without."""
        return PROVIDER_CREDENTIALS.get(self.provider, ())


OnDelete = Literal["cascade", "restrict", "set_null"]
# max_length: a string is a VARCHAR column of at most MAX_STRING_LENGTH; text and
# json values are capped by the API at DEFAULT_TEXT_LENGTH characters unless the
# field says otherwise, up to MAX_TEXT_LENGTH.
MAX_STRING_LENGTH = 10_000
DEFAULT_TEXT_LENGTH = 65_536
MAX_TEXT_LENGTH = 1_000_000
Scalar = str | int | float | bool


class FieldSpec(SpecModel):
    name: Identifier
    # The type is checked in ``checks`` rather than as a Literal, so that a typo
    # gets a "did you mean" suggestion instead of pydantic's list of literals;
    # the JSON Schema still lists the choices, for editor completion.
    type: Annotated[str, Field(json_schema_extra={"enum": list(FIELD_TYPES)})]
    required: bool = True
    unique: bool = False
    index: bool = False
    default: Scalar | None = None
    max_length: Annotated[int, Field(ge=1, le=MAX_TEXT_LENGTH)] | None = None
    max_digits: Annotated[int, Field(ge=1, le=38)] | None = None
    decimal_places: Annotated[int, Field(ge=0, le=30)] | None = None
    values: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None = None
    to: str | None = None
    on_delete: OnDelete | None = None
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    renamed_from: Identifier | None = None

    @property
    def column(self) -> str:
        """The database column: refs store the referenced id."""
        return f"{self.name}_id" if self.type == "ref" else self.name

    @property
    def nullable(self) -> bool:
        return not self.required

    @property
    def length(self) -> int:
        """Column length of the string-like types."""
        if self.type == "string":
            return self.max_length or 255
        if self.type == "email":
            return 320
        if self.type == "url":
            return 2048
        if self.type == "enum":
            return max(len(v) for v in self.values or [""])
        return 0

    @property
    def max_chars(self) -> int:
        """Longest value the API accepts for a text field (characters), or for a
        json field (characters of its compact JSON text); 0 for other types."""
        if self.type in {"text", "json"}:
            return self.max_length or DEFAULT_TEXT_LENGTH
        return 0

    @property
    def precision(self) -> tuple[int, int]:
        return (
            self.max_digits or 12,
            self.decimal_places if self.decimal_places is not None else 2,
        )

    @property
    def delete_rule(self) -> str:
        """SQL ON DELETE rule of a ref."""
        return {"cascade": "CASCADE", "restrict": "RESTRICT", "set_null": "SET NULL"}[
            self.on_delete or "restrict"
        ]


class EntitySpec(SpecModel):
    name: EntityName
    plural: (
        Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)] | None
    ) = None
    feature: FeatureName | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    fields: Annotated[list[FieldSpec], Field(min_length=1)]
    permissions: dict[str, RoleName] = {}
    renamed_from: EntityName | None = None

    @property
    def module(self) -> str:
        """snake_case name: module, schema prefix, permission key."""
        return snake_case(self.name)

    @property
    def plural_name(self) -> str:
        """Plural snake_case: table name and URL segment."""
        return self.plural if self.plural is not None else pluralize(self.module)

    @property
    def table(self) -> str:
        return self.plural_name

    @property
    def route(self) -> str:
        return self.plural_name.replace("_", "-")

    @property
    def label(self) -> str:
        """Human name, e.g. 'Support ticket' for SupportTicket."""
        return self.module.replace("_", " ").capitalize()

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


class Spec(SpecModel):
    """A whole ``dayone.yaml``."""

    project: ProjectSpec
    auth: AuthSpec = AuthSpec()
    rbac: RbacSpec = RbacSpec()
    orgs: OrgsSpec = OrgsSpec()
    billing: BillingSpec = BillingSpec()
    metrics: bool = False
    jobs: Literal["none", "rq"] = "none"
    storage: Literal["local", "s3"] = "local"
    email: Literal["console", "smtp"] = "console"
    deploy: list[Literal["docker", "fly", "render", "heroku"]] = []
    frontend: Literal["none", "react"] = "none"
    entities: list[EntitySpec] = []

    def entity(self, name: str) -> EntitySpec | None:
        return next((e for e in self.entities if e.name == name), None)

    def permissions_of(self, entity: EntitySpec) -> dict[str, str]:
        """Lowest role allowed each action; unset actions default to the lowest role,
        except delete, which defaults to the member-manager role."""
        defaults = dict.fromkeys(ACTIONS, self.rbac.lowest_role)
        defaults["delete"] = self.rbac.member_manager
        return {action: entity.permissions.get(action, defaults[action]) for action in ACTIONS}

    @property
    def usage_recorder(self) -> str:
        """Lowest role that may record usage (``rbac.record_usage``)."""
        return self.rbac.record_usage or self._lowest_creator()

    @property
    def file_uploader(self) -> str:
        """Lowest role that may upload files (``rbac.upload_files``)."""
        return self.rbac.upload_files or self._lowest_creator()

    def _lowest_creator(self) -> str:
        """The lowest role that may create rows of some entity: recording usage and
        uploading files are writes like those, so a read-only lowest role gets
        neither. Without entities, the member-manager role."""
        creators = [self.permissions_of(e)["create"] for e in self.entities]
        if not creators:
            return self.rbac.member_manager
        return max(creators, key=self.rbac.roles.index)

    def refs_to(self, entity: EntitySpec) -> list[tuple[EntitySpec, FieldSpec]]:
        """Fields of any entity that point at ``entity``."""
        return [
            (other, field)
            for other in self.entities
            for field in other.fields
            if field.type == "ref" and field.to == entity.name
        ]

    def features_needed(self, entity: EntitySpec) -> frozenset[str]:
        """Plan features needed to use ``entity`` fully: its own, and those of every
        entity it refers to, directly or through other refs."""
        needed: set[str] = set()
        seen: set[str] = set()
        stack = [entity]
        while stack:
            current = stack.pop()
            if current.name in seen:
                continue
            seen.add(current.name)
            if current.feature is not None:
                needed.add(current.feature)
            stack.extend(
                target
                for f in current.fields
                if f.type == "ref" and (target := self.entity(f.to or "")) is not None
            )
        return frozenset(needed)

    def plan_for(self, entity: EntitySpec) -> PlanSpec | None:
        """The first plan offering every feature ``entity`` needs (None: it needs none)."""
        needed = self.features_needed(entity)
        if not needed:
            return None
        return next((p for p in self.billing.plans if needed <= set(p.features)), None)

    def json_schema(self) -> dict[str, Any]:
        return self.model_json_schema()


def derive_slug(name: str) -> str:
    """A Python package name from a human project name ('Acme CRM' -> 'acme_crm'),
    letters and digits of other scripts transliterated ('Ünïcode' -> 'unicode')."""
    from anyascii import anyascii  # only specs without a slug pay for the import

    # Letters and digits only: anyascii spells symbols out (an emoji as ':smile:').
    ascii_text = "".join(
        anyascii(char) if unicodedata.category(char)[0] in "LN" else " " for char in name
    )
    return _slug_of_words(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def legacy_slug(name: str) -> str:
    """The slug Day One 0.1.0 derived: letters outside ASCII dropped ('Ünïcode' ->
    'n_code'). Projects generated with it keep it (generator.project)."""
    return _slug_of_words(re.findall(r"[a-z0-9]+", name.lower()))


def _slug_of_words(ascii_words: list[str]) -> str:
    slug = "_".join(ascii_words)
    if not slug or not slug[0].isalpha():
        slug = f"project_{slug}".rstrip("_")
    return slug[:48]
