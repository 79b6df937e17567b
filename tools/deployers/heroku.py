"""Heroku (container stack): heroku.yml says how to build and run the image;
a git push to the app's Heroku remote builds it, runs the release phase
(migrations) and restarts the dynos.

The app is ``HEROKU_APP`` when set, else the project's name (``acme-crm``).
"""

from __future__ import annotations

import json
import os
from pathlib import PurePosixPath
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

HEROKU_YML = "heroku.yml"
PROCFILE = "backend/Procfile"
APP_VARIABLE = "HEROKU_APP"


class HerokuDeployer(Deployer):
    name = "heroku"
    clis: ClassVar[tuple[str, ...]] = ("heroku",)
    install_hint = (
        "Install the Heroku CLI (https://devcenter.heroku.com/articles/heroku-cli), "
        "then `heroku login`."
    )
    config_files: ClassVar[tuple[str, ...]] = (HEROKU_YML, PROCFILE)
    other_programs: ClassVar[tuple[str, ...]] = ("git",)

    def app(self, project: DeployProject) -> str:
        return os.environ.get(APP_VARIABLE) or project.name

    def source_problems(self, project: DeployProject) -> Problems:
        return repo_root_problems(project, "Heroku", HEROKU_YML)

    def check_config(self, project: DeployProject, routes: RouteCheck) -> Problems:
        try:
            manifest = yaml.safe_load((project.root / HEROKU_YML).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            return [f"{HEROKU_YML} is not valid YAML: {exc}"]
        if not isinstance(manifest, dict):
            return [f"{HEROKU_YML} is empty"]
        problems: Problems = []
        images: dict[str, Any] = (manifest.get("build") or {}).get("docker") or {}
        for process, dockerfile in images.items():
            path = PurePosixPath(str(dockerfile))
            if not (project.root / path).is_file():
                problems.append(f"{HEROKU_YML}: build.docker.{process} {dockerfile} is missing")
            elif (project.root / path).resolve() != (project.root / project.dockerfile).resolve():
                # Heroku builds with the Dockerfile's folder as the context.
                problems.append(f"{HEROKU_YML}: build.docker.{process} is not {project.dockerfile}")
        run = {str(k): str(v) for k, v in (manifest.get("run") or {}).items()}
        problems += self.check_processes(project, run, f"{HEROKU_YML} run", web="web")
        for process in run:
            if process not in images:
                problems.append(f"{HEROKU_YML}: run.{process} has no image in build.docker")
        release = manifest.get("release") or {}
        release_commands = release.get("command") or []
        if not release_commands:
            problems.append(f"{HEROKU_YML}: no release command to run the migrations")
        for command in release_commands:
            problems += check_command(project.backend, command, f"{HEROKU_YML} release")
        if release.get("image") not in images:
            problems.append(f"{HEROKU_YML}: release.image {release.get('image')!r} is not built")
        problems += self._check_procfile(project, run, release_commands)
        if len(self.app(project)) > 30:
            problems.append(
                f"Heroku app names have at most 30 characters; set {APP_VARIABLE} to yours"
            )
        return problems

    def _check_procfile(
        self, project: DeployProject, run: dict[str, str], release: list[Any]
    ) -> Problems:
        entries: dict[str, str] = {}
        for number, line in enumerate(
            (project.root / PROCFILE).read_text(encoding="utf-8").splitlines(), start=1
        ):
            if not line.strip():
                continue
            process, colon, command = line.partition(":")
            if not colon or not process.strip().isidentifier():
                return [f"{PROCFILE}:{number}: expected `process: command`"]
            entries[process.strip()] = command.strip()
        expected = dict(run)
        if release:
            expected["release"] = " ".join(str(c) for c in release)
        if entries != expected:
            return [f"{PROCFILE} does not list the same processes as {HEROKU_YML}"]
        return []

    def commands(self, project: DeployProject, tag: str) -> list[list[str]]:
        app = self.app(project)
        return [
            [self.program, "stack:set", "container", "--app", app],
            [
                "git",
                "push",
                f"https://git.heroku.com/{app}.git",
                f"{commit_of(project)}:refs/heads/main",
            ],
        ]

    def public_url(self, project: DeployProject, query: Query | None = None) -> str | None:
        """Heroku picks the host name (with a random suffix), so ask its CLI."""
        if query is None:
            return None
        try:
            info = json.loads(
                query([self.program, "apps:info", "--app", self.app(project), "--json"])
            )
            url = info["app"]["web_url"]
        except (json.JSONDecodeError, KeyError, TypeError):
            return None
        return str(url).rstrip("/") if url else None
