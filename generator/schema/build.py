"""Spec -> Schema: the built-in tables and one table per entity.

The built-in tables mirror the hand-written models under
``templates/project/backend/app/models/``; keep the two in step (the generated
project's migration test fails on any difference).
"""

from __future__ import annotations

from typing import Literal

from generator.schema.model import (
    Check,
    Column,
    ColumnType,
    ForeignKey,
    Index,
    Schema,
    Table,
    constraint_name,
)
from generator.spec.models import EntitySpec, FieldSpec, Spec

UUID = ColumnType("uuid")
TIMESTAMP = ColumnType("datetime")
EMAIL = ColumnType("string", length=320)
ROLE = ColumnType("string", length=32)
HASH = ColumnType("string", length=64)
CODE = ColumnType("string", length=16)  # statuses, outcomes, provider names
PROVIDER_ID = ColumnType("string", length=255)


# app.models.organization.SubscriptionStatus
SUBSCRIPTION_STATUSES = ("none", "trialing", "active", "past_due", "canceled", "unpaid")
# app.models.payment_event.WebhookOutcome
WEBHOOK_OUTCOMES = ("received", "processed", "ignored", "failed")


def build_schema(spec: Spec) -> Schema:
    tables = [_users(spec), _organizations(spec), _memberships(), _auth_sessions(), _user_tokens()]
    if spec.auth.totp:
        tables.extend([_totp_factors(), _totp_recovery_codes()])
    if spec.orgs.invitations:
        tables.append(_invitations())
    tables.append(_stored_files())
    if spec.billing.enabled:
        tables.append(_payment_events())
    if spec.billing.has_plans:
        tables.append(_usage_events(spec))
    tables.extend([_api_keys(), _audit_events()])
    tables.extend(entity_table(spec, entity) for entity in spec.entities)
    return Schema(tuple(tables))


# --- column helpers ----------------------------------------------------------------------------


def _id() -> Column:
    return Column("id", UUID, primary_key=True)


def _timestamps() -> tuple[Column, Column]:
    return (
        Column("created_at", TIMESTAMP, server_default="CURRENT_TIMESTAMP"),
        Column("updated_at", TIMESTAMP, server_default="CURRENT_TIMESTAMP"),
    )


def _fk(table: str, name: str, target: str, ondelete: str, *, nullable: bool = False) -> Column:
    return Column(
        name,
        UUID,
        nullable=nullable,
        foreign_key=ForeignKey(target, "id", ondelete, constraint_name("fk", table, name)),
    )


def _table(
    name: str,
    columns: list[Column],
    *,
    uniques: tuple[tuple[str, ...], ...] = (),
    indexes: tuple[tuple[str, ...], ...] = (),
    unique_indexes: tuple[tuple[str, ...], ...] = (),
    checks: tuple[Check, ...] = (),
    timestamps: Literal["both", "created", "none"] = "both",
) -> Table:
    """A table with an id, ``columns``, and created_at/updated_at: both, only
    created_at (append-only rows never change), or none (rows that carry their
    own times)."""
    kept = {"both": 2, "created": 1, "none": 0}[timestamps]
    return Table(
        name=name,
        columns=(_id(), *columns, *_timestamps()[:kept]),
        uniques=tuple(Index(constraint_name("uq", name, *c), c, unique=True) for c in uniques),
        indexes=tuple(
            [Index(constraint_name("ix", name, *c), c) for c in indexes]
            + [Index(constraint_name("ix", name, *c), c, unique=True) for c in unique_indexes]
        ),
        checks=checks,
    )


# --- built-in tables ---------------------------------------------------------------------------


def _users(spec: Spec) -> Table:
    columns = [
        Column("email", EMAIL),
        Column("hashed_password", ColumnType("string", length=255)),
        Column("full_name", ColumnType("string", length=200)),
        Column("is_active", ColumnType("boolean"), server_default="true"),
        Column("email_verified_at", TIMESTAMP, nullable=True),
    ]
    if spec.billing.has_plans:
        columns.append(Column("trial_started_at", TIMESTAMP, nullable=True))
    return _table("users", columns, unique_indexes=(("email",),))


def _organizations(spec: Spec) -> Table:
    columns = [Column("name", ColumnType("string", length=200))]
    indexes: tuple[tuple[str, ...], ...] = ()
    checks: tuple[Check, ...] = ()
    if spec.billing.has_plans:
        columns += [
            Column("plan", ColumnType("string", length=48), nullable=True),
            Column("subscription_status", CODE, server_default="'none'"),
            Column("current_period_end", TIMESTAMP, nullable=True),
            Column("trial_ends_at", TIMESTAMP, nullable=True),
        ]
        checks = (
            Check(
                constraint_name("ck", "organizations", "subscription_status"),
                "subscription_status",
                SUBSCRIPTION_STATUSES,
            ),
        )
    if spec.billing.enabled:
        columns += [
            Column("provider_customer_id", PROVIDER_ID, nullable=True),
            Column("provider_subscription_id", PROVIDER_ID, nullable=True),
            Column("billing_event_at", TIMESTAMP, nullable=True),
        ]
        indexes = (("provider_customer_id",), ("provider_subscription_id",))
    return _table("organizations", columns, indexes=indexes, checks=checks)


