"""What every deployment target has in common.

A :class:`Deployer` knows, for one platform, which files of a generated
project it needs, how to check them (``validate``), the exact commands that
ship the project (``commands``) and where it will answer (``public_url``).
It runs nothing itself: ``tools.deployers.run_commands`` does, so that a dry
run prints exactly what a real run executes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from generator.errors import DayOneError
from generator.project import load_project
from generator.provenance import git_output
from generator.spec import Spec
from tools.deployers.checks import Problems, RouteCheck, check_command, check_dockerfile

# What Docker accepts as an image tag.
TAG_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
WORKER_MODULE = "app.worker"
WORKER_COMMAND = f"python -m {WORKER_MODULE}"
# A file this tool writes after a deploy; it does not make the tree "dirty".
RECORD_FILE = ".dayone/project.json"

# Runs a command and returns its standard output (used to ask a platform's CLI).
Query = Callable[[list[str]], str]


class DeployError(DayOneError):
    """A deploy that cannot go ahead; ``exit_code`` says why (see docs/deploy.md)."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = 2) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Git:
    """The git state of the project folder, when it is inside a work tree."""

    toplevel: Path
    commit: str  # full hash of HEAD
    dirty: bool  # uncommitted changes under the project folder


@dataclass(frozen=True)
class DeployProject:
    root: Path
    spec: Spec
    spec_sha256: str
    git: Git | None

    @property
    def backend(self) -> Path:
        return self.root / "backend"

    @property
    def has_web(self) -> bool:
        """The project has the web app (``frontend: react``), which the image builds too."""
        return self.spec.frontend == "react"

    @property
    def context(self) -> str:
        """The image's build context, relative to the root: the project folder when
        the image builds the web app from frontend/ too, else backend/."""
        return "." if self.has_web else "backend"

    @property
    def dockerfile(self) -> str:
        """The Dockerfile, relative to the root; it sits at the top of its context."""
        return "Dockerfile" if self.has_web else "backend/Dockerfile"

    @property
    def dockerignore(self) -> str:
        return ".dockerignore" if self.has_web else "backend/.dockerignore"

    @property
    def context_name(self) -> str:
        """How messages name the build context."""
        return "the project folder" if self.has_web else "backend/"

    @property
    def name(self) -> str:
        """The app's name on platforms and its image name (``acme-crm``)."""
        return self.spec.project.service_name

    @property
    def has_worker(self) -> bool:
        return self.spec.jobs == "rq"

    @classmethod
    def load(cls, root: Path) -> DeployProject:
        project = load_project(root)
        return cls(project.root, project.spec, project.spec_sha256, probe_git(project.root))


def probe_git(root: Path) -> Git | None:
    """HEAD and cleanliness of the work tree holding ``root``; ``None`` without git."""
    if shutil.which("git") is None:
        return None

    def git(*args: str) -> str | None:
        return git_output(root, *args)

    toplevel = git("rev-parse", "--show-toplevel")
    commit = git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if toplevel is None or not commit:
        return None
    status = git(
        "status",
        "--porcelain",
        "--untracked-files=normal",
        "--",
        ".",
        f":!{RECORD_FILE}",
    )
    return Git(Path(toplevel).resolve(), commit, dirty=bool(status))


def default_tag(project: DeployProject) -> str:
    """The image tag when none is given: deterministic for a given state.

    In a git work tree: the first 12 characters of HEAD's hash, with ``-dirty``
    when the project folder has uncommitted changes. Elsewhere: ``spec-`` and
    the first 12 characters of dayone.yaml's SHA-256.
    """
    if project.git is not None:
        return project.git.commit[:12] + ("-dirty" if project.git.dirty else "")
    return f"spec-{project.spec_sha256[:12]}"


def check_tag(tag: str) -> str:
    if not TAG_PATTERN.fullmatch(tag):
        raise DeployError(
            f"{tag!r} is not a valid image tag",
            hint="Use letters, digits, '_', '.' and '-' (at most 128, not starting "
            "with '.' or '-').",
        )
    return tag


