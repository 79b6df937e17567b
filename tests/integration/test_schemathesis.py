"""Schemathesis against a generated project's own OpenAPI schema.

The example project is generated, and a test module (fuzz_app.py) runs inside its
backend folder in a subprocess, with the project's own settings: it signs up
a user, creates an organization, and lets schemathesis 4 call every operation
with all of its default checks (no server errors, responses that match the
schema, invalid data rejected, valid data accepted, documented status codes
and ``Allow`` headers, authentication enforced...).

The fuzzer is steered only where randomness cannot reach: the organization
in the path is the user's own (a random id would be a 404 everywhere), and in
valid requests, ids in the path and references in bodies name rows that
exist, created afresh for each request. Each request gets a session of its
own, so a generated ``POST /auth/logout`` ends only that session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import python, run_in
from tests.integration.test_generated_projects import RAZORPAY

pytestmark = pytest.mark.integration

# Examples per operation: with ~30 operations and the coverage phase, a run
# takes one to two minutes.
MAX_EXAMPLES = 20
FUZZ_APP = Path(__file__).with_name("fuzz_app.py")


def _fuzz(project: Path, tmp_path: Path, database_url: str) -> None:
    module = tmp_path / "test_fuzz_api.py"
    shutil.copyfile(FUZZ_APP, module)
    result = run_in(
        project,
        *python(
            "-m", "pytest", str(module), "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)
        ),
        env={
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "test",
            "SECRET_KEY": "schemathesis-only-secret-key-0123456789",
            "LOG_LEVEL": "WARNING",
            "FUZZ_MAX_EXAMPLES": str(MAX_EXAMPLES),
            # The fuzzer signs up and signs in many users from one address.
            "RATE_LIMIT_LOGIN_PER_IP": "100000/1m",
            "RATE_LIMIT_LOGIN_PER_ACCOUNT": "100000/1m",
            "RATE_LIMIT_REGISTER_PER_IP": "100000/1m",
            "RATE_LIMIT_REGISTER_PER_ACCOUNT": "100000/1m",
            "RATE_LIMIT_REGISTER_PER_DOMAIN": "100000/1m",
            "RATE_LIMIT_INVITATION_PER_IP": "100000/1m",
            "RATE_LIMIT_INVITATION_PER_ACCOUNT": "100000/1m",
        },
    )
    report = (result.stdout + result.stderr)[-12000:]
    assert result.returncode == 0, report
    assert " passed" in result.stdout and "failed" not in result.stdout, report


# The example (Stripe, jobs, metrics, files), and Razorpay with cookie sessions.
SPECS = {"acme_crm": "acme_crm.yaml", "razorpay": RAZORPAY}


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_schemathesis_finds_nothing(
    generate: Callable[[str], Path], tmp_path: Path, request: pytest.FixtureRequest, spec: str
) -> None:
    """On PostgreSQL when TEST_DATABASE_URL is set (it is stricter than SQLite
    about what it stores), else on SQLite."""
    project = generate(SPECS[spec])
    if os.environ.get("TEST_DATABASE_URL"):
        database_url = request.getfixturevalue("postgres_url")
    else:
        database_url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    _fuzz(project, tmp_path, database_url)
