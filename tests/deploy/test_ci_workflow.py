"""The generated CI workflow runs only commands the project installs, in folders
that exist."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest
import yaml

from generator.paths import examples_dir
from generator.render import render
from generator.spec import parse_spec
from tests.deploy.support import PROJECT_ALL

# Commands a GitHub-hosted runner has before anything is installed.
RUNNER = {"pip", "python", "cd", "echo", "test", "npm", "git"}
# Distribution -> the commands it installs (where the names differ or add up).
PROVIDES = {"pytest": {"pytest", "py.test"}}
WORKFLOW = ".github/workflows/ci.yml"


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return match.group(0).lower()


def _commands_of(line: str) -> list[list[str]]:
    """The simple commands of a shell line joined by &&, || or ;."""
    return [shlex.split(part) for part in re.split(r"&&|\|\||;", line) if part.strip()]


SPECS = {
    "acme_crm": (examples_dir() / "acme_crm.yaml").read_text(),
    "clinic": (examples_dir() / "clinic.yaml").read_text(),
    "all_targets": PROJECT_ALL,
}


@pytest.mark.parametrize("spec", list(SPECS))
def test_every_ci_command_is_installed_by_the_project(spec: str) -> None:
    files = render(parse_spec(SPECS[spec])).files
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
                for target in argv[2:]:
                    if target.startswith("-"):
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
    text = render(parse_spec(SPECS["acme_crm"])).files[WORKFLOW].decode()
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
