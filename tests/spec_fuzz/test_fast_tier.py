"""The spec fuzzer's fast tier: a few specs drawn from the strategy are accepted
by ``dayone spec validate``, render byte-identically twice through ``dayone new``,
pass ruff (check and format) and mypy, and serve their OpenAPI document.

DAYONE_SPEC_SEED=<n> draws the same specs again; DAYONE_SPEC_FAST=<count> draws
more (default 4)."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.spec_fuzz.conftest import cli, draw_specs, dump, explain
from tests.spec_fuzz.strategies import Spec

pytestmark = pytest.mark.integration

COUNT = int(os.environ.get("DAYONE_SPEC_FAST", "4"))


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
