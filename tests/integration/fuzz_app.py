"""Run by tests/integration/test_schemathesis.py inside a generated project's
backend folder (copied there as a test module): schemathesis against the app's
own OpenAPI schema, signed in as the owner of an organization. Every case is
sent twice: with a session of the owner, and with an API key of the top role
(fresh rows and a fresh credential for each).

FUZZ_MAX_EXAMPLES sets the examples per operation, DAYONE_FUZZ_SEED the seed
(an integer; test_schemathesis.py always passes one). A failure carries the
seed and schemathesis's curl command that replays the request.
"""

import itertools
import json
import os
import uuid
from dataclasses import fields

import pytest
import schemathesis
from app.core import security
from app.core.rbac import ROLES
from app.db import Base, default_database, open_session
from app.main import app
from app.models import AuthSession
from app.schemas.auth import Email
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import TypeAdapter, ValidationError
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import JsonSchemaError, UndefinedContentType
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    unsupported_method,
)

from tests.samples import CASES, create
from tests.support import Account, add_member, register

# Cheap hashes: the fuzzer signs many users up; the parameters are not under test.
security.password_hash = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
Base.metadata.drop_all(default_database().engine)
Base.metadata.create_all(default_database().engine)

client = TestClient(app)


def fresh_session_headers() -> dict[str, str]:
    """A new session of the owner, written to the database as signing in would."""
    session_id = new_session()
    access, _ = security.create_token(uuid.UUID(owner.user_id), session_id, "access")
    return {"Authorization": f"Bearer {access}"}


def new_session() -> uuid.UUID:
    """A new live session of the owner (one for each request, or another device's to sign out)."""
    session_id = uuid.uuid4()
    user_id = uuid.UUID(owner.user_id)
    refresh, expires = security.create_token(user_id, session_id, "refresh")
    with open_session() as session:
        session.add(
            AuthSession(
                id=session_id,
                user_id=user_id,
                refresh_token_hash=security.hash_secret(refresh),
                expires_at=expires,
            )
        )
        session.commit()
    return session_id


class Owner(Account):
    """The organization's owner, who makes the rows the fuzzer's requests name.
    Each call has a new access token: one minted at the start would expire
    (ACCESS_TOKEN_MINUTES, 15 by default) during a slow run, and every row made
    after that would fail."""

    @property
    def headers(self) -> dict[str, str]:
        return fresh_session_headers()


registered = register(client, email="fuzz-owner@example.com")
owner = Owner(**{field.name: getattr(registered, field.name) for field in fields(Account)})
ORG_ID = owner.post("/orgs", json={"name": "Fuzz"}).json()["id"]
TOP, LOWEST = ROLES[0], ROLES[-1]
numbers = itertools.count()


def new_member() -> str:
    member = register(client, email=f"fuzz-member{next(numbers)}@example.com")
    add_member(ORG_ID, member, LOWEST)
    return member.user_id


def new_invitation() -> str:
    body = {"email": f"fuzz-invitee{next(numbers)}@example.com", "role": LOWEST}
    return owner.post(f"/orgs/{ORG_ID}/invitations", json=body).json()["id"]


def new_api_key(role: str = LOWEST) -> dict[str, str]:
    body = {"name": "fuzz", "role": role}
    created: dict[str, str] = owner.post(f"/orgs/{ORG_ID}/api-keys", json=body).json()
    return created


# Path parameters that name a row, and how to make a fresh one.
PATH_ROWS = {
    "user_id": new_member,
    "api_key_id": lambda: new_api_key()["id"],
    "invitation_id": new_invitation,
    "session_id": lambda: str(new_session()),
}
for resource in CASES:
    PATH_ROWS[f"{resource}_id"] = lambda r=resource: create(owner, ORG_ID, r)["id"]
# Body fields that reference a row of another resource.
BODY_REFS = {ref.field: ref.resource for case in CASES.values() for ref in case.refs}


def fresh_api_key_headers() -> dict[str, str]:
    """A new key each time, so the per-key rate limit (its own test) never answers."""
    return {"X-API-Key": new_api_key(TOP)["key"]}


