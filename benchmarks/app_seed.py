"""Seed one database for benchmarks/app_bench.py; run inside the generated backend.

``python app_seed.py ROWS...`` (working directory: the generated ``backend/``,
``DATABASE_URL`` and ``SECRET_KEY`` set, the tables created by ``alembic
upgrade head``) writes, with fixed ids so that every database seeded gets the
same rows: one user with a live session; one organization per ROWS value
holding that many contacts, plus one more for writes, each on the paid plan
with an active subscription, the user their owner; an API key (role viewer)
of the first organization. It prints, as JSON, what the load needs: the
organizations' ids, a contact id of the first and of the write organization,
an access token and the API key.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from app.core.security import create_token, hash_secret
from app.db import open_session
from app.models import ApiKey, AuthSession, Membership, Organization, User

NAMESPACE = uuid.UUID("7d1b6c2e-4a55-4f0e-9f1e-3c8a6f1d2b90")
API_KEY = "ak_0123456789abcdef_" + "k" * 43
FAR = datetime(2099, 1, 1, tzinfo=UTC)


def fixed(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def main(sizes: list[int]) -> None:
    user_id, session_id = fixed("user"), fixed("session")
    orgs = {f"org{rows}": rows for rows in sizes} | {"write": 200}
    with open_session() as session:
        session.add(
            User(
                id=user_id,
                email="bench@example.com",
                hashed_password="!",
                full_name="Bench",
                is_active=True,
            )
        )
        session.flush()
        session.add(
            AuthSession(id=session_id, user_id=user_id, refresh_token_hash="0" * 64, expires_at=FAR)
        )
        for name in orgs:
            session.add(
                Organization(
                    id=fixed(name),
                    name=name,
                    plan="pro",
                    subscription_status="active",
                    current_period_end=FAR,
                )
            )
        session.flush()
        for name in orgs:
            session.add(Membership(org_id=fixed(name), user_id=user_id, role="owner"))
        first = fixed(f"org{sizes[0]}")
        session.add(
            ApiKey(
                org_id=first,
                name="bench",
                prefix=API_KEY[:19],
                key_hash=hash_secret(API_KEY),
                role="viewer",
                created_by_id=user_id,
                last_used_at=datetime.now(UTC),
            )
        )
        session.flush()
        for name, rows in orgs.items():
            # Newest first is by created_at: one row a second back from now.
            session.execute(
                sa.text(
                    "INSERT INTO contacts (id, org_id, email, full_name, score, notes,"
                    " created_at, updated_at)"
                    " SELECT md5(:org || '-' || i)::uuid, :org, 'c' || i || '@example.com',"
                    " 'Contact ' || i, i % 100, NULL,"
                    " now() - i * interval '1 second', now() - i * interval '1 second'"
                    " FROM generate_series(1, :rows) AS i"
                ),
                {"org": fixed(name), "rows": rows},
            )
        session.commit()
        session.execute(sa.text("ANALYZE"))
        session.commit()
    token, _ = create_token(user_id, session_id, "access")
    print(
        json.dumps(
            {
                "orgs": {name: str(fixed(name)) for name in orgs},
                "contact": _md5_uuid(fixed(f"org{sizes[0]}"), 1),
                "write_contact": _md5_uuid(fixed("write"), 1),
                "token": token,
                "api_key": API_KEY,
            }
        )
    )


def _md5_uuid(org: uuid.UUID, i: int) -> str:
    import hashlib

    return str(uuid.UUID(hashlib.md5(f"{org}-{i}".encode()).hexdigest()))


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]])
