"""With the web app (``frontend: react``) the image builds frontend/ in a Node
stage and the API serves it, so the build context is the project folder: a
Dockerfile and .dockerignore at the root, and every deploy config and deployer
pointing at them. Projects without the web app keep backend/ as the context
(tests/deploy/test_generated_files.py).

When a Docker engine answers, the image is built and run. Otherwise the
Dockerfile's recipe is replayed without Docker: the context is what
.dockerignore lets through, the Node stage's COPY and RUN instructions run in
a scratch folder, its ``dist`` goes where the runtime stage copies it, and the
real app, started with the Dockerfile's WEB_DIR pointing there, serves it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pathspec
import pytest
import yaml

from generator.render import render
from generator.spec import parse_spec
from tests.deploy.support import PROJECT_ALL, Platform, copy_project, dayone
from tools.deployers import DEPLOYERS, DeployProject
from tools.deployers.checks import Instruction, final_stage, parse_dockerfile

PROJECT_WEB = PROJECT_ALL.replace(
    "deploy:", "frontend: react\nauth: {cookie_mode: true}\njobs: rq\ndeploy:"
)
NPM = shutil.which("npm")
DOCKER = shutil.which("docker")


def rendered() -> dict[str, bytes]:
    return render(parse_spec(PROJECT_WEB)).files


def stages(instructions: list[Instruction]) -> dict[str, list[Instruction]]:
    """Each build stage's instructions (FROM included), by its AS name."""
    out: dict[str, list[Instruction]] = {}
    current: list[Instruction] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            current = []
            out[instruction.arguments.split()[-1]] = current
        current.append(instruction)
    return out


def ignored(files: dict[str, bytes]) -> pathspec.PathSpec:
    lines = files[".dockerignore"].decode().splitlines()
    return pathspec.PathSpec.from_lines("gitignore", lines)


def test_the_image_is_built_from_the_project_folder() -> None:
    files = rendered()
    assert {"Dockerfile", ".dockerignore"} <= files.keys()
    assert not {"backend/Dockerfile", "backend/.dockerignore"} & files.keys()

    compose = yaml.safe_load(files["docker-compose.yml"])
    for name in ("prestart", "api", "worker"):
        assert compose["services"][name]["build"] == {"context": "."}, name
    fly = tomllib.loads(files["backend/fly.toml"].decode())
    assert fly["build"]["dockerfile"] == "../Dockerfile"  # relative to backend/fly.toml
    blueprint = yaml.safe_load(files["render.yaml"])
    built = [s for s in blueprint["services"] if s.get("runtime") == "docker"]
    assert {s["type"] for s in built} == {"web", "worker"}
    for service in built:
        assert (service["dockerfilePath"], service["dockerContext"]) == ("./Dockerfile", ".")
    heroku = yaml.safe_load(files["heroku.yml"])
    assert heroku["build"]["docker"] == {"web": "Dockerfile", "worker": "Dockerfile"}


def test_a_node_stage_builds_the_web_app_and_the_runtime_serves_it() -> None:
    files = rendered()
    instructions = parse_dockerfile(files["Dockerfile"].decode())
    by_name = stages(instructions)
    assert list(by_name) == ["web", "builder", "runtime"]
    assert by_name["web"][0].arguments == "node:${NODE_VERSION}-slim AS web"
    args = {i.arguments for i in instructions if i.keyword == "ARG"}
    assert "NODE_VERSION=22" in args
    runs = [i.arguments for i in by_name["web"] if i.keyword == "RUN"]
    assert runs == ["npm ci", "npm run build"]
    # The lock is copied (and installed from) before the sources: a code change
    # does not reinstall the packages.
    copies = [i.arguments for i in by_name["web"] if i.keyword == "COPY"]
    assert copies[0] == "frontend/package.json frontend/package-lock.json ./"
    last = final_stage(instructions)
    assert any(i.arguments == "--from=web /web/dist ./web" for i in last)
    assert any(i.keyword == "ENV" and i.arguments == "WEB_DIR=/app/web" for i in last)
    assert not any("node" in i.arguments or "npm" in i.arguments for i in last)
    # Every source a COPY names is in the context, and .dockerignore keeps it in.
    spec = ignored(files)
    for instruction in instructions:
        if instruction.keyword == "COPY" and not instruction.arguments.startswith("--from"):
            *sources, _ = instruction.arguments.split()
            for source in sources:
                inside = [p for p in files if p == source or p.startswith(f"{source}/")]
                assert inside, source
                assert any(not spec.match_file(p) for p in inside), source


