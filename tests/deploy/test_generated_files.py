"""The deploy files of generated projects: present exactly when the spec asks,
well-formed (parsed with tomllib and yaml), and everything they refer to exists.

Docker itself cannot run here (no engine), so the Dockerfile is checked by
parsing its instructions: stages, the non-root USER, the HEALTHCHECK, and the
files its COPY instructions and commands name.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.render import render
from generator.spec import parse_spec
from tests.deploy.support import (
    PROJECT_ALL,
    PROJECT_JOBS,
    PROJECT_NONE,
    copy_project,
)
from tools.deployers import DEPLOYERS, DeployProject, checks
from tools.deployers.checks import final_stage, parse_dockerfile

FILES = {
    "docker": {"backend/Dockerfile", "backend/.dockerignore", "docker-compose.yml"},
    "fly": {"backend/Dockerfile", "backend/.dockerignore", "backend/fly.toml"},
    "render": {"backend/Dockerfile", "backend/.dockerignore", "render.yaml"},
    "heroku": {"backend/Dockerfile", "backend/.dockerignore", "heroku.yml", "backend/Procfile"},
}
ALL_DEPLOY_FILES = set().union(*FILES.values())
ALWAYS = {"backend/gunicorn.conf.py", "backend/scripts/prestart.sh"}


def rendered(spec_text: str) -> dict[str, bytes]:
    return render(parse_spec(spec_text)).files


@pytest.mark.parametrize(
    "targets",
    [[], ["docker"], ["fly"], ["render"], ["heroku"], ["docker", "heroku"]],
    ids=lambda t: "+".join(t) or "none",
)
def test_files_exist_only_for_the_targets_in_the_spec(targets: list[str]) -> None:
    spec = PROJECT_NONE + f"deploy: [{', '.join(targets)}]\n"
    result = render(parse_spec(spec))
    expected = set().union(*(FILES[t] for t in targets)) if targets else set()
    assert ALL_DEPLOY_FILES & result.files.keys() == expected
    assert result.files.keys() >= ALWAYS
    assert "backend/scripts/prestart.sh" in result.executable
    assert b'"gunicorn>=' in result.files["backend/pyproject.toml"]


@pytest.mark.parametrize("jobs", [False, True], ids=["no-jobs", "jobs"])
def test_configs_parse_and_have_a_worker_only_with_jobs(jobs: bool) -> None:
    files = rendered(PROJECT_JOBS if jobs else PROJECT_ALL)
    worker = ["python", "-m", "app.worker"]

    compose = yaml.safe_load(files["docker-compose.yml"])
    assert set(compose["services"]) == {"prestart", "api", "postgres", "redis"} | (
        {"worker"} if jobs else set()
    )
    api = compose["services"]["api"]
    assert api["build"] == {"context": "./backend"}
    assert api["depends_on"]["prestart"] == {"condition": "service_completed_successfully"}
    assert api["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert compose["services"]["prestart"]["command"] == ["./scripts/prestart.sh"]
    assert compose["services"]["postgres"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert compose["services"]["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert api["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    if jobs:
        assert compose["services"]["worker"]["command"] == worker

    fly = tomllib.loads(files["backend/fly.toml"].decode())
    assert fly["app"] == "ship-it"
    assert fly["deploy"]["release_command"] == "./scripts/prestart.sh"
    assert fly["processes"]["app"] == "gunicorn --config gunicorn.conf.py app.main:app"
    assert ("worker" in fly["processes"]) is jobs
    assert fly["http_service"]["checks"][0]["path"] == "/health"

    blueprint = yaml.safe_load(files["render.yaml"])
    kinds = {s["type"]: s for s in blueprint["services"]}
    assert set(kinds) == {"web", "keyvalue"} | ({"worker"} if jobs else set())
    assert kinds["web"]["healthCheckPath"] == "/health"
    assert kinds["web"]["preDeployCommand"] == "./scripts/prestart.sh"
    assert blueprint["databases"][0]["name"] == "ship-it-db"
    if jobs:
        assert kinds["worker"]["dockerCommand"] == " ".join(worker)

    heroku = yaml.safe_load(files["heroku.yml"])
    assert set(heroku["run"]) == {"web"} | ({"worker"} if jobs else set())
    assert heroku["release"] == {"image": "web", "command": ["./scripts/prestart.sh"]}
    procfile = dict(line.split(": ", 1) for line in files["backend/Procfile"].decode().splitlines())
    assert procfile == {**heroku["run"], "release": "./scripts/prestart.sh"}


def test_dockerfile_is_multi_stage_slim_non_root_and_health_checked() -> None:
    files = rendered(PROJECT_ALL)
    instructions = parse_dockerfile(files["backend/Dockerfile"].decode())
    stages = [i.arguments for i in instructions if i.keyword == "FROM"]
    assert stages == [
        "python:${PYTHON_VERSION}-slim AS builder",
        "python:${PYTHON_VERSION}-slim AS runtime",
    ]
    last = final_stage(instructions)
    [user] = [i.arguments for i in last if i.keyword == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    [health] = [i for i in last if i.keyword == "HEALTHCHECK"]
    assert health.exec_form() == ["python", "-m", "app.manage", "healthcheck", "/health"]
    [cmd] = [i for i in last if i.keyword == "CMD"]
    assert cmd.exec_form() == ["gunicorn", "--config", "gunicorn.conf.py", "app.main:app"]
    # The runtime stage copies the virtualenv from the builder, not pip itself.
    runs = " ".join(i.arguments for i in last if i.keyword == "RUN")
    assert "pip install" not in runs
    assert any(i.arguments == "--from=builder /opt/venv /opt/venv" for i in last)
    # Every file COPY names is in the generated backend/ (the build context).
    for instruction in last:
        if instruction.keyword == "COPY" and not instruction.arguments.startswith("--from"):
            *sources, _ = instruction.arguments.split()
            for source in sources:
                assert any(
                    p == f"backend/{source}" or p.startswith(f"backend/{source}/") for p in files
                ), source
    ignored = files["backend/.dockerignore"].decode().split()
    assert ".env" in ignored and "tests/" in ignored


@pytest.fixture(scope="module")
def projects(
    generate: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Both shapes, as git repositories (the jobs one with the worker stand-in)."""
    base = tmp_path_factory.mktemp("deployable")
    return {
        "no-jobs": copy_project(generate(PROJECT_ALL), base / "plain", git=True),
        "jobs": copy_project(generate(PROJECT_JOBS), base / "jobs", worker=True, git=True),
    }