# Left out: webhooks accept only requests signed by the payment provider, which
# the fuzzer cannot sign (every request is refused, valid-looking or not), and
# checkout calls the provider, which cannot be reached from here (502). The
# project's own suite tests both, with real signatures and a fake provider.
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).exclude(
    path_regex="^/api/v1/billing/webhooks/|/billing/checkout$"
)
# Valid requests to these need a secret the fuzzer cannot know (an emailed
# token, the current password, a TOTP code), so a schema-valid request is
# rightly refused with 400.
NEEDS_A_SECRET = {
    "/api/v1/auth/verify-email",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password",
    "/api/v1/auth/totp/enable",
    "/api/v1/auth/totp/disable",
    "/api/v1/auth/totp/recovery-codes",
    "/api/v1/auth/totp/verify",
}
# Uploads: a schema-valid file may be of a type the project refuses (415). Their
# literal paths also match the item route /files/{file_id}, which answers
# other methods (422 for the id, or 405 with its own Allow header).
UPLOADS = {"/api/v1/orgs/{org_id}/files/upload", "/api/v1/orgs/{org_id}/files/sign-upload"}
schema.config.update(parameters={"org_id": ORG_ID})
# JSON Schema's "email" format takes any string with an @, no-reply@localhost
# too; the API refuses names that never receive mail, as the field's description
# says (app.schemas.auth). Schemathesis puts literals from the project's modules
# into fields they fit (here the default sender, app.core.config), so a valid
# request gets an address the API accepts in their place.
EMAIL_FIELDS = ("email", "username")
_email = TypeAdapter(Email)


def _accepted(address: str) -> bool:
    try:
        _email.validate_python(address)
    except ValidationError:
        return False
    return True


MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "20"))
schema.config.generation.update(max_examples=MAX_EXAMPLES, with_security_parameters=False)
# Each operation's examples derive from this seed and the operation's name, so
# the same seed replays the same requests.
SEED = int(os.environ.get("DAYONE_FUZZ_SEED", "0"))
schema.config.seed = SEED


def steer(case: schemathesis.Case) -> None:
    """In a valid request, ids in the path and references in the body name fresh rows,
    email addresses are ones the API accepts, and no list is given a cursor it did
    not make."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    # A list's cursor is signed by the API (app.core.cursors): a schema-valid
    # string that the API did not make is rightly refused with 422.
    if case.query:
        case.query.pop("cursor", None)
    for name in list(case.path_parameters or {}):
        if name in PATH_ROWS:
            case.path_parameters[name] = PATH_ROWS[name]()
    if isinstance(case.body, dict):
        for field in EMAIL_FIELDS:
            if isinstance(case.body.get(field), str) and not _accepted(case.body[field]):
                case.body[field] = "fuzz@example.com"
        for field, resource in BODY_REFS.items():
            if isinstance(case.body.get(field), str):
                case.body[field] = create(owner, ORG_ID, resource)["id"]


@schema.parametrize()
@settings(deadline=None, database=None, print_blob=True, suppress_health_check=list(HealthCheck))
def test_api(case: schemathesis.Case) -> None:
    excluded = []
    if case.operation.path in NEEDS_A_SECRET:
        excluded.append(positive_data_acceptance)
    if case.operation.path in UPLOADS:
        excluded += [positive_data_acceptance, allow_header_conformance, unsupported_method]
    for caller, credentials in (
        ("a session", fresh_session_headers),
        ("an API key", fresh_api_key_headers),
    ):
        steer(case)
        try:
            case.call_and_validate(headers=credentials(), excluded_checks=excluded)
        except BaseException as error:
            error.add_note(
                f"\nSent with {caller}. Replay with DAYONE_FUZZ_SEED={SEED} "
                f"FUZZ_MAX_EXAMPLES={MAX_EXAMPLES}"
            )
            raise


def test_an_error_outside_the_contract_would_fail() -> None:
    """The checks above catch an error that is not problem details: the app's
    401 passes them; the same 401 as FastAPI's default ``{"detail": ...}``, or
    with a code the app does not define, fails them."""
    case = schema["/api/v1/auth/me"]["GET"].Case()
    answered = case.call()
    checks = [content_type_conformance, response_schema_conformance]
    case.validate_response(answered, checks=checks)
    problem = answered.json()
    outside = [
        (UndefinedContentType, "application/json", {"detail": "Not authenticated"}),
        (JsonSchemaError, "application/problem+json", {"detail": "Not authenticated"}),
        (JsonSchemaError, "application/problem+json", {**problem, "code": "unknown"}),
    ]
    for failure, media_type, body in outside:
        altered = Response(
            status_code=answered.status_code,
            headers={"content-type": [media_type]},
            content=json.dumps(body).encode(),
            request=answered.request,
            elapsed=answered.elapsed,
            verify=answered.verify,
        )
        with pytest.raises(FailureGroup) as failed:
            case.validate_response(altered, checks=checks)
        assert [type(error) for error in failed.value.exceptions] == [failure], body