def test_dockerignore_keeps_local_state_out_and_the_sources_in() -> None:
    spec = ignored(rendered())
    for path in (
        "frontend/node_modules/react/index.js",
        "frontend/dist/index.html",
        "frontend/test-results/run.json",
        "frontend/playwright-report/index.html",
        "backend/.venv/bin/python",
        "backend/.env",
        "backend/app.db",
        "backend/app/__pycache__/main.cpython-311.pyc",
        "backend/tests/test_auth.py",
        ".git/HEAD",
        ".dayone/baseline.json",
    ):
        assert spec.match_file(path), path
    for path in (
        "frontend/package-lock.json",
        "frontend/src/main.tsx",
        "frontend/index.html",
        "backend/requirements.lock",
        "backend/app/main.py",
        "backend/alembic/env.py",
        "backend/scripts/prestart.sh",
    ):
        assert not spec.match_file(path), path


# The deployers, on a generated web project.


@pytest.fixture(scope="module")
def web_project(generate: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(generate(PROJECT_WEB), tmp_path_factory.mktemp("web") / "ship_it", git=True)


@pytest.mark.integration
@pytest.mark.parametrize("target", list(DEPLOYERS))
def test_every_target_accepts_the_web_project(web_project: Path, target: str) -> None:
    assert DEPLOYERS[target]().validate(DeployProject.load(web_project)) == []


WEB_BREAKAGES = [
    (
        "docker",
        "docker-compose.yml",
        "context: .\n",
        "context: ./backend\n",
        "has no Dockerfile",
    ),
    (
        "render",
        "render.yaml",
        "    dockerContext: .\n",
        "    dockerContext: ./backend\n",
        "dockerContext should be .",
    ),
    ("fly", "backend/fly.toml", '"../Dockerfile"', '"Dockerfile"', "does not exist"),
    ("heroku", "heroku.yml", "web: Dockerfile", "web: backend/Dockerfile", "is missing"),
    (
        "docker",
        "Dockerfile",
        "COPY frontend ./",
        "COPY web ./",
        "COPY source web does not exist in the project folder",
    ),
]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("target", "path", "old", "new", "message"), WEB_BREAKAGES, ids=[b[-1] for b in WEB_BREAKAGES]
)
def test_a_context_that_misses_the_web_app_is_reported(
    web_project: Path, tmp_path: Path, target: str, path: str, old: str, new: str, message: str
) -> None:
    root = copy_project(web_project, tmp_path / "broken")
    file = root / path
    text = file.read_text()
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1))
    problems = DEPLOYERS[target]().validate(DeployProject.load(root))
    assert any(message in problem for problem in problems), problems


@pytest.mark.integration
def test_deploy_builds_from_the_project_folder(web_project: Path, tmp_path: Path) -> None:
    platform = Platform(tmp_path / "platform").install("flyctl", "docker")
    fly = dayone("deploy", str(web_project), "-t", "fly", "--tag", "v1", platform=platform)
    assert fly.returncode == 0, fly.stderr
    docker = dayone("deploy", str(web_project), "-t", "docker", "--tag", "v1", platform=platform)
    assert docker.returncode == 0, docker.stderr
    argvs = [call["argv"] for call in platform.calls()]
    assert argvs[0] == [
        "deploy",
        ".",
        "--config",
        "backend/fly.toml",
        "--remote-only",
        "--image-label",
        "v1",
    ]
    assert argvs[1:] == [
        ["compose", "--file", "docker-compose.yml", "build"],
        ["compose", "--file", "docker-compose.yml", "up", "--detach", "--wait"],
    ]


# The image itself.


def docker_engine() -> bool:
    if DOCKER is None:
        return False
    try:
        probe = subprocess.run([DOCKER, "info"], capture_output=True, check=False, timeout=60)
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


