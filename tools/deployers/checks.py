"""Checks that a generated project's deployment files refer to things that exist.

Platforms read these files only after a build has been uploaded, which is a
slow and public place to find a typo. Everything here reads the project and
reports problems as sentences; nothing is fixed or written.

* ``parse_dockerfile``: the instructions of a Dockerfile, continuation lines
  joined, comments and parser directives dropped.
* ``check_command``: a process command (``gunicorn ... app.main:app``,
  ``python -m app.worker``, ``./scripts/prestart.sh``) names a module, app
  object, config file or script that is present in ``backend/``.
* ``check_health_path``: the path is a GET route of the application.
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

Problems = list[str]

# Lists the application's GET routes; run in the backend folder by the
# project's Python, with settings that touch no real database.
_LIST_ROUTES = """
import json
from app.main import app
try:  # FastAPI keeps included routers nested; their contexts carry the full paths.
    from fastapi.routing import iter_route_contexts
    routes = list(iter_route_contexts(app.routes))
except ImportError:  # older FastAPI flattens included routes into app.routes
    routes = list(app.routes)
paths = set()
for route in routes:
    if "GET" in (getattr(route, "methods", None) or ()):
        paths.add(route.path)
print(json.dumps(sorted(paths)))
"""


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, COPY, ...
    arguments: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON-array (exec) form of CMD, ENTRYPOINT or HEALTHCHECK CMD."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            _, _, text = text.partition(" CMD ")
            if not text:
                return None
        try:
            value = json.loads(text.strip())
        except json.JSONDecodeError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None


def parse_dockerfile(text: str) -> list[Instruction]:
    """Dockerfile instructions in order (no heredocs; the generated file has none)."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comments inside a continued instruction are dropped
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        keyword, _, arguments = " ".join(part for part in pending if part).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        pending = []
    if pending:
        keyword, _, arguments = " ".join(pending).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    """The instructions of the last build stage (from its FROM on)."""
    starts = [i for i, instruction in enumerate(instructions) if instruction.keyword == "FROM"]
    return instructions[starts[-1] :] if starts else []


def module_file(backend: Path, module: str) -> Path | None:
    """The file of a dotted module under ``backend`` (``app.main`` -> app/main.py)."""
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    base = backend.joinpath(*parts)
    for candidate in (
        base.with_suffix(".py"),
        base / "__init__.py",
        base / "__main__.py",
    ):
        if candidate.is_file():
            return candidate
    return None


def is_local_module(backend: Path, module: str) -> bool:
    """Whether ``module``'s top-level package lives in the project (``app``)."""
    top = module.split(".")[0]
    return (backend / top).is_dir() or (backend / f"{top}.py").is_file()


def defines_name(path: Path, name: str) -> bool:
    """Whether the module at ``path`` assigns ``name`` at its top level."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return False
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        elif (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
        ):
            return True
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def check_command(backend: Path, command: str | list[str], where: str) -> Problems:
    """Problems with one process command, which runs with ``backend`` as its folder."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if not argv:
        return [f"{where}: the command is empty"]
    program = PurePosixPath(argv[0]).name
    if program in ("sh", "bash") and len(argv) > 1:
        return _check_script(backend, argv[1], where)
    if "/" in argv[0] or argv[0].endswith(".sh"):
        return _check_script(backend, argv[0], where)
    if program.startswith("python") and len(argv) > 2 and argv[1] == "-m":
        module = argv[2]
        if is_local_module(backend, module) and module_file(backend, module) is None:
            return [f"{where}: `{shlex.join(argv)}` runs module {module}, which does not exist"]
        return []
    if program in ("gunicorn", "uvicorn"):
        return _check_server(backend, argv, where)
    return []


def _check_script(backend: Path, script: str, where: str) -> Problems:
    path = backend / script
    if not path.is_file():
        return [f"{where}: script {script} does not exist in backend/"]
    if not os.access(path, os.X_OK):
        return [f"{where}: script {script} is not executable (chmod +x backend/{script})"]
    return []


def _check_server(backend: Path, argv: list[str], where: str) -> Problems:
    problems: Problems = []
    arguments = argv[1:]
    app_spec: str | None = None
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument in ("-c", "--config"):
            config = arguments[index + 1] if index + 1 < len(arguments) else ""
            if config and not (backend / config).is_file():
                problems.append(f"{where}: {argv[0]} config {config} does not exist in backend/")
            index += 2
            continue
        if argument.startswith("--config="):
            config = argument.removeprefix("--config=")
            if not (backend / config).is_file():
                problems.append(f"{where}: {argv[0]} config {config} does not exist in backend/")
        elif not argument.startswith("-") and ":" in argument:
            app_spec = argument
        index += 1
    if app_spec is None:
        return [
            *problems,
            f"{where}: `{shlex.join(argv)}` names no application (module:app)",
        ]
    module, _, name = app_spec.partition(":")
    path = module_file(backend, module)
    if path is None:
        problems.append(f"{where}: application module {module} does not exist")
    elif not defines_name(path, name):
        problems.append(f"{where}: {module} defines no `{name}`")
    return problems


