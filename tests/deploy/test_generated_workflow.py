"""The generated CI workflow passes here, every `run:` step of it, in a fresh
virtualenv: installing the project, lint, types, the suite on PostgreSQL and Redis,
the migrations, installing Day One from the project's pin (the wheel, served as a
package index would serve a release), `dayone check`, and each deploy dry run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from generator.paths import examples_dir
from tests.conftest import backend_only
from tests.deploy.support import commit_all
from tests.deploy.workflow_runner import run_workflow

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

# Variables of the test session that would leak into the steps (the source tree on
# the import path, another virtualenv, the session's own services).
LEAKS = ("PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL")
# The "Tests" step runs these files of the project's suite (on PostgreSQL and Redis)
# unless DAYONE_WORKFLOW_FULL_SUITE=1: the whole suite of this project already runs
# on both databases in tests/integration/test_generated_projects.py, and here it
# would add about a quarter of an hour. What this test proves is that the step
# works as written: its command, folder, configuration and services.
SAMPLE = "tests/test_health.py tests/test_tenancy.py tests/test_jobs.py tests/test_migrations.py"


def test_every_step_of_the_generated_workflow_passes(
    tmp_path: Path,
    released_dayone: Path,
    dayone_wheel: Path,
    postgres_url: str,
    redis_env: dict[str, str],
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKS)}
    project = tmp_path / "acme"
    dayone = str(released_dayone / "bin" / "dayone")
    # The backend's steps: the web app's (npm, Chrome) are tested in tests/frontend.
    spec = tmp_path / "acme_crm.yaml"
    spec.write_text(backend_only((examples_dir() / "acme_crm.yaml").read_text()))
    new = subprocess.run(
        [dayone, "new", str(spec), "--out", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert new.returncode == 0, new.stderr
    pin = (project / ".dayone" / "requirements.txt").read_text().splitlines()[-1]
    assert pin == f"dayone-saas=={__version__}"
    commit_all(project)  # what actions/checkout hands the steps: a git work tree

    # actions/setup-python: a fresh Python whose pip and scripts come first on PATH.
    runner = tmp_path / "runner"
    subprocess.run([sys.executable, "-m", "venv", str(runner)], env=env, check=True)
    links = " ".join(filter(None, [str(dayone_wheel.parent), os.environ.get("PIP_FIND_LINKS")]))
    env.update(
        PATH=f"{runner / 'bin'}{os.pathsep}{env['PATH']}",
        VIRTUAL_ENV=str(runner),
        CI="true",
        GITHUB_ACTIONS="true",
        # The wheel stands in for the release on the index; pip's cache stays on.
        PIP_FIND_LINKS=links,
        PIP_PROGRESS_BAR="off",
    )
    if os.environ.get("DAYONE_WORKFLOW_FULL_SUITE") != "1":
        env["PYTEST_ADDOPTS"] = SAMPLE
        # A sample covers too little of the app for the project's gate: the step's
        # `coverage report` reads the project's settings with the gate at 0.
        env["COVERAGE_RCFILE"] = str(_without_the_gate(project, tmp_path))
    results = run_workflow(
        project / ".github" / "workflows" / "ci.yml",
        project,
        base_env=env,
        overrides={
            "TEST_DATABASE_URL": postgres_url,
            "TEST_REDIS_URL": redis_env.get("TEST_REDIS_URL"),
        },
    )
    report = "\n".join(result.describe() for result in results)
    print(report)  # the time of each step, for docs/benchmarks.md
    failed = [result for result in results if not result.ok]
    assert not failed, f"{report}\n--- output of {failed[0].name}:\n{failed[0].output[-8000:]}"
    ran = [result.name for result in results if result.skipped is None]
    assert {"Install Day One", "In sync with dayone.yaml"} <= set(ran), ran
    assert [n for n in ran if n.startswith("Deploy files")] == [
        f"Deploy files ({target})" for target in ("docker", "fly", "render")
    ]
    # `dayone` came from the wheel, installed by name into the fresh virtualenv.
    shown = subprocess.run(
        [str(runner / "bin" / "python"), "-m", "pip", "show", "dayone-saas"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Version: {__version__}" in shown and str(runner) in shown


def _without_the_gate(project: Path, folder: Path) -> Path:
    """The project's pyproject.toml, as a coverage.py settings file whose report
    fails under nothing."""
    text = (project / "backend" / "pyproject.toml").read_text(encoding="utf-8")
    gate = re.compile(r"^fail_under = \d+$", re.M)
    assert len(gate.findall(text)) == 1, "the project's coverage gate moved"
    settings = folder / "coverage-sample.toml"
    settings.write_text(gate.sub("fail_under = 0", text), encoding="utf-8")
    return settings
