"""Typer commands. Each one parses its arguments, calls the engine, prints.

Commands import the engine modules they use inside their bodies: every
command pays Python's start-up, so none should also load what only another
command needs (the deployers, the project writer, the spec models).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from generator import __version__
from generator.cli import deploy, regen
from generator.cli.output import say, styled, warn_unpinned

if TYPE_CHECKING:
    from generator.spec import Spec

app = typer.Typer(
    name="dayone",
    help="Generate a production-ready FastAPI SaaS backend from a YAML spec.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
spec_app = typer.Typer(help="Check a spec, or print its JSON Schema.", no_args_is_help=True)
app.add_typer(spec_app, name="spec")
regen.register(app)
deploy.register(app)

DEFAULT_OUTPUT = Path("production_projects")


def _version(value: bool) -> None:
    if value:
        say(f"dayone {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Day One: write a spec, get a SaaS backend; regenerate it safely later."""


@app.command()
def new(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="The spec (YAML).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Project folder (default: production_projects/<slug>)."),
    ] = None,
) -> None:
    """Generate a new project from SPEC into an empty folder."""
    from generator.apply.fresh import create_project
    from generator.provenance import detect
    from generator.render import render_cached
    from generator.spec import load_spec
    from generator.state import SPEC_FILE, state_files

    spec = load_spec(spec_path)
    target = out or DEFAULT_OUTPUT / spec.project.package
    rendered = render_cached(spec)
    spec_bytes = spec_path.read_bytes()
    source = detect()
    state = state_files(rendered, spec_bytes, source)
    files = {**rendered.files, SPEC_FILE: spec_bytes, **state}
    create_project(target, files, rendered.executable)
    say(f"{styled('created', 'green')} {target} ({len(rendered.files)} files) from {spec_path}")
    warn_unpinned(source)
    say("next:")
    say(f"  cd {target / 'backend'}")
    say('  pip install -e ".[test]" && alembic upgrade head && uvicorn app.main:app')


@spec_app.command("validate")
def spec_validate(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="The spec (YAML).")],
) -> None:
    """Check SPEC and report every problem, with its key path and line, and warn
    about valid but risky choices."""
    from generator.spec import load_spec, spec_warnings

    spec = load_spec(spec_path)
    say(f"{styled('ok', 'green')} {spec_path}: {_summary(spec)}")
    for warning in spec_warnings(spec):
        say(f"{styled('warning:', 'yellow')} {warning.render()}")


@spec_app.command("schema")
def spec_schema() -> None:
    """Print the JSON Schema of the spec (for editor completion)."""
    from generator.spec import Spec

    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Day One spec (dayone.yaml)"
    say(json.dumps(schema, indent=2))


def _summary(spec: Spec) -> str:
    entities = ", ".join(e.name for e in spec.entities) or "no entities"
    return (
        f"project '{spec.project.name}' ({spec.project.package}), "
        f"{len(spec.rbac.roles)} roles, {entities}"
    )
