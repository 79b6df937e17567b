"""Docker: build the image and run the whole stack with Docker Compose.

The stack runs wherever the Docker CLI points: this machine, or a server
through ``DOCKER_HOST`` / ``docker context use``.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import yaml

from tools.deployers.base import WORKER_COMMAND, Deployer, DeployProject, Query
from tools.deployers.checks import Problems, RouteCheck, check_command

COMPOSE_FILE = "docker-compose.yml"
CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")


class DockerDeployer(Deployer):
    name = "docker"
    clis: ClassVar[tuple[str, ...]] = ("docker",)
    install_hint = (
        "Install Docker Engine or Docker Desktop with the Compose plugin "
        "(https://docs.docker.com/get-docker/)."
    )
    config_files: ClassVar[tuple[str, ...]] = (COMPOSE_FILE,)

    def required_files(self, project: DeployProject) -> tuple[str, ...]:
        return (project.dockerfile, project.dockerignore, *self.config_files)

    def check_config(self, project: DeployProject, routes: RouteCheck) -> Problems:
        try:
            compose = yaml.safe_load((project.root / COMPOSE_FILE).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            return [f"{COMPOSE_FILE} is not valid YAML: {exc}"]
        services = compose.get("services") if isinstance(compose, dict) else None
        if not isinstance(services, dict):
            return [f"{COMPOSE_FILE} has no services"]
        problems: Problems = []
        expected = {"prestart", "api", "postgres", "redis"} | (
            {"worker"} if project.has_worker else set()
        )
        for name in sorted(expected - services.keys()):
            problems.append(f"{COMPOSE_FILE}: no {name!r} service")
        if not project.has_worker and "worker" in services:
            problems.append(f"{COMPOSE_FILE}: a worker service, but dayone.yaml has no jobs")
        for name, service in services.items():
            if isinstance(service, dict):
                problems += self._check_service(project, services, name, service)
        api = services.get("api")
        if isinstance(api, dict) and not api.get("ports"):
            problems.append(f"{COMPOSE_FILE}: the api service publishes no port")
        worker = services.get("worker")
        if isinstance(worker, dict) and worker.get("command") != WORKER_COMMAND.split():
            problems.append(f"{COMPOSE_FILE}: the worker should run {WORKER_COMMAND.split()}")
        return problems

    def _check_service(
        self,
        project: DeployProject,
        services: dict[str, Any],
        name: str,
        service: dict[str, Any],
    ) -> Problems:
        where = f"{COMPOSE_FILE} ({name})"
        problems: Problems = []
        build = service.get("build")
        built = build is not None
        if built:
            context = build.get("context") if isinstance(build, dict) else build
            folder = project.root / str(context)
            dockerfile = (
                build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
            )
            if not (folder / dockerfile).is_file():
                problems.append(f"{where}: build context {context} has no {dockerfile}")
            elif folder.resolve() != (project.root / project.context).resolve():
                problems.append(
                    f"{where}: build context {context} is not {project.context_name}"
                    + (" (the image builds frontend/ too)" if project.has_web else "")
                )
        command = service.get("command")
        if command is not None and built:
            problems += check_command(project.backend, command, where)
        for other, rule in (service.get("depends_on") or {}).items():
            if other not in services:
                problems.append(f"{where}: depends on {other!r}, which is not a service")
                continue
            condition = rule.get("condition") if isinstance(rule, dict) else None
            if condition not in CONDITIONS:
                problems.append(f"{where}: depends on {other!r} with no valid condition")
            elif condition == "service_healthy" and not _has_healthcheck(services[other]):
                problems.append(
                    f"{where}: waits for {other!r} to be healthy, which has no healthcheck"
                )
        return problems

    def environment(self, project: DeployProject, tag: str) -> dict[str, str]:
        return {"IMAGE_TAG": tag}

    def commands(self, project: DeployProject, tag: str) -> list[list[str]]:
        compose = [self.program, "compose", "--file", COMPOSE_FILE]
        return [[*compose, "build"], [*compose, "up", "--detach", "--wait"]]

    def public_url(self, project: DeployProject, query: Query | None = None) -> str | None:
        return f"http://localhost:{os.environ.get('API_PORT', '8000')}"


def _has_healthcheck(service: Any) -> bool:
    """A healthcheck of its own, or (for built services) the image's HEALTHCHECK."""
    if not isinstance(service, dict):
        return False
    check = service.get("healthcheck")
    if isinstance(check, dict):
        return not check.get("disable", False) and bool(check.get("test") or service.get("build"))
    return service.get("build") is not None
