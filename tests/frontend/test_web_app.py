"""The generated web app, built and tested with its own tools: npm ci, the
typed client from the backend's OpenAPI, type check, lint, unit tests, the
production build and its first-page size, then Playwright in Debian's
Chromium against the live backend (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set). Both examples: acme_crm signs in with cookie
sessions, clinic with bearer tokens (the access token in memory, the refresh
token in the backend's httpOnly cookie). Screenshots land in
frontend/artifacts/, copied to $DAYONE_ARTIFACTS/<spec>-<database> when that is
set."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from generator.paths import examples_dir
from tests.conftest import write_project
from tools.check_frontend_lock import FRONTEND, fresh_lock

NPM = shutil.which("npm")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
# The first page's JavaScript, gzipped, must stay under this (issue 17).
FIRST_PAGE_BUDGET = 200 * 1024
# The pages each example's journey photographs (at least these).
JOURNEY = {
    "sign-up.png",
    "verify-email.png",
    "organization.png",
    "organizations.png",
    "api-keys.png",
    "files.png",
    "audit-log.png",
    "members.png",
    "account.png",
    "sessions.png",
    "forgot-password.png",
    "reset-password.png",
}
SHOTS = {
    # Cookie sessions, billing, invitations, TOTP, jobs.
    "acme_crm.yaml": JOURNEY
    | {
        "contacts-list.png",
        "deals-edit.png",
        "accept-invitation.png",
        "contacts-as-viewer.png",
        "deals-upgrade.png",
        "sign-in-code.png",
        "jobs.png",
        "billing.png",
        "billing-subscribed.png",
        "deals-unlocked.png",
        "totp-setup.png",
        "totp-recovery-codes.png",
    },
    # Bearer tokens; no billing, invitations, TOTP or jobs.
    "clinic.yaml": JOURNEY | {"patients-list.png", "appointments-edit.png", "lab-results-list.png"},
}

pytestmark = pytest.mark.skipif(NPM is None, reason="npm is not installed (Node.js 20.19+)")


def free_port() -> int:
    """A port nothing listens on now: two runs on one machine must not share the backend's."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def npm(frontend: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run npm in ``frontend`` with this interpreter's bin folder first on PATH
    (python, alembic and uvicorn of the backend)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL", "TEST_REDIS_URL"))
    }
    assert NPM is not None
    result = subprocess.run(
        [NPM, *args],
        cwd=frontend,
        env={**clean, "PATH": path, "CI": "1", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    assert result.returncode == 0, (
        f"npm {' '.join(args)}:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    )
    return result.stdout


def databases(request: pytest.FixtureRequest) -> list[tuple[str, dict[str, str]]]:
    """The databases to run the end-to-end tests on, each with the environment
    that selects it: SQLite, and a fresh PostgreSQL database (``postgres_url``)
    when TEST_DATABASE_URL is set."""
    runs: list[tuple[str, dict[str, str]]] = [("sqlite", {})]
    if os.environ.get("TEST_DATABASE_URL"):
        runs.append(("postgresql", {"E2E_DATABASE_URL": request.getfixturevalue("postgres_url")}))
    return runs


def first_page_bytes(dist: Path) -> int:
    """Gzipped size of the scripts index.html loads (entry and preloaded chunks)."""
    html = (dist / "index.html").read_text(encoding="utf-8")
    scripts = set(re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', html))
    assert scripts, html
    return sum(len(gzip.compress((dist / name).read_bytes())) for name in scripts)


def test_lock_is_in_sync_with_package_json() -> None:
    assert fresh_lock() == (FRONTEND / "package-lock.json").read_bytes(), (
        "run: python tools/check_frontend_lock.py --write"
    )


@pytest.mark.parametrize("spec", sorted(SHOTS))
def test_web_app_builds_and_passes_end_to_end(
    spec: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    text = (examples_dir() / spec).read_text(encoding="utf-8")
    assert re.search(r"^frontend: react\b", text, re.M), f"{spec} has the web app on"
    project = write_project(text, tmp_path_factory.mktemp("web") / "project")
    frontend = project / "frontend"
    npm(frontend, "ci", "--no-audit", "--no-fund", "--prefer-offline")
    npm(frontend, "run", "api")
    assert "/api/v1/orgs/{org_id}/files" in (frontend / "src/api/schema.d.ts").read_text()
    npm(frontend, "run", "typecheck")
    npm(frontend, "run", "lint")
    npm(frontend, "test")
    npm(frontend, "run", "build")
    size = first_page_bytes(frontend / "dist")
    print(f"\nfirst page JavaScript, gzipped: {size / 1024:.1f} KiB")
    assert size < FIRST_PAGE_BUDGET

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's package)")
    for name, env in databases(request):
        shutil.rmtree(frontend / "artifacts", ignore_errors=True)
        npm(
            frontend,
            "run",
            "e2e",
            env={"CHROMIUM_PATH": CHROMIUM, "E2E_PORT": str(free_port()), **env},
        )
        shots = sorted(p.name for p in (frontend / "artifacts").glob("*.png"))
        assert SHOTS[spec] <= set(shots), sorted(SHOTS[spec] - set(shots))
        if os.environ.get("DAYONE_ARTIFACTS"):
            target = Path(os.environ["DAYONE_ARTIFACTS"]) / f"{Path(spec).stem}-{name}"
            shutil.copytree(frontend / "artifacts", target, dirs_exist_ok=True)
