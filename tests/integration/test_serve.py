"""Start a generated project the way its README says, and call it over HTTP."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import python, run_in

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(generate: Callable[[str], Path], tmp_path: Path) -> Iterator[str]:
    project = generate("acme_crm.yaml")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}"}
    migrated = run_in(project, *python("-m", "alembic", "upgrade", "head"), env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    import os

    process = subprocess.Popen(
        python("-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)),
        cwd=project / "backend",
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a busy CI machine starts slowly
        while True:
            try:
                if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"server did not start:\n{output}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_user_signs_up_creates_an_org_and_records(server: str) -> None:
    api = f"{server}/api/v1"
    with httpx2.Client(base_url=api, timeout=10) as http:
        assert (
            http.post(
                "/auth/register",
                json={"email": "ops@example.com", "password": "long enough pw", "full_name": "Ops"},
            ).status_code
            == 202
        )
        tokens = http.post(
            "/auth/login", json={"email": "ops@example.com", "password": "long enough pw"}
        ).json()
        http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        org = http.post("/orgs", json={"name": "Live"}).json()
        contact = http.post(
            f"/orgs/{org['id']}/contacts",
            json={"email": "c@example.com", "full_name": "C. Ustomer"},
        )
        assert contact.status_code == 201, contact.text
        deal = http.post(
            f"/orgs/{org['id']}/deals",
            json={"title": "Big one", "amount_cents": 100_00, "contact_id": contact.json()["id"]},
        )
        assert deal.status_code == 201, deal.text
        assert deal.json()["stage"] == "lead"
        listed = http.get(f"/orgs/{org['id']}/deals").json()
        assert listed["total"] == 1
        openapi = httpx2.get(f"{api}/openapi.json").json()
        assert "/api/v1/orgs/{org_id}/contacts/{contact_id}" in openapi["paths"]
