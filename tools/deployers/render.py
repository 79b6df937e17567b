"""Render: the Blueprint (render.yaml) describes the services; a deploy asks
Render to build a given commit of the linked repository.

``render deploys create`` needs the service ids Render gave the Blueprint's
services: ``RENDER_SERVICE_ID`` (the web service) and, with jobs on,
``RENDER_WORKER_SERVICE_ID``.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import yaml

from tools.deployers.base import (
    Deployer,
    DeployProject,
    Query,
    commit_of,
    repo_root_problems,
)
from tools.deployers.checks import Problems, RouteCheck, check_command

RENDER_YAML = "render.yaml"
SERVICE_ID = "RENDER_SERVICE_ID"
WORKER_SERVICE_ID = "RENDER_WORKER_SERVICE_ID"


class RenderDeployer(Deployer):
    name = "render"
    clis: ClassVar[tuple[str, ...]] = ("render",)
    install_hint = (
        "Install the Render CLI (https://render.com/docs/cli), then `render login` "
        "or set RENDER_API_KEY."
    )
    config_files: ClassVar[tuple[str, ...]] = (RENDER_YAML,)

    def _blueprint(self, project: DeployProject) -> dict[str, Any]:
        data = yaml.safe_load((project.root / RENDER_YAML).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}

    def _services(self, project: DeployProject) -> list[dict[str, Any]]:
        services = self._blueprint(project).get("services") or []
        return [s for s in services if isinstance(s, dict)]

    def source_problems(self, project: DeployProject) -> Problems:
        return repo_root_problems(project, "Render", RENDER_YAML)

    def check_config(self, project: DeployProject, routes: RouteCheck) -> Problems:
        try:
            blueprint = self._blueprint(project)
        except yaml.YAMLError as exc:
            return [f"{RENDER_YAML} is not valid YAML: {exc}"]
        problems: Problems = []
        services = [s for s in blueprint.get("services") or [] if isinstance(s, dict)]
        databases = {d.get("name") for d in blueprint.get("databases") or []}
        groups = {g.get("name") for g in blueprint.get("envVarGroups") or []}
        by_type = {(s.get("type"), s.get("name")) for s in services}
        processes: dict[str, str] = {}
        for service in services:
            where = f"{RENDER_YAML} ({service.get('name')})"
            kind = service.get("type")
            if kind == "keyvalue" and "ipAllowList" not in service:
                problems.append(f"{where}: a Key Value instance needs ipAllowList")
            if kind not in ("web", "worker"):
                continue
            processes[kind] = str(service.get("dockerCommand", ""))
            problems += self._check_docker_service(project, service, where)
            if kind == "web":
                problems += routes(service.get("healthCheckPath"), where)
                pre_deploy = service.get("preDeployCommand")
                if pre_deploy is None:
                    problems.append(f"{where}: no preDeployCommand to run the migrations")
                else:
                    problems += check_command(project.backend, pre_deploy, where)
            for variable in service.get("envVars") or []:
                problems += _check_reference(variable, databases, groups, by_type, where)
        problems += self.check_processes(project, processes, RENDER_YAML, web="web")
        return problems

    def _check_docker_service(
        self, project: DeployProject, service: dict[str, Any], where: str
    ) -> Problems:
        problems: Problems = []
        if service.get("runtime") != "docker":
            problems.append(f"{where}: runtime should be docker")
        dockerfile = project.root / str(service.get("dockerfilePath", "./Dockerfile"))
        context = project.root / str(service.get("dockerContext", "."))
        if not dockerfile.is_file():
            problems.append(f"{where}: dockerfilePath {service.get('dockerfilePath')} is missing")
        elif dockerfile.resolve() != (project.root / project.dockerfile).resolve():
            problems.append(f"{where}: dockerfilePath should be ./{project.dockerfile}")
        if context.resolve() != (project.root / project.context).resolve():
            expected = "." if project.has_web else "./backend"
            problems.append(f"{where}: dockerContext should be {expected}")
        return problems

    def missing_settings(self, project: DeployProject) -> Problems:
        names = [SERVICE_ID] + ([WORKER_SERVICE_ID] if project.has_worker else [])
        return [
            f"{name} is not set: the id (srv-...) Render gave the "
            f"{'worker' if name == WORKER_SERVICE_ID else 'web'} service of the Blueprint"
            for name in names
            if not os.environ.get(name)
        ]

    def commands(self, project: DeployProject, tag: str) -> list[list[str]]:
        ids = [os.environ.get(SERVICE_ID) or f"${SERVICE_ID}"]
        if project.has_worker:
            ids.append(os.environ.get(WORKER_SERVICE_ID) or f"${WORKER_SERVICE_ID}")
        deploys = [
            [
                self.program,
                "deploys",
                "create",
                service_id,
                "--commit",
                commit_of(project),
                "--wait",
                "--confirm",
                "--output",
                "json",
            ]
            for service_id in ids
        ]
        return [[self.program, "blueprints", "validate", RENDER_YAML], *deploys]

    def public_url(self, project: DeployProject, query: Query | None = None) -> str | None:
        web = next((s for s in self._services(project) if s.get("type") == "web"), None)
        return f"https://{web['name']}.onrender.com" if web and web.get("name") else None


def _check_reference(
    variable: Any,
    databases: set[Any],
    groups: set[Any],
    services: set[tuple[Any, Any]],
    where: str,
) -> Problems:
    if not isinstance(variable, dict):
        return [f"{where}: an envVars entry is not a mapping"]
    if "fromGroup" in variable and variable["fromGroup"] not in groups:
        return [f"{where}: envVars uses group {variable['fromGroup']!r}, which is not defined"]
    database = variable.get("fromDatabase")
    if isinstance(database, dict) and database.get("name") not in databases:
        return [
            f"{where}: {variable.get('key')} names database {database.get('name')!r}, "
            "which is not defined"
        ]
    service = variable.get("fromService")
    if isinstance(service, dict) and (service.get("type"), service.get("name")) not in services:
        return [
            f"{where}: {variable.get('key')} names {service.get('type')} service "
            f"{service.get('name')!r}, which is not defined"
        ]
    return []