def _memberships() -> Table:
    return _table(
        "memberships",
        [
            _fk("memberships", "org_id", "organizations", "CASCADE"),
            _fk("memberships", "user_id", "users", "CASCADE"),
            Column("role", ROLE),
        ],
        uniques=(("org_id", "user_id"),),
        indexes=(("user_id",),),
    )


def _auth_sessions() -> Table:
    return _table(
        "auth_sessions",
        [
            _fk("auth_sessions", "user_id", "users", "CASCADE"),
            Column("refresh_token_hash", HASH),
            Column("expires_at", TIMESTAMP),
            Column("revoked_at", TIMESTAMP, nullable=True),
            # Where the session was started, for the user's list of their sessions.
            Column("ip", ColumnType("string", length=64), nullable=True),
            Column("user_agent", ColumnType("string", length=255), nullable=True),
            # The refresh token the last refresh replaced: a browser's second tab may still send it.
            Column("previous_refresh_token_hash", HASH, nullable=True),
        ],
        indexes=(("user_id",),),
        unique_indexes=(("refresh_token_hash",),),
    )


def _user_tokens() -> Table:
    """Single-use tokens mailed to a user: password reset, email verification."""
    return _table(
        "user_tokens",
        [
            _fk("user_tokens", "user_id", "users", "CASCADE"),
            Column("purpose", ColumnType("string", length=32)),
            Column("token_hash", HASH),
            Column("expires_at", TIMESTAMP),
            Column("used_at", TIMESTAMP, nullable=True),
        ],
        indexes=(("user_id", "purpose"),),
        unique_indexes=(("token_hash",),),
    )


def _totp_factors() -> Table:
    """A user's TOTP second factor: the encrypted secret and the last time step used."""
    return _table(
        "totp_factors",
        [
            _fk("totp_factors", "user_id", "users", "CASCADE"),
            Column("encrypted_secret", ColumnType("string", length=255)),
            Column("enabled_at", TIMESTAMP, nullable=True),
            Column("last_used_step", ColumnType("integer"), nullable=True),
        ],
        unique_indexes=(("user_id",),),
    )


def _totp_recovery_codes() -> Table:
    """One-time recovery codes of a TOTP factor: their sha256, and when each was used."""
    return _table(
        "totp_recovery_codes",
        [
            _fk("totp_recovery_codes", "user_id", "users", "CASCADE"),
            Column("code_hash", HASH),
            Column("used_at", TIMESTAMP, nullable=True),
        ],
        indexes=(("user_id",),),
        unique_indexes=(("code_hash",),),
    )


def _invitations() -> Table:
    return _table(
        "invitations",
        [
            _fk("invitations", "org_id", "organizations", "CASCADE"),
            Column("email", EMAIL),
            Column("role", ROLE),
            Column("code_hash", HASH),
            _fk("invitations", "invited_by_id", "users", "SET NULL", nullable=True),
            Column("expires_at", TIMESTAMP),
            Column("accepted_at", TIMESTAMP, nullable=True),
            _fk("invitations", "accepted_by_id", "users", "SET NULL", nullable=True),
            Column("revoked_at", TIMESTAMP, nullable=True),
        ],
        indexes=(("org_id", "email"),),
        unique_indexes=(("code_hash",),),
    )


def _stored_files() -> Table:
    return _table(
        "stored_files",
        [
            _fk("stored_files", "org_id", "organizations", "CASCADE"),
            _fk("stored_files", "uploaded_by_id", "users", "SET NULL", nullable=True),
            Column("original_name", ColumnType("string", length=255)),
            Column("content_type", ColumnType("string", length=255)),
            Column("size_bytes", ColumnType("bigint")),
            Column("sha256", HASH, nullable=True),
            Column("storage_key", ColumnType("string", length=255)),
            Column("status", ColumnType("string", length=16)),
        ],
        # A page of the list newest first (app.db.newest_first_page): as entities'.
        indexes=(("org_id", "created_at", "id"), ("uploaded_by_id",), ("status", "created_at")),
        unique_indexes=(("storage_key",),),
        checks=(
            Check(constraint_name("ck", "stored_files", "status"), "status", ("pending", "ready")),
        ),
    )


def _payment_events() -> Table:
    """Every verified webhook delivery, stored before it is processed."""
    return _table(
        "payment_events",
        [
            Column("provider", CODE),
            Column("event_id", PROVIDER_ID),
            Column("type", ColumnType("string", length=100)),
            _fk("payment_events", "org_id", "organizations", "SET NULL", nullable=True),
            Column("outcome", CODE),
            Column("error", ColumnType("text"), nullable=True),
            Column("attempts", ColumnType("integer"), server_default="1"),
            Column("received_at", TIMESTAMP),
            Column("attempted_at", TIMESTAMP),
            Column("settled_at", TIMESTAMP, nullable=True),
        ],
        uniques=(("provider", "event_id"),),
        indexes=(("org_id",),),
        checks=(
            Check(constraint_name("ck", "payment_events", "outcome"), "outcome", WEBHOOK_OUTCOMES),
        ),
        timestamps="none",
    )


