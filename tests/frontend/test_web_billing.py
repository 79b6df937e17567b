"""The web app's billing journey for PayFast and Razorpay, end to end in
Debian's Chromium against the live backend on SQLite, and on PostgreSQL too
when TEST_DATABASE_URL is set (one generated project and one npm install serve
both): the upgrade prompt, the provider's checkout (PayFast's form post,
Razorpay's redirect; caught before it leaves the machine), a notification
signed as the provider signs it that unlocks the paid entity, and badly signed
ones that unlock nothing (frontend/e2e/billing.spec.ts; Stripe's is in the
whole journey of test_web_app.py). The specs are the integration tests' PayFast
and Razorpay projects with the web app turned on."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import write_project
from tests.frontend.test_web_app import CHROMIUM, NPM, databases, free_port, npm
from tests.integration.test_generated_projects import PAYFAST, RAZORPAY

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(NPM is None, reason="npm is not installed (Node.js 20.19+)"),
]


def web_spec(text: str) -> str:
    """The spec with the web app on (either session mode works)."""
    return text if re.search(r"^frontend: react\b", text, re.M) else text + "frontend: react\n"


@pytest.mark.parametrize("provider", ["payfast", "razorpay"])
def test_checkout_and_signed_notification_unlock_the_plan(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, provider: str
) -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's package)")
    text = web_spec({"payfast": PAYFAST, "razorpay": RAZORPAY}[provider])
    project = write_project(text, tmp_path_factory.mktemp(f"billing-{provider}") / "project")
    frontend = project / "frontend"
    npm(frontend, "ci", "--no-audit", "--no-fund", "--prefer-offline")
    npm(frontend, "run", "api")
    npm(frontend, "run", "build")
    expected = {
        f"billing-{provider}.png",
        f"{provider}-checkout.png",
        f"billing-subscribed-{provider}.png",
    }
    for database, selected in databases(request):
        shutil.rmtree(frontend / "artifacts", ignore_errors=True)
        env = {
            "CHROMIUM_PATH": CHROMIUM,
            "E2E_PORT": str(free_port()),
            "E2E_PROVIDER_PORT": str(free_port()),
            **selected,
        }
        out = npm(frontend, "run", "e2e", "--", "e2e/billing.spec.ts", env=env)
        assert "1 passed" in out, f"{database}:\n{out[-4000:]}"
        shots = {p.name for p in (frontend / "artifacts").glob("*.png")}
        assert expected <= shots, (database, shots)
        if os.environ.get("DAYONE_ARTIFACTS"):
            target = Path(os.environ["DAYONE_ARTIFACTS"]) / f"billing-{provider}-{database}"
            shutil.copytree(frontend / "artifacts", target, dirs_exist_ok=True)