def app_routes(backend: Path) -> tuple[set[str], str]:
    """The application's GET paths, and how they were found.

    The app is imported by the project's Python (``backend/.venv`` when there
    is one, else this Python) with a throwaway SQLite database. When that
    fails, for instance because the app's dependencies are not installed
    here, the paths are read from the decorators in ``app/main.py``.
    """
    venv_python = backend / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.is_file() else sys.executable
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": "sqlite://",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        result = subprocess.run(
            [python, "-c", _LIST_ROUTES],
            cwd=backend,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        result = None
    if result is not None and result.returncode == 0:
        try:
            paths = json.loads(result.stdout.strip().splitlines()[-1])
            return {str(p) for p in paths}, "imported the app"
        except (json.JSONDecodeError, IndexError):
            pass
    return _declared_paths(backend / "app" / "main.py"), "read app/main.py"


def _declared_paths(main: Path) -> set[str]:
    try:
        tree = ast.parse(main.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return set()
    paths: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "api_route")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            paths.add(node.args[0].value)
    return paths


class RouteCheck:
    """Answers "is this a GET route of the app?", importing the app at most once."""

    def __init__(self, backend: Path) -> None:
        self.backend = backend
        self._routes: tuple[set[str], str] | None = None

    def __call__(self, path: Any, where: str) -> Problems:
        if not isinstance(path, str) or not path.startswith("/"):
            return [f"{where}: health check path {path!r} is not a URL path"]
        if self._routes is None:
            self._routes = app_routes(self.backend)
        routes, how = self._routes
        if path not in routes:
            return [f"{where}: health check path {path} is not a GET route of the app ({how})"]
        return []


def check_dockerfile(context: Path, where: str, backend: Path, routes: RouteCheck) -> Problems:
    """The image: multi-stage, non-root, health-checked, its files and commands present.

    ``where`` is the Dockerfile's path from the project root; it sits at the top of
    its build ``context`` (backend/, or the project folder when the image builds the
    web app too). Its commands run in backend/'s copy (``/app``)."""
    path = context / "Dockerfile"
    try:
        instructions = parse_dockerfile(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{where} is missing"]
    problems: Problems = []
    if sum(1 for i in instructions if i.keyword == "FROM") < 2:
        problems.append(f"{where}: expected a builder stage and a runtime stage (two FROMs)")
    last = final_stage(instructions)
    users = [i for i in last if i.keyword == "USER"]
    if not users:
        problems.append(f"{where}: the final stage sets no USER, so the app would run as root")
    elif users[-1].arguments.split(":")[0] in ("root", "0"):
        problems.append(f"{where}:{users[-1].line}: the final stage runs as root")
    for instruction in instructions:
        if instruction.keyword in ("COPY", "ADD"):
            problems += _check_copy(context, backend, instruction, where)
    commands = [i for i in last if i.keyword in ("CMD", "ENTRYPOINT")]
    if not commands:
        problems.append(f"{where}: the final stage has no CMD")
    for instruction in commands:
        argv = instruction.exec_form()
        if argv is None:
            problems.append(f"{where}:{instruction.line}: write {instruction.keyword} in exec form")
        else:
            problems += check_command(backend, argv, f"{where}:{instruction.line}")
    checks = [i for i in last if i.keyword == "HEALTHCHECK"]
    if not checks:
        problems.append(f"{where}: the final stage has no HEALTHCHECK")
    for instruction in checks:
        argv = instruction.exec_form()
        if argv is None:
            problems.append(f"{where}:{instruction.line}: write HEALTHCHECK CMD in exec form")
            continue
        location = f"{where}:{instruction.line}"
        problems += check_command(backend, argv, location)
        health_paths = [a for a in argv[1:] if a.startswith("/")]
        if not health_paths:
            problems.append(f"{location}: the HEALTHCHECK names no path")
        for health in health_paths:
            problems += routes(health, location)
    return problems


def _check_copy(context: Path, backend: Path, instruction: Instruction, where: str) -> Problems:
    try:
        words = shlex.split(instruction.arguments)
    except ValueError:
        return [f"{where}:{instruction.line}: cannot parse {instruction.keyword}"]
    if any(w.startswith("--from=") for w in words):
        return []  # copies from another stage, not from the build context
    sources = [w for w in words if not w.startswith("--")][:-1]
    problems: Problems = []
    for source in sources:
        if any(c in source for c in "*?[") or source.startswith(("http://", "https://")):
            continue
        if not (context / source).exists():
            folder = "backend/" if context.resolve() == backend.resolve() else "the project folder"
            problems.append(
                f"{where}:{instruction.line}: {instruction.keyword} source {source} "
                f"does not exist in {folder}"
            )
    return problems