class Deployer:
    """One deployment target. Subclasses set the class attributes and
    implement ``check_config``, ``commands`` and ``public_url``."""

    name: ClassVar[str]
    # The platform's CLI, under each name it installs as (the first is preferred).
    clis: ClassVar[tuple[str, ...]]
    install_hint: ClassVar[str]
    # Files of the generated project this target reads, relative to its root,
    # besides the Dockerfile (``required_files`` adds it).
    config_files: ClassVar[tuple[str, ...]]
    # Other programs the commands run (e.g. git for a push).
    other_programs: ClassVar[tuple[str, ...]] = ()

    @property
    def program(self) -> str:
        """The CLI name to run: the first of ``clis`` on PATH, else the preferred one."""
        return next((cli for cli in self.clis if shutil.which(cli)), self.clis[0])

    def validate(self, project: DeployProject) -> Problems:
        """Every problem with the files this target needs, as sentences."""
        missing = [f for f in self.required_files(project) if not (project.root / f).is_file()]
        if missing:
            return [
                f"{path} is missing (dayone.yaml lists {self.name!r} under deploy; "
                "run `dayone plan` and `dayone apply` to generate it)"
                for path in missing
            ]
        routes = RouteCheck(project.backend)
        problems = check_dockerfile(
            project.root / project.context, project.dockerfile, project.backend, routes
        )
        problems += self.check_config(project, routes)
        return problems

    def required_files(self, project: DeployProject) -> tuple[str, ...]:
        """The files this target needs: the project's Dockerfile and ``config_files``."""
        return (project.dockerfile, *self.config_files)

    def check_config(self, project: DeployProject, routes: RouteCheck) -> Problems:
        raise NotImplementedError

    def source_problems(self, project: DeployProject) -> Problems:
        """What keeps the platform from getting the source (not a file problem):
        e.g. a target that builds from git, for a folder that is not a repository."""
        return []

    def missing_settings(self, project: DeployProject) -> Problems:
        """What a real run needs from the environment that is not there."""
        return []

    def environment(self, project: DeployProject, tag: str) -> dict[str, str]:
        """Variables the commands run with (shown in front of them when printed)."""
        return {}

    def commands(self, project: DeployProject, tag: str) -> list[list[str]]:
        raise NotImplementedError

    def public_url(self, project: DeployProject, query: Query | None = None) -> str | None:
        """Where the deployed API answers; ``query`` may ask the platform's CLI."""
        raise NotImplementedError

    # Helpers for subclasses.

    @staticmethod
    def check_processes(
        project: DeployProject, processes: dict[str, str], where: str, *, web: str
    ) -> Problems:
        """The web process serves the app; a worker exists exactly when jobs are on."""
        problems: Problems = []
        if web not in processes:
            problems.append(f"{where}: no {web!r} process")
        worker = next((name for name in processes if name == "worker"), None)
        if project.has_worker and worker is None:
            problems.append(f"{where}: dayone.yaml has jobs: rq but there is no worker process")
        if not project.has_worker and worker is not None:
            problems.append(f"{where}: a worker process, but dayone.yaml has no jobs")
        for name, command in processes.items():
            problems += check_command(project.backend, command, f"{where} ({name})")
        if worker is not None and processes[worker].split() != WORKER_COMMAND.split():
            problems.append(f"{where}: the worker should run `{WORKER_COMMAND}`")
        return problems


# Stands in for the commit in the printed commands of a dry run outside git.
NO_COMMIT = "<commit>"


def commit_of(project: DeployProject) -> str:
    """HEAD's hash, or a placeholder when there is no repository (dry runs only:
    a real run stops at ``source_problems`` first)."""
    return project.git.commit if project.git is not None else NO_COMMIT


def repo_root_problems(project: DeployProject, target: str, config: str) -> Problems:
    """Targets that build from a git push need the project at the repository's root."""
    if project.git is None:
        return [
            f"{target} builds from your git repository, and {project.root} is not in one "
            "with a commit (git init && git add -A && git commit)"
        ]
    if project.git.toplevel != project.root.resolve():
        return [
            f"{target} reads {config} at the root of the repository, but the repository "
            f"starts at {project.git.toplevel}"
        ]
    return []
