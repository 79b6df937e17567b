"""`dayone deploy`: check a project's deployment files, then ship it with the
platform's own CLI. The work is done by ``tools.deployers``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from generator.cli.output import console, err_console


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)


def deploy(
    root: Annotated[Path, typer.Argument(help="The project folder (holds dayone.yaml).")] = Path(
        "."
    ),
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            help="docker, fly, render or heroku (default: $DEPLOY_TARGET, or the "
            "only target in dayone.yaml).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and print the commands; run nothing.")
    ] = False,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag",
            help="Image tag (default: the git commit, 12 characters, '-dirty' with "
            "uncommitted changes; else 'spec-' and the spec's hash).",
        ),
    ] = None,
) -> None:
    """Validate the deploy files of TARGET, print its commands, and run them."""
    # Imported here, not at the top: every other command would pay for loading them.
    from tools.deployers import (
        DeployError,
        DeployProject,
        query_command,
        record_deployment,
        require_programs,
        resolve_tag,
        run_commands,
        select_deployer,
        shell_line,
    )
    from tools.deployers.base import RECORD_FILE

    project = DeployProject.load(root)
    deployer = select_deployer(project, target)
    image_tag = resolve_tag(project, tag)
    problems = deployer.validate(project)
    if problems:
        for problem in problems:
            err_console.print(f"  {problem}", markup=False, soft_wrap=True)
        raise DeployError(
            f"{len(problems)} problem(s) in the {deployer.name} deploy files",
            hint="Fix them (or regenerate with `dayone plan` / `dayone apply`) and run again.",
            exit_code=1,
        )
    console.print(f"[green]ok[/] {deployer.name} files of {project.root}", soft_wrap=True)
    commands = deployer.commands(project, image_tag)
    env = deployer.environment(project, image_tag)
    console.print(f"image tag: {image_tag}", markup=False)
    console.print("commands:", markup=False)
    for argv in commands:
        console.print(f"  {shell_line(argv, env)}", markup=False, soft_wrap=True)
    missing = deployer.missing_settings(project)
    if dry_run:
        for setting in missing:
            console.print(f"[yellow]note:[/] {setting}", soft_wrap=True)
        console.print("dry run: nothing was run.", markup=False)
        return
    if missing:
        raise DeployError("; ".join(missing), hint="Set it in the environment and run again.")
    require_programs(deployer, commands)
    run_commands(project, commands, env)
    url = deployer.public_url(project, query_command(project))
    record_deployment(project, deployer, image_tag, url)
    console.print(
        f"[green]deployed[/] {deployer.name} {image_tag}" + (f" at {url}" if url else ""),
        soft_wrap=True,
    )
    console.print(f"recorded in {project.root / RECORD_FILE}", markup=False, soft_wrap=True)
