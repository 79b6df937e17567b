"""Fly.io: ``flyctl deploy`` builds the project's Dockerfile on Fly's builders,
runs the release command (migrations), then rolls the machines over.

The build context is the folder ``flyctl deploy`` is given (backend/, or the
project folder when the image builds the web app too); fly.toml's
``build.dockerfile`` is relative to fly.toml, which stays in backend/."""

from __future__ import annotations

import tomllib
from typing import Any, ClassVar

from tools.deployers.base import Deployer, DeployProject, Query
from tools.deployers.checks import Problems, RouteCheck, check_command

FLY_TOML = "backend/fly.toml"


class FlyDeployer(Deployer):
    name = "fly"
    clis: ClassVar[tuple[str, ...]] = ("flyctl", "fly")
    install_hint = "Install flyctl (https://fly.io/docs/flyctl/install/), then `fly auth login`."
    config_files: ClassVar[tuple[str, ...]] = (FLY_TOML,)

    def _config(self, project: DeployProject) -> dict[str, Any]:
        with (project.root / FLY_TOML).open("rb") as handle:
            return tomllib.load(handle)

    def check_config(self, project: DeployProject, routes: RouteCheck) -> Problems:
        try:
            config = self._config(project)
        except tomllib.TOMLDecodeError as exc:
            return [f"{FLY_TOML} is not valid TOML: {exc}"]
        problems: Problems = []
        if not isinstance(config.get("app"), str) or not config["app"]:
            problems.append(f"{FLY_TOML}: no app name")
        dockerfile = str(config.get("build", {}).get("dockerfile", "Dockerfile"))
        path = project.backend / dockerfile
        if not path.is_file():
            problems.append(
                f"{FLY_TOML}: build.dockerfile {dockerfile} does not exist "
                "(it is relative to backend/)"
            )
        elif path.resolve() != (project.root / project.dockerfile).resolve():
            expected = "../Dockerfile" if project.has_web else "Dockerfile"
            problems.append(f"{FLY_TOML}: build.dockerfile should be {expected}")
        release = config.get("deploy", {}).get("release_command")
        if release is None:
            problems.append(f"{FLY_TOML}: no deploy.release_command to run the migrations")
        else:
            problems += check_command(project.backend, release, f"{FLY_TOML} release_command")
        processes = config.get("processes", {})
        problems += self.check_processes(project, processes, f"{FLY_TOML} [processes]", web="app")
        service = config.get("http_service", {})
        port = str(config.get("env", {}).get("PORT", "8000"))
        if str(service.get("internal_port")) != port:
            problems.append(
                f"{FLY_TOML}: http_service.internal_port is {service.get('internal_port')}, "
                f"but the app listens on PORT={port}"
            )
        for name in service.get("processes", []):
            if name not in processes:
                problems.append(f"{FLY_TOML}: http_service serves unknown process {name!r}")
        checks = service.get("checks", [])
        if not checks:
            problems.append(f"{FLY_TOML}: http_service has no health check")
        for check in checks:
            problems += routes(check.get("path"), f"{FLY_TOML} http_service.checks")
        return problems

    def commands(self, project: DeployProject, tag: str) -> list[list[str]]:
        # The folder given is the build context.
        return [
            [
                self.program,
                "deploy",
                project.context,
                "--config",
                FLY_TOML,
                "--remote-only",
                "--image-label",
                tag,
            ]
        ]

    def public_url(self, project: DeployProject, query: Query | None = None) -> str | None:
        app = self._config(project).get("app")
        return f"https://{app}.fly.dev" if isinstance(app, str) and app else None