def _usage_events(spec: Spec) -> Table:
    columns = [
        _fk("usage_events", "org_id", "organizations", "CASCADE"),
        Column("metric", ColumnType("string", length=48)),
        Column("quantity", ColumnType("integer")),
        Column("idempotency_key", PROVIDER_ID),
        Column("recorded_at", TIMESTAMP),
    ]
    indexes: list[tuple[str, ...]] = [("org_id", "metric", "recorded_at")]
    if spec.billing.provider == "stripe":  # usage is reported to Stripe's meters
        columns.append(Column("reported_at", TIMESTAMP, nullable=True))
        indexes.append(("org_id", "reported_at"))
    return _table(
        "usage_events",
        columns,
        uniques=(("org_id", "idempotency_key"),),
        indexes=tuple(indexes),
        timestamps="none",
    )


def _api_keys() -> Table:
    return _table(
        "api_keys",
        [
            _fk("api_keys", "org_id", "organizations", "CASCADE"),
            Column("name", ColumnType("string", length=100)),
            Column("prefix", ColumnType("string", length=24)),
            Column("key_hash", HASH),
            Column("role", ROLE),
            _fk("api_keys", "created_by_id", "users", "SET NULL", nullable=True),
            Column("last_used_at", TIMESTAMP, nullable=True),
            Column("revoked_at", TIMESTAMP, nullable=True),
        ],
        indexes=(("org_id",),),
        unique_indexes=(("prefix",),),
    )


def _audit_events() -> Table:
    return _table(
        "audit_events",
        [
            _fk("audit_events", "org_id", "organizations", "CASCADE", nullable=True),
            _fk("audit_events", "actor_user_id", "users", "SET NULL", nullable=True),
            _fk("audit_events", "actor_api_key_id", "api_keys", "SET NULL", nullable=True),
            Column("action", ColumnType("string", length=64)),
            Column("target_type", ColumnType("string", length=64), nullable=True),
            Column("target_id", ColumnType("string", length=64), nullable=True),
            Column("ip", ColumnType("string", length=64), nullable=True),
            Column("request_id", ColumnType("string", length=128), nullable=True),
            Column("details", ColumnType("json"), nullable=True),
        ],
        # A page of the log newest first (app.db.newest_first_page): as entities'.
        indexes=(("org_id", "created_at", "id"),),
        timestamps="created",  # append-only: rows never change
    )


# --- entity tables -----------------------------------------------------------------------------


def entity_table(spec: Spec, entity: EntitySpec) -> Table:
    table = entity.table
    columns = [_fk(table, "org_id", "organizations", "CASCADE")]
    checks = []
    for f in entity.fields:
        columns.append(_field_column(spec, table, f))
        if f.type == "enum":
            checks.append(
                Check(constraint_name("ck", table, f.column), f.column, tuple(f.values or ()))
            )
    uniques = tuple(("org_id", f.column) for f in entity.fields if f.unique)
    # A page of the list, newest first (app.services.org_scope), reads this
    # index backwards: no sort, and keyset pages start where the last ended.
    indexes: list[tuple[str, ...]] = [("org_id", "created_at", "id")]
    indexes += [("org_id", f.column) for f in entity.fields if f.index and not f.unique]
    indexes += [(f.column,) for f in entity.fields if f.type == "ref" and not f.unique]
    return _table(table, columns, uniques=uniques, indexes=tuple(indexes), checks=tuple(checks))


def _field_column(spec: Spec, table: str, f: FieldSpec) -> Column:
    if f.type == "ref":
        target = spec.entity(f.to or "")
        assert target is not None, "checked by the spec"
        return _fk(table, f.column, target.table, f.delete_rule, nullable=f.nullable)
    return Column(
        f.column,
        column_type(f),
        nullable=f.nullable,
        server_default=_server_default(f),
    )


def column_type(f: FieldSpec) -> ColumnType:
    if f.type in {"string", "email", "url", "enum"}:
        return ColumnType("string", length=f.length)
    if f.type == "decimal":
        precision, scale = f.precision
        return ColumnType("numeric", precision=precision, scale=scale)
    kind = {
        "text": "text",
        "integer": "integer",
        "float": "float",
        "boolean": "boolean",
        "date": "date",
        "datetime": "datetime",
        "uuid": "uuid",
        "json": "json",
    }[f.type]
    return ColumnType(kind)


def _server_default(f: FieldSpec) -> str | None:
    """The spec default as a SQL literal, so rows added before the column still get it."""
    value = f.default
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + value.replace("'", "''") + "'"
