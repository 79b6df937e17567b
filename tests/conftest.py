"""Shared fixtures: generated projects, and scratch PostgreSQL databases; the
Hypothesis profile and the seed of every fuzz run come from tests/fuzzing.py."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.paths import examples_dir
from generator.render import render
from generator.spec import parse_spec
from generator.state import SPEC_FILE, state_files

# The Hypothesis profile and the seed of every fuzz run (docs/testing.md).
from tests.fuzzing import (  # noqa: F401  (hooks)
    pytest_configure,
    pytest_terminal_summary,
)

EXAMPLES = examples_dir()


def backend_only(spec_text: str) -> str:
    """An example's spec without its web app (``frontend: react``), for tests that
    need only the backend: no Node.js, a smaller project."""
    import re

    return re.sub(r"^frontend: react\b.*\n", "", spec_text, flags=re.M)


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep Day One's render caches out of the user's home during tests; subprocesses
    inherit the variable."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous


def write_project(spec_text: str, target: Path) -> Path:
    """Generate a project from spec text into ``target`` through the real CLI path."""
    from generator.apply.fresh import create_project

    spec = parse_spec(spec_text)
    rendered = render(spec)
    spec_bytes = spec_text.encode()
    files = {**rendered.files, SPEC_FILE: spec_bytes, **state_files(rendered, spec_bytes)}
    create_project(target, files, rendered.executable)
    return target


@pytest.fixture(scope="session")
def generate(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Generate each spec once per test session (by file name under examples/ or by text)."""
    cache: dict[str, Path] = {}

    def make(spec: str) -> Path:
        if spec not in cache:
            text = (EXAMPLES / spec).read_text() if spec.endswith(".yaml") else spec
            name = Path(spec).stem if spec.endswith(".yaml") else f"inline{len(cache)}"
            cache[spec] = write_project(text, tmp_path_factory.mktemp(name) / "project")
        return cache[spec]

    return make


@pytest.fixture(scope="session")
def dayone_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Day One's wheel, built once per test session from this source tree (its folder
    serves as a package index for `pip install --find-links`)."""
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    source = Path(__file__).resolve().parents[1]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source), "-w", str(dist)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("dayone_saas-*.whl")
    return wheel


def venv_over_this_one(venv: Path) -> tuple[str, dict[str, str]]:
    """Create a virtualenv at ``venv`` that sees this environment's packages after its
    own (through a ``.pth`` file), so a test installs only what differs, without a
    download. Returns its python and the environment to run it in."""
    import sysconfig

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], env=env, check=True)
    python = str(venv / "bin" / "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "shared.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, env


@pytest.fixture(scope="session")
def released_dayone(tmp_path_factory: pytest.TempPathFactory, dayone_wheel: Path) -> Path:
    """A virtualenv (its folder) with Day One installed from the wheel by name, as from
    a package index, so it records itself as the released distribution. The wheel's
    ``generator`` is the one imported, not the source tree."""
    from generator import __version__
    from generator.provenance import DISTRIBUTION

    venv = tmp_path_factory.mktemp("released") / "venv"
    python, env = venv_over_this_one(venv)
    # --ignore-installed: the shared folder holds this checkout's editable install of
    # the same name and version, which pip would otherwise count as already there.
    pip = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed"]
    wanted = ["--find-links", str(dayone_wheel.parent), f"{DISTRIBUTION}=={__version__}"]
    installed = subprocess.run(
        [*pip, *wanted], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert installed.returncode == 0, installed.stderr
    return venv


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    import sqlalchemy as sa

    url = sa.make_url(base)
    name = f"dayone_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_env() -> dict[str, str]:
    """TEST_REDIS_URL for a generated project's suite (its Redis tests skip without it)."""
    url = os.environ.get("TEST_REDIS_URL")
    return {"TEST_REDIS_URL": url} if url else {}


def run_in(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run a command in the project's backend/ with a clean environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL", "REDIS_URL"))
    }
    return subprocess.run(
        args,
        cwd=project / "backend",
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def python(*args: str) -> tuple[str, ...]:
    return (sys.executable, *args)


def measured_suite(
    project: Path, *pytest_args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str] | None]:
    """Run the project's suite under coverage.py with the project's own settings
    (branch coverage of app/) and, when it passed, coverage's total, which exits
    non-zero under the project's fail_under."""
    suite = run_in(
        project,
        *python("-m", "coverage", "run", "-m", "pytest", "-p", "no:cacheprovider", *pytest_args),
        env=env,
        timeout=1800,  # measuring adds a fifth or so to the suite's time
    )
    if suite.returncode != 0:
        return suite, None
    return suite, run_in(project, *python("-m", "coverage", "report", "--format=total"))
