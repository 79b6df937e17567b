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

Every run is reproducible (docs/testing.md): the seed comes from
DAYONE_FUZZ_SEED (a fixed one when unset), DAYONE_FUZZ_EXAMPLES raises the
examples per operation, and a failure writes the whole report (with a curl
command per failing request) to ``fuzz-report.txt`` beside the test module and
names it, with the seed, in the assertion message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import python
from tests.fuzzing import DEFAULT_SCHEMATHESIS_SEED, SEED_VARIABLE, fuzz_seed
from tests.integration.test_generated_projects import RAZORPAY

# Examples per operation: with ~50 operations, each example sent twice (with a
# session and with an API key), and the coverage phase, a run takes one to two
# minutes on an idle machine.
MAX_EXAMPLES = 20
EXAMPLES_VARIABLE = "DAYONE_FUZZ_EXAMPLES"
FUZZ_APP = Path(__file__).with_name("fuzz_app.py")


def _fuzz(project: Path, tmp_path: Path, database_url: str, spec: str) -> None:
    module = tmp_path / "test_fuzz_api.py"
    shutil.copyfile(FUZZ_APP, module)
    seed = fuzz_seed()
    if seed is None:
        seed = DEFAULT_SCHEMATHESIS_SEED
    examples = int(os.environ.get(EXAMPLES_VARIABLE) or MAX_EXAMPLES)
    result = conftest.run_in(
        project,
        *python(
            "-m", "pytest", str(module), "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)
        ),
        env={
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "test",
            "SECRET_KEY": "schemathesis-only-secret-key-0123456789",
            "LOG_LEVEL": "WARNING",
            "FUZZ_MAX_EXAMPLES": str(examples),
            SEED_VARIABLE: str(seed),
            # Tokens expire during the run, as on a slow machine they would after 15
            # minutes: the harness must mint fresh ones (its rows were once made with
            # the owner's first token, and a slow run failed where they expired).
            "ACCESS_TOKEN_MINUTES": "1",
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
    passed = result.returncode == 0 and " passed" in result.stdout
    if passed and "failed" not in result.stdout:
        return
    output = result.stdout + result.stderr
    report = module.with_name("fuzz-report.txt")
    report.write_text(output)
    summary = result.stdout.strip().splitlines()[-1:] or ["no output"]
    requests = dict.fromkeys(line.strip() for line in output.splitlines() if "curl -X" in line)
    pytest.fail(
        f"schemathesis found something in {spec} ({summary[0]}) with seed {seed} and "
        f"{examples} examples per operation.\n"
        f"Replay: {SEED_VARIABLE}={seed} {EXAMPLES_VARIABLE}={examples} "
        f"pytest tests/integration/test_schemathesis.py -k {spec} -p no:cacheprovider\n"
        f"Whole report: {report}\nFailing requests:\n" + "\n".join(requests),
        pytrace=False,
    )


# The example (Stripe, jobs, metrics, files), and Razorpay with cookie sessions.
SPECS = {"acme_crm": "acme_crm.yaml", "razorpay": RAZORPAY}


@pytest.mark.integration
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
    _fuzz(project, tmp_path, database_url, spec)


# --- replaying a failure -----------------------------------------------------------------


def test_the_seed_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SEED_VARIABLE, raising=False)
    assert fuzz_seed() is None
    monkeypatch.setenv(SEED_VARIABLE, "4127")
    assert fuzz_seed() == 4127
    monkeypatch.setenv(SEED_VARIABLE, "random")
    assert isinstance(fuzz_seed(), int)
    monkeypatch.setenv(SEED_VARIABLE, "4127x")
    with pytest.raises(pytest.UsageError, match=r"DAYONE_FUZZ_SEED='4127x' is not a seed"):
        fuzz_seed()


def test_a_failed_run_keeps_its_whole_report_seed_and_requests(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    curl = "curl -X PATCH -H 'X-API-Key: ak_1' -d '{\"memo\": \"\\u0000\"}' http://localhost/x"
    output = "x" * 50_000 + f"\nReproduce with:\n\n    {curl}\n\n1 failed, 50 passed in 9s\n"
    sent: dict[str, str] = {}

    def failing_run(
        project: Path, *args: str, env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        sent.update(env)
        return subprocess.CompletedProcess(args, 1, stdout=output, stderr="")

    monkeypatch.setattr(conftest, "run_in", failing_run)
    monkeypatch.setenv(SEED_VARIABLE, "4127")
    monkeypatch.setenv(EXAMPLES_VARIABLE, "300")
    with pytest.raises(pytest.fail.Exception) as failed:
        _fuzz(tmp_path, tmp_path, "sqlite://", "razorpay")

    assert sent[SEED_VARIABLE] == "4127" and sent["FUZZ_MAX_EXAMPLES"] == "300"
    report = tmp_path / "fuzz-report.txt"
    assert report.read_text() == output
    message = str(failed.value)
    assert f"Whole report: {report}" in message
    assert "DAYONE_FUZZ_SEED=4127 DAYONE_FUZZ_EXAMPLES=300 pytest" in message
    assert curl in message and "1 failed, 50 passed" in message


def test_unset_the_seed_is_fixed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sent: dict[str, str] = {}

    def passing_run(
        project: Path, *args: str, env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        sent.update(env)
        return subprocess.CompletedProcess(args, 0, stdout="51 passed in 9s\n", stderr="")

    monkeypatch.setattr(conftest, "run_in", passing_run)
    monkeypatch.delenv(SEED_VARIABLE, raising=False)
    monkeypatch.delenv(EXAMPLES_VARIABLE, raising=False)
    _fuzz(tmp_path, tmp_path, "sqlite://", "acme_crm")
    assert sent[SEED_VARIABLE] == str(DEFAULT_SCHEMATHESIS_SEED)
    assert sent["FUZZ_MAX_EXAMPLES"] == str(MAX_EXAMPLES)
    assert not (tmp_path / "fuzz-report.txt").exists()


# A test module, and a conftest that loads Day One's profile and seed hooks as tests/ does.
PROBE_CONFTEST = "from tests.fuzzing import pytest_configure, pytest_terminal_summary\n"
PROBE = """
import os
from pathlib import Path

from hypothesis import given, settings, strategies as st


@settings(max_examples=15)
@given(st.integers())
def test_record(number):
    with Path(__file__).with_name("drawn.txt").open("a") as drawn:
        drawn.write(f"{number}\\n")
    assert not (os.environ.get("PROBE_FAILS") and abs(number) > 1000)
"""


def _hypothesis_run(tmp_path: Path, seed: str | None, fails: bool) -> tuple[list[str], str]:
    """The examples Hypothesis draws in a fresh pytest process, and its output."""
    (tmp_path / "conftest.py").write_text(PROBE_CONFTEST)
    (tmp_path / "test_probe.py").write_text(PROBE)
    drawn = tmp_path / "drawn.txt"
    drawn.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in (SEED_VARIABLE, "PROBE_FAILS")}
    env |= {SEED_VARIABLE: seed} if seed is not None else {}
    env |= {"PROBE_FAILS": "1"} if fails else {}
    env["PYTHONPATH"] = str(Path(__file__).parents[2])
    result = subprocess.run(
        python("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "test_probe.py"),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == (1 if fails else 0), result.stdout + result.stderr
    return drawn.read_text().splitlines(), result.stdout


def test_hypothesis_draws_the_same_examples_for_the_same_seed(tmp_path: Path) -> None:
    # Unset: every run draws the same examples.
    fixed, _ = _hypothesis_run(tmp_path, None, fails=False)
    assert _hypothesis_run(tmp_path, None, fails=False)[0] == fixed
    # "random": a failed run prints the seed it drew, and that seed replays it.
    drawn, output = _hypothesis_run(tmp_path, "random", fails=True)
    printed = re.search(rf"{SEED_VARIABLE}=(\d+): set it again to replay", output)
    assert printed is not None, output
    assert len(set(drawn)) > 2  # not just the first example, which is always 0
    assert _hypothesis_run(tmp_path, printed[1], fails=True)[0] == drawn
