"""Rendering: deterministic bytes, and spec text escaped for every target."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.paths import examples_dir
from generator.render import render
from generator.spec import load_spec, parse_spec
from tests.conftest import python, run_in

NASTY_NAME = "Q\"uote's \\ Back{{slash}} & <b>Ünïcode</b> 東京 `tick` # not a heading"
NASTY_DESCRIPTION = (
    'Line one with """triple quotes""" and a trailing backslash \\\n'
    "# Line two looks like a heading\n"
    "- and this like a list item, with *stars* and _underscores_ and {% raw %}\n"
    "Tab\there, emoji 🚀, and ${dollar} {braces}"
)
NASTY_SPEC = {
    "project": {"name": NASTY_NAME, "slug": "nasty", "description": NASTY_DESCRIPTION},
    "rbac": {"roles": ["chief", "staff"]},
    "entities": [
        {
            "name": "Ticket",
            "description": 'A "ticket" \\ with {{ braces }}',
            "fields": [
                {
                    "name": "state",
                    "type": "enum",
                    "values": ["no-show", "it's", 'say "hi"', "back\\slash", "ünï", "a b"],
                    "default": "it's",
                },
                {"name": "title", "type": "string", "max_length": 50, "description": 'The "title"'},
            ],
        }
    ],
}


_DIGEST = """
import hashlib, sys
from pathlib import Path
from generator.render import render
from generator.spec import load_spec
files = render(load_spec(Path(sys.argv[1]))).files
print(hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest())
"""


@pytest.mark.parametrize("example", ["acme_crm.yaml", "clinic.yaml"])
def test_same_spec_same_bytes_across_processes(example: str) -> None:
    """Independent of hash seeds, dict order, time and the formatting cache."""
    digests = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", _DIGEST, str(examples_dir() / example)],
            env={"PYTHONHASHSEED": seed, "DAYONE_NO_CACHE": "1", "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout)
    assert len(digests) == 1


def test_no_secrets_in_output() -> None:
    files = render(load_spec(examples_dir() / "acme_crm.yaml")).files
    text = b"\n".join(files.values()).decode()
    for line in text.splitlines():
        assert not re.match(r"\s*SECRET_KEY=\S", line), line


@pytest.fixture(scope="module")
def nasty(generate: Callable[[str], Path]) -> Path:
    return generate(yaml.safe_dump(NASTY_SPEC, allow_unicode=True))


def test_nasty_text_compiles_everywhere(nasty: Path) -> None:
    for path in nasty.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    pyproject = tomllib.loads((nasty / "backend/pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == " ".join(NASTY_DESCRIPTION.split())
    ruff = run_in(nasty, *python("-m", "ruff", "check", "--no-cache", "."))
    assert ruff.returncode == 0, ruff.stdout


def test_nasty_text_reaches_the_running_app_verbatim(nasty: Path) -> None:
    probe = (
        "import json; from app.main import app; from app.schemas.ticket import TicketState; "
        "import typing; print(json.dumps([app.title, app.description, "
        "list(typing.get_args(TicketState))]))"
    )
    result = run_in(nasty, sys.executable, "-c", probe, env={"DATABASE_URL": "sqlite://"})
    assert result.returncode == 0, result.stderr
    # The last line: a warning about the temporary SECRET_KEY is logged before it.
    title, description, states = json.loads(result.stdout.splitlines()[-1])
    assert title == NASTY_NAME
    assert description == NASTY_DESCRIPTION
    assert states == NASTY_SPEC["entities"][0]["fields"][0]["values"]  # type: ignore[index]


def test_nasty_text_shows_in_the_readme(nasty: Path) -> None:
    readme = (nasty / "README.md").read_text(encoding="utf-8")
    # Undo Markdown's backslash escapes: what remains is what a reader sees.
    shown = re.sub(r"\\(.)", r"\1", readme)
    assert NASTY_NAME in shown
    for line in NASTY_DESCRIPTION.splitlines():
        assert line in shown
    # Nothing in the description became a heading or a list item.
    assert not re.search(r"^#+ Line two", readme, re.MULTILINE)
    assert not re.search(r"^- and this", readme, re.MULTILINE)


def test_nasty_project_suite_passes(nasty: Path) -> None:
    """Enum values with quotes, backslashes and spaces work end to end."""
    result = run_in(nasty, *python("-m", "pytest", "-q", "-p", "no:cacheprovider"))
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def test_json_schema_of_the_spec_is_stable() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "generator.cli", "spec", "schema"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["title"].startswith("Day One spec")


def test_parse_spec_accepts_the_nasty_spec() -> None:
    spec = parse_spec(yaml.safe_dump(NASTY_SPEC, allow_unicode=True))
    assert spec.project.name == NASTY_NAME
