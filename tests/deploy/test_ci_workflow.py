"""The generated CI workflow runs only commands the project installs, in folders
that exist."""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from functools import cache
from pathlib import Path

import pytest
import yaml

from generator.paths import examples_dir
from generator.provenance import Source
from generator.render import render
from generator.spec import parse_spec
from tests.deploy.support import PROJECT_ALL

# Commands a GitHub-hosted runner has before anything is installed.
RUNNER = {"pip", "python", "cd", "echo", "test", "grep", "cat", "exit", "npm", "git"}
# Requirement files outside the rendered tree -> the commands they install.
REQUIREMENT_FILES = {".dayone/requirements.txt": {"dayone"}}
# Distribution -> the commands it installs (where the names differ or add up).
PROVIDES = {"pytest": {"pytest", "py.test"}, "import-linter": {"lint-imports"}}
WORKFLOW = ".github/workflows/ci.yml"


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return match.group(0).lower()


def _commands_of(script: str) -> list[list[str]]:
    """The simple commands of a shell script: its lines, split at &&, || and ;, without
    the keywords of an `if` (`if !`, `then`, `fi`)."""
    commands: list[list[str]] = []
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        argv: list[str] = []
        for token in [*lexer, ";"]:
            if token in ("&&", "||", ";", "|"):
                if argv:
                    commands.append(argv)
                argv = []
            elif argv or token not in ("if", "!", "then", "else", "fi"):
                argv.append(token)
    return commands


SPECS = {
    "acme_crm": (examples_dir() / "acme_crm.yaml").read_text(),
    "clinic": (examples_dir() / "clinic.yaml").read_text(),
    "all_targets": PROJECT_ALL,
}


def _pinned(lock: bytes) -> set[str]:
    """The commands the packages pinned in a lock file provide."""
    names = (
        _name(line.split("==")[0])
        for line in lock.decode().splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    )
    return set().union(*(PROVIDES.get(name, {name}) for name in names))


@cache
def _files(spec: str) -> dict[str, bytes]:
    """The rendered files of one of SPECS, rendered once per test process."""
    return render(parse_spec(SPECS[spec])).files


@pytest.mark.parametrize("spec", list(SPECS))
def test_every_ci_command_is_installed_by_the_project(spec: str) -> None:
    files = _files(spec)
    workflow = yaml.safe_load(files[WORKFLOW])
    pyproject = tomllib.loads(files["backend/pyproject.toml"].decode())
    project = pyproject["project"]
    extras = project["optional-dependencies"]
    installed = set(RUNNER)
    for requirement in project["dependencies"] + extras["test"]:
        name = _name(requirement)
        installed |= PROVIDES.get(name, {name})

    deploys: list[str] = []
    [job] = workflow["jobs"].values()
    default_dir = job["defaults"]["run"]["working-directory"]
    folders = {path.rsplit("/", 1)[0] for path in files if "/" in path} | {"."}
    for step in job["steps"]:
        if "run" not in step:
            assert step["uses"].startswith("actions/"), step
            continue
        directory = step.get("working-directory", default_dir)
        assert directory in folders, f"{step['name']}: no folder {directory}"
        for argv in _commands_of(step["run"]):
            program = argv[0]
            if program == "pip" and argv[1] == "install":
                for n, target in enumerate(argv[2:], start=2):
                    if argv[n - 1] == "-r":
                        installed |= REQUIREMENT_FILES.get(target) or _pinned(
                            files[f"{directory}/{target}"]
                        )
                        continue
                    if target.startswith("-"):
                        continue
                    if target == ".":  # the project itself
                        assert f"{directory}/pyproject.toml" in files, step["name"]
                        continue
                    if target.startswith(".["):  # the project itself with extras
                        wanted = target[2:-1].split(",")
                        assert all(e in extras for e in wanted), target
                        assert f"{directory}/pyproject.toml" in files, step["name"]
                    else:
                        installed.add(_name(target))  # for this and later steps
                continue
            assert program in installed, f"{step['name']}: {program} is not installed"
            if program == "python" and argv[1:2] == ["-m"]:
                assert _name(argv[2]) in installed, f"{step['name']}: module {argv[2]}"
            if program == "dayone" and argv[1] == "deploy":
                assert argv[2] == "." and directory == "."
                deploys.append(argv[argv.index("--target") + 1])
    assert deploys == list(parse_spec(SPECS[spec]).deploy)


# Release tags of the actions the workflow uses and their commits (read from the
# actions' own repositories; a tag can move, a commit cannot).
PINNED_ACTIONS = {
    "actions/checkout": ("d23441a48e516b6c34aea4fa41551a30e30af803", "v6.1.0"),
    "actions/setup-python": ("ece7cb06caefa5fff74198d8649806c4678c61a1", "v6.3.0"),
}


def test_actions_are_pinned_by_commit_and_the_token_is_read_only() -> None:
    text = _files("acme_crm")[WORKFLOW].decode()
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    [job] = workflow["jobs"].values()
    used = [step["uses"] for step in job["steps"] if "uses" in step]
    assert used, "the workflow uses no action"
    for action in used:
        name, _, ref = action.partition("@")
        sha, version = PINNED_ACTIONS[name]
        assert ref == sha, f"{action} is not pinned by commit"
        # the human-readable version stays next to the SHA, as a comment
        assert f"uses: {name}@{sha} # {version}" in text


def test_an_unpinned_day_one_fails_the_install_step_with_the_fix(tmp_path: Path) -> None:
    """The "Install Day One" step, run as a runner would, on a project whose Day One
    could not be pinned: it stops before pip, naming the problem and the fix."""
    from generator.provenance import unreproducible
    from tests.deploy.workflow_runner import run_workflow

    workflow = yaml.safe_load(_files("acme_crm")[WORKFLOW])
    [job] = workflow["jobs"].values()
    job["steps"] = [step for step in job["steps"] if step.get("name") == "Install Day One"]
    (tmp_path / "backend").mkdir()
    (tmp_path / ".dayone").mkdir()
    (tmp_path / "ci.yml").write_text(yaml.safe_dump(workflow))
    pin = unreproducible("a git checkout with no remote", "Push it.")
    (tmp_path / ".dayone" / "requirements.txt").write_bytes(pin.to_bytes())
    # `pip` would only be reached past the guard: here it fails loudly if it is.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pip").write_text("#!/bin/sh\necho pip was run\nexit 99\n")
    (fake / "pip").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    [result] = run_workflow(tmp_path / "ci.yml", tmp_path, base_env=env)
    assert result.returncode == 1, result.output
    assert "::error file=.dayone/requirements.txt::Day One is not pinned" in result.output
    assert "# Problem: it ran from a git checkout with no remote." in result.output
    assert "# Fix: Push it." in result.output
    assert "pip was run" not in result.output
    # With a pin, the step goes on to pip.
    release = Source(kind="release", version="0.1.0")
    (tmp_path / ".dayone" / "requirements.txt").write_bytes(release.to_bytes())
    [result] = run_workflow(tmp_path / "ci.yml", tmp_path, base_env=env)
    assert result.returncode == 99 and "pip was run" in result.output
