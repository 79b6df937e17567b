"""A hand-written FastAPI + SQLAlchemy 2 app: the yardstick of benchmarks/app_bench.py.

It does what the generated project's contact routes do, written the way one
would write them by hand for this one job, without the generator's generality
and without its production features (no metrics, no access log, no rate
limits, no security headers):

* a bearer JWT (HS256, the generated app's claims) is verified, and its
  server-side session and user looked up (one query);
* the caller's membership of the organization in the path, with the
  organization's plan columns, is looked up (one query); a non-member gets
  404, a role below the route's gets 403, a lapsed plan 402;
* lists return a page (default 50, newest first) and the total (two queries);
* an ``X-API-Key`` is found by its prefix and compared by its sha256, with its
  creator's membership (one query).
* at most 10 requests hold a session (a pool of 10 + 5 connections), the
  others wait on the event loop, as in the generated app (without that, both
  stall under load: see ``get_db``).

It maps the tables of the generated project (the benchmark creates them with
the generated project's migrations), so both apps read the same rows.

Run: ``DATABASE_URL=... SECRET_KEY=... uvicorn reference_app:app --app-dir benchmarks``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
import jwt
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

SECRET_KEY = os.environ["SECRET_KEY"]
ROLES = ("viewer", "editor", "admin", "owner")


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    is_active: Mapped[bool]


class AuthSession(Base):
    __tablename__ = "auth_sessions"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID]
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan: Mapped[str | None]
    subscription_status: Mapped[str]
    current_period_end: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Membership(Base):
    __tablename__ = "memberships"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    role: Mapped[str]


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    prefix: Mapped[str]
    key_hash: Mapped[str]
    role: Mapped[str]
    created_by_id: Mapped[uuid.UUID | None]
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID]
    email: Mapped[str]
    full_name: Mapped[str]
    score: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True),
        default=lambda: datetime.now(UTC),
        onupdate=lambda: datetime.now(UTC),
    )


engine = sa.create_engine(
    os.environ["DATABASE_URL"], pool_pre_ping=True, pool_size=10, max_overflow=5
)
SessionLocal = sessionmaker(engine, expire_on_commit=False)
# At most as many requests with a session as the pool has connections; the rest
# wait here, on the event loop. Sync dependencies and routes share AnyIO's 40
# threads: with plain sync sessions, 40 requests waiting for a connection in a
# thread starve those holding one of a thread, until the pool times out (500).
# The generated app does the same (its app.api.deps.get_session).
SLOTS = anyio.Semaphore(10)


async def get_db() -> AsyncIterator[Session]:
    async with SLOTS:
        session = SessionLocal()
        try:
            yield session
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)


Db = Annotated[Session, Depends(get_db)]


class ContactIn(BaseModel):
    email: EmailStr
    full_name: str = Field(min_length=1, max_length=200)
    score: int = 0
    notes: str | None = None


class ContactPatch(BaseModel):
    email: EmailStr | None = None
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    score: int | None = None
    notes: str | None = None


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    full_name: str
    score: int
    notes: str | None
    created_at: datetime
    updated_at: datetime


class ContactPage(BaseModel):
    items: list[ContactOut]
    total: int
    limit: int
    offset: int


def caller_role(
    org_id: uuid.UUID,
    db: Db,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> str:
    """The caller's role in ``org_id``: from an API key or a signed-in user's membership."""
    if x_api_key:
        return _key_role(db, org_id, x_api_key)
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "Not authenticated")
    try:
        claims = jwt.decode(
            authorization[7:],
            SECRET_KEY,
            algorithms=["HS256"],
            options={"require": ["sub", "sid", "type", "exp", "iat", "jti"]},
        )
        user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    except (jwt.InvalidTokenError, ValueError):
        raise HTTPException(401, "Invalid token") from None
    if claims["type"] != "access":
        raise HTTPException(401, "Invalid token")
    live = db.execute(
        sa.select(AuthSession.id)
        .join(User, User.id == AuthSession.user_id)
        .where(
            AuthSession.id == session_id,
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > sa.func.now(),
            User.is_active,
        )
    ).first()
    if live is None:
        raise HTTPException(401, "Invalid token")
    row = db.execute(
        sa.select(Membership.role, Organization.subscription_status)
        .join(Organization, Organization.id == Membership.org_id)
        .where(Membership.org_id == org_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise HTTPException(404, "Organization not found")
    if row.subscription_status not in ("active", "trialing"):
        raise HTTPException(402, "Payment required")
    return row.role


def _key_role(db: Session, org_id: uuid.UUID, key: str) -> str:
    prefix = key[:19]
    row = db.execute(
        sa.select(ApiKey, Membership.role)
        .join(
            Membership,
            (Membership.org_id == ApiKey.org_id) & (Membership.user_id == ApiKey.created_by_id),
        )
        .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        raise HTTPException(401, "Invalid API key")
    api_key = row[0]
    digest = hashlib.sha256(key.encode()).hexdigest()
    if not hmac.compare_digest(digest, api_key.key_hash):
        raise HTTPException(401, "Invalid API key")
    if api_key.org_id != org_id:
        raise HTTPException(404, "Organization not found")
    return api_key.role


Role = Annotated[str, Depends(caller_role)]


def need(role: str, minimum: str) -> None:
    if ROLES.index(role) < ROLES.index(minimum):
        raise HTTPException(403, "Forbidden")


app = FastAPI()


@app.get("/api/v1/orgs/{org_id}/contacts", response_model=ContactPage)
def list_contacts(
    org_id: uuid.UUID,
    role: Role,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    need(role, "viewer")
    total = db.scalar(
        sa.select(sa.func.count()).select_from(Contact).where(Contact.org_id == org_id)
    )
    rows = db.scalars(
        sa.select(Contact)
        .where(Contact.org_id == org_id)
        .order_by(Contact.created_at.desc(), Contact.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


@app.get("/api/v1/orgs/{org_id}/contacts/{contact_id}", response_model=ContactOut)
def get_contact(org_id: uuid.UUID, contact_id: uuid.UUID, role: Role, db: Db) -> Any:
    need(role, "viewer")
    return _contact_or_404(db, org_id, contact_id)


@app.post("/api/v1/orgs/{org_id}/contacts", response_model=ContactOut, status_code=201)
def create_contact(org_id: uuid.UUID, body: ContactIn, role: Role, db: Db) -> Any:
    need(role, "editor")
    contact = Contact(org_id=org_id, **body.model_dump())
    db.add(contact)
    _commit(db)
    return contact


@app.patch("/api/v1/orgs/{org_id}/contacts/{contact_id}", response_model=ContactOut)
def update_contact(
    org_id: uuid.UUID, contact_id: uuid.UUID, body: ContactPatch, role: Role, db: Db
) -> Any:
    need(role, "editor")
    contact = _contact_or_404(db, org_id, contact_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(contact, name, value)
    _commit(db)
    return contact


def _contact_or_404(db: Session, org_id: uuid.UUID, contact_id: uuid.UUID) -> Contact:
    contact = db.scalars(
        sa.select(Contact).where(Contact.id == contact_id, Contact.org_id == org_id)
    ).first()
    if contact is None:
        raise HTTPException(404, "Not found")
    return contact


def _commit(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(409, "A contact with this email already exists") from None
