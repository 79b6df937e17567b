"""Deploy a generated project: one :class:`Deployer` per target in the spec's
``deploy`` list (docker, fly, render, heroku).

``dayone deploy`` (``generator.cli.deploy``) is the front end: it picks the
target (``select_deployer``), validates the project's files, prints the
commands, runs them (``run_commands``) and records the result
(``record_deployment``). Exit codes: 0 deployed (or a clean dry run), 1 the
files have problems or a platform command failed, 2 a usage problem (target,
tag, missing CLI or setting).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Mapping

from generator.apply.fs import atomic_write
from generator.spec.models import DEPLOY_TARGETS
from tools.deployers.base import (
    RECORD_FILE,
    Deployer,
    DeployError,
    DeployProject,
    Query,
    check_tag,
    default_tag,
)
from tools.deployers.docker import DockerDeployer
from tools.deployers.fly import FlyDeployer
from tools.deployers.heroku import HerokuDeployer
from tools.deployers.render import RenderDeployer

DEPLOYERS: dict[str, type[Deployer]] = {
    "docker": DockerDeployer,
    "fly": FlyDeployer,
    "render": RenderDeployer,
    "heroku": HerokuDeployer,
}
TARGET_VARIABLE = "DEPLOY_TARGET"
_PLACEHOLDER = re.compile(r"\$[A-Z][A-Z0-9_]*")
assert tuple(DEPLOYERS) == DEPLOY_TARGETS


def select_deployer(
    project: DeployProject, target: str | None, environ: Mapping[str, str] = os.environ
) -> Deployer:
    """The deployer for ``target``, else ``$DEPLOY_TARGET``, else the spec's only target."""
    listed = project.spec.deploy
    choice = target or environ.get(TARGET_VARIABLE) or None
    source = "--target" if target else TARGET_VARIABLE
    if choice is None:
        if len(listed) == 1:
            return DEPLOYERS[listed[0]]()
        if not listed:
            raise DeployError(
                "dayone.yaml lists no deploy targets",
                hint=f"Add e.g. `deploy: [docker]` to dayone.yaml, then `dayone plan` and "
                f"`dayone apply` to generate its files. Targets: {', '.join(DEPLOY_TARGETS)}.",
            )
        raise DeployError(
            f"Which target? dayone.yaml lists {', '.join(listed)}",
            hint=f"Pass --target, or set {TARGET_VARIABLE}.",
        )
    if choice not in DEPLOYERS:
        raise DeployError(
            f"Unknown deploy target {choice!r} (from {source})",
            hint=f"Day One deploys to {', '.join(DEPLOY_TARGETS)}.",
        )
    if choice not in listed:
        raise DeployError(
            f"Target {choice!r} (from {source}) is not in dayone.yaml's deploy list "
            f"({', '.join(listed) or 'empty'})",
            hint=f"Add {choice} to `deploy:` in dayone.yaml and run `dayone plan` and "
            "`dayone apply` to generate its files first.",
        )
    return DEPLOYERS[choice]()


def resolve_tag(project: DeployProject, tag: str | None) -> str:
    return check_tag(tag) if tag is not None else default_tag(project)


def shell_line(argv: list[str], env: Mapping[str, str]) -> str:
    """The command as one would type it in a POSIX shell, variables first.

    An argument that is a placeholder (``$RENDER_SERVICE_ID``, shown when the
    variable is not set) stays expandable.
    """
    assignments = [f"{name}={shlex.quote(value)}" for name, value in sorted(env.items())]
    words = [f'"{a}"' if _PLACEHOLDER.fullmatch(a) else shlex.quote(a) for a in argv]
    return " ".join([*assignments, *words])


def missing_programs(deployer: Deployer, commands: list[list[str]]) -> list[str]:
    """The programs the commands run that are not on PATH."""
    needed = dict.fromkeys([deployer.program, *deployer.other_programs, *(c[0] for c in commands)])
    return [program for program in needed if shutil.which(program) is None]


def require_programs(deployer: Deployer, commands: list[list[str]]) -> None:
    missing = missing_programs(deployer, commands)
    if not missing:
        return
    platform = set(deployer.clis)
    if any(program in platform for program in missing):
        names = " or ".join(f"`{cli}`" for cli in deployer.clis)
        raise DeployError(
            f"The {deployer.name} CLI ({names}) is not installed or not on PATH",
            hint=f"{deployer.install_hint} Or run with --dry-run to print the commands only.",
        )
    raise DeployError(
        f"{', '.join(missing)} not found on PATH; the {deployer.name} deploy runs it",
        hint="Install it, or run with --dry-run to print the commands only.",
    )


def run_commands(project: DeployProject, commands: list[list[str]], env: Mapping[str, str]) -> None:
    """Run each command in the project folder, output shown as it comes; stop at
    the first failure."""
    for argv in commands:
        try:
            code = subprocess.run(argv, cwd=project.root, env={**os.environ, **env}, check=False)
        except OSError as exc:
            raise DeployError(f"could not run {argv[0]}: {exc}", exit_code=1) from None
        if code.returncode != 0:
            raise DeployError(
                f"`{shell_line(argv, env)}` failed with exit code {code.returncode}",
                hint="Nothing after it ran; fix the cause and deploy again.",
                exit_code=1,
            )


def query_command(project: DeployProject) -> Query:
    """Runs a read-only platform command and returns its output ('' on failure)."""

    def query(argv: list[str]) -> str:
        try:
            result = subprocess.run(
                argv, cwd=project.root, capture_output=True, text=True, timeout=120, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return result.stdout if result.returncode == 0 else ""

    return query


def record_deployment(
    project: DeployProject, deployer: Deployer, tag: str, public_url: str | None
) -> dict[str, object]:
    """Write the deploy into ``.dayone/project.json``, keeping its other keys.

    Deterministic: the same deploy writes the same bytes (no timestamps).
    """
    path = project.root / RECORD_FILE
    data: dict[str, object] = {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        loaded = {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeployError(
            f"{RECORD_FILE} is damaged: {exc}",
            hint="The deploy itself went through. Fix or delete the file, then deploy again.",
            exit_code=1,
        ) from None
    if isinstance(loaded, dict):
        data.update(loaded)
    record: dict[str, object] = {
        "deployer": deployer.name,
        "image_tag": tag,
        "public_url": public_url,
    }
    data["deploy"] = record
    atomic_write(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
    return record


__all__ = [
    "DEPLOYERS",
    "TARGET_VARIABLE",
    "DeployError",
    "DeployProject",
    "Deployer",
    "missing_programs",
    "query_command",
    "record_deployment",
    "require_programs",
    "resolve_tag",
    "run_commands",
    "select_deployer",
    "shell_line",
]
