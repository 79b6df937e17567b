"""The spec fuzzer's deep tier: a few specs drawn at random, each generated
project's own full suite on SQLite (under coverage.py, held to the project's
own gate), and on PostgreSQL + Redis when
TEST_DATABASE_URL / TEST_REDIS_URL are set. A failure prints the seed
(DAYONE_SPEC_SEED draws the same specs again) and the spec as YAML.

DAYONE_SPEC_DEEP=<count> draws more or fewer specs (default 2)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import measured_suite, python, run_in
from tests.spec_fuzz.conftest import draw_specs, explain
from tests.spec_fuzz.strategies import Spec, to_yaml

pytestmark = pytest.mark.integration

COUNT = int(os.environ.get("DAYONE_SPEC_DEEP", "2"))
# The deep tier's draw differs from the fast tier's, from the same seed.
OFFSET = 1_000_003


@pytest.fixture(scope="module")
def deep_specs(seed_value: int) -> list[Spec]:
    return draw_specs(COUNT, seed_value + OFFSET)


def _suite(project: Path, env: dict[str, str], *, measured: bool = False) -> tuple[int, str]:
    """Run the suite (under coverage when ``measured``, held to the project's
    fail_under); on failure, its summary of failed tests first, then its tail."""
    if measured:
        result, total = measured_suite(project, "-q", "--tb=short", env=env)
        if total is not None:
            return total.returncode, f"branch coverage under the project's gate: {total.stdout}"
    else:
        pytest_args = ("-m", "pytest", "-q", "--tb=short", "-p", "no:cacheprovider")
        result = run_in(project, *python(*pytest_args), env=env, timeout=1800)
    out = result.stdout + result.stderr
    failed = [line for line in out.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return result.returncode, "\n".join(failed[:40]) + "\n...\n" + out[-4000:]


@pytest.mark.parametrize("index", range(COUNT))
def test_drawn_project_suite_passes_on_sqlite(
    generate: Callable[[str], Path],
    deep_specs: list[Spec],
    seed_value: int,
    redis_env: dict[str, str],
    index: int,
) -> None:
    spec = deep_specs[index]
    code, out = _suite(generate(to_yaml(spec)), redis_env, measured=True)
    assert code == 0, out + explain(seed_value, spec)


@pytest.mark.postgres
def test_first_drawn_project_suite_passes_on_postgres(
    generate: Callable[[str], Path],
    deep_specs: list[Spec],
    seed_value: int,
    postgres_url: str,
    redis_env: dict[str, str],
) -> None:
    spec = deep_specs[0]
    code, out = _suite(generate(to_yaml(spec)), {"TEST_DATABASE_URL": postgres_url, **redis_env})
    assert code == 0, out + explain(seed_value, spec)
