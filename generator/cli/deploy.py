"""`dayone deploy`: check a project's deployment files, then ship it with the
platform's own CLI. The work is done by ``tools.deployers``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from generator.cli.output import say, styled


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
            say(f"  {problem}", err=True)
        raise DeployError(
            f"{len(problems)} problem(s) in the {deployer.name} deploy files",
            hint="Fix them (or regenerate with `dayone plan` / `dayone apply`) and run again.",
            exit_code=1,
        )
    say(f"{styled('ok', 'green')} {deployer.name} files of {project.root}")
    # Not a problem with the files: the platform cannot get the source as it stands.
    source = deployer.source_problems(project)
    if source and not dry_run:
        raise DeployError(
            "; ".join(source),
            hint="Commit the project in its own git repository, then deploy again.",
        )
    for problem in source:
        say(f"{styled('warning:', 'yellow')} {problem}", err=True)
    commands = deployer.commands(project, image_tag)
    env = deployer.environment(project, image_tag)
    say(f"image tag: {image_tag}")
    say("commands:")
    for argv in commands:
        say(f"  {shell_line(argv, env)}")
    missing = deployer.missing_settings(project)
    if dry_run:
        for setting in missing:
            say(f"{styled('note:', 'yellow')} {setting}")
        say("dry run: nothing was run.")
        return
    if missing:
        raise DeployError("; ".join(missing), hint="Set it in the environment and run again.")
    require_programs(deployer, commands)
    run_commands(project, commands, env)
    url = deployer.public_url(project, query_command(project))
    record_deployment(project, deployer, image_tag, url)
    where = f" at {url}" if url else ""
    say(f"{styled('deployed', 'green')} {deployer.name} {image_tag}{where}")
    say(f"recorded in {project.root / RECORD_FILE}")
