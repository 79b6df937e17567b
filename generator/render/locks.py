"""The generated project's dependency locks, cut from Day One's master locks.

Day One ships two master locks in ``templates/locks/`` (refreshed by
``tools/lock_deps.py``): ``requirements.lock``, every runtime dependency any
project can have, and ``requirements-dev.lock``, those plus every test
dependency, each pinned with its hashes and annotated with what needs it
(``# via``). A project's locks are the closure of its own ``pyproject.toml``'s
requirements in that graph: every package they need, at the master's version,
and nothing else. No network, and the same spec always gives the same bytes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from msgspec import Struct
from packaging.requirements import Requirement

from generator.errors import DayOneError

RUNTIME_LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"
# Where a project's pyproject.toml and its locks are.
BACKEND = "backend"

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")

_HEADER = """\
# {what} of this project, pinned with their hashes:
# the closure of pyproject.toml's requirements in Day One's master lock.
# Install with: pip install --require-hashes --no-deps -r {name}
# Refresh it from pyproject.toml as README.md says ("Dependencies").
"""


class LockError(DayOneError):
    """A master lock does not cover a project's requirements: a defect in Day One."""

    exit_code = 3


class Pin(Struct, frozen=True):
    """One entry of a lock: the pin line with its hashes, and the packages that need it."""

    name: str
    version: str
    lines: tuple[str, ...]
    via: frozenset[str]


def normalize(name: str) -> str:
    """A distribution name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_lock(text: str) -> list[Pin]:
    """The entries of a lock written by ``uv pip compile --generate-hashes``."""
    pins: list[Pin] = []
    current: tuple[str, str, list[str], set[str]] | None = None
    in_via = False

    def close() -> None:
        if current is not None:
            name, version, lines, via = current
            pins.append(Pin(name, version, tuple(lines), frozenset(via)))

    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            close()
            current = (normalize(match["name"]), match["version"], [line], set())
            in_via = False
        elif current is None:
            continue
        elif line.lstrip().startswith("--hash="):
            current[2].append(line)
        elif line.strip().startswith("# via"):
            rest = line.strip()[len("# via") :].strip()
            in_via = not rest
            if rest:
                current[3].add(rest)
        elif in_via and line.strip().startswith("#   "):
            current[3].add(line.strip()[len("#   ") :].strip())
    close()
    return pins


def _parents(via: Iterable[str]) -> set[str]:
    """The package names among ``# via`` annotations (not ``-r file``/``-c file``)."""
    return {normalize(v.split(" ")[0]) for v in via if not v.startswith("-")}


def closure(pins: list[Pin], roots: Iterable[str]) -> list[Pin]:
    """The entries of ``pins`` that ``roots`` need, directly or not, in lock order."""
    children: dict[str, set[str]] = {}
    for pin in pins:
        for parent in _parents(pin.via):
            children.setdefault(parent, set()).add(pin.name)
    wanted: set[str] = set()
    todo = [normalize(r) for r in roots]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(children.get(name, ()))
    return [pin for pin in pins if pin.name in wanted]


def requirements(pyproject: bytes | str) -> tuple[list[Requirement], list[Requirement]]:
    """The runtime and test requirements a ``pyproject.toml`` declares."""
    text = pyproject.decode("utf-8") if isinstance(pyproject, bytes) else pyproject
    project = tomllib.loads(text)["project"]
    runtime = [Requirement(r) for r in project.get("dependencies", [])]
    test = [Requirement(r) for r in project.get("optional-dependencies", {}).get("test", [])]
    return runtime, test


def _missing(pins: list[Pin], wanted: list[Requirement]) -> list[str]:
    """Requirements of ``wanted`` that no pin of ``pins`` satisfies."""
    versions = {pin.name: pin.version for pin in pins}
    return [
        str(req)
        for req in wanted
        if normalize(req.name) not in versions
        or not req.specifier.contains(versions[normalize(req.name)], prereleases=True)
    ]


def _render(what: str, name: str, pins: list[Pin], roots: set[str]) -> str:
    names = {pin.name for pin in pins}
    out = [_HEADER.format(what=what, name=name)]
    for pin in pins:
        out.extend(pin.lines)
        via = sorted(_parents(pin.via) & names)
        if pin.name in roots:
            via.insert(0, "pyproject.toml")
        if len(via) == 1:
            out.append(f"    # via {via[0]}")
        elif via:
            out.append("    # via")
            out.extend(f"    #   {v}" for v in via)
    return "\n".join(out) + "\n"


def master_locks(templates: Path) -> tuple[list[Pin], list[Pin]]:
    folder = templates / "locks"
    return (
        parse_lock((folder / RUNTIME_LOCK).read_text(encoding="utf-8")),
        parse_lock((folder / DEV_LOCK).read_text(encoding="utf-8")),
    )


def project_locks(pyproject: bytes | str, templates: Path) -> dict[str, str]:
    """``{path: text}`` of the project's two locks, for its rendered ``pyproject``."""
    runtime, test = requirements(pyproject)
    master_runtime, master_dev = master_locks(templates)
    files: dict[str, str] = {}
    for name, master, wanted, what in (
        (RUNTIME_LOCK, master_runtime, runtime, "The runtime dependencies"),
        (DEV_LOCK, master_dev, runtime + test, "The runtime and test dependencies"),
    ):
        missing = _missing(master, wanted)
        if missing:
            raise LockError(
                f"templates/locks/{name} does not pin {', '.join(missing)}",
                hint="This is a bug in Day One: refresh its locks with python tools/lock_deps.py.",
            )
        roots = {normalize(r.name) for r in wanted}
        files[f"{BACKEND}/{name}"] = _render(what, name, closure(master, roots), roots)
    return files
