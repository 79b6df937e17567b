"""The spec fuzzer's fast tier: a few specs drawn from the strategy are accepted
by ``dayone spec validate``, render byte-identically twice through ``dayone new``,
pass ruff (check and format) and mypy, and serve their OpenAPI document; the
web app of the first drawn specs that have one (``frontend: react``) gets its
typed client from that document and passes the TypeScript check and the linter.

DAYONE_SPEC_SEED=<n> draws the same specs again; DAYONE_SPEC_FAST=<count> draws
more (default 4); DAYONE_SPEC_WEB=<count> type-checks more web apps (default 2,
0 for none)."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.frontend.test_web_app import NPM, npm
from tests.spec_fuzz.conftest import cli, draw_specs, dump, explain
from tests.spec_fuzz.strategies import Spec
from tools.check_frontend_lock import FRONTEND

pytestmark = pytest.mark.integration

COUNT = int(os.environ.get("DAYONE_SPEC_FAST", "4"))
# npm ci once, then each web app checked costs a few seconds more (docs/testing.md).
WEB_COUNT = int(os.environ.get("DAYONE_SPEC_WEB", "2"))


@dataclass(frozen=True)
class Case:
    spec: Spec
    file: Path
    first: Path
    second: Path
    why: str  # the seed and the spec, for a failure message

    @property
    def backend(self) -> Path:
        return self.first / "backend"


@pytest.fixture(scope="module")
def cases(seed_value: int, tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    out = []
    for index, spec in enumerate(draw_specs(COUNT, seed_value)):
        root = tmp_path_factory.mktemp(f"fast{index}")
        out.append(
            Case(
                spec,
                dump(root / "dayone.yaml", spec),
                root / "first",
                root / "second",
                explain(seed_value, spec),
            )
        )
    return out


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _run(args: tuple[str, ...], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def _out(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout + result.stderr)[-4000:]


@pytest.fixture(scope="module")
def generated(cases: list[Case]) -> list[Case]:
    """The drawn specs, validated and generated twice each."""
    for case in cases:
        valid = cli("spec", "validate", str(case.file))
        assert valid.returncode == 0, _out(valid) + case.why
        for target in (case.first, case.second):
            made = cli("new", str(case.file), "--out", str(target))
            assert made.returncode == 0, _out(made) + case.why
    return cases


def test_new_is_byte_identical_twice(generated: list[Case]) -> None:
    for case in generated:
        files = _tree(case.first)
        assert files == _tree(case.second), case.why
        _, mismatch, errors = filecmp.cmpfiles(case.first, case.second, files, shallow=False)
        assert not mismatch and not errors, f"{mismatch} {errors}{case.why}"


def test_ruff_check_and_format_pass(generated: list[Case]) -> None:
    backends = [str(c.backend) for c in generated]
    ruff = _run((sys.executable, "-m", "ruff", "check", "--no-cache", *backends))
    why = "".join(c.why for c in generated)
    assert ruff.returncode == 0, _out(ruff) + why
    formatted = _run((sys.executable, "-m", "ruff", "format", "--check", "--no-cache", *backends))
    assert formatted.returncode == 0, _out(formatted) + why


def test_mypy_passes(generated: list[Case], tmp_path_factory: pytest.TempPathFactory) -> None:
    # One cache for every project: the libraries are checked once, the projects'
    # own modules (all named app.*) are re-checked by content.
    cache = tmp_path_factory.mktemp("mypy")
    for case in generated:
        result = _run((sys.executable, "-m", "mypy", "--cache-dir", str(cache)), case.backend)
        assert result.returncode == 0, _out(result) + case.why


SERVE = """
import json, sys
from fastapi.testclient import TestClient
from app.main import app
response = TestClient(app).get("/api/v1/openapi.json")
assert response.status_code == 200, response.text
print(json.dumps(response.json()["info"]))
"""


def test_the_app_serves_its_openapi(generated: list[Case], tmp_path: Path) -> None:
    for index, case in enumerate(generated):
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "TEST_", "REDIS_URL", "PYTHONPATH"))
        }
        env |= {
            "DATABASE_URL": f"sqlite:///{tmp_path / f'app{index}.db'}",
            "ENVIRONMENT": "test",
            "SECRET_KEY": "spec-fuzz-secret-key-0123456789abcdef",
        }
        result = subprocess.run(
            (sys.executable, "-c", SERVE),
            cwd=case.backend,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, _out(result) + case.why
        info = json.loads(result.stdout.strip().splitlines()[-1])
        assert info["title"] == case.spec["project"]["name"], case.why
        assert info.get("description", "") == case.spec["project"].get("description", ""), case.why


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web app's packages, installed once: package.json and package-lock.json
    are copied from the template as they are, the same for every spec."""
    folder = tmp_path_factory.mktemp("node")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(FRONTEND / name, folder / name)
    started = time.monotonic()
    npm(folder, "ci", "--no-audit", "--no-fund", "--prefer-offline")
    print(f"\nspec fuzzer: npm ci once, {time.monotonic() - started:.1f}s")
    return folder / "node_modules"


def test_web_app_type_checks_and_lints(
    generated: list[Case], request: pytest.FixtureRequest
) -> None:
    web = [case for case in generated if case.spec.get("frontend") == "react"][:WEB_COUNT]
    if not web:
        pytest.skip("no drawn spec has the web app (or DAYONE_SPEC_WEB=0)")
    if NPM is None:
        pytest.skip("npm is not installed (Node.js 20.19+)")
    modules: Path = request.getfixturevalue("node_modules")
    for case in web:
        frontend = case.first / "frontend"
        for name in ("package.json", "package-lock.json"):
            same = (frontend / name).read_bytes() == (modules.parent / name).read_bytes()
            assert same, f"frontend/{name} depends on the spec now: install per project" + case.why
        # Resolved through the link to one real folder: tsc, Biome and
        # openapi-typescript need nothing else.
        (frontend / "node_modules").symlink_to(modules, target_is_directory=True)
        started = time.monotonic()
        for script in ("api", "typecheck", "lint"):
            try:
                npm(frontend, "run", script)
            except AssertionError as failed:
                pytest.fail(f"{failed}{case.why}", pytrace=False)
        spent = time.monotonic() - started
        print(f"\nspec fuzzer: web app client, type check and lint, {spent:.1f}s")