@pytest.mark.integration
@pytest.mark.skipif(not docker_engine(), reason="no Docker engine answers here")
def test_the_image_serves_the_web_app_and_the_api(web_project: Path) -> None:
    assert DOCKER is not None
    tag = "dayone-test-web-image:latest"
    build = subprocess.run(
        [DOCKER, "build", "--tag", tag, str(web_project)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert build.returncode == 0, build.stderr[-6000:]
    container = subprocess.run(
        [
            DOCKER,
            "run",
            "--detach",
            "--publish",
            "127.0.0.1::8000",
            "--env",
            "ENVIRONMENT=test",
            "--env",
            "DATABASE_URL=sqlite:////tmp/app.db",
            tag,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        port = (
            subprocess.run(
                [DOCKER, "port", container, "8000"], capture_output=True, text=True, check=True
            )
            .stdout.split(":")[-1]
            .strip()
        )
        # The image's own HEALTHCHECK command, until gunicorn answers.
        for _ in range(60):
            health = subprocess.run(
                [DOCKER, "exec", container, "python", "-m", "app.manage", "healthcheck", "/health"],
                capture_output=True,
                check=False,
                timeout=60,
            )
            if health.returncode == 0:
                break
            time.sleep(1)
        assert health.returncode == 0, health.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as answer:
            assert b'<div id="root">' in answer.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/some/deep/link") as answer:
            assert b'<div id="root">' in answer.read()
    finally:
        subprocess.run([DOCKER, "rm", "--force", container], capture_output=True, check=False)


def replay_web_stage(context: Path, dockerfile: list[Instruction], scratch: Path) -> Path:
    """Run the Node stage's WORKDIR, ENV, COPY and RUN instructions with ``scratch``
    as the filesystem root; return where its WORKDIR ended up."""
    workdir = scratch
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(scratch))}
    for instruction in stages(dockerfile)["web"][1:]:
        words = shlex.split(instruction.arguments)
        if instruction.keyword == "WORKDIR":
            workdir = scratch / words[0].lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif instruction.keyword == "ENV":
            env.update(word.split("=", 1) for word in words)
        elif instruction.keyword == "COPY":
            *sources, target = words
            for source in sources:
                origin = context / source
                into = workdir / target
                if origin.is_dir():
                    shutil.copytree(origin, into, dirs_exist_ok=True)
                else:
                    shutil.copy2(origin, into / origin.name if target.endswith("/") else into)
        elif instruction.keyword == "RUN":
            result = subprocess.run(
                instruction.arguments,
                shell=True,
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=1200,
            )
            assert result.returncode == 0, (instruction.arguments, result.stderr[-4000:])
        else:
            pytest.fail(f"the replay does not know {instruction.keyword}")
    return workdir


@pytest.mark.integration
@pytest.mark.skipif(NPM is None, reason="npm is not installed (Node.js 20.19+)")
def test_the_image_recipe_builds_the_web_app_the_api_serves(
    web_project: Path, tmp_path: Path
) -> None:
    """Without Docker: the context .dockerignore lets through, the Node stage
    replayed, its dist where the runtime stage copies it, and the app serving it."""
    spec = ignored({".dockerignore": (web_project / ".dockerignore").read_bytes()})
    context = tmp_path / "context"
    for path in sorted(spec.match_tree_files(web_project, negate=True)):
        (context / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(web_project / path, context / path)
    assert not (context / "backend/tests").exists() and not (context / ".git").exists()

    dockerfile = parse_dockerfile((web_project / "Dockerfile").read_text())
    workdir = replay_web_stage(context, dockerfile, tmp_path / "web-stage")
    [copy] = [i for i in final_stage(dockerfile) if i.arguments.startswith("--from=web ")]
    dist = tmp_path / "web-stage" / copy.arguments.split()[1].lstrip("/")
    assert dist.parent == workdir and (dist / "index.html").is_file()
    [web_dir] = [
        i.arguments.split("=", 1)[1]
        for i in final_stage(dockerfile)
        if i.keyword == "ENV" and i.arguments.startswith("WEB_DIR=")
    ]
    assert web_dir == "/app/" + copy.arguments.split()[2].removeprefix("./")

    asset = next(p for p in (dist / "assets").iterdir() if p.suffix == ".js")
    script = (
        "import json, sys\n"
        "from fastapi.testclient import TestClient\n"
        "from app.main import app\n"
        "client = TestClient(app)\n"
        "out = {}\n"
        "for path in sys.argv[1:]:\n"
        "    answer = client.get(path)\n"
        "    out[path] = [answer.status_code, answer.headers.get('content-type', ''),\n"
        "                 answer.headers.get('cache-control', '')]\n"
        "print(json.dumps(out))\n"
    )
    paths = ["/", "/orgs/deep/link", f"/assets/{asset.name}", "/health", "/api/nothing-here"]
    result = subprocess.run(
        [sys.executable, "-c", script, *paths],
        cwd=context / "backend",
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "sqlite://",
            "ENVIRONMENT": "test",
            "WEB_DIR": str(dist),  # the image's /app/web
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    answers = json.loads(result.stdout.splitlines()[-1])
    assert answers["/"][:2] == [200, "text/html; charset=utf-8"]
    assert answers["/orgs/deep/link"][:2] == [200, "text/html; charset=utf-8"]
    assert answers[f"/assets/{asset.name}"][0] == 200
    assert "immutable" in answers[f"/assets/{asset.name}"][2]
    assert answers["/health"][0] == 200
    assert answers["/api/nothing-here"][0] == 404