@pytest.mark.integration
@pytest.mark.parametrize("shape", ["no-jobs", "jobs"])
@pytest.mark.parametrize("target", list(DEPLOYERS))
def test_every_reference_resolves(projects: dict[str, Path], shape: str, target: str) -> None:
    project = DeployProject.load(projects[shape])
    assert DEPLOYERS[target]().validate(project) == []


@pytest.mark.integration
def test_health_paths_are_served(projects: dict[str, Path]) -> None:
    """Every health path of every config answers 200 from the real app."""
    root = projects["no-jobs"]
    paths = {
        tomllib.loads((root / "backend/fly.toml").read_text())["http_service"]["checks"][0]["path"],
        yaml.safe_load((root / "render.yaml").read_text())["services"][0]["healthCheckPath"],
    }
    dockerfile = parse_dockerfile((root / "backend/Dockerfile").read_text())
    [health] = [i for i in dockerfile if i.keyword == "HEALTHCHECK"]
    argv = health.exec_form()
    assert argv is not None
    paths.add(argv[-1])
    script = (
        "import json, sys\n"
        "from fastapi.testclient import TestClient\n"
        "from app.main import app\n"
        "client = TestClient(app)\n"
        "print(json.dumps({p: client.get(p).status_code for p in sys.argv[1:]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *sorted(paths)],
        cwd=root / "backend",
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://", "ENVIRONMENT": "test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # The app logs each request to stdout as JSON; the answer is the last line.
    assert json.loads(result.stdout.splitlines()[-1]) == dict.fromkeys(sorted(paths), 200)


# Each validation rule, against a broken copy.


@pytest.fixture(scope="module")
def app_paths(projects: dict[str, Path]) -> tuple[set[str], str]:
    """The app's GET routes, found once by importing the real app."""
    return checks.app_routes(projects["no-jobs"] / "backend")


@pytest.fixture
def known_routes(monkeypatch: pytest.MonkeyPatch, app_paths: tuple[set[str], str]) -> None:
    """The broken copies differ from the original only in deploy files, so
    the routes found once stand for theirs (importing the app takes seconds)."""
    monkeypatch.setattr(checks, "app_routes", lambda backend: app_paths)


def _break(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text()
    assert old in text, (path, old)
    file.write_text(text.replace(old, new))


BREAKAGES = [
    ("docker", "backend/Dockerfile", "USER 10001:10001", "USER root", "runs as root"),
    ("docker", "backend/Dockerfile", "USER 10001:10001\n", "", "sets no USER"),
    ("docker", "backend/Dockerfile", "HEALTHCHECK", "# HEALTHCHECK", "has no HEALTHCHECK"),
    (
        "docker",
        "backend/Dockerfile",
        "FROM python:${PYTHON_VERSION}-slim AS builder",
        "FROM scratch AS builder\nCOPY x /x\nFROM python:3 AS builder",
        "COPY source x does not exist",
    ),
    (
        "docker",
        "backend/Dockerfile",
        "app.main:app",
        "app.mian:app",
        "module app.mian does not exist",
    ),
    ("docker", "backend/Dockerfile", '/health"]', '/nope"]', "/nope is not a GET route"),
    (
        "docker",
        "docker-compose.yml",
        "condition: service_completed_successfully",
        "condition: sometime",
        "no valid condition",
    ),
    (
        "docker",
        "docker-compose.yml",
        "  redis:\n    image",
        "  cache:\n    image",
        "'redis', which is not a service",
    ),
    (
        "docker",
        "docker-compose.yml",
        '["./scripts/prestart.sh"]',
        '["./scripts/migrate.sh"]',
        "script ./scripts/migrate.sh does not exist",
    ),
    (
        "fly",
        "backend/fly.toml",
        'release_command = "./scripts/prestart.sh"',
        "",
        "no deploy.release_command",
    ),
    (
        "fly",
        "backend/fly.toml",
        "internal_port = 8000",
        "internal_port = 8080",
        "internal_port is 8080",
    ),
    ("fly", "backend/fly.toml", 'app = "gunicorn', 'web = "gunicorn', "no 'app' process"),
    ("fly", "backend/fly.toml", "[processes]", "[processes\n", "not valid TOML"),
    (
        "render",
        "render.yaml",
        "- name: ship-it-db",
        "- name: ship-it-postgres",
        "names database 'ship-it-db'",
    ),
    (
        "render",
        "render.yaml",
        "dockerContext: ./backend",
        "dockerContext: .",
        "dockerContext should be ./backend",
    ),
    (
        "render",
        "render.yaml",
        "healthCheckPath: /health",
        "healthCheckPath: /status",
        "/status is not a GET route",
    ),
    (
        "heroku",
        "heroku.yml",
        "web: backend/Dockerfile",
        "web: Dockerfile",
        "build.docker.web Dockerfile is missing",
    ),
    (
        "heroku",
        "backend/Procfile",
        "release: ./scripts/prestart.sh\n",
        "",
        "does not list the same processes",
    ),
    (
        "heroku",
        "heroku.yml",
        "    - ./scripts/prestart.sh",
        "    - python -m app.migrate",
        "runs module app.migrate, which does not exist",
    ),
]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("target", "path", "old", "new", "message"), BREAKAGES, ids=[b[-1] for b in BREAKAGES]
)
def test_broken_files_are_reported(
    known_routes: None,
    projects: dict[str, Path],
    tmp_path: Path,
    target: str,
    path: str,
    old: str,
    new: str,
    message: str,
) -> None:
    root = copy_project(projects["no-jobs"], tmp_path / "broken")
    _break(root, path, old, new)
    problems = DEPLOYERS[target]().validate(DeployProject.load(root))
    assert any(message in problem for problem in problems), problems


@pytest.mark.integration
def test_prestart_must_stay_executable(
    known_routes: None, projects: dict[str, Path], tmp_path: Path
) -> None:
    root = copy_project(projects["no-jobs"], tmp_path / "chmod")
    (root / "backend/scripts/prestart.sh").chmod(0o644)
    problems = DEPLOYERS["fly"]().validate(DeployProject.load(root))
    assert any("prestart.sh is not executable" in p for p in problems), problems


@pytest.mark.integration
def test_a_jobs_project_without_its_worker_module_is_refused(
    generate: Callable[[str], Path], tmp_path: Path
) -> None:
    root = copy_project(generate(PROJECT_JOBS), tmp_path / "no_worker", git=True)
    (root / "backend/app/worker.py").unlink(missing_ok=True)
    project = DeployProject.load(root)
    for target, deployer in DEPLOYERS.items():
        problems = deployer().validate(project)
        assert any("module app.worker, which does not exist" in p for p in problems), target


@pytest.mark.integration
def test_a_worker_without_jobs_is_refused(
    known_routes: None, projects: dict[str, Path], tmp_path: Path
) -> None:
    root = copy_project(projects["no-jobs"], tmp_path / "extra_worker")
    _break(root, "heroku.yml", "run:\n", "run:\n  worker: python -m app.worker\n")
    problems = DEPLOYERS["heroku"]().validate(DeployProject.load(root))
    assert any("a worker process, but dayone.yaml has no jobs" in p for p in problems), problems


@pytest.mark.integration
def test_a_missing_file_names_the_fix(
    known_routes: None, projects: dict[str, Path], tmp_path: Path
) -> None:
    root = copy_project(projects["no-jobs"], tmp_path / "missing")
    (root / "render.yaml").unlink()
    [problem] = DEPLOYERS["render"]().validate(DeployProject.load(root))
    assert problem.startswith("render.yaml is missing")
    assert "dayone apply" in problem


@pytest.mark.integration
def test_platforms_that_build_from_git_need_a_repository(
    generate: Callable[[str], Path], tmp_path: Path
) -> None:
    root = copy_project(generate(PROJECT_ALL), tmp_path / "no_git")
    project = DeployProject.load(root)
    for target in ("render", "heroku"):
        deployer = DEPLOYERS[target]()
        assert deployer.validate(project) == [], target  # the files are fine
        problems = deployer.source_problems(project)
        assert any("is not in one with a commit" in p for p in problems), target
    assert DEPLOYERS["fly"]().validate(project) == []
    assert DEPLOYERS["fly"]().source_problems(project) == []
